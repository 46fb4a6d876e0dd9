"""Built-in functions and the jsonb operators: PostgreSQL 15's signatures, result types and behaviour.

``NO_ARGUMENT_FUNCTIONS`` read the session (name → (result type, implementation)). ``BUILTINS``
and ``OPERATORS`` list each name's overloads as PostgreSQL's catalog has them (``Builtin``);
``resolution`` picks one for a call's argument types, the compiler coerces the arguments to
it and calls ``make(argument types)``'s implementation with their values. Overloads without
an implementation stand for PostgreSQL's on types orbit-pg lacks, so that resolution picks
(or finds ambiguous) what PostgreSQL would.
"""

from __future__ import annotations

import hashlib
import math
import operator
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from decimal import MAX_EMAX, MIN_EMIN, ROUND_CEILING, ROUND_DOWN, ROUND_FLOOR, ROUND_HALF_UP, Context, Decimal
from typing import Any

from orbit_pg import advisory, errors, interrupts, notify, types
from orbit_pg.session import Session, version_string
from orbit_pg.sql import array_ops, datetime_ops, json_ops, jsonb_ops, patterns
from orbit_pg.sql.resolution import (
    ACLITEM,
    ACLITEM_ARRAY,
    ANY,
    ANYARRAY,
    ANYELEMENT,
    ANYMULTIRANGE,
    ANYRANGE,
    BIT,
    BOX,
    CIRCLE,
    LINE,
    LSEG,
    PATH,
    POINT,
    POLYGON,
    TSQUERY,
    TSVECTOR,
)
from orbit_pg.types.numbers import EXACT

Function = tuple[types.PgType, Callable[[Session], Any]]
Implementation = Callable[..., Any]


def transaction_timestamp(session: Session) -> datetime:
    """now(): the same instant for the whole transaction (taken when the transaction first asks)."""
    txn = session.transaction
    if txn is None:
        return datetime.now(timezone.utc)
    if txn.started is None:
        txn.started = datetime.now(timezone.utc)
    return txn.started


NO_ARGUMENT_FUNCTIONS: dict[str, Function] = {
    "version": (types.TEXT, lambda s: version_string()),
    "current_database": (types.NAME, lambda s: s.database),
    "current_catalog": (types.NAME, lambda s: s.database),
    "current_schema": (types.NAME, lambda s: "public"),
    "current_user": (types.NAME, lambda s: s.user),
    "current_role": (types.NAME, lambda s: s.user),
    "user": (types.NAME, lambda s: s.user),
    "session_user": (types.NAME, lambda s: s.user),
    "pg_backend_pid": (types.INT4, lambda s: s.process_id),
    "now": (types.TIMESTAMPTZ, transaction_timestamp),
    "transaction_timestamp": (types.TIMESTAMPTZ, transaction_timestamp),
    "current_timestamp": (types.TIMESTAMPTZ, transaction_timestamp),
}


@dataclass(frozen=True, slots=True)
class Builtin:
    """One overload. ``make`` gets the argument types the call resolved to and returns the
    implementation (None: PostgreSQL has this overload, orbit-pg does not). A strict function
    is NULL when any argument is; ``variadic`` is the type of each VARIADIC argument (at least
    one); ``defaults`` are the values of trailing parameters a call may leave out; a ``session``
    function's implementation takes the session before the arguments."""

    args: tuple[types.PgType, ...]
    result: types.PgType
    make: Callable[[Sequence[types.PgType]], Implementation] | None
    strict: bool = True
    variadic: types.PgType | None = None
    defaults: tuple[Any, ...] = ()
    session: bool = False

    def arg_types(self, count: int) -> tuple[types.PgType, ...] | None:
        """The parameter types for a call with ``count`` arguments; None if it cannot take that many."""
        fixed = len(self.args)
        if self.variadic is not None:
            return self.args + (self.variadic,) * (count - fixed) if count > fixed else None
        if fixed - len(self.defaults) <= count <= fixed:
            return self.args[:count]
        return None

    def missing_defaults(self, count: int) -> tuple[Any, ...]:
        """Default values of the parameters a call with ``count`` arguments leaves out."""
        if self.variadic is not None:
            return ()
        return self.defaults[len(self.defaults) - (len(self.args) - count) :]


def _fixed(fn: Implementation) -> Callable[[Sequence[types.PgType]], Implementation]:
    return lambda arg_types: fn


def _builtin(args: Sequence[types.PgType], result: types.PgType, fn: Implementation | None, **kw: Any) -> Builtin:
    return Builtin(tuple(args), result, None if fn is None else _fixed(fn), **kw)


# --- text -------------------------------------------------------------------------------------

# lower() and upper() in the C locale change ASCII letters only.
_LOWER = {c: c + 32 for c in range(ord("A"), ord("Z") + 1)}
_UPPER = {c + 32: c for c in range(ord("A"), ord("Z") + 1)}


def _substr(value: Any, start: int, length: int | None = None) -> Any:
    """text_substring: characters start .. start + length - 1, counted from 1, clipped to the string."""
    begin = max(start, 1)
    if length is None:
        return value[begin - 1 :]
    if length < 0:
        raise errors.PgError(errors.SUBSTRING_ERROR, "negative substring length not allowed")
    end = start + length
    return value[begin - 1 : end - 1] if end > begin else value[:0]


def _replace(text: str, old: str, new: str) -> str:
    return text.replace(old, new) if old else text


