"""Advisory locks (pg_advisory_lock and friends), server-wide, with PostgreSQL's semantics.

Applications use them to elect one worker per actor; pools release them all on return
(asyncpg's reset runs ``pg_advisory_unlock_all()``). A session holds a key in ExclusiveLock or
ShareLock mode, at session level (until unlocked as often as locked, or until it disconnects)
or at transaction level (until its transaction ends), reentrantly: each scope counts its own.
An exclusive request conflicts with any other session's hold, a shared one with other
sessions' exclusive holds; a session never conflicts with itself.

A request that conflicts waits without blocking the reactor: the function queues it and
returns at once, and the protocol holds the statement's result back until every request it
queued is granted (``granted``), in queue order as the holders let go (lock.c's
ProcLockWakeup). A cancel, statement_timeout or the end of the connection withdraws the
requests (``cancel_waits``); a wait that would close a cycle fails at once with 40P01.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from twisted.internet.defer import Deferred, succeed

from orbit_pg import errors
from orbit_pg.catalog.objects import DATABASE

Key = tuple[int, ...]  # (bigint,) or (int4, int4): two different key spaces, as in PostgreSQL
EXCLUSIVE = "ExclusiveLock"
SHARE = "ShareLock"
# A hold: its mode and whether it belongs to the transaction (True) or the session (False).
Scope = tuple[str, bool]


def conflicts(mode: str, other: str) -> bool:
    return mode == EXCLUSIVE or other == EXCLUSIVE


@dataclass(eq=False)
class Waiter:
    """A request queued behind a conflicting hold."""

    session: Any
    key: Key
    mode: str
    xact: bool
    since: datetime = field(default_factory=lambda: datetime.now(timezone.utc))  # pg_locks.waitstart


@dataclass
class Lock:
    """One key: who holds it how often in which scope, and who waits for it, in order."""

    holds: dict[Any, dict[Scope, int]] = field(default_factory=dict)
    queue: list[Waiter] = field(default_factory=list)


class AdvisoryLocks:
    def __init__(self) -> None:
        self.locks: dict[Key, Lock] = {}
        self._wakeups: dict[Any, Deferred[None]] = {}  # session → fires when its requests are all granted

    def holdings(self) -> Iterator[tuple[tuple[int, int, int], Any, str, datetime | None]]:
        """pg_locks' advisory rows: (the tag's fields, session, mode, when its wait began — None
        once granted). A session shows one row per mode it holds, whatever the scopes and counts,
        as PostgreSQL keeps one PROCLOCK per backend and lock."""
        for key, lock in self.locks.items():
            fields = tag_fields(key)
            for session, holds in lock.holds.items():
                for mode in sorted({mode for mode, _ in holds}, reverse=True):
                    yield fields, session, mode, None
            for waiter in lock.queue:
                yield fields, waiter.session, waiter.mode, waiter.since

    # --- taking --------------------------------------------------------------------------

    def lock(self, session: Any, key: Key, mode: str, xact: bool, wait: bool) -> bool:
        """Take ``key`` in ``mode``. Without ``wait``, False if another session is in the way;
        with it, a conflicting request is queued on the session (``session.advisory_waits``)."""
        lock = self.locks.setdefault(key, Lock())
        mine = lock.holds.get(session)
        if mine is None or not (mine.get((mode, False)) or mine.get((mode, True))):
            blockers = self._blockers(lock, session, mode)
            if blockers:
                if not wait:
                    return False
                waiter = Waiter(session, key, mode, xact)
                cycle = self._cycle(waiter)
                if cycle:
                    raise _deadlock(cycle)
                lock.queue.append(waiter)
                session.advisory_waits.append(waiter)
                return True
        self._grant(lock, session, (mode, xact), key)
        return True

    def _blockers(self, lock: Lock, session: Any, mode: str, ahead: Iterable[Waiter] | None = None) -> list[Any]:
        """Other sessions holding ``mode``'s conflicts, or queued for them ahead of the request."""
        found = [
            other
            for other, holds in lock.holds.items()
            if other is not session and any(conflicts(mode, held) for held, _ in holds)
        ]
        found += [
            w.session
            for w in (lock.queue if ahead is None else ahead)
            if w.session is not session and conflicts(mode, w.mode)
        ]
        return found

    def _cycle(self, waiter: Waiter) -> list[Waiter]:
        """The waits that lead from ``waiter`` back to its own session (empty: no deadlock)."""
        path = [waiter]
        seen: set[int] = set()

        def visit(current: Waiter) -> bool:
            lock = self.locks[current.key]
            ahead = lock.queue[: lock.queue.index(current)] if current in lock.queue else lock.queue
            for blocker in self._blockers(lock, current.session, current.mode, ahead):
                if blocker is waiter.session:
                    return True
                if id(blocker) in seen:
                    continue
                seen.add(id(blocker))
                for pending in blocker.advisory_waits:
                    path.append(pending)
                    if visit(pending):
                        return True
                    path.pop()
            return False

        return path if visit(waiter) else []

    def _grant(self, lock: Lock, session: Any, scope: Scope, key: Key) -> None:
        holds = lock.holds.setdefault(session, {})
        holds[scope] = holds.get(scope, 0) + 1
        if scope[1]:
            session.advisory_xact.append((key, scope[0]))

    # --- waiting -------------------------------------------------------------------------

    def granted(self, session: Any) -> Deferred[None]:
        """Fires once every request the session queued has been granted."""
        if not session.advisory_waits:
            return succeed(None)
        return self._wakeups.setdefault(session, Deferred())

    def cancel_waits(self, session: Any) -> None:
        """The waiting statement ended (cancel, timeout, error, disconnect): withdraw its requests."""
        waits, session.advisory_waits = session.advisory_waits, []
        self._wakeups.pop(session, None)
        for waiter in waits:
            lock = self.locks.get(waiter.key)
            if lock is not None and waiter in lock.queue:
                lock.queue.remove(waiter)
                self._wake(waiter.key)

    def _wake(self, key: Key) -> None:
        """Grant queued requests in order, each that conflicts neither with the holds nor with
        a request still waiting ahead of it."""
        lock = self.locks.get(key)
        if lock is None:
            return
        waiting: list[Waiter] = []
        done: list[Any] = []
        for waiter in lock.queue:
            if self._blockers(lock, waiter.session, waiter.mode, waiting):
                waiting.append(waiter)
                continue
            self._grant(lock, waiter.session, (waiter.mode, waiter.xact), key)
            waiter.session.advisory_waits.remove(waiter)
            if not waiter.session.advisory_waits:
                done.append(waiter.session)
        lock.queue = waiting
        self._forget_if_free(key, lock)
        for session in done:
            wakeup = self._wakeups.pop(session, None)
            if wakeup is not None:
                wakeup.callback(None)

    def _forget_if_free(self, key: Key, lock: Lock) -> None:
        if not lock.holds and not lock.queue:
            self.locks.pop(key, None)

    # --- releasing -----------------------------------------------------------------------

    def unlock(self, session: Any, key: Key, mode: str) -> bool:
        """One session-level hold of ``mode`` fewer; False (and PostgreSQL's WARNING) if there is none."""
        lock = self.locks.get(key)
        holds = lock.holds.get(session) if lock is not None else None
        scope = (mode, False)
        if lock is None or holds is None or scope not in holds:
            session.notices.append(errors.PgError("01000", f"you don't own a lock of type {mode}", severity="WARNING"))
            return False
        holds[scope] -= 1
        if not holds[scope]:
            del holds[scope]
            if not holds:
                del lock.holds[session]
            self._wake(key)
        return True

    def release(self, session: Any, xact: bool | None) -> None:
        """Drop the session's holds: session-level (False, pg_advisory_unlock_all), transaction-level
        (True, the transaction ended) or all of them (None, the session ended)."""
        if xact is not False:
            session.advisory_xact.clear()
        for key, lock in list(self.locks.items()):
            holds = lock.holds.get(session)
            dropped = [scope for scope in holds or () if xact is None or scope[1] is xact]
            if not dropped:
                continue
            for scope in dropped:
                del holds[scope]
            if not holds:
                del lock.holds[session]
            self._wake(key)  # a shared request may pass once an exclusive hold of several is gone

    def release_since(self, session: Any, mark: int) -> None:
        """ROLLBACK TO a savepoint: the transaction-level holds taken after the ``mark``-th go,
        as PostgreSQL releases an aborted subtransaction's locks."""
        taken, session.advisory_xact[mark:] = session.advisory_xact[mark:], []
        for key, mode in taken:
            lock = self.locks[key]
            holds = lock.holds[session]
            holds[(mode, True)] -= 1
            if holds[(mode, True)]:
                continue
            del holds[(mode, True)]
            if not holds:
                del lock.holds[session]
            self._wake(key)

    def unlock_all(self, session: Any) -> None:
        self.release(session, False)


