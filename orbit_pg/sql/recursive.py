"""WITH RECURSIVE: a CTE whose query names itself.

``non-recursive term UNION [ALL] recursive term``: the first term's rows start the working table,
then the recursive term runs over the working table (a WorkTableScan where it names the CTE)
until an iteration adds nothing; UNION drops rows seen before. The shape checks and their
messages follow PostgreSQL's parse_cte.c (checkWellFormedRecursion), the loop its
nodeRecursiveunion.c. A top-level query's pacer reaches the loop, which yields PAUSE while it
works, so a long recursion lets the reactor run and can be canceled.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from orbit_pg import errors, types
from orbit_pg.interrupts import PAUSE
from orbit_pg.sql import ast, query, resolution
from orbit_pg.sql.expressions import Compiled, Eval

INVALID_RECURSION = "42P19"


@dataclass(slots=True)
class WorkTable:
    """What the recursive term finds under the CTE's name: the rows of the previous iteration,
    kept in the execution's cache under ``key`` (a plan may run in several executions at once)."""

    name: str
    columns: list[query.OutputColumn]
    key: object


@dataclass(slots=True)
class WorkTableScan(query.Operator):
    key: object
    label: str
    width: int = 0

    def rows(self, ctx: query.QueryContext) -> Iterator[tuple[Any, ...]]:
        return iter(ctx.cache[self.key])

    def explain(self, ctx: query.QueryContext) -> list[tuple[str, list[Any]]]:
        return [(f"WorkTable Scan on {self.label}", [])]


def work_table_plan(work: WorkTable, node: ast.RangeVar, level: query.Level) -> query.FromPlan:
    """The CTE named inside its own recursive term."""
    refname = node.alias or node.name
    rte = level.next_rte()
    attrs = [query.Attr(c.name, c.type, i, refname, rte) for i, c in enumerate(work.columns)]
    label = node.name if node.alias is None else f"{node.name} {node.alias}"
    scan = WorkTableScan(work.key, label, len(attrs))
    return query.FromPlan(scan, [query.Item(refname, attrs)], len(attrs))


def is_recursive(cte: ast.CommonTableExpr) -> bool:
    """Declared in WITH RECURSIVE and naming itself (otherwise it is an ordinary CTE)."""
    return cte.recursive and bool(_references(cte.query, cte.name, None, []))


def analyze(cte: ast.CommonTableExpr, level: query.Level) -> query.SelectPlan:
    """The recursive union's plan: the non-recursive term decides the column types."""
    stmt = cte.query
    _check_form(cte)
    assert stmt.larg is not None and stmt.rarg is not None
    params, outer = level.params, level.outer
    left = query.analyze(stmt.larg, params, outer, level.ctes, resolve_unknown=False)
    query.check_cte_columns(cte, len(left.columns))
    columns = [
        query.OutputColumn(
            cte.colnames[i] if i < len(cte.colnames) else c.name,
            types.TEXT if c.type is types.UNKNOWN else c.type,
            c.origin,
            c.loc,
        )
        for i, c in enumerate(left.columns)
    ]
    work = WorkTable(cte.name, columns, object())
    right = query.analyze(stmt.rarg, params, outer, {**level.ctes, cte.name: work}, resolve_unknown=False)
    right_loc = query._first_target_loc(stmt.rarg)
    if len(right.columns) != len(columns):
        raise errors.PgError(
            errors.SYNTAX_ERROR, "each UNION query must have the same number of columns", position=right_loc + 1
        )
    convert: list[Eval] = []
    for i, (lc, rc) in enumerate(zip(columns, right.columns, strict=True)):
        # The overall type counts the non-recursive term's unknown literals as unknown (a NULL there
        # is text to the working table but no constraint on UNION's type).
        common = resolution.common_type([(left.columns[i].type, lc.loc), (rc.type, right_loc)], "UNION")
        if common is not lc.type:
            raise errors.PgError(
                errors.DATATYPE_MISMATCH,
                f'recursive query "{cte.name}" column {i + 1} has type {lc.type.name} in non-recursive term'
                f" but type {common.name} overall",
                hint="Cast the output of the non-recursive term to the correct type.",
                position=lc.loc + 1,
            )
        convert.append(query._convert(Compiled(lambda row, ctx, i=i: row[i], rc.type), common, rc.loc).fn)
    union = RecursiveUnion(left, right, convert, work.key, stmt.all)
    correlated = left.level.correlated or right.level.correlated
    return query.SelectPlan(columns, query.Level(params, outer, level.ctes, correlated), union.produce, union.explain)


