"""The per-statement transaction path where it skips work: a transaction makes its write set at
its first write, the end of a transaction steps over cursors, SET LOCAL, advisory locks and row
locks it does not have, a key is read without a snapshot (``Store.get``, through a read
transaction kept until the next commit), and group commits go through a writer thread of the
committer's own. Each is checked against what the general path gives."""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from protocol_harness import SYNC, Connection, assert_error, make_factory, query, typed, types
from twisted.internet.interfaces import IReactorThreads, IReactorTime
from twisted.internet.task import Clock
from zope.interface import implementer

from orbit_pg import errors
from orbit_pg.commit import GroupCommitter
from orbit_pg.storage.layered import LayeredStore
from orbit_pg.storage.lmdb_store import ActorStore


@pytest.fixture
def store(tmp_path: Path) -> Iterator[LayeredStore]:
    layered = LayeredStore(str(tmp_path / "data"), sync=False, checkpoint_interval=3600)
    yield layered
    layered.close()


def connect(store: LayeredStore | ActorStore, factory: Any = None) -> Connection:
    connection = Connection(factory or make_factory(store))  # type: ignore[arg-type]
    connection.start()
    return connection


def rows(connection: Connection, sql: str) -> list[list[str | None]]:
    replies = connection.send(query(sql))
    assert "E" not in types(replies), replies
    found = []
    for msg_type, body in replies:
        if msg_type == "D":
            found.append([None if value is None else value.decode() for value in _values(body)])
    return found


def _values(body: bytes) -> list[bytes | None]:
    count = int.from_bytes(body[:2], "big")
    offset, values = 2, []
    for _ in range(count):
        size = int.from_bytes(body[offset : offset + 4], "big", signed=True)
        offset += 4
        values.append(None if size < 0 else body[offset : offset + size])
        offset += max(size, 0)
    return values


def state(connection: Connection, key: str) -> str | None:
    found = rows(connection, f"SELECT state->>'n' FROM actors WHERE actor_id = '{key}'")
    return found[0][0] if found else None


def seed(connection: Connection) -> None:
    rows(connection, "INSERT INTO actors VALUES ('a', 't', '{\"n\": 1}'), ('b', 't', '{\"n\": 2}')")


# --- the write set, made by the first write ---------------------------------------------------------------


def test_a_read_makes_no_write_set_and_a_later_write_in_the_block_makes_one(store: LayeredStore) -> None:
    client, other = connect(store), connect(store)
    seed(client)
    executor = client.protocol.executor
    assert executor is not None
    commits = executor.transactions.last_commit
    assert state(client, "a") == "1"  # an autocommitted read: nothing to commit, nothing locked
    assert executor.transactions.last_commit == commits and executor.session.transaction is None
    rows(client, "BEGIN")
    assert state(client, "a") == "1"
    txn = executor.session.transaction
    assert txn is not None and txn.writes is None
    rows(client, "UPDATE actors SET state = '{\"n\": 10}' WHERE actor_id = 'a'")
    assert txn.writes is not None and "a" in txn.writes
    assert state(client, "a") == "10" and state(other, "a") == "1"  # its own write, and only its own
    rows(client, "COMMIT")
    assert state(other, "a") == "10"
    assert executor.transactions.last_commit == commits + 1
    assert not executor.transactions.locks.holders("a")


def test_an_update_of_no_row_makes_no_write_set_and_commits_nothing(store: LayeredStore) -> None:
    client = connect(store)
    seed(client)
    committer = client.protocol.factory.committer
    before = committer.commits
    replies = client.send(query("UPDATE actors SET state = NULL WHERE actor_id = 'missing'"))
    assert types(replies) == "CZ" and replies[0][1] == b"UPDATE 0\x00"
    assert committer.commits == before


def test_a_savepoint_before_the_first_write_rolls_it_back(store: LayeredStore) -> None:
    client = connect(store)
    seed(client)
    committer = client.protocol.factory.committer
    rows(client, "BEGIN; SAVEPOINT s")
    rows(client, "UPDATE actors SET state = '{\"n\": 5}' WHERE actor_id = 'b'")
    assert state(client, "b") == "5"
    rows(client, "ROLLBACK TO SAVEPOINT s")
    assert state(client, "b") == "2"
    before = committer.commits
    rows(client, "RELEASE SAVEPOINT s; COMMIT")
    assert committer.commits == before  # the write set a savepoint made is empty: nothing to write
    assert state(client, "b") == "2"


