"""The aggregate functions: their overloads and result types (``pg_aggregate``), and what each
accumulates per group. An accumulator takes one call's argument values per input row
(``add``) and gives the group's value (``result``); PostgreSQL's strict aggregates skip rows
whose arguments hold a NULL, so those never reach ``add``.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from orbit_pg import errors, jsonb, types
from orbit_pg.sql import jsonb_ops, resolution
from orbit_pg.sql.expressions import _numeric_div, array_of, order_key
from orbit_pg.types.numbers import EXACT

_INTEGERS = (types.INT2, types.INT4, types.INT8)
_FLOATS = (types.FLOAT4, types.FLOAT8)
_ORDERED = (*_INTEGERS, types.NUMERIC, *_FLOATS, types.OID, types.TEXT, types.BPCHAR, types.DATE)
_ORDERED += (types.TIMESTAMP, types.TIMESTAMPTZ, types.INTERVAL)


class Accumulator:
    __slots__ = ()

    def add(self, *values: Any) -> None: ...

    def result(self) -> Any: ...


class _Count(Accumulator):
    __slots__ = ("n",)

    def __init__(self) -> None:
        self.n = 0

    def add(self, *values: Any) -> None:
        self.n += 1

    def result(self) -> int:
        return self.n


class _Sum(Accumulator):
    """sum: NULL on no input; ``convert`` gives the result type its value (int8 sum of int4s, numeric of int8s)."""

    __slots__ = ("total", "convert", "plus")

    def __init__(self, convert: Callable[[Any], Any], plus: Callable[[Any, Any], Any]) -> None:
        self.total: Any = None
        self.convert = convert
        self.plus = plus

    def add(self, value: Any) -> None:
        self.total = value if self.total is None else self.plus(self.total, value)

    def result(self) -> Any:
        return None if self.total is None else self.convert(self.total)


class _Avg(Accumulator):
    __slots__ = ("total", "n", "divide", "plus")

    def __init__(self, divide: Callable[[Any, int], Any], plus: Callable[[Any, Any], Any] = operator.add) -> None:
        self.total: Any = 0
        self.n = 0
        self.divide = divide
        self.plus = plus

    def add(self, value: Any) -> None:
        self.total = self.plus(self.total, value)
        self.n += 1

    def result(self) -> Any:
        return None if self.n == 0 else self.divide(self.total, self.n)


class _Extreme(Accumulator):
    """min or max; ``key`` orders values as PostgreSQL does (NaN above every number)."""

    __slots__ = ("value", "better", "key")

    def __init__(self, better: Callable[[Any, Any], bool], key: Callable[[Any], Any]) -> None:
        self.value: Any = None
        self.better = better
        self.key = key

    def add(self, value: Any) -> None:
        if self.value is None or self.better(self.key(value), self.key(self.value)):
            self.value = value

    def result(self) -> Any:
        return self.value


class _Bool(Accumulator):
    __slots__ = ("value", "conjunction")

    def __init__(self, conjunction: bool) -> None:
        self.value: bool | None = None
        self.conjunction = conjunction

    def add(self, value: bool) -> None:
        if self.value is None:
            self.value = value
        elif self.conjunction:
            self.value = self.value and value
        else:
            self.value = self.value or value

    def result(self) -> bool | None:
        return self.value


class _StringAgg(Accumulator):
    """string_agg(value, delimiter): each value after the first is preceded by its own row's delimiter."""

    __slots__ = ("parts", "empty")

    def __init__(self, empty: Any) -> None:
        self.parts: list[Any] = []
        self.empty = empty

    def add(self, value: Any, delimiter: Any) -> None:
        if value is None:
            return
        if self.parts:
            self.parts.append(self.empty if delimiter is None else delimiter)
        self.parts.append(value)

    def result(self) -> Any:
        return self.empty.join(self.parts) if self.parts else None


class _Collect(Accumulator):
    """array_agg and jsonb_agg: every value, NULLs included; NULL on no input."""

    __slots__ = ("items", "finish")

    def __init__(self, finish: Callable[[list[Any]], Any]) -> None:
        self.items: list[Any] = []
        self.finish = finish

    def add(self, value: Any) -> None:
        self.items.append(value)

    def result(self) -> Any:
        return self.finish(self.items) if self.items else None


class _JsonbObjectAgg(Accumulator):
    __slots__ = ("items", "key_of", "value_of")

    def __init__(self, key_of: Callable[[Any], str], value_of: Callable[[Any], Any]) -> None:
        self.items: dict[str, Any] = {}
        self.key_of = key_of
        self.value_of = value_of

    def add(self, key: Any, value: Any) -> None:
        if key is None:
            raise errors.PgError(errors.INVALID_PARAMETER_VALUE, "field name must not be null")
        self.items[self.key_of(key)] = None if value is None else self.value_of(value)

    def result(self) -> Any:
        return jsonb.dumps(self.items) if self.items else None