def tag_fields(key: Key) -> tuple[int, int, int]:
    """An advisory lock tag's (classid, objid, objsubid), as pg_locks shows them: a bigint's high
    and low halves with 1, or the two int4 keys with 2, each as an unsigned 32-bit oid."""
    if len(key) == 1:
        value = key[0] & 0xFFFFFFFFFFFFFFFF
        return value >> 32, value & 0xFFFFFFFF, 1
    return key[0] & 0xFFFFFFFF, key[1] & 0xFFFFFFFF, 2


def locktag(key: Key, database: int) -> str:
    """lock.c's DescribeLockTag for an advisory lock: [database, classid, objid, objsubid]."""
    return "[{},{},{},{}]".format(database, *tag_fields(key))


def _deadlock(cycle: list[Waiter]) -> errors.PgError:
    return errors.deadlock_detected(
        [
            (
                waiter.session.process_id,
                f"{waiter.mode} on advisory lock {locktag(waiter.key, DATABASE)}",
                cycle[(i + 1) % len(cycle)].session.process_id,
            )
            for i, waiter in enumerate(cycle)
        ]
    )


# --- the SQL functions -----------------------------------------------------------------------


def _locks(session: Any) -> AdvisoryLocks:
    return session.advisory_locks


def _take(mode: str, xact: bool, wait: bool) -> Any:
    def take(session: Any, *key: int) -> Any:
        taken = _locks(session).lock(session, key, mode, xact, wait)
        return "" if wait else taken  # void, or whether it was taken

    return take


