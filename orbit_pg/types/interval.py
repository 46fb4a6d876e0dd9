"""interval: PostgreSQL's own input syntax (DecodeInterval) and ISO 8601's, postgres-style output, and
the binary form."""

from __future__ import annotations

import math
import struct
from dataclasses import dataclass

from orbit_pg import errors
from orbit_pg.types.base import fixed
from orbit_pg.types.clib import INT32_RANGE, INT64_RANGE, c_div, is_digit, strtod_at, strtol
from orbit_pg.types.datetime import fraction_text
from orbit_pg.types.datetime_parse import (
    DateTimeError,
    bad,
    datetime_error,
    decode_time_common,
    field_overflow,
    parse_datetime,
    parse_fraction,
)
from orbit_pg.types.datetime_tokens import (
    AGO,
    ALL_SECS_M,
    CENTURY,
    DAY,
    DECADE,
    DELTA_TOKENS,
    F_DATE,
    F_NUMBER,
    F_SPECIAL,
    F_STRING,
    F_TIME,
    F_TZ,
    HOUR,
    IGNORE,
    MICROSECOND,
    MILLENNIUM,
    MILLISECOND,
    MINUTE,
    MONTH,
    SECOND,
    TIME_M,
    UNITS,
    WEEK,
    YEAR,
    token,
)
from orbit_pg.types.julian import USECS_PER_DAY, USECS_PER_HOUR, USECS_PER_MINUTE


@dataclass(frozen=True, slots=True)
class Interval:
    """An interval as PostgreSQL keeps it: months, days and microseconds, never folded into each other."""

    months: int
    days: int
    microseconds: int


_INTERVAL = struct.Struct("!qii")


class _ItmIn:
    """struct pg_itm_in: what interval input accumulates, each part overflow-checked as it grows."""

    __slots__ = ("usec", "mday", "mon", "year")

    def __init__(self) -> None:
        self.usec = self.mday = self.mon = self.year = 0

    def add_usec(self, value: int) -> None:
        self.usec += value
        if self.usec not in INT64_RANGE:
            raise field_overflow()

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
        if value not in INT32_RANGE or value * scale not in INT32_RANGE or self.mday + value * scale not in INT32_RANGE:
            raise field_overflow()
        self.mday += value * scale

    def add_fract_days(self, frac: float, scale: int) -> None:
        """AdjustFractDays: whole days, then the rest as microseconds."""
        if frac == 0:
            return
        frac *= scale
        extra = int(frac)
        self.add_days(extra, 1)
        self.add_fract_usec(frac - extra, USECS_PER_DAY)

    def add_months(self, value: int) -> None:
        if value not in INT32_RANGE or self.mon + value not in INT32_RANGE:
            raise field_overflow()
        self.mon += value

    def add_years(self, value: int, scale: int, frac: float) -> None:
        """AdjustYears and AdjustFractYears: a fraction of a year is rounded to months."""
        if value not in INT32_RANGE or value * scale not in INT32_RANGE or self.year + value * scale not in INT32_RANGE:
            raise field_overflow()
        self.year += value * scale
        self.add_months(round(frac * scale * 12))  # rint


def _decode_time_for_interval(text: str, itm: _ItmIn) -> None:
    hour, minute, second, fsec = decode_time_common(text)
    itm.usec = fsec
    itm.add_usec(hour * USECS_PER_HOUR)
    itm.add_usec(minute * USECS_PER_MINUTE)
    itm.add_usec(second * 1_000_000)


_UNIT_SCALES = {
    "microsec": 1,
    "millisec": 1000,
    "second": 1_000_000,
    "minute": USECS_PER_MINUTE,
    "hour": USECS_PER_HOUR,
}
_YEAR_SCALES = {"year": 1, "decade": 10, "century": 100, "millennium": 1000}
_UNIT_MASKS = {
    "microsec": 1 << MICROSECOND,
    "millisec": 1 << MILLISECOND,
    "second": 1 << SECOND,
    "minute": 1 << MINUTE,
    "hour": 1 << HOUR,
    "day": 1 << DAY,
    "week": 1 << WEEK,
    "month": 1 << MONTH,
    "year": 1 << YEAR,
    "decade": 1 << DECADE,
    "century": 1 << CENTURY,
    "millennium": 1 << MILLENNIUM,
}


