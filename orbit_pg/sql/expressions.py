"""Turn expression ASTs into typed closures ``fn(row, ctx) -> value``.

Name resolution, type checking and coercion of literals happen once here, with
PostgreSQL's errors and positions; evaluation then only runs the closures. NULL is None.
"""

from __future__ import annotations

import math
import operator
import struct
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from orbit_pg import errors, types
from orbit_pg.sql import ast
from orbit_pg.sql.functions import NO_ARGUMENT_FUNCTIONS

Eval = Callable[[Any, Any], Any]


class Context:
    """What closures read besides the row: the session, the parameter values and the literals'."""

    __slots__ = ("session", "params", "literals")

    def __init__(self, session: Any, params: Sequence[Any] = (), literals: Sequence[Any] = ()) -> None:
        self.session = session
        self.params = params
        self.literals = literals


class Literals:
    """The literals the lexer cut out of the text being analysed: values, positions, types.

    A plan reads a literal's value when it runs (from ``Context.literals``), so one plan
    serves every text of the same shape. Where analysis itself needs a value (ORDER BY 2,
    SET x = 'y'), ``value`` hands it over and records the slot as fixed: the cache keeps
    one plan per value of the fixed slots.
    """

    def __init__(self, values: Sequence[Any], positions: Sequence[int]) -> None:
        self.values = values
        self.positions = positions
        self.types = [_literal_type(value) for value in values]
        self.fixed: set[int] = set()

    def value(self, node: ast.A_Const) -> Any:
        if node.slot is None:
            return node.value
        self.fixed.add(node.slot)
        return self.values[node.slot]


def _literal_type(value: Any) -> types.PgType:
    if isinstance(value, str):
        return types.UNKNOWN
    if isinstance(value, int):
        return types.integer_type_for(value)
    return types.NUMERIC


def literal_value(node: ast.A_Const, params: Params | None) -> Any:
    """A literal's value during analysis, wherever it comes from."""
    if params is None or params.literals is None:
        return node.value
    return params.literals.value(node)


class Params:
    """What a plan takes when it runs: ``$n`` parameters (types declared in Parse or inferred
    from where they are used; ``declared`` None means none may appear) and the text's literals."""

    def __init__(self, declared: Sequence[types.PgType] | None = (), literals: Literals | None = None) -> None:
        self.allowed = declared is not None
        self.types = list(declared or ())
        self.literals = literals

    def resolved(self) -> list[types.PgType]:
        """After analysis: a parameter nothing gave a type is text, as in PostgreSQL."""
        return [types.TEXT if t is types.UNKNOWN else t for t in self.types]


@dataclass(slots=True)
class Compiled:
    fn: Eval
    type: types.PgType
    # For a literal: its value, so callers can coerce it (an unknown-typed string).
    const: Any = None
    is_const: bool = False
    # For a parameter or literal still of unknown type: where its type is recorded once
    # context decides it (Params.types or Literals.types, and the index there).
    param: tuple[Params | Literals, int] | None = None


@dataclass(slots=True)
class Column:
    name: str
    index: int
    type: types.PgType


class Scope:
    """The columns an expression may name: one relation under its name or alias."""

    def __init__(
        self, relation: str | None = None, columns: list[Column] | None = None, alias: str | None = None
    ) -> None:
        self.relation = relation
        self.alias = alias
        self.columns = {c.name: c for c in columns or []}

    def resolve(self, ref: ast.ColumnRef) -> Column:
        *qualifier, name = ref.fields
        visible = self.alias or self.relation
        if qualifier and qualifier[0] == self.relation and self.alias:
            raise errors.PgError(
                errors.UNDEFINED_TABLE,
                f'invalid reference to FROM-clause entry for table "{self.relation}"',
                hint=f'Perhaps you meant to reference the table alias "{self.alias}".',
                position=ref.loc + 1,
            )
        if qualifier and qualifier[0] != visible:
            raise errors.PgError(
                errors.UNDEFINED_TABLE, f'missing FROM-clause entry for table "{qualifier[0]}"', position=ref.loc + 1
            )
        column = self.columns.get(name)
        if column is None:
            shown = ".".join(ref.fields)
            raise errors.PgError(errors.UNDEFINED_COLUMN, f'column "{shown}" does not exist', position=ref.loc + 1)
        return column


def _const(value: Any, type_: types.PgType) -> Compiled:
    return Compiled(lambda row, ctx: value, type_, value, True)


