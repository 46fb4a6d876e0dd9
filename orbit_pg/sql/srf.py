"""Set-returning functions in a target list (PostgreSQL's ProjectSet), and the record values
``information_schema._pg_expandarray`` returns, with field selection ``(expr).field``.

Each input row is repeated as many times as its longest function result, the functions
advancing together (shorter ones give NULL), as PostgreSQL 10 and later do. The values ride
in columns appended to the row, which the target list reads (``QueryScope.computed``).
pgjdbc's getPrimaryKeys and getIndexInfo select ``(information_schema._pg_expandarray(i.indkey)).n``.
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from orbit_pg import errors, types
from orbit_pg.interrupts import PAUSE
from orbit_pg.sql import array_ops, ast, query, resolution
from orbit_pg.sql.expressions import Column, Eval

RECORD_OID = 2249


@dataclass(frozen=True, slots=True, eq=False)
class RecordType(types.PgType):
    """An anonymous record with named fields (a function's OUT parameters); values are tuples."""

    fields: tuple[tuple[str, types.PgType], ...] = ()


def _needs_quotes(text: str) -> bool:
    return text == "" or any(c in '"\\(),' or c.isspace() for c in text)


def record_type(fields: tuple[tuple[str, types.PgType], ...]) -> RecordType:
    """record_out's text ``(1,2)`` and record_send's binary form for values of these fields."""

    def text_out(value: tuple[Any, ...]) -> bytes:
        parts = []
        for (_, type_), item in zip(fields, value, strict=True):
            if item is None:
                parts.append("")
                continue
            text = type_.text_out(item).decode()
            if _needs_quotes(text):
                text = '"' + text.replace("\\", "\\\\").replace('"', '""') + '"'
            parts.append(text)
        return ("(" + ",".join(parts) + ")").encode()

    def binary_out(value: tuple[Any, ...]) -> bytes:
        out = [struct.pack("!i", len(fields))]
        for (_, type_), item in zip(fields, value, strict=True):
            if item is None:
                out.append(struct.pack("!Ii", type_.oid, -1))
            else:
                data = type_.binary_out(item)
                out.append(struct.pack("!Ii", type_.oid, len(data)) + data)
        return b"".join(out)

    def no_input(_: Any) -> Any:
        raise errors.PgError(errors.FEATURE_NOT_SUPPORTED, "input of anonymous composite types is not implemented")

    return RecordType(RECORD_OID, "record", "record", -1, "P", text_out, no_input, binary_out, no_input, fields=fields)


def _expandarray(array: list[Any]) -> Iterator[tuple[Any, int]]:
    """_pg_expandarray: each element with its 1-based position."""
    for n, value in enumerate(array_ops.flatten(array), 1):
        yield (value, n)


@dataclass(slots=True)
class _Function:
    result: Callable[[types.PgType], types.PgType]  # from the array argument's type
    each: Callable[[list[Any]], Iterable[Any]]


def _element(array: types.PgType) -> types.PgType:
    assert array.element is not None
    return array.element


FUNCTIONS: dict[str, _Function] = {
    "information_schema._pg_expandarray": _Function(
        lambda array: record_type((("x", _element(array)), ("n", types.INT4))), _expandarray
    ),
    "unnest": _Function(_element, array_ops.flatten),
}


def calls(stmt: ast.SelectStmt) -> list[ast.FuncCall]:
    """The set-returning calls of a SELECT's target list (not inside subqueries)."""
    found: list[ast.FuncCall] = []

    def visit(node: Any) -> None:
        if isinstance(node, ast.SubLink):
            return
        if isinstance(node, ast.FuncCall) and node.over is None and node.name in FUNCTIONS:
            found.append(node)
        if isinstance(node, ast.Node):
            for slot in node.__slots__:
                visit(getattr(node, slot))
        elif isinstance(node, list | tuple):
            for item in node:
                visit(item)

    visit([t.value for t in stmt.targets])
    return found


@dataclass(slots=True)
class ProjectSet(query.Operator):
    """The input rows, each repeated once per value of its longest function result."""

    source: query.Operator
    args: list[Eval]
    each: list[Callable[[list[Any]], Iterable[Any]]]
    width: int = 0

    def rows(self, ctx: query.QueryContext) -> Iterator[Any]:
        for row in self.source.rows(ctx):
            if row is PAUSE:
                yield PAUSE
                continue
            results = []
            for arg, each in zip(self.args, self.each, strict=True):
                value = arg(row, ctx)
                results.append([] if value is None else list(each(value)))
            for i in range(max(len(r) for r in results)):
                yield (*row, *(r[i] if i < len(r) else None for r in results))

    def explain(self, ctx: query.QueryContext) -> list[tuple[str, list[Any]]]:
        return [("ProjectSet", [self.source])]


def plan(
    stmt: ast.SelectStmt, source: query.Operator, scope: query.QueryScope, level: query.Level
) -> tuple[query.Operator, query.QueryScope]:
    """``source`` and ``scope`` extended by the target list's set-returning calls (unchanged without any)."""
    found = calls(stmt)
    if not found:
        return source, scope
    if stmt.group_by or stmt.having is not None or query._has_aggregate([t.value for t in stmt.targets]):
        raise errors.PgError(
            errors.FEATURE_NOT_SUPPORTED, "set-returning functions with GROUP BY or aggregates are not supported yet"
        )
    compiler = query.QueryCompiler(scope, level, "SELECT")
    computed = dict(scope.computed)
    args: list[Eval] = []
    each = []
    for call in found:
        function = FUNCTIONS[call.name]
        compiled = [compiler.compile(arg) for arg in call.args]
        if len(compiled) != 1 or compiled[0].type.element is None:
            raise resolution.no_function(call.name, [c.type for c in compiled], call.loc)
        args.append(compiled[0].fn)
        each.append(function.each)
        column_name = call.name.rpartition(".")[2]
        computed[id(call)] = Column(column_name, scope.width + len(args) - 1, function.result(compiled[0].type))
    width = scope.width + len(args)
    extended = query.QueryScope(scope.items, width)
    extended.computed = computed
    return ProjectSet(source, args, each, width), extended
