"""Date/time input: a port of ParseDateTime and DecodeDateTime (PostgreSQL 15), and the field decoders
interval input shares."""

from __future__ import annotations

import re
import zoneinfo
from datetime import datetime, timedelta, timezone, tzinfo

from orbit_pg import errors
from orbit_pg.types.base import invalid
from orbit_pg.types.clib import atoi, c_div, is_alpha, is_digit, strtod_at, strtol
from orbit_pg.types.datetime_tokens import (
    ABBREVIATIONS,
    ADBC,
    ALL_SECS_M,
    AMPM,
    DATE_M,
    DATE_TOKENS,
    DAY,
    DOW,
    DOY,
    DTZ,
    DTZMOD,
    DYNTZ,
    F_DATE,
    F_NUMBER,
    F_SPECIAL,
    F_STRING,
    F_TIME,
    F_TZ,
    HOUR,
    IGNORE,
    ISOTIME,
    MINUTE,
    MONTH,
    RESERV,
    SECOND,
    TIME_M,
    TZ,
    UNITS,
    UNKNOWN,
    YEAR,
    token,
)
from orbit_pg.types.julian import (
    DAYS_IN_MONTH,
    USECS_PER_DAY,
    USECS_PER_HOUR,
    USECS_PER_MINUTE,
    date2j,
    is_leap,
    j2date,
    valid_julian,
)
from orbit_pg.types.timezones import lookup_zone


class DateTimeError(Exception):
    """A DTERR code; the caller turns it into PostgreSQL's message for the whole input string."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code  # format, field, md_field, tzdisp


def bad() -> DateTimeError:
    return DateTimeError("format")


def field_overflow() -> DateTimeError:
    return DateTimeError("field")


class _Tm:
    """struct pg_tm with fsec, and the is2digits flag the decoders pass around."""

    __slots__ = ("year", "mon", "mday", "hour", "min", "sec", "fsec", "yday", "is2digits")

    def __init__(self) -> None:
        self.year = self.mon = self.mday = self.hour = self.min = self.sec = self.fsec = self.yday = 0
        self.is2digits = False


def parse_fraction(text: str) -> float:
    """ParseFraction: "." alone is zero; otherwise strtod must take it all."""
    if text == ".":
        return 0.0
    parsed = strtod_at(text, 0)
    if parsed is None or parsed[1] != len(text):
        raise bad()
    return parsed[0]


def _parse_fractional_second(text: str) -> int:
    return round(parse_fraction(text) * 1_000_000)


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


def parse_datetime(text: str, buffer: int) -> list[tuple[int, str]]:
    """ParseDateTime: split into typed, lower-cased fields, within PostgreSQL's 25 fields and work buffer."""
    fields: list[tuple[int, str]] = []
    used = 0
    pos, end = 0, len(text)
    while pos < end:
        m = _DATETIME_FIELD.match(text, pos)
        if m is None:
            raise bad()
        group = m.lastgroup
        pos = m.end()
        if group in ("space", "punct"):
            continue
        field = m[0]
        if group == "time":
            kind = F_TIME
        elif group == "date":
            kind = F_DATE
        elif group == "number":
            kind = F_NUMBER
        elif group == "textdate":
            kind, field = F_DATE, field.lower()
        elif group == "tail":
            # a word; it runs on into a date or zone name, unless a keyword stands before a digit or "+"
            word, tail = m["alpha"].lower(), m["tail"]
            if tail and (tail[0] in "-/." or token(DATE_TOKENS, word)[0] == UNKNOWN):
                kind, field = F_DATE, field.lower()
            else:
                kind, field, pos = F_STRING, word, m.start("tail")
        elif m["tz"] is not None:
            kind, field = F_TZ, m["sign"] + m["tz"]
        elif m["special"] is not None:
            kind, field = F_SPECIAL, m["sign"] + m["special"].lower()
        else:
            raise bad()
        if len(fields) >= 25 or used + len(field) >= buffer:
            raise bad()
        used += len(field) + 1
        fields.append((kind, field))
    return fields