def _null_safe_unary(fn: Callable[[Any], Any], arg: Eval) -> Eval:
    def run(row: Any, ctx: Any) -> Any:
        value = arg(row, ctx)
        return None if value is None else fn(value)

    return run


def _null_safe_binary(fn: Callable[[Any, Any], Any], left: Eval, right: Eval) -> Eval:
    def run(row: Any, ctx: Any) -> Any:
        a = left(row, ctx)
        if a is None:
            return None
        b = right(row, ctx)
        return None if b is None else fn(a, b)

    return run


def _with_position(error: errors.PgError, loc: int) -> errors.PgError:
    if error.position is None:
        error.position = loc + 1
    return error


def coerce(compiled: Compiled, target: types.PgType, loc: int) -> Compiled:
    """Give an unknown-typed literal (a quoted string or NULL) the type its context needs."""
    if compiled.type is not types.UNKNOWN or target is types.UNKNOWN:
        return compiled
    if compiled.param is not None:
        params, index = compiled.param
        params.types[index] = target
        return Compiled(compiled.fn, target)
    if compiled.const is None:
        return _const(None, target)
    try:
        return _const(target.text_in(compiled.const), target)
    except errors.PgError as error:
        raise _with_position(error, loc) from None


def _integer_result(type_: types.PgType, fn: Callable[[int, int], int]) -> Callable[[Any, Any], Any]:
    low, high = types.INTEGER_RANGES[type_]

    def checked(a: int, b: int) -> int:
        value = fn(a, b)
        if not low <= value <= high:
            raise errors.PgError(errors.NUMERIC_VALUE_OUT_OF_RANGE, f"{type_.name} out of range")
        return value

    return checked


def _int_div(a: int, b: int) -> int:
    if b == 0:
        raise errors.PgError(errors.DIVISION_BY_ZERO, "division by zero")
    quotient = abs(a) // abs(b)
    return quotient if (a < 0) == (b < 0) else -quotient


def _int_mod(a: int, b: int) -> int:
    if b == 0:
        raise errors.PgError(errors.DIVISION_BY_ZERO, "division by zero")
    return a - b * _int_div(a, b)


def _numeric_div(a: Decimal, b: Decimal) -> Decimal:
    if b == 0:
        raise errors.PgError(errors.DIVISION_BY_ZERO, "division by zero")
    return Decimal(a) / Decimal(b)


def _numeric_mod(a: Decimal, b: Decimal) -> Decimal:
    if b == 0:
        raise errors.PgError(errors.DIVISION_BY_ZERO, "division by zero")
    return Decimal(a) % b


_INT_ARITHMETIC: dict[str, Callable[[int, int], int]] = {
    "+": operator.add,
    "-": operator.sub,
    "*": operator.mul,
    "/": _int_div,
    "%": _int_mod,
}
_NUMERIC_ARITHMETIC: dict[str, Callable[[Any, Any], Any]] = {
    "+": lambda a, b: Decimal(a) + b,
    "-": lambda a, b: Decimal(a) - b,
    "*": lambda a, b: Decimal(a) * b,
    "/": _numeric_div,
    "%": _numeric_mod,
}
_COMPARISONS: dict[str, Callable[[Any, Any], bool]] = {
    "=": operator.eq,
    "<>": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}
# The protocol's Bind carries an int16 parameter count.
MAX_PARAMETERS = 65535
_CAST_HINT = "You might need to add explicit type casts."
_INTEGER_TYPES = (types.INT2, types.INT4, types.INT8)
_FLOAT_TYPES = (types.FLOAT4, types.FLOAT8)
# The numbers arithmetic works on (oid is a number in PostgreSQL's catalog, but has no arithmetic).
_ARITHMETIC_TYPES = (*_INTEGER_TYPES, types.NUMERIC, *_FLOAT_TYPES)


def _wider(a: types.PgType, b: types.PgType) -> types.PgType:
    """The type PostgreSQL's operator resolution gives mixed arithmetic: float8 beats numeric
    beats the integers; two float4s stay float4."""
    if a in _FLOAT_TYPES or b in _FLOAT_TYPES:
        return types.FLOAT4 if a is b is types.FLOAT4 else types.FLOAT8
    if types.NUMERIC in (a, b):
        return types.NUMERIC
    return a if _INTEGER_TYPES.index(a) >= _INTEGER_TYPES.index(b) else b


