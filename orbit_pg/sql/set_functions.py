"""Set-returning functions: generate_series, generate_subscripts and unnest, resolved once for
both places PostgreSQL runs them — a FROM item (FunctionScan) and the select list (ProjectSet,
nodeProjectSet.c), where the functions of one row advance together and the shorter ones
read NULL once they run out.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from orbit_pg import errors, types
from orbit_pg.interrupts import PAUSE
from orbit_pg.sql import records, resolution
from orbit_pg.sql.expressions import Compiled, Eval, _argument, coerce

NAMES = frozenset(("generate_series", "generate_subscripts", "unnest", "information_schema._pg_expandarray"))
_INTEGERS = (types.INT2, types.INT4, types.INT8)


@dataclass(frozen=True, slots=True)
class SetFunction:
    """A resolved call: its result type, its (coerced) arguments, and the values it returns
    for their values (a strict function returns no rows when an argument is NULL)."""

    result: types.PgType
    args: list[Eval]
    each: Callable[..., Iterable[Any]]

    def values(self, row: Any, ctx: Any) -> Iterable[Any]:
        arguments = [fn(row, ctx) for fn in self.args]
        return () if None in arguments else self.each(*arguments)


def generate_series(start: Any, stop: Any, step: Any = 1) -> Iterator[Any]:
    if step == 0:
        raise errors.PgError(errors.INVALID_PARAMETER_VALUE, "step size cannot equal zero")
    value = start
    while (value <= stop) if step > 0 else (value >= stop):
        yield value
        value += step


def unnest(array: list[Any]) -> Iterator[Any]:
    """Every element of a (possibly multidimensional) array, in storage order."""
    for item in array:
        if isinstance(item, list):
            yield from unnest(item)
        else:
            yield item


def generate_subscripts(array: list[Any], dimension: int, reverse: bool = False) -> Iterator[int]:
    """The subscripts of one dimension (from the lower bound: 0 for int2vector and oidvector)."""
    value: Any = array
    for _ in range(dimension - 1):
        if not value or not isinstance(value[0], list):
            return iter(())
        value = value[0]
    if dimension < 1 or not value:
        return iter(())
    lower = getattr(array, "lower", 1)
    subscripts = range(lower, lower + len(value))
    return iter(reversed(subscripts) if reverse else subscripts)


def expandarray(array: list[Any]) -> Iterator[tuple[Any, int]]:
    """information_schema._pg_expandarray: each element with its 1-based position (pgjdbc's
    getPrimaryKeys and getIndexInfo expand indkey with it)."""
    for n, value in enumerate(unnest(array), 1):
        yield (value, n)


def resolve(name: str, args: list[Compiled], nodes: Sequence[Any], loc: int) -> SetFunction:
    """The overload of ``name`` (one of NAMES) that PostgreSQL picks for these arguments."""
    arg_types = [a.type for a in args]
    if name == "generate_series" and len(args) in (2, 3):
        args = [coerce(a, types.INT4, getattr(n, "loc", 0)) for a, n in zip(args, nodes, strict=True)]
        if all(a.type in _INTEGERS for a in args):
            result = max((a.type for a in args), key=_INTEGERS.index)
            return SetFunction(result, [a.fn for a in args], generate_series)
    elif name == "unnest" and len(args) == 1 and args[0].type.element is not None:
        return SetFunction(args[0].type.element, [args[0].fn], unnest)
    elif name == "information_schema._pg_expandarray" and len(args) == 1 and args[0].type.element is not None:
        result = records.record_type((("x", args[0].type.element), ("n", types.INT4)))
        return SetFunction(result, [args[0].fn], expandarray)
    elif name == "generate_subscripts" and len(args) in (2, 3) and args[0].type.element is not None:
        params = (types.INT4, types.BOOL)[: len(args) - 1]
        if resolution.select([params], arg_types[1:]):
            rest = [_argument(a, p, n) for a, p, n in zip(args[1:], params, nodes[1:], strict=True)]
            return SetFunction(types.INT4, [args[0].fn, *(a.fn for a in rest)], generate_subscripts)
    raise resolution.no_function(name, arg_types, loc)


def project_set(rows: Iterable[Any], functions: list[SetFunction], ctx: Any) -> Iterator[Any]:
    """Each input row once per value of its longest set-returning function, with the functions'
    values appended (NULL where one has run out); a row for which all return nothing is dropped."""
    for row in rows:
        if row is PAUSE:
            yield row
            continue
        columns = [list(function.values(row, ctx)) for function in functions]
        for i in range(max(map(len, columns))):
            yield (*row, *(column[i] if i < len(column) else None for column in columns))
