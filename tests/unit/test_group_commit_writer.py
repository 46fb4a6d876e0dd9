"""The group committer's writer thread: commits that arrive while a group is being written go as
the next group as soon as its sync returns, without waiting for a reactor turn; each is
acknowledged (on the reactor) only after its own group is durable; one failing write set in a
group fails alone, and an unexpected error fails its group but not the next. And where a group is
written: on the reactor thread while writes are fast and groups small, else in the thread."""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest
from twisted.internet.interfaces import IReactorThreads
from twisted.internet.task import Clock
from zope.interface import implementer

from orbit_pg import errors
from orbit_pg.commit import INLINE_ROWS, RETRY_INLINE, GroupCommitter
from orbit_pg.storage.base import Row
from orbit_pg.storage.layered import LayeredStore

Writes = Mapping[str, Row | None]


@implementer(IReactorThreads)
class ThreadedClock(Clock):
    """A Clock whose ``callFromThread`` queues the call for the test to run, as the reactor
    thread would on its next turn."""

    def __init__(self) -> None:
        super().__init__()
        self.from_threads: queue.SimpleQueue[tuple[Callable[..., Any], tuple[Any, ...]]] = queue.SimpleQueue()

    def callFromThread(self, f: Callable[..., Any], *args: Any) -> None:  # noqa: N802 (Twisted's name)
        self.from_threads.put((f, args))

    def run_from_threads(self, count: int) -> None:
        for _ in range(count):
            f, args = self.from_threads.get(timeout=10)
            f(*args)


class GatedStore:
    """A real ``LayeredStore`` whose group writes can be held at a gate, and made to fail."""

    def __init__(self, path: Path) -> None:
        self.store = LayeredStore(str(path))
        self.synchronous = True
        self.syncing_in_background = False
        self.gate = threading.Event()
        self.gate.set()
        self.groups: queue.SimpleQueue[list[list[str]]] = queue.SimpleQueue()
        self.refused: set[str] = set()  # a write set with one of these keys: 23505-like refusal
        self.crash: set[str] = set()  # a group with one of these keys: an unexpected error
        self.delay = 0.0  # seconds each group write takes: a slow disk
        self.threads: list[str] = []  # the thread each group was written on

    def commit_many(self, write_sets: Sequence[Writes]) -> None:
        self.gate.wait(10)
        self.threads.append(threading.current_thread().name)
        time.sleep(self.delay)
        self.groups.put([sorted(writes) for writes in write_sets])
        if any(self.crash & writes.keys() for writes in write_sets):
            raise RuntimeError("disk on fire")
        if any(self.refused & writes.keys() for writes in write_sets):
            raise errors.PgError("53100", "refused")
        self.store.commit_many(write_sets)

    def commit(self, writes: Writes) -> None:
        if self.refused & writes.keys():
            raise errors.PgError("53100", "refused")
        self.store.commit(writes)

    def sync(self) -> None:
        self.store.sync()


@pytest.fixture
def gated(tmp_path: Path) -> Any:
    store = GatedStore(tmp_path)
    yield store
    store.gate.set()
    store.store.close()


def _row(key: str) -> dict[str, Row | None]:
    return {key: (key, "t", b'{"balance": 1}')}


def test_commits_arriving_during_a_write_are_the_next_group_without_a_reactor_turn(gated: GatedStore) -> None:
    reactor = ThreadedClock()
    committer = GroupCommitter(gated, reactor, inline_flush=0)  # type: ignore[arg-type]
    acks: list[tuple[str, errors.PgError | None]] = []
    gated.gate.clear()
    committer.commit(_row("a"), lambda error: acks.append(("a", error)))
    reactor.advance(0)  # the turn ends: group [a] goes to the writer, held at the gate
    committer.commit(_row("b"), lambda error: acks.append(("b", error)))
    committer.commit(_row("c"), lambda error: acks.append(("c", error)))
    assert reactor.getDelayedCalls() == []  # b and c wait for the writer, not for a turn
    gated.gate.set()
    assert gated.groups.get(timeout=10) == [["a"]]
    assert gated.groups.get(timeout=10) == [["b"], ["c"]]  # written before the reactor ran again
    assert acks == []  # nobody told anything before the reactor runs
    reactor.run_from_threads(2)
    assert acks == [("a", None), ("b", None), ("c", None)]
    assert (committer.groups, committer.commits) == (2, 3)
    assert gated.store.get("c") == _row("c")["c"]
    drained = committer.drain()
    assert drained.called


