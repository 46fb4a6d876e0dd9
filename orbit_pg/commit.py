"""Group commit: commits that arrive together share one durable write.

A synced commit costs a disk flush (hundreds of microseconds); done once per transaction it
caps write throughput whatever the number of clients. PostgreSQL lets concurrent commits share
a WAL flush; here a commit waits for the end of the reactor turn after its own (so that the
commits of both turns join it), and they all go to the store in one write and one sync. Only
once a commit's group is durable are its clients told.

Why a second turn: a turn serves the requests one poll found. While it runs, clients that
their last group's acknowledgement freed send their next statements; without it those would
miss this group and wait for a whole flush more, and groups would be smaller and flushes more
(pgbench -M prepared inserts, 8 clients: 5.8 commits per flush, 7.9 with it, and ~12% more
tps). The extra turn costs one poll that does not block (PostgreSQL's commit_delay waits a
fixed time instead).

Where the group is written depends on how long a write (and its flush) takes. While the
median of the latest is short (``INLINE_FLUSH``: a local SSD's), a group is written on the
reactor thread, between two turns: handing it to a thread costs more than it saves, since the
writer must win the GIL back from a busy reactor after its sync, on the one core the server has
(pgbench -M prepared updates, 8 clients: ~1.3x the tps, with groups twice as big). A slow disk
(a network one) would stall every connection for each flush, so once the median is longer the
groups go to the writer thread, for ``RETRY_INLINE`` seconds before the reactor tries one
again. Groups of many rows (a bulk load), and groups while the store syncs a checkpoint in the
background (a flush then waits behind it: tens of milliseconds), go to the thread. Commits that arrive while
the thread writes a group wait for it, and it takes them as the next group as soon as its
sync returns, without waiting for the reactor (as a PostgreSQL backend whose XLogFlush finds
its record behind the flush in progress flushes what has queued up behind it).

With a store that does not sync its commits (``--synchronous-commit off``), a commit is
acknowledged once written, and a background flush makes it durable within
``FLUSH_DELAY`` (PostgreSQL's wal_writer_delay); a session that sets synchronous_commit
on still waits for a flush of its own commit's group.
"""

from __future__ import annotations

import queue
import threading
import time
from collections import deque
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
Job = tuple[list[Writes], bool, list[tuple[Writes, Done]]]  # write sets, flush, who waits
FLUSH_DELAY = 0.2
INLINE_FLUSH = 0.001  # seconds: while the median write takes less, groups are written on the reactor
RETRY_INLINE = 1.0  # seconds in the writer thread after a slower one
INLINE_ROWS = 100  # a group of more rows goes to the writer thread
RECENT_WRITES = 31  # inline writes whose median decides