def _float_result(type_: types.PgType, fn: Callable[[float, float], float]) -> Callable[[Any, Any], float]:
    """float arithmetic with PostgreSQL's checks: a zero divisor and overflow are errors."""

    def checked(a: Any, b: Any) -> float:
        a, b = float(a), float(b)
        if fn is operator.truediv and b == 0:
            raise errors.PgError(errors.DIVISION_BY_ZERO, "division by zero")
        value = fn(a, b)
        if type_ is types.FLOAT4:
            value = _FLOAT4.unpack(_FLOAT4.pack(value))[0] if abs(value) <= _FLOAT4_MAX else math.inf
        if math.isinf(value) and not (math.isinf(a) or math.isinf(b)):
            raise errors.PgError(errors.NUMERIC_VALUE_OUT_OF_RANGE, "value out of range: overflow")
        return value

    return checked


_FLOAT4 = struct.Struct("f")
_FLOAT4_MAX = 3.4028234663852886e38
_FLOAT_ARITHMETIC: dict[str, Callable[[float, float], float]] = {
    "+": operator.add,
    "-": operator.sub,
    "*": operator.mul,
    "/": operator.truediv,
}


def _no_operator(op: str, left: types.PgType | None, right: types.PgType, loc: int) -> errors.PgError:
    shown = f"{left.name} {op} {right.name}" if left is not None else f"{op} {right.name}"
    return errors.PgError(
        errors.UNDEFINED_FUNCTION,
        f"operator does not exist: {shown}",
        hint="No operator matches the given name and argument types. " + _CAST_HINT,
        position=loc + 1,
    )


