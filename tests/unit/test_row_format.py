"""A data directory written before the row format was recorded (format 1: a NULL flag byte where
the state's length now is) opens with every row as it was: the rows are rewritten once, in
batches of one transaction, and the format recorded; a new directory only records it."""

from __future__ import annotations

from pathlib import Path

import pytest
from format_1 import ROWS, write_format_1

from orbit_pg.storage import lmdb_store
from orbit_pg.storage.base import stored
from orbit_pg.storage.layered import LayeredStore
from orbit_pg.storage.lmdb_store import ActorStore


def row_format(store: ActorStore) -> bytes | None:
    with store._env.begin(db=store._meta) as txn:
        return txn.get(b"row_format")


@pytest.mark.parametrize("batch", [3, 10_000])
def test_format_1_rows_read_as_they_were_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, batch: int) -> None:
    monkeypatch.setattr(lmdb_store, "_UPGRADE_BATCH", batch)  # (3: several batches, the last one short)
    write_format_1(tmp_path, ROWS)
    for _ in range(2):  # (the second open finds the format recorded and rewrites nothing)
        store = ActorStore(str(tmp_path))
        try:
            assert row_format(store) == b"2"
            assert [store.get(actor_id) for actor_id, _, _ in ROWS] == ROWS
            users = sorted(row for row in ROWS if row[1] == "user")
            assert store.first_of_type("user", 20) == users
            assert store.first_of_type_stored("user", 20) == [stored(row) for row in users]
            snapshot = store.snapshot()
            assert sorted(snapshot.scan()) == sorted(ROWS)
            snapshot.close()
        finally:
            store.close()


def test_the_server_store_opens_a_format_1_directory(tmp_path: Path) -> None:
    write_format_1(tmp_path, ROWS)
    store = LayeredStore(str(tmp_path))
    try:
        assert sorted(row for row in ROWS if row[1] == "t\u00e9") == store.first_of_type("t\u00e9", 5)
        store.commit({"a": ("a", "user", None), "new": ("new", "t\u00e9", b"[]")})
        store.checkpoint()
        assert store.get("a") == ("a", "user", None) and store.get("new") == ("new", "t\u00e9", b"[]")
    finally:
        store.close()


def test_a_new_directory_records_the_format(tmp_path: Path) -> None:
    store = ActorStore(str(tmp_path))
    try:
        assert row_format(store) == b"2"
    finally:
        store.close()