def _decode_timezone(text: str) -> int:
    """DecodeTimezone: ±hh[:mm[:ss]] or ±hhmm, as PostgreSQL's tz (seconds west of UTC)."""
    if not text or text[0] not in "+-":
        raise bad()
    hour, pos, overflow = strtol(text, 1)
    if overflow:
        raise DateTimeError("tzdisp")
    minute = second = 0
    if pos < len(text) and text[pos] == ":":
        minute, pos, overflow = strtol(text, pos + 1)
        if overflow:
            raise DateTimeError("tzdisp")
        if pos < len(text) and text[pos] == ":":
            second, pos, overflow = strtol(text, pos + 1)
            if overflow:
                raise DateTimeError("tzdisp")
    elif pos == len(text) and len(text) > 3:
        hour, minute = c_div(hour, 100), hour - c_div(hour, 100) * 100
    if not 0 <= hour <= 15 or not 0 <= minute < 60 or not 0 <= second < 60:
        raise DateTimeError("tzdisp")
    tz = (hour * 60 + minute) * 60 + second
    if pos != len(text):
        raise bad()
    return tz if text[0] == "-" else -tz


def decode_time_common(text: str) -> tuple[int, int, int, int]:
    """DecodeTimeCommon: h:m[:s[.f]] or m:s.f, as (hours, minutes, seconds, microseconds)."""
    hour, pos, overflow = strtol(text, 0, 64)
    if overflow:
        raise field_overflow()
    if pos >= len(text) or text[pos] != ":":
        raise bad()
    minute, pos, overflow = strtol(text, pos + 1)
    if overflow:
        raise field_overflow()
    second = fsec = 0
    if pos < len(text) and text[pos] == ".":  # mm:ss.sss
        fsec = _parse_fractional_second(text[pos:])
        if not -(1 << 31) <= hour < 1 << 31:
            raise field_overflow()
        hour, minute, second = 0, hour, minute
    elif pos < len(text) and text[pos] == ":":
        second, pos, overflow = strtol(text, pos + 1)
        if overflow:
            raise field_overflow()
        if pos < len(text):
            if text[pos] != ".":
                raise bad()
            fsec = _parse_fractional_second(text[pos:])
    elif pos < len(text):
        raise bad()
    if hour < 0 or not 0 <= minute <= 59 or not 0 <= second <= 60 or not 0 <= fsec <= 1_000_000:
        raise field_overflow()
    return hour, minute, second, fsec


def _decode_number_field(text: str, fmask: int, tm: _Tm) -> int:
    """DecodeNumberField: run-together yyyymmdd, hhmmss or hhmm, maybe with a fraction; returns tmask."""
    point = text.find(".")
    if point >= 0:
        if point + 1 < len(text):
            parsed = strtod_at(text, point)
            if parsed is None:
                raise bad()
            tm.fsec = round(parsed[0] * 1_000_000)
        else:
            tm.fsec = 0
        text = text[:point]
    elif fmask & DATE_M != DATE_M and len(text) >= 6:
        tm.mday, tm.mon, tm.year = atoi(text[-2:]), atoi(text[-4:-2]), atoi(text[:-4])
        if len(text) == 6:
            tm.is2digits = True
        return DATE_M
    if fmask & TIME_M != TIME_M and len(text) in (4, 6):
        tm.hour, tm.min, tm.sec = atoi(text[:2]), atoi(text[2:4]), atoi(text[4:6])
        return TIME_M
    raise bad()


