"""Group commit: the commits of one reactor turn share one durable write.

A synced LMDB commit costs a disk flush (hundreds of microseconds or more); done once per
transaction it caps write throughput whatever the number of clients. PostgreSQL lets
concurrent commits share a WAL flush; here every commit requested during a reactor turn
waits for the next turn, where they all go to the store in one write and one sync, and
only then are their clients told.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from twisted.internet.interfaces import IDelayedCall, IReactorTime
from twisted.logger import Logger

from orbit_pg import errors
from orbit_pg.storage.base import Row, Store

log = Logger()

Writes = Mapping[str, Row | None]
Done = Callable[[errors.PgError | None], None]


class GroupCommitter:
    def __init__(self, store: Store, reactor: IReactorTime) -> None:
        self.store = store
        self.reactor = reactor
        self.groups = 0  # how many durable writes served how many commits: for the logs and tests
        self.commits = 0
        self._waiting: list[tuple[Writes, Done]] = []
        self._call: IDelayedCall | None = None

    def commit(self, writes: Writes, done: Done) -> None:
        """Make ``writes`` durable soon; ``done(None)`` then, or ``done(error)``."""
        self._waiting.append((writes, done))
        if self._call is None:
            self._call = self.reactor.callLater(0, self._write)

    def _write(self) -> None:
        self._call = None
        waiting, self._waiting = self._waiting, []
        self.groups += 1
        self.commits += len(waiting)
        try:
            self.store.commit_many([writes for writes, _ in waiting])
            outcomes: list[errors.PgError | None] = [None] * len(waiting)
        except errors.PgError:
            # Find whose writes fail, so the others still commit.
            outcomes = [self._alone(writes) for writes, _ in waiting]
        for (_, done), outcome in zip(waiting, outcomes, strict=True):
            done(outcome)

    def _alone(self, writes: Writes) -> errors.PgError | None:
        try:
            self.store.commit(writes)
        except errors.PgError as error:
            log.warn("commit failed: {message}", message=error.message)
            return error
        return None
