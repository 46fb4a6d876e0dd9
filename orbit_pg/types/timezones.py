"""Time zones by name, as pg_tzset finds them: a zone file in any case, else a POSIX TZ spec."""

from __future__ import annotations

import re
import zoneinfo
from datetime import datetime, timedelta, tzinfo
from functools import cache


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
        if self._dst is None or dt is None or not dt.replace(tzinfo=lookup_zone("America/New_York")).dst():
            return self._std
        return self._dst


def lookup_zone(name: str) -> tzinfo | None:
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
