"""The C library as PostgreSQL's input functions see it: isspace, isdigit, strtol and glibc's strtod
(hexadecimal floats and NaN payloads included), and C int arithmetic that truncates or wraps."""

from __future__ import annotations

import math
import re
import struct
from decimal import Decimal
from fractions import Fraction

SPACE = " \t\n\r\v\f"  # C isspace(); str.strip() and \s would also take Unicode spaces

INT_PREFIX = re.compile(r"[ \t\n\r\v\f]*([-+]?)([0-9]+)")  # strtol's: spaces, a sign, digits

INT32_RANGE = range(-(1 << 31), 1 << 31)
INT64_RANGE = range(-(1 << 63), 1 << 63)


def is_digit(c: str) -> bool:
    return "0" <= c <= "9"


def is_alpha(c: str) -> bool:
    return "a" <= c <= "z" or "A" <= c <= "Z"


def c_div(a: int, b: int) -> int:
    """C integer division, which truncates toward zero."""
    q = abs(a) // abs(b)
    return q if (a < 0) == (b < 0) else -q


def wrap32(value: int) -> int:
    """C int arithmetic that overflows."""
    return (value + (1 << 31)) % (1 << 32) - (1 << 31)


def strtol(text: str, pos: int = 0, bits: int = 32) -> tuple[int, int, bool]:
    """strtol/strtoint/strtoi64: (value, end, overflowed); end is pos when no digits were found."""
    m = INT_PREFIX.match(text, pos)
    if m is None:
        return 0, pos, False
    digits = m[2].lstrip("0") or "0"  # int() refuses over 4300 digits, even zeros
    if len(digits) > 20:
        return 0, m.end(), True
    value = int(m[1] + digits)
    return value, m.end(), not -(1 << (bits - 1)) <= value < 1 << (bits - 1)


def atoi(text: str) -> int:
    return wrap32(strtol(text, 0, 64)[0])


# The longest number C strtod() reads at a position (C locale): decimal, hexadecimal, inf, nan.
STRTOD = re.compile(
    r"""[+-]?(?:0x(?:[0-9a-f]+\.?[0-9a-f]*|\.[0-9a-f]+)(?:p[+-]?[0-9]+)?
    |(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:e[+-]?[0-9]+)?
    |inf(?:inity)?|nan(?:\([0-9a-z_]*\))?)""",
    re.IGNORECASE | re.ASCII | re.VERBOSE,
)
F32 = struct.Struct("!f")
UINT32 = struct.Struct("!I")


def strtod(token: str, narrow: bool = False) -> tuple[float, Decimal | Fraction]:
    """The double nearest a STRTOD token, and the token's exact magnitude (for finite numbers).

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
        return F32.unpack(UINT32.pack(0x7FC00000 | negative << 31 | mantissa & 0x3FFFFF))[0]
    return _F64.unpack(_UINT64.pack(0x7FF8000000000000 | negative << 63 | mantissa & ((1 << 51) - 1)))[0]


def range_error(token: str, value: float) -> bool:
    """strtod's ERANGE: overflow to infinity, or underflow to zero from nonzero digits."""
    body = token.lstrip("+-").lower()
    if body[0] in "in":
        return False
    if body.startswith("0x"):
        mantissa, nonzero = body[2:].partition("p")[0], "[1-9a-f]"
    else:
        mantissa, nonzero = body.partition("e")[0], "[1-9]"
    return math.isinf(value) or (value == 0 and re.search(nonzero, mantissa) is not None)


def strtod_at(text: str, pos: int) -> tuple[float, int] | None:
    """strtod at pos: (value, end), or None for errno (ERANGE) or no number."""
    m = STRTOD.match(text, pos)
    if m is None:
        return None
    value, _ = strtod(m[0])
    return None if range_error(m[0], value) else (value, m.end())
