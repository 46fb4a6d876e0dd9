"""Write statements against a real LMDB store: each is atomic within its transaction, and upserts
find the conflicting row by key."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from orbit_pg import errors
from orbit_pg.session import Session
from orbit_pg.sql.executor import Executor
from orbit_pg.sql.grammar import parse
from orbit_pg.storage.lmdb_store import ActorStore, LmdbSnapshot


@pytest.fixture
def executor(tmp_path: Path) -> Iterator[Executor]:
    store = ActorStore(str(tmp_path))
    executor = Executor(store, Session("orbit", "actors", {}))
    run(executor, "INSERT INTO actors VALUES ('a:1', 'a', '{\"n\": 1}'), ('a:2', 'a', NULL)")
    executor.end_of_query()
    executor.commit_now()
    yield executor
    store.close()


def run(executor: Executor, sql: str) -> list[tuple[str, list[list[object]]]]:
    return [(r.tag, [list(row) for row in r.rows]) for r in (executor.execute(s) for s in parse(sql))]


@pytest.mark.parametrize(
    ("sql", "sqlstate"),
    [
        ("INSERT INTO actors VALUES ('b:1', 'b', '{}'), ('b:2', 'b', '{'), ('b:3', 'b', '{}')", "22P02"),
        ("INSERT INTO actors VALUES ('b:1', 'b', '{}'), ('a:1', 'b', '{}') RETURNING *", "23505"),
        ("INSERT INTO actors VALUES ('b:1', 'b', '{}'), ('b:1', 'b', '{}')", "23505"),
        ("INSERT INTO actors SELECT actor_id || 'x', NULLIF(actor_type, 't'), state FROM actors", "23502"),
        (
            "INSERT INTO actors VALUES ('a:1', 'a', '{}'), ('a:1', 'a', '{}') ON CONFLICT (actor_id) "
            "DO UPDATE SET state = EXCLUDED.state",
            "21000",
        ),
        ("UPDATE actors SET actor_id = 'a:1' RETURNING *", "23505"),
        ("UPDATE actors SET state = (CASE WHEN actor_id = 'a:1' THEN '{}' ELSE '{' END)::jsonb", "22P02"),
        ("DELETE FROM actors WHERE actor_id = 'a:1' OR 1 / (length(actor_id) - 3) > 0 RETURNING *", "22012"),
    ],
)
def test_a_failing_statement_leaves_the_write_set_as_it_was(executor: Executor, sql: str, sqlstate: str) -> None:
    """Nothing of a failed statement reaches the transaction's writes (a savepoint before it
    keeps all the transaction's earlier work)."""
    run(executor, "BEGIN; INSERT INTO actors VALUES ('t:1', 't', NULL); DELETE FROM actors WHERE actor_id = 'a:2'")
    before = dict(executor.transaction().writes)
    with pytest.raises(errors.PgError) as caught:
        run(executor, sql)
    assert caught.value.sqlstate == sqlstate
    assert executor.transaction().writes == before


def test_upserts_look_the_conflicting_row_up_by_key(executor: Executor, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_scan(self: LmdbSnapshot) -> None:
        raise AssertionError("full scan")

    monkeypatch.setattr(LmdbSnapshot, "scan", no_scan)
    upsert = (
        "INSERT INTO actors VALUES ('a:1', 'a', '{\"m\": 2}'), ('a:3', 'a', NULL) ON CONFLICT (actor_id) "
        "DO UPDATE SET state = actors.state || EXCLUDED.state RETURNING actor_id, state::text"
    )
    assert run(executor, upsert) == [("INSERT 0 2", [["a:1", '{"m": 2, "n": 1}'], ["a:3", None]])]
    assert run(executor, "INSERT INTO actors VALUES ('a:3', 'a', '{}') ON CONFLICT DO NOTHING") == [("INSERT 0 0", [])]
