"""date_trunc, date_part and EXTRACT (``timestamp.c``, ``date.c``), on the datetime values the
type registry holds. A timestamptz is a UTC instant and the session's zone is UTC, so its
fields are read in UTC (as PostgreSQL does with TimeZone = 'Etc/UTC')."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

from orbit_pg import errors, types

_TRUNCATE_TO = ("microseconds", "milliseconds", "second", "minute", "hour", "day", "week", "month", "quarter")
_TRUNCATE_TO += ("year", "decade", "century", "millennium")
# Plural and abbreviated spellings DecodeUnits accepts (a subset of datetktbl's).
_UNIT_NAMES = {
    "microsecond": "microseconds",
    "us": "microseconds",
    "usec": "microseconds",
    "usecs": "microseconds",
    "millisecond": "milliseconds",
    "ms": "milliseconds",
    "msec": "milliseconds",
    "msecs": "milliseconds",
    "seconds": "second",
    "sec": "second",
    "secs": "second",
    "s": "second",
    "minutes": "minute",
    "min": "minute",
    "mins": "minute",
    "m": "minute",
    "hours": "hour",
    "hr": "hour",
    "hrs": "hour",
    "h": "hour",
    "days": "day",
    "d": "day",
    "weeks": "week",
    "w": "week",
    "months": "month",
    "mon": "month",
    "mons": "month",
    "qtr": "quarter",
    "years": "year",
    "y": "year",
    "yr": "year",
    "yrs": "year",
    "decades": "decade",
    "dec": "decade",
    "centuries": "century",
    "c": "century",
    "cent": "century",
    "millennia": "millennium",
    "mil": "millennium",
    "mils": "millennium",
    "millenniums": "millennium",
}


def _unit(name: str) -> str:
    lowered = name.lower()
    return _UNIT_NAMES.get(lowered, lowered)


def _plain(value: Any, type_name: str) -> Any:
    if not isinstance(value, date):
        raise errors.PgError(
            errors.FEATURE_NOT_SUPPORTED, f"{type_name} values out of Python's range are not supported"
        )
    return value


def date_trunc(type_: types.PgType) -> Callable[[str, Any], Any]:
    """date_trunc(field, timestamp[tz]): the value with every field below ``field`` at its start."""
    aware = type_ is types.TIMESTAMPTZ

    def truncate(field: str, value: Any) -> Any:
        unit = _unit(field)
        if unit not in _TRUNCATE_TO:
            known = unit in _EXTRACT_ONLY
            raise errors.PgError(
                errors.FEATURE_NOT_SUPPORTED if known else errors.INVALID_PARAMETER_VALUE,
                f'unit "{field}" not {"supported" if known else "recognized"} for type {type_.name}',
            )
        stamp = _plain(value, type_.name)
        if aware:
            stamp = stamp.astimezone(timezone.utc)
        if unit == "microseconds":
            return stamp
        if unit == "milliseconds":
            return stamp.replace(microsecond=stamp.microsecond // 1000 * 1000)
        stamp = stamp.replace(microsecond=0)
        if unit == "second":
            return stamp
        stamp = stamp.replace(second=0)
        if unit == "minute":
            return stamp
        stamp = stamp.replace(minute=0)
        if unit == "hour":
            return stamp
        stamp = stamp.replace(hour=0)
        if unit == "day":
            return stamp
        if unit == "week":
            return stamp - timedelta(days=stamp.weekday())
        if unit == "month":
            return stamp.replace(day=1)
        if unit == "quarter":
            return stamp.replace(month=(stamp.month - 1) // 3 * 3 + 1, day=1)
        year = stamp.year
        if unit == "decade":
            year = year // 10 * 10
        elif unit == "century":
            year = (year - 1) // 100 * 100 + 1
        elif unit == "millennium":
            year = (year - 1) // 1000 * 1000 + 1
        return stamp.replace(year=year, month=1, day=1)

    return truncate


_EXTRACT_ONLY = ("epoch", "dow", "isodow", "doy", "isoyear", "julian", "timezone", "timezone_hour", "timezone_minute")
_EPOCH_UTC = datetime(1970, 1, 1, tzinfo=timezone.utc)


def _field(unit: str, value: datetime | date, type_: types.PgType) -> Decimal:
    """One field of a date or timestamp, exactly (EXTRACT's numeric; date_part rounds it to float8)."""
    stamp = value if isinstance(value, datetime) else datetime(value.year, value.month, value.day)
    is_date = type_ is types.DATE
    if unit in ("microseconds", "milliseconds", "second", "minute", "hour") and is_date:
        raise errors.PgError(errors.FEATURE_NOT_SUPPORTED, f'unit "{unit}" not supported for type date')
    if unit == "microseconds":
        return Decimal(stamp.second * 1_000_000 + stamp.microsecond)
    if unit == "milliseconds":
        return Decimal(stamp.second * 1_000_000 + stamp.microsecond).scaleb(-3)
    if unit == "second":
        return Decimal(stamp.second * 1_000_000 + stamp.microsecond).scaleb(-6)
    if unit == "minute":
        return Decimal(stamp.minute)
    if unit == "hour":
        return Decimal(stamp.hour)
    if unit == "day":
        return Decimal(stamp.day)
    if unit == "month":
        return Decimal(stamp.month)
    if unit == "quarter":
        return Decimal((stamp.month - 1) // 3 + 1)
    if unit == "year":
        return Decimal(stamp.year)
    if unit == "decade":
        return Decimal(stamp.year // 10)
    if unit == "century":
        return Decimal((stamp.year + 99) // 100)
    if unit == "millennium":
        return Decimal((stamp.year + 999) // 1000)
    if unit == "week":
        return Decimal(stamp.isocalendar()[1])
    if unit == "isoyear":
        return Decimal(stamp.isocalendar()[0])
    if unit == "dow":
        return Decimal(stamp.isoweekday() % 7)
    if unit == "isodow":
        return Decimal(stamp.isoweekday())
    if unit == "doy":
        return Decimal(stamp.timetuple().tm_yday)
    if unit == "epoch":
        if is_date:
            return Decimal((stamp.date() - date(1970, 1, 1)).days * 86400)
        delta = stamp.replace(tzinfo=timezone.utc) - _EPOCH_UTC if stamp.tzinfo is None else stamp - _EPOCH_UTC
        usecs = (delta.days * 86400 + delta.seconds) * 1_000_000 + delta.microseconds
        return Decimal(usecs).scaleb(-6)
    if unit in ("timezone", "timezone_hour", "timezone_minute") and type_ is types.TIMESTAMPTZ:
        return Decimal(0)
    raise errors.PgError(
        errors.FEATURE_NOT_SUPPORTED
        if unit in _TRUNCATE_TO or unit in _EXTRACT_ONLY
        else errors.INVALID_PARAMETER_VALUE,
        f'unit "{unit}" not supported for type {type_.name}'
        if unit in _TRUNCATE_TO or unit in _EXTRACT_ONLY
        else f'unit "{unit}" not recognized for type {type_.name}',
    )


def extract(type_: types.PgType) -> Callable[[str, Any], Decimal]:
    """EXTRACT(field FROM x): numeric; seconds keep six decimals (three for milliseconds)."""

    def run(field: str, value: Any) -> Decimal:
        unit = _unit(field)
        result = _field(unit, _plain(value, type_.name), type_)
        if unit == "second" or (unit == "epoch" and type_ is not types.DATE):
            return result.quantize(Decimal("0.000001"))
        if unit == "milliseconds":
            return result.quantize(Decimal("0.001"))
        return result

    return run


def date_part(type_: types.PgType) -> Callable[[str, Any], float]:
    """date_part(field, x): the same field as double precision."""
    exact = extract(type_)
    return lambda field, value: float(exact(field, value))


# --- to_char (formatting.c DCH_to_char) --------------------------------------------------------

_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October")
_MONTHS += ("November", "December")
_DAYS = ("Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday")
# Longest first, as DCH_keywords is searched.
_KEYWORDS = sorted(
    """A.D. A.M. AD AM B.C. B.M. BC CC D DAY DD DDD DY Day Dy FX HH HH12 HH24 I ID IDDD IW IY IYY IYYY J MI MM MON
    MONTH MS Mon Month OF P.M. PM Q RM SS SSSS SSSSS TZ TZH TZM US W WW Y Y,YYY YY YYY YYYY a.d. a.m. ad am b.c. bc
    cc d day dd ddd dy i id iddd iw iy iyy iyyy j mi mm mon month ms of p.m. pm q rm ss ssss sssss tz tzh tzm us w ww
    y y,yyy yy yyy yyyy""".split(),
    key=len,
    reverse=True,
)


def _ordinal(number: int, upper: bool) -> str:
    if 10 <= number % 100 <= 20:
        suffix = "th"
    else:
        suffix = {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return suffix.upper() if upper else suffix


def _cased(word: str, keyword: str) -> str:
    """MONTH, Month, month: the name in the keyword's case."""
    if keyword.isupper():
        return word.upper()
    if keyword.islower():
        return word.lower()
    return word


def _field_text(keyword: str, stamp: datetime, fill: bool) -> tuple[str, int | None]:
    """One keyword's text, and the number it shows (for a TH suffix)."""
    key = keyword.upper()
    iso_year, iso_week, iso_day = stamp.isocalendar()
    year = stamp.year
    hour12 = stamp.hour % 12 or 12
    numbers = {
        "HH24": (stamp.hour, 2),
        "HH12": (hour12, 2),
        "HH": (hour12, 2),
        "MI": (stamp.minute, 2),
        "SS": (stamp.second, 2),
        "MS": (stamp.microsecond // 1000, 3),
        "US": (stamp.microsecond, 6),
        "SSSS": (stamp.hour * 3600 + stamp.minute * 60 + stamp.second, 0),
        "SSSSS": (stamp.hour * 3600 + stamp.minute * 60 + stamp.second, 0),
        "YYYY": (year, 4),
        "YYY": (year % 1000, 3),
        "YY": (year % 100, 2),
        "Y": (year % 10, 1),
        "IYYY": (iso_year, 4),
        "IYY": (iso_year % 1000, 3),
        "IY": (iso_year % 100, 2),
        "I": (iso_year % 10, 1),
        "MM": (stamp.month, 2),
        "DDD": (stamp.timetuple().tm_yday, 3),
        "DD": (stamp.day, 2),
        "D": (stamp.isoweekday() % 7 + 1, 0),
        "ID": (iso_day, 0),
        "IDDD": ((iso_week - 1) * 7 + iso_day, 3),
        "WW": ((stamp.timetuple().tm_yday - 1) // 7 + 1, 2),
        "IW": (iso_week, 2),
        "W": ((stamp.day - 1) // 7 + 1, 0),
        "Q": ((stamp.month - 1) // 3 + 1, 0),
        "CC": ((year + 99) // 100, 2),
        "J": (date(year, stamp.month, stamp.day).toordinal() + 1721425, 0),
    }
    if key in numbers:
        number, width = numbers[key]
        return (f"{number:0{width}d}" if fill else str(number)), number
    if key == "Y,YYY":
        return f"{year // 1000},{year % 1000:03d}", None
    if key in ("MONTH", "MON"):
        name = _MONTHS[stamp.month - 1]
        if key == "MON":
            return _cased(name[:3], keyword), None
        return _cased(name.ljust(9) if fill else name, keyword), None
    if key in ("DAY", "DY"):
        name = _DAYS[stamp.isoweekday() % 7]
        if key == "DY":
            return _cased(name[:3], keyword), None
        return _cased(name.ljust(9) if fill else name, keyword), None
    if key in ("AM", "PM", "A.M.", "P.M."):
        text = ("AM" if stamp.hour < 12 else "PM") if "." not in key else ("A.M." if stamp.hour < 12 else "P.M.")
        return (text if keyword[0].isupper() else text.lower()), None
    if key in ("AD", "BC", "A.D.", "B.C."):
        text = "AD" if "." not in key else "A.D."
        return (text if keyword[0].isupper() else text.lower()), None
    if key == "RM":
        numeral = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII")[stamp.month - 1]
        return _cased(numeral.ljust(4) if fill else numeral, keyword), None
    if key in ("TZ", "OF", "TZH", "TZM"):
        utc = stamp.tzinfo is not None
        text = {"TZ": "UTC" if utc else "", "OF": "+00" if utc else "+00", "TZH": "+00", "TZM": "00"}[key]
        return (text if keyword[0].isupper() else text.lower()), None
    return "", None  # FX: fixed format, nothing to print


def to_char(type_: types.PgType) -> Callable[[Any, str], str | None]:
    """to_char(timestamp[tz], format): PostgreSQL's template patterns, FM and TH modifiers,
    and "quoted" text; an empty format is NULL."""

    def format_(value: Any, template: str) -> str | None:
        if not template:
            return None
        stamp = _plain(value, type_.name)
        if type_ is types.TIMESTAMPTZ:
            stamp = stamp.astimezone(timezone.utc)
        out = []
        i, size = 0, len(template)
        while i < size:
            fill = True
            if template.startswith(("FM", "fm"), i):
                fill = False
                i += 2
            keyword = next((k for k in _KEYWORDS if template.startswith(k, i)), None)
            if keyword is None:
                char = template[i]
                if char == '"':
                    end = template.find('"', i + 1)
                    end = size if end < 0 else end
                    out.append(template[i + 1 : end].replace('\\"', '"'))
                    i = end + 1
                else:
                    out.append(char)
                    i += 1
                continue
            text, number = _field_text(keyword, stamp, fill)
            i += len(keyword)
            if number is not None and template.startswith(("TH", "th"), i):
                text += _ordinal(number, template[i] == "T")
                i += 2
            out.append(text)
        return "".join(out)

    return format_
