"""Choose how to find the rows a WHERE clause asks for from actors: key lookups, a key range
scan, the type index, or a scan of the whole table. The WHERE clause is still applied to
every row found; an access path only narrows the search."""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from orbit_pg import errors, types
from orbit_pg.sql import ast
from orbit_pg.sql.expressions import Compiler, Eval, Params, Scope, coerce
from orbit_pg.storage.base import Row, Snapshot
from orbit_pg.storage.writeset import Writes

ACTOR_ID, ACTOR_TYPE = 0, 1
TYPE_INDEX = "actors_actor_type_idx"


@dataclass(slots=True)
class AccessPath:
    """``kind``: 'key' (actor_id = v, or several: OR / IN), 'type' (actor_type = v, or several),
    'range' (bounds on actor_id, or a LIKE prefix) or 'scan'."""

    kind: str
    values: list[Eval] = field(default_factory=list)
    lows: list[Eval] = field(default_factory=list)  # actor_id >= each (> is rechecked by WHERE)
    highs: list[Eval] = field(default_factory=list)  # actor_id <= each
    prefix: Eval | None = None

    @property
    def value(self) -> Eval:
        return self.values[0]

    @property
    def key_ordered(self) -> bool:
        """Rows come in actor_id order: the table and its ranges are keyed by it, and one
        actor_type's index entries are sorted by actor_id (dupsort)."""
        return self.kind != "type" or len(self.values) == 1

    def rows(self, snapshot: Snapshot, writes: Writes, ctx: Any) -> Iterator[Row]:
        """The rows this path finds, as a transaction with ``writes`` sees them (its own writes first)."""
        if self.kind == "key":
            keys = sorted({key for fn in self.values if (key := fn(None, ctx)) is not None})
            for key in keys:
                row = writes[key] if key in writes else snapshot.get(key)
                if row is not None:
                    yield row
            return
        if self.kind == "type":
            seen: list[str] = []
            for fn in self.values:
                actor_type = fn(None, ctx)
                if actor_type is None or actor_type in seen:
                    continue
                seen.append(actor_type)
                yield from type_rows(snapshot, writes, actor_type)
            return
        if self.kind == "range":
            bounds = self._bounds(ctx)
            if bounds is None:
                return
            low, high, prefix = bounds
            base = snapshot.scan_range(low, high)
            if prefix is not None:
                base = itertools.takewhile(lambda r: r[0].startswith(prefix), base)

            def inside(row: Row) -> bool:
                key = row[0]
                return (low is None or key >= low) and (high is None or key <= high) and key.startswith(prefix or "")

            yield from _merge(base, writes, inside, low, high)
            return
        yield from _merge(snapshot.scan(), writes, lambda r: True)

    def _bounds(self, ctx: Any) -> tuple[str | None, str | None, str | None] | None:
        """(low, high, prefix) for this execution; None when a bound is NULL (no row can match)."""
        lows = [fn(None, ctx) for fn in self.lows]
        highs = [fn(None, ctx) for fn in self.highs]
        prefix = self.prefix(None, ctx) if self.prefix is not None else None
        if None in lows or None in highs or (self.prefix is not None and prefix is None):
            return None
        if prefix is not None:
            lows.append(prefix)
        return max(lows, default=None), min(highs, default=None), prefix

    def describe(self, relation: str, ctx: Any) -> str:
        """The line EXPLAIN prints for this path on ``relation`` (its name and alias)."""
        if self.kind == "key":
            keys = ", ".join(_quote(fn(None, ctx)) for fn in self.values)
            shown = f"actor_id = {keys}" if len(self.values) == 1 else f"actor_id = ANY ('{{{keys}}}')"
            return f"Index Lookup on {relation} ({shown})"
        if self.kind == "type":
            shown = ", ".join(_quote(fn(None, ctx)) for fn in self.values)
            return f"Index Scan using {TYPE_INDEX} on {relation} (actor_type = {shown})"
        if self.kind == "range":
            bounds = self._bounds(ctx)
            parts = []
            if bounds is not None:
                low, high, prefix = bounds
                if prefix is not None:
                    parts.append(f"actor_id ^@ {_quote(prefix)}")
                elif low is not None:
                    parts.append(f"actor_id >= {_quote(low)}")
                if high is not None:
                    parts.append(f"actor_id <= {_quote(high)}")
            return f"Range Scan on {relation}" + (f" ({' AND '.join(parts)})" if parts else "")
        return f"Seq Scan on {relation}"


