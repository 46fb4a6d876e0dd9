"""How a statement waits and how it is stopped: pg_sleep, the scan's pause marker, 57014.

Statements run on the reactor thread, so none may block. A statement that must wait says
for how long (``Session.sleep_seconds``, added to by pg_sleep) and the protocol's slice loop,
which already yields to the reactor between slices of rows, honours it with a reactor timer. A long scan
yields ``PAUSE`` every thousand rows it examines, so that a scan whose filter matches
little still returns to the loop. At each of those points a cancel request or
statement_timeout can end the statement (``QueryCanceled``).
"""

from __future__ import annotations

from typing import Any

from orbit_pg import errors

QUERY_CANCELED = "57014"
USER_REQUEST = "user request"
STATEMENT_TIMEOUT = "statement timeout"
LOCK_TIMEOUT = "lock timeout"  # an advisory lock's wait (row lock waits end in protocol._park)
LOCK_NOT_AVAILABLE = "55P03"
# A pausing scan yields PAUSE after this many examined rows (a power of two, minus one: a mask).
PAUSE_EVERY = 1023
FOREVER = 365 * 86400.0


class _Pause:
    """A marker in a row stream: not a row, a point where the statement lets the reactor run."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "PAUSE"


PAUSE: Any = _Pause()


def query_canceled(reason: str) -> errors.PgError:
    """57014 ``canceling statement due to user request`` (or ``statement timeout``; 55P03 for ``lock timeout``)."""
    sqlstate = LOCK_NOT_AVAILABLE if reason == LOCK_TIMEOUT else QUERY_CANCELED
    return errors.PgError(sqlstate, f"canceling statement due to {reason}")


def pg_sleep(session: Any, seconds: float) -> str:
    """pg_sleep(seconds): the statement waits (without blocking the reactor) once its current slice is out;
    calls in one slice add up."""
    if seconds > 0:  # NaN and negative: no wait, as in PostgreSQL; infinity: until canceled
        session.sleep_seconds = min(session.sleep_seconds + seconds, FOREVER)
    return ""
