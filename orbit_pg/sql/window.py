"""Window functions: ``row_number()``, ``rank()``, ``dense_rank()`` ``OVER (PARTITION BY ... ORDER BY ...)``.

As PostgreSQL's WindowAgg (nodeWindowAgg.c) does, the rows of FROM and WHERE are read whole,
split by the partition keys, ordered within each partition, and given one more column per
window call; the query's target list reads that column (``QueryScope.computed``). pgjdbc's
getColumns numbers columns with ``row_number() OVER (PARTITION BY attrelid ORDER BY attnum)``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from orbit_pg import errors, types
from orbit_pg.interrupts import PAUSE
from orbit_pg.sql import ast, query
from orbit_pg.sql.expressions import Column, Eval

WINDOWING_ERROR = "42P20"


def _row_number(position: int, peer_start: int, peer_groups: int) -> int:
    return position


def _rank(position: int, peer_start: int, peer_groups: int) -> int:
    return peer_start


def _dense_rank(position: int, peer_start: int, peer_groups: int) -> int:
    return peer_groups


# name → the value from (1-based position, position of the first peer, number of peer groups so far)
RANKING: dict[str, Callable[[int, int, int], int]] = {
    "row_number": _row_number,
    "rank": _rank,
    "dense_rank": _dense_rank,
}


def calls(stmt: ast.SelectStmt) -> list[ast.FuncCall]:
    """The window calls of a SELECT's target list and ORDER BY (not inside subqueries)."""
    found: list[ast.FuncCall] = []

    def visit(node: Any) -> None:
        if isinstance(node, ast.SubLink):
            return
        if isinstance(node, ast.FuncCall) and node.over is not None:
            found.append(node)
        if isinstance(node, ast.Node):
            for slot in node.__slots__:
                visit(getattr(node, slot))
        elif isinstance(node, list | tuple):
            for item in node:
                visit(item)

    visit([[t.value for t in stmt.targets], [s.node for s in stmt.sort]])
    return found


@dataclass(slots=True)
class _Window:
    function: Callable[[int, int, int], int]
    partition: list[Eval]
    order: list[Eval]
    items: list[ast.SortBy]


@dataclass(slots=True)
class WindowAgg(query.Operator):
    """The input rows, each with one value per window call appended."""

    source: query.Operator
    windows: list[_Window]
    width: int = 0

    def rows(self, ctx: query.QueryContext) -> Iterator[tuple[Any, ...]]:
        rows = [row for row in self.source.rows(ctx) if row is not PAUSE]
        extra: list[list[Any]] = [[] for _ in rows]
        for window in self.windows:
            partitions: dict[Any, list[int]] = {}
            for i, row in enumerate(rows):
                key = query.hashable(tuple(fn(row, ctx) for fn in window.partition))
                partitions.setdefault(key, []).append(i)
            key_of = query.sort_key(window.items)
            for members in partitions.values():
                ordering = {i: [fn(rows[i], ctx) for fn in window.order] for i in members}
                members.sort(key=lambda i: key_of(ordering[i]))
                peer_start, groups, previous = 0, 0, None
                for position, i in enumerate(members, 1):
                    values = ordering[i]
                    if position == 1 or values != previous:
                        peer_start, groups, previous = position, groups + 1, values
                    extra[i].append(window.function(position, peer_start, groups))
        for row, values in zip(rows, extra, strict=True):
            yield (*row, *values)

    def explain(self, ctx: query.QueryContext) -> list[tuple[str, list[Any]]]:
        return [("WindowAgg", [self.source])]


def plan(
    stmt: ast.SelectStmt, source: query.Operator, scope: query.QueryScope, level: query.Level
) -> tuple[query.Operator, query.QueryScope]:
    """``source`` and ``scope`` extended by the window calls' columns (unchanged without any)."""
    found = calls(stmt)
    if not found:
        return source, scope
    if stmt.group_by or stmt.having is not None or query._has_aggregate([t.value for t in stmt.targets]):
        raise errors.PgError(
            errors.FEATURE_NOT_SUPPORTED, "window functions with GROUP BY or aggregates are not supported yet"
        )
    compiler = query.QueryCompiler(scope, level, "window definitions")
    windows = []
    computed = dict(scope.computed)
    for call in found:
        function = RANKING.get(call.name)
        if function is None or call.args or call.agg_star:
            raise errors.PgError(
                errors.FEATURE_NOT_SUPPORTED,
                f"window function {call.name} is not supported yet",
                position=call.loc + 1,
            )
        assert call.over is not None
        order = call.over.order_clause
        windows.append(
            _Window(
                function,
                [compiler.compile(node).fn for node in call.over.partition_clause],
                [compiler.compile(item.node).fn for item in order],
                list(order),
            )
        )
        computed[id(call)] = Column(call.name, scope.width + len(windows) - 1, types.INT8)
    width = scope.width + len(windows)
    extended = query.QueryScope(scope.items, width)
    extended.computed = computed
    return WindowAgg(source, windows, width), extended