def test_a_commit_after_the_writer_went_idle_starts_a_new_group(gated: GatedStore) -> None:
    reactor = ThreadedClock()
    committer = GroupCommitter(gated, reactor, inline_flush=0)  # type: ignore[arg-type]
    acks: list[str] = []
    committer.commit(_row("a"), lambda error: acks.append("a"))
    reactor.advance(0)
    assert gated.groups.get(timeout=10) == [["a"]]
    reactor.run_from_threads(1)
    committer.commit(_row("b"), lambda error: acks.append("b"))
    assert len(reactor.getDelayedCalls()) == 1  # the writer is idle: the next turn starts it
    reactor.advance(0)
    assert gated.groups.get(timeout=10) == [["b"]]
    reactor.run_from_threads(1)
    assert acks == ["a", "b"]
    assert committer.drain().called


def test_a_failing_write_set_fails_alone_and_the_group_after_it_commits(gated: GatedStore) -> None:
    reactor = ThreadedClock()
    committer = GroupCommitter(gated, reactor, inline_flush=0)  # type: ignore[arg-type]
    acks: dict[str, str | None] = {}
    gated.refused = {"bad"}
    for key in ("ok1", "bad", "ok2"):
        committer.commit(_row(key), lambda error, key=key: acks.__setitem__(key, error and error.sqlstate))
    reactor.advance(0)
    reactor.run_from_threads(1)
    assert acks == {"ok1": None, "bad": "53100", "ok2": None}
    assert gated.store.get("ok1") is not None and gated.store.get("ok2") is not None
    assert gated.store.get("bad") is None


def test_an_unexpected_error_fails_its_group_and_the_writer_goes_on(gated: GatedStore) -> None:
    reactor = ThreadedClock()
    committer = GroupCommitter(gated, reactor, inline_flush=0)  # type: ignore[arg-type]
    acks: dict[str, str | None] = {}
    gated.gate.clear()
    gated.crash = {"x"}
    committer.commit(_row("x"), lambda error: acks.__setitem__("x", error and error.sqlstate))
    reactor.advance(0)
    committer.commit(_row("y"), lambda error: acks.__setitem__("y", error and error.sqlstate))
    gated.gate.set()
    assert gated.groups.get(timeout=10) == [["x"]]
    assert gated.groups.get(timeout=10) == [["y"]]
    reactor.run_from_threads(2)
    assert acks == {"x": errors.INTERNAL_ERROR, "y": None}
    assert gated.store.get("y") is not None


def test_drain_waits_for_the_groups_being_written(gated: GatedStore) -> None:
    reactor = ThreadedClock()
    committer = GroupCommitter(gated, reactor, inline_flush=0)  # type: ignore[arg-type]
    gated.gate.clear()
    committer.commit(_row("a"), lambda error: None)
    reactor.advance(0)
    committer.commit(_row("b"), lambda error: None)
    drained = committer.drain()
    assert not drained.called
    gated.gate.set()
    reactor.run_from_threads(2)
    assert drained.called
    assert gated.store.get("b") is not None


def test_fast_groups_are_written_on_the_reactor_thread(gated: GatedStore) -> None:
    reactor = ThreadedClock()
    committer = GroupCommitter(gated, reactor)  # type: ignore[arg-type]
    acks: list[str] = []
    committer.commit(_row("a"), lambda error: acks.append("a"))
    committer.commit(_row("b"), lambda error: acks.append("b"))
    assert acks == []  # (nothing before the turn ends)
    reactor.advance(0)
    assert acks == ["a", "b"]  # written and acknowledged in that turn, with no thread
    assert gated.groups.get_nowait() == [["a"], ["b"]]
    assert gated.threads == [threading.current_thread().name]
    assert gated.store.get("b") == _row("b")["b"]
    assert committer.drain().called