def _decode_interval(fields: list[tuple[int, str]]) -> _ItmIn:
    """DecodeInterval (PostgreSQL 15): read right to left so units come before their numbers."""
    itm = _ItmIn()
    fmask = 0
    is_before = False
    unit: str | None = None  # None is IGNORE_DTF: the rightmost number is seconds
    for kind, field in reversed(fields):
        if kind == F_TIME:
            _decode_time_for_interval(field, itm)
            tmask = TIME_M
            unit = "day"
        elif kind in (F_TZ, F_DATE, F_NUMBER):
            if kind == F_TZ and ":" in field[1:]:
                try:
                    _decode_time_for_interval(field[1:], itm)
                except DateTimeError:
                    pass
                else:
                    if field[0] == "-":
                        itm.usec = -itm.usec
                    if fmask & TIME_M:
                        raise bad()
                    fmask |= TIME_M
                    unit = "day"
                    continue
            if unit is None:
                unit = "second"
            value, pos, overflow = strtol(field, 0, 64)
            if overflow:
                raise field_overflow()
            frac = 0.0
            if pos < len(field) and field[pos] == "-":  # SQL years-months
                months, pos, overflow = strtol(field, pos + 1)
                if overflow or not 0 <= months < 12:
                    raise field_overflow()
                if pos < len(field):
                    raise bad()
                unit = "month"
                value = value * 12 + (-months if field[0] == "-" else months)
                if value not in INT64_RANGE:
                    raise field_overflow()
            elif pos < len(field) and field[pos] == ".":
                frac = parse_fraction(field[pos:])
                if field[0] == "-":
                    frac = -frac
            elif pos < len(field):
                raise bad()
            if unit in _UNIT_SCALES:
                itm.add_usecs(value, frac, _UNIT_SCALES[unit])
            elif unit == "day":
                itm.add_days(value, 1)
                itm.add_fract_usec(frac, USECS_PER_DAY)
            elif unit == "week":
                itm.add_days(value, 7)
                itm.add_fract_days(frac, 7)
            elif unit == "month":
                itm.add_months(value)
                itm.add_fract_days(frac, 30)
            elif unit in _YEAR_SCALES:
                itm.add_years(value, _YEAR_SCALES[unit], frac)
            else:
                raise bad()
            tmask = ALL_SECS_M if unit == "second" and frac else _UNIT_MASKS[unit]
            if unit == "hour":
                unit = "day"
        elif kind in (F_STRING, F_SPECIAL):
            token_kind, value = token(DELTA_TOKENS, field)
            if token_kind == IGNORE:
                continue
            if token_kind == UNITS:
                unit = value
            elif token_kind == AGO:
                is_before = True
                unit = "ago"  # no number may take it as its unit
            else:
                raise bad()
            tmask = 0
        else:
            raise bad()
        if tmask & fmask:
            raise bad()
        fmask |= tmask
    if fmask == 0:
        raise bad()
    if is_before:
        if itm.usec == -(1 << 63) or -(1 << 31) in (itm.mday, itm.mon, itm.year):
            raise field_overflow()
        itm.usec, itm.mday, itm.mon, itm.year = -itm.usec, -itm.mday, -itm.mon, -itm.year
    return itm


def _iso8601_number(text: str, pos: int) -> tuple[int, float, int]:
    """ParseISO8601Number: strtod's number as (integer part, fraction, end)."""
    if pos >= len(text) or not (is_digit(text[pos]) or text[pos] in "-."):
        raise bad()
    value = strtod_at(text, pos)
    if value is None:
        raise bad()
    number = value[0]
    if math.isnan(number) or not -1e15 <= number <= 1e15:
        raise field_overflow()
    whole = math.floor(number) if number >= 0 else -math.floor(-number)
    return whole, number - whole, value[1]