def _decode_number(text: str, have_text_month: bool, fmask: int, tm: _Tm) -> int:
    """DecodeNumber: a plain number, read as year, month, day or time by what came before (MDY)."""
    value, pos, overflow = strtol(text)
    if overflow:
        raise field_overflow()
    if pos == 0:
        raise bad()
    if pos < len(text):
        if text[pos] != ".":
            raise bad()
        if pos > 2:
            return _decode_number_field(text, fmask | DATE_M, tm)
        tm.fsec = _parse_fractional_second(text[pos:])
    length = len(text)
    if length == 3 and fmask & DATE_M == 1 << YEAR and 1 <= value <= 366:
        tm.yday = value
        return 1 << DOY | 1 << MONTH | 1 << DAY
    have = fmask & DATE_M
    if have == DATE_M:
        return _decode_number_field(text, fmask, tm)
    if have == 0:
        tmask = 1 << YEAR if length >= 3 else 1 << MONTH
    elif have == 1 << YEAR or have == 1 << DAY:
        tmask = 1 << MONTH
    elif have == 1 << MONTH:
        tmask = 1 << YEAR if have_text_month and length >= 3 else 1 << DAY
    elif have == 1 << YEAR | 1 << MONTH:
        if have_text_month and length >= 3 and tm.is2digits:  # DD-MON-YYYY after all
            tm.mday, tm.year, tm.is2digits = tm.year, value, False
            return 1 << DAY
        tmask = 1 << DAY
    elif have == 1 << MONTH | 1 << DAY:
        tmask = 1 << YEAR
    else:
        raise bad()
    if tmask == 1 << YEAR:
        tm.year = value
        tm.is2digits = length <= 2
    elif tmask == 1 << MONTH:
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
            raise bad()  # the string ended after a separator
        parts.append(m[1])
        pos = m.end()
    tmask = 0
    have_text_month = False
    for i, part in enumerate(parts):
        if part and is_alpha(part[0]):
            kind, value = token(DATE_TOKENS, part)
            if kind == IGNORE:
                continue
            if kind != MONTH or fmask & 1 << MONTH:
                raise bad()
            tm.mon, have_text_month = value, True
            fmask |= 1 << MONTH
            tmask |= 1 << MONTH
            parts[i] = None
    for part in parts:
        if part is None:
            continue
        dmask = _decode_number(part, have_text_month, fmask, tm)
        if fmask & dmask:
            raise bad()
        fmask |= dmask
        tmask |= dmask
    if fmask & ~(1 << DOY | 1 << TZ) != DATE_M:
        raise bad()
    return tmask


def _validate_date(fmask: int, is_julian: bool, bc: bool, tm: _Tm) -> None:
    """ValidateDate: BC and two-digit years, day of year, then month and day ranges."""
    if fmask & 1 << YEAR and not is_julian:
        if bc:
            if tm.year <= 0:
                raise field_overflow()
            tm.year = 1 - tm.year
        elif tm.is2digits:
            if tm.year < 0:
                raise field_overflow()
            tm.year += 2000 if tm.year < 70 else 1900 if tm.year < 100 else 0
        elif tm.year <= 0:
            raise field_overflow()
    if fmask & 1 << DOY:
        tm.year, tm.mon, tm.mday = j2date(date2j(tm.year, 1, 1) + tm.yday - 1)
    if fmask & 1 << MONTH and not 1 <= tm.mon <= 12:
        raise DateTimeError("md_field")
    if fmask & 1 << DAY and not 1 <= tm.mday <= 31:
        raise DateTimeError("md_field")
    if fmask & DATE_M == DATE_M and tm.mday > DAYS_IN_MONTH[tm.mon - 1] + (tm.mon == 2 and is_leap(tm.year)):
        raise field_overflow()


def _local(tm: _Tm) -> datetime:
    """The wall-clock time, moved into the years datetime can hold (zone rules beyond are a guess)."""
    year = min(max(tm.year, 2), 9998)
    day = tm.mday if year == tm.year else min(tm.mday, 28)
    return datetime(year, tm.mon, day) + timedelta(seconds=(tm.hour * 60 + tm.min) * 60 + tm.sec)


