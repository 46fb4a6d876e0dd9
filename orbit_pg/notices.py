"""Which notices reach the client: PostgreSQL's message levels and ``client_min_messages``.

A NoticeResponse is sent only if its severity is at or above ``client_min_messages``
(INFO always is), as elog.c's ``should_output_to_client`` decides; ERROR and FATAL are not
notices and always go out.
"""

from __future__ import annotations

from collections.abc import Iterable

from orbit_pg import errors

# elog.h's levels, by the name the severity field carries.
LEVELS = {
    "DEBUG5": 10,
    "DEBUG4": 11,
    "DEBUG3": 12,
    "DEBUG2": 13,
    "DEBUG1": 14,
    "DEBUG": 13,
    "LOG": 15,
    "INFO": 17,
    "NOTICE": 18,
    "WARNING": 19,
    "ERROR": 21,
}
INFO = LEVELS["INFO"]
# client_min_messages' choices (client_message_level_options): the listed ones, then the hidden
# spellings, and the name SHOW prints for each.
CHOICES = ("debug5", "debug4", "debug3", "debug2", "debug1", "log", "notice", "warning", "error")
_SPELLINGS = {**{name: name for name in CHOICES}, "debug": "debug2", "info": "info"}


def client_min_messages(value: str) -> str:
    """Check a value for client_min_messages; the text SHOW prints for it."""
    shown = _SPELLINGS.get(value.strip().lower())
    if shown is None:
        raise errors.PgError(
            errors.INVALID_PARAMETER_VALUE,
            f'invalid value for parameter "client_min_messages": "{value}"',
            hint=f"Available values: {', '.join(CHOICES)}.",
        )
    return shown


def to_client(notices: Iterable[errors.PgError], minimum: str) -> list[errors.PgError]:
    """The notices a client whose client_min_messages is ``minimum`` receives."""
    floor = LEVELS[minimum.upper()]
    return [n for n in notices if (level := LEVELS.get(n.severity, INFO)) >= floor or level == INFO]