def _left(text: str, n: int) -> str:
    return text[:n]


def _right(text: str, n: int) -> str:
    if n >= 0:
        return text[len(text) - n :] if n else ""
    return text[-n:]


def _md5(value: str | bytes) -> str:
    return hashlib.md5(value.encode() if isinstance(value, str) else value).hexdigest()


def _as_text(arg_type: types.PgType) -> Callable[[Any], str]:
    """A value's text, as its output function prints it (concat and concat_ws)."""
    if arg_type.category in ("S", "X"):
        return str
    out = arg_type.text_out
    return lambda value: out(value).decode()


def _concat(arg_types: Sequence[types.PgType]) -> Implementation:
    texts = [_as_text(t) for t in arg_types]

    def concat(*args: Any) -> str:
        return "".join([text(a) for text, a in zip(texts, args, strict=True) if a is not None])

    return concat


def _concat_ws(arg_types: Sequence[types.PgType]) -> Implementation:
    texts = [_as_text(t) for t in arg_types[1:]]

    def concat_ws(separator: str | None, *args: Any) -> str | None:
        if separator is None:
            return None
        return separator.join([text(a) for text, a in zip(texts, args, strict=True) if a is not None])

    return concat_ws


# --- numbers ------------------------------------------------------------------------------------


def _integer_abs(type_: types.PgType) -> Implementation:
    high = types.INTEGER_RANGES[type_][1]

    def integer_abs(value: int) -> int:
        if -value > high:
            raise errors.PgError(errors.NUMERIC_VALUE_OUT_OF_RANGE, f"{type_.name} out of range")
        return abs(value)

    return integer_abs


def float_power(a: Any, b: Any) -> float:
    """dpow: PostgreSQL's errors for a zero or negative base, and for overflow."""
    a, b = float(a), float(b)
    if a == 0 and b < 0:
        raise errors.PgError(errors.INVALID_ARGUMENT_FOR_POWER_FUNCTION, "zero raised to a negative power is undefined")
    if a < 0 and math.isfinite(b) and b != math.floor(b):
        raise errors.PgError(
            errors.INVALID_ARGUMENT_FOR_POWER_FUNCTION,
            "a negative number raised to a non-integer power yields a complex result",
        )
    try:
        value = math.pow(a, b)
    except OverflowError:
        raise errors.PgError(errors.NUMERIC_VALUE_OUT_OF_RANGE, "value out of range: overflow") from None
    if value == 0 and a != 0 and math.isfinite(a) and math.isfinite(b):
        raise errors.PgError(errors.NUMERIC_VALUE_OUT_OF_RANGE, "value out of range: underflow")
    return value


_ESTIMATE = Context(prec=20, Emax=MAX_EMAX, Emin=MIN_EMIN)


def _odd(integral: Decimal) -> bool:
    """Whether an integral numeric is odd, however large (its last digit, not a division)."""
    _, digits, exponent = integral.normalize(EXACT).as_tuple()
    return exponent == 0 and digits[-1] % 2 == 1


def numeric_power(base: Any, exp: Any) -> Decimal:
    """numeric_power: POSIX pow's rules for NaN and the infinities; an integral exponent (int4 range)
    rounds to at least 16 decimals or the base's; any other to 16 significant digits at least, and
    no fewer decimals than either input shows (PostgreSQL's power_var and power_var_int)."""
    base, exp = Decimal(base), Decimal(exp)
    size = base.copy_abs()  # (not abs(): that rounds to the default context's 28 digits)
    if base.is_nan() or exp.is_nan():
        # NaN ^ 0 = 1 and 1 ^ NaN = 1, as pow() has it; anything else with a NaN is NaN.
        return Decimal(1) if (base.is_nan() and not exp.is_nan() and exp == 0) or base == 1 else Decimal("NaN")
    integral = exp.is_infinite() or exp == exp.to_integral_value()
    if base == 0 and exp < 0:
        raise errors.PgError(errors.INVALID_ARGUMENT_FOR_POWER_FUNCTION, "zero raised to a negative power is undefined")
    if base < 0 and not integral:
        raise errors.PgError(
            errors.INVALID_ARGUMENT_FOR_POWER_FUNCTION,
            "a negative number raised to a non-integer power yields a complex result",
        )
    if exp.is_infinite():
        if size == 1:
            return Decimal(1)
        return Decimal("Infinity") if (size > 1) == (exp > 0) else Decimal(0)
    if base.is_infinite():
        if exp == 0:
            return Decimal(1)
        if exp < 0:
            return Decimal(0)
        return Decimal("-Infinity") if base < 0 and _odd(exp) else Decimal("Infinity")
    base_scale, exp_scale = max(-base.as_tuple().exponent, 0), max(-exp.as_tuple().exponent, 0)
    # ln of the result, roughly, as power_var estimates it (in numeric: a float would overflow or
    # lose a base near 1), and the result's decimal weight.
    ln_result = float(_ESTIMATE.multiply(size.ln(_ESTIMATE), exp)) if base and size != 1 else 0.0
    magnitude = ln_result * 0.434294481903252
    if integral and -(2**31) <= exp < 2**31:
        scale = min(max(16, base_scale), 1000)
    elif base == 0:
        return Decimal(0).quantize(Decimal(1).scaleb(-16))
    elif abs(ln_result) >= 6000:  # out of numeric's range (exp_var's test)
        if ln_result > 0:
            raise errors.PgError(errors.NUMERIC_VALUE_OUT_OF_RANGE, "value overflows numeric format")
        return Decimal(0).quantize(Decimal(1).scaleb(-1000))
    else:
        scale = min(max(16 - int(magnitude), base_scale, exp_scale, 0), 1000)
    if magnitude >= 131072:
        raise errors.PgError(errors.NUMERIC_VALUE_OUT_OF_RANGE, "value overflows numeric format")
    context = Context(prec=max(int(magnitude) + scale, 0) + 12, Emax=MAX_EMAX, Emin=MIN_EMIN)
    value = context.power(size, exp) if exp else Decimal(1)  # (0 ^ 0 is 1, as pow() has it)
    if base < 0 and _odd(exp):
        value = value.copy_negate()
    value = value.quantize(Decimal(1).scaleb(-scale), rounding=ROUND_HALF_UP, context=context)
    return value.copy_abs() if not value else value


