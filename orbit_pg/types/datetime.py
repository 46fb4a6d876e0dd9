"""date, timestamp and timestamptz: the Python values, PostgreSQL's range checks, ISO output, binary
forms, and input (a fast path for plain ISO 8601, else datetime_parse)."""

from __future__ import annotations

import re
import struct
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

from orbit_pg import errors
from orbit_pg.types.base import INT32, fixed
from orbit_pg.types.clib import wrap32
from orbit_pg.types.datetime_parse import decode_input
from orbit_pg.types.julian import (
    DAYS_IN_MONTH,
    POSTGRES_EPOCH_JDATE,
    USECS_PER_DAY,
    date2j,
    is_leap,
    j2date,
    valid_julian,
)


@dataclass(frozen=True, order=True, slots=True)
class FarDatetime:
    """A date or timestamp that Python's datetime cannot hold: BC, after 9999, or ±infinity.

    ``count`` is what PostgreSQL stores: days since 2000-01-01 for date, microseconds since
    2000-01-01 00:00 (UTC) for timestamp and timestamptz; the int32 or int64 extremes are ±infinity.
    """

    count: int


_DATE_NOBEGIN, _DATE_NOEND = -(1 << 31), (1 << 31) - 1
_DATE_MIN, _DATE_END = -POSTGRES_EPOCH_JDATE, 2147483494 - POSTGRES_EPOCH_JDATE
_DT_NOBEGIN, _DT_NOEND = -(1 << 63), (1 << 63) - 1
_TIMESTAMP_MIN, _TIMESTAMP_END = -211813488000000000, 9223371331200000000
_ORDINAL_2000 = 730120  # date(2000, 1, 1).toordinal()
_PY_DAYS = (1 - _ORDINAL_2000, 3652059 - _ORDINAL_2000)  # date.min and date.max as day counts
_PY_USECS = (_PY_DAYS[0] * USECS_PER_DAY, (_PY_DAYS[1] + 1) * USECS_PER_DAY)
_EPOCH = datetime(2000, 1, 1)
_EPOCH_UTC = datetime(2000, 1, 1, tzinfo=timezone.utc)


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


def fraction_text(usecs: int) -> str:
    """AppendSeconds' fraction: up to six digits, trailing zeros dropped."""
    return "." + f"{usecs:06d}".rstrip("0") if usecs else ""


def _ymd(year: int, month: int, day: int) -> str:
    """The ISO date part; astronomical year 0 is 1 BC, and the caller appends the " BC"."""
    return f"{1 - year if year <= 0 else year:04d}-{month:02d}-{day:02d}"


def date_out(value: date | FarDatetime) -> bytes:
    if isinstance(value, date):
        return b"%04d-%02d-%02d" % (value.year, value.month, value.day)
    if value.count in (_DATE_NOBEGIN, _DATE_NOEND):
        return b"infinity" if value.count > 0 else b"-infinity"
    year, month, day = j2date(value.count + POSTGRES_EPOCH_JDATE)
    return (_ymd(year, month, day) + (" BC" if year <= 0 else "")).encode()


def _timestamp_text(value: datetime | FarDatetime, zone: str) -> bytes:
    """EncodeDateTime in ISO style; ``zone`` is what a timestamptz prints after the seconds."""
    if isinstance(value, datetime):
        text = f"{_ymd(value.year, value.month, value.day)} {value.hour:02d}:{value.minute:02d}:{value.second:02d}"
        return (text + fraction_text(value.microsecond) + zone).encode()
    if value.count in (_DT_NOBEGIN, _DT_NOEND):
        return b"infinity" if value.count > 0 else b"-infinity"
    days, usecs = divmod(value.count, USECS_PER_DAY)
    seconds, fraction = divmod(usecs, 1_000_000)
    year, month, day = j2date(days + POSTGRES_EPOCH_JDATE)
    minutes, second = divmod(seconds, 60)
    text = f"{_ymd(year, month, day)} {minutes // 60:02d}:{minutes % 60:02d}:{second:02d}"
    return (text + fraction_text(fraction) + zone + (" BC" if year <= 0 else "")).encode()


def timestamp_out(value: datetime | FarDatetime) -> bytes:
    return _timestamp_text(value, "")


def timestamptz_out(value: datetime | FarDatetime) -> bytes:
    """timestamptz_out in the session's UTC; another offset is converted first."""
    if isinstance(value, datetime) and value.utcoffset():
        value = _timestamp_value(_timestamp_usecs(value), True)
    return _timestamp_text(value, "+00")


_INT64 = struct.Struct("!q")


