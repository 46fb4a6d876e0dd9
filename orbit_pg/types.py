"""The type registry: OID, names, size, and text and binary input/output for every type we handle.

One place maps a type to its wire forms and back (as psycopg's adapters do, seen from the server);
everything else asks here.  Output is byte for byte PostgreSQL 15's with default settings (DateStyle
ISO, MDY; TimeZone UTC; IntervalStyle postgres; extra_float_digits 1; bytea_output hex), and bad input
raises PgError with PostgreSQL's sqlstate, message and detail.  ``text_in`` takes str, ``binary_in``
bytes; ``text_out`` and ``binary_out`` return bytes.  ``binary_in`` raises TrailingBytes when bytes
are left over, which Bind reports as "incorrect binary data format in bind parameter N".

Python values per type:

- text, varchar, name, bpchar, unknown: str
- json, jsonb: their text as UTF-8 bytes, sent as stored and never re-encoded (jsonb canonical as
  ``orbit_pg.jsonb.canonical`` prints it; json as written, checked by the same parser)
- bytea: bytes; bool: bool; uuid: uuid.UUID
- int2, int4, int8, oid: int; float4, float8: float; numeric: Decimal (NaN and ±Infinity included)
- date: datetime.date; timestamp: naive datetime; timestamptz: aware datetime in UTC.  A value that
  datetime cannot hold (BC, after 9999, ±infinity) is a FarDatetime carrying PostgreSQL's own count.
- interval: Interval(months, days, microseconds), the three fields PostgreSQL stores
- arrays: lists nested once per dimension, None for a NULL element; lower bounds are always 1
"""

from __future__ import annotations

import math
import re
import struct
import uuid
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone, tzinfo
from decimal import Decimal
from fractions import Fraction
from functools import cache
from typing import Any

from orbit_pg import errors, jsonb
from orbit_pg.wire.frontend import decode_utf8

# SQLSTATEs used only here (errcodes.txt names).


@dataclass(frozen=True, slots=True, eq=False)
class PgType:
    """One pg_type row and its four conversions; types are singletons, compared by identity."""

    oid: int
    typname: str  # pg_type.typname, also the column name PostgreSQL gives a cast
    name: str  # format_type's spelling, used in messages
    typlen: int
    category: str  # typcategory: S string, N numeric, B boolean, D date/time, T timespan, U user, A array, X unknown
    text_out: Callable[[Any], bytes]
    text_in: Callable[[str], Any]
    binary_out: Callable[[Any], bytes]
    binary_in: Callable[[bytes], Any]
    element: PgType | None = None  # typelem of an array type

    def __repr__(self) -> str:
        return self.typname


@dataclass(frozen=True, order=True, slots=True)
class FarDatetime:
    """A date or timestamp that Python's datetime cannot hold: BC, after 9999, or ±infinity.

    ``count`` is what PostgreSQL stores: days since 2000-01-01 for date, microseconds since
    2000-01-01 00:00 (UTC) for timestamp and timestamptz; the int32 or int64 extremes are ±infinity.
    """

    count: int


@dataclass(frozen=True, slots=True)
class Interval:
    """An interval as PostgreSQL keeps it: months, days and microseconds, never folded into each other."""

    months: int
    days: int
    microseconds: int


class TrailingBytes(errors.PgError):
    """binary_in got more bytes than the value uses.

    PostgreSQL words this by who asked: Bind says "incorrect binary data format in bind parameter N";
    an array says "improper binary format in array element N".
    """

    def __init__(self) -> None:
        super().__init__(errors.INVALID_BINARY_REPRESENTATION, "incorrect binary data format")


# ---------------------------------------------------------------------------------------------------
# Shared pieces

_SPACE = " \t\n\r\v\f"  # C isspace(); str.strip() and \s would also take Unicode spaces


def _invalid(type_name: str, text: str, sqlstate: str = errors.INVALID_TEXT_REPRESENTATION) -> errors.PgError:
    return errors.PgError(sqlstate, f'invalid input syntax for type {type_name}: "{text}"')


def _out_of_range(type_name: str, text: str) -> errors.PgError:
    return errors.PgError(errors.NUMERIC_VALUE_OUT_OF_RANGE, f'value "{text}" is out of range for type {type_name}')


def _overflow() -> errors.PgError:
    return errors.PgError(errors.NUMERIC_VALUE_OUT_OF_RANGE, "value overflows numeric format")


def _insufficient() -> errors.PgError:
    """pq_getmsgint and friends reading past the end of a value."""
    return errors.PgError(errors.PROTOCOL_VIOLATION, "insufficient data left in message")


def _fixed(code: str, convert: Callable[..., Any] | None = None) -> tuple[Callable[..., bytes], Callable[[bytes], Any]]:
    """Binary out and in for fixed-width big-endian fields (pq_sendint64, pq_getmsgfloat8, ...).

    Too few bytes fail as pq_getmsg* does; then ``convert`` sees the fields, as the type's receive
    function would; only after that are bytes left over an error (Bind's check).
    """
    codec = struct.Struct("!" + code)
    size, unpack_from = codec.size, codec.unpack_from

    def binary_in(data: bytes) -> Any:
        if len(data) < size:
            raise _insufficient()
        fields = unpack_from(data)
        value = convert(*fields) if convert else fields[0]
        if len(data) > size:
            raise TrailingBytes()
        return value

    return codec.pack, binary_in


def _decode_text(data: bytes) -> str:
    """pq_getmsgtext: UTF-8 that PostgreSQL verifies, a NUL byte being invalid too."""
    nul = data.find(b"\x00")
    if nul < 0:
        return decode_utf8(data)
    decode_utf8(data[:nul])
    raise errors.PgError(errors.CHARACTER_NOT_IN_REPERTOIRE, 'invalid byte sequence for encoding "UTF8": 0x00')


_INT_PREFIX = re.compile(r"[ \t\n\r\v\f]*([-+]?)([0-9]+)")  # strtol's: spaces, a sign, digits


def _c_div(a: int, b: int) -> int:
    """C integer division, which truncates toward zero."""
    q = abs(a) // abs(b)
    return q if (a < 0) == (b < 0) else -q


# ---------------------------------------------------------------------------------------------------
# bool, integers, oid


def _bool_in(text: str) -> bool:
    """boolin: a prefix of true/yes/false/no, on/off (two letters at least), 1/0, any case."""
    word = text.strip(_SPACE).encode().lower()  # bytes.lower() is ASCII-only, like pg_strncasecmp
    if word:
        if b"true".startswith(word) or b"yes".startswith(word) or word in (b"on", b"1"):
            return True
        if b"false".startswith(word) or b"no".startswith(word) or word in (b"of", b"off", b"0"):
            return False
    raise _invalid("boolean", text)


def _bool_out(value: bool) -> bytes:
    return b"t" if value else b"f"


def _bool_send(value: bool) -> bytes:
    return b"\x01" if value else b"\x00"


def _bool_recv(data: bytes) -> bool:
    if not data:
        raise errors.PgError(errors.PROTOCOL_VIOLATION, "no data left in message")
    if len(data) > 1:
        raise TrailingBytes()
    return data[0] != 0


def _int_out(value: int) -> bytes:
    return b"%d" % value


def _int_in(type_name: str, bits: int) -> Callable[[str], int]:
    """pg_strtoint16/32/64: spaces, a sign, digits, spaces; overflow is found before trailing junk."""
    limit = 1 << (bits - 1)

    def parse(text: str) -> int:
        m = _INT_PREFIX.match(text)
        if m is None:
            raise _invalid(type_name, text)
        digits = m[2].lstrip("0")
        if len(digits) > 19 or not -limit <= (value := int(m[1] + (digits or "0"))) < limit:
            raise _out_of_range(type_name, text)
        if text[m.end() :].strip(_SPACE):
            raise _invalid(type_name, text)
        return value

    return parse


def _oid_in(text: str) -> int:
    """oidin: strtoul, so "-1" is 4294967295; a value must survive the trip through uint32 and back."""
    m = _INT_PREFIX.match(text)
    if m is None:
        raise _invalid("oid", text)
    digits = m[2].lstrip("0")
    if len(digits) > 20 or (magnitude := int(digits or "0")) >= 1 << 64:
        raise _out_of_range("oid", text)
    if text[m.end() :].strip(_SPACE):
        raise _invalid("oid", text)
    value = -magnitude % (1 << 64) if m[1] == "-" else magnitude
    oid = value & 0xFFFFFFFF
    if value != oid and not (oid >= 1 << 31 and value == oid - (1 << 32) + (1 << 64)):
        raise _out_of_range("oid", text)
    return oid


# ---------------------------------------------------------------------------------------------------
# float4, float8

# The longest number C strtod() reads at a position (C locale): decimal, hexadecimal, inf, nan.
_STRTOD = re.compile(
    r"""[+-]?(?:0x(?:[0-9a-f]+\.?[0-9a-f]*|\.[0-9a-f]+)(?:p[+-]?[0-9]+)?
    |(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:e[+-]?[0-9]+)?
    |inf(?:inity)?|nan(?:\([0-9a-z_]*\))?)""",
    re.IGNORECASE | re.ASCII | re.VERBOSE,
)
_F32 = struct.Struct("!f")
_UINT32 = struct.Struct("!I")
_FLOAT4_OVERFLOW = 2.0**128


def _strtod(token: str, narrow: bool = False) -> tuple[float, Decimal | Fraction]:
    """The double nearest a _STRTOD token, and the token's exact magnitude (for finite numbers).

    ``narrow`` only matters for a NaN, whose payload strtof places in float32's bits."""
    body = token.lstrip("+-").lower()
    if body[0] == "i":
        return float(token), Decimal(0)
    if body[0] == "n":
        return _nan(token[0] == "-", body[4:-1] if body.endswith(")") else None, narrow), Decimal(0)
    if body.startswith("0x"):
        mantissa, _, exponent = body[2:].partition("p")
        whole, _, frac = mantissa.partition(".")
        exact = Fraction(int(whole + frac or "0", 16), 16 ** len(frac)) * Fraction(2) ** int(exponent or "0")
        sign = -1 if token[0] == "-" else 1
        try:
            return sign * float(exact), exact
        except OverflowError:
            return sign * math.inf, exact
    return float(token), Decimal(token).copy_abs()  # abs() would round to 28 digits


_F64 = struct.Struct("!d")
_UINT64 = struct.Struct("!Q")
_NAN_PAYLOAD = re.compile(r"0x([0-9a-f]+)|0([0-7]*)|([1-9][0-9]*)|")


def _nan(negative: bool, payload: str | None, narrow: bool) -> float:
    """glibc's NaN from "nan(chars)": chars that strtoull reads whole go into the mantissa."""
    m = _NAN_PAYLOAD.fullmatch(payload) if payload is not None else None
    mantissa = 0
    if m is not None:
        mantissa = int(m[1], 16) if m[1] else int(m[2] or "0", 8) if m[3] is None else int(m[3])
        if mantissa >> 64:  # strtoull's ERANGE leaks out of strtod, and PostgreSQL then reads only "nan"
            raise ValueError(payload)
    if narrow:
        return _F32.unpack(_UINT32.pack(0x7FC00000 | negative << 31 | mantissa & 0x3FFFFF))[0]
    return _F64.unpack(_UINT64.pack(0x7FF8000000000000 | negative << 63 | mantissa & ((1 << 51) - 1)))[0]


def _range_error(token: str, value: float) -> bool:
    """strtod's ERANGE: overflow to infinity, or underflow to zero from nonzero digits."""
    body = token.lstrip("+-").lower()
    if body[0] in "in":
        return False
    if body.startswith("0x"):
        mantissa, nonzero = body[2:].partition("p")[0], "[1-9a-f]"
    else:
        mantissa, nonzero = body.partition("e")[0], "[1-9]"
    return math.isinf(value) or (value == 0 and re.search(nonzero, mantissa) is not None)


def _to_float4(d: float, exact: Decimal | Fraction) -> float:
    """Round d, the double nearest ±``exact``, to float32 as strtof rounds the exact value itself.

    Rounding twice goes wrong only when d lies exactly halfway between two float32 values.
    """
    try:
        f = _F32.unpack(_F32.pack(d))[0]
    except OverflowError:
        f = math.copysign(math.inf, d)
    if f == d or not math.isfinite(d):
        return f
    magnitude = abs(d)
    half_ulp = math.ldexp(1.0, max(math.frexp(magnitude)[1] - 25, -150))
    if (magnitude / half_ulp) % 2 != 1 or exact == magnitude:
        return f
    rounded = magnitude + half_ulp if exact > magnitude else magnitude - half_ulp
    return math.copysign(rounded if rounded < _FLOAT4_OVERFLOW else math.inf, d)


def _float_in(type_name: str, narrow: bool) -> Callable[[str], float]:
    """float8in/float4in: strtod or strtof with PostgreSQL's checks for overflow and underflow."""

    def parse(text: str) -> float:
        start = len(text) - len(text.lstrip(_SPACE))
        m = _STRTOD.match(text, start)
        if m is None:
            raise _invalid(type_name, text)
        token = m[0]
        try:
            value, exact = _strtod(token, narrow)
        except ValueError:
            raise _invalid(type_name, text) from None
        if narrow:
            value = _to_float4(value, exact)
        if _range_error(token, value):
            shown = text if narrow else token
            raise errors.PgError(errors.NUMERIC_VALUE_OUT_OF_RANGE, f'"{shown}" is out of range for type {type_name}')
        if text[m.end() :].strip(_SPACE):
            raise _invalid(type_name, text)
        return value

    return parse