def _rint(value: float) -> float:
    """round(double precision): rint, half to even, keeping the sign of zero."""
    return math.copysign(float(round(value)), value) if math.isfinite(value) else value


_MAX_RESULT_SCALE = 2000  # NUMERIC_MAX_RESULT_SCALE


def _round_numeric(value: Decimal, scale: int = 0, rounding: str = ROUND_HALF_UP) -> Decimal:
    """numeric_round: half away from zero at ``scale`` digits after the point (before it when
    negative); NaN and infinities stay."""
    if not value.is_finite():
        return value
    scale = max(-_MAX_RESULT_SCALE, min(scale, _MAX_RESULT_SCALE))
    context = Context(prec=max(value.adjusted(), 0) + max(scale, 0) + 3, rounding=rounding)
    return value.quantize(Decimal(1).scaleb(-scale), context=context)


# --- jsonb ------------------------------------------------------------------------------------


def _extract(text: bool) -> Implementation:
    """jsonb_extract_path(_text)(jsonb, VARIADIC text[]): strict on the jsonb; a NULL element is NULL."""
    extract = jsonb_ops.extract_path_text if text else jsonb_ops.extract_path

    def extract_path(doc: bytes | None, *path: str | None) -> Any:
        return None if doc is None else extract(doc, list(path))

    return extract_path


TEXT_ARRAY = types.ARRAY_OF[types.TEXT]
_JSONB, _TEXT, _INT4, _BYTEA, _BOOL = types.JSONB, types.TEXT, types.INT4, types.BYTEA, types.BOOL
_NUMERIC, _FLOAT8 = types.NUMERIC, types.FLOAT8


def _trims(strip: Callable[..., Any]) -> list[Builtin]:
    return [
        _builtin((_TEXT,), _TEXT, lambda s: strip(s, " ")),
        _builtin((_TEXT, _TEXT), _TEXT, strip),
        _builtin((_BYTEA, _BYTEA), _BYTEA, strip),
    ]


def _case(table: dict[int, int]) -> list[Builtin]:
    return [
        _builtin((_TEXT,), _TEXT, lambda s: s.translate(table)),
        _builtin((ANYRANGE,), ANYELEMENT, None),
        _builtin((ANYMULTIRANGE,), ANYELEMENT, None),
    ]


_CHAR_LENGTH = [
    _builtin((types.BPCHAR,), _INT4, lambda s: len(s.rstrip(" "))),
    _builtin((_TEXT,), _INT4, len),
]
_SUBSTR = [
    _builtin((_BYTEA, _INT4), _BYTEA, _substr),
    _builtin((_BYTEA, _INT4, _INT4), _BYTEA, _substr),
    _builtin((_TEXT, _INT4), _TEXT, _substr),
    _builtin((_TEXT, _INT4, _INT4), _TEXT, _substr),
]

