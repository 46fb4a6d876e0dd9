"""bool, int2, int4, int8, oid and numeric: text and binary input and output."""

from __future__ import annotations

import decimal
import re
import struct
from collections.abc import Callable
from decimal import Decimal

from orbit_pg import errors
from orbit_pg.types.base import TrailingBytes, fixed, insufficient, invalid
from orbit_pg.types.clib import INT_PREFIX, SPACE


def _out_of_range(type_name: str, text: str) -> errors.PgError:
    return errors.PgError(errors.NUMERIC_VALUE_OUT_OF_RANGE, f'value "{text}" is out of range for type {type_name}')


def bool_in(text: str) -> bool:
    """boolin: a prefix of true/yes/false/no, on/off (two letters at least), 1/0, any case."""
    word = text.strip(SPACE).encode().lower()  # bytes.lower() is ASCII-only, like pg_strncasecmp
    if word:
        if b"true".startswith(word) or b"yes".startswith(word) or word in (b"on", b"1"):
            return True
        if b"false".startswith(word) or b"no".startswith(word) or word in (b"of", b"off", b"0"):
            return False
    raise invalid("boolean", text)


def bool_out(value: bool) -> bytes:
    return b"t" if value else b"f"


def bool_send(value: bool) -> bytes:
    return b"\x01" if value else b"\x00"


def bool_recv(data: bytes) -> bool:
    if not data:
        raise errors.PgError(errors.PROTOCOL_VIOLATION, "no data left in message")
    if len(data) > 1:
        raise TrailingBytes()
    return data[0] != 0


def int_out(value: int) -> bytes:
    return b"%d" % value


def int_in(type_name: str, bits: int) -> Callable[[str], int]:
    """pg_strtoint16/32/64: spaces, a sign, digits, spaces; overflow is found before trailing junk."""
    limit = 1 << (bits - 1)

    def parse(text: str) -> int:
        m = INT_PREFIX.match(text)
        if m is None:
            raise invalid(type_name, text)
        digits = m[2].lstrip("0")
        if len(digits) > 19 or not -limit <= (value := int(m[1] + (digits or "0"))) < limit:
            raise _out_of_range(type_name, text)
        if text[m.end() :].strip(SPACE):
            raise invalid(type_name, text)
        return value

    return parse


int2_send, int2_recv = fixed("h")
int32_send, int32_recv = fixed("i")
int64_send, int64_recv = fixed("q")


def oid_in(text: str) -> int:
    """oidin: strtoul, so "-1" is 4294967295; a value must survive the trip through uint32 and back."""
    m = INT_PREFIX.match(text)
    if m is None:
        raise invalid("oid", text)
    digits = m[2].lstrip("0")
    if len(digits) > 20 or (magnitude := int(digits or "0")) >= 1 << 64:
        raise _out_of_range("oid", text)
    if text[m.end() :].strip(SPACE):
        raise invalid("oid", text)
    value = -magnitude % (1 << 64) if m[1] == "-" else magnitude
    oid = value & 0xFFFFFFFF
    if value != oid and not (oid >= 1 << 31 and value == oid - (1 << 32) + (1 << 64)):
        raise _out_of_range("oid", text)
    return oid


uint32_send, uint32_recv = fixed("I")


_NAN, _INF, _NEG_INF = Decimal("NaN"), Decimal("Infinity"), Decimal("-Infinity")
# numeric's +, -, * and % are exact in PostgreSQL; Python's default context rounds them to 28
# significant digits. These operations always end, so the context may allow every digit.
EXACT = decimal.Context(prec=decimal.MAX_PREC, Emax=decimal.MAX_EMAX, Emin=decimal.MIN_EMIN)

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


def _overflow() -> errors.PgError:
    return errors.PgError(errors.NUMERIC_VALUE_OUT_OF_RANGE, "value overflows numeric format")


def numeric_in(text: str) -> Decimal:
    """numeric_in: NaN and infinities by prefix, else digits with a point and a strtol exponent."""
    rest = text.lstrip(SPACE)
    head = rest[:9].encode().lower()
    for word, special in _NUMERIC_SPECIALS:
        if head.startswith(word):
            if rest[len(word) :].strip(SPACE):
                raise invalid("numeric", text)
            return special
    m = _NUMERIC_TEXT.fullmatch(rest)
    if m is None:
        raise invalid("numeric", text)
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


def numeric_out(value: Decimal | int) -> bytes:
    """numeric_out; an int (a literal beyond bigint is one) prints as the integer it is."""
    text = format(value, "f") if isinstance(value, Decimal) else str(value)
    if text[0] == "-" and not value:  # numeric has no negative zero
        text = text[1:]
    return text.encode()


def numeric_send(value: Decimal | int) -> bytes:
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


def numeric_recv(data: bytes) -> Decimal:
    """numeric_recv: each field checked as it is read, then digits the dscale hides are truncated."""
    if len(data) < 6:
        raise insufficient()
    ndigits, weight, sign = struct.unpack_from("!HhH", data)
    if sign not in (_NUMERIC_POS, _NUMERIC_NEG, _NUMERIC_NAN, _NUMERIC_PINF, _NUMERIC_NINF):
        raise errors.PgError(errors.INVALID_BINARY_REPRESENTATION, 'invalid sign in external "numeric" value')
    if len(data) < 8:
        raise insufficient()
    (dscale,) = struct.unpack_from("!H", data, 6)
    if dscale > _DSCALE_MAX:
        raise errors.PgError(errors.INVALID_BINARY_REPRESENTATION, 'invalid scale in external "numeric" value')
    groups = []
    for pos in range(8, 8 + 2 * ndigits, 2):
        if pos + 2 > len(data):
            raise insufficient()
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