def _float_text(negative: bool, digits: str, exponent: int, fixed_below: int) -> bytes:
    """Ryu's to_chars as PostgreSQL prints shortest floats: value = digits × 10**exponent."""
    n = len(digits)
    point = exponent + n - 1  # the exponent in scientific notation
    if -4 <= point < fixed_below:
        if exponent >= 0:
            text = digits + "0" * exponent
        elif point < 0:
            text = "0." + "0" * (-point - 1) + digits
        else:
            text = digits[: n + exponent] + "." + digits[n + exponent :]
    else:
        text = digits[0] + ("." + digits[1:] if n > 1 else "") + f"e{'-' if point < 0 else '+'}{abs(point):02d}"
    return ("-" + text if negative else text).encode()


def _float_special(value: float) -> bytes | None:
    if value != value:
        return b"NaN"
    if math.isinf(value):
        return b"Infinity" if value > 0 else b"-Infinity"
    if value == 0:
        return b"-0" if math.copysign(1.0, value) < 0 else b"0"
    return None


def _shortest(magnitude: float, below: float, above: float, most: int) -> tuple[int, int]:
    """PostgreSQL's Ryu, built without STRICTLY_SHORTEST: the fewest digits strictly inside the rounding
    interval (halfway to the neighbours ``below`` and ``above``), the nearest on a tie, then the even.

    Returns (digits, power), magnitude ≈ digits × 10**power, computed on exact integer ratios.  At each
    length the correctly rounded digits are the nearest candidate, else the one on the other side of
    the value; a length that works makes every longer one work, so the shortest is found by bisection.
    """
    n, d = magnitude.as_integer_ratio()
    low, high = [
        (n * e + m * d, 2 * d * e)  # halfway to the neighbour, as numerator and denominator
        for m, e in (x.as_integer_ratio() if x < math.inf else (1 << 1024, 1) for x in (below, above))
    ]

    def scaled(power: int) -> tuple[int, int]:
        """magnitude / 10**power as a ratio."""
        return (n, d * 10**power) if power >= 0 else (n * 10**-power, d)

    def inside(digits: int, power: int) -> bool:
        num, den = (digits * 10**power, 1) if power >= 0 else (digits, 10**-power)
        return low[0] * den < num * low[1] and num * high[1] < high[0] * den

    def at_least(power: int) -> bool:
        num, den = scaled(power)
        return num >= den

    lead = math.floor(math.log10(magnitude))  # the exponent of the first digit, once corrected
    while at_least(lead + 1):
        lead += 1
    while not at_least(lead):
        lead -= 1

    def fit(length: int) -> tuple[int, int] | None:
        power = lead - length + 1
        num, den = scaled(power)
        near, rest = divmod(num, den)
        if 2 * rest > den or (2 * rest == den and near % 2):
            near += 1
        other = near - 1 if near * den > num else near + 1
        return next(((c, power) for c in (near, other) if inside(c, power)), None)

    shortest, longest = 1, most
    while shortest < longest:
        middle = (shortest + longest) // 2
        shortest, longest = (shortest, middle) if fit(middle) else (middle + 1, longest)
    found = fit(shortest)
    assert found is not None
    return found


def _float8_out(value: float) -> bytes:
    """float8out: repr's shortest digits, unless they sit exactly on the rounding interval's edge."""
    special = _float_special(value)
    if special is not None:
        return special
    mantissa, _, exponent = repr(value).lstrip("-").partition("e")
    whole, _, frac = mantissa.partition(".")
    digits = int(whole + frac)
    power = int(exponent or 0) - len(frac)  # |value| rounds from digits × 10**power
    magnitude = abs(value)
    # An edge is halfway to a neighbour: an odd multiple of a power of two, which digits × 10**power
    # can only be when 5**-power divides digits, or when the value is a large integer.
    if (digits % 5**-power == 0) if power < 0 else magnitude >= 2.0**53:
        neighbours = math.nextafter(magnitude, 0), math.nextafter(magnitude, math.inf)
        n, d = magnitude.as_integer_ratio()
        twice = (2 * digits * 10**power, 1) if power >= 0 else (2 * digits, 10**-power)
        for m, e in (x.as_integer_ratio() if x < math.inf else (1 << 1024, 1) for x in neighbours):
            if twice[0] * d * e == (n * e + m * d) * twice[1]:
                digits, power = _shortest(magnitude, *neighbours, 17)
                break
    return _digits_text(value < 0, digits, power, 15)


def _float4_out(value: float) -> bytes:
    """float4out: the same rule over float32 neighbours (a double is first rounded to float32)."""
    try:
        value = _F32.unpack(_F32.pack(value))[0]
    except OverflowError:
        value = math.copysign(math.inf, value)
    special = _float_special(value)
    if special is not None:
        return special
    (bits,) = _UINT32.unpack(_F32.pack(abs(value)))
    below, above = (_F32.unpack(_UINT32.pack(b))[0] for b in (bits - 1, bits + 1))
    return _digits_text(value < 0, *_shortest(abs(value), below, min(above, _FLOAT4_OVERFLOW), 9), 6)


def _digits_text(negative: bool, digits: int, power: int, fixed_below: int) -> bytes:
    text = str(digits)
    short = text.rstrip("0")
    return _float_text(negative, short, power + len(text) - len(short), fixed_below)


# ---------------------------------------------------------------------------------------------------
# numeric

_NAN, _INF, _NEG_INF = Decimal("NaN"), Decimal("Infinity"), Decimal("-Infinity")
_NUMERIC_SPECIALS = (  # numeric_in tries these in order, as prefixes
    (b"nan", _NAN),
    (b"infinity", _INF),
    (b"+infinity", _INF),
    (b"-infinity", _NEG_INF),
    (b"inf", _INF),
    (b"+inf", _INF),
    (b"-inf", _NEG_INF),
)
_NUMERIC_TEXT = re.compile(r"([-+]?)([0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][ \t\n\r\v\f]*([-+]?[0-9]+))?[ \t\n\r\v\f]*")
_DSCALE_MAX = 0x3FFF
_EXPONENT_LIMIT = 0x7FFFFFFF // 2
_NUMERIC = struct.Struct("!hhHH")
_NUMERIC_POS, _NUMERIC_NEG, _NUMERIC_NAN, _NUMERIC_PINF, _NUMERIC_NINF = 0x0000, 0x4000, 0xC000, 0xD000, 0xF000