def _decode_iso8601_interval(text: str) -> _ItmIn:
    """DecodeISO8601Interval: P[nY][nM][nW][nD][T[nH][nM][nS]] or P yyyy-mm-ddThh:mm:ss."""
    itm = _ItmIn()
    if len(text) < 2 or text[0] != "P":
        raise bad()
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
                itm.add_fract_usec(frac, USECS_PER_DAY)
            elif unit in ("T", "") and width == 8 and not have_field:  # basic format: yyyymmdd
                itm.add_years(c_div(value, 10000), 1, 0.0)
                itm.add_months(c_div(value, 100) - c_div(value, 10000) * 100)
                itm.add_days(value - c_div(value, 100) * 100, 1)
                itm.add_fract_usec(frac, USECS_PER_DAY)
                if unit == "":
                    return itm
                date_part, have_field = False, False
                continue
            elif unit in ("T", "", "-"):  # extended format: yyyy-mm-dd
                if have_field:
                    raise bad()
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
                    raise bad()
                value, frac, pos = _iso8601_number(text, pos + 1)
                itm.add_days(value, 1)
                itm.add_fract_usec(frac, USECS_PER_DAY)
                if pos == end:
                    return itm
                if text[pos] == "T":
                    date_part, have_field = False, False
                    pos += 1
                    continue
                raise bad()
            else:
                raise bad()
        elif unit in ("H", "M", "S"):
            itm.add_usecs(value, frac, {"H": USECS_PER_HOUR, "M": USECS_PER_MINUTE, "S": 1_000_000}[unit])
        elif unit == "" and width == 6 and not have_field:  # basic format: hhmmss
            itm.add_usecs(c_div(value, 10000), 0.0, USECS_PER_HOUR)
            itm.add_usecs(c_div(value, 100) - c_div(value, 10000) * 100, 0.0, USECS_PER_MINUTE)
            itm.add_usecs(value - c_div(value, 100) * 100, 0.0, 1_000_000)
            itm.add_fract_usec(frac, 1)
            return itm
        elif unit in ("", ":"):  # extended format: hh:mm:ss
            if have_field:
                raise bad()
            itm.add_usecs(value, frac, USECS_PER_HOUR)
            if unit == "":
                return itm
            value, frac, pos = _iso8601_number(text, pos)
            itm.add_usecs(value, frac, USECS_PER_MINUTE)
            if pos == end:
                return itm
            if text[pos] != ":":
                raise bad()
            value, frac, pos = _iso8601_number(text, pos + 1)
            itm.add_usecs(value, frac, 1_000_000)
            if pos == end:
                return itm
            raise bad()
        else:
            raise bad()
        have_field = True
    return itm


def interval_in(text: str) -> Interval:
    """interval_in: PostgreSQL's own syntax (with units, "ago", h:m:s, y-m), else ISO 8601."""
    try:
        try:
            itm = _decode_interval(parse_datetime(text, 256))
        except DateTimeError as error:
            if error.code != "format":
                raise
            itm = _decode_iso8601_interval(text)
    except DateTimeError as error:
        raise datetime_error(DateTimeError("interval") if error.code == "field" else error, text, "interval") from None
    months = itm.year * 12 + itm.mon
    if months not in INT32_RANGE:
        raise errors.PgError(errors.DATETIME_FIELD_OVERFLOW, "interval out of range")
    return Interval(months, itm.mday, itm.usec)


def interval_out(value: Interval) -> bytes:
    """EncodeInterval in the postgres style: "1 year 2 mons -3 days +04:05:06.5"."""
    years = c_div(value.months, 12)
    parts = []
    is_before = False  # a field after a negative one shows its sign
    for amount, unit in ((years, "year"), (value.months - years * 12, "mon"), (value.days, "day")):
        if amount:
            plus = "+" if is_before and amount > 0 else ""
            parts.append(f"{plus}{amount} {unit}{'' if amount == 1 else 's'}")
            is_before = amount < 0
    if not parts or value.microseconds:
        sign = "-" if value.microseconds < 0 else "+" if is_before else ""
        minutes, usecs = divmod(abs(value.microseconds), USECS_PER_MINUTE)
        seconds, usecs = divmod(usecs, 1_000_000)
        parts.append(f"{sign}{minutes // 60:02d}:{minutes % 60:02d}:{seconds:02d}{fraction_text(usecs)}")
    return " ".join(parts).encode()


def interval_send(value: Interval) -> bytes:
    return _INTERVAL.pack(value.microseconds, value.days, value.months)


_, interval_recv = fixed("qii", lambda usecs, days, months: Interval(months, days, usecs))