def test_an_insert_after_a_read_of_its_key_in_the_block_finds_a_duplicate_as_before(store: LayeredStore) -> None:
    client = connect(store)
    seed(client)
    rows(client, "BEGIN")
    assert state(client, "new") is None
    rows(client, "INSERT INTO actors VALUES ('new', 't', NULL)")
    assert_error(client.send(query("INSERT INTO actors VALUES ('new', 't', NULL)"))[0], errors.UNIQUE_VIOLATION)
    rows(client, "ROLLBACK")
    assert_error(client.send(query("INSERT INTO actors VALUES ('a', 't', NULL)"))[0], errors.UNIQUE_VIOLATION)


# --- the end of a transaction: cursors, SET LOCAL, advisory locks ---------------------------------------


def test_a_held_cursor_survives_the_autocommitted_statements_after_it(store: LayeredStore) -> None:
    client = connect(store)
    seed(client)
    rows(client, "BEGIN; DECLARE held CURSOR WITH HOLD FOR SELECT actor_id FROM actors ORDER BY actor_id")
    rows(client, "DECLARE plain CURSOR FOR SELECT actor_id FROM actors; COMMIT")
    assert state(client, "a") == "1"
    rows(client, "UPDATE actors SET state = '{\"n\": 3}' WHERE actor_id = 'a'")
    # The extended protocol's unnamed portal ends with its transaction; the held cursor stays.
    point = typed(b"P", b"\x00SELECT actor_id FROM actors WHERE actor_id = 'b'\x00\x00\x00")
    bind = typed(b"B", b"\x00\x00\x00\x00\x00\x00\x00\x00")
    execute = typed(b"E", b"\x00\x00\x00\x00\x00")
    assert types(client.send(point + bind + execute + SYNC)) == "12DCZ"
    assert rows(client, "FETCH 1 FROM held") == [["a"]]
    assert rows(client, "FETCH ALL FROM held") == [["b"]]
    assert_error(client.send(query("FETCH 1 FROM plain"))[0], "34000")


def test_advisory_xact_locks_go_at_commit_and_rollback(store: LayeredStore) -> None:
    factory = make_factory(store)  # (the advisory lock table is the server's)
    client, other = connect(store, factory), connect(store, factory)
    rows(client, "SELECT pg_advisory_xact_lock(1)")  # autocommitted: released at once
    assert rows(other, "SELECT pg_try_advisory_lock(1), pg_advisory_unlock(1)") == [["t", "t"]]
    rows(client, "BEGIN; SELECT pg_advisory_xact_lock(2)")
    assert state(client, "a") is None  # a read in between ends nothing
    assert rows(other, "SELECT pg_try_advisory_xact_lock(2)") == [["f"]]
    rows(client, "COMMIT")
    assert rows(other, "SELECT pg_try_advisory_xact_lock(2)") == [["t"]]
    rows(client, "BEGIN; SELECT pg_advisory_xact_lock(3); ROLLBACK")
    assert rows(other, "SELECT pg_try_advisory_xact_lock(3)") == [["t"]]
    assert client.protocol.session is not None and client.protocol.session.advisory_xact == []


def test_set_local_is_reverted_and_set_is_kept_or_undone(store: LayeredStore) -> None:
    client = connect(store)
    rows(client, "BEGIN; SET LOCAL statement_timeout = '5s'; SET lock_timeout = '2s'")
    assert rows(client, "SHOW statement_timeout") == [["5s"]]
    rows(client, "COMMIT")
    assert rows(client, "SHOW statement_timeout") == [["0"]] and rows(client, "SHOW lock_timeout") == [["2s"]]
    rows(client, "BEGIN; SET lock_timeout = '3s'; ROLLBACK")
    assert rows(client, "SHOW lock_timeout") == [["2s"]]
    assert state(client, "a") is None  # an autocommitted statement touches no setting
    assert rows(client, "SHOW lock_timeout") == [["2s"]]


# --- Store.get: one key's newest committed row -----------------------------------------------------------