class Compiler:
    """Compiles expressions against one scope; ``params`` is None where ``$n`` cannot appear."""

    def __init__(self, scope: Scope, params: Params | None = None) -> None:
        self.scope = scope
        self.params = params

    def compile(self, node: ast.Node) -> Compiled:
        method = getattr(self, "_" + type(node).__name__)
        return method(node)

    def boolean(self, node: ast.Node, clause: str) -> Compiled:
        """A condition (WHERE): must be boolean, as PostgreSQL's coerce_to_boolean requires."""
        compiled = coerce(self.compile(node), types.BOOL, _loc(node))
        if compiled.type is not types.BOOL:
            raise errors.PgError(
                errors.DATATYPE_MISMATCH,
                f"argument of {clause} must be type boolean, not type {compiled.type.name}",
                position=_loc(node) + 1,
            )
        return compiled

    def _A_Const(self, node: ast.A_Const) -> Compiled:
        literals = self.params.literals if self.params is not None else None
        if node.slot is not None and literals is not None:
            slot = node.slot
            literal_type = literals.types[slot]
            unknown = (literals, slot) if literal_type is types.UNKNOWN else None
            return Compiled(lambda row, ctx: ctx.literals[slot], literal_type, param=unknown)
        if node.kind == "string" or node.kind == "null":
            return _const(node.value, types.UNKNOWN)
        if node.kind == "integer":
            return _const(node.value, types.integer_type_for(node.value))
        if node.kind == "numeric":
            return _const(node.value, types.NUMERIC)
        return _const(node.value, types.BOOL)

    def _ColumnRef(self, node: ast.ColumnRef) -> Compiled:
        column = self.scope.resolve(node)
        index = column.index
        return Compiled(lambda row, ctx: row[index], column.type)

    def _ParamRef(self, node: ast.ParamRef) -> Compiled:
        params = self.params
        if params is None or not params.allowed or not 1 <= node.number <= MAX_PARAMETERS:
            raise errors.PgError("42P02", f"there is no parameter ${node.number}", position=node.loc + 1)
        index = node.number - 1
        if index >= len(params.types):
            params.types.extend([types.UNKNOWN] * (index + 1 - len(params.types)))
        param_type = params.types[index]
        unknown = (params, index) if param_type is types.UNKNOWN else None
        return Compiled(lambda row, ctx: ctx.params[index], param_type, param=unknown)

    def _FuncCall(self, node: ast.FuncCall) -> Compiled:
        function = NO_ARGUMENT_FUNCTIONS.get(node.name)
        if function is None or node.args:
            arg_types = ", ".join(self.compile(a).type.name for a in node.args)
            raise errors.PgError(
                errors.UNDEFINED_FUNCTION,
                f"function {node.name}({arg_types}) does not exist",
                hint="No function matches the given name and argument types. " + _CAST_HINT,
                position=node.loc + 1,
            )
        result_type, implementation = function
        return Compiled(lambda row, ctx: implementation(ctx.session), result_type)

    def _TypeCast(self, node: ast.TypeCast) -> Compiled:
        return cast(self.compile(node.arg), type_named(node.type_name, node.type_loc), _loc(node.arg))

    def _A_Expr(self, node: ast.A_Expr) -> Compiled:
        right = self.compile(node.right)
        if node.left is None:
            return self._prefix(node, right)
        left = self.compile(node.left)
        if node.op == "||":
            return self._concat(node, left, right)
        # An unknown literal takes the other side's type; two unknowns are text.
        if left.type is types.UNKNOWN and right.type is types.UNKNOWN:
            left, right = coerce(left, types.TEXT, _loc(node.left)), coerce(right, types.TEXT, _loc(node.right))
        else:
            left, right = coerce(left, right.type, _loc(node.left)), coerce(right, left.type, _loc(node.right))
        if node.op in _COMPARISONS:
            return self._comparison(node, left, right)
        return self._arithmetic(node, left, right)

    def _prefix(self, node: ast.A_Expr, arg: Compiled) -> Compiled:
        if arg.type is types.UNKNOWN:
            raise errors.PgError(
                "42725",
                f"operator is not unique: {node.op} unknown",
                hint="Could not choose a best candidate operator. " + _CAST_HINT,
                position=node.loc + 1,
            )
        if arg.type.category != "N":
            raise _no_operator(node.op, None, arg.type, node.loc)
        if node.op == "+":
            return arg
        if arg.type in _INTEGER_TYPES:
            fn = _integer_result(arg.type, lambda a, _b: -a)
            return Compiled(_null_safe_unary(lambda a: fn(a, 0), arg.fn), arg.type)
        return Compiled(_null_safe_unary(operator.neg, arg.fn), arg.type)

    def _comparison(self, node: ast.A_Expr, left: Compiled, right: Compiled) -> Compiled:
        lc, rc = left.type.category, right.type.category
        comparable = (lc == rc and lc in "SNB") or (left.type is right.type is types.JSONB and node.op in ("=", "<>"))
        if not comparable:
            raise _no_operator(node.op, left.type, right.type, node.loc)
        return Compiled(_null_safe_binary(_COMPARISONS[node.op], left.fn, right.fn), types.BOOL)

    def _concat(self, node: ast.A_Expr, left: Compiled, right: Compiled) -> Compiled:
        if left.type is types.UNKNOWN:
            left = coerce(left, types.TEXT, _loc(node.left))
        if right.type is types.UNKNOWN:
            right = coerce(right, types.TEXT, _loc(node.right))
        if left.type.category != "S" and right.type.category != "S":
            raise _no_operator("||", left.type, right.type, node.loc)
        lf, rf = as_text(left), as_text(right)
        return Compiled(_null_safe_binary(operator.add, lf, rf), types.TEXT)

    def _arithmetic(self, node: ast.A_Expr, left: Compiled, right: Compiled) -> Compiled:
        if left.type not in _ARITHMETIC_TYPES or right.type not in _ARITHMETIC_TYPES:
            raise _no_operator(node.op, left.type, right.type, node.loc)
        result = _wider(left.type, right.type)
        if result in _FLOAT_TYPES:
            if node.op not in _FLOAT_ARITHMETIC:
                raise _no_operator(node.op, result, result, node.loc)
            fn = _float_result(result, _FLOAT_ARITHMETIC[node.op])
        elif result is types.NUMERIC:
            fn = _NUMERIC_ARITHMETIC[node.op]
        else:
            fn = _integer_result(result, _INT_ARITHMETIC[node.op])
        return Compiled(_null_safe_binary(fn, left.fn, right.fn), result)

    def _BoolExpr(self, node: ast.BoolExpr) -> Compiled:
        clause = node.op.upper()
        args = [self.boolean(arg, clause).fn for arg in node.args]
        if node.op == "not":
            return Compiled(_null_safe_unary(operator.not_, args[0]), types.BOOL)
        return Compiled(_short_circuit(args, node.op == "or"), types.BOOL)

    def _NullTest(self, node: ast.NullTest) -> Compiled:
        arg = self.compile(node.arg).fn
        if node.negated:
            return Compiled(lambda row, ctx: arg(row, ctx) is not None, types.BOOL)
        return Compiled(lambda row, ctx: arg(row, ctx) is None, types.BOOL)

    def _BooleanTest(self, node: ast.BooleanTest) -> Compiled:
        arg = self.boolean(node.arg, "IS " + ("TRUE" if node.value else "FALSE")).fn
        wanted, negated = node.value, node.negated
        return Compiled(lambda row, ctx: (arg(row, ctx) is wanted) != negated, types.BOOL)

    def _A_Star(self, node: ast.A_Star) -> Compiled:
        raise errors.PgError(errors.SYNTAX_ERROR, 'syntax error at or near "*"', position=node.loc + 1)