def test_once_writes_are_slow_groups_go_to_the_thread_until_the_reactor_tries_again(gated: GatedStore) -> None:
    reactor = ThreadedClock()
    # 10 ms: well above what this machine's real flushes (of the LayeredStore under the gate) take
    committer = GroupCommitter(gated, reactor, inline_flush=0.01)  # type: ignore[arg-type]
    acks: list[str] = []
    main = threading.current_thread().name

    def commit(key: str, delay: float) -> None:
        gated.delay = delay
        committer.commit(_row(key), lambda error: acks.append(key))
        reactor.advance(0)
        gated.groups.get(timeout=10)

    commit("fast", 0.0)
    commit("spike", 0.03)  # one slow write among fast ones (the median's): not enough to leave the reactor
    commit("after spike", 0.0)
    commit("slow 1", 0.05)
    assert gated.threads == [main] * 4 and acks == ["fast", "spike", "after spike", "slow 1"]
    commit("slow 2", 0.05)  # now most of them are slow (a network disk's flushes)
    commit("in thread", 0.0)
    assert gated.threads[-1] == "orbit-pg group commit"
    assert acks[-1] == "slow 2"  # "in thread" is told on the reactor's next turn
    reactor.run_from_threads(1)
    assert acks[-1] == "in thread"
    reactor.advance(RETRY_INLINE)
    commit("retry", 0.0)  # tried on the reactor again: fast, and most of the latest were fast
    commit("after retry", 0.0)
    assert gated.threads[-2:] == [main, main] and acks[-2:] == ["retry", "after retry"]
    assert committer.drain().called


def test_a_group_of_many_rows_goes_to_the_thread(gated: GatedStore) -> None:
    reactor = ThreadedClock()
    committer = GroupCommitter(gated, reactor)  # type: ignore[arg-type]
    acks: list[str] = []
    rows = {f"k{i}": (f"k{i}", "t", None) for i in range(INLINE_ROWS + 1)}
    committer.commit(rows, lambda error: acks.append("big"))
    reactor.advance(0)
    assert len(gated.groups.get(timeout=10)[0]) == INLINE_ROWS + 1
    reactor.run_from_threads(1)
    assert acks == ["big"]
    assert gated.threads == ["orbit-pg group commit"]
    assert gated.store.get(f"k{INLINE_ROWS}") is not None


def test_an_unexpected_error_in_a_write_on_the_reactor_fails_its_group_only(gated: GatedStore) -> None:
    reactor = ThreadedClock()
    committer = GroupCommitter(gated, reactor)  # type: ignore[arg-type]
    acks: dict[str, str | None] = {}
    gated.crash = {"x"}
    committer.commit(_row("x"), lambda error: acks.__setitem__("x", error and error.sqlstate))
    reactor.advance(0)
    committer.commit(_row("y"), lambda error: acks.__setitem__("y", error and error.sqlstate))
    reactor.advance(0)
    assert acks == {"x": errors.INTERNAL_ERROR, "y": None}
    assert gated.store.get("y") is not None and gated.store.get("x") is None


def test_while_the_store_syncs_a_checkpoint_groups_go_to_the_thread(gated: GatedStore) -> None:
    reactor = ThreadedClock()
    committer = GroupCommitter(gated, reactor)  # type: ignore[arg-type]
    acks: list[str] = []
    gated.syncing_in_background = True  # a flush now may wait behind the checkpoint's sync
    committer.commit(_row("during"), lambda error: acks.append("during"))
    reactor.advance(0)
    assert gated.groups.get(timeout=10) == [["during"]]
    reactor.run_from_threads(1)
    assert acks == ["during"] and gated.threads == ["orbit-pg group commit"]
    gated.syncing_in_background = False
    committer.commit(_row("after"), lambda error: acks.append("after"))
    reactor.advance(0)
    assert acks == ["during", "after"] and gated.threads[-1] == threading.current_thread().name
    assert committer.drain().called


def test_a_layered_store_says_when_it_syncs_in_the_background(tmp_path: Path) -> None:
    store = LayeredStore(str(tmp_path / "layered"), checkpoint_interval=3600)
    seen: list[bool] = []
    checkpoint = store.checkpoint
    store.checkpoint = lambda: seen.append(store.syncing_in_background) or checkpoint()  # type: ignore[method-assign]
    try:
        store.commit(_row("a"))
        assert not store.syncing_in_background
        store._wake.set()  # the checkpointer's turn, now
        for _ in range(1000):
            if seen and not store.syncing_in_background:
                break
            time.sleep(0.01)
        assert seen == [True] and not store.syncing_in_background
        assert store.lmdb.get("a") is not None  # checkpointed
    finally:
        store.close()
