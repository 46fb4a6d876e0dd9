"""Calendar arithmetic shared by date/time input and output (datetime.c): Julian day numbers, the
Gregorian month lengths, and microseconds per unit."""

from __future__ import annotations

from orbit_pg.types.clib import c_div

POSTGRES_EPOCH_JDATE = 2451545  # 2000-01-01
USECS_PER_DAY = 86_400_000_000
USECS_PER_HOUR = 3_600_000_000
USECS_PER_MINUTE = 60_000_000

DAYS_IN_MONTH = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def date2j(year: int, month: int, day: int) -> int:
    if month > 2:
        month += 1
        year += 4800
    else:
        month += 13
        year += 4799
    century = c_div(year, 100)
    return year * 365 - 32167 + c_div(year, 4) - century + c_div(century, 4) + c_div(7834 * month, 256) + day


def j2date(jd: int) -> tuple[int, int, int]:
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


def is_leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def valid_julian(year: int, month: int) -> bool:
    """IS_VALID_JULIAN: from 4714-11-01 BC up to (not including) 5874898-06-01."""
    return (year > -4713 or (year == -4713 and month >= 11)) and (year < 5874898 or (year == 5874898 and month < 6))