def _unlock(mode: str) -> Any:
    def unlock(session: Any, *key: int) -> bool:
        return _locks(session).unlock(session, key, mode)

    return unlock


# name → (result is boolean, implementation), each for a bigint key and for two int4 keys.
FUNCTIONS: dict[str, tuple[bool, Any]] = {
    "pg_advisory_lock": (False, _take(EXCLUSIVE, False, True)),
    "pg_advisory_lock_shared": (False, _take(SHARE, False, True)),
    "pg_advisory_xact_lock": (False, _take(EXCLUSIVE, True, True)),
    "pg_advisory_xact_lock_shared": (False, _take(SHARE, True, True)),
    "pg_try_advisory_lock": (True, _take(EXCLUSIVE, False, False)),
    "pg_try_advisory_lock_shared": (True, _take(SHARE, False, False)),
    "pg_try_advisory_xact_lock": (True, _take(EXCLUSIVE, True, False)),
    "pg_try_advisory_xact_lock_shared": (True, _take(SHARE, True, False)),
    "pg_advisory_unlock": (True, _unlock(EXCLUSIVE)),
    "pg_advisory_unlock_shared": (True, _unlock(SHARE)),
}


def pg_advisory_unlock_all(session: Any) -> str:
    _locks(session).unlock_all(session)
    return ""
