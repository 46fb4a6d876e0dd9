"""Row locks: PostgreSQL's four tuple lock modes, keyed by actor_id, held by transactions.

A transaction takes a row lock before it writes a row (UPDATE, DELETE, INSERT of a key)
or when ``SELECT ... FOR UPDATE`` asks, and keeps it until it commits or rolls back (or
rolls back to a savepoint taken before the lock). A request that conflicts with another
transaction's lock never blocks the reactor: ``acquire`` raises ``LockWait``, whose
``wakeup`` Deferred fires when the lock has been granted to the waiter (in queue order,
when the holders let go); the statement then runs again and finds it held.

A transaction whose write set spilled to disk (a big COPY) holds its write locks by
reference: the lock table keeps no entry per row for it, but counts every key of its write
set as locked FOR UPDATE (the strongest mode, whichever it took), and wakes the waiters
when it ends or rolls back to a savepoint.
"""

from __future__ import annotations

import enum
from collections.abc import Container
from dataclasses import dataclass, field

from twisted.internet.defer import Deferred

from orbit_pg import errors

LOCK_NOT_AVAILABLE = "55P03"


class LockMode(enum.IntEnum):
    """Weakest first; the names are PostgreSQL's (LockTupleMode)."""

    KEY_SHARE = 0
    SHARE = 1
    NO_KEY_UPDATE = 2
    UPDATE = 3


# PostgreSQL's tuple lock conflict table (README.tuplock): which held modes each mode waits for.
CONFLICTS: dict[LockMode, frozenset[LockMode]] = {
    LockMode.KEY_SHARE: frozenset({LockMode.UPDATE}),
    LockMode.SHARE: frozenset({LockMode.NO_KEY_UPDATE, LockMode.UPDATE}),
    LockMode.NO_KEY_UPDATE: frozenset({LockMode.SHARE, LockMode.NO_KEY_UPDATE, LockMode.UPDATE}),
    LockMode.UPDATE: frozenset(LockMode),
}
# SELECT's locking clause strengths.
STRENGTHS = {
    "key share": LockMode.KEY_SHARE,
    "share": LockMode.SHARE,
    "no key update": LockMode.NO_KEY_UPDATE,
    "update": LockMode.UPDATE,
}
MODE_NAMES = {
    LockMode.KEY_SHARE: "FOR KEY SHARE",
    LockMode.SHARE: "FOR SHARE",
    LockMode.NO_KEY_UPDATE: "FOR NO KEY UPDATE",
    LockMode.UPDATE: "FOR UPDATE",
}


@dataclass(eq=False)
class Owner:
    """A transaction as the lock table knows it: the locks it took, in order (a savepoint
    remembers how many), and the request it waits for, if any."""

    process_id: int
    held: list[tuple[str, LockMode]] = field(default_factory=list)
    waiting: Waiter | None = None


@dataclass(eq=False)
class Waiter:
    owner: Owner
    key: str
    mode: LockMode
    wakeup: Deferred[None] = field(default_factory=Deferred)


class LockWait(Exception):
    """Raised instead of blocking: run the statement again once ``waiter.wakeup`` fires."""

    def __init__(self, waiter: Waiter) -> None:
        super().__init__(f"waiting for {MODE_NAMES[waiter.mode]} lock on {waiter.key!r}")
        self.waiter = waiter


