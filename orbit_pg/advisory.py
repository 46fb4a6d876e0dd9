"""Session-level advisory locks (pg_advisory_lock and friends), server-wide.

Applications use them to elect one worker per actor; pools release them all on return
(asyncpg's reset runs ``pg_advisory_unlock_all()``). A lock is held by a session, reentrantly,
until unlocked as often as locked or until the session ends.
"""

from __future__ import annotations

from typing import Any

from orbit_pg import errors

Key = tuple[int, ...]  # (bigint,) or (int4, int4): two different key spaces, as in PostgreSQL


class AdvisoryLocks:
    def __init__(self) -> None:
        self.holders: dict[Key, tuple[Any, int]] = {}  # key → (session, count)

    def try_lock(self, session: Any, key: Key) -> bool:
        holder = self.holders.get(key)
        if holder is None:
            self.holders[key] = (session, 1)
            return True
        if holder[0] is session:
            self.holders[key] = (session, holder[1] + 1)
            return True
        return False

    def unlock(self, session: Any, key: Key) -> bool:
        holder = self.holders.get(key)
        if holder is None or holder[0] is not session:
            return False
        if holder[1] == 1:
            del self.holders[key]
        else:
            self.holders[key] = (session, holder[1] - 1)
        return True

    def unlock_all(self, session: Any) -> None:
        for key in [key for key, (holder, _) in self.holders.items() if holder is session]:
            del self.holders[key]


def _locks(session: Any) -> AdvisoryLocks:
    return session.advisory_locks


def pg_try_advisory_lock(session: Any, *key: int) -> bool:
    return _locks(session).try_lock(session, key)


def pg_advisory_lock(session: Any, *key: int) -> str:
    """Waiting for a lock another session holds is not supported: that case fails with 55P03."""
    if not _locks(session).try_lock(session, key):
        raise errors.PgError(
            "55P03",
            "could not obtain lock: another session holds this advisory lock",
            hint="orbit-pg does not wait for advisory locks; use pg_try_advisory_lock.",
        )
    return ""


def pg_advisory_unlock(session: Any, *key: int) -> bool:
    """False for a lock the session does not hold (PostgreSQL also warns; that warning is not sent)."""
    return _locks(session).unlock(session, key)


def pg_advisory_unlock_all(session: Any) -> str:
    _locks(session).unlock_all(session)
    return ""
