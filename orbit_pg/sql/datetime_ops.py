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