class GroupCommitter:
    """Batches commits. A group is written on the reactor thread while flushes are fast (see the
    module docstring); otherwise, with a reactor that has threads, in a thread of the
    committer's own, so the reactor keeps serving (and collecting the next group) while the
    disk syncs. (Its own thread, fed through a ``SimpleQueue``: a group then costs the reactor a
    ``put`` and a ``callFromThread``, where the reactor's thread pool cost a Deferred, context
    copies, a ``Condition`` and its team's bookkeeping, every group.) While it writes, the
    waiting commits are shared with it under ``_lock``; it takes them itself when its group is
    done, unless flushes are fast again."""

    def __init__(
        self, store: Store, reactor: IReactorTime, max_group: int = 0, inline_flush: float = INLINE_FLUSH
    ) -> None:
        self.store = store
        self.reactor = reactor
        self.max_group = max_group  # most commits per durable write; 0: no limit, 1: no group commit
        self.inline_flush = inline_flush  # 0: every group to the writer thread (if the reactor has threads)
        self.groups = 0  # how many durable writes served how many commits: for the logs and tests
        self.commits = 0
        self._threads = IReactorThreads.providedBy(reactor)
        self._slow_until = 0.0  # reactor time until which groups go to the writer thread
        self._recent: deque[float] = deque(maxlen=RECENT_WRITES)  # seconds the latest inline writes took
        self._slow = False  # their median is above inline_flush (for the log)
        self._waiting: list[tuple[Writes, Done]] = []
        self._durable = False  # a commit waiting now wants a flush before its acknowledgement
        self._call: IDelayedCall | None = None
        self._writing = False  # the writer thread has a group (then it also takes what waits)
        self._lock = threading.Lock()  # _waiting, _durable, _writing and the counts, with the writer
        # The writer thread's groups (None: no thread; one starts with the first group, and
        # stops once drained). ``None`` in the queue stops it.
        self._jobs: queue.SimpleQueue[Job | None] | None = None
        self._drained: list[Deferred[None]] = []
        self._flush_call: IDelayedCall | None = None
        self.flushes = 0

    def drain(self) -> Deferred[None]:
        """Fires once every commit handed over so far is written (before the store closes,
        which flushes it)."""
        log.info("group commit: {commits} commits in {groups} durable writes", commits=self.commits, groups=self.groups)
        if self._flush_call is not None and self._flush_call.active():
            self._flush_call.cancel()
            self._flush_call = None
        if self._idle():
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
        with self._lock:
            self._waiting.append((writes, done))
            self._durable = self._durable or durable
            self._schedule()  # (unless the writer has a group: then it takes this one after it)

    def _idle(self) -> bool:
        with self._lock:
            return not self._waiting and not self._writing and self._call is None

    def _schedule(self) -> None:
        if self._waiting and self._call is None and not self._writing:
            # (With a group size limit, what is left waits for the next write.)
            self._call = self.reactor.callLater(0, self._gather)

    def _gather(self) -> None:
        """The turn that scheduled the group has ended; the next one's commits join it too."""
        self._call = self.reactor.callLater(0, self._start)

    def _take(self) -> Job | None:
        """The next group (under ``_lock``): its write sets, whether it needs a flush, and who
        waits for it; None if nobody waits."""
        if not self._waiting:
            return None
        size = self.max_group or len(self._waiting)
        group, self._waiting = self._waiting[:size], self._waiting[size:]
        flush = self._durable and not self.store.synchronous
        self._durable = self._durable and bool(self._waiting)  # (what is left may want it too)
        self.groups += 1
        self.commits += len(group)
        return [writes for writes, _ in group], flush, group

    def _inline(self, write_sets: list[Writes]) -> bool:
        """Write this group on the reactor thread: there is no other, or flushes are fast and
        the group is small."""
        if not self._threads:
            return True
        return (
            not self._thread_takes()
            and not self.store.syncing_in_background
            and sum(map(len, write_sets)) <= INLINE_ROWS
        )

    def _start(self) -> None:
        self._call = None
        with self._lock:
            job = self._take()
            inline = job is not None and self._inline(job[0])
            self._writing = job is not None and not inline
        if job is None:
            return
        if inline:
            write_sets, flush, group = job
            started = time.perf_counter()
            try:
                outcomes = self._write(write_sets, flush)
            except Exception:
                self._failed(Failure(), group)
                return
            self._timed(time.perf_counter() - started)
            self._finish(outcomes, group)
            return
        if self._jobs is None:
            self._jobs = queue.SimpleQueue()
            threading.Thread(target=self._writer, args=(self._jobs,), name="orbit-pg group commit", daemon=True).start()
        self._jobs.put(job)

    def _writer(self, jobs: queue.SimpleQueue[Job | None]) -> None:
        """The writer thread: each group's durable write, its outcome handed to the reactor; then
        the commits that queued up meanwhile, at once, as the next group."""
        call = self.reactor.callFromThread  # type: ignore[attr-defined]
        while True:
            job = jobs.get()
            if job is None:
                return
            while job is not None:
                write_sets, flush, group = job
                try:
                    outcomes = self._write(write_sets, flush)
                except Exception:
                    failure: Failure | None = Failure()
                else:
                    failure = None
                with self._lock:
                    # (Once flushes are fast again, the reactor writes what waits.)
                    job = self._take() if self._thread_takes() else None
                    self._writing = job is not None
                if failure is not None:
                    call(self._failed, failure, group)
                else:
                    call(self._finish, outcomes, group)

    def _timed(self, seconds: float) -> None:
        """An inline write took ``seconds``. Once the median of the latest ones (a lone slow
        flush, as while LMDB syncs a checkpoint, does not count) is over ``inline_flush``, the
        groups go to the writer thread for a while."""
        recent = self._recent
        recent.append(seconds)
        median = sorted(recent)[(len(recent) - 1) // 2]
        if median > self.inline_flush and self._threads:
            self._slow_until = self.reactor.seconds() + RETRY_INLINE
            recent.clear()  # (so that the next try decides afresh)
            if not self._slow:
                self._slow = True
                log.info(
                    "group commit: writes take {ms:.2f} ms; groups go to a writer thread, with another try on"
                    " the reactor every {retry:g} s",
                    ms=median * 1000,
                    retry=RETRY_INLINE,
                )
        elif self._slow:
            self._slow = False
            log.info("group commit: writes take {ms:.2f} ms; groups are written on the reactor again", ms=median * 1000)

    def _thread_takes(self) -> bool:
        """The writer thread takes what waits once its group is written: unless flushes are
        fast again (then the reactor writes it)."""
        return self.inline_flush <= 0 or self.reactor.seconds() < self._slow_until

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
        if not self.store.synchronous and self._flush_call is None:
            self._flush_call = self.reactor.callLater(FLUSH_DELAY, self._flush)
        for (_, done), outcome in zip(group, outcomes, strict=True):
            if outcome is not None:
                log.warn("commit failed: {message}", message=outcome.message)
            done(outcome)
        with self._lock:
            self._schedule()
        if self._drained and self._idle():
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