def _short_circuit(args: list[Eval], winner: bool) -> Eval:
    """Three-valued AND (winner False) or OR (winner True): the winner beats NULL, NULL beats the rest."""

    def run(row: Any, ctx: Any) -> bool | None:
        result: bool | None = not winner
        for arg in args:
            value = arg(row, ctx)
            if value is winner:
                return winner
            if value is None:
                result = None
        return result

    return run


def as_text(compiled: Compiled) -> Eval:
    if compiled.type.category == "S":
        return compiled.fn
    out = compiled.type.text_out
    return _null_safe_unary(lambda v: out(v).decode(), compiled.fn)


def cast(compiled: Compiled, target: types.PgType, loc: int) -> Compiled:
    """An explicit cast: through the text form unless both sides are numbers or booleans."""
    source = compiled.type
    if source is target:
        return compiled
    if source is types.UNKNOWN:
        return coerce(compiled, target, loc)
    if target.category == "S":
        return Compiled(as_text(compiled), target)
    if source.category == "S":
        return _runtime(compiled, target.text_in, target)
    if source.category == target.category == "N":
        return _runtime(compiled, _number_cast(target), target)
    if {source, target} == {types.INT4, types.BOOL}:
        return _runtime(compiled, int if target is types.INT4 else bool, target)
    raise errors.PgError("42846", f"cannot cast type {source.name} to {target.name}", position=loc + 1)


def _number_cast(target: types.PgType) -> Callable[[Any], Any]:
    """Between number types: floats round half to even (rint), numeric half away from zero."""
    if target in _FLOAT_TYPES:
        return lambda value: _float_result(target, operator.add)(value, 0.0)
    if target is types.NUMERIC:

        def to_numeric(value: Any) -> Decimal:
            if isinstance(value, float):
                if math.isinf(value):
                    raise errors.PgError(errors.FEATURE_NOT_SUPPORTED, "cannot convert infinity to numeric")
                return Decimal(repr(value)) if not math.isnan(value) else Decimal("NaN")
            return Decimal(value)

        return to_numeric
    low, high = (0, 2**32 - 1) if target is types.OID else types.INTEGER_RANGES[target]

    def to_integer(value: Any) -> int:
        if isinstance(value, float):
            if math.isnan(value) or math.isinf(value):
                raise errors.PgError(errors.NUMERIC_VALUE_OUT_OF_RANGE, f"{target.name} out of range")
            rounded = round(value)
        elif isinstance(value, Decimal):
            if value.is_nan():
                raise errors.PgError(errors.FEATURE_NOT_SUPPORTED, f"cannot convert NaN to {target.name}")
            rounded = int(value.to_integral_value(rounding=ROUND_HALF_UP))
        else:
            rounded = value
        if target is types.OID and -(2**31) <= rounded < 0:
            rounded += 2**32  # a negative int4 is a large oid, as in PostgreSQL
        if not low <= rounded <= high:
            raise errors.PgError(errors.NUMERIC_VALUE_OUT_OF_RANGE, f"{target.name} out of range")
        return rounded

    return to_integer


def _runtime(compiled: Compiled, fn: Callable[[Any], Any], target: types.PgType) -> Compiled:
    if compiled.is_const:
        value = None if compiled.const is None else fn(compiled.const)
        return _const(value, target)
    return Compiled(_null_safe_unary(fn, compiled.fn), target)


def type_named(name: str, loc: int) -> types.PgType:
    """A type as SQL names it (in a cast or PREPARE's list)."""
    found = types.BY_NAME.get(name)
    if found is None:
        raise errors.PgError(errors.UNDEFINED_OBJECT, f'type "{name}" does not exist', position=loc + 1)
    return found


def _loc(node: ast.Node) -> int:
    return getattr(node, "loc", 0)


def column_name(node: ast.Node) -> str:
    """The output column name PostgreSQL's FigureColname gives an expression."""
    return _column_name(node)[0] or "?column?"


def _column_name(node: ast.Node) -> tuple[str | None, int]:
    """(name, strength): a column or function name is strong; a cast's type name is weak."""
    if isinstance(node, ast.ColumnRef):
        return node.fields[-1], 2
    if isinstance(node, ast.FuncCall):
        return node.name, 2
    if isinstance(node, ast.TypeCast):
        name, strength = _column_name(node.arg)
        if strength > 1:
            return name, strength
        target = types.BY_NAME.get(node.type_name)
        return (target.typname if target else node.type_name), 1
    return None, 0
