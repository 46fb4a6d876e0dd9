"""A transaction's write set spills to a private LMDB environment past SPILL_ROWS entries, and
keeps its meaning: lookups, key order, savepoints, cursors' views, commits, row locks."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from protocol_harness import Connection, error_fields, make_factory, parse_replies, query, typed, types

from orbit_pg import transactions
from orbit_pg.locks import LockMode, LockTable, LockWait, Owner
from orbit_pg.session import Session
from orbit_pg.sql.executor import Executor
from orbit_pg.sql.grammar import parse
from orbit_pg.storage import writeset
from orbit_pg.storage.lmdb_store import ActorStore
from orbit_pg.storage.writeset import WriteSet

LIMIT = 5


@pytest.fixture(autouse=True)
def small_spill(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(writeset, "SPILL_ROWS", LIMIT)


def row(key: str, actor_type: str = "t", state: bytes | None = b"{}") -> tuple[str, str, bytes | None]:
    return key, actor_type, state


def spills(directory: Path) -> list[str]:
    return os.listdir(directory) if directory.exists() else []


def test_a_write_set_spills_past_its_limit_and_reads_the_same(tmp_path: Path) -> None:
    writes = WriteSet(str(tmp_path))
    writes.update({f"k{i}": row(f"k{i}") for i in range(LIMIT)})
    assert not writes.spilled and spills(tmp_path) == []
    writes.update({"k9": row("k9", "u", None), "": row(""), "k0": None})
    assert writes.spilled and len(spills(tmp_path)) == 1
    assert len(writes) == LIMIT + 2
    assert writes["k9"] == ("k9", "u", None) and writes[""] == ("", "t", b"{}")
    assert "k0" in writes and writes["k0"] is None and writes.get("k0", "absent") is None
    assert "nope" not in writes and writes.get("nope", "absent") == "absent"
    with pytest.raises(KeyError):
        writes["nope"]
    # Key order (the empty key first), deletes included for the commit, left out of reads.
    assert [key for key, _ in writes.items()] == ["", "k0", "k1", "k2", "k3", "k4", "k9"]
    assert [r[0] for r in writes.rows_in_order()] == ["", "k1", "k2", "k3", "k4", "k9"]
    assert [r[0] for r in writes.rows_in_order("k2", "k4")] == ["k2", "k3", "k4"]
    assert writes == dict(writes.items())
    writes.update({"k1": row("k1", "v")})
    assert writes["k1"] == ("k1", "v", b"{}") and len(writes) == LIMIT + 2
    writes.close()
    assert spills(tmp_path) == [] and len(writes) == 0 and not writes.spilled


def test_rows_in_order_below_the_limit(tmp_path: Path) -> None:
    writes = WriteSet(str(tmp_path))
    writes.update({"b": row("b"), "a": None, "c": row("c")})
    assert [r[0] for r in writes.rows_in_order()] == ["b", "c"]
    assert [r[0] for r in writes.rows_in_order(None, "b")] == ["b"]


def test_savepoints_roll_back_across_the_spill(tmp_path: Path) -> None:
    writes = WriteSet(str(tmp_path))
    writes.update({"a": row("a"), "b": row("b")})
    first = writes.mark()
    writes.update({"a": None, "c": row("c")})
    assert not writes.spilled
    second = writes.mark()
    writes.update({f"n{i}": row(f"n{i}") for i in range(LIMIT)})  # spills, undo records with it
    assert writes.spilled
    writes.update({"b": row("b", "changed")})
    third = writes.mark()
    writes.update({"b": None})
    writes.rollback(third)
    assert writes["b"] == ("b", "changed", b"{}")
    writes.rollback(second)
    assert dict(writes.items()) == {"a": None, "b": row("b"), "c": row("c")}
    writes.update({"d": row("d")})
    writes.rollback(first)
    assert dict(writes.items()) == {"a": row("a"), "b": row("b")} and len(writes) == 2
    writes.unmark()  # no savepoint left: later writes keep no undo records
    writes.update({"e": row("e")})
    assert writes.mark() == 0
    writes.close()


def test_a_view_keeps_the_writes_of_its_moment(tmp_path: Path) -> None:
    writes = WriteSet(str(tmp_path))
    writes.update({"a": row("a")})
    small = writes.view()
    writes.update({f"n{i}": row(f"n{i}") for i in range(LIMIT)})
    big = writes.view()
    writes.update({"a": None, "z": row("z")})
    assert dict(small.items()) == {"a": row("a")}
    assert [r[0] for r in big.rows_in_order()] == ["a", "n0", "n1", "n2", "n3", "n4"]
    assert "z" not in big and big["a"] == row("a") and len(big) == LIMIT + 1
    assert [r[0] for r in writes.rows_in_order()] == ["n0", "n1", "n2", "n3", "n4", "z"]
    big.close()
    writes.close()
    big.close()  # twice, and after its write set: harmless


def test_leftover_spills_go_at_server_start(tmp_path: Path) -> None:
    writes = WriteSet(str(tmp_path / "pgsql_tmp"))
    writes.update({f"n{i}": row(f"n{i}") for i in range(LIMIT + 1)})
    assert spills(tmp_path / "pgsql_tmp")
    writeset.remove_leftovers(str(tmp_path / "pgsql_tmp"))
    assert not (tmp_path / "pgsql_tmp").exists()


# --- through the executor -----------------------------------------------------------------


@pytest.fixture
def executor(tmp_path: Path) -> Iterator[Executor]:
    store = ActorStore(str(tmp_path / "data"))
    yield Executor(store, Session("orbit", "actors", {}))
    store.close()


def run(executor: Executor, sql: str) -> list[list]:
    rows: list[list] = []
    for stmt in parse(sql):
        rows = [list(r) for r in executor.execute(stmt).rows]
    executor.end_of_query()
    executor.commit_now()
    return rows


def test_a_spilled_transaction_reads_writes_and_commits_as_before(executor: Executor) -> None:
    temp = Path(executor.store.temp_dir)
    run(executor, "INSERT INTO actors VALUES ('old:1', 'old', '{}'), ('old:2', 'old', '{}')")
    run(executor, "BEGIN")
    run(
        executor,
        "INSERT INTO actors SELECT 'new:' || i, 'new', jsonb_build_object('i', i) FROM generate_series(1, 9) i",
    )
    assert executor.transaction().writes.spilled and len(spills(temp)) == 1
    run(executor, "DELETE FROM actors WHERE actor_id = 'old:1'")
    run(executor, "DECLARE c CURSOR FOR SELECT actor_id, actor_type FROM actors WHERE actor_id >= 'new:8'")
    run(executor, "UPDATE actors SET actor_type = 'newer' WHERE actor_id = 'new:9'")
    assert run(executor, "SELECT count(*) FROM actors") == [[10]]
    assert run(executor, "SELECT actor_id FROM actors WHERE actor_id BETWEEN 'new:2' AND 'new:4'") == [
        ["new:2"],
        ["new:3"],
        ["new:4"],
    ]
    assert run(executor, "SELECT actor_id FROM actors WHERE actor_type = 'newer'") == [["new:9"]]
    assert run(executor, "SELECT state FROM actors WHERE actor_id IN ('new:5', 'old:1')") == [[b'{"i": 5}']]
    assert run(executor, "SELECT actor_id, actor_type FROM actors WHERE actor_id LIKE 'old%'") == [["old:2", "old"]]
    run(executor, "SAVEPOINT s")
    run(executor, "DELETE FROM actors WHERE actor_type = 'new'")
    assert run(executor, "SELECT count(*) FROM actors") == [[2]]
    run(executor, "ROLLBACK TO s")
    assert run(executor, "SELECT count(*) FROM actors") == [[10]]
    # The cursor reads the writes of its DECLARE: new:9 not yet updated, old:1 deleted already.
    assert run(executor, "FETCH ALL FROM c") == [["new:8", "new"], ["new:9", "new"], ["old:2", "old"]]
    run(executor, "COMMIT")
    assert spills(temp) == []
    assert run(executor, "SELECT actor_id, actor_type FROM actors WHERE actor_id >= 'new:8' OR actor_id < 'new'") == [
        ["new:8", "new"],
        ["new:9", "newer"],
        ["old:2", "old"],
    ]


def test_a_failed_statement_in_a_spilled_transaction_rolls_back_to_its_savepoint(executor: Executor) -> None:
    run(executor, "BEGIN")
    run(executor, "INSERT INTO actors SELECT 'a:' || i, 'a', NULL FROM generate_series(1, 9) i")
    run(executor, "SAVEPOINT s")
    run(executor, "INSERT INTO actors VALUES ('b:1', 'b', NULL)")
    with pytest.raises(Exception, match="duplicate key"):
        run(executor, "INSERT INTO actors VALUES ('a:1', 'a', NULL)")
    executor.statement_failed()
    run(executor, "ROLLBACK TO s")
    assert run(executor, "SELECT count(*) FROM actors") == [[9]]
    run(executor, "ROLLBACK")
    assert run(executor, "SELECT count(*) FROM actors") == [[0]]
    assert spills(Path(executor.store.temp_dir)) == []


def test_a_big_commit_counts_as_a_write_of_every_row_for_older_snapshots(tmp_path: Path) -> None:
    """First committer wins stays right without remembering each key of a big commit."""
    shared = transactions.Transactions(str(tmp_path / "tmp"))
    store = ActorStore(str(tmp_path / "data"))
    try:
        loader = Executor(store, Session("orbit", "actors", {}), shared=shared)
        reader = Executor(store, Session("orbit", "actors", {}), shared=shared)
        run(reader, "INSERT INTO actors VALUES ('other', 'o', NULL)")
        run(reader, "BEGIN ISOLATION LEVEL REPEATABLE READ")
        run(reader, "SELECT count(*) FROM actors")
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(transactions, "RECORDED_KEYS", 3)
            run(loader, "INSERT INTO actors SELECT 'n:' || i, 'n', NULL FROM generate_series(1, 9) i")
        with pytest.raises(Exception, match="could not serialize access"):
            run(reader, "UPDATE actors SET actor_type = 'p' WHERE actor_id = 'other'")
    finally:
        store.close()


# --- row locks ------------------------------------------------------------------------------


def test_a_spilled_owner_holds_its_keys_by_reference(tmp_path: Path) -> None:
    locks = LockTable()
    big, other = Owner(1), Owner(2)
    writes = WriteSet(str(tmp_path))
    locks.acquire(big, "a", LockMode.UPDATE, writing=True)  # before the spill: an entry
    writes.update({"a": row("a")})
    staged = {f"k{i}": row(f"k{i}") for i in range(LIMIT)}
    for key in staged:
        locks.acquire(big, key, LockMode.UPDATE, writing=True)
    writes.update(staged)
    locks.hold_by_reference(big, writes)
    for key in ("k0", "k1"):
        assert locks.acquire(big, key, LockMode.UPDATE, writing=True)
    assert len(big.held) == 1 + LIMIT  # taken before the reference; none after it
    assert locks.acquire(big, "k9", LockMode.UPDATE, writing=True) and len(big.held) == 1 + LIMIT
    assert locks.holders("k3") == {big: LockMode.UPDATE}
    assert not locks.acquire(other, "k3", LockMode.KEY_SHARE, "skip locked")
    with pytest.raises(LockWait) as waiting:
        locks.acquire(other, "k3", LockMode.KEY_SHARE)
    assert locks.acquire(other, "free", LockMode.UPDATE)
    locks.release_after(big)
    assert waiting.value.waiter.wakeup.called
    assert locks.holders("k3") == {other: LockMode.KEY_SHARE}
    writes.close()


def _copy_rows(copier: Connection, keys: list[str]) -> None:
    data = "".join(f"{key}\tt\t{{}}\n" for key in keys).encode()
    assert types(copier.send(typed(b"d", data))) == ""


@pytest.mark.parametrize("end", ["COMMIT", "ROLLBACK"])
def test_an_insert_of_a_key_a_spilled_copy_staged_waits_for_it(tmp_path: Path, end: str) -> None:
    """As in PostgreSQL: the inserter waits, then gets 23505 if the COPY commits, or inserts."""
    store = ActorStore(str(tmp_path))
    try:
        factory = make_factory(store)
        copier, inserter, reader = Connection(factory), Connection(factory), Connection(factory)
        for client in (copier, inserter, reader):
            client.start()
        copier.send(query("BEGIN"))
        assert types(copier.send(query("COPY actors FROM STDIN"))) == "G"
        _copy_rows(copier, [f"c:{i}" for i in range(2 * LIMIT)])
        _copy_rows(copier, ["c:x"])
        assert copier.protocol.executor.transaction().writes.spilled
        assert types(copier.send(typed(b"c"))) == "CZ"
        assert inserter.send(query("INSERT INTO actors VALUES ('c:7', 'mine', NULL)")) == []  # parked
        assert types(reader.send(query("INSERT INTO actors VALUES ('free', 'mine', NULL)"))) == "CZ"
        assert types(copier.send(query(end))) == "CZ"
        replies = parse_replies(inserter.transport.value())
        if end == "COMMIT":
            assert types(replies) == "EZ"
            assert error_fields(replies[0][1])["C"] == "23505"
            assert reader.send(query("SELECT count(*) FROM actors"))[1][1].endswith(b"12")
        else:
            assert types(replies) == "CZ"
            assert reader.send(query("SELECT actor_type FROM actors WHERE actor_id = 'c:7'"))[1][1].endswith(b"mine")
        assert spills(Path(store.temp_dir)) == []
    finally:
        store.close()


@pytest.mark.parametrize("end", ["COMMIT", "ROLLBACK"])
def test_a_copy_waits_for_a_key_another_transaction_inserted(tmp_path: Path, end: str) -> None:
    """COPY waits as INSERT does, then fails with 23505 or goes on (its CopyData wait meanwhile)."""
    store = ActorStore(str(tmp_path))
    try:
        factory = make_factory(store)
        holder, copier, reader = Connection(factory), Connection(factory), Connection(factory)
        for client in (holder, copier, reader):
            client.start()
        holder.send(query("BEGIN; INSERT INTO actors VALUES ('c:3', 'theirs', NULL)"))
        assert types(copier.send(query("COPY actors FROM STDIN"))) == "G"
        assert copier.send(typed(b"d", b"c:0\tt\t{}\n")) == []
        assert copier.send(typed(b"d", b"c:1\tt\t{}\nc:2\tt\t{}\nc:3\tt\t{}\n")) == []  # parked
        assert copier.send(typed(b"d", b"c:4\tt\t{}\n") + typed(b"c")) == []  # queued behind it
        assert types(holder.send(query(end))) == "CZ"
        replies = parse_replies(copier.transport.value())
        if end == "COMMIT":
            assert types(replies) == "EZ"
            fields = error_fields(replies[0][1])
            assert (fields["C"], fields["W"]) == ("23505", "COPY actors, line 4")
            expected = [(b"c:3", b"theirs")]
        else:
            assert types(replies) == "CZ" and replies[0][1] == b"COPY 5\x00"
            expected = [(b"c:%d" % i, b"t") for i in range(5)]
        rows = reader.send(query("SELECT actor_id, actor_type FROM actors"))
        assert [tuple(_columns(body)) for kind, body in rows if kind == "D"] == expected
    finally:
        store.close()


def _columns(body: bytes) -> list[bytes]:
    count, at, values = int.from_bytes(body[:2], "big"), 2, []
    for _ in range(count):
        size = int.from_bytes(body[at : at + 4], "big")
        values.append(body[at + 4 : at + 4 + size])
        at += 4 + size
    return values