SCAN = AccessPath("scan")


def _quote(value: Any) -> str:
    return "NULL" if value is None else "'" + str(value).replace("'", "''") + "'"


def _merge(
    base: Iterator[Row], writes: Writes, wanted: Callable[[Row], bool], low: str | None = None, high: str | None = None
) -> Iterator[Row]:
    """A key-ordered stream of stored rows with the transaction's own versions in their place
    (both read in key order: a spilled write set is never sorted in memory)."""
    if not writes:
        yield from base
        return
    mine = (r for r in writes.rows_in_order(low, high) if wanted(r))
    theirs = (r for r in base if r[0] not in writes)
    yield from heapq.merge(theirs, mine, key=lambda r: r[0])


def type_rows(snapshot: Snapshot, writes: Writes, actor_type: str) -> Iterator[Row]:
    """The rows of a type in actor_id order, as a transaction with ``writes`` sees them."""
    return _merge(snapshot.scan_type(actor_type), writes, lambda row: row[1] == actor_type)


def first_of_type(snapshot: Snapshot, writes: Writes | None, actor_type: str, count: int) -> list[Row]:
    """The first ``count`` rows ``type_rows`` gives: one read of the type index when the
    transaction has written nothing (``writes`` empty or None), else the merge with its writes."""
    if not writes:
        return snapshot.first_of_type(actor_type, count)
    return list(itertools.islice(type_rows(snapshot, writes, actor_type), count))


def conjuncts(node: ast.Node | None) -> list[ast.Node]:
    if node is None:
        return []
    if isinstance(node, ast.BoolExpr) and node.op == "and":
        return [leaf for arg in node.args for leaf in conjuncts(arg)]
    return [node]


def _constant_text(node: ast.Node, params: Params | None, exact: bool = False) -> Eval | None:
    """A side that names no column (a literal, a parameter) and is text, evaluated once per
    execution. ``exact``: only text or varchar, which compare as the stored text does (no
    padding or case rules: bpchar, name, citext-like types stay rechecked by WHERE)."""
    if any(isinstance(n, ast.ColumnRef | ast.SubLink) for n in ast.walk(node)):
        return None
    try:
        compiled = coerce(Compiler(Scope(), params).compile(node), types.TEXT, getattr(node, "loc", 0))
    except errors.PgError:
        return None
    if exact:
        return compiled.fn if compiled.type in (types.TEXT, types.VARCHAR) else None
    return compiled.fn if compiled.type.category == "S" else None


def _column_index(node: ast.Node, scope: Scope) -> int | None:
    if not isinstance(node, ast.ColumnRef):
        return None
    try:
        return scope.resolve(node).index
    except errors.PgError:
        return None


_FLIPPED = {"=": "=", "<": ">", ">": "<", "<=": ">=", ">=": "<="}


def _comparison(node: ast.Node, scope: Scope, params: Params | None) -> tuple[int, str, Eval] | None:
    """``column op constant`` (either way round) on actor_id or actor_type."""
    if not (isinstance(node, ast.A_Expr) and node.kind == "op" and node.op in _FLIPPED and node.left is not None):
        return None
    for column_side, value_side, op in ((node.left, node.right, node.op), (node.right, node.left, _FLIPPED[node.op])):
        index = _column_index(column_side, scope)
        if index in (ACTOR_ID, ACTOR_TYPE):
            value = _constant_text(value_side, params)
            if value is not None:
                return index, op, value
    return None


def type_equality(where: ast.Node | None, scope: Scope, params: Params | None) -> Eval | None:
    """``actor_type = v`` as the whole WHERE clause, v text (a literal, a parameter, an
    expression of them): then the type index's entries for v are exactly the rows the clause
    accepts, and need no recheck."""
    if not (isinstance(where, ast.A_Expr) and where.kind == "op" and where.op == "=" and where.left is not None):
        return None
    for column_side, value_side in ((where.left, where.right), (where.right, where.left)):
        if _column_index(column_side, scope) == ACTOR_TYPE:
            return _constant_text(value_side, params, exact=True)
    return None


