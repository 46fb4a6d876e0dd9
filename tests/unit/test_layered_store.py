"""The layered store (WAL + in-memory layers over LMDB) reads exactly as a plain LMDB store fed the
same commits: random commits, checkpoints and snapshots held across them, compared read by read."""

from __future__ import annotations

import itertools
import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from orbit_pg import errors
from orbit_pg.storage.base import Row, stored
from orbit_pg.storage.layered import LayeredStore
from orbit_pg.storage.lmdb_store import ActorStore
from orbit_pg.storage.wal import HEADER, WalError, WriteAheadLog, record

IDS = ["", "a", "a1", "b", "b\u00e9", "c", "d", "z", "\u4e2d", "\U0001f600"]
TYPES = ["", "t", "u", "v"]

writes_strategy = st.dictionaries(
    st.sampled_from(IDS),
    st.one_of(st.none(), st.tuples(st.sampled_from(TYPES), st.one_of(st.none(), st.binary(max_size=8)))),
    min_size=1,
    max_size=4,
)
step = st.one_of(
    st.tuples(st.just("commit"), writes_strategy),
    st.tuples(st.just("checkpoint"), st.none()),
    st.tuples(st.just("hold"), st.none()),
)


def _rows(writes: dict[str, tuple[str, bytes | None] | None]) -> dict[str, Row | None]:
    return {key: None if value is None else (key, *value) for key, value in writes.items()}


def _reads(snapshot) -> tuple:
    """Every kind of read, over the ids and types in play (and some range bounds between them)."""
    return (
        list(snapshot.scan()),
        [snapshot.get(actor_id) for actor_id in IDS],
        [list(snapshot.scan_type(actor_type)) for actor_type in TYPES],
        [snapshot.first_of_type(actor_type, count) for actor_type in TYPES for count in (0, 1, 2, 3)],
        [list(snapshot.scan_range(low, high)) for low in (None, "", "a", "b", "c\u00ff") for high in (None, "a1", "d")],
    )


def _store_reads(store: LayeredStore | ActorStore) -> tuple:
    """The reads a store answers without a snapshot (``get``, ``first_of_type``), as ``_reads`` has
    them; ``first_of_type_stored``'s rows, decoded, read as ``first_of_type``'s."""
    first = [store.first_of_type(actor_type, count) for actor_type in TYPES for count in (0, 1, 2, 3)]
    as_stored = [store.first_of_type_stored(actor_type, count) for actor_type in TYPES for count in (0, 1, 2, 3)]
    assert as_stored == [[stored(row) for row in rows] for rows in first]
    return [store.get(actor_id) for actor_id in IDS], first


@pytest.fixture
def stores(tmp_path: Path) -> Iterator[tuple[LayeredStore, ActorStore]]:
    layered = LayeredStore(str(tmp_path / "layered"), checkpoint_interval=3600)
    plain = ActorStore(str(tmp_path / "plain"))
    yield layered, plain
    layered.close()
    plain.close()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(step, max_size=40))
def test_reads_match_plain_lmdb(stores: tuple[LayeredStore, ActorStore], steps: list) -> None:
    layered, plain = stores
    layered.checkpoint()
    plain.commit({key: None for key in IDS})
    layered.commit({key: None for key in IDS})
    held = []
    for kind, writes in steps:
        if kind == "commit":
            rows = _rows(writes)
            layered.commit_many([rows, {}])
            plain.commit(rows)
        elif kind == "checkpoint":
            layered.checkpoint()
        else:
            # A REPEATABLE READ snapshot: it must keep its view across later commits and checkpoints.
            held.append((layered.snapshot(), plain.snapshot()))
        assert _reads(layered.snapshot()) == _reads(plain.snapshot())
        # A store's own reads (its held reader, renewed after each LMDB commit) read as a snapshot.
        assert _store_reads(layered) == _store_reads(plain) == _reads(plain.snapshot())[1:4:2]
    for mine, reference in held:
        assert _reads(mine) == _reads(reference)
        mine.close()
        reference.close()


def test_reads_race_checkpoints(tmp_path: Path) -> None:
    """Commits and checkpoints in other threads while the reader compares held snapshots' scans."""
    layered = LayeredStore(str(tmp_path / "layered"), checkpoint_interval=0.001, checkpoint_rows=5)
    stop = threading.Event()

    def writer() -> None:
        n = 0
        while not stop.is_set():
            n += 1
            layered.commit({f"k{n % 50:02d}": (f"k{n % 50:02d}", f"t{n % 3}", str(n).encode())})

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        for _ in range(200):
            snapshot = layered.snapshot()
            first = _reads_keys(snapshot)
            assert _reads_keys(snapshot) == first
            rows = list(snapshot.scan())
            assert [row[0] for row in rows] == sorted(row[0] for row in rows)
            by_type = sorted(row for actor_type in ("t0", "t1", "t2") for row in snapshot.scan_type(actor_type))
            assert by_type == sorted(rows)
            snapshot.close()
    finally:
        stop.set()
        thread.join()
        layered.close()
    assert layered.checkpoints > 0


def _reads_keys(snapshot) -> list:
    return [
        list(snapshot.scan()),
        list(snapshot.scan_range("k10", "k30")),
        list(snapshot.scan_type("t1")),
        snapshot.first_of_type("t2", 5),
    ]


def test_restart_replays_what_was_not_checkpointed(tmp_path: Path) -> None:
    path = str(tmp_path / "data")
    store = LayeredStore(path, checkpoint_interval=3600)
    store.commit({"a": ("a", "t", b"1")})
    store.checkpoint()
    store.commit({"b": ("b", "t", b"2"), "a": None})
    store.commit({"c": ("c", "u", None)})
    _crash(store)
    reopened = LayeredStore(path, checkpoint_interval=3600)
    try:
        assert list(reopened.snapshot().scan()) == [("b", "t", b"2"), ("c", "u", None)]
        assert reopened.lmdb.wal_seq() == 3  # replayed, then checkpointed
    finally:
        reopened.close()
    assert os.listdir(os.path.join(path, "wal")) == []  # a clean close applies and removes the log