def _zone_offset(tm: _Tm, zone: tzinfo) -> int:
    """DetermineTimeZoneOffset: a skipped or repeated local time takes the later UTC instant."""
    if not valid_julian(tm.year, tm.mon):
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
        if kind == F_DATE:
            if ptype == "julian":
                jday, pos, overflow = strtol(field)
                if overflow or jday < 0:
                    raise field_overflow()
                tm.year, tm.mon, tm.mday = j2date(jday)
                is_julian = True
                tz = _decode_timezone(field[pos:])
                tmask = DATE_M | TIME_M | 1 << TZ
                ptype = None
            elif ptype is not None or fmask & (1 << MONTH | 1 << DAY) == 1 << MONTH | 1 << DAY:
                if is_digit(field[0]) or ptype is not None:
                    if ptype is not None:
                        if ptype != "time":
                            raise bad()
                        ptype = None
                    if fmask & TIME_M == TIME_M:
                        raise bad()
                    dash = field.find("-")
                    if dash < 0:
                        raise bad()
                    tz = _decode_timezone(field[dash:])
                    tmask = _decode_number_field(field[:dash], fmask, tm) | 1 << TZ
                else:
                    zone = lookup_zone(field)
                    if zone is None:
                        raise errors.PgError(errors.INVALID_PARAMETER_VALUE, f'time zone "{field}" not recognized')
                    tmask = 1 << TZ
            else:
                tmask = _decode_date(field, fmask, tm)
        elif kind == F_TIME:
            if ptype is not None:
                if ptype != "time":
                    raise bad()
                ptype = None
            hour, tm.min, tm.sec, tm.fsec = decode_time_common(field)
            if hour >= 1 << 31:
                raise field_overflow()
            tm.hour = hour
            tmask = TIME_M
            if hour > 24 or ((hour * 60 + tm.min) * 60 + tm.sec) * 1_000_000 + tm.fsec > USECS_PER_DAY:
                raise field_overflow()
        elif kind == F_TZ:
            tz = _decode_timezone(field)
            tmask = 1 << TZ
        elif kind == F_NUMBER:
            if ptype is not None:  # a number after a unit keyword: "y 2024 m 1 d 2", "j 2451545", "t 040506"
                value, pos, overflow = strtol(field)
                if overflow:
                    raise field_overflow()
                rest = field[pos:]
                if rest and (rest[0] != "." or ptype not in ("julian", "time", "second")):
                    raise bad()
                if ptype == "year":
                    tm.year, tmask = value, 1 << YEAR
                elif ptype == "month" and fmask & 1 << MONTH and fmask & 1 << HOUR:  # "m" after an hour
                    tm.min, tmask = value, 1 << MINUTE
                elif ptype == "month":
                    tm.mon, tmask = value, 1 << MONTH
                elif ptype == "day":
                    tm.mday, tmask = value, 1 << DAY
                elif ptype == "hour":
                    tm.hour, tmask = value, 1 << HOUR
                elif ptype == "minute":
                    tm.min, tmask = value, 1 << MINUTE
                elif ptype == "second":
                    tm.sec, tmask = value, 1 << SECOND
                    if rest:
                        tm.fsec, tmask = _parse_fractional_second(rest), ALL_SECS_M
                elif ptype == "julian":
                    if value < 0:
                        raise field_overflow()
                    tmask = DATE_M
                    tm.year, tm.mon, tm.mday = j2date(value)
                    is_julian = True
                    if rest:  # a fraction of a day
                        usecs = int(parse_fraction(rest) * USECS_PER_DAY)
                        tm.hour, usecs = divmod(usecs, USECS_PER_HOUR)
                        tm.min, usecs = divmod(usecs, USECS_PER_MINUTE)
                        tm.sec, tm.fsec = divmod(usecs, 1_000_000)
                        tmask |= TIME_M
                elif ptype == "time":
                    tmask = _decode_number_field(field, fmask | DATE_M, tm)
                    if tmask != TIME_M:
                        raise bad()
                else:
                    raise bad()
                ptype = None
                dtype = "date"
            else:
                point = field.find(".")
                if point >= 0 and not fmask & DATE_M:
                    tmask = _decode_date(field, fmask, tm)
                elif point > 2 or (len(field) >= 6 and (not fmask & DATE_M or not fmask & TIME_M)):
                    tmask = _decode_number_field(field, fmask, tm)
                else:
                    tmask = _decode_number(field, have_text_month, fmask, tm)
        else:  # F_STRING, F_SPECIAL
            kind, value = token(ABBREVIATIONS, field)
            if kind == UNKNOWN:
                kind, value = token(DATE_TOKENS, field)
            if kind == IGNORE:
                continue
            tmask = 1 << kind
            if kind == RESERV:
                if value == "now":  # the transaction's start in PostgreSQL; here, this moment
                    now = _now()
                    dtype, tmask, tz = "date", DATE_M | TIME_M | 1 << TZ, 0
                    tm.year, tm.mon, tm.mday = now.year, now.month, now.day
                    tm.hour, tm.min, tm.sec, tm.fsec = now.hour, now.minute, now.second, now.microsecond
                elif value in _RELATIVE_DAYS:
                    day = _now() + timedelta(days=_RELATIVE_DAYS[value])
                    dtype, tmask = "date", DATE_M
                    tm.year, tm.mon, tm.mday = day.year, day.month, day.day
                elif value == "zulu":
                    dtype, tmask = "date", TIME_M | 1 << TZ
                    tm.hour = tm.min = tm.sec = tz = 0
                else:  # epoch, infinity, -infinity: the other fields are still read and checked
                    dtype = value
            elif kind == MONTH:
                if fmask & 1 << MONTH and not have_text_month and not fmask & 1 << DAY and 1 <= tm.mon <= 31:
                    tm.mday = tm.mon
                    tmask = 1 << DAY
                have_text_month = True
                tm.mon = value
            elif kind == DTZMOD:
                tmask |= 1 << DTZ
                tz -= value
            elif kind in (DTZ, TZ):
                tmask |= 1 << TZ
                tz = -value
            elif kind == DYNTZ:
                tmask |= 1 << TZ
                abbreviation = field, zoneinfo.ZoneInfo(value)
            elif kind == AMPM:
                meridian = value
            elif kind == ADBC:
                bc = value
            elif kind == UNITS:
                tmask = 0
                ptype = value
            elif kind == ISOTIME:  # "t": a date must come before, a time after
                tmask = 0
                if (
                    fmask & DATE_M != DATE_M
                    or i + 1 >= len(fields)
                    or fields[i + 1][0] not in (F_NUMBER, F_TIME, F_DATE)
                ):
                    raise bad()
                ptype = value
            elif kind == UNKNOWN:
                zone = lookup_zone(field)
                if zone is None:
                    raise bad()
                tmask = 1 << TZ
            elif kind != DOW:
                raise bad()
        if tmask & fmask:
            raise bad()
        fmask |= tmask
    # PostgreSQL 15 ignores a unit keyword left without its number, and checks the fields even of "epoch"
    _validate_date(fmask, is_julian, bc, tm)
    if meridian is not None and tm.hour > 12:
        raise field_overflow()
    if meridian == "am" and tm.hour == 12:
        tm.hour = 0
    elif meridian == "pm" and tm.hour != 12:
        tm.hour += 12
    if dtype == "date":
        if fmask & DATE_M != DATE_M:
            raise bad()
        if zone is not None or abbreviation is not None or not fmask & 1 << TZ:
            if fmask & 1 << DTZMOD:
                raise bad()
            if abbreviation is not None:
                tz = _abbreviation_offset(tm, *abbreviation)
            elif zone is not None:
                tz = _zone_offset(tm, zone)
            else:
                tz = 0  # the session TimeZone is UTC
    return dtype, tm, tz


def datetime_error(error: DateTimeError, text: str, type_name: str) -> errors.PgError:
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
    return invalid(type_name, text, errors.INVALID_DATETIME_FORMAT)


def decode_input(text: str, type_name: str) -> tuple[str, _Tm, int]:
    try:
        return _decode_datetime(parse_datetime(text, 129))
    except DateTimeError as error:
        raise datetime_error(error, text, type_name) from None
