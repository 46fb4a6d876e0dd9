"""float4 and float8: strtod/strtof input with PostgreSQL's range checks, and the shortest output that
reads back exactly (PostgreSQL's Ryu)."""

from __future__ import annotations

import math
from collections.abc import Callable
from decimal import Decimal
from fractions import Fraction

from orbit_pg import errors
from orbit_pg.types.base import fixed, invalid
from orbit_pg.types.clib import F32, SPACE, STRTOD, UINT32, range_error, strtod

_FLOAT4_OVERFLOW = 2.0**128


def _to_float4(d: float, exact: Decimal | Fraction) -> float:
    """Round d, the double nearest ±``exact``, to float32 as strtof rounds the exact value itself.

    Rounding twice goes wrong only when d lies exactly halfway between two float32 values.
    """
    try:
        f = F32.unpack(F32.pack(d))[0]
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


def float_in(type_name: str, narrow: bool) -> Callable[[str], float]:
    """float8in/float4in: strtod or strtof with PostgreSQL's checks for overflow and underflow."""

    def parse(text: str) -> float:
        start = len(text) - len(text.lstrip(SPACE))
        m = STRTOD.match(text, start)
        if m is None:
            raise invalid(type_name, text)
        token = m[0]
        try:
            value, exact = strtod(token, narrow)
        except ValueError:
            raise invalid(type_name, text) from None
        if narrow:
            value = _to_float4(value, exact)
        if range_error(token, value):
            shown = text if narrow else token
            raise errors.PgError(errors.NUMERIC_VALUE_OUT_OF_RANGE, f'"{shown}" is out of range for type {type_name}')
        if text[m.end() :].strip(SPACE):
            raise invalid(type_name, text)
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


def float8_out(value: float) -> bytes:
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


def float4_out(value: float) -> bytes:
    """float4out: the same rule over float32 neighbours (a double is first rounded to float32)."""
    try:
        value = F32.unpack(F32.pack(value))[0]
    except OverflowError:
        value = math.copysign(math.inf, value)
    special = _float_special(value)
    if special is not None:
        return special
    (bits,) = UINT32.unpack(F32.pack(abs(value)))
    below, above = (F32.unpack(UINT32.pack(b))[0] for b in (bits - 1, bits + 1))
    return _digits_text(value < 0, *_shortest(abs(value), below, min(above, _FLOAT4_OVERFLOW), 9), 6)


def _digits_text(negative: bool, digits: int, power: int, fixed_below: int) -> bytes:
    text = str(digits)
    short = text.rstrip("0")
    return _float_text(negative, short, power + len(text) - len(short), fixed_below)


float8_send, float8_recv = fixed("d")
float4_send, float4_recv = fixed("f")