@dataclass(frozen=True, slots=True)
class Aggregate:
    """One overload of an aggregate; ``make`` builds an accumulator for the resolved argument types."""

    args: tuple[types.PgType, ...]
    result: types.PgType | None  # None: polymorphic, decided by ``result_of``
    make: Callable[[Sequence[types.PgType]], Callable[[], Accumulator]]
    strict: bool = True


def _int8(value: int) -> int:
    if not -(2**63) <= value < 2**63:
        raise errors.PgError(errors.NUMERIC_VALUE_OUT_OF_RANGE, "bigint out of range")
    return value


def _numeric_avg(total: Any, n: int) -> Decimal:
    """numeric_avg: the sum divided by the count with numeric division's result scale."""
    return _numeric_div(Decimal(total), Decimal(n))


def _not_supported(signature: str) -> Callable[[Sequence[types.PgType]], Callable[[], Accumulator]]:
    def make(arg_types: Sequence[types.PgType]) -> Callable[[], Accumulator]:
        raise errors.PgError(errors.FEATURE_NOT_SUPPORTED, f"aggregate {signature} is not supported yet")

    return make


def _sum(arg: types.PgType, result: types.PgType, convert: Callable[[Any], Any]) -> Aggregate:
    plus = EXACT.add if result is types.NUMERIC else operator.add
    return Aggregate((arg,), result, lambda arg_types: lambda: _Sum(convert, plus))


def _extreme(type_: types.PgType, better: Callable[[Any, Any], bool]) -> Aggregate:
    key = order_key(type_, 0) or (lambda value: value)
    return Aggregate((type_,), type_, lambda arg_types: lambda: _Extreme(better, key))


def _jsonb_agg(arg_types: Sequence[types.PgType]) -> Callable[[], Accumulator]:
    convert = jsonb_ops.converter(arg_types[0])

    def finish(items: list[Any]) -> bytes:
        return jsonb.dumps([None if v is None else convert(v) for v in items])

    return lambda: _Collect(finish)


def _jsonb_object_agg(arg_types: Sequence[types.PgType]) -> Callable[[], Accumulator]:
    key_of, value_of = jsonb_ops.key_converter(arg_types[0]), jsonb_ops.converter(arg_types[1])
    return lambda: _JsonbObjectAgg(key_of, value_of)


AGGREGATES: dict[str, list[Aggregate]] = {
    "count": [Aggregate((resolution.ANY,), types.INT8, lambda arg_types: _Count)],
    "sum": [
        _sum(types.INT2, types.INT8, _int8),
        _sum(types.INT4, types.INT8, _int8),
        _sum(types.INT8, types.NUMERIC, Decimal),
        _sum(types.NUMERIC, types.NUMERIC, Decimal),
        _sum(types.FLOAT4, types.FLOAT4, float),
        _sum(types.FLOAT8, types.FLOAT8, float),
        _sum(types.INTERVAL, types.INTERVAL, lambda v: v),
    ],
    "avg": [
        *(Aggregate((t,), types.NUMERIC, lambda arg_types: lambda: _Avg(_numeric_avg)) for t in _INTEGERS),
        Aggregate((types.NUMERIC,), types.NUMERIC, lambda arg_types: lambda: _Avg(_numeric_avg, EXACT.add)),
        *(Aggregate((t,), types.FLOAT8, lambda arg_types: lambda: _Avg(lambda s, n: float(s) / n)) for t in _FLOATS),
        Aggregate((types.INTERVAL,), types.INTERVAL, _not_supported("avg(interval)")),
    ],
    "min": [_extreme(t, lambda a, b: a < b) for t in _ORDERED],
    "max": [_extreme(t, lambda a, b: a > b) for t in _ORDERED],
    "bool_and": [Aggregate((types.BOOL,), types.BOOL, lambda arg_types: lambda: _Bool(True))],
    "bool_or": [Aggregate((types.BOOL,), types.BOOL, lambda arg_types: lambda: _Bool(False))],
    "every": [Aggregate((types.BOOL,), types.BOOL, lambda arg_types: lambda: _Bool(True))],
    "string_agg": [
        Aggregate((types.TEXT, types.TEXT), types.TEXT, lambda arg_types: lambda: _StringAgg(""), strict=False),
        Aggregate((types.BYTEA, types.BYTEA), types.BYTEA, lambda arg_types: lambda: _StringAgg(b""), strict=False),
    ],
    "array_agg": [Aggregate((resolution.ANYNONARRAY,), None, lambda arg_types: lambda: _Collect(list), strict=False)],
    "jsonb_agg": [Aggregate((resolution.ANYELEMENT,), types.JSONB, _jsonb_agg, strict=False)],
    "jsonb_object_agg": [
        Aggregate((resolution.ANY, resolution.ANY), types.JSONB, _jsonb_object_agg, strict=False),
    ],
}


def result_type(aggregate: Aggregate, arg_types: Sequence[types.PgType]) -> types.PgType:
    """The result type of a call: array_agg(x) is an array of x's type."""
    if aggregate.result is not None:
        return aggregate.result
    return array_of(arg_types[0])
