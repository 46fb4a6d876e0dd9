"""Statements against a real LMDB store: key and index lookups never scan the table."""

from __future__ import annotations

from pathlib import Path

import pytest

from orbit_pg.session import Session
from orbit_pg.sql.executor import Executor
from orbit_pg.sql.grammar import parse
from orbit_pg.storage.lmdb_store import ActorStore, LmdbSnapshot


@pytest.fixture
def executor(tmp_path: Path) -> Executor:
    store = ActorStore(str(tmp_path))
    executor = Executor(store, Session("orbit", "actors", {}))
    run(executor, "INSERT INTO actors VALUES ('a:1', 'a', '{}'), ('b:1', 'b', NULL), ('b:2', 'b', '[1]')")
    yield executor
    store.close()


def run(executor: Executor, sql: str) -> list[tuple[str, list]]:
    results = []
    for stmt in parse(sql):
        result = executor.execute(stmt)
        results.append((result.tag, [list(row) for row in result.rows]))
    executor.end_of_query()
    executor.commit_now()
    return results


def test_key_and_type_lookups_do_not_scan(executor: Executor, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_scan(self: LmdbSnapshot) -> None:
        raise AssertionError("full scan")

    monkeypatch.setattr(LmdbSnapshot, "scan", no_scan)
    assert run(executor, "SELECT actor_type FROM actors WHERE actor_id = 'b:2'") == [("SELECT", [["b"]])]
    assert run(executor, "SELECT actor_id FROM actors WHERE actor_type = 'b'") == [("SELECT", [["b:1"], ["b:2"]])]
    assert run(executor, "UPDATE actors SET actor_type = 'c' WHERE actor_id = 'b:1'") == [("UPDATE 1", [])]
    assert run(executor, "SELECT actor_id FROM actors WHERE actor_type = 'b'") == [("SELECT", [["b:2"]])]
    assert run(executor, "DELETE FROM actors WHERE actor_type = 'c'") == [("DELETE 1", [])]


def test_a_transaction_sees_its_own_writes_in_every_access_path(executor: Executor) -> None:
    run(executor, "BEGIN")
    run(executor, "INSERT INTO actors VALUES ('b:0', 'b', NULL); DELETE FROM actors WHERE actor_id = 'b:2'")
    assert run(executor, "SELECT actor_id FROM actors WHERE actor_type = 'b'") == [("SELECT", [["b:0"], ["b:1"]])]
    assert run(executor, "SELECT actor_id FROM actors") == [("SELECT", [["a:1"], ["b:0"], ["b:1"]])]
    assert run(executor, "SELECT actor_id FROM actors WHERE actor_id = 'b:2'") == [("SELECT", [])]
    run(executor, "ROLLBACK")
    assert run(executor, "SELECT actor_id FROM actors") == [("SELECT", [["a:1"], ["b:1"], ["b:2"]])]
