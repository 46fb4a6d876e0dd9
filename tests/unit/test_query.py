"""The query engine against a real LMDB store: EXPLAIN names the access path the planner chose
(key lookup, range scan, type index, top-N), the chosen path reads only what it must, and
system catalogs (CatalogTable) are relations like actors."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from orbit_pg import catalog, errors, types
from orbit_pg.interrupts import PAUSE
from orbit_pg.session import Session
from orbit_pg.sql import query
from orbit_pg.sql.executor import Executor
from orbit_pg.sql.grammar import parse
from orbit_pg.storage.lmdb_store import ActorStore, LmdbSnapshot


@pytest.fixture
def executor(tmp_path: Path) -> Iterator[Executor]:
    store = ActorStore(str(tmp_path))
    executor = Executor(store, Session("orbit", "actors", {}))
    rows = ", ".join(f"('user:{i}', 'user', '{{\"n\": {i}}}')" for i in range(10))
    run(
        executor,
        f"INSERT INTO actors VALUES {rows}, ('team:a', 'team', '{{\"owner\": \"user:1\"}}'), ('bot:1', 'bot', NULL)",
    )
    yield executor
    store.close()


def run(executor: Executor, sql: str) -> list[tuple]:
    (stmt,) = parse(sql)
    result = executor.execute(stmt)
    rows = [tuple(row) for row in result.rows]
    executor.end_of_query()
    executor.commit_now()
    return rows


def plan(executor: Executor, sql: str) -> list[str]:
    return [line for (line,) in run(executor, "EXPLAIN " + sql)]


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        ("SELECT * FROM actors WHERE actor_id = 'user:1'", ["Index Lookup on actors (actor_id = 'user:1')"]),
        (
            "SELECT * FROM actors a WHERE a.actor_id = 'user:2' OR a.actor_id = 'user:1'",
            ["Index Lookup on actors a (actor_id = ANY ('{'user:2', 'user:1'}'))"],
        ),
        ("SELECT * FROM actors WHERE actor_id >= 'user:3'", ["Range Scan on actors (actor_id >= 'user:3')"]),
        (
            "SELECT * FROM actors WHERE actor_id IN ('user:1', 'bot:1')",
            ["Index Lookup on actors (actor_id = ANY ('{'user:1', 'bot:1'}'))"],
        ),
        (
            "SELECT * FROM actors WHERE actor_id BETWEEN 'b' AND 'c'",
            ["Range Scan on actors (actor_id >= 'b' AND actor_id <= 'c')"],
        ),
        (
            "SELECT * FROM actors WHERE actor_id LIKE 'user:1%' AND actor_type = 'user'",
            ["Range Scan on actors (actor_id ^@ 'user:1')"],
        ),
        (
            "SELECT * FROM actors WHERE actor_type IN ('bot', 'team')",
            ["Index Scan using actors_actor_type_idx on actors (actor_type = 'bot', 'team')"],
        ),
        (
            "SELECT * FROM actors WHERE actor_id > 'b' AND actor_id <= 'u'",
            ["Range Scan on actors (actor_id >= 'b' AND actor_id <= 'u')"],
        ),
        (
            "SELECT * FROM actors WHERE actor_type = 'user'",
            ["Index Scan using actors_actor_type_idx on actors (actor_type = 'user')"],
        ),
        ("SELECT * FROM actors WHERE state->>'n' = '1'", ["Seq Scan on actors"]),
        (
            "SELECT * FROM actors ORDER BY state->>'n' LIMIT 3",
            ["Limit", "  ->  Top-N Sort", "        ->  Seq Scan on actors"],
        ),
        # Key order: no sort at all.
        ("SELECT * FROM actors ORDER BY actor_id LIMIT 3", ["Limit", "  ->  Seq Scan on actors"]),
        (
            "SELECT actor_type, count(*) FROM actors GROUP BY actor_type",
            ["HashAggregate", "  ->  Seq Scan on actors"],
        ),
        ("SELECT count(*) FROM actors", ["Aggregate", "  ->  Seq Scan on actors"]),
        (
            "SELECT * FROM actors a JOIN actors b ON b.actor_id = a.state->>'owner' WHERE a.actor_type = 'team'",
            [
                "Hash Join",
                "  ->  Index Scan using actors_actor_type_idx on actors a (actor_type = 'team')",
                "  ->  Hash",
                "        ->  Seq Scan on actors b",
            ],
        ),
        (
            "SELECT * FROM actors a LEFT JOIN actors b ON b.actor_id > a.actor_id",
            ["Nested Loop Left Join", "  ->  Seq Scan on actors a", "  ->  Seq Scan on actors b"],
        ),
    ],
)
def test_explain_names_the_access_path(executor: Executor, sql: str, expected: list[str]) -> None:
    assert plan(executor, sql) == expected


def test_key_lookups_and_ranges_read_no_more_than_they_must(
    executor: Executor, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_scan(self: LmdbSnapshot) -> None:
        raise AssertionError("full scan")

    monkeypatch.setattr(LmdbSnapshot, "scan", no_scan)
    assert run(executor, "SELECT actor_id FROM actors WHERE actor_id = 'user:2' OR actor_id = 'nope'") == [("user:2",)]
    assert run(executor, "SELECT actor_id FROM actors WHERE actor_id > 'user:7'") == [("user:8",), ("user:9",)]
    assert run(executor, "SELECT actor_id FROM actors WHERE actor_id < 'c' AND actor_id >= NULL") == []
    assert run(executor, "SELECT actor_id FROM actors WHERE 'team:a' >= actor_id") == [("bot:1",), ("team:a",)]
    assert run(executor, "SELECT actor_id FROM actors WHERE actor_id LIKE 'user:_'") == [
        (f"user:{i}",) for i in range(10)
    ]
    assert run(executor, "SELECT actor_id FROM actors WHERE actor_id IN ('user:3', 'x')") == [("user:3",)]


def test_a_range_scan_sees_the_transactions_own_writes(executor: Executor) -> None:
    run(executor, "BEGIN")
    run(executor, "INSERT INTO actors VALUES ('user:55', 'user', NULL)")
    run(executor, "DELETE FROM actors WHERE actor_id = 'user:6'")
    found = run(executor, "SELECT actor_id FROM actors WHERE actor_id >= 'user:5' AND actor_id <= 'user:7'")
    assert found == [("user:5",), ("user:55",), ("user:7",)]


def test_top_n_keeps_only_n_rows(executor: Executor) -> None:
    rows = run(
        executor, "SELECT actor_id FROM actors WHERE actor_type = 'user' ORDER BY state->>'n' DESC LIMIT 2 OFFSET 1"
    )
    assert rows == [("user:8",), ("user:7",)]


@pytest.fixture
def pg_things() -> Iterator[catalog.CatalogTable]:
    """A small catalog relation registered for one test, as the catalog package registers its own."""

    def rows(ctx: object) -> list[tuple[str, int]]:
        return [("one", 1), ("two", 2), ("user:1", 3)]

    table = catalog.register(
        catalog.CatalogTable("pg_catalog", "pg_things", 99999, (("thing", types.TEXT), ("n", types.INT4)), rows)
    )
    yield table
    del catalog.TABLES[("pg_catalog", "pg_things")]


def test_catalog_tables_are_relations(executor: Executor, pg_things: catalog.CatalogTable) -> None:
    assert run(executor, "SELECT thing FROM pg_things WHERE n >= 2 ORDER BY n DESC") == [("user:1",), ("two",)]
    assert run(executor, "SELECT t.n FROM pg_catalog.pg_things t WHERE t.thing = 'one'") == [(1,)]
    joined = run(executor, "SELECT a.actor_type, t.n FROM actors a JOIN pg_things t ON t.thing = a.actor_id")
    assert joined == [("user", 3)]
    assert run(executor, "SELECT count(*), sum(n) FROM pg_things") == [(3, 6)]
    assert plan(executor, "SELECT * FROM pg_things") == ["Seq Scan on pg_things"]
    with pytest.raises(errors.PgError, match='relation "public.pg_things" does not exist'):
        run(executor, "SELECT * FROM public.pg_things")


def test_blocking_stages_give_the_reactor_turns(executor: Executor, monkeypatch: pytest.MonkeyPatch) -> None:
    """A top-level sort or grouping yields PAUSE while it reads (the protocol then serves
    other connections); the rows themselves are unchanged, and a subquery's rows hold no PAUSE."""
    rows = ", ".join(f"('many:{i:05d}', 'many', '{{\"n\": {i % 7}}}')" for i in range(5000))
    run(executor, f"INSERT INTO actors VALUES {rows}")
    monkeypatch.setattr(query, "TURN_BUDGET", 0.0)
    for sql, expected in [
        (
            "SELECT actor_id FROM actors WHERE actor_type = 'many' ORDER BY actor_id DESC LIMIT 2",
            [("many:04999",), ("many:04998",)],
        ),
        (
            "SELECT state->>'n', count(*) FROM actors WHERE actor_type = 'many' GROUP BY 1 ORDER BY 1 LIMIT 1",
            [("0", 715)],
        ),
        ("SELECT count(*) FROM (SELECT DISTINCT actor_id FROM actors) s", [(5012,)]),
    ]:
        (stmt,) = parse(sql)
        result = list(executor.execute(stmt).rows)
        executor.end_of_query()
        pending = [row for row in result if row is PAUSE]
        assert [tuple(row) for row in result if row is not PAUSE] == expected
        assert pending