def _numeric_in(text: str) -> Decimal:
    """numeric_in: NaN and infinities by prefix, else digits with a point and a strtol exponent."""
    rest = text.lstrip(_SPACE)
    head = rest[:9].encode().lower()
    for word, special in _NUMERIC_SPECIALS:
        if head.startswith(word):
            if rest[len(word) :].strip(_SPACE):
                raise _invalid("numeric", text)
            return special
    m = _NUMERIC_TEXT.fullmatch(rest)
    if m is None:
        raise _invalid("numeric", text)
    sign, mantissa, exponent_text = m.groups()
    exponent = 0
    if exponent_text:
        magnitude = exponent_text.lstrip("+-").lstrip("0") or "0"
        if len(magnitude) > 10 or int(magnitude) >= _EXPONENT_LIMIT:
            raise _overflow()
        exponent = -int(magnitude) if exponent_text[0] == "-" else int(magnitude)
    whole, _, frac = mantissa.partition(".")
    digits = (whole + frac).lstrip("0")
    scale = max(0, len(frac) - exponent)
    if scale > _DSCALE_MAX or (digits and (len(digits) - 1 + exponent - len(frac)) // 4 > 0x7FFF):
        raise _overflow()
    if not digits:
        return Decimal((0, (0,), -scale))
    return Decimal(f"{sign}{mantissa}E{exponent}")


def _numeric_out(value: Decimal | int) -> bytes:
    """numeric_out; an int (a literal beyond bigint is one) prints as the integer it is."""
    text = format(value, "f") if isinstance(value, Decimal) else str(value)
    if text[0] == "-" and not value:  # numeric has no negative zero
        text = text[1:]
    return text.encode()


def _numeric_send(value: Decimal | int) -> bytes:
    """numeric_send: base-10000 digits without leading or trailing zeros, weight, sign and dscale."""
    value = Decimal(value)  # exact for an int too
    if not value.is_finite():
        if value.is_nan():
            return _NUMERIC.pack(0, 0, _NUMERIC_NAN, 0)
        # PostgreSQL reads the dscale of an infinity from its short header: 32
        return _NUMERIC.pack(0, 0, _NUMERIC_NINF if value < 0 else _NUMERIC_PINF, 32)
    whole, _, frac = format(value.copy_abs(), "f").partition(".")  # abs() would round to 28 digits
    whole = whole.lstrip("0")
    lead = -len(whole) % 4
    text = "0" * lead + whole + frac + "0" * (-len(frac) % 4)
    groups = [int(text[i : i + 4]) for i in range(0, len(text), 4)]
    weight = (lead + len(whole)) // 4 - 1
    first = next((i for i, g in enumerate(groups) if g), len(groups))
    last = len(groups)
    while last > first and not groups[last - 1]:
        last -= 1
    digits = groups[first:last]
    sign = _NUMERIC_NEG if value < 0 and digits else _NUMERIC_POS
    return _NUMERIC.pack(len(digits), weight - first if digits else 0, sign, len(frac)) + struct.pack(
        f"!{len(digits)}h", *digits
    )


def _numeric_recv(data: bytes) -> Decimal:
    """numeric_recv: each field checked as it is read, then digits the dscale hides are truncated."""
    if len(data) < 6:
        raise _insufficient()
    ndigits, weight, sign = struct.unpack_from("!HhH", data)
    if sign not in (_NUMERIC_POS, _NUMERIC_NEG, _NUMERIC_NAN, _NUMERIC_PINF, _NUMERIC_NINF):
        raise errors.PgError(errors.INVALID_BINARY_REPRESENTATION, 'invalid sign in external "numeric" value')
    if len(data) < 8:
        raise _insufficient()
    (dscale,) = struct.unpack_from("!H", data, 6)
    if dscale > _DSCALE_MAX:
        raise errors.PgError(errors.INVALID_BINARY_REPRESENTATION, 'invalid scale in external "numeric" value')
    groups = []
    for pos in range(8, 8 + 2 * ndigits, 2):
        if pos + 2 > len(data):
            raise _insufficient()
        (group,) = struct.unpack_from("!h", data, pos)
        if not 0 <= group < 10000:
            raise errors.PgError(errors.INVALID_BINARY_REPRESENTATION, 'invalid digit in external "numeric" value')
        groups.append(group)
    if len(data) > 8 + 2 * len(groups):
        raise TrailingBytes()
    if sign == _NUMERIC_NAN:
        return _NAN
    if sign in (_NUMERIC_PINF, _NUMERIC_NINF):
        return _INF if sign == _NUMERIC_PINF else _NEG_INF
    digits = "".join([f"{g:04d}" for g in groups])
    exponent = 4 * (weight - ndigits + 1)  # value = digits × 10**exponent
    if exponent < -dscale:
        digits = digits[: max(0, len(digits) + exponent + dscale)]
    else:
        digits += "0" * (exponent + dscale)
    digits = digits.lstrip("0") or "0"
    negative = sign == _NUMERIC_NEG and digits != "0"
    return Decimal((negative, tuple(map(int, digits)), -dscale))


# ---------------------------------------------------------------------------------------------------
# Character types, bytea, uuid, json, jsonb


def _text_in(text: str) -> str:
    return text


def _name_in(text: str) -> str:
    """namein: cut to 63 bytes, at a character boundary."""
    encoded = text.encode()
    if len(encoded) < 64:
        return text
    cut = 63
    while encoded[cut] & 0xC0 == 0x80:
        cut -= 1
    return encoded[:cut].decode()


def _name_recv(data: bytes) -> str:
    text = _decode_text(data)
    if len(data) >= 64:
        raise errors.PgError(
            errors.NAME_TOO_LONG, "identifier too long", detail="Identifier must be less than 64 characters."
        )
    return text


def _text_out(value: str) -> bytes:
    return value.encode()


_HEX = re.compile(r"[ \t\n\r]*(?:[0-9a-fA-F]{2}[ \t\n\r]*)*")
_BYTEA_ESCAPE = re.compile(r"\\(?:([0-3][0-7]{2})|(\\))|\\")


def _bytea_in(text: str) -> bytes:
    """byteain: \\x and hex pairs (spaces between pairs), or the escape format with \\ooo and \\\\."""
    if text.startswith("\\x"):
        digits = text[2:]
        if _HEX.fullmatch(digits):
            return bytes.fromhex(digits)
        pos = 0
        while True:  # find what hex_decode would stumble on
            while pos < len(digits) and digits[pos] in " \t\n\r":
                pos += 1
            for step in (0, 1):
                if pos + step >= len(digits):
                    raise errors.PgError(
                        errors.INVALID_PARAMETER_VALUE, "invalid hexadecimal data: odd number of digits"
                    )
                if digits[pos + step] not in "0123456789abcdefABCDEF":
                    raise errors.PgError(
                        errors.INVALID_PARAMETER_VALUE, f'invalid hexadecimal digit: "{digits[pos + step]}"'
                    )
            pos += 2
    parts = []
    pos = 0
    for m in _BYTEA_ESCAPE.finditer(text):
        if m.lastindex is None:
            raise errors.PgError(errors.INVALID_TEXT_REPRESENTATION, "invalid input syntax for type bytea")
        parts.append(text[pos : m.start()].encode())
        parts.append(bytes([int(m[1], 8)]) if m[1] else b"\\")
        pos = m.end()
    parts.append(text[pos:].encode())
    return b"".join(parts)


def _bytea_out(value: bytes) -> bytes:
    return b"\\x" + value.hex().encode()


def _bytes_in(data: bytes) -> bytes:
    return bytes(data)


def _bytes_out(value: bytes) -> bytes:
    return value


_UUID_TEXT = re.compile(r"(\{)?(?:[0-9a-fA-F]{4}-?){7}[0-9a-fA-F]{4}(?(1)\})")


def _uuid_in(text: str) -> uuid.UUID:
    """uuid_in: 32 hex digits, a hyphen allowed after any group of four, optionally in braces."""
    if _UUID_TEXT.fullmatch(text) is None:
        raise _invalid("uuid", text)
    return uuid.UUID(text.strip("{}"))


def _uuid_out(value: uuid.UUID) -> bytes:
    return str(value).encode()


def _uuid_send(value: uuid.UUID) -> bytes:
    return value.bytes


_, _uuid_recv = _fixed("16s", lambda raw: uuid.UUID(bytes=raw))


# What only jsonb rejects: json keeps \uXXXX escapes as written (even \u0000 and lone surrogates)
# and numbers of any size.  Same-length stand-ins keep error positions where they were.
_JSON_ESCAPE = re.compile(r"\\(?:\\|u[0-9a-fA-F]{4})")
_JSON_NUMBER = re.compile(r"(?<![\w.])-?[0-9]+(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?")


def _json_in(text: str) -> bytes:
    """json_in: the text as written, once the jsonb parser finds it well formed."""
    checked = _JSON_ESCAPE.sub(lambda m: m[0] if m[0] == "\\\\" else "\\u0020", text) if "\\u" in text else text
    try:
        jsonb.canonical(checked)
    except errors.PgError as error:
        if error.sqlstate != errors.NUMERIC_VALUE_OUT_OF_RANGE:
            raise
        jsonb.canonical(_JSON_NUMBER.sub(lambda m: "1".ljust(len(m[0]), "0"), checked))
    return text.encode()


def _json_recv(data: bytes) -> bytes:
    return _json_in(_decode_text(data))


def _jsonb_send(value: bytes) -> bytes:
    return b"\x01" + value


def _jsonb_recv(data: bytes) -> bytes:
    """jsonb_recv: a version byte (only 1 exists), then the text."""
    if not data:
        raise _insufficient()
    if data[0] != 1:
        raise errors.PgError(errors.INTERNAL_ERROR, f"unsupported jsonb version number {data[0]}")
    return jsonb.canonical(_decode_text(data[1:]))


# ---------------------------------------------------------------------------------------------------
# Calendar arithmetic (src/backend/utils/adt/datetime.c, timestamp.c, date.c)

_POSTGRES_EPOCH_JDATE = 2451545  # 2000-01-01
_USECS_PER_DAY = 86_400_000_000
_USECS_PER_HOUR = 3_600_000_000
_USECS_PER_MINUTE = 60_000_000
_DATE_NOBEGIN, _DATE_NOEND = -(1 << 31), (1 << 31) - 1
_DATE_MIN, _DATE_END = -_POSTGRES_EPOCH_JDATE, 2147483494 - _POSTGRES_EPOCH_JDATE
_DT_NOBEGIN, _DT_NOEND = -(1 << 63), (1 << 63) - 1
_TIMESTAMP_MIN, _TIMESTAMP_END = -211813488000000000, 9223371331200000000
_ORDINAL_2000 = 730120  # date(2000, 1, 1).toordinal()
_PY_DAYS = (1 - _ORDINAL_2000, 3652059 - _ORDINAL_2000)  # date.min and date.max as day counts
_PY_USECS = (_PY_DAYS[0] * _USECS_PER_DAY, (_PY_DAYS[1] + 1) * _USECS_PER_DAY)
_EPOCH = datetime(2000, 1, 1)
_EPOCH_UTC = datetime(2000, 1, 1, tzinfo=timezone.utc)
_DAYS_IN_MONTH = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def _date2j(year: int, month: int, day: int) -> int:
    if month > 2:
        month += 1
        year += 4800
    else:
        month += 13
        year += 4799
    century = _c_div(year, 100)
    return year * 365 - 32167 + _c_div(year, 4) - century + _c_div(century, 4) + _c_div(7834 * month, 256) + day


def _j2date(jd: int) -> tuple[int, int, int]:
    """j2date, in its unsigned 32-bit arithmetic."""
    julian = (jd + 32044) & 0xFFFFFFFF
    quad = julian // 146097
    extra = ((julian - quad * 146097) * 4 + 3) & 0xFFFFFFFF
    julian = (julian + 60 + quad * 3 + extra // 146097) & 0xFFFFFFFF
    quad = julian // 1461
    julian -= quad * 1461
    y = (julian * 4 & 0xFFFFFFFF) // 1461
    julian = ((julian + 305) % 365 if y != 0 else (julian + 306) % 366) + 123
    y += quad * 4
    quad = julian * 2141 // 65536
    return y - 4800, (quad + 10) % 12 + 1, julian - 7834 * quad // 256


def _is_leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def _valid_julian(year: int, month: int) -> bool:
    """IS_VALID_JULIAN: from 4714-11-01 BC up to (not including) 5874898-06-01."""
    return (year > -4713 or (year == -4713 and month >= 11)) and (year < 5874898 or (year == 5874898 and month < 6))


def _date_value(days: int) -> date | FarDatetime:
    if _PY_DAYS[0] <= days <= _PY_DAYS[1]:
        return date.fromordinal(days + _ORDINAL_2000)
    return FarDatetime(days)


def _date_days(value: date | FarDatetime) -> int:
    if isinstance(value, FarDatetime):
        return value.count
    return value.toordinal() - _ORDINAL_2000


def _timestamp_value(usecs: int, aware: bool) -> datetime | FarDatetime:
    if _PY_USECS[0] <= usecs < _PY_USECS[1]:
        return (_EPOCH_UTC if aware else _EPOCH) + timedelta(microseconds=usecs)
    return FarDatetime(usecs)


def _timestamp_usecs(value: datetime | FarDatetime) -> int:
    if isinstance(value, FarDatetime):
        return value.count
    offset = value.utcoffset()
    delta = value.replace(tzinfo=None) - _EPOCH - (offset or timedelta())
    return (delta.days * 86400 + delta.seconds) * 1_000_000 + delta.microseconds


def _fraction_text(usecs: int) -> str:
    """AppendSeconds' fraction: up to six digits, trailing zeros dropped."""
    return "." + f"{usecs:06d}".rstrip("0") if usecs else ""


def _ymd(year: int, month: int, day: int) -> str:
    """The ISO date part; astronomical year 0 is 1 BC, and the caller appends the " BC"."""
    return f"{1 - year if year <= 0 else year:04d}-{month:02d}-{day:02d}"


def _date_out(value: date | FarDatetime) -> bytes:
    if isinstance(value, date):
        return b"%04d-%02d-%02d" % (value.year, value.month, value.day)
    if value.count in (_DATE_NOBEGIN, _DATE_NOEND):
        return b"infinity" if value.count > 0 else b"-infinity"
    year, month, day = _j2date(value.count + _POSTGRES_EPOCH_JDATE)
    return (_ymd(year, month, day) + (" BC" if year <= 0 else "")).encode()


def _timestamp_text(value: datetime | FarDatetime, zone: str) -> bytes:
    """EncodeDateTime in ISO style; ``zone`` is what a timestamptz prints after the seconds."""
    if isinstance(value, datetime):
        text = f"{_ymd(value.year, value.month, value.day)} {value.hour:02d}:{value.minute:02d}:{value.second:02d}"
        return (text + _fraction_text(value.microsecond) + zone).encode()
    if value.count in (_DT_NOBEGIN, _DT_NOEND):
        return b"infinity" if value.count > 0 else b"-infinity"
    days, usecs = divmod(value.count, _USECS_PER_DAY)
    seconds, fraction = divmod(usecs, 1_000_000)
    year, month, day = _j2date(days + _POSTGRES_EPOCH_JDATE)
    minutes, second = divmod(seconds, 60)
    text = f"{_ymd(year, month, day)} {minutes // 60:02d}:{minutes % 60:02d}:{second:02d}"
    return (text + _fraction_text(fraction) + zone + (" BC" if year <= 0 else "")).encode()


def _timestamp_out(value: datetime | FarDatetime) -> bytes:
    return _timestamp_text(value, "")


def _timestamptz_out(value: datetime | FarDatetime) -> bytes:
    """timestamptz_out in the session's UTC; another offset is converted first."""
    if isinstance(value, datetime) and value.utcoffset():
        value = _timestamp_value(_timestamp_usecs(value), True)
    return _timestamp_text(value, "+00")


_INT32 = struct.Struct("!i")
_INT64 = struct.Struct("!q")


def _date_send(value: date | FarDatetime) -> bytes:
    return _INT32.pack(_date_days(value))


def _checked_date(days: int) -> date | FarDatetime:
    """date_recv's range check: the Julian-day range, or one of the two infinities."""
    if days not in (_DATE_NOBEGIN, _DATE_NOEND) and not _DATE_MIN <= days < _DATE_END:
        raise errors.PgError(errors.DATETIME_FIELD_OVERFLOW, "date out of range")
    return _date_value(days)


def _timestamp_send(value: datetime | FarDatetime) -> bytes:
    return _INT64.pack(_timestamp_usecs(value))


def _checked_timestamp(aware: bool) -> Callable[[int], datetime | FarDatetime]:
    """timestamp_recv's range check: 4714-11-24 BC to 294276 AD, or one of the two infinities."""

    def check(usecs: int) -> datetime | FarDatetime:
        if usecs not in (_DT_NOBEGIN, _DT_NOEND) and not _TIMESTAMP_MIN <= usecs < _TIMESTAMP_END:
            raise errors.PgError(errors.DATETIME_FIELD_OVERFLOW, "timestamp out of range")
        return _timestamp_value(usecs, aware)

    return check


# ---------------------------------------------------------------------------------------------------
# Date/time input: a port of ParseDateTime, DecodeDateTime and DecodeInterval (PostgreSQL 15)


class _DateTimeError(Exception):
    """A DTERR code; the caller turns it into PostgreSQL's message for the whole input string."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code  # format, field, md_field, tzdisp


def _bad() -> _DateTimeError:
    return _DateTimeError("format")


def _field_overflow() -> _DateTimeError:
    return _DateTimeError("field")


# Field kinds from ParseDateTime
_F_NUMBER, _F_STRING, _F_DATE, _F_TIME, _F_TZ, _F_SPECIAL = range(6)

# Token types; each is also its bit in the field masks (DTK_M)
_RESERV, _MONTH, _YEAR, _DAY, _JULIAN, _TZ, _DTZ, _DYNTZ, _IGNORE, _AMPM = range(10)
_HOUR, _MINUTE, _SECOND, _MILLISECOND, _MICROSECOND, _DOY, _DOW, _UNITS, _ADBC, _AGO = range(10, 20)
_ISOTIME, _WEEK, _DECADE, _CENTURY, _MILLENNIUM, _DTZMOD, _UNKNOWN = 23, 24, 25, 26, 27, 28, 31
_DATE_M = 1 << _YEAR | 1 << _MONTH | 1 << _DAY
_ALL_SECS_M = 1 << _SECOND | 1 << _MILLISECOND | 1 << _MICROSECOND
_TIME_M = 1 << _HOUR | 1 << _MINUTE | _ALL_SECS_M
_TOKMAXLEN = 10  # keywords are compared on their first ten characters

_MONTH_NAMES = (
    "jan january feb february mar march apr april may may jun june "
    "jul july aug august sep september oct october nov november dec december"
).split()
_DATE_TOKENS: dict[str, tuple[int, Any]] = {  # datetktbl
    "-infinity": (_RESERV, "early"),
    "ad": (_ADBC, False),
    "allballs": (_RESERV, "zulu"),
    "am": (_AMPM, "am"),
    "at": (_IGNORE, None),
    "bc": (_ADBC, True),
    "d": (_UNITS, "day"),
    "dow": (_UNITS, "dow"),
    "doy": (_UNITS, "doy"),
    "dst": (_DTZMOD, 3600),
    "epoch": (_RESERV, "epoch"),
    "h": (_UNITS, "hour"),
    "infinity": (_RESERV, "late"),
    "isodow": (_UNITS, "isodow"),
    "isoyear": (_UNITS, "isoyear"),
    "j": (_UNITS, "julian"),
    "jd": (_UNITS, "julian"),
    "julian": (_UNITS, "julian"),
    "m": (_UNITS, "month"),
    "mm": (_UNITS, "minute"),
    "now": (_RESERV, "now"),
    "on": (_IGNORE, None),
    "pm": (_AMPM, "pm"),
    "s": (_UNITS, "second"),
    "sept": (_MONTH, 9),
    "t": (_ISOTIME, "time"),
    "today": (_RESERV, "today"),
    "tomorrow": (_RESERV, "tomorrow"),
    "y": (_UNITS, "year"),
    "yesterday": (_RESERV, "yesterday"),
    **{name: (_MONTH, i // 2 + 1) for i, name in enumerate(_MONTH_NAMES)},
    **{
        name: (_DOW, day)
        for day, names in enumerate(
            ["sun sunday", "mon monday", "tue tues tuesday", "wed weds wednesday", "thu thur thurs thursday"]
            + ["fri friday", "sat saturday"]
        )
        for name in names.split()
    },
}
_UNIT_NAMES = {  # deltatktbl, by unit
    "century": "c cent centuries century",
    "day": "d day days",
    "decade": "dec decade decades decs",
    "hour": "h hour hours hr hrs",
    "minute": "m min mins minute minutes",
    "microsec": "microsecon us usec usecs useconds",
    "millennium": "mil millennia millennium mils",
    "millisec": "millisecon ms msec msecs mseconds",
    "month": "mon mons month months",
    "quarter": "qtr quarter",
    "second": "s sec second seconds secs",
    "tz": "timezone",
    "tz_hour": "timezone_h",
    "tz_minute": "timezone_m",
    "week": "w week weeks",
    "year": "y year years yr yrs",
}
_DELTA_TOKENS: dict[str, tuple[int, Any]] = {
    "@": (_IGNORE, None),
    "ago": (_AGO, None),
    **{name: (_UNITS, unit) for unit, names in _UNIT_NAMES.items() for name in names.split()},
}

# The "Default" timezone_abbreviations set: fixed offsets east of UTC in seconds ("D" marks daylight
# time), then abbreviations whose offset follows a zone's history.
_FIXED_ABBREVIATIONS = """
eat 10800 sast 7200 wat 3600 act -18000 akdt -28800D akst -32400 bot -14400 bra -10800 brst -7200D brt -10800
cot -18000 cdt -18000D clst -10800D cst -21600 edt -14400D egst 0D egt -3600 est -18000 fnt -7200 fnst -3600D
gft -10800 mdt -21600D mst -25200 ndt -9000D nft -12600 nst -12600 pet -18000 pdt -25200D pmdt -7200D
pmst -10800 pst -28800 pyst -10800D uyst -7200D uyt -10800 wgst -7200D wgt -10800 ddut 36000 aft 16200
almt 21600 almst 25200D amt -14400 bdt 21600 bnt 28800 bort 28800 btt 21600 cct 28800 hkt 28800 ict 25200
idt 10800D irt 12600 ist 7200 jayt 32400 jst 32400 kdt 36000D kgst 21600D kst 32400 mmt 23400 myt 28800
npt 20700 pht 28800 pkt 18000 pkst 21600D tjt 18000 ulast 32400D uzst 21600D uzt 18000 xjt 21600
yekst 21600D adt -10800D ast -14400 azost 0D azot -3600 acsst 37800D acdt 37800D acst 34200 acwst 31500
aesst 39600D aedt 39600D aest 36000 awsst 32400D awst 28800 cadt 37800D cast 34200 lhst 37800 ligt 36000
nzt 43200 sadt 37800D wadt 28800D wast 25200 wdt 32400D gmt 0 uct 0 ut 0 utc 0 z 0 zulu 0 bst 3600D
bdst 7200D cest 7200D cet 3600 cetdst 7200D eest 10800D eet 7200 eetdst 10800D fet 10800 mest 7200D
mesz 7200D met 3600 metdst 7200D mez 3600 msd 14400D wet 0 wetdst 3600D cxt 25200 mut 14400 must 18000D
mvt 18000 ret 14400 sct 14400 tft 18000 chadt 49500D chast 45900 chut 36000 fjst 46800D fjt 43200
galt -21600 gamt -32400 gilt 43200 hst -36000 mart -34200 mht 43200 mpt 36000 nzdt 46800D nzst 43200
pgt 36000 pont 39600 pwt 32400 taht -36000 tot 46800 trut 36000 tvt 43200 vut 39600 wakt 43200 wft 43200
yapt 36000
""".split()
_DYNAMIC_ABBREVIATIONS = """
art=America/Argentina/Buenos_Aires arst=America/Argentina/Buenos_Aires clt=America/Santiago gyt=America/Guyana
pyt=America/Asuncion vet=America/Caracas davt=Antarctica/Davis mawt=Antarctica/Mawson amst=Asia/Yerevan
anast=Asia/Anadyr anat=Asia/Anadyr azst=Asia/Baku azt=Asia/Baku gest=Asia/Tbilisi get=Asia/Tbilisi
irkst=Asia/Irkutsk irkt=Asia/Irkutsk kgt=Asia/Bishkek krast=Asia/Krasnoyarsk krat=Asia/Krasnoyarsk
lkt=Asia/Colombo magst=Asia/Magadan magt=Asia/Magadan novst=Asia/Novosibirsk novt=Asia/Novosibirsk
omsst=Asia/Omsk omst=Asia/Omsk petst=Asia/Kamchatka pett=Asia/Kamchatka sgt=Asia/Singapore tmt=Asia/Ashgabat
ulat=Asia/Ulaanbaatar vlast=Asia/Vladivostok vlat=Asia/Vladivostok yakst=Asia/Yakutsk yakt=Asia/Yakutsk
yekt=Asia/Yekaterinburg fkst=Atlantic/Stanley fkt=Atlantic/Stanley lhdt=Australia/Lord_Howe msk=Europe/Moscow
volt=Europe/Volgograd iot=Indian/Chagos ckt=Pacific/Rarotonga easst=Pacific/Easter east=Pacific/Easter
kost=Pacific/Kosrae lint=Pacific/Kiritimati nut=Pacific/Niue tkt=Pacific/Fakaofo
""".split()
_ABBREVIATIONS: dict[str, tuple[int, Any]] = {
    **{
        name: (_DTZ if offset.endswith("D") else _TZ, int(offset.rstrip("D")))
        for name, offset in zip(_FIXED_ABBREVIATIONS[::2], _FIXED_ABBREVIATIONS[1::2], strict=True)
    },
    **{name: (_DYNTZ, zone) for name, _, zone in (entry.partition("=") for entry in _DYNAMIC_ABBREVIATIONS)},
}


def _token(table: dict[str, tuple[int, Any]], word: str) -> tuple[int, Any]:
    return table.get(word[:_TOKMAXLEN], (_UNKNOWN, None))


@cache
def _zone_names() -> dict[str, str]:
    """Zone names by lower case: pg_tzset looks names up without regard to case."""
    return {name.lower(): name for name in zoneinfo.available_timezones()}


_POSIX_OFFSET = r"([+-]?)([0-9]+)(?::([0-9]*)(?::([0-9]*))?)?"
_POSIX_STD = re.compile(rf"[^0-9,+-]*{_POSIX_OFFSET}(.*)", re.S)
_POSIX_DST = re.compile(rf"[^0-9,+-]+(?:{_POSIX_OFFSET})?")


def _posix_offset(sign: str, hours: str, minutes: str | None, seconds: str | None) -> timedelta | None:
    """tzcode's getoffset: hours up to 167, minutes and seconds; a positive offset is west of UTC."""
    parts = [hours, "0" if minutes is None else minutes, "0" if seconds is None else seconds]
    if "" in parts or any(len(p.lstrip("0")) > 3 for p in parts):
        return None
    if int(hours) > 167 or int(parts[1]) > 59 or int(parts[2]) > 60:
        return None
    west = timedelta(hours=int(hours), minutes=int(parts[1]), seconds=int(parts[2]))
    return west if sign == "-" else -west


class _PosixZone(tzinfo):
    """A POSIX TZ spec "std offset [dst [offset]]" without rules, as tzparse reads it: daylight time
    comes and goes at the wall-clock moments of the "posixrules" zone, America/New_York.  Offsets may
    reach a week, beyond what datetime.timezone allows."""

    def __init__(self, std: timedelta, dst: timedelta | None) -> None:
        self._std, self._dst = std, dst

    def utcoffset(self, dt: datetime | None) -> timedelta:
        if self._dst is None or dt is None or not dt.replace(tzinfo=_zone("America/New_York")).dst():
            return self._std
        return self._dst


def _zone(name: str) -> tzinfo | None:
    """pg_tzset: a zone file by name, else a POSIX spec such as "utc+3" (three hours west of UTC)."""
    if len(name) > 255:
        return None
    key = _zone_names().get(name.lower())
    if key:
        return zoneinfo.ZoneInfo(key)
    m = _POSIX_STD.fullmatch(name)
    std = _posix_offset(*m.group(1, 2, 3, 4)) if m else None
    if m is None or std is None:
        return None
    if not m[5]:
        return _PosixZone(std, None)
    d = _POSIX_DST.fullmatch(m[5])  # without rules nothing may follow
    dst = _posix_offset(*d.group(1, 2, 3, 4)) if d and d[2] else std + timedelta(hours=1) if d else None
    return _PosixZone(std, dst) if dst is not None else None


class _Tm:
    """struct pg_tm with fsec, and the is2digits flag the decoders pass around."""

    __slots__ = ("year", "mon", "mday", "hour", "min", "sec", "fsec", "yday", "is2digits")

    def __init__(self) -> None:
        self.year = self.mon = self.mday = self.hour = self.min = self.sec = self.fsec = self.yday = 0
        self.is2digits = False


def _strtol(text: str, pos: int = 0, bits: int = 32) -> tuple[int, int, bool]:
    """strtol/strtoint/strtoi64: (value, end, overflowed); end is pos when no digits were found."""
    m = _INT_PREFIX.match(text, pos)
    if m is None:
        return 0, pos, False
    digits = m[2].lstrip("0") or "0"  # int() refuses over 4300 digits, even zeros
    if len(digits) > 20:
        return 0, m.end(), True
    value = int(m[1] + digits)
    return value, m.end(), not -(1 << (bits - 1)) <= value < 1 << (bits - 1)


def _wrap32(value: int) -> int:
    """C int arithmetic that overflows."""
    return (value + (1 << 31)) % (1 << 32) - (1 << 31)


def _atoi(text: str) -> int:
    return _wrap32(_strtol(text, 0, 64)[0])


def _strtod_at(text: str, pos: int) -> tuple[float, int] | None:
    """strtod at pos: (value, end), or None for errno (ERANGE) or no number."""
    m = _STRTOD.match(text, pos)
    if m is None:
        return None
    value, _ = _strtod(m[0])
    return None if _range_error(m[0], value) else (value, m.end())


def _parse_fraction(text: str) -> float:
    """ParseFraction: "." alone is zero; otherwise strtod must take it all."""
    if text == ".":
        return 0.0
    parsed = _strtod_at(text, 0)
    if parsed is None or parsed[1] != len(text):
        raise _bad()
    return parsed[0]


def _parse_fractional_second(text: str) -> int:
    return round(_parse_fraction(text) * 1_000_000)


def _is_digit(c: str) -> bool:
    return "0" <= c <= "9"


def _is_alpha(c: str) -> bool:
    return "a" <= c <= "z" or "A" <= c <= "Z"


# ParseDateTime's field shapes, tried in its order at each position.
_DATETIME_FIELD = re.compile(
    r"""(?P<space>[ \t\n\r\v\f]+)
    | (?P<time>[0-9]+:[0-9:.]*)
    | (?P<date>[0-9]+(?:-[0-9]+(?:-[0-9-]*)?|/[0-9]+(?:/[0-9/]*)?|\.[0-9]+\.[0-9.]*))
    | (?P<number>[0-9]+\.[0-9]+|[0-9]+(?![-/.0-9])|\.[0-9]*)
    | (?P<textdate>[0-9]+(?:-[0-9A-Za-z-]*|/[0-9A-Za-z/]*|\.[0-9A-Za-z.]*))
    | (?P<alpha>[A-Za-z]+)(?P<tail>(?:[-+/.0-9][-+/_.:0-9A-Za-z]*)?)
    | (?P<sign>[+-])[ \t\n\r\v\f]*(?:(?P<tz>[0-9][0-9:.-]*)|(?P<special>[A-Za-z]+))?
    | (?P<punct>[!-/:-@[-`{-~])""",
    re.VERBOSE,
)


def _parse_datetime(text: str, buffer: int) -> list[tuple[int, str]]:
    """ParseDateTime: split into typed, lower-cased fields, within PostgreSQL's 25 fields and work buffer."""
    fields: list[tuple[int, str]] = []
    used = 0
    pos, end = 0, len(text)
    while pos < end:
        m = _DATETIME_FIELD.match(text, pos)
        if m is None:
            raise _bad()
        group = m.lastgroup
        pos = m.end()
        if group in ("space", "punct"):
            continue
        field = m[0]
        if group == "time":
            kind = _F_TIME
        elif group == "date":
            kind = _F_DATE
        elif group == "number":
            kind = _F_NUMBER
        elif group == "textdate":
            kind, field = _F_DATE, field.lower()
        elif group == "tail":
            # a word; it runs on into a date or zone name, unless a keyword stands before a digit or "+"
            word, tail = m["alpha"].lower(), m["tail"]
            if tail and (tail[0] in "-/." or _token(_DATE_TOKENS, word)[0] == _UNKNOWN):
                kind, field = _F_DATE, field.lower()
            else:
                kind, field, pos = _F_STRING, word, m.start("tail")
        elif m["tz"] is not None:
            kind, field = _F_TZ, m["sign"] + m["tz"]
        elif m["special"] is not None:
            kind, field = _F_SPECIAL, m["sign"] + m["special"].lower()
        else:
            raise _bad()
        if len(fields) >= 25 or used + len(field) >= buffer:
            raise _bad()
        used += len(field) + 1
        fields.append((kind, field))
    return fields


def _decode_timezone(text: str) -> int:
    """DecodeTimezone: ±hh[:mm[:ss]] or ±hhmm, as PostgreSQL's tz (seconds west of UTC)."""
    if not text or text[0] not in "+-":
        raise _bad()
    hour, pos, overflow = _strtol(text, 1)
    if overflow:
        raise _DateTimeError("tzdisp")
    minute = second = 0
    if pos < len(text) and text[pos] == ":":
        minute, pos, overflow = _strtol(text, pos + 1)
        if overflow:
            raise _DateTimeError("tzdisp")
        if pos < len(text) and text[pos] == ":":
            second, pos, overflow = _strtol(text, pos + 1)
            if overflow:
                raise _DateTimeError("tzdisp")
    elif pos == len(text) and len(text) > 3:
        hour, minute = _c_div(hour, 100), hour - _c_div(hour, 100) * 100
    if not 0 <= hour <= 15 or not 0 <= minute < 60 or not 0 <= second < 60:
        raise _DateTimeError("tzdisp")
    tz = (hour * 60 + minute) * 60 + second
    if pos != len(text):
        raise _bad()
    return tz if text[0] == "-" else -tz


def _decode_time_common(text: str) -> tuple[int, int, int, int]:
    """DecodeTimeCommon: h:m[:s[.f]] or m:s.f, as (hours, minutes, seconds, microseconds)."""
    hour, pos, overflow = _strtol(text, 0, 64)
    if overflow:
        raise _field_overflow()
    if pos >= len(text) or text[pos] != ":":
        raise _bad()
    minute, pos, overflow = _strtol(text, pos + 1)
    if overflow:
        raise _field_overflow()
    second = fsec = 0
    if pos < len(text) and text[pos] == ".":  # mm:ss.sss
        fsec = _parse_fractional_second(text[pos:])
        if not -(1 << 31) <= hour < 1 << 31:
            raise _field_overflow()
        hour, minute, second = 0, hour, minute
    elif pos < len(text) and text[pos] == ":":
        second, pos, overflow = _strtol(text, pos + 1)
        if overflow:
            raise _field_overflow()
        if pos < len(text):
            if text[pos] != ".":
                raise _bad()
            fsec = _parse_fractional_second(text[pos:])
    elif pos < len(text):
        raise _bad()
    if hour < 0 or not 0 <= minute <= 59 or not 0 <= second <= 60 or not 0 <= fsec <= 1_000_000:
        raise _field_overflow()
    return hour, minute, second, fsec


def _decode_number_field(text: str, fmask: int, tm: _Tm) -> int:
    """DecodeNumberField: run-together yyyymmdd, hhmmss or hhmm, maybe with a fraction; returns tmask."""
    point = text.find(".")
    if point >= 0:
        if point + 1 < len(text):
            parsed = _strtod_at(text, point)
            if parsed is None:
                raise _bad()
            tm.fsec = round(parsed[0] * 1_000_000)
        else:
            tm.fsec = 0
        text = text[:point]
    elif fmask & _DATE_M != _DATE_M and len(text) >= 6:
        tm.mday, tm.mon, tm.year = _atoi(text[-2:]), _atoi(text[-4:-2]), _atoi(text[:-4])
        if len(text) == 6:
            tm.is2digits = True
        return _DATE_M
    if fmask & _TIME_M != _TIME_M and len(text) in (4, 6):
        tm.hour, tm.min, tm.sec = _atoi(text[:2]), _atoi(text[2:4]), _atoi(text[4:6])
        return _TIME_M
    raise _bad()


def _decode_number(text: str, have_text_month: bool, fmask: int, tm: _Tm) -> int:
    """DecodeNumber: a plain number, read as year, month, day or time by what came before (MDY)."""
    value, pos, overflow = _strtol(text)
    if overflow:
        raise _field_overflow()
    if pos == 0:
        raise _bad()
    if pos < len(text):
        if text[pos] != ".":
            raise _bad()
        if pos > 2:
            return _decode_number_field(text, fmask | _DATE_M, tm)
        tm.fsec = _parse_fractional_second(text[pos:])
    length = len(text)
    if length == 3 and fmask & _DATE_M == 1 << _YEAR and 1 <= value <= 366:
        tm.yday = value
        return 1 << _DOY | 1 << _MONTH | 1 << _DAY
    have = fmask & _DATE_M
    if have == _DATE_M:
        return _decode_number_field(text, fmask, tm)
    if have == 0:
        tmask = 1 << _YEAR if length >= 3 else 1 << _MONTH
    elif have == 1 << _YEAR or have == 1 << _DAY:
        tmask = 1 << _MONTH
    elif have == 1 << _MONTH:
        tmask = 1 << _YEAR if have_text_month and length >= 3 else 1 << _DAY
    elif have == 1 << _YEAR | 1 << _MONTH:
        if have_text_month and length >= 3 and tm.is2digits:  # DD-MON-YYYY after all
            tm.mday, tm.year, tm.is2digits = tm.year, value, False
            return 1 << _DAY
        tmask = 1 << _DAY
    elif have == 1 << _MONTH | 1 << _DAY:
        tmask = 1 << _YEAR
    else:
        raise _bad()
    if tmask == 1 << _YEAR:
        tm.year = value
        tm.is2digits = length <= 2
    elif tmask == 1 << _MONTH:
        tm.mon = value
    else:
        tm.mday = value
    return tmask


# A digit or letter run after separators; the character after a run is dropped, whatever it is.
_DATE_PART = re.compile(r"[^0-9A-Za-z]*([0-9]+|[A-Za-z]*)(?s:.)?")


def _decode_date(text: str, fmask: int, tm: _Tm) -> int:
    """DecodeDate: a date with delimiters; month names first, then the numbers in context."""
    parts: list[str | None] = []
    pos, end = 0, len(text)
    while pos < end and len(parts) < 25:
        m = _DATE_PART.match(text, pos)
        if m is None or not m[1]:
            raise _bad()  # the string ended after a separator
        parts.append(m[1])
        pos = m.end()
    tmask = 0
    have_text_month = False
    for i, part in enumerate(parts):
        if part and _is_alpha(part[0]):
            kind, value = _token(_DATE_TOKENS, part)
            if kind == _IGNORE:
                continue
            if kind != _MONTH or fmask & 1 << _MONTH:
                raise _bad()
            tm.mon, have_text_month = value, True
            fmask |= 1 << _MONTH
            tmask |= 1 << _MONTH
            parts[i] = None
    for part in parts:
        if part is None:
            continue
        dmask = _decode_number(part, have_text_month, fmask, tm)
        if fmask & dmask:
            raise _bad()
        fmask |= dmask
        tmask |= dmask
    if fmask & ~(1 << _DOY | 1 << _TZ) != _DATE_M:
        raise _bad()
    return tmask


def _validate_date(fmask: int, is_julian: bool, bc: bool, tm: _Tm) -> None:
    """ValidateDate: BC and two-digit years, day of year, then month and day ranges."""
    if fmask & 1 << _YEAR and not is_julian:
        if bc:
            if tm.year <= 0:
                raise _field_overflow()
            tm.year = 1 - tm.year
        elif tm.is2digits:
            if tm.year < 0:
                raise _field_overflow()
            tm.year += 2000 if tm.year < 70 else 1900 if tm.year < 100 else 0
        elif tm.year <= 0:
            raise _field_overflow()
    if fmask & 1 << _DOY:
        tm.year, tm.mon, tm.mday = _j2date(_date2j(tm.year, 1, 1) + tm.yday - 1)
    if fmask & 1 << _MONTH and not 1 <= tm.mon <= 12:
        raise _DateTimeError("md_field")
    if fmask & 1 << _DAY and not 1 <= tm.mday <= 31:
        raise _DateTimeError("md_field")
    if fmask & _DATE_M == _DATE_M and tm.mday > _DAYS_IN_MONTH[tm.mon - 1] + (tm.mon == 2 and _is_leap(tm.year)):
        raise _field_overflow()


def _local(tm: _Tm) -> datetime:
    """The wall-clock time, moved into the years datetime can hold (zone rules beyond are a guess)."""
    year = min(max(tm.year, 2), 9998)
    day = tm.mday if year == tm.year else min(tm.mday, 28)
    return datetime(year, tm.mon, day) + timedelta(seconds=(tm.hour * 60 + tm.min) * 60 + tm.sec)


def _zone_offset(tm: _Tm, zone: tzinfo) -> int:
    """DetermineTimeZoneOffset: a skipped or repeated local time takes the later UTC instant."""
    if not _valid_julian(tm.year, tm.mon):
        return 0
    local = _local(tm)
    offsets = [zone.utcoffset(local.replace(fold=fold)) for fold in (0, 1)]
    return -int(min(o for o in offsets if o is not None).total_seconds())


def _abbreviation_offset(tm: _Tm, abbreviation: str, zone: tzinfo) -> int:
    """DetermineTimeZoneAbbrevOffset: what the abbreviation meant in its zone at that time, or most
    recently before, else next after; zoneinfo hides transitions, so look week by week."""
    tz = _zone_offset(tm, zone)
    instant = (_local(tm) + timedelta(seconds=tz)).replace(tzinfo=timezone.utc)
    for step in (timedelta(weeks=-1), timedelta(weeks=1)):
        probe = instant
        for _ in range(10_000):
            local = probe.astimezone(zone)
            offset = local.utcoffset()
            if local.tzname() == abbreviation.upper() and offset is not None:
                return -int(offset.total_seconds())
            try:
                probe += step
            except OverflowError:
                break
    return tz


_RELATIVE_DAYS = {"yesterday": -1, "today": 0, "tomorrow": 1}


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _decode_datetime(fields: list[tuple[int, str]]) -> tuple[str, _Tm, int]:
    """DecodeDateTime: (dtype, fields, tz); dtype is "date", "epoch", "late" or "early"."""
    fmask = 0
    ptype: str | None = None
    meridian: str | None = None
    have_text_month = is_julian = bc = False
    zone: tzinfo | None = None
    abbreviation: tuple[str, tzinfo] | None = None
    dtype = "date"
    tm = _Tm()
    tz = 0
    for i, (kind, field) in enumerate(fields):
        if kind == _F_DATE:
            if ptype == "julian":
                jday, pos, overflow = _strtol(field)
                if overflow or jday < 0:
                    raise _field_overflow()
                tm.year, tm.mon, tm.mday = _j2date(jday)
                is_julian = True
                tz = _decode_timezone(field[pos:])
                tmask = _DATE_M | _TIME_M | 1 << _TZ
                ptype = None
            elif ptype is not None or fmask & (1 << _MONTH | 1 << _DAY) == 1 << _MONTH | 1 << _DAY:
                if _is_digit(field[0]) or ptype is not None:
                    if ptype is not None:
                        if ptype != "time":
                            raise _bad()
                        ptype = None
                    if fmask & _TIME_M == _TIME_M:
                        raise _bad()
                    dash = field.find("-")
                    if dash < 0:
                        raise _bad()
                    tz = _decode_timezone(field[dash:])
                    tmask = _decode_number_field(field[:dash], fmask, tm) | 1 << _TZ
                else:
                    zone = _zone(field)
                    if zone is None:
                        raise errors.PgError(errors.INVALID_PARAMETER_VALUE, f'time zone "{field}" not recognized')
                    tmask = 1 << _TZ
            else:
                tmask = _decode_date(field, fmask, tm)
        elif kind == _F_TIME:
            if ptype is not None:
                if ptype != "time":
                    raise _bad()
                ptype = None
            hour, tm.min, tm.sec, tm.fsec = _decode_time_common(field)
            if hour >= 1 << 31:
                raise _field_overflow()
            tm.hour = hour
            tmask = _TIME_M
            if hour > 24 or ((hour * 60 + tm.min) * 60 + tm.sec) * 1_000_000 + tm.fsec > _USECS_PER_DAY:
                raise _field_overflow()
        elif kind == _F_TZ:
            tz = _decode_timezone(field)
            tmask = 1 << _TZ
        elif kind == _F_NUMBER:
            if ptype is not None:  # a number after a unit keyword: "y 2024 m 1 d 2", "j 2451545", "t 040506"
                value, pos, overflow = _strtol(field)
                if overflow:
                    raise _field_overflow()
                rest = field[pos:]
                if rest and (rest[0] != "." or ptype not in ("julian", "time", "second")):
                    raise _bad()
                if ptype == "year":
                    tm.year, tmask = value, 1 << _YEAR
                elif ptype == "month" and fmask & 1 << _MONTH and fmask & 1 << _HOUR:  # "m" after an hour
                    tm.min, tmask = value, 1 << _MINUTE
                elif ptype == "month":
                    tm.mon, tmask = value, 1 << _MONTH
                elif ptype == "day":
                    tm.mday, tmask = value, 1 << _DAY
                elif ptype == "hour":
                    tm.hour, tmask = value, 1 << _HOUR
                elif ptype == "minute":
                    tm.min, tmask = value, 1 << _MINUTE
                elif ptype == "second":
                    tm.sec, tmask = value, 1 << _SECOND
                    if rest:
                        tm.fsec, tmask = _parse_fractional_second(rest), _ALL_SECS_M
                elif ptype == "julian":
                    if value < 0:
                        raise _field_overflow()
                    tmask = _DATE_M
                    tm.year, tm.mon, tm.mday = _j2date(value)
                    is_julian = True
                    if rest:  # a fraction of a day
                        usecs = int(_parse_fraction(rest) * _USECS_PER_DAY)
                        tm.hour, usecs = divmod(usecs, _USECS_PER_HOUR)
                        tm.min, usecs = divmod(usecs, _USECS_PER_MINUTE)
                        tm.sec, tm.fsec = divmod(usecs, 1_000_000)
                        tmask |= _TIME_M
                elif ptype == "time":
                    tmask = _decode_number_field(field, fmask | _DATE_M, tm)
                    if tmask != _TIME_M:
                        raise _bad()
                else:
                    raise _bad()
                ptype = None
                dtype = "date"
            else:
                point = field.find(".")
                if point >= 0 and not fmask & _DATE_M:
                    tmask = _decode_date(field, fmask, tm)
                elif point > 2 or (len(field) >= 6 and (not fmask & _DATE_M or not fmask & _TIME_M)):
                    tmask = _decode_number_field(field, fmask, tm)
                else:
                    tmask = _decode_number(field, have_text_month, fmask, tm)
        else:  # _F_STRING, _F_SPECIAL
            kind, value = _token(_ABBREVIATIONS, field)
            if kind == _UNKNOWN:
                kind, value = _token(_DATE_TOKENS, field)
            if kind == _IGNORE:
                continue
            tmask = 1 << kind
            if kind == _RESERV:
                if value == "now":  # the transaction's start in PostgreSQL; here, this moment
                    now = _now()
                    dtype, tmask, tz = "date", _DATE_M | _TIME_M | 1 << _TZ, 0
                    tm.year, tm.mon, tm.mday = now.year, now.month, now.day
                    tm.hour, tm.min, tm.sec, tm.fsec = now.hour, now.minute, now.second, now.microsecond
                elif value in _RELATIVE_DAYS:
                    day = _now() + timedelta(days=_RELATIVE_DAYS[value])
                    dtype, tmask = "date", _DATE_M
                    tm.year, tm.mon, tm.mday = day.year, day.month, day.day
                elif value == "zulu":
                    dtype, tmask = "date", _TIME_M | 1 << _TZ
                    tm.hour = tm.min = tm.sec = tz = 0
                else:  # epoch, infinity, -infinity: the other fields are still read and checked
                    dtype = value
            elif kind == _MONTH:
                if fmask & 1 << _MONTH and not have_text_month and not fmask & 1 << _DAY and 1 <= tm.mon <= 31:
                    tm.mday = tm.mon
                    tmask = 1 << _DAY
                have_text_month = True
                tm.mon = value
            elif kind == _DTZMOD:
                tmask |= 1 << _DTZ
                tz -= value
            elif kind in (_DTZ, _TZ):
                tmask |= 1 << _TZ
                tz = -value
            elif kind == _DYNTZ:
                tmask |= 1 << _TZ
                abbreviation = field, zoneinfo.ZoneInfo(value)
            elif kind == _AMPM:
                meridian = value
            elif kind == _ADBC:
                bc = value
            elif kind == _UNITS:
                tmask = 0
                ptype = value
            elif kind == _ISOTIME:  # "t": a date must come before, a time after
                tmask = 0
                if (
                    fmask & _DATE_M != _DATE_M
                    or i + 1 >= len(fields)
                    or fields[i + 1][0] not in (_F_NUMBER, _F_TIME, _F_DATE)
                ):
                    raise _bad()
                ptype = value
            elif kind == _UNKNOWN:
                zone = _zone(field)
                if zone is None:
                    raise _bad()
                tmask = 1 << _TZ
            elif kind != _DOW:
                raise _bad()
        if tmask & fmask:
            raise _bad()
        fmask |= tmask
    # PostgreSQL 15 ignores a unit keyword left without its number, and checks the fields even of "epoch"
    _validate_date(fmask, is_julian, bc, tm)
    if meridian is not None and tm.hour > 12:
        raise _field_overflow()
    if meridian == "am" and tm.hour == 12:
        tm.hour = 0
    elif meridian == "pm" and tm.hour != 12:
        tm.hour += 12
    if dtype == "date":
        if fmask & _DATE_M != _DATE_M:
            raise _bad()
        if zone is not None or abbreviation is not None or not fmask & 1 << _TZ:
            if fmask & 1 << _DTZMOD:
                raise _bad()
            if abbreviation is not None:
                tz = _abbreviation_offset(tm, *abbreviation)
            elif zone is not None:
                tz = _zone_offset(tm, zone)
            else:
                tz = 0  # the session TimeZone is UTC
    return dtype, tm, tz


def _datetime_error(error: _DateTimeError, text: str, type_name: str) -> errors.PgError:
    """DateTimeParseError."""
    if error.code in ("field", "md_field"):
        hint = 'Perhaps you need a different "datestyle" setting.' if error.code == "md_field" else None
        return errors.PgError(
            errors.DATETIME_FIELD_OVERFLOW, f'date/time field value out of range: "{text}"', hint=hint
        )
    if error.code == "interval":
        return errors.PgError(errors.INTERVAL_FIELD_OVERFLOW, f'interval field value out of range: "{text}"')
    if error.code == "tzdisp":
        return errors.PgError(
            errors.INVALID_TIME_ZONE_DISPLACEMENT_VALUE, f'time zone displacement out of range: "{text}"'
        )
    return _invalid(type_name, text, errors.INVALID_DATETIME_FORMAT)


def _decode_input(text: str, type_name: str) -> tuple[str, _Tm, int]:
    try:
        return _decode_datetime(_parse_datetime(text, 129))
    except _DateTimeError as error:
        raise _datetime_error(error, text, type_name) from None


# What clients send almost always: ISO 8601 within years 1-9999.  Anything else, and any field out of
# range, goes through the full parser, which gives the same answer (or PostgreSQL's error) slower.
_ISO_DATETIME = re.compile(
    r"([0-9]{4})-([0-9]{2})-([0-9]{2})"
    r"(?:[ T]([01][0-9]|2[0-3]):([0-5][0-9]):([0-5][0-9])(?:\.([0-9]{1,6}))?"
    r"(?:([+-])(0[0-9]|1[0-5])(?::?([0-5][0-9]))?|Z)?)?"  # right after a date, "-hh" would join its field
)


def _iso_datetime(text: str) -> tuple[int, int] | None:
    """(microseconds since 2000-01-01 as written, tz seconds west), for plain ISO input only."""
    m = _ISO_DATETIME.fullmatch(text)
    if m is None:
        return None
    year, month, day = int(m[1]), int(m[2]), int(m[3])
    if not (year and 1 <= month <= 12 and 1 <= day <= _DAYS_IN_MONTH[month - 1] + (month == 2 and _is_leap(year))):
        return None
    seconds = (int(m[4]) * 60 + int(m[5])) * 60 + int(m[6]) if m[4] else 0
    usecs = (date(year, month, day).toordinal() - _ORDINAL_2000) * _USECS_PER_DAY + seconds * 1_000_000
    if m[7]:
        usecs += int(m[7].ljust(6, "0"))
    offset = (int(m[9]) * 60 + int(m[10] or 0)) * 60 if m[8] else 0
    return usecs, offset if m[8] == "-" else -offset


def _date_in(text: str) -> date | FarDatetime:
    """date_in: any date/time input; the time and zone are read and then ignored."""
    fast = _iso_datetime(text)
    if fast is not None:
        return _date_value(fast[0] // _USECS_PER_DAY)
    dtype, tm, _ = _decode_input(text, "date")
    if dtype in ("late", "early"):
        return FarDatetime(_DATE_NOEND if dtype == "late" else _DATE_NOBEGIN)
    if dtype == "epoch":
        tm.year, tm.mon, tm.mday = 1970, 1, 1
    days = _date2j(tm.year, tm.mon, tm.mday) - _POSTGRES_EPOCH_JDATE
    if not _valid_julian(tm.year, tm.mon) or not _DATE_MIN <= days < _DATE_END:
        raise errors.PgError(errors.DATETIME_FIELD_OVERFLOW, f'date out of range: "{text}"')
    return _date_value(days)


def _timestamp_in(type_name: str, aware: bool) -> Callable[[str], datetime | FarDatetime]:
    """timestamp_in and timestamptz_in; a timestamp without time zone ignores any zone given."""

    def parse(text: str) -> datetime | FarDatetime:
        fast = _iso_datetime(text)
        if fast is not None:
            return _timestamp_value(fast[0] + fast[1] * 1_000_000 if aware else fast[0], aware)
        dtype, tm, tz = _decode_input(text, type_name)
        if dtype != "date":
            usecs = {"epoch": -946684800000000, "late": _DT_NOEND, "early": _DT_NOBEGIN}[dtype]
            return _timestamp_value(usecs, aware)
        days = _date2j(tm.year, tm.mon, tm.mday) - _POSTGRES_EPOCH_JDATE
        seconds = _wrap32(_wrap32(_wrap32(tm.hour * 60) + tm.min) * 60 + tm.sec)  # time2t's int arithmetic
        time = seconds * 1_000_000 + tm.fsec
        usecs = days * _USECS_PER_DAY + time
        if aware:
            usecs += tz * 1_000_000
        if (
            not _valid_julian(tm.year, tm.mon)
            or not -(1 << 63) <= days * _USECS_PER_DAY + time < 1 << 63
            or (days * _USECS_PER_DAY + time < 0 < days)
            or (days * _USECS_PER_DAY + time > 0 and days < -1)
            or not _TIMESTAMP_MIN <= usecs < _TIMESTAMP_END
        ):
            raise errors.PgError(errors.DATETIME_FIELD_OVERFLOW, f'timestamp out of range: "{text}"')
        return _timestamp_value(usecs, aware)

    return parse


# ---------------------------------------------------------------------------------------------------
# interval

_INTERVAL = struct.Struct("!qii")
_INT32_RANGE = range(-(1 << 31), 1 << 31)
_INT64_RANGE = range(-(1 << 63), 1 << 63)


class _ItmIn:
    """struct pg_itm_in: what interval input accumulates, each part overflow-checked as it grows."""

    __slots__ = ("usec", "mday", "mon", "year")

    def __init__(self) -> None:
        self.usec = self.mday = self.mon = self.year = 0

    def add_usec(self, value: int) -> None:
        self.usec += value
        if self.usec not in _INT64_RANGE:
            raise _field_overflow()

    def add_fract_usec(self, frac: float, scale: int) -> None:
        """AdjustFractMicroseconds: the fraction of a unit, rounded half away from zero."""
        if frac == 0:
            return
        frac *= scale
        usec = int(frac)
        frac -= usec
        self.add_usec(usec + (frac > 0.5) - (frac < -0.5))

    def add_usecs(self, value: int, frac: float, scale: int) -> None:
        self.add_usec(value * scale)
        self.add_fract_usec(frac, scale)

    def add_days(self, value: int, scale: int) -> None:
        if (
            value not in _INT32_RANGE
            or value * scale not in _INT32_RANGE
            or self.mday + value * scale not in _INT32_RANGE
        ):
            raise _field_overflow()
        self.mday += value * scale

    def add_fract_days(self, frac: float, scale: int) -> None:
        """AdjustFractDays: whole days, then the rest as microseconds."""
        if frac == 0:
            return
        frac *= scale
        extra = int(frac)
        self.add_days(extra, 1)
        self.add_fract_usec(frac - extra, _USECS_PER_DAY)

    def add_months(self, value: int) -> None:
        if value not in _INT32_RANGE or self.mon + value not in _INT32_RANGE:
            raise _field_overflow()
        self.mon += value

    def add_years(self, value: int, scale: int, frac: float) -> None:
        """AdjustYears and AdjustFractYears: a fraction of a year is rounded to months."""
        if (
            value not in _INT32_RANGE
            or value * scale not in _INT32_RANGE
            or self.year + value * scale not in _INT32_RANGE
        ):
            raise _field_overflow()
        self.year += value * scale
        self.add_months(round(frac * scale * 12))  # rint


def _decode_time_for_interval(text: str, itm: _ItmIn) -> None:
    hour, minute, second, fsec = _decode_time_common(text)
    itm.usec = fsec
    itm.add_usec(hour * _USECS_PER_HOUR)
    itm.add_usec(minute * _USECS_PER_MINUTE)
    itm.add_usec(second * 1_000_000)


_UNIT_SCALES = {
    "microsec": 1,
    "millisec": 1000,
    "second": 1_000_000,
    "minute": _USECS_PER_MINUTE,
    "hour": _USECS_PER_HOUR,
}
_YEAR_SCALES = {"year": 1, "decade": 10, "century": 100, "millennium": 1000}
_UNIT_MASKS = {
    "microsec": 1 << _MICROSECOND,
    "millisec": 1 << _MILLISECOND,
    "second": 1 << _SECOND,
    "minute": 1 << _MINUTE,
    "hour": 1 << _HOUR,
    "day": 1 << _DAY,
    "week": 1 << _WEEK,
    "month": 1 << _MONTH,
    "year": 1 << _YEAR,
    "decade": 1 << _DECADE,
    "century": 1 << _CENTURY,
    "millennium": 1 << _MILLENNIUM,
}


def _decode_interval(fields: list[tuple[int, str]]) -> _ItmIn:
    """DecodeInterval (PostgreSQL 15): read right to left so units come before their numbers."""
    itm = _ItmIn()
    fmask = 0
    is_before = False
    unit: str | None = None  # None is IGNORE_DTF: the rightmost number is seconds
    for kind, field in reversed(fields):
        if kind == _F_TIME:
            _decode_time_for_interval(field, itm)
            tmask = _TIME_M
            unit = "day"
        elif kind in (_F_TZ, _F_DATE, _F_NUMBER):
            if kind == _F_TZ and ":" in field[1:]:
                try:
                    _decode_time_for_interval(field[1:], itm)
                except _DateTimeError:
                    pass
                else:
                    if field[0] == "-":
                        itm.usec = -itm.usec
                    if fmask & _TIME_M:
                        raise _bad()
                    fmask |= _TIME_M
                    unit = "day"
                    continue
            if unit is None:
                unit = "second"
            value, pos, overflow = _strtol(field, 0, 64)
            if overflow:
                raise _field_overflow()
            frac = 0.0
            if pos < len(field) and field[pos] == "-":  # SQL years-months
                months, pos, overflow = _strtol(field, pos + 1)
                if overflow or not 0 <= months < 12:
                    raise _field_overflow()
                if pos < len(field):
                    raise _bad()
                unit = "month"
                value = value * 12 + (-months if field[0] == "-" else months)
                if value not in _INT64_RANGE:
                    raise _field_overflow()
            elif pos < len(field) and field[pos] == ".":
                frac = _parse_fraction(field[pos:])
                if field[0] == "-":
                    frac = -frac
            elif pos < len(field):
                raise _bad()
            if unit in _UNIT_SCALES:
                itm.add_usecs(value, frac, _UNIT_SCALES[unit])
            elif unit == "day":
                itm.add_days(value, 1)
                itm.add_fract_usec(frac, _USECS_PER_DAY)
            elif unit == "week":
                itm.add_days(value, 7)
                itm.add_fract_days(frac, 7)
            elif unit == "month":
                itm.add_months(value)
                itm.add_fract_days(frac, 30)
            elif unit in _YEAR_SCALES:
                itm.add_years(value, _YEAR_SCALES[unit], frac)
            else:
                raise _bad()
            tmask = _ALL_SECS_M if unit == "second" and frac else _UNIT_MASKS[unit]
            if unit == "hour":
                unit = "day"
        elif kind in (_F_STRING, _F_SPECIAL):
            token_kind, value = _token(_DELTA_TOKENS, field)
            if token_kind == _IGNORE:
                continue
            if token_kind == _UNITS:
                unit = value
            elif token_kind == _AGO:
                is_before = True
                unit = "ago"  # no number may take it as its unit
            else:
                raise _bad()
            tmask = 0
        else:
            raise _bad()
        if tmask & fmask:
            raise _bad()
        fmask |= tmask
    if fmask == 0:
        raise _bad()
    if is_before:
        if itm.usec == -(1 << 63) or -(1 << 31) in (itm.mday, itm.mon, itm.year):
            raise _field_overflow()
        itm.usec, itm.mday, itm.mon, itm.year = -itm.usec, -itm.mday, -itm.mon, -itm.year
    return itm


def _iso8601_number(text: str, pos: int) -> tuple[int, float, int]:
    """ParseISO8601Number: strtod's number as (integer part, fraction, end)."""
    if pos >= len(text) or not (_is_digit(text[pos]) or text[pos] in "-."):
        raise _bad()
    value = _strtod_at(text, pos)
    if value is None:
        raise _bad()
    number = value[0]
    if math.isnan(number) or not -1e15 <= number <= 1e15:
        raise _field_overflow()
    whole = math.floor(number) if number >= 0 else -math.floor(-number)
    return whole, number - whole, value[1]


def _decode_iso8601_interval(text: str) -> _ItmIn:
    """DecodeISO8601Interval: P[nY][nM][nW][nD][T[nH][nM][nS]] or P yyyy-mm-ddThh:mm:ss."""
    itm = _ItmIn()
    if len(text) < 2 or text[0] != "P":
        raise _bad()
    pos, end = 1, len(text)
    date_part, have_field = True, False
    while pos < end:
        if text[pos] == "T":
            date_part, have_field = False, False
            pos += 1
            continue
        start = pos
        value, frac, pos = _iso8601_number(text, pos)
        unit = text[pos] if pos < end else ""
        pos += 1
        digits = text[start + (text[start] == "-") :]
        width = len(digits) - len(digits.lstrip("0123456789"))  # ISO8601IntegerWidth
        if date_part:
            if unit == "Y":
                itm.add_years(value, 1, frac)
            elif unit == "M":
                itm.add_months(value)
                itm.add_fract_days(frac, 30)
            elif unit == "W":
                itm.add_days(value, 7)
                itm.add_fract_days(frac, 7)
            elif unit == "D":
                itm.add_days(value, 1)
                itm.add_fract_usec(frac, _USECS_PER_DAY)
            elif unit in ("T", "") and width == 8 and not have_field:  # basic format: yyyymmdd
                itm.add_years(_c_div(value, 10000), 1, 0.0)
                itm.add_months(_c_div(value, 100) - _c_div(value, 10000) * 100)
                itm.add_days(value - _c_div(value, 100) * 100, 1)
                itm.add_fract_usec(frac, _USECS_PER_DAY)
                if unit == "":
                    return itm
                date_part, have_field = False, False
                continue
            elif unit in ("T", "", "-"):  # extended format: yyyy-mm-dd
                if have_field:
                    raise _bad()
                itm.add_years(value, 1, frac)
                if unit == "":
                    return itm
                if unit == "T":
                    date_part, have_field = False, False
                    continue
                value, frac, pos = _iso8601_number(text, pos)
                itm.add_months(value)
                itm.add_fract_days(frac, 30)
                if pos == end:
                    return itm
                if text[pos] == "T":
                    date_part, have_field = False, False
                    pos += 1
                    continue
                if text[pos] != "-":
                    raise _bad()
                value, frac, pos = _iso8601_number(text, pos + 1)
                itm.add_days(value, 1)
                itm.add_fract_usec(frac, _USECS_PER_DAY)
                if pos == end:
                    return itm
                if text[pos] == "T":
                    date_part, have_field = False, False
                    pos += 1
                    continue
                raise _bad()
            else:
                raise _bad()
        elif unit in ("H", "M", "S"):
            itm.add_usecs(value, frac, {"H": _USECS_PER_HOUR, "M": _USECS_PER_MINUTE, "S": 1_000_000}[unit])
        elif unit == "" and width == 6 and not have_field:  # basic format: hhmmss
            itm.add_usecs(_c_div(value, 10000), 0.0, _USECS_PER_HOUR)
            itm.add_usecs(_c_div(value, 100) - _c_div(value, 10000) * 100, 0.0, _USECS_PER_MINUTE)
            itm.add_usecs(value - _c_div(value, 100) * 100, 0.0, 1_000_000)
            itm.add_fract_usec(frac, 1)
            return itm
        elif unit in ("", ":"):  # extended format: hh:mm:ss
            if have_field:
                raise _bad()
            itm.add_usecs(value, frac, _USECS_PER_HOUR)
            if unit == "":
                return itm
            value, frac, pos = _iso8601_number(text, pos)
            itm.add_usecs(value, frac, _USECS_PER_MINUTE)
            if pos == end:
                return itm
            if text[pos] != ":":
                raise _bad()
            value, frac, pos = _iso8601_number(text, pos + 1)
            itm.add_usecs(value, frac, 1_000_000)
            if pos == end:
                return itm
            raise _bad()
        else:
            raise _bad()
        have_field = True
    return itm


def _interval_in(text: str) -> Interval:
    """interval_in: PostgreSQL's own syntax (with units, "ago", h:m:s, y-m), else ISO 8601."""
    try:
        try:
            itm = _decode_interval(_parse_datetime(text, 256))
        except _DateTimeError as error:
            if error.code != "format":
                raise
            itm = _decode_iso8601_interval(text)
    except _DateTimeError as error:
        raise _datetime_error(
            _DateTimeError("interval") if error.code == "field" else error, text, "interval"
        ) from None
    months = itm.year * 12 + itm.mon
    if months not in _INT32_RANGE:
        raise errors.PgError(errors.DATETIME_FIELD_OVERFLOW, "interval out of range")
    return Interval(months, itm.mday, itm.usec)


def _interval_out(value: Interval) -> bytes:
    """EncodeInterval in the postgres style: "1 year 2 mons -3 days +04:05:06.5"."""
    years = _c_div(value.months, 12)
    parts = []
    is_before = False  # a field after a negative one shows its sign
    for amount, unit in ((years, "year"), (value.months - years * 12, "mon"), (value.days, "day")):
        if amount:
            plus = "+" if is_before and amount > 0 else ""
            parts.append(f"{plus}{amount} {unit}{'' if amount == 1 else 's'}")
            is_before = amount < 0
    if not parts or value.microseconds:
        sign = "-" if value.microseconds < 0 else "+" if is_before else ""
        minutes, usecs = divmod(abs(value.microseconds), _USECS_PER_MINUTE)
        seconds, usecs = divmod(usecs, 1_000_000)
        parts.append(f"{sign}{minutes // 60:02d}:{minutes % 60:02d}:{seconds:02d}{_fraction_text(usecs)}")
    return " ".join(parts).encode()


def _interval_send(value: Interval) -> bytes:
    return _INTERVAL.pack(value.microseconds, value.days, value.months)


_, _interval_recv = _fixed("qii", lambda usecs, days, months: Interval(months, days, usecs))


# ---------------------------------------------------------------------------------------------------
# Arrays: one implementation for every element type (array_in, array_out, array_recv, array_send)

_MAXDIM = 6
_MAX_ARRAY_SIZE = 0x3FFFFFFF // 8
# ArrayCount's parse states
(
    _NO_LEVEL,
    _LEVEL_STARTED,
    _ELEM_STARTED,
    _ELEM_COMPLETED,
    _QUOTED_ELEM_STARTED,
    _QUOTED_ELEM_COMPLETED,
    _ELEM_DELIMITED,
    _LEVEL_COMPLETED,
    _LEVEL_DELIMITED,
) = range(9)
_NEEDS_QUOTES = re.compile(rb'[{}",\\ \t\n\r\v\f]')
_DIMENSION_CHARS = frozenset("0123456789+-")


def _malformed(text: str, detail: str | None = None) -> errors.PgError:
    return errors.PgError(errors.INVALID_TEXT_REPRESENTATION, f'malformed array literal: "{text}"', detail=detail)


def _too_many_dimensions(ndim: int) -> errors.PgError:
    return errors.PgError(
        errors.PROGRAM_LIMIT_EXCEEDED, f"number of array dimensions ({ndim}) exceeds the maximum allowed ({_MAXDIM})"
    )


def _array_count(text: str) -> list[int]:
    """ArrayCount: check braces, quotes and commas; the dimensions, or [] for an empty array."""
    nest = 0
    ndim = 1
    temp = [0] * _MAXDIM
    nelems = [1] * _MAXDIM
    nelems_last = [0] * _MAXDIM
    in_quotes = False
    empty = True
    state = _NO_LEVEL
    pos, end = 0, len(text)
    done = False
    while not done:
        item_done = False
        while not item_done:
            if state in (_ELEM_STARTED, _QUOTED_ELEM_STARTED):
                empty = False
            if pos >= end:
                raise _malformed(text, "Unexpected end of input.")
            c = text[pos]
            if c == "\\":
                if state not in (_LEVEL_STARTED, _ELEM_STARTED, _QUOTED_ELEM_STARTED, _ELEM_DELIMITED):
                    raise _malformed(text, 'Unexpected "\\" character.')
                if state != _QUOTED_ELEM_STARTED:
                    state = _ELEM_STARTED
                if pos + 1 >= end:
                    raise _malformed(text, "Unexpected end of input.")
                pos += 1
            elif c == '"':
                if state not in (_LEVEL_STARTED, _QUOTED_ELEM_STARTED, _ELEM_DELIMITED):
                    raise _malformed(text, "Unexpected array element.")
                in_quotes = not in_quotes
                state = _QUOTED_ELEM_STARTED if in_quotes else _QUOTED_ELEM_COMPLETED
            elif in_quotes:
                pass
            elif c == "{":
                if state not in (_NO_LEVEL, _LEVEL_STARTED, _LEVEL_DELIMITED):
                    raise _malformed(text, 'Unexpected "{" character.')
                state = _LEVEL_STARTED
                if nest >= _MAXDIM:
                    raise _too_many_dimensions(nest + 1)
                temp[nest] = 0
                nest += 1
                ndim = max(ndim, nest)
            elif c == "}":
                if state not in (_ELEM_STARTED, _ELEM_COMPLETED, _QUOTED_ELEM_COMPLETED, _LEVEL_COMPLETED) and not (
                    nest == 1 and state == _LEVEL_STARTED
                ):
                    raise _malformed(text, 'Unexpected "}" character.')
                state = _LEVEL_COMPLETED
                nest -= 1
                if nelems_last[nest] != 0 and nelems[nest] != nelems_last[nest]:
                    raise _malformed(text, "Multidimensional arrays must have sub-arrays with matching dimensions.")
                nelems_last[nest] = nelems[nest]
                nelems[nest] = 1
                if nest == 0:
                    done = item_done = True
                else:
                    temp[nest - 1] += 1
            elif c == ",":
                if state not in (_ELEM_STARTED, _ELEM_COMPLETED, _QUOTED_ELEM_COMPLETED, _LEVEL_COMPLETED):
                    raise _malformed(text, 'Unexpected "," character.')
                state = _LEVEL_DELIMITED if state == _LEVEL_COMPLETED else _ELEM_DELIMITED
                item_done = True
                nelems[nest - 1] += 1
            elif c not in _SPACE:
                if state not in (_LEVEL_STARTED, _ELEM_STARTED, _ELEM_DELIMITED):
                    raise _malformed(text, "Unexpected array element.")
                state = _ELEM_STARTED
            if not item_done:
                pos += 1
        temp[ndim - 1] += 1
        pos += 1
    if text[pos:].strip(_SPACE):
        raise _malformed(text, "Junk after closing right brace.")
    return [] if empty else temp[:ndim]


def _read_array_str(text: str, whole: str, dims: list[int], parse: Callable[[str], Any]) -> list[Any]:
    """ReadArrayStr: de-quote and de-escape each element into its place, in row-major order."""
    ndim = len(dims)
    strides = [math.prod(dims[i + 1 :]) for i in range(ndim)]
    nitems = strides[0] * dims[0]
    values: list[Any] = [None] * nitems
    index = [0] * ndim
    nest = 0
    in_quotes = False
    pos, end = 0, len(text)
    done = False
    while not done:
        item: list[str] = []
        kept = 0  # characters of item before any trailing unquoted spaces
        leading_space, quoted = True, False
        offset = -1
        item_done = False
        while not item_done:
            if pos >= end:
                raise _malformed(whole)
            c = text[pos]
            pos += 1
            if c == "\\":
                if pos >= end:
                    raise _malformed(whole)
                item.append(text[pos])
                pos += 1
                leading_space, quoted = False, True
                kept = len(item)
            elif c == '"':
                in_quotes = not in_quotes
                if in_quotes:
                    leading_space = False
                else:
                    kept = len(item)
                quoted = True
            elif in_quotes:
                item.append(c)
            elif c == "{":
                if nest >= ndim:
                    raise _malformed(whole)
                nest += 1
                index[nest - 1] = 0
            elif c == "}":
                if offset == -1:
                    offset = sum(i * s for i, s in zip(index, strides, strict=True))
                index[nest - 1] = 0
                nest -= 1
                if nest == 0:
                    done = item_done = True
                else:
                    index[nest - 1] += 1
            elif c == ",":
                if offset == -1:
                    offset = sum(i * s for i, s in zip(index, strides, strict=True))
                item_done = True
                index[ndim - 1] += 1
            elif c in _SPACE:
                if not leading_space:
                    item.append(c)
            else:
                item.append(c)
                leading_space = False
                kept = len(item)
        if not 0 <= offset < nitems:
            raise _malformed(whole)
        element = "".join(item[:kept])
        if quoted or not _is_null(element):
            values[offset] = parse(element)
    return values


def _check_dimensions(dims: list[int], lower_bounds: list[int]) -> int:
    """ArrayGetNItems and ArrayCheckBounds: the element count, within PostgreSQL's limits."""
    too_big = errors.PgError(
        errors.PROGRAM_LIMIT_EXCEEDED, f"array size exceeds the maximum allowed ({_MAX_ARRAY_SIZE})"
    )
    count = 1
    for dim in dims:
        count *= dim
        if dim < 0 or count not in _INT32_RANGE:
            raise too_big
    if count > _MAX_ARRAY_SIZE:
        raise too_big
    for dim, lower in zip(dims, lower_bounds, strict=True):
        if dim + lower not in _INT32_RANGE:
            raise errors.PgError(errors.PROGRAM_LIMIT_EXCEEDED, f"array lower bound is too large: {lower}")
    return count


def _nest(flat: list[Any], dims: list[int]) -> list[Any]:
    for dim in reversed(dims[1:]):
        flat = [flat[i : i + dim] for i in range(0, len(flat), dim)]
    return flat


def _array_dims(value: list[Any]) -> list[int]:
    """The dimensions of nested lists, following first elements; [] when there are no elements."""
    dims = []
    while isinstance(value, list):
        if not value:
            return []
        dims.append(len(value))
        value = value[0]
    return dims


def _flatten(value: list[Any], ndim: int) -> list[Any]:
    for _ in range(ndim - 1):
        value = [x for sub in value for x in sub]
    return value


def _is_null(element: str) -> bool:
    """An unquoted NULL, in any case (pg_strcasecmp is ASCII-only)."""
    return len(element) == 4 and element.isascii() and element.upper() == "NULL"


# One dimension of plain elements: nothing to unquote, unescape or trim, so split it.
_SIMPLE_ARRAY = re.compile(r'\{([^{}",\\ \t\n\r\v\f]+(?:,[^{}",\\ \t\n\r\v\f]+)*)\}')


def _array_in(element: PgType) -> Callable[[str], list[Any]]:
    def parse(text: str) -> list[Any]:
        """array_in: optional [lower:upper] dimensions and "=", then braces checked before any element."""
        simple = _SIMPLE_ARRAY.fullmatch(text)
        if simple is not None:
            return [None if _is_null(item) else element.text_in(item) for item in simple[1].split(",")]
        pos, end = 0, len(text)
        dims: list[int] = []
        lower_bounds: list[int] = []
        while True:
            while pos < end and text[pos] in _SPACE:
                pos += 1
            if pos >= end or text[pos] != "[":
                break
            pos += 1
            if len(dims) >= _MAXDIM:
                raise _too_many_dimensions(len(dims) + 1)
            stop = pos
            while stop < end and text[stop] in _DIMENSION_CHARS:
                stop += 1
            if stop == pos:
                raise _malformed(text, '"[" must introduce explicitly-specified array dimensions.')
            lower = 1
            if stop < end and text[stop] == ":":
                lower = _atoi(text[pos:stop])
                pos = stop = stop + 1
                while stop < end and text[stop] in _DIMENSION_CHARS:
                    stop += 1
                if stop == pos:
                    raise _malformed(text, "Missing array dimension value.")
            if stop >= end or text[stop] != "]":
                raise _malformed(text, 'Missing "]" after array dimensions.')
            upper = _atoi(text[pos:stop])
            pos = stop + 1
            if upper < lower:
                raise errors.PgError(errors.ARRAY_SUBSCRIPT_ERROR, "upper bound cannot be less than lower bound")
            dims.append(_wrap32(upper - lower + 1))
            lower_bounds.append(lower)
        if not dims:
            if pos >= end or text[pos] != "{":
                raise _malformed(text, 'Array value must start with "{" or dimension information.')
            dims = _array_count(text[pos:])
            lower_bounds = [1] * len(dims)
        else:
            if not text.startswith("=", pos):
                raise _malformed(text, 'Missing "=" after array dimensions.')
            pos += 1
            while pos < end and text[pos] in _SPACE:
                pos += 1
            if pos >= end or text[pos] != "{":
                raise _malformed(text, 'Array contents must start with "{".')
            if _array_count(text[pos:]) != dims:
                raise _malformed(text, "Specified array dimensions do not match array contents.")
        if not dims or not _check_dimensions(dims, lower_bounds):
            return []
        return _nest(_read_array_str(text[pos:], text, dims, element.text_in), dims)

    return parse


def _quote(text: bytes) -> bytes:
    """array_out's quoting: empty, NULL, or holding braces, quotes, commas, backslashes or spaces."""
    if text and _NEEDS_QUOTES.search(text) is None and text.upper() != b"NULL":
        return text
    return b'"' + text.replace(b"\\", b"\\\\").replace(b'"', b'\\"') + b'"'


def _array_out(element: PgType) -> Callable[[list[Any]], bytes]:
    out = element.text_out

    def text(value: list[Any], depth: int) -> bytes:
        if depth == 1:
            return b"{" + b",".join([b"NULL" if x is None else _quote(out(x)) for x in value]) + b"}"
        return b"{" + b",".join([text(x, depth - 1) for x in value]) + b"}"

    def text_out(value: list[Any]) -> bytes:
        ndim = len(_array_dims(value))
        return text(value, ndim) if ndim else b"{}"

    return text_out


def _array_send(element: PgType) -> Callable[[list[Any]], bytes]:
    send = element.binary_out

    def binary_out(value: list[Any]) -> bytes:
        dims = _array_dims(value)
        items = _flatten(value, len(dims)) if dims else []
        has_null = any(x is None for x in items)
        parts = [
            struct.pack(f"!iiI{2 * len(dims)}i", len(dims), has_null, element.oid, *(n for d in dims for n in (d, 1)))
        ]
        for x in items:
            if x is None:
                parts.append(b"\xff\xff\xff\xff")
            else:
                data = send(x)
                parts.append(_INT32.pack(len(data)) + data)
        return b"".join(parts)

    return binary_out


def _array_recv(element: PgType) -> Callable[[bytes], list[Any]]:
    receive = element.binary_in

    def int32_at(data: bytes, pos: int) -> int:
        if pos + 4 > len(data):
            raise _insufficient()
        return _INT32.unpack_from(data, pos)[0]

    def binary_in(data: bytes) -> list[Any]:
        """array_recv: header checks, then each element through the element type's receive function."""
        ndim = int32_at(data, 0)
        if ndim < 0:
            raise errors.PgError(errors.INVALID_BINARY_REPRESENTATION, f"invalid number of dimensions: {ndim}")
        if ndim > _MAXDIM:
            raise _too_many_dimensions(ndim)
        if int32_at(data, 4) not in (0, 1):
            raise errors.PgError(errors.INVALID_BINARY_REPRESENTATION, "invalid array flags")
        element_oid = int32_at(data, 8) & 0xFFFFFFFF
        if element_oid != element.oid and element_oid < 10000:
            named = BY_OID.get(element_oid)
            raise errors.PgError(
                errors.DATATYPE_MISMATCH,
                f"binary data has array element type {element_oid} ({named.name if named else '???'}) "
                f"instead of expected {element.oid} ({element.name})",
            )
        dims = [int32_at(data, 12 + 8 * i) for i in range(ndim)]
        lower_bounds = [int32_at(data, 16 + 8 * i) for i in range(ndim)]
        pos = 12 + 8 * ndim
        values: list[Any] = []
        count = _check_dimensions(dims, lower_bounds) if dims else 0
        for number in range(1, count + 1):
            length = int32_at(data, pos)
            pos += 4
            if length < -1 or length > len(data) - pos:
                raise errors.PgError(errors.INVALID_BINARY_REPRESENTATION, "insufficient data left in message")
            if length == -1:
                values.append(None)
                continue
            try:
                values.append(receive(data[pos : pos + length]))
            except TrailingBytes:
                raise errors.PgError(
                    errors.INVALID_BINARY_REPRESENTATION, f"improper binary format in array element {number}"
                ) from None
            pos += length
        if pos != len(data):
            raise TrailingBytes()
        return _nest(values, dims) if values else []

    return binary_in


# ---------------------------------------------------------------------------------------------------
# The registry

_int2_send, _int2_recv = _fixed("h")
_int32_send, _int32_recv = _fixed("i")
_int64_send, _int64_recv = _fixed("q")
_, _date_recv = _fixed("i", _checked_date)
_, _timestamp_recv = _fixed("q", _checked_timestamp(False))
_, _timestamptz_recv = _fixed("q", _checked_timestamp(True))
_uint32_send, _uint32_recv = _fixed("I")
_float8_send, _float8_recv = _fixed("d")
_float4_send, _float4_recv = _fixed("f")

BOOL = PgType(16, "bool", "boolean", 1, "B", _bool_out, _bool_in, _bool_send, _bool_recv)
BYTEA = PgType(17, "bytea", "bytea", -1, "U", _bytea_out, _bytea_in, _bytes_out, _bytes_in)
NAME = PgType(19, "name", "name", 64, "S", _text_out, _name_in, _text_out, _name_recv)
INT8 = PgType(20, "int8", "bigint", 8, "N", _int_out, _int_in("bigint", 64), _int64_send, _int64_recv)
INT2 = PgType(21, "int2", "smallint", 2, "N", _int_out, _int_in("smallint", 16), _int2_send, _int2_recv)
INT4 = PgType(23, "int4", "integer", 4, "N", _int_out, _int_in("integer", 32), _int32_send, _int32_recv)
TEXT = PgType(25, "text", "text", -1, "S", _text_out, _text_in, _text_out, _decode_text)
OID = PgType(26, "oid", "oid", 4, "N", _int_out, _oid_in, _uint32_send, _uint32_recv)
JSON = PgType(114, "json", "json", -1, "U", _bytes_out, _json_in, _bytes_out, _json_recv)
FLOAT4 = PgType(700, "float4", "real", 4, "N", _float4_out, _float_in("real", True), _float4_send, _float4_recv)
FLOAT8 = PgType(
    701,
    "float8",
    "double precision",
    8,
    "N",
    _float8_out,
    _float_in("double precision", False),
    _float8_send,
    _float8_recv,
)
UNKNOWN = PgType(705, "unknown", "unknown", -2, "X", _text_out, _text_in, _text_out, _decode_text)
BPCHAR = PgType(1042, "bpchar", "character", -1, "S", _text_out, _text_in, _text_out, _decode_text)
VARCHAR = PgType(1043, "varchar", "character varying", -1, "S", _text_out, _text_in, _text_out, _decode_text)
DATE = PgType(1082, "date", "date", 4, "D", _date_out, _date_in, _date_send, _date_recv)
TIMESTAMP = PgType(
    1114,
    "timestamp",
    "timestamp without time zone",
    8,
    "D",
    _timestamp_out,
    _timestamp_in("timestamp", False),
    _timestamp_send,
    _timestamp_recv,
)
TIMESTAMPTZ = PgType(
    1184,
    "timestamptz",
    "timestamp with time zone",
    8,
    "D",
    _timestamptz_out,
    _timestamp_in("timestamp with time zone", True),
    _timestamp_send,
    _timestamptz_recv,
)
INTERVAL = PgType(1186, "interval", "interval", 16, "T", _interval_out, _interval_in, _interval_send, _interval_recv)
NUMERIC = PgType(1700, "numeric", "numeric", -1, "N", _numeric_out, _numeric_in, _numeric_send, _numeric_recv)
UUID = PgType(2950, "uuid", "uuid", 16, "U", _uuid_out, _uuid_in, _uuid_send, _uuid_recv)
JSONB = PgType(3802, "jsonb", "jsonb", -1, "U", _bytes_out, jsonb.canonical, _jsonb_send, _jsonb_recv)


def _array(oid: int, element: PgType) -> PgType:
    return PgType(
        oid,
        "_" + element.typname,
        element.name + "[]",
        -1,
        "A",
        _array_out(element),
        _array_in(element),
        _array_send(element),
        _array_recv(element),
        element,
    )


# pg_type.typarray of each element type
ARRAY_OF: dict[PgType, PgType] = {
    element: _array(oid, element)
    for oid, element in (
        (1000, BOOL),
        (1001, BYTEA),
        (1003, NAME),
        (1005, INT2),
        (1007, INT4),
        (1009, TEXT),
        (1014, BPCHAR),
        (1015, VARCHAR),
        (1016, INT8),
        (1021, FLOAT4),
        (1022, FLOAT8),
        (1028, OID),
        (1115, TIMESTAMP),
        (1182, DATE),
        (1185, TIMESTAMPTZ),
        (1187, INTERVAL),
        (1231, NUMERIC),
        (2951, UUID),
        (199, JSON),
        (3807, JSONB),
    )
}

BY_OID: dict[int, PgType] = {
    t.oid: t
    for t in (
        BOOL,
        BYTEA,
        NAME,
        INT8,
        INT2,
        INT4,
        TEXT,
        OID,
        JSON,
        FLOAT4,
        FLOAT8,
        UNKNOWN,
        BPCHAR,
        VARCHAR,
        DATE,
        TIMESTAMP,
        TIMESTAMPTZ,
        INTERVAL,
        NUMERIC,
        UUID,
        JSONB,
        *ARRAY_OF.values(),
    )
}

# Names accepted in casts, as PostgreSQL's grammar maps them to pg_type entries.  "char" and
# "character" mean character(1) in PostgreSQL; without typmods they are plain bpchar here.
BY_NAME: dict[str, PgType] = {
    **{t.typname: t for t in BY_OID.values() if t is not UNKNOWN},
    "boolean": BOOL,
    "bigint": INT8,
    "smallint": INT2,
    "int": INT4,
    "integer": INT4,
    "decimal": NUMERIC,
    "double precision": FLOAT8,
    "float": FLOAT8,
    "real": FLOAT4,
    "character varying": VARCHAR,
    "char": BPCHAR,
    "character": BPCHAR,
    "timestamp without time zone": TIMESTAMP,
    "timestamp with time zone": TIMESTAMPTZ,
}

INTEGER_RANGES: dict[PgType, tuple[int, int]] = {
    INT2: (-(2**15), 2**15 - 1),
    INT4: (-(2**31), 2**31 - 1),
    INT8: (-(2**63), 2**63 - 1),
}


def integer_type_for(value: int) -> PgType:
    """The type PostgreSQL's lexer gives an integer literal."""
    if -(2**31) <= value < 2**31:
        return INT4
    if -(2**63) <= value < 2**63:
        return INT8
    return NUMERIC