BUILTINS: dict[str, list[Builtin]] = {
    "jsonb_set": [
        _builtin((_JSONB, TEXT_ARRAY, _JSONB, _BOOL), _JSONB, jsonb_ops.set_path, defaults=(True,)),
    ],
    "jsonb_insert": [
        _builtin((_JSONB, TEXT_ARRAY, _JSONB, _BOOL), _JSONB, jsonb_ops.insert_path, defaults=(False,)),
    ],
    "jsonb_build_object": [
        _builtin((), _JSONB, lambda: b"{}", strict=False),
        Builtin((), _JSONB, jsonb_ops.build_object, strict=False, variadic=ANY),
    ],
    "jsonb_build_array": [
        _builtin((), _JSONB, lambda: b"[]", strict=False),
        Builtin((), _JSONB, jsonb_ops.build_array, strict=False, variadic=ANY),
    ],
    "json_build_object": [
        _builtin((), types.JSON, lambda: b"{}", strict=False),
        Builtin((), types.JSON, json_ops.build_object, strict=False, variadic=ANY),
    ],
    "json_build_array": [
        _builtin((), types.JSON, lambda: b"[]", strict=False),
        Builtin((), types.JSON, json_ops.build_array, strict=False, variadic=ANY),
    ],
    "jsonb_extract_path": [_builtin((_JSONB,), _JSONB, _extract(False), strict=False, variadic=_TEXT)],
    "jsonb_extract_path_text": [_builtin((_JSONB,), _TEXT, _extract(True), strict=False, variadic=_TEXT)],
    "jsonb_typeof": [_builtin((_JSONB,), _TEXT, jsonb_ops.typeof)],
    "jsonb_array_length": [_builtin((_JSONB,), _INT4, jsonb_ops.array_length)],
    "jsonb_strip_nulls": [_builtin((_JSONB,), _JSONB, jsonb_ops.strip_nulls)],
    "to_jsonb": [Builtin((ANYELEMENT,), _JSONB, lambda arg_types: jsonb_ops.to_jsonb(arg_types[0]))],
    "lower": _case(_LOWER),
    "upper": _case(_UPPER),
    "length": [
        *_CHAR_LENGTH,
        _builtin((BIT,), _INT4, None),
        _builtin((_BYTEA,), _INT4, len),
        _builtin((_BYTEA, types.NAME), _INT4, None),
        _builtin((LSEG,), _FLOAT8, None),
        _builtin((PATH,), _FLOAT8, None),
        _builtin((TSVECTOR,), _INT4, None),
    ],
    "char_length": _CHAR_LENGTH,
    "character_length": _CHAR_LENGTH,
    "substr": _SUBSTR,
    "substring": [
        *_SUBSTR,
        _builtin((BIT, _INT4), BIT, None),
        _builtin((BIT, _INT4, _INT4), BIT, None),
        _builtin((_TEXT, _TEXT), _TEXT, None),
        _builtin((_TEXT, _TEXT, _TEXT), _TEXT, None),
    ],
    "btrim": _trims(lambda s, chars: s.strip(chars)),
    "ltrim": _trims(lambda s, chars: s.lstrip(chars)),
    "rtrim": _trims(lambda s, chars: s.rstrip(chars)),
    "concat": [Builtin((), _TEXT, _concat, strict=False, variadic=ANY)],
    "concat_ws": [Builtin((_TEXT,), _TEXT, _concat_ws, strict=False, variadic=ANY)],
    "replace": [_builtin((_TEXT, _TEXT, _TEXT), _TEXT, _replace)],
    "md5": [_builtin((_BYTEA,), _TEXT, _md5), _builtin((_TEXT,), _TEXT, _md5)],
    "left": [_builtin((_TEXT, _INT4), _TEXT, _left)],
    "right": [_builtin((_TEXT, _INT4), _TEXT, _right)],
    "strpos": [_builtin((_TEXT, _TEXT), _INT4, lambda s, sub: s.find(sub) + 1)],
    "position": [
        _builtin((BIT, BIT), _INT4, None),
        _builtin((_BYTEA, _BYTEA), _INT4, lambda s, sub: s.find(sub) + 1),
        _builtin((_TEXT, _TEXT), _INT4, lambda s, sub: s.find(sub) + 1),
    ],
    "starts_with": [_builtin((_TEXT, _TEXT), _BOOL, lambda s, prefix: s.startswith(prefix))],
    "abs": [
        _builtin((types.INT8,), types.INT8, _integer_abs(types.INT8)),
        _builtin((types.FLOAT8,), types.FLOAT8, abs),
        _builtin((_INT4,), _INT4, _integer_abs(_INT4)),
        _builtin((_NUMERIC,), _NUMERIC, Decimal.copy_abs),
        _builtin((types.FLOAT4,), types.FLOAT4, abs),
        _builtin((types.INT2,), types.INT2, _integer_abs(types.INT2)),
    ],
    "pg_notify": [_builtin((_TEXT, _TEXT), types.VOID, notify.pg_notify, strict=False, session=True)],
    "pg_sleep": [_builtin((_FLOAT8,), types.VOID, interrupts.pg_sleep, session=True)],
    **{
        name: [
            _builtin((types.INT8,), _BOOL if boolean else types.VOID, fn, session=True),
            _builtin((_INT4, _INT4), _BOOL if boolean else types.VOID, fn, session=True),
        ]
        for name, (boolean, fn) in advisory.FUNCTIONS.items()
    },
    "pg_advisory_unlock_all": [_builtin((), types.VOID, advisory.pg_advisory_unlock_all, session=True)],
    "round": [
        _builtin((_FLOAT8,), _FLOAT8, _rint),
        _builtin((_NUMERIC,), _NUMERIC, _round_numeric),
        _builtin((_NUMERIC, _INT4), _NUMERIC, _round_numeric),
    ],
}

# --- arrays -------------------------------------------------------------------------------------


def _array_to_string(arg_types: Sequence[types.PgType]) -> Implementation:
    element = arg_types[0].element
    assert element is not None
    to_string = array_ops.array_to_string(_as_text(element))

    def array_to_string(array: Any, delimiter: Any, null_string: Any = None) -> str | None:
        if array is None or delimiter is None:
            return None
        return to_string(array, delimiter, null_string)

    return array_to_string


def _string_to_array(text: str | None, delimiter: str | None, null_string: str | None = None) -> list[Any] | None:
    return None if text is None else array_ops.string_to_array(text, delimiter, null_string)


def _unless_null_array(fn: Implementation) -> Implementation:
    """Functions not strict in their other arguments, but NULL for a NULL array."""
    return lambda array, *args: None if array is None else fn(array, *args)


_INT4_ARRAY_FN = (ANYARRAY, _INT4)