@pytest.mark.parametrize("kind", ["layered", "lmdb"])
def test_get_reads_what_a_new_snapshot_reads_after_every_commit(tmp_path: Path, kind: str) -> None:
    made = (
        LayeredStore(str(tmp_path), sync=False, checkpoint_interval=3600)
        if kind == "layered"
        else ActorStore(str(tmp_path), sync=False)
    )
    keys = ["k0", "k1", "k2", "k3", "", "x" * 600]

    def agrees() -> None:
        snapshot = made.snapshot()
        try:
            assert [made.get(key) for key in keys] == [snapshot.get(key) for key in keys]
        finally:
            snapshot.close()

    try:
        agrees()
        for step in range(12):
            key = keys[step % 4]
            made.commit({key: None} if step % 5 == 4 else {key: (key, f"t{step}", b'{"n": %d}' % step)})
            agrees()  # the read transaction kept from before this commit is not used again
            if step % 3 == 2 and isinstance(made, LayeredStore):
                made.checkpoint()  # the layers go into LMDB: the reader must see LMDB anew
                agrees()
        seen: queue.SimpleQueue[Any] = queue.SimpleQueue()
        worker = threading.Thread(target=lambda: seen.put([made.get(key) for key in keys]))
        worker.start()
        worker.join()
        agrees()
        snapshot = made.snapshot()
        assert seen.get() == [snapshot.get(key) for key in keys]  # another thread reads with its own
        snapshot.close()
    finally:
        made.close()


# --- group commit through the committer's own thread ---------------------------------------------------------


@implementer(IReactorTime, IReactorThreads)
class ThreadedClock(Clock):
    """A Clock with threads: calls from other threads wait in a queue until ``pump`` runs them."""

    def __init__(self) -> None:
        super().__init__()
        self.from_threads: queue.SimpleQueue[tuple[Callable[..., Any], tuple[Any, ...]]] = queue.SimpleQueue()

    def callFromThread(self, f: Callable[..., Any], *args: Any) -> None:  # noqa: N802 (Twisted's name)
        self.from_threads.put((f, args))

    def pump(self) -> None:
        f, args = self.from_threads.get(timeout=10)
        f(*args)


class FailingStore:
    synchronous = True
    syncing_in_background = False

    def commit_many(self, write_sets: Any) -> None:
        raise OSError("disk gone")

    def commit(self, writes: Any) -> None:
        raise OSError("disk gone")


def _writer_threads() -> list[threading.Thread]:
    return [thread for thread in threading.enumerate() if thread.name == "orbit-pg group commit"]


def test_groups_are_written_by_the_committers_thread_which_stops_once_drained(tmp_path: Path) -> None:
    lmdb_store = ActorStore(str(tmp_path))
    reactor = ThreadedClock()
    committer = GroupCommitter(lmdb_store, reactor, inline_flush=0)
    outcomes: list[errors.PgError | None] = []
    try:
        before = len(_writer_threads())
        committer.commit({"a": ("a", "t", None)}, outcomes.append)
        committer.commit({"b": ("b", "t", None)}, outcomes.append)
        reactor.advance(0)
        assert len(_writer_threads()) == before + 1
        reactor.pump()  # the group's outcome, back on the reactor
        assert outcomes == [None, None] and (committer.groups, committer.commits) == (1, 2)
        snapshot = lmdb_store.snapshot()
        assert [row[0] for row in snapshot.scan()] == ["a", "b"]
        snapshot.close()
        drained = committer.drain()
        assert drained.called
        for thread in _writer_threads()[before:]:
            thread.join(10)
        assert len(_writer_threads()) == before
        committer.commit({"c": ("c", "t", None)}, outcomes.append)  # a later commit starts it again
        reactor.advance(0)
        reactor.pump()
        assert outcomes == [None, None, None]
        committer.drain()
    finally:
        lmdb_store.close()


def test_a_group_whose_write_raises_fails_every_commit_in_it() -> None:
    reactor = ThreadedClock()
    committer = GroupCommitter(FailingStore(), reactor, inline_flush=0)  # type: ignore[arg-type]
    outcomes: list[errors.PgError | None] = []
    committer.commit({"a": None}, outcomes.append)
    reactor.advance(0)
    reactor.pump()
    assert [error.sqlstate for error in outcomes if error is not None] == [errors.INTERNAL_ERROR]
    committer.drain()


def test_a_failed_commit_releases_its_row_locks(store: LayeredStore, monkeypatch: pytest.MonkeyPatch) -> None:
    client, other = connect(store), connect(store)
    seed(client)

    def refuse(write_sets: Any) -> None:
        raise errors.PgError("53100", "could not write actor data: the LMDB map is full")

    monkeypatch.setattr(store, "commit_many", refuse)
    monkeypatch.setattr(store, "commit", lambda writes: refuse([writes]))
    replies = client.send(query("UPDATE actors SET state = NULL WHERE actor_id = 'a'"))
    assert "E" in types(replies)
    monkeypatch.undo()
    assert types(other.send(query("UPDATE actors SET state = NULL WHERE actor_id = 'a'"))) == "CZ"
    assert state(client, "a") is None
