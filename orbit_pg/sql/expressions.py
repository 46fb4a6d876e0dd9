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
from datetime import datetime, timezone
from decimal import ROUND_HALF_UP, Decimal, localcontext
from typing import Any

from orbit_pg import errors, types
from orbit_pg.sql import array_ops, ast, catalog_functions, jsonb_ops, resolution  # noqa: F401  (registers the catalog functions)
from orbit_pg.sql.functions import (
    ARRAY_CONCAT,
    BUILTINS,
    JSONB_CONCAT,
    JSONB_MINUS,
    NO_ARGUMENT_FUNCTIONS,
    OPERATORS,
    Builtin,
    float_power,
    numeric_power,
)
from orbit_pg.types.numbers import EXACT

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
class Operation:
    """An operator resolved: its function of two values (neither NULL), the sides as coerced
    to its input types, and its result type."""

    fn: Callable[[Any, Any], Any]
    left: Compiled
    right: Compiled
    type: types.PgType


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


def _base10000_lead(value: Decimal) -> tuple[int, int]:
    """numeric's weight and first digit in base 10000 (0, 0 for zero), which set a quotient's scale."""
    if not value:
        return 0, 0
    weight = value.adjusted() // 4
    return weight, int(abs(value).scaleb(-4 * weight))


def _numeric_div(a: Decimal, b: Decimal) -> Decimal:
    """numeric_div: at least 16 significant digits, and no fewer decimals than either input shows."""
    a, b = Decimal(a), Decimal(b)
    if b == 0:
        raise errors.PgError(errors.DIVISION_BY_ZERO, "division by zero")
    if not (a.is_finite() and b.is_finite()):
        return a / b
    (weight1, first1), (weight2, first2) = _base10000_lead(a), _base10000_lead(b)
    quotient_weight = weight1 - weight2 - (first1 <= first2)
    scale = min(max(16 - 4 * quotient_weight, -a.as_tuple().exponent, -b.as_tuple().exponent, 0), 1000)
    with localcontext() as exact:
        exact.prec = max(28, 4 * (abs(quotient_weight) + 2) + scale)
        return (a / b).quantize(Decimal(1).scaleb(-scale), rounding=ROUND_HALF_UP)


def _numeric_mod(a: Decimal, b: Decimal) -> Decimal:
    if b == 0:
        raise errors.PgError(errors.DIVISION_BY_ZERO, "division by zero")
    return EXACT.remainder(a, b)