BUILTINS.update(
    {
        "array_length": [_builtin(_INT4_ARRAY_FN, _INT4, array_ops.array_length)],
        "array_lower": [_builtin(_INT4_ARRAY_FN, _INT4, array_ops.array_lower)],
        "array_upper": [_builtin(_INT4_ARRAY_FN, _INT4, array_ops.array_length)],
        "array_ndims": [_builtin((ANYARRAY,), _INT4, array_ops.array_ndims)],
        "array_dims": [_builtin((ANYARRAY,), _TEXT, array_ops.array_dims)],
        "cardinality": [_builtin((ANYARRAY,), _INT4, array_ops.cardinality)],
        "array_to_string": [
            Builtin((ANYARRAY, _TEXT), _TEXT, _array_to_string),
            Builtin((ANYARRAY, _TEXT, _TEXT), _TEXT, _array_to_string, strict=False),
        ],
        "string_to_array": [
            _builtin((_TEXT, _TEXT), TEXT_ARRAY, _string_to_array, strict=False),
            _builtin((_TEXT, _TEXT, _TEXT), TEXT_ARRAY, _string_to_array, strict=False),
        ],
        "array_position": [
            _builtin((ANYARRAY, ANYELEMENT), _INT4, _unless_null_array(array_ops.array_position), strict=False),
            _builtin((ANYARRAY, ANYELEMENT, _INT4), _INT4, _unless_null_array(array_ops.array_position), strict=False),
        ],
        "array_positions": [
            _builtin(
                (ANYARRAY, ANYELEMENT),
                types.ARRAY_OF[_INT4],
                _unless_null_array(array_ops.array_positions),
                strict=False,
            )
        ],
        "array_cat": [_builtin((ANYARRAY, ANYARRAY), ANYARRAY, array_ops.array_cat, strict=False)],
        "array_append": [_builtin((ANYARRAY, ANYELEMENT), ANYARRAY, array_ops.array_append, strict=False)],
        "array_prepend": [_builtin((ANYELEMENT, ANYARRAY), ANYARRAY, array_ops.array_prepend, strict=False)],
        "array_remove": [
            _builtin((ANYARRAY, ANYELEMENT), ANYARRAY, _unless_null_array(array_ops.array_remove), strict=False)
        ],
        "array_replace": [
            _builtin(
                (ANYARRAY, ANYELEMENT, ANYELEMENT), ANYARRAY, _unless_null_array(array_ops.array_replace), strict=False
            )
        ],
        "like_escape": [_builtin((_TEXT, _TEXT), _TEXT, patterns.like_escape)],
        "similar_to_escape": [
            _builtin((_TEXT,), _TEXT, patterns.similar_to_escape),
            _builtin((_TEXT, _TEXT), _TEXT, patterns.similar_to_escape),
        ],
    }
)


# --- more text functions (varlena.c, oracle_compat.c) ---------------------------------------------


def _split_part(text: str, delimiter: str, field: int) -> str:
    """split_part: the field'th piece (counting from the end when negative); zero is an error."""
    if field == 0:
        raise errors.PgError(errors.INVALID_PARAMETER_VALUE, "field position must not be zero")
    if not text:
        return ""
    parts = text.split(delimiter) if delimiter else [text]
    index = field - 1 if field > 0 else len(parts) + field
    return parts[index] if 0 <= index < len(parts) else ""