def _column_of(node: ast.A_Expr, scope: Scope) -> int | None:
    index = _column_index(node.left, scope) if node.left is not None else None
    return index if index in (ACTOR_ID, ACTOR_TYPE) else None


def _in_list(node: ast.Node, scope: Scope, params: Params | None) -> tuple[int, list[Eval]] | None:
    """``col IN (v1, v2, ...)`` on actor_id or actor_type."""
    if not (isinstance(node, ast.A_Expr) and node.kind == "in" and node.op == "="):
        return None
    index = _column_of(node, scope)
    values = [_constant_text(item, params) for item in node.right]
    if index is None or any(v is None for v in values):
        return None
    return index, values  # type: ignore[return-value]


def like_prefix(pattern: str) -> str:
    """The characters every match of a LIKE pattern starts with (backslash escapes the next one)."""
    prefix = []
    escaped = False
    for char in pattern:
        if escaped:
            prefix.append(char)
            escaped = False
        elif char == "\\":
            escaped = True
        elif char in "%_":
            break
        else:
            prefix.append(char)
    return "".join(prefix)


def _prefix(node: ast.Node, scope: Scope, params: Params | None) -> Eval | None:
    """``actor_id LIKE 'prefix%'``: the prefix, from the pattern's value when the query runs."""
    if not (isinstance(node, ast.A_Expr) and node.kind == "like" and node.op == "~~" and node.escape is None):
        return None
    if _column_of(node, scope) != ACTOR_ID:
        return None
    pattern = _constant_text(node.right, params)
    if pattern is None:
        return None
    return lambda row, ctx: None if (value := pattern(row, ctx)) is None else like_prefix(value)


def _equalities(node: ast.Node, scope: Scope, params: Params | None) -> tuple[int, list[Eval]] | None:
    """``col = v``, ``col IN (...)`` or an OR of such on one column: the column and values."""
    listed = _in_list(node, scope, params)
    if listed is not None:
        return listed
    args = node.args if isinstance(node, ast.BoolExpr) and node.op == "or" else [node]
    found: list[tuple[int, str, Eval] | None] = [_comparison(arg, scope, params) for arg in args]
    if any(f is None or f[1] != "=" for f in found) or len({f[0] for f in found if f}) != 1:
        return None
    return found[0][0], [f[2] for f in found if f]  # type: ignore[index]


def _between(node: ast.Node, scope: Scope, params: Params | None) -> tuple[Eval, Eval] | None:
    """``actor_id BETWEEN low AND high``."""
    if not (isinstance(node, ast.A_Expr) and node.kind == "between" and _column_of(node, scope) == ACTOR_ID):
        return None
    low, high = (_constant_text(bound, params) for bound in node.right)
    return None if low is None or high is None else (low, high)


def choose(where: ast.Node | None, scope: Scope, params: Params | None = None) -> AccessPath:
    """Key lookups first (=, IN, OR of =), then a LIKE prefix range, the type index, bounds on
    actor_id (<, <=, >, >=, BETWEEN), a scan."""
    by_type: AccessPath | None = None
    prefix: Eval | None = None
    lows: list[Eval] = []
    highs: list[Eval] = []
    for conjunct in conjuncts(where):
        equal = _equalities(conjunct, scope, params)
        if equal is not None:
            index, values = equal
            if index == ACTOR_ID:
                return AccessPath("key", values)
            by_type = by_type or AccessPath("type", values)
            continue
        prefix = prefix or _prefix(conjunct, scope, params)
        compared = _comparison(conjunct, scope, params)
        if compared is not None and compared[0] == ACTOR_ID:
            (lows if compared[1] in (">", ">=") else highs).append(compared[2])
        between = _between(conjunct, scope, params)
        if between is not None:
            lows.append(between[0])
            highs.append(between[1])
    if prefix is not None:
        return AccessPath("range", lows=lows, highs=highs, prefix=prefix)
    if by_type is not None:
        return by_type
    if lows or highs:
        return AccessPath("range", lows=lows, highs=highs)
    return SCAN