def test_torn_tail_is_dropped_and_earlier_records_kept(tmp_path: Path) -> None:
    path = str(tmp_path / "data")
    store = LayeredStore(path, checkpoint_interval=3600)
    store.commit({"a": ("a", "t", b"1")})
    store.commit({"b": ("b", "t", b"2")})
    segment = _segment(path)
    with open(segment, "rb") as file:
        data = file.read()
    end = data.index(bytes(HEADER.size), HEADER.size)  # the zeros after the second record
    _crash(store)
    with open(segment, "r+b") as file:
        file.seek(end - 3)
        file.write(bytes(3))  # the last record's final bytes never reached the disk
    reopened = LayeredStore(path, checkpoint_interval=3600)
    try:
        assert list(reopened.snapshot().scan()) == [("a", "t", b"1")]
        reopened.commit({"c": ("c", "t", b"3")})
    finally:
        _crash(reopened)
    again = LayeredStore(path, checkpoint_interval=3600)
    try:
        assert list(again.snapshot().scan()) == [("a", "t", b"1"), ("c", "t", b"3")]
    finally:
        again.close()


def test_commit_past_the_map_headroom_is_refused(tmp_path: Path) -> None:
    store = LayeredStore(str(tmp_path / "data"), map_size=1 << 20, checkpoint_interval=3600)
    try:
        with pytest.raises(errors.PgError) as caught:
            for n in range(10_000):
                store.commit({f"actor:{n}": (f"actor:{n}", "t", b"x" * 100)})
        assert caught.value.sqlstate == "53100"
        acknowledged = n
        store.checkpoint()  # everything acknowledged fits
        assert len(list(store.snapshot().scan())) == acknowledged
        assert store.lmdb.wal_seq() == acknowledged
    finally:
        store.close()


def _segment(path: str) -> str:
    (name,) = [name for name in os.listdir(os.path.join(path, "wal")) if name != "spare"]
    return os.path.join(path, "wal", name)


def _crash(store: LayeredStore) -> None:
    """Stop as a killed process would: no final checkpoint, nothing removed."""
    store._stopping = True
    store._wake.set()
    store._thread.join()
    store.lmdb.close()


def test_a_gap_in_the_log_stops_the_start(tmp_path: Path) -> None:
    """A record missing from the log was acknowledged: refuse to start rather than lose it."""
    row = {"a": ("a", "t", None)}
    for name, seqs, after, message in (
        ("middle", (1, 2, 4), 0, "record 4 where 3 was due"),
        ("first", (5, 6), 2, "record 5 where 3 was due"),
    ):
        directory = tmp_path / name
        directory.mkdir()
        (directory / f"{1:016x}").write_bytes(b"".join(record(seq, row) for seq in seqs) + bytes(64))
        with pytest.raises(WalError, match=message):
            list(WriteAheadLog(str(directory)).replay(after))


def test_a_bulk_commit_goes_straight_into_lmdb_after_the_layers(tmp_path: Path) -> None:
    """More than checkpoint_rows rows: the layers are checkpointed first, then the group is written
    into LMDB without a WAL record; newer than the layers, it wins over them, and a restart sees it."""
    path = str(tmp_path / "store")
    store = LayeredStore(path, checkpoint_interval=3600, checkpoint_rows=5)
    store.commit({"a": ("a", "t", b"1"), "b": ("b", "t", b"1")})
    held = store.snapshot()
    bulk = {key: (key, "u", b"2") for key in ("a", "c", "d", "e", "f", "g")}
    bulk["b"] = None
    store.commit_many([bulk])
    assert store._layers == ()
    snapshot = store.snapshot()
    assert list(snapshot.scan()) == [bulk[key] for key in "acdefg"]
    assert list(snapshot.scan_type("t")) == []
    snapshot.close()
    assert held.get("a") == ("a", "t", b"1")  # a snapshot taken before keeps its view
    held.close()
    store.commit({"h": ("h", "t", b"3")})  # a logged commit after the bulk one, replayed after a crash
    _crash(store)
    reopened = LayeredStore(path, checkpoint_interval=3600)
    snapshot = reopened.snapshot()
    assert [row[0] for row in snapshot.scan()] == list("acdefgh")
    snapshot.close()
    reopened.close()


def test_first_of_type_over_layers_that_hide_rows(tmp_path: Path) -> None:
    """A LIMIT over the type index: rows checkpointed into LMDB, rows of the type in an older
    layer, and a newer layer that deletes one of those and moves an LMDB row to another type."""
    layered = LayeredStore(str(tmp_path / "data"), checkpoint_interval=3600)
    layered.commit({key: (key, "t", key.encode()) for key in "abcd"})
    layered.checkpoint()
    layered.commit({key: (key, "t", key.encode()) for key in "efghi"})
    layered.commit({"e": None})
    layered.commit({"b": ("b", "u", b"b")})
    assert [len(layer.rows) for layer in layered._layers] == [2, 5]  # not merged: the case under test
    snapshot = layered.snapshot()
    assert [row[0] for row in snapshot.first_of_type("t", 10)] == list("acdfghi")
    for count in range(9):
        assert snapshot.first_of_type("t", count) == list(itertools.islice(snapshot.scan_type("t"), count))
    assert snapshot.first_of_type("u", 3) == [("b", "u", b"b")]
    snapshot.close()
    layered.close()
