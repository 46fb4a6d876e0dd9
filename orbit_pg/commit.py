"""Group commit: the commits of one reactor turn share one durable write.

A synced LMDB commit costs a disk flush (hundreds of microseconds or more); done once per
transaction it caps write throughput whatever the number of clients. PostgreSQL lets
concurrent commits share a WAL flush; here every commit requested during a reactor turn
waits for the next turn, where they all go to the store in one write and one sync, and
only then are their clients told.

With a store that does not sync its commits (``--synchronous-commit off``), a commit is
acknowledged once written, and a background flush makes it durable within
``FLUSH_DELAY`` (PostgreSQL's wal_writer_delay); a session that sets synchronous_commit
on still waits for a flush of its own commit's group.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Mapping

from twisted.internet import threads
from twisted.internet.defer import Deferred, succeed
from twisted.internet.interfaces import IDelayedCall, IReactorThreads, IReactorTime
from twisted.logger import Logger
from twisted.python.failure import Failure

from orbit_pg import errors
from orbit_pg.storage.base import Row, Store

log = Logger()

Writes = Mapping[str, Row | None]
Done = Callable[[errors.PgError | None], None]
FLUSH_DELAY = 0.2


class GroupCommitter:
    """Batches commits; with a reactor that has threads, the durable write runs in a thread of
    the committer's own, so the reactor keeps serving (and collecting the next group) while the
    disk syncs. (Its own thread, fed through a ``SimpleQueue``: a group then costs the reactor a
    ``put`` and a ``callFromThread``, where the reactor's thread pool cost a Deferred, context
    copies, a ``Condition`` and its team's bookkeeping, every group.)"""

    def __init__(self, store: Store, reactor: IReactorTime, max_group: int = 0) -> None:
        self.store = store
        self.reactor = reactor
        self.max_group = max_group  # most commits per durable write; 0: no limit, 1: no group commit
        self.groups = 0  # how many durable writes served how many commits: for the logs and tests
        self.commits = 0
        self._threads = IReactorThreads.providedBy(reactor)
        self._waiting: list[tuple[Writes, Done]] = []
        self._durable = False  # a commit waiting now wants a flush before its acknowledgement
        self._call: IDelayedCall | None = None
        self._writing = False
        # The writer thread's groups (None: no thread; one starts with the first group, and
        # stops once drained). ``None`` in the queue stops it.
        self._jobs: queue.SimpleQueue[tuple[list[Writes], bool, list[tuple[Writes, Done]]] | None] | None = None
        self._drained: list[Deferred[None]] = []
        self._flush_call: IDelayedCall | None = None
        self.flushes = 0

    def drain(self) -> Deferred[None]:
        """Fires once every commit handed over so far is written (before the store closes,
        which flushes it)."""
        if self._flush_call is not None and self._flush_call.active():
            self._flush_call.cancel()
            self._flush_call = None
        if not self._waiting and not self._writing and self._call is None:
            self._stop_writer()
            return succeed(None)
        self._drained.append(Deferred())
        return self._drained[-1]

    def _stop_writer(self) -> None:
        jobs, self._jobs = self._jobs, None
        if jobs is not None:
            jobs.put(None)

    def commit(self, writes: Writes, done: Done, durable: bool = True) -> None:
        """Make ``writes`` durable soon; ``done(None)`` then, or ``done(error)``. With
        ``durable`` False (synchronous_commit off) a store that does not sync its commits
        acknowledges once the writes are visible, before they are on disk."""
        self._waiting.append((writes, done))
        self._durable = self._durable or durable
        self._schedule()

    def _schedule(self) -> None:
        if self._waiting and self._call is None and not self._writing:
            # (With a group size limit, what is left waits for the next write.)
            self._call = self.reactor.callLater(0, self._start)

    def _start(self) -> None:
        self._call = None
        size = self.max_group or len(self._waiting)
        group, self._waiting = self._waiting[:size], self._waiting[size:]
        flush, self._durable = self._durable and not self.store.synchronous, False
        self.groups += 1
        self.commits += len(group)
        write_sets = [writes for writes, _ in group]
        if not self._threads:
            self._finish(self._write(write_sets, flush), group)
            return
        self._writing = True
        if self._jobs is None:
            self._jobs = queue.SimpleQueue()
            threading.Thread(target=self._writer, args=(self._jobs,), name="orbit-pg group commit", daemon=True).start()
        self._jobs.put((write_sets, flush, group))

    def _writer(self, jobs: queue.SimpleQueue[tuple[list[Writes], bool, list[tuple[Writes, Done]]] | None]) -> None:
        """The writer thread: each group's durable write, its outcome handed to the reactor."""
        call = self.reactor.callFromThread  # type: ignore[attr-defined]
        while True:
            job = jobs.get()
            if job is None:
                return
            write_sets, flush, group = job
            try:
                outcomes = self._write(write_sets, flush)
            except Exception:
                call(self._failed, Failure(), group)
            else:
                call(self._finish, outcomes, group)

    def _write(self, write_sets: list[Writes], flush: bool) -> list[errors.PgError | None]:
        try:
            self.store.commit_many(write_sets)
            outcomes: list[errors.PgError | None] = [None] * len(write_sets)
        except errors.PgError:
            # Find whose writes fail, so the others still commit.
            outcomes = [self._alone(writes) for writes in write_sets]
        if flush:
            self.store.sync()
            self.flushes += 1
        return outcomes

    def _alone(self, writes: Writes) -> errors.PgError | None:
        try:
            self.store.commit(writes)
        except errors.PgError as error:
            return error
        return None

    def _finish(self, outcomes: list[errors.PgError | None], group: list[tuple[Writes, Done]]) -> None:
        self._writing = False
        if not self.store.synchronous and self._flush_call is None:
            self._flush_call = self.reactor.callLater(FLUSH_DELAY, self._flush)
        for (_, done), outcome in zip(group, outcomes, strict=True):
            if outcome is not None:
                log.warn("commit failed: {message}", message=outcome.message)
            done(outcome)
        self._schedule()
        if not self._writing and self._call is None and self._drained:
            self._stop_writer()
            drained, self._drained = self._drained, []
            for deferred in drained:
                deferred.callback(None)

    def _flush(self) -> None:
        """The background flush of commits acknowledged before they were on disk."""
        self._flush_call = None
        if not self._threads:
            self.store.sync()
            return
        flushing = threads.deferToThreadPool(self.reactor, self.reactor.getThreadPool(), self.store.sync)
        flushing.addErrback(lambda failure: log.failure("background flush failed", failure))

    def _failed(self, failure: Failure, group: list[tuple[Writes, Done]]) -> None:
        log.failure("group commit failed", failure)
        error = errors.PgError(errors.INTERNAL_ERROR, "could not commit; see the server log")
        self._finish([error] * len(group), group)