_INT_ARITHMETIC: dict[str, Callable[[int, int], int]] = {
    "+": operator.add,
    "-": operator.sub,
    "*": operator.mul,
    "/": _int_div,
    "%": _int_mod,
}
_NUMERIC_ARITHMETIC: dict[str, Callable[[Any, Any], Any]] = {
    "+": EXACT.add,
    "-": EXACT.subtract,
    "*": EXACT.multiply,
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
# jsonb equality compares numbers by value ('1.0' = '1'), so not as bytes.
_JSONB_COMPARISONS: dict[str, Callable[[Any, Any], bool]] = {"=": jsonb_ops.jsonb_eq, "<>": jsonb_ops.jsonb_ne}
# The operators the compiler knows besides the jsonb ones (OPERATORS); any other is "does not exist".
_BUILT_IN_OPERATORS = frozenset((*_COMPARISONS, "+", "-", "*", "/", "%", "^", "||"))


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


_no_operator = resolution.no_operator


def _not_supported(what: str, loc: int) -> errors.PgError:
    return errors.PgError(errors.FEATURE_NOT_SUPPORTED, f"{what} is not supported yet", position=loc + 1)


def _call(implementation: Callable[..., Any], args: list[Eval], strict: bool) -> Eval:
    """A function call: a strict function is NULL when any argument is, without being called."""
    if not args:
        return lambda row, ctx: implementation()
    if strict and len(args) == 1:
        return _null_safe_unary(implementation, args[0])
    if strict and len(args) == 2:
        return _null_safe_binary(implementation, args[0], args[1])

    def run(row: Any, ctx: Any) -> Any:
        values = [arg(row, ctx) for arg in args]
        if strict and any(value is None for value in values):
            return None
        return implementation(*values)

    return run


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
        if node.kind == "integer" or node.kind == "implied":
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
        if not node.args:
            function = NO_ARGUMENT_FUNCTIONS.get(node.name)
            if function is not None:
                result_type, implementation = function
                return Compiled(lambda row, ctx: implementation(ctx.session), result_type)
        special = _SPECIAL_FORMS.get(node.name)
        if special is not None and node.args:
            return special(self, node)
        args = [self.compile(a) for a in node.args]
        arg_types = [a.type for a in args]
        overloads = [
            (builtin, params)
            for builtin in BUILTINS.get(node.name, ())
            if (params := builtin.arg_types(len(args))) is not None
        ]
        found = resolution.select([params for _, params in overloads], arg_types)
        shown = "pg_catalog." + node.name if node.system else node.name
        if not found:
            raise resolution.no_function(shown, arg_types, node.loc)
        if len(found) > 1:
            raise resolution.ambiguous_function(shown, arg_types, node.loc)
        builtin, params = overloads[found[0]]
        if builtin.make is None:
            raise _not_supported(f"function {resolution.signature(shown, params)}", node.loc)
        result = builtin.result
        element = resolution.polymorphic_element(params, arg_types)
        if element is not None:
            if element is False:
                raise resolution.no_function(shown, arg_types, node.loc)
            params = tuple(_actual(param, element, node.loc) for param in params)
            result = _actual(result, element, node.loc)
        coerced = [_argument(arg, param, a) for arg, param, a in zip(args, params, node.args, strict=True)]
        implementation = builtin.make([c.type for c in coerced])
        defaults = builtin.missing_defaults(len(args))
        if defaults:
            implementation = _with_defaults(implementation, defaults)
        fns = [c.fn for c in coerced]
        if builtin.session:
            fns.insert(0, _session)
        return Compiled(_call(implementation, fns, builtin.strict), result)

    def _coalesce(self, node: ast.FuncCall) -> Compiled:
        """COALESCE: the first argument that is not NULL, all in their common type."""
        type_, args = self._common(node, "COALESCE")
        fns = [c.fn for c in args]

        def run(row: Any, ctx: Any) -> Any:
            for fn in fns:
                value = fn(row, ctx)
                if value is not None:
                    return value
            return None

        return Compiled(run, type_)

    def _greatest(self, node: ast.FuncCall) -> Compiled:
        """GREATEST and LEAST: NULLs are ignored; NULL only when all are."""
        context = node.name.upper()
        type_, args = self._common(node, context)
        key = order_key(type_, node.loc)
        fns = [c.fn for c in args]
        pick = max if node.name == "greatest" else min

        def run(row: Any, ctx: Any) -> Any:
            values = [v for fn in fns if (v := fn(row, ctx)) is not None]
            return pick(values, key=key) if values else None

        return Compiled(run, type_)

    def _nullif(self, node: ast.FuncCall) -> Compiled:
        """NULLIF(a, b): NULL when a = b, else a, in the type the = operator takes a as."""
        left, right = (self.compile(a) for a in node.args)
        comparison = ast.A_Expr("=", node.args[0], node.args[1], node.loc)
        left, right = self._comparison_sides(comparison, left, right)
        equal = self._comparison_function(comparison, left, right)
        result = _equality_type(left.type, right.type)
        if result is not left.type:
            left = cast(left, result, _loc(node.args[0]))
        first, second = left.fn, right.fn

        def run(row: Any, ctx: Any) -> Any:
            value = first(row, ctx)
            if value is None:
                return None
            other = second(row, ctx)
            return None if other is not None and equal(value, other) else value

        return Compiled(run, left.type)

    def _common(self, node: ast.FuncCall, context: str) -> tuple[types.PgType, list[Compiled]]:
        return self.common(node.args, [self.compile(a) for a in node.args], context)

    def common(
        self, nodes: Sequence[ast.Node], args: list[Compiled], context: str
    ) -> tuple[types.PgType, list[Compiled]]:
        """select_common_type over a construct's arguments, and the arguments coerced to it."""
        type_ = resolution.common_type([(a.type, _leftmost(n)) for a, n in zip(args, nodes, strict=True)], context)
        converted = []
        for arg, arg_node in zip(args, nodes, strict=True):
            if arg.type is types.UNKNOWN:
                converted.append(coerce(arg, type_, _loc(arg_node)))
            elif arg.type is type_:
                converted.append(arg)
            elif resolution.can_coerce(arg.type, type_):
                converted.append(cast(arg, type_, _loc(arg_node)))
            else:
                raise errors.PgError(
                    errors.CANNOT_COERCE,
                    f"{context} could not convert type {arg.type.name} to {type_.name}",
                    position=_leftmost(arg_node) + 1,
                )
        return type_, converted

    def _TypeCast(self, node: ast.TypeCast) -> Compiled:
        target = type_named(node.type_name, node.type_loc)
        if isinstance(node.arg, ast.A_ArrayExpr) and target.element is not None:
            # ARRAY[...]::t[] builds its elements as t (so ARRAY[]::int[] has a type).
            return self._A_ArrayExpr(node.arg, target.element)
        return cast(self.compile(node.arg), target, _loc(node.arg), node.cast_loc)

    # --- predicates and constructs (parse_expr.c transformAExpr*, transformCaseExpr, ...) -----

    def _like(self, node: ast.A_Expr) -> Compiled:
        """LIKE / ILIKE / SIMILAR TO are their operators (~~, ~~*, ~); ESCAPE goes through
        like_escape, SIMILAR TO's pattern through similar_to_escape, as in gram.y."""
        pattern = node.right
        if node.kind == "similar":
            args = [pattern] if node.escape is None else [pattern, node.escape]
            pattern = ast.FuncCall("similar_to_escape", args, node.loc, system=True)
        elif node.escape is not None:
            pattern = ast.FuncCall("like_escape", [pattern, node.escape], node.loc, system=True)
        return self._A_Expr(ast.A_Expr(node.op, node.left, pattern, node.loc))

    def _distinct(self, node: ast.A_Expr) -> Compiled:
        """IS [NOT] DISTINCT FROM: = where NULL equals NULL and nothing else."""
        operation = self._boolean_operation(node, self.compile(node.left), self.compile(node.right))
        equal, left, right = operation.fn, operation.left.fn, operation.right.fn
        distinct = node.kind == "distinct"

        def run(row: Any, ctx: Any) -> bool:
            a, b = left(row, ctx), right(row, ctx)
            if a is None or b is None:
                return (a is None) != (b is None) if distinct else a is None and b is None
            return (not equal(a, b)) if distinct else bool(equal(a, b))

        return Compiled(run, types.BOOL)

    def _boolean_operation(self, node: ast.A_Expr, left: Compiled, right: Compiled) -> Operation:
        operation = self.operation(node, left, right)
        if operation.type is not types.BOOL:
            if node.kind in ("distinct", "not_distinct"):
                message = "IS DISTINCT FROM requires = operator to yield boolean"
            else:
                message = "op ANY/ALL (array) requires operator to yield boolean"
            raise errors.PgError(errors.WRONG_OBJECT_TYPE, message, position=node.loc + 1)
        return operation

    def _in(self, node: ast.A_Expr) -> Compiled:
        """[NOT] IN (list): = ANY / <> ALL over the list, in the common type of all its items
        when there is one (transformAExprIn), else item by item."""
        items = [node.left, *node.right]
        compiled = [self.compile(item) for item in items]
        try:
            common = resolution.common_type(
                [(c.type, _leftmost(n)) for c, n in zip(compiled, items, strict=True)], "IN"
            )
        except errors.PgError:
            common = None
        if common is not None and all(resolution.can_coerce(c.type, common) for c in compiled):
            # The list first, then the left side, as PostgreSQL coerces them.
            for i in [*range(1, len(items)), 0]:
                if compiled[i].type is types.UNKNOWN:
                    compiled[i] = coerce(compiled[i], common, _loc(items[i]))
        left = compiled[0]
        comparisons = [
            self._boolean_operation(ast.A_Expr(node.op, node.left, item, node.loc), left, right)
            for item, right in zip(node.right, compiled[1:], strict=True)
        ]
        pairs = [(c.fn, c.left.fn, c.right.fn) for c in comparisons]
        winner = node.op == "="  # IN: any true wins; NOT IN: any false wins

        def run(row: Any, ctx: Any) -> bool | None:
            result: bool | None = not winner
            for fn, left_fn, right_fn in pairs:
                a, b = left_fn(row, ctx), right_fn(row, ctx)
                if a is None or b is None:
                    result = None
                elif fn(a, b) == winner:
                    return winner
            return result

        return Compiled(run, types.BOOL)

    def _quantified(self, node: ast.A_Expr) -> Compiled:
        """``left op ANY|ALL (array)`` (ScalarArrayOpExpr): an unknown literal or a parameter
        on the right is an array of the left side's type."""
        left, right = self.compile(node.left), self.compile(node.right)
        if right.type is types.UNKNOWN:
            element = types.TEXT if left.type is types.UNKNOWN else left.type
            array_type = types.ARRAY_OF.get(element)
            if array_type is None:
                raise _no_operator(node.op, left.type, right.type, node.loc)
            right = coerce(right, array_type, _loc(node.right))
        if right.type.element is None:
            raise errors.PgError(
                errors.WRONG_OBJECT_TYPE, "op ANY/ALL (array) requires array on right side", position=node.loc + 1
            )
        cell: list[Any] = [None]
        element = Compiled(lambda row, ctx: cell[0], right.type.element)
        operation = self._boolean_operation(node, left, element)
        fn, left_fn, element_fn, array_fn = operation.fn, operation.left.fn, operation.right.fn, right.fn
        winner = node.kind == "op_any"

        def run(row: Any, ctx: Any) -> bool | None:
            array = array_fn(row, ctx)
            if array is None:
                return None
            elements = array_ops.flatten(array)
            if not elements:
                return not winner
            value = left_fn(row, ctx)
            if value is None:
                return None
            result: bool | None = not winner
            for item in elements:
                if item is None:
                    result = None
                    continue
                cell[0] = item
                if fn(value, element_fn(row, ctx)) == winner:
                    return winner
            return result

        return Compiled(run, types.BOOL)

    def _between(self, node: ast.A_Expr) -> Compiled:
        """BETWEEN is the conditions it abbreviates (transformAExprBetween)."""
        low, high = node.right
        loc = node.loc

        def within(a: ast.Node, b: ast.Node) -> ast.BoolExpr:
            return ast.BoolExpr("and", [ast.A_Expr(">=", node.left, a, loc), ast.A_Expr("<=", node.left, b, loc)], loc)

        def outside(a: ast.Node, b: ast.Node) -> ast.BoolExpr:
            return ast.BoolExpr("or", [ast.A_Expr("<", node.left, a, loc), ast.A_Expr(">", node.left, b, loc)], loc)

        if node.kind == "between":
            condition: ast.Node = within(low, high)
        elif node.kind == "not_between":
            condition = outside(low, high)
        elif node.kind == "between_sym":
            condition = ast.BoolExpr("or", [within(low, high), within(high, low)], loc)
        else:
            condition = ast.BoolExpr("and", [outside(low, high), outside(high, low)], loc)
        return self.compile(condition)

    def _CaseExpr(self, node: ast.CaseExpr) -> Compiled:
        """CASE: conditions in order, the first true one's result; results in their common
        type, the ELSE considered first (transformCaseExpr)."""
        conditions: list[Eval] = []
        if node.arg is not None:
            arg = self.compile(node.arg)
            if arg.type is types.UNKNOWN:
                arg = coerce(arg, types.TEXT, _loc(node.arg))
            cell: list[Any] = [None]
            test = Compiled(lambda row, ctx: cell[0], arg.type)
            arg_fn = arg.fn
            for when in node.args:
                comparison = ast.A_Expr("=", node.arg, when.expr, when.loc)
                equal = self.binary(comparison, test, self.compile(when.expr))
                if equal.type is not types.BOOL:
                    raise errors.PgError(
                        errors.DATATYPE_MISMATCH,
                        f"argument of CASE/WHEN must be type boolean, not type {equal.type.name}",
                        position=_loc(when.expr) + 1,
                    )
                conditions.append(equal.fn)
        else:
            conditions = [self.boolean(when.expr, "CASE/WHEN").fn for when in node.args]
        default = node.defresult if node.defresult is not None else ast.A_Const(None, "null", node.loc)
        result_nodes = [default, *(when.result for when in node.args)]
        type_, results = self.common(result_nodes, [self.compile(n) for n in result_nodes], "CASE")
        otherwise, arms = results[0].fn, list(zip(conditions, [r.fn for r in results[1:]], strict=True))

        if node.arg is None:

            def run(row: Any, ctx: Any) -> Any:
                for condition, result in arms:
                    if condition(row, ctx):
                        return result(row, ctx)
                return otherwise(row, ctx)

        else:

            def run(row: Any, ctx: Any) -> Any:
                cell[0] = arg_fn(row, ctx)
                for condition, result in arms:
                    if condition(row, ctx):
                        return result(row, ctx)
                return otherwise(row, ctx)

        return Compiled(run, type_)

    def _A_ArrayExpr(self, node: ast.A_ArrayExpr, element_type: types.PgType | None = None) -> Compiled:
        """ARRAY[...] (transformArrayExpr): elements in their common type, or the element type
        a cast gives; elements that are arrays make a multidimensional array."""
        if not node.elements and element_type is None:
            raise errors.PgError(
                errors.INDETERMINATE_DATATYPE,
                "cannot determine type of empty array",
                hint="Explicitly cast to the desired type, for example ARRAY[]::integer[].",
                position=node.loc + 1,
            )
        array_type = types.ARRAY_OF.get(element_type) if element_type is not None else None
        compiled = [
            self._A_ArrayExpr(item, element_type) if isinstance(item, ast.A_ArrayExpr) else self.compile(item)
            for item in node.elements
        ]
        if element_type is not None:
            wanted = array_type if any(c.type.element is not None for c in compiled) else element_type
            compiled = [
                _argument(c, wanted, n) if c.type is not wanted else c
                for c, n in zip(compiled, node.elements, strict=True)
            ]
        elif compiled:
            _, compiled = self.common(node.elements, compiled, "ARRAY")
        if compiled:
            first = compiled[0].type
            element_type = first.element or first
        else:
            assert element_type is not None
        if element_type is types.UNKNOWN:
            element_type = types.TEXT
        array_type = array_of(element_type, node.loc)
        fns = [c.fn for c in compiled]
        if compiled and compiled[0].type.element is not None:

            def run(row: Any, ctx: Any) -> list[Any]:
                return array_ops.stack([fn(row, ctx) for fn in fns])

        else:

            def run(row: Any, ctx: Any) -> list[Any]:
                return [fn(row, ctx) for fn in fns]

        return Compiled(run, array_type)

    def _A_Indirection(self, node: ast.A_Indirection) -> Compiled:
        """Subscripts and slices (transformContainerSubscripts): 1-based; out of range is NULL;
        ``(record).field`` selects a field of a record (a type with ``fields``)."""
        arg = self.compile(node.arg)
        if isinstance(node.indirection[0], str):
            return self._field_selection(node, arg)
        if arg.type is types.JSONB:
            return self._jsonb_subscripts(node, arg)
        if arg.type.element is None:
            raise errors.PgError(
                errors.DATATYPE_MISMATCH,
                f"cannot subscript type {arg.type.name} because it does not support subscripting",
                position=_loc(node.arg) + 1,
            )
        is_slice = any(i.is_slice for i in node.indirection)
        bounds = []
        for indices in node.indirection:
            pair = []
            for bound in (indices.lidx, indices.uidx):
                if bound is None:
                    pair.append(None)
                    continue
                value = coerce(self.compile(bound), types.INT4, _loc(bound))
                if value.type is not types.INT4:
                    # An assignment cast: any number (rounded), nothing else.
                    if value.type not in _ARITHMETIC_TYPES:
                        raise errors.PgError(
                            errors.DATATYPE_MISMATCH, "array subscript must have type integer", position=_loc(bound) + 1
                        )
                    value = cast(value, types.INT4, _loc(bound))
                pair.append(value.fn)
            if is_slice and not indices.is_slice:
                pair[0] = _one
            bounds.append(tuple(pair))
        array_fn = arg.fn
        base = _LOWER_BOUNDS.get(arg.type.typname, 1)
        if is_slice:

            def run(row: Any, ctx: Any) -> Any:
                array = array_fn(row, ctx)
                if array is None:
                    return None
                limits = []
                for lower, upper in bounds:
                    low = None if lower is None else lower(row, ctx)
                    high = None if upper is None else upper(row, ctx)
                    if (low is None and lower is not None) or (high is None and upper is not None):
                        return None
                    limits.append((low, high))
                return array_ops.slice_(array, limits, base)

            return Compiled(run, arg.type)

        def fetch(row: Any, ctx: Any) -> Any:
            array = array_fn(row, ctx)
            if array is None:
                return None
            subscripts = [pair[1](row, ctx) for pair in bounds]
            return array_ops.element(array, subscripts, base)

        return Compiled(fetch, arg.type.element)

    def _field_selection(self, node: ast.A_Indirection, arg: Compiled) -> Compiled:
        for step in node.indirection:
            fields = getattr(arg.type, "fields", ())
            names = [name for name, _ in fields]
            if not isinstance(step, str) or step not in names:
                shown = step if isinstance(step, str) else "[]"
                message = (
                    f'could not identify column "{shown}" in record data type'
                    if arg.type.typname == "record"
                    else f'column "{shown}" not found in data type {arg.type.name}'
                )
                raise errors.PgError(errors.UNDEFINED_COLUMN, message, position=_loc(node.arg) + 1)
            index, fn = names.index(step), arg.fn
            arg = Compiled(
                lambda row, ctx, fn=fn, index=index: None if (value := fn(row, ctx)) is None else value[index],
                fields[index][1],
            )
        return arg

    def _jsonb_subscripts(self, node: ast.A_Indirection, arg: Compiled) -> Compiled:
        """jsonb['key'][0] (jsonb_subscript_fetch): the path #> follows; no slices."""
        path = []
        for indices in node.indirection:
            if indices.is_slice:
                bound = indices.lidx or indices.uidx
                raise errors.PgError(
                    errors.DATATYPE_MISMATCH, "jsonb subscript does not support slices", position=_loc(bound) + 1
                )
            assert indices.uidx is not None
            subscript = coerce(self.compile(indices.uidx), types.TEXT, _loc(indices.uidx))
            if subscript.type not in (types.TEXT, types.INT4):
                raise errors.PgError(
                    errors.DATATYPE_MISMATCH,
                    f"subscript type {subscript.type.name} is not supported",
                    hint="jsonb subscript must be coercible to either integer or text.",
                    position=_loc(indices.uidx) + 1,
                )
            path.append(as_text(subscript))
        doc_fn = arg.fn

        def run(row: Any, ctx: Any) -> Any:
            doc = doc_fn(row, ctx)
            if doc is None:
                return None
            keys = [fn(row, ctx) for fn in path]
            return None if None in keys else jsonb_ops.extract_path(doc, keys)

        return Compiled(run, types.JSONB)

    def _CollateClause(self, node: ast.CollateClause) -> Compiled:
        """COLLATE: the collations PostgreSQL's C-locale database has all compare as bytes here."""
        arg = self.compile(node.arg)
        if arg.type is types.UNKNOWN:
            arg = coerce(arg, types.TEXT, _loc(node.arg))
        schema, _, name = node.collname.rpartition(".")
        if (schema and schema != "pg_catalog") or name not in _COLLATIONS:
            raise errors.PgError(
                errors.UNDEFINED_OBJECT,
                f'collation "{node.collname}" for encoding "UTF8" does not exist',
                position=node.loc + 1,
            )
        if arg.type.category != "S":
            raise errors.PgError(
                errors.DATATYPE_MISMATCH,
                f"collations are not supported by type {arg.type.name}",
                position=node.loc + 1,
            )
        return arg

    def _A_Expr(self, node: ast.A_Expr) -> Compiled:
        if node.kind != "op":
            return _A_EXPR_KINDS[node.kind](self, node)
        if node.left is None:
            folded = self._negated_integer(node)
            return self._prefix(node, self.compile(node.right)) if folded is None else folded
        right = self.compile(node.right)
        return self.binary(node, self.compile(node.left), right)

    def binary(self, node: ast.A_Expr, left: Compiled, right: Compiled) -> Compiled:
        """``left op right``, NULL when either side is."""
        operation = self.operation(node, left, right)
        return Compiled(_null_safe_binary(operation.fn, operation.left.fn, operation.right.fn), operation.type)

    def operation(self, node: ast.A_Expr, left: Compiled, right: Compiled) -> Operation:
        """The operator ``node.op`` resolved for the two sides' types (``node`` gives the
        operator's name and where each side is, for errors)."""
        op = node.op
        candidates = OPERATORS.get(op)
        if candidates is None and (left.type is types.JSONB or right.type is types.JSONB):
            if op == "-":
                candidates = JSONB_MINUS
            elif op == "||" and {left.type, right.type} <= {types.JSONB, types.UNKNOWN}:
                candidates = JSONB_CONCAT
        elif op == "||" and (left.type.element is not None or right.type.element is not None):
            candidates = ARRAY_CONCAT
        if candidates is not None:
            return self._operator(node, left, right, candidates)
        if op not in _BUILT_IN_OPERATORS:
            raise _no_operator(op, left.type, right.type, node.loc)
        if op == "||":
            return self._concat(node, left, right)
        if op == "^":
            # float8 ^ float8 (preferred) unless the other side is numeric
            if left.type is types.UNKNOWN and right.type is not types.NUMERIC:
                left = coerce(left, types.FLOAT8, _loc(node.left))
            if right.type is types.UNKNOWN and left.type is not types.NUMERIC:
                right = coerce(right, types.FLOAT8, _loc(node.right))
        elif left.type is right.type is types.UNKNOWN and op not in _COMPARISONS:
            raise resolution.ambiguous_operator(op, left.type, right.type, node.loc)
        left, right = self._comparison_sides(node, left, right)
        if op in _COMPARISONS:
            return Operation(self._comparison_function(node, left, right), left, right, types.BOOL)
        return self._arithmetic(node, left, right)

    def _comparison_sides(self, node: ast.A_Expr, left: Compiled, right: Compiled) -> tuple[Compiled, Compiled]:
        """An unknown literal takes the other side's type; two unknowns are text."""
        assert node.left is not None
        if left.type is types.UNKNOWN and right.type is types.UNKNOWN:
            return coerce(left, types.TEXT, _loc(node.left)), coerce(right, types.TEXT, _loc(node.right))
        return coerce(left, right.type, _loc(node.left)), coerce(right, left.type, _loc(node.right))

    def _operator(self, node: ast.A_Expr, left: Compiled, right: Compiled, candidates: list[Builtin]) -> Operation:
        """An operator with overloads (the jsonb ones), resolved as PostgreSQL's oper() does."""
        assert node.left is not None
        op, left_type, right_type = node.op, left.type, right.type
        chosen = None
        if (left_type is types.UNKNOWN) != (right_type is types.UNKNOWN):
            # binary_oper_exact: an unknown side is first taken to be of the other side's type.
            known = right_type if left_type is types.UNKNOWN else left_type
            chosen = next((c for c in candidates if c.args == (known, known)), None)
        if chosen is None:
            found = resolution.select([c.args for c in candidates], (left_type, right_type))
            if not found:
                raise _no_operator(op, left_type, right_type, node.loc)
            if len(found) > 1:
                raise resolution.ambiguous_operator(op, left_type, right_type, node.loc)
            chosen = candidates[found[0]]
        if chosen.make is None:
            raise _not_supported(f"operator {chosen.args[0].name} {op} {chosen.args[1].name}", node.loc)
        params, result = chosen.args, chosen.result
        element = resolution.polymorphic_element(params, (left_type, right_type))
        if element is False:
            raise _no_operator(op, left_type, right_type, node.loc)
        if element is not None:
            params = tuple(_actual(param, element, node.loc) for param in params)
            result = _actual(result, element, node.loc)
        left = _argument(left, params[0], node.left)
        right = _argument(right, params[1], node.right)
        return Operation(chosen.make([left.type, right.type]), left, right, result)

    def _negated_integer(self, node: ast.A_Expr) -> Compiled | None:
        """PostgreSQL's grammar folds a minus into the constant it precedes (doNegate), which is
        then typed by its negated value: -2147483648 is an integer, not a bigint, and
        - -2147483648 a bigint. Only a literal past int4 reads its value (a plan per value)."""
        sign, inner = -1, node.right
        while isinstance(inner, ast.A_Expr) and inner.kind == "op" and inner.op == "-" and inner.left is None:
            sign, inner = -sign, inner.right
        if node.op != "-" or not isinstance(inner, ast.A_Const) or inner.kind != "integer":
            return None
        if self.compile(inner).type is types.INT4:
            return None
        value = sign * literal_value(inner, self.params)
        return _const(value, types.integer_type_for(value))

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
        negate = EXACT.minus if arg.type is types.NUMERIC else operator.neg
        return Compiled(_null_safe_unary(negate, arg.fn), arg.type)

    def _comparison_function(self, node: ast.A_Expr, left: Compiled, right: Compiled) -> Callable[[Any, Any], bool]:
        """How two values (neither NULL) of the sides' types compare with the node's operator."""
        lc, rc = left.type.category, right.type.category
        if left.type is right.type and (left.type is types.JSONB or lc == "A"):
            if left.type is types.JSONB and node.op in _JSONB_COMPARISONS:
                return _JSONB_COMPARISONS[node.op]
            compare, order = _COMPARISONS[node.op], order_key(left.type, node.loc)
            assert order is not None
            return lambda a, b: compare(order(a), order(b))
        if lc == rc and lc in "DT" and left.type is right.type:
            compare, key = _COMPARISONS[node.op], _datetime_key if lc == "D" else _interval_key
            return lambda a, b: compare(key(a), key(b))
        # "char" meets a string type as text (its implicit cast), which orders by the same code points.
        strings = lc == rc == "S" or left.type is right.type is types.CHAR or _char_and_string(left.type, right.type)
        if not (lc == rc and lc in "NB") and not strings:
            raise _no_operator(node.op, left.type, right.type, node.loc)
        return _COMPARISONS[node.op]

    def _concat(self, node: ast.A_Expr, left: Compiled, right: Compiled) -> Operation:
        if left.type is types.UNKNOWN:
            left = coerce(left, types.TEXT, _loc(node.left))
        if right.type is types.UNKNOWN:
            right = coerce(right, types.TEXT, _loc(node.right))
        if left.type.category != "S" and right.type.category != "S":
            raise _no_operator("||", left.type, right.type, node.loc)
        return Operation(
            operator.add, Compiled(as_text(left), types.TEXT), Compiled(as_text(right), types.TEXT), types.TEXT
        )

    def _arithmetic(self, node: ast.A_Expr, left: Compiled, right: Compiled) -> Operation:
        if left.type not in _ARITHMETIC_TYPES or right.type not in _ARITHMETIC_TYPES:
            raise _no_operator(node.op, left.type, right.type, node.loc)
        result = _wider(left.type, right.type)
        if node.op == "^":
            # float8 ^ float8 or numeric ^ numeric: integers go to float8, PostgreSQL's preferred type.
            if result is types.NUMERIC:
                return Operation(numeric_power, left, right, types.NUMERIC)
            return Operation(float_power, left, right, types.FLOAT8)
        if result in _FLOAT_TYPES:
            if node.op not in _FLOAT_ARITHMETIC:
                raise _no_operator(node.op, result, result, node.loc)
            fn = _float_result(result, _FLOAT_ARITHMETIC[node.op])
        elif result is types.NUMERIC:
            fn = _NUMERIC_ARITHMETIC[node.op]
        else:
            fn = _integer_result(result, _INT_ARITHMETIC[node.op])
        return Operation(fn, left, right, result)

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


_A_EXPR_KINDS: dict[str, Callable[[Compiler, ast.A_Expr], Compiled]] = {
    "like": Compiler._like,
    "ilike": Compiler._like,
    "similar": Compiler._like,
    "distinct": Compiler._distinct,
    "not_distinct": Compiler._distinct,
    "in": Compiler._in,
    "op_any": Compiler._quantified,
    "op_all": Compiler._quantified,
    "between": Compiler._between,
    "not_between": Compiler._between,
    "between_sym": Compiler._between,
    "not_between_sym": Compiler._between,
}
# The catalogs' vector types start at subscript 0 (int2vectorin sets a lower bound of 0).
_LOWER_BOUNDS = {"int2vector": 0, "oidvector": 0}
# The collations of a PostgreSQL database initialised with the C locale (no ICU).
_COLLATIONS = frozenset(("default", "C", "POSIX", "ucs_basic"))


def _one(row: Any, ctx: Any) -> int:
    return 1


_SPECIAL_FORMS: dict[str, Callable[[Compiler, ast.FuncCall], Compiled]] = {
    "coalesce": Compiler._coalesce,
    "greatest": Compiler._greatest,
    "least": Compiler._greatest,
    "nullif": Compiler._nullif,
}


def _equality_type(left: types.PgType, right: types.PgType) -> types.PgType:
    """The left input type of the = operator PostgreSQL picks (NULLIF's result type): integers
    and floats have cross-type operators; other mixed numbers meet in the wider type; varchar and
    mixed strings compare as text."""
    if (left in _INTEGER_TYPES and right in _INTEGER_TYPES) or (left in _FLOAT_TYPES and right in _FLOAT_TYPES):
        return left
    if left in _ARITHMETIC_TYPES and right in _ARITHMETIC_TYPES:
        return _wider(left, right)
    if left.category == right.category == "S":
        same = left is right and left in (types.TEXT, types.NAME, types.BPCHAR)
        return left if same or {left, right} == {types.NAME, types.TEXT} else types.TEXT
    return left


def _session(row: Any, ctx: Any) -> Any:
    return ctx.session


def _actual(param: types.PgType, element: types.PgType, loc: int) -> types.PgType:
    """A polymorphic parameter or result as the type it stands for."""
    if param is resolution.ANYELEMENT:
        return element
    if param is resolution.ANYARRAY:
        return array_of(element, loc)
    return param


def array_of(element: types.PgType, loc: int | None = None) -> types.PgType:
    """The array type of ``element``; 42704 where it has none (at ``loc`` in the text, if given)."""
    array = types.ARRAY_OF.get(element)
    if array is None:
        raise errors.PgError(
            errors.UNDEFINED_OBJECT,
            f"could not find array type for data type {element.name}",
            position=None if loc is None else loc + 1,
        )
    return array


def _with_defaults(implementation: Callable[..., Any], defaults: tuple[Any, ...]) -> Callable[..., Any]:
    return lambda *args: implementation(*args, *defaults)


def _argument(compiled: Compiled, param: types.PgType, node: ast.Node) -> Compiled:
    """An argument in the type of the parameter it was resolved to: an unknown literal or
    parameter takes the type (text for VARIADIC "any"), another type is cast implicitly."""
    if param is resolution.ANY:
        if compiled.type is types.UNKNOWN and compiled.param is not None and isinstance(compiled.param[0], Params):
            # "any" gives a parameter no type, and nothing else did (check_variable_parameters).
            raise errors.PgError(
                errors.INDETERMINATE_DATATYPE, f"could not determine data type of parameter ${compiled.param[1] + 1}"
            )
        return coerce(compiled, types.TEXT, _loc(node))
    if param in resolution.POLYMORPHIC:
        if compiled.type is types.UNKNOWN:
            raise errors.PgError(
                errors.DATATYPE_MISMATCH, "could not determine polymorphic type because input has type unknown"
            )
        return compiled
    if compiled.type is types.UNKNOWN:
        return coerce(compiled, param, _loc(node))
    if compiled.type is param:
        return compiled
    return cast(compiled, param, _loc(node))


def _char_and_string(left: types.PgType, right: types.PgType) -> bool:
    return (left is types.CHAR and right.category == "S") or (right is types.CHAR and left.category == "S")


def order_key(type_: types.PgType, loc: int) -> Callable[[Any], Any] | None:
    """How values of a type order (ORDER BY, GREATEST, LEAST, <): a key function, None when
    the values order as they are. NaN is above every number; text orders by code point,
    which is the C collation's byte order; jsonb and arrays order as their btree operators do."""
    if type_ is types.JSONB:
        return jsonb_ops.SortKey
    if type_.element is not None:
        return array_ops.sort_key(order_key(type_.element, loc))
    if type_ in _FLOAT_TYPES:
        return lambda v: (True, 0.0) if math.isnan(v) else (False, v)
    if type_ is types.NUMERIC:
        return lambda v: (True, 0) if v.is_nan() else (False, v)
    if type_.category == "D":
        return _datetime_key
    if type_ is types.INTERVAL:
        return _interval_key
    if type_.category in "SNB" or type_ in (types.UUID, types.BYTEA, types.CHAR):
        return None
    if type_ is types.JSON:
        raise errors.PgError(errors.UNDEFINED_FUNCTION, "could not identify a comparison function for type json")
    raise _not_supported(f"ordering {type_.name} values", loc)


_EPOCH = datetime(2000, 1, 1)
_EPOCH_UTC = datetime(2000, 1, 1, tzinfo=timezone.utc)
_ORDINAL_2000 = 730120  # date(2000, 1, 1).toordinal()


def _datetime_key(value: Any) -> int:
    """What PostgreSQL compares: days (date) or microseconds (timestamps) since 2000-01-01, which
    a FarDatetime holds as it is."""
    if isinstance(value, types.FarDatetime):
        return value.count
    if isinstance(value, datetime):
        delta = value - (_EPOCH if value.tzinfo is None else _EPOCH_UTC)
        return (delta.days * 86400 + delta.seconds) * 1_000_000 + delta.microseconds
    return value.toordinal() - _ORDINAL_2000


def _interval_key(value: types.Interval) -> int:
    """interval_cmp_value: a month is 30 days, a day 24 hours."""
    return (value.months * 30 + value.days) * 86_400_000_000 + value.microseconds


def _leftmost(node: ast.Node) -> int:
    """exprLocation: where an expression starts (an operator's left operand, a test's argument)."""
    loc = _loc(node)
    if isinstance(node, ast.A_Expr) and node.left is not None:
        return min(loc, _leftmost(node.left))
    if isinstance(node, ast.NullTest | ast.BooleanTest):
        return min(loc, _leftmost(node.arg))
    if isinstance(node, ast.BoolExpr) and node.op != "not":
        return min(loc, _leftmost(node.args[0]))
    return loc


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
    if compiled.type is types.BOOL:
        # The bool → text cast (booltext) spells the words out, where boolout prints t / f.
        return _null_safe_unary(lambda v: "true" if v else "false", compiled.fn)
    out = compiled.type.text_out
    return _null_safe_unary(lambda v: out(v).decode(), compiled.fn)


def cast(compiled: Compiled, target: types.PgType, loc: int, cast_loc: int | None = None) -> Compiled:
    """An explicit cast: through the text form unless both sides are numbers or booleans.
    ``loc`` is the value's (a literal's bad input is reported there), ``cast_loc`` the cast's."""
    source = compiled.type
    if source is target:
        return compiled
    if source is types.UNKNOWN:
        return coerce(compiled, target, loc)
    if target.category == "S":
        return Compiled(as_text(compiled), target)
    if source.category == "S":
        return _runtime(compiled, target.text_in, target)
    if source is types.JSONB and (target.category == "N" and target is not types.OID or target is types.BOOL):
        return _runtime(compiled, _from_jsonb(target), target)
    if source.category == target.category == "N":
        return _runtime(compiled, _number_cast(target), target)
    if source.element is not None and target.element is not None:
        if resolution.can_coerce(source, target):
            return _runtime(compiled, _array_cast(source.element, target.element), target)
        # Otherwise each element as that element type casts explicitly (array_coerce's per-element cast).
        element = cast(Compiled(lambda value, ctx: value, source.element), target.element, loc, cast_loc).fn
        return _runtime(compiled, _elementwise(lambda value: element(value, None)), target)
    if source is types.JSONB and target is types.JSON:
        return Compiled(compiled.fn, target)  # jsonb's text is valid json
    if source is types.JSON and target is types.JSONB:
        return _runtime(compiled, lambda value: target.text_in(value.decode()), target)
    if {source, target} == {types.INT4, types.BOOL}:
        return _runtime(compiled, int if target is types.INT4 else bool, target)
    raise errors.PgError(
        errors.CANNOT_COERCE,
        f"cannot cast type {source.name} to {target.name}",
        position=(loc if cast_loc is None else cast_loc) + 1,
    )


def _from_jsonb(target: types.PgType) -> Callable[[Any], Any]:
    """jsonb to a number or boolean type (jsonb_numeric, jsonb_int4, jsonb_bool...): a scalar of that kind."""
    if target is types.BOOL:
        return lambda doc: jsonb_ops.scalar(doc, bool, target.name)
    to_number = _number_cast(target) if target is not types.NUMERIC else None
    name = target.name

    def convert(doc: bytes) -> Any:
        value = jsonb_ops.scalar(doc, Decimal, name)
        return value if to_number is None else to_number(value)

    return convert


def _array_cast(source: types.PgType, target: types.PgType) -> Callable[[Any], Any]:
    """An array to an array of another element type its elements convert to implicitly."""
    convert = _number_cast(target) if source.category == target.category == "N" else None

    def each(value: list[Any]) -> list[Any]:
        return [each(v) if type(v) is list else v if v is None or convert is None else convert(v) for v in value]

    return each


def _elementwise(convert: Callable[[Any], Any]) -> Callable[[list[Any]], list[Any]]:
    def each(value: list[Any]) -> list[Any]:
        return [each(v) if type(v) is list else None if v is None else convert(v) for v in value]

    return each


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
    oid_like = target is types.OID or target in types.OID_ALIASES
    low, high = (0, 2**32 - 1) if oid_like else types.INTEGER_RANGES[target]

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
        if oid_like and -(2**31) <= rounded < 0:
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
    """A type as SQL names it (in a cast or PREPARE's list); ``name[]`` is its array type."""
    if name.endswith("[]"):
        element = types.BY_NAME.get(name[:-2])
        found = types.ARRAY_OF.get(element) if element is not None else None
    else:
        found = types.BY_NAME.get(name)
    if found is None:
        raise errors.PgError(errors.UNDEFINED_OBJECT, f'type "{name}" does not exist', position=loc + 1)
    return found


def _loc(node: ast.Node) -> int:
    return getattr(node, "loc", 0)


def column_name(node: ast.Node) -> str:
    """The output column name PostgreSQL's FigureColname gives an expression."""
    return _column_name(node)[0] or "?column?"


def _sublink_name(node: ast.SubLink) -> tuple[str | None, int]:
    """EXISTS is "exists", ARRAY(...) "array"; a scalar subquery takes its one column's name."""
    if node.kind in ("exists", "array"):
        return node.kind, 2
    if node.kind != "expr":
        return None, 0
    query = node.subselect
    while query.op is not None and query.larg is not None:
        query = query.larg
    if not query.targets:
        return None, 0
    target = query.targets[0]
    return (target.name, 2) if target.name else _column_name(target.value)


def _column_name(node: ast.Node) -> tuple[str | None, int]:
    """(name, strength): a column or function name is strong; a cast's type name is weak."""
    if isinstance(node, ast.ColumnRef):
        return node.fields[-1], 2
    if isinstance(node, ast.FuncCall):
        return node.name.rpartition(".")[2], 2  # the function's name without its schema
    if isinstance(node, ast.SubLink):
        return _sublink_name(node)
    if isinstance(node, ast.A_Indirection) and isinstance(node.indirection[-1], str):
        return node.indirection[-1], 2
    if isinstance(node, ast.CaseExpr):
        return "case", 2
    if isinstance(node, ast.A_ArrayExpr):
        return "array", 2
    if isinstance(node, ast.A_Indirection | ast.CollateClause):
        return _column_name(node.arg)
    if isinstance(node, ast.TypeCast):
        name, strength = _column_name(node.arg)
        if strength > 1:
            return name, strength
        name = node.type_name.removesuffix("[]")
        target = types.BY_NAME.get(name)
        return (target.typname if target else name), 1
    return None, 0
