"""The statement cache: texts that differ only in literals share one parse and one plan,
each runs with its own values, and the cache stays within its bound."""

from __future__ import annotations

from pathlib import Path

import pytest

from orbit_pg import errors
from orbit_pg.session import Session
from orbit_pg.sql import cache
from orbit_pg.sql.cache import StatementCache
from orbit_pg.sql.executor import Executor
from orbit_pg.storage.lmdb_store import ActorStore


@pytest.fixture
def executor(tmp_path: Path) -> Executor:
    store = ActorStore(str(tmp_path))
    executor = Executor(store, Session("orbit", "actors", {}))
    rows = ", ".join(f"('a:{i}', '{'even' if i % 2 == 0 else 'odd'}', '{{\"n\": {i}}}')" for i in range(6))
    run(StatementCache(), executor, f"INSERT INTO actors VALUES {rows}")
    yield executor
    store.close()


def run(statements: StatementCache, executor: Executor, text: str) -> list[tuple[str, list[list]]]:
    parsed = statements.parse(text)
    results = []
    for index in range(len(parsed.statements)):
        plan, literals = statements.plan(parsed, index, executor)
        result = executor.run(plan, (), literals)
        results.append((result.tag, [list(row) for row in result.rows]))
    executor.end_of_query()
    executor.commit_now()
    return results


def test_literals_share_one_parse_and_plan_and_return_their_own_rows(executor: Executor) -> None:
    statements = StatementCache()
    for i in range(6):
        rows = run(statements, executor, f"SELECT actor_id FROM actors WHERE actor_id = 'a:{i}'")
        assert rows == [("SELECT", [[f"a:{i}"]])]
    assert (statements.hits, statements.misses) == (5, 1)
    assert (statements.plan_hits, statements.plan_misses) == (5, 1)
    # Comments and white space do not make another shape.
    run(statements, executor, "SELECT actor_id   FROM actors /* x */ WHERE actor_id = 'a:1' -- y")
    assert statements.misses == 1


def test_a_repeated_text_reuses_its_bound_literals(executor: Executor, monkeypatch: pytest.MonkeyPatch) -> None:
    """A driver's Parse of the same text again: the kept plan and the literal values already
    bound to it (a jsonb literal's input function does not run again), counted as a plan hit;
    each run still writes and reads its own rows."""
    statements = StatementCache()
    text = "INSERT INTO actors (actor_id, actor_type, state) VALUES ($1, 'new', '{\"b\": 1}')"
    parsed = statements.parse(text)
    first = statements.plan(parsed, 0, executor, [])  # (a Parse that declares no parameter types)
    calls = []
    monkeypatch.setattr(cache, "bind_literals", lambda *args: calls.append(args) or [])
    again = statements.plan(statements.parse(text), 0, executor, [])
    assert again is first and calls == []
    monkeypatch.undo()
    assert (statements.plan_hits, statements.plan_misses) == (1, 1)
    plan, literals = again
    for key in ("n:1", "n:2"):
        executor.run(plan, (key,), literals)
        executor.end_of_query()
        executor.commit_now()
    assert run(statements, executor, "SELECT actor_id, state FROM actors WHERE actor_type = 'new'") == [
        ("SELECT", [["n:1", b'{"b": 1}'], ["n:2", b'{"b": 1}']])
    ]


def test_order_by_position_and_limit_stay_correct(executor: Executor) -> None:
    statements = StatementCache()
    by_id = run(statements, executor, "SELECT actor_id, actor_type FROM actors ORDER BY 1 DESC LIMIT 2")
    by_type = run(statements, executor, "SELECT actor_id, actor_type FROM actors ORDER BY 2 DESC LIMIT 3")
    assert by_id == [("SELECT", [["a:5", "odd"], ["a:4", "even"]])]
    assert by_type == [("SELECT", [["a:1", "odd"], ["a:3", "odd"], ["a:5", "odd"]])]
    assert statements.misses == 1 and statements.plan_misses == 2  # one parse, a plan per ORDER BY position


def test_casts_and_literal_types_stay_correct(executor: Executor) -> None:
    statements = StatementCache()
    assert run(statements, executor, "SELECT '7'::int + 1, 2147483647") == [("SELECT", [[8, 2147483647]])]
    assert run(statements, executor, "SELECT '8'::int + 1, 2") == [("SELECT", [[9, 2]])]
    # A bigger integer is another type, hence another shape.
    assert run(statements, executor, "SELECT '8'::int + 1, 2147483648") == [("SELECT", [[9, 2147483648]])]
    assert statements.misses == 2
    with pytest.raises(errors.PgError) as info:
        run(statements, executor, "SELECT 'nine'::int + 1, 2")
    assert (info.value.sqlstate, info.value.position) == ("22P02", 8)


def test_writes_and_settings_use_their_own_values(executor: Executor) -> None:
    statements = StatementCache()
    for i in range(3):
        run(statements, executor, f"UPDATE actors SET state = '{{\"v\": {i}}}' WHERE actor_type = 'even'")
        assert run(statements, executor, "SELECT state FROM actors WHERE actor_id = 'a:0'") == [
            ("SELECT", [[f'{{"v": {i}}}'.encode()]])
        ]
    run(statements, executor, "SET application_name = 'one'")
    run(statements, executor, "SET application_name = 'two'")
    assert executor.session.show("application_name") == "two"


def test_bounded_under_many_distinct_shapes(executor: Executor) -> None:
    statements = StatementCache(capacity=100)
    for n in range(2000):
        statements.parse(f"SELECT {n} AS c{n}")
    assert len(statements) == 100


def test_errors_and_long_texts_are_not_kept() -> None:
    statements = StatementCache()
    for _ in range(2):
        with pytest.raises(errors.PgError):
            statements.parse("SELEC 1")
    statements.parse("SELECT 1" + " " * cache.MAX_CACHED_TEXT)
    assert len(statements) == 0 and statements.misses == 3


def test_bulk_inserts_of_one_shape_share_a_parse(executor: Executor) -> None:
    statements = StatementCache()
    for batch in range(3):
        values = ", ".join(f"('bulk:{batch}:{i}', 'bulk', '{{\"i\": {i}}}')" for i in range(300))
        text = f"INSERT INTO actors VALUES {values}"
        assert len(text) > cache.SMALL_TEXT
        assert run(statements, executor, text) == [("INSERT 0 300", [])]
    assert (statements.hits, statements.misses) == (2, 1)
    rows = run(statements, executor, "SELECT state FROM actors WHERE actor_id = 'bulk:2:299'")
    assert rows == [("SELECT", [[b'{"i": 299}']])]