class LockTable:
    """The server's row locks; one per server, shared by every connection."""

    def __init__(self) -> None:
        self._holders: dict[str, dict[Owner, LockMode]] = {}
        self._waiters: dict[str, list[Waiter]] = {}
        self._by_reference: dict[Owner, Container[str]] = {}

    def holders(self, key: str) -> dict[Owner, LockMode]:
        held = dict(self._holders.get(key, {}))
        held.update((owner, LockMode.UPDATE) for owner, keys in self._by_reference.items() if key in keys)
        return held

    def hold_by_reference(self, owner: Owner, keys: Container[str]) -> None:
        """From now on ``owner`` holds FOR UPDATE every key in ``keys`` (its spilled write set)."""
        self._by_reference[owner] = keys

    def acquire(
        self, owner: Owner, key: str, mode: LockMode, wait_policy: str = "block", writing: bool = False
    ) -> bool:
        """Take ``mode`` on ``key`` for ``owner``. False under SKIP LOCKED when another holds a
        conflicting lock; 55P03 under NOWAIT; otherwise ``LockWait`` (or 40P01 if waiting
        would close a cycle of waiters). ``writing``: the key goes into the owner's write set
        now, so an owner that holds by reference records nothing."""
        by_reference = self._by_reference
        referenced = by_reference.get(owner) if by_reference else None
        if referenced is not None and not writing and key in referenced:
            return True  # (a key being written goes on: no other holder of a key it holds is found)
        holders = self._holders.get(key)
        current = None if holders is None else holders.get(owner)
        if current is not None and current >= mode:
            return True
        if (holders or by_reference) and self._blockers(owner, key, mode):
            if wait_policy == "skip locked":
                return False
            if wait_policy == "nowait":
                raise errors.PgError(LOCK_NOT_AVAILABLE, 'could not obtain lock on row in relation "actors"')
            waiter = Waiter(owner, key, mode)
            cycle = self._cycle(owner, waiter)
            if cycle:
                raise _deadlock(cycle)
            owner.waiting = waiter
            self._waiters.setdefault(key, []).append(waiter)
            raise LockWait(waiter)
        if writing and referenced is not None:
            return True
        if holders is None:
            holders = self._holders[key] = {}
        holders[owner] = mode if current is None else max(current, mode)
        owner.held.append((key, mode))
        return True

    def cancel(self, waiter: Waiter) -> None:
        """The waiting statement gave up (timeout, cancel request, disconnect)."""
        queue = self._waiters.get(waiter.key)
        if queue is not None and waiter in queue:
            queue.remove(waiter)
            if not queue:
                del self._waiters[waiter.key]
        if waiter.owner.waiting is waiter:
            waiter.owner.waiting = None

    def release_after(self, owner: Owner, mark: int = 0) -> None:
        """Drop the locks ``owner`` took after its ``mark``-th (all of them for 0): the end of a
        transaction, or ROLLBACK TO a savepoint. Waiters for those rows are woken; an owner
        that held by reference may have let go of any row, so every waiter is looked at."""
        referenced = owner in self._by_reference
        if mark == 0:
            self._by_reference.pop(owner, None)
        if not referenced and owner.waiting is None and len(owner.held) <= mark:
            return  # nothing to drop: most transactions (a read) take no row lock
        if owner.waiting is not None:
            self.cancel(owner.waiting)
        dropped = set(dict(owner.held[mark:]))  # (the keys, without a comprehension's call)
        del owner.held[mark:]
        kept: dict[str, LockMode] = {}
        for key, mode in owner.held:
            if key in dropped:
                kept[key] = max(kept.get(key, mode), mode)
        for key in dropped:
            holders = self._holders.get(key)
            if holders is None:
                continue
            if key in kept:
                holders[owner] = kept[key]
            else:
                holders.pop(owner, None)
                if not holders:
                    del self._holders[key]
        if self._waiters:
            self._wake(dropped | set(self._waiters) if referenced else dropped)

    def _blockers(self, owner: Owner, key: str, mode: LockMode) -> list[Owner]:
        conflicts = CONFLICTS[mode]
        holders = self._holders.get(key) or {}
        found = [other for other, held in holders.items() if other is not owner and held in conflicts]
        if self._by_reference:
            found.extend(other for other, keys in self._by_reference.items() if other is not owner and key in keys)
        return found

    def _cycle(self, owner: Owner, waiter: Waiter) -> list[Waiter]:
        """The waits that would lead from ``waiter`` back to ``owner``: a deadlock (empty: none)."""
        path: list[Waiter] = [waiter]
        seen: set[int] = set()

        def visit(current: Waiter) -> bool:
            for blocker in self._blockers(current.owner, current.key, current.mode):
                if blocker is owner:
                    return True
                if id(blocker) in seen or blocker.waiting is None:
                    continue
                seen.add(id(blocker))
                path.append(blocker.waiting)
                if visit(blocker.waiting):
                    return True
                path.pop()
            return False

        return path if visit(waiter) else []

    def _wake(self, keys: set[str]) -> None:
        """Grant freed rows to their waiters in order, as far as they do not conflict (a
        queue of FOR SHARE requests all get theirs); the first that conflicts stays first."""
        woken: list[Waiter] = []
        for key in keys:
            queue = self._waiters.get(key)
            while queue and not self._blockers(queue[0].owner, key, queue[0].mode):
                waiter = queue.pop(0)
                holders = self._holders.setdefault(key, {})
                holders[waiter.owner] = max(holders.get(waiter.owner, waiter.mode), waiter.mode)
                waiter.owner.held.append((key, waiter.mode))
                waiter.owner.waiting = None
                woken.append(waiter)
            if not queue:
                self._waiters.pop(key, None)
        for waiter in woken:
            waiter.wakeup.callback(None)


def _deadlock(cycle: list[Waiter]) -> errors.PgError:
    return errors.deadlock_detected(
        [
            (
                waiter.owner.process_id,
                f'{MODE_NAMES[waiter.mode]} lock on a row of relation "actors"',
                cycle[(i + 1) % len(cycle)].owner.process_id,
            )
            for i, waiter in enumerate(cycle)
        ]
    )