@dataclass(slots=True)
class RecursiveUnion:
    """nodeRecursiveunion.c's loop; ``convert`` brings the recursive term's values to the
    column types. UNION (not ALL) remembers every row sent, as PostgreSQL's hash table does."""

    left: query.SelectPlan
    right: query.SelectPlan
    convert: list[Eval]
    key: object
    keep_all: bool

    def produce(self, ctx: query.QueryContext, pacer: query.Pacer) -> Iterator[Any]:
        seen: set[Any] | None = None if self.keep_all else set()
        term: Iterator[Any] = (tuple(row) for row in self.left.rows(ctx))
        convert, due = self.convert, pacer.due
        while True:
            found: list[tuple[Any, ...]] = []
            for row in term:
                if seen is not None:
                    marker = query.hashable(row)
                    if marker in seen:
                        if due():
                            yield PAUSE
                        continue
                    seen.add(marker)
                found.append(row)
                yield row
            if not found:
                return
            ctx.cache[self.key] = found
            term = (tuple(fn(row, ctx) for fn in convert) for row in self.right.rows(ctx))

    def explain(self, ctx: query.QueryContext) -> list[tuple[str, list[Any]]]:
        return [("Recursive Union", [*self.left.explain(ctx), *self.right.explain(ctx)])]


# --- checkWellFormedRecursion -------------------------------------------------------------------


def _check_form(cte: ast.CommonTableExpr) -> None:
    stmt, name = cte.query, cte.name
    if stmt.op != "union" or stmt.larg is None or stmt.rarg is None:
        raise errors.PgError(
            INVALID_RECURSION,
            f'recursive query "{name}" does not have the form non-recursive-term UNION [ALL] recursive-term',
            position=cte.loc + 1,
        )
    inside_left = _references(stmt.larg, name, None, [])
    if inside_left:
        raise _misplaced(name, "its non-recursive term", inside_left[0])
    _references(stmt.rarg, name, "", [])
    for clause, present in (("ORDER BY", stmt.sort), ("OFFSET", stmt.offset), ("LIMIT", stmt.limit)):
        if present:
            first = present[0].node if isinstance(present, list) else present
            raise errors.PgError(
                errors.FEATURE_NOT_SUPPORTED,
                f"{clause} in a recursive query is not implemented",
                position=getattr(first, "loc", 0) + 1,
            )
    if stmt.locking is not None:
        raise errors.PgError(errors.FEATURE_NOT_SUPPORTED, "FOR UPDATE/SHARE in a recursive query is not implemented")
    if stmt.rarg.op is None:
        rarg = stmt.rarg
        aggregate = query._has_aggregate([[t.value for t in rarg.targets], rarg.having])
        if aggregate is not None:
            raise errors.PgError(
                INVALID_RECURSION,
                "aggregate functions are not allowed in a recursive query's recursive term",
                position=aggregate.loc + 1,
            )


def _misplaced(name: str, where: str, node: ast.RangeVar) -> errors.PgError:
    return errors.PgError(
        INVALID_RECURSION,
        f'recursive reference to query "{name}" must not appear within {where}',
        position=node.loc + 1,
    )


def _references(node: Any, name: str, context: str | None, found: list[ast.RangeVar]) -> list[ast.RangeVar]:
    """The RangeVars naming the CTE under ``node``. ``context`` None only collects them; ""
    (the recursive term) or where a reference would be (``"a subquery"``, ``"an outer join"``,
    ``"INTERSECT"``, ``"EXCEPT"``) raises PostgreSQL's 42P19 for a misplaced or second one."""
    if isinstance(node, ast.RangeVar):
        if node.schema is None and node.name == name:
            if context:
                raise _misplaced(name, context, node)
            if context is not None and found:
                raise errors.PgError(
                    INVALID_RECURSION,
                    f'recursive reference to query "{name}" must not appear more than once',
                    position=node.loc + 1,
                )
            found.append(node)
        return found
    if isinstance(node, ast.SelectStmt):
        if any(cte.name == name for cte in node.with_clause):
            return found  # an inner WITH hides the name
        for cte in node.with_clause:
            _references(cte.query, name, context, found)
        if node.op is not None:
            left = right = context
            if context == "" and node.op != "union":
                left = node.op.upper() if node.all else ""
                right = "EXCEPT" if node.op == "except" else left
            _references(node.larg, name, left, found)
            _references(node.rarg, name, right, found)
            return found
        for name_ in ("targets", "from_clause", "where", "group_by", "having", "sort", "distinct", "values_lists"):
            _references(getattr(node, name_), name, context, found)
        return found
    if isinstance(node, ast.SubLink):
        _references(node.testexpr, name, context, found)
        _references(node.subselect, name, None if context is None else "a subquery", found)
        return found
    if isinstance(node, ast.JoinExpr):
        outer = None if context is None else context or "an outer join"
        _references(node.larg, name, outer if node.jointype in ("right", "full") else context, found)
        _references(node.rarg, name, outer if node.jointype in ("left", "full") else context, found)
        _references(node.quals, name, context, found)
        return found
    if isinstance(node, ast.Node):
        for slot in node.__slots__:
            _references(getattr(node, slot), name, context, found)
    elif isinstance(node, list | tuple):
        for item in node:
            _references(item, name, context, found)
    return found