def date_send(value: date | FarDatetime) -> bytes:
    return INT32.pack(_date_days(value))


def _checked_date(days: int) -> date | FarDatetime:
    """date_recv's range check: the Julian-day range, or one of the two infinities."""
    if days not in (_DATE_NOBEGIN, _DATE_NOEND) and not _DATE_MIN <= days < _DATE_END:
        raise errors.PgError(errors.DATETIME_FIELD_OVERFLOW, "date out of range")
    return _date_value(days)


_, date_recv = fixed("i", _checked_date)


def timestamp_send(value: datetime | FarDatetime) -> bytes:
    return _INT64.pack(_timestamp_usecs(value))


def _checked_timestamp(aware: bool) -> Callable[[int], datetime | FarDatetime]:
    """timestamp_recv's range check: 4714-11-24 BC to 294276 AD, or one of the two infinities."""

    def check(usecs: int) -> datetime | FarDatetime:
        if usecs not in (_DT_NOBEGIN, _DT_NOEND) and not _TIMESTAMP_MIN <= usecs < _TIMESTAMP_END:
            raise errors.PgError(errors.DATETIME_FIELD_OVERFLOW, "timestamp out of range")
        return _timestamp_value(usecs, aware)

    return check


_, timestamp_recv = fixed("q", _checked_timestamp(False))
_, timestamptz_recv = fixed("q", _checked_timestamp(True))


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
    if not (year and 1 <= month <= 12 and 1 <= day <= DAYS_IN_MONTH[month - 1] + (month == 2 and is_leap(year))):
        return None
    seconds = (int(m[4]) * 60 + int(m[5])) * 60 + int(m[6]) if m[4] else 0
    usecs = (date(year, month, day).toordinal() - _ORDINAL_2000) * USECS_PER_DAY + seconds * 1_000_000
    if m[7]:
        usecs += int(m[7].ljust(6, "0"))
    offset = (int(m[9]) * 60 + int(m[10] or 0)) * 60 if m[8] else 0
    return usecs, offset if m[8] == "-" else -offset


def date_in(text: str) -> date | FarDatetime:
    """date_in: any date/time input; the time and zone are read and then ignored."""
    fast = _iso_datetime(text)
    if fast is not None:
        return _date_value(fast[0] // USECS_PER_DAY)
    dtype, tm, _ = decode_input(text, "date")
    if dtype in ("late", "early"):
        return FarDatetime(_DATE_NOEND if dtype == "late" else _DATE_NOBEGIN)
    if dtype == "epoch":
        tm.year, tm.mon, tm.mday = 1970, 1, 1
    days = date2j(tm.year, tm.mon, tm.mday) - POSTGRES_EPOCH_JDATE
    if not valid_julian(tm.year, tm.mon) or not _DATE_MIN <= days < _DATE_END:
        raise errors.PgError(errors.DATETIME_FIELD_OVERFLOW, f'date out of range: "{text}"')
    return _date_value(days)


def timestamp_in(type_name: str, aware: bool) -> Callable[[str], datetime | FarDatetime]:
    """timestamp_in and timestamptz_in; a timestamp without time zone ignores any zone given."""

    def parse(text: str) -> datetime | FarDatetime:
        fast = _iso_datetime(text)
        if fast is not None:
            return _timestamp_value(fast[0] + fast[1] * 1_000_000 if aware else fast[0], aware)
        dtype, tm, tz = decode_input(text, type_name)
        if dtype != "date":
            usecs = {"epoch": -946684800000000, "late": _DT_NOEND, "early": _DT_NOBEGIN}[dtype]
            return _timestamp_value(usecs, aware)
        days = date2j(tm.year, tm.mon, tm.mday) - POSTGRES_EPOCH_JDATE
        seconds = wrap32(wrap32(wrap32(tm.hour * 60) + tm.min) * 60 + tm.sec)  # time2t's int arithmetic
        time = seconds * 1_000_000 + tm.fsec
        usecs = days * USECS_PER_DAY + time
        if aware:
            usecs += tz * 1_000_000
        if (
            not valid_julian(tm.year, tm.mon)
            or not -(1 << 63) <= days * USECS_PER_DAY + time < 1 << 63
            or (days * USECS_PER_DAY + time < 0 < days)
            or (days * USECS_PER_DAY + time > 0 and days < -1)
            or not _TIMESTAMP_MIN <= usecs < _TIMESTAMP_END
        ):
            raise errors.PgError(errors.DATETIME_FIELD_OVERFLOW, f'timestamp out of range: "{text}"')
        return _timestamp_value(usecs, aware)

    return parse