def _pad(left: bool) -> Implementation:
    """lpad / rpad: fill to ``length`` characters with ``fill`` repeated, or cut to ``length``."""

    def pad(text: str, length: int, fill: str = " ") -> str:
        if length <= 0:
            return ""
        if len(text) >= length or not fill:
            return text[:length]
        padding = (fill * ((length - len(text)) // len(fill) + 1))[: length - len(text)]
        return padding + text if left else text + padding

    return pad


def _repeat(text: str, count: int) -> str:
    if count > 0 and len(text) * count >= 1 << 30:
        raise errors.PgError(errors.PROGRAM_LIMIT_EXCEEDED, "requested length too large")
    return text * max(count, 0)


def _initcap(text: str) -> str:
    """initcap in the C locale: an ASCII letter after a non-alphanumeric is upper case, others lower."""
    out = []
    after_alnum = False
    for char in text:
        ascii_char = char < "\x80"
        if ascii_char and char.isalpha():
            out.append(char.lower().translate(_LOWER) if after_alnum else char.translate(_UPPER).upper())
        else:
            out.append(char)
        after_alnum = char.isalnum() if ascii_char else after_alnum
    return "".join(out)


def _translate(text: str, source: str, target: str) -> str:
    """translate: each character of ``source`` becomes the one at its place in ``target``, or goes."""
    table: dict[int, int | None] = {}
    for i, char in enumerate(source):
        table.setdefault(ord(char), ord(target[i]) if i < len(target) else None)
    return text.translate(table)


def _chr(code: int) -> str:
    if code == 0:
        raise errors.PgError(errors.PROGRAM_LIMIT_EXCEEDED, "null character not permitted")
    if code < 0:
        raise errors.PgError(errors.INVALID_PARAMETER_VALUE, "character number must be positive")
    if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        if code > 0x10FFFF:
            raise errors.PgError(errors.PROGRAM_LIMIT_EXCEEDED, f"requested character too large for encoding: {code}")
        raise errors.PgError(errors.PROGRAM_LIMIT_EXCEEDED, f"requested character not valid for encoding: {code}")
    return chr(code)


def _ascii(text: str) -> int:
    return ord(text[0]) if text else 0


# --- more numeric functions (float.c, numeric.c) --------------------------------------------------


def _numeric_to_integral(rounding: str) -> Implementation:
    def to_integral(value: Decimal) -> Decimal:
        if not value.is_finite():
            return value
        result = value.to_integral_value(rounding=rounding)
        return result.copy_abs() if not result else result

    return to_integral


def _float_to_integral(fn: Callable[[float], float]) -> Implementation:
    return lambda value: value if not math.isfinite(value) else math.copysign(float(fn(value)), value)


def _trunc_numeric(value: Decimal, scale: int = 0) -> Decimal:
    """numeric_trunc: toward zero at ``scale`` digits after the point (before it when negative)."""
    return _round_numeric(value, scale, ROUND_DOWN)


def _sqrt(value: float) -> float:
    if value < 0:
        raise errors.PgError(errors.INVALID_ARGUMENT_FOR_POWER_FUNCTION, "cannot take square root of a negative number")
    return math.sqrt(value)


def _numeric_sqrt(value: Decimal) -> Decimal:
    """numeric_sqrt: at least 16 significant digits, and no fewer decimals than the input has."""
    if value.is_nan() or value == Decimal("Infinity"):
        return value
    if value < 0:
        raise errors.PgError(errors.INVALID_ARGUMENT_FOR_POWER_FUNCTION, "cannot take square root of a negative number")
    weight = value.adjusted() // 4 if value else 0  # in base-10000 digits, as numeric stores it
    scale = min(max(16 - (weight * 2 + 1), -value.as_tuple().exponent, 0), 1000)
    context = Context(prec=max(value.adjusted(), 0) // 2 + scale + 10)
    return value.sqrt(context).quantize(Decimal(1).scaleb(-scale), rounding=ROUND_HALF_UP, context=context)


def _integer_mod(a: int, b: int) -> int:
    if b == 0:
        raise errors.PgError(errors.DIVISION_BY_ZERO, "division by zero")
    return int(math.fmod(a, b)) if abs(a) < 2**53 and abs(b) < 2**53 else a - b * int(a / b)


def _numeric_mod(a: Decimal, b: Decimal) -> Decimal:
    if b == 0:
        raise errors.PgError(errors.DIVISION_BY_ZERO, "division by zero")
    return a % b


def _numeric_div(a: Decimal, b: Decimal) -> Decimal:
    """div(numeric, numeric): the quotient truncated toward zero."""
    if b == 0:
        raise errors.PgError(errors.DIVISION_BY_ZERO, "division by zero")
    return (a / b).to_integral_value(rounding=ROUND_DOWN) if a.is_finite() and b.is_finite() else a / b


def _float_sign(value: float) -> float:
    return 1.0 if value > 0 else -1.0 if value < 0 else 0.0


def _numeric_sign(value: Decimal) -> Decimal:
    return Decimal(0) if not value else Decimal(1 if value > 0 else -1)


_INT2, _INT8, _FLOAT4 = types.INT2, types.INT8, types.FLOAT4
_TIMESTAMP, _TIMESTAMPTZ, _DATE, _INTERVAL = types.TIMESTAMP, types.TIMESTAMPTZ, types.DATE, types.INTERVAL


def _by_type(factory: Callable[[types.PgType], Implementation], index: int) -> Callable[..., Implementation]:
    """An implementation that depends on the type of argument ``index``."""
    return lambda arg_types: factory(arg_types[index])


BUILTINS.update(
    {
        "split_part": [_builtin((_TEXT, _TEXT, _INT4), _TEXT, _split_part)],
        "gen_random_uuid": [_builtin((), types.UUID, uuid.uuid4, strict=False)],
        "repeat": [_builtin((_TEXT, _INT4), _TEXT, _repeat)],
        "lpad": [_builtin((_TEXT, _INT4, _TEXT), _TEXT, _pad(True), defaults=(" ",))],
        "rpad": [_builtin((_TEXT, _INT4, _TEXT), _TEXT, _pad(False), defaults=(" ",))],
        "reverse": [_builtin((_TEXT,), _TEXT, lambda text: text[::-1])],
        "initcap": [_builtin((_TEXT,), _TEXT, _initcap)],
        "translate": [_builtin((_TEXT, _TEXT, _TEXT), _TEXT, _translate)],
        "chr": [_builtin((_INT4,), _TEXT, _chr)],
        "ascii": [_builtin((_TEXT,), _INT4, _ascii)],
        "regexp_replace": [
            _builtin((_TEXT, _TEXT, _TEXT), _TEXT, patterns.regexp_replace),
            _builtin((_TEXT, _TEXT, _TEXT, _TEXT), _TEXT, patterns.regexp_replace),
        ],
        "regexp_match": [
            _builtin((_TEXT, _TEXT), TEXT_ARRAY, patterns.regexp_match),
            _builtin((_TEXT, _TEXT, _TEXT), TEXT_ARRAY, patterns.regexp_match),
        ],
        "regexp_count": [
            _builtin((_TEXT, _TEXT), _INT4, patterns.regexp_count),
            _builtin((_TEXT, _TEXT, _INT4), _INT4, patterns.regexp_count),
            _builtin((_TEXT, _TEXT, _INT4, _TEXT), _INT4, patterns.regexp_count),
        ],
        "regexp_like": [
            _builtin((_TEXT, _TEXT), _BOOL, patterns.regexp_like),
            _builtin((_TEXT, _TEXT, _TEXT), _BOOL, patterns.regexp_like),
        ],
        "floor": [
            _builtin((_FLOAT8,), _FLOAT8, _float_to_integral(math.floor)),
            _builtin((_NUMERIC,), _NUMERIC, _numeric_to_integral(ROUND_FLOOR)),
        ],
        **dict.fromkeys(
            ("ceil", "ceiling"),
            [
                _builtin((_FLOAT8,), _FLOAT8, _float_to_integral(math.ceil)),
                _builtin((_NUMERIC,), _NUMERIC, _numeric_to_integral(ROUND_CEILING)),
            ],
        ),
        "trunc": [
            _builtin((_FLOAT8,), _FLOAT8, _float_to_integral(math.trunc)),
            _builtin((_NUMERIC,), _NUMERIC, _trunc_numeric),
            _builtin((_NUMERIC, _INT4), _NUMERIC, _trunc_numeric),
        ],
        "sqrt": [_builtin((_FLOAT8,), _FLOAT8, _sqrt), _builtin((_NUMERIC,), _NUMERIC, _numeric_sqrt)],
        "power": [
            _builtin((_FLOAT8, _FLOAT8), _FLOAT8, float_power),
            _builtin((_NUMERIC, _NUMERIC), _NUMERIC, numeric_power),
        ],
        "pow": [
            _builtin((_FLOAT8, _FLOAT8), _FLOAT8, float_power),
            _builtin((_NUMERIC, _NUMERIC), _NUMERIC, numeric_power),
        ],
        "mod": [
            _builtin((_INT2, _INT2), _INT2, _integer_mod),
            _builtin((_INT4, _INT4), _INT4, _integer_mod),
            _builtin((_INT8, _INT8), _INT8, _integer_mod),
            _builtin((_NUMERIC, _NUMERIC), _NUMERIC, _numeric_mod),
        ],
        "div": [_builtin((_NUMERIC, _NUMERIC), _NUMERIC, _numeric_div)],
        "sign": [
            _builtin((_FLOAT8,), _FLOAT8, _float_sign),
            _builtin((_NUMERIC,), _NUMERIC, _numeric_sign),
        ],
        "pi": [_builtin((), _FLOAT8, lambda: math.pi, strict=False)],
        "date_trunc": [
            Builtin((_TEXT, _TIMESTAMP), _TIMESTAMP, _by_type(datetime_ops.date_trunc, 1)),
            Builtin((_TEXT, _TIMESTAMPTZ), _TIMESTAMPTZ, _by_type(datetime_ops.date_trunc, 1)),
            _builtin((_TEXT, _INTERVAL), _INTERVAL, None),
            _builtin((_TEXT, _TIMESTAMPTZ, _TEXT), _TIMESTAMPTZ, None),
        ],
        "date_part": [
            Builtin((_TEXT, _TIMESTAMP), _FLOAT8, _by_type(datetime_ops.date_part, 1)),
            Builtin((_TEXT, _TIMESTAMPTZ), _FLOAT8, _by_type(datetime_ops.date_part, 1)),
            Builtin((_TEXT, _DATE), _FLOAT8, _by_type(datetime_ops.date_part, 1)),
            _builtin((_TEXT, _INTERVAL), _FLOAT8, None),
        ],
        "to_char": [
            Builtin((_TIMESTAMP, _TEXT), _TEXT, _by_type(datetime_ops.to_char, 0)),
            Builtin((_TIMESTAMPTZ, _TEXT), _TEXT, _by_type(datetime_ops.to_char, 0)),
            _builtin((_INTERVAL, _TEXT), _TEXT, None),
            _builtin((_NUMERIC, _TEXT), _TEXT, None),
            _builtin((_INT4, _TEXT), _TEXT, None),
            _builtin((_INT8, _TEXT), _TEXT, None),
            _builtin((_FLOAT4, _TEXT), _TEXT, None),
            _builtin((_FLOAT8, _TEXT), _TEXT, None),
        ],
        "extract": [
            Builtin((_TEXT, _TIMESTAMP), _NUMERIC, _by_type(datetime_ops.extract, 1)),
            Builtin((_TEXT, _TIMESTAMPTZ), _NUMERIC, _by_type(datetime_ops.extract, 1)),
            Builtin((_TEXT, _DATE), _NUMERIC, _by_type(datetime_ops.extract, 1)),
            _builtin((_TEXT, _INTERVAL), _NUMERIC, None),
        ],
    }
)


def _pattern_operators(matcher: Implementation, for_bytea: Implementation | None = None) -> list[Builtin]:
    """textlike, namelike, bpcharlike, ... : a string on the left, the pattern as text."""
    operators = [
        _builtin((types.NAME, _TEXT), _BOOL, matcher),
        _builtin((_TEXT, _TEXT), _BOOL, matcher),
        _builtin((types.BPCHAR, _TEXT), _BOOL, matcher),
    ]
    if for_bytea is not None:
        operators.append(_builtin((_BYTEA, _BYTEA), _BOOL, for_bytea))
    return operators


# The jsonb operators (pg_operator), with PostgreSQL's other overloads of the same names.
_CONTAINS_ELSEWHERE = [
    (PATH, POINT),
    (BOX, POINT),
    (BOX, BOX),
    (POLYGON, POINT),
    (POLYGON, POLYGON),
    (CIRCLE, POINT),
    (CIRCLE, CIRCLE),
    (ACLITEM_ARRAY, ACLITEM),
    (TSQUERY, TSQUERY),
    (ANYRANGE, ANYELEMENT),
    (ANYRANGE, ANYRANGE),
    (ANYRANGE, ANYMULTIRANGE),
    (ANYMULTIRANGE, ANYELEMENT),
    (ANYMULTIRANGE, ANYRANGE),
    (ANYMULTIRANGE, ANYMULTIRANGE),
]
_CONTAINED_ELSEWHERE = [
    (POINT, LSEG),
    (POINT, PATH),
    (POINT, BOX),
    (POINT, POLYGON),
    (POINT, LINE),
    (POINT, CIRCLE),
    (LSEG, BOX),
    (LSEG, LINE),
    (BOX, BOX),
    (POLYGON, POLYGON),
    (CIRCLE, CIRCLE),
    (ANYELEMENT, ANYRANGE),
    (ANYELEMENT, ANYMULTIRANGE),
    (TSQUERY, TSQUERY),
    (ANYRANGE, ANYRANGE),
    (ANYRANGE, ANYMULTIRANGE),
    (ANYMULTIRANGE, ANYRANGE),
    (ANYMULTIRANGE, ANYMULTIRANGE),
]
_JSON = types.JSON

OPERATORS: dict[str, list[Builtin]] = {
    "->": [
        _builtin((_JSONB, _TEXT), _JSONB, jsonb_ops.object_field),
        _builtin((_JSONB, _INT4), _JSONB, jsonb_ops.array_element),
        _builtin((_JSON, _TEXT), _JSON, None),
        _builtin((_JSON, _INT4), _JSON, None),
    ],
    "->>": [
        _builtin((_JSONB, _TEXT), _TEXT, jsonb_ops.object_field_text),
        _builtin((_JSONB, _INT4), _TEXT, jsonb_ops.array_element_text),
        _builtin((_JSON, _TEXT), _TEXT, None),
        _builtin((_JSON, _INT4), _TEXT, None),
    ],
    "#>": [
        _builtin((_JSONB, TEXT_ARRAY), _JSONB, jsonb_ops.extract_path),
        _builtin((_JSON, TEXT_ARRAY), _JSON, None),
    ],
    "#>>": [
        _builtin((_JSONB, TEXT_ARRAY), _TEXT, jsonb_ops.extract_path_text),
        _builtin((_JSON, TEXT_ARRAY), _TEXT, None),
    ],
    "@>": [
        _builtin((_JSONB, _JSONB), _BOOL, jsonb_ops.contains),
        _builtin((ANYARRAY, ANYARRAY), _BOOL, array_ops.contains),
        *(_builtin(pair, _BOOL, None) for pair in _CONTAINS_ELSEWHERE),
    ],
    "<@": [
        _builtin((_JSONB, _JSONB), _BOOL, jsonb_ops.contained),
        _builtin((ANYARRAY, ANYARRAY), _BOOL, array_ops.contained),
        *(_builtin(pair, _BOOL, None) for pair in _CONTAINED_ELSEWHERE),
    ],
    "?": [_builtin((_JSONB, _TEXT), _BOOL, jsonb_ops.exists)],
    "?|": [_builtin((_JSONB, TEXT_ARRAY), _BOOL, jsonb_ops.exists_any), _builtin((POINT, POINT), _BOOL, None)],
    "?&": [_builtin((_JSONB, TEXT_ARRAY), _BOOL, jsonb_ops.exists_all)],
    "#-": [_builtin((_JSONB, TEXT_ARRAY), _JSONB, jsonb_ops.delete_path)],
    # Bitwise and, or, xor of integers (int2and, int4or, int8xor...): same width in, same out.
    "&": [_builtin((t, t), t, operator.and_) for t in (_INT2, _INT4, _INT8)],
    "|": [_builtin((t, t), t, operator.or_) for t in (_INT2, _INT4, _INT8)],
    "#": [_builtin((t, t), t, operator.xor) for t in (_INT2, _INT4, _INT8)],
    "&&": [_builtin((ANYARRAY, ANYARRAY), _BOOL, array_ops.overlap)],
    "~~": _pattern_operators(patterns.like, patterns.like_bytes),
    "!~~": _pattern_operators(patterns.not_like, patterns.not_like_bytes),
    "~~*": _pattern_operators(patterns.ilike),
    "!~~*": _pattern_operators(patterns.not_ilike),
    "~": _pattern_operators(patterns.regex_match),
    "!~": _pattern_operators(patterns.regex_not_match),
    "~*": _pattern_operators(patterns.regex_imatch),
    "!~*": _pattern_operators(patterns.regex_not_imatch),
}
# "-" and "||" where one side is jsonb (every other overload of theirs takes no jsonb).
JSONB_MINUS = [
    _builtin((_JSONB, _TEXT), _JSONB, jsonb_ops.delete_key),
    _builtin((_JSONB, TEXT_ARRAY), _JSONB, jsonb_ops.delete_keys),
    _builtin((_JSONB, _INT4), _JSONB, jsonb_ops.delete_index),
]
JSONB_CONCAT = [_builtin((_JSONB, _JSONB), _JSONB, jsonb_ops.concat)]
# "||" where one side is an array (array_cat, array_append, array_prepend).
ARRAY_CONCAT = [
    _builtin((ANYARRAY, ANYARRAY), ANYARRAY, array_ops.array_cat),
    _builtin((ANYARRAY, ANYELEMENT), ANYARRAY, array_ops.array_append),
    _builtin((ANYELEMENT, ANYARRAY), ANYARRAY, array_ops.array_prepend),
]
