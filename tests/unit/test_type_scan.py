"""The type-index plan (``WHERE actor_type = v [ORDER BY actor_id] LIMIT n [OFFSET m]``) is chosen
from the analysed query alone, and answers byte for byte as the general path (the same query with
a no-op condition more) wherever the two could differ: a transaction's own writes (type changes,
deletes, a spilled write set), rows still in the write-ahead log's layers, REPEATABLE READ
snapshots held across checkpoints, LIMIT 0 / ALL / NULL / past the read-at-once bound, OFFSET,
parameters, cursors."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from protocol_harness import SYNC, Connection, assert_error, make_factory, query, types
from test_extended_protocol import bind, describe_portal, execute, parse
from test_point_lookup import rows_of

from orbit_pg.protocol import PostgresServerFactory
from orbit_pg.sql import ast
from orbit_pg.sql import query as query_engine
from orbit_pg.sql.executor import Executor
from orbit_pg.sql.expressions import Params
from orbit_pg.sql.grammar import parse as parse_sql
from orbit_pg.storage import writeset
from orbit_pg.storage.layered import LayeredStore

LEAN = "_first_of_type.<locals>.first_of_type"
TYPES = ["t0", "t1", "", "absent"]
# (targets, ORDER BY, LIMIT, OFFSET): whole rows, a projection in key order, more than there are.
SHAPES = [
    ("*", "", "3", ""),
    ("actor_id, state", " ORDER BY actor_id", "2", " OFFSET 1"),
    ("state->>'n'", "", "50", ""),
]


def texts(actor_type: str, targets: str, order: str, limit: str, offset: str) -> tuple[str, str]:
    """The query the type-index plan answers, and the same query through the general path."""
    where = f"actor_type = '{actor_type}'"
    lean = f"SELECT {targets} FROM actors WHERE {where}{order} LIMIT {limit}{offset}"
    general = f"SELECT {targets} FROM actors WHERE {where} AND actor_id IS NOT NULL{order} LIMIT {limit}{offset}"
    return lean, general


def test_the_plan_is_chosen_from_the_analysed_query() -> None:
    for text, chosen in [
        ("SELECT * FROM actors WHERE actor_type = 't' LIMIT 10", True),
        ("SELECT actor_id, state->>'n' FROM actors WHERE actor_type = 't' ORDER BY actor_id LIMIT 10", True),
        ("SELECT * FROM actors a WHERE 't' = a.actor_type LIMIT $1 OFFSET 2", True),
        ("SELECT * FROM actors WHERE actor_type = 'type:' || $1 LIMIT 10", True),
        ("SELECT * FROM actors WHERE actor_type = $1::varchar LIMIT 5", True),
        ("SELECT * FROM actors WHERE actor_type = 't'", False),
        ("SELECT * FROM actors WHERE actor_type = 't' LIMIT ALL", False),
        ("SELECT * FROM actors WHERE actor_type = 't' OFFSET 1", False),
        ("SELECT * FROM actors WHERE actor_type = 't' ORDER BY actor_id DESC LIMIT 10", False),
        ("SELECT * FROM actors WHERE actor_type = 't' ORDER BY state LIMIT 10", False),
        ("SELECT * FROM actors WHERE actor_type = 't' AND state IS NULL LIMIT 10", False),
        ("SELECT * FROM actors WHERE actor_type IN ('t', 'u') LIMIT 10", False),
        ("SELECT * FROM actors WHERE actor_type = 't '::bpchar LIMIT 10", False),
        ("SELECT * FROM actors WHERE actor_type = actor_id LIMIT 10", False),
        ("SELECT * FROM actors WHERE actor_type = 't' LIMIT 10 FOR UPDATE", False),
        ("SELECT DISTINCT state FROM actors WHERE actor_type = 't' LIMIT 10", False),
        ("SELECT count(*) FROM actors WHERE actor_type = 't' LIMIT 10", False),
        ("SELECT generate_series(1, 2) FROM actors WHERE actor_type = 't' LIMIT 10", False),
        ("SELECT * FROM actors WHERE actor_id = 't' LIMIT 10", False),
        ("SELECT * FROM actors a JOIN actors b USING (actor_id) WHERE a.actor_type = 't' LIMIT 10", False),
    ]:
        (stmt,) = parse_sql(text)
        assert isinstance(stmt, ast.SelectStmt)
        plan = query_engine.analyze(stmt, Params([]))
        assert (plan.produce.__qualname__ == LEAN) is chosen, text


@pytest.fixture
def layered() -> Iterator[tuple[LayeredStore, PostgresServerFactory]]:
    """The store the server runs, checkpointing only when a test says so."""
    with tempfile.TemporaryDirectory() as path:
        store = LayeredStore(path, checkpoint_interval=3600)
        yield store, make_factory(store)
        store.close()


@pytest.fixture
def used(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The row counts the type-index plan read (so a test knows it ran)."""
    counts: list[int] = []
    original = Executor.first_of_type

    def spy(self: Executor, actor_type: str, count: int) -> list:
        counts.append(count)
        return original(self, actor_type, count)

    monkeypatch.setattr(Executor, "first_of_type", spy)
    return counts


def connect(factory: PostgresServerFactory) -> Connection:
    conn = Connection(factory)
    conn.start()
    return conn


def assert_same(conn: Connection) -> None:
    for actor_type in TYPES:
        for shape in SHAPES:
            lean, general = texts(actor_type, *shape)
            assert conn.send_raw(query(lean)) == conn.send_raw(query(general)), lean


IDS = [f"k{i}" for i in range(6)] + ["", "kë"]
upsert = st.builds(
    lambda key, actor_type, n: (
        f"DELETE FROM actors WHERE actor_id = '{key}'; INSERT INTO actors VALUES ('{key}', '{actor_type}', "
        + ("NULL" if n is None else f"'{{\"n\": {n}}}'")
        + ")"
    ),
    st.sampled_from(IDS),
    st.sampled_from(TYPES[:3]),
    st.one_of(st.none(), st.integers(0, 9)),
)
retype = st.builds(
    lambda key, actor_type: f"UPDATE actors SET actor_type = '{actor_type}' WHERE actor_id = '{key}'",
    st.sampled_from(IDS),
    st.sampled_from(TYPES[:3]),
)
delete = st.builds(lambda key: f"DELETE FROM actors WHERE actor_id = '{key}'", st.sampled_from(IDS))
step = st.one_of(
    st.tuples(st.just("write"), st.one_of(upsert, retype, delete)),
    st.tuples(st.just("mine"), st.one_of(upsert, retype, delete)),
    st.tuples(st.just("begin"), st.sampled_from(["BEGIN", "BEGIN ISOLATION LEVEL REPEATABLE READ"])),
    st.tuples(st.just("end"), st.sampled_from(["COMMIT", "ROLLBACK"])),
    st.tuples(st.just("checkpoint"), st.none()),
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(step, max_size=25), spill_rows=st.sampled_from([writeset.SPILL_ROWS, 2]))
def test_the_type_index_plan_answers_as_the_general_path(
    monkeypatch: pytest.MonkeyPatch, used: list[int], steps: list[tuple[str, str | None]], spill_rows: int
) -> None:
    """Two connections: ``mine`` writes in its transaction blocks (whose write set may spill),
    ``other`` commits writes beside it; the layers are checkpointed now and then."""
    monkeypatch.setattr(writeset, "SPILL_ROWS", spill_rows)
    with tempfile.TemporaryDirectory() as path:
        store = LayeredStore(path, checkpoint_interval=3600)
        factory = make_factory(store)
        mine, other = connect(factory), connect(factory)
        other.send(query("INSERT INTO actors VALUES ('a', 't0', '{}'), ('b', 't0', NULL), ('c', 't1', '[]')"))
        store.checkpoint()
        assert_same(mine)
        in_block = False
        for kind, sql in steps:
            if kind == "write":
                # Outside the ids ``mine`` writes, so that neither waits for the other's row locks.
                assert sql is not None
                other.send(query(sql.replace("'k", "'o")))
            elif kind == "mine":
                assert sql is not None
                assert types(mine.send(query(sql)))[-1] == "Z"
            elif kind == "begin" and not in_block:
                mine.send(query(str(sql)))
                in_block = True
            elif kind == "end" and in_block:
                mine.send(query(str(sql)))
                in_block = False
            elif kind == "checkpoint":
                store.checkpoint()
            assert_same(mine)
            assert_same(other)
        store.close()
    assert used


def test_limits_and_offsets(layered: tuple[LayeredStore, PostgresServerFactory], used: list[int]) -> None:
    """LIMIT 0, NULL and ALL, a negative LIMIT or OFFSET, and OFFSET + LIMIT past the rows read at
    once (those stream through the general path), each as the general path answers."""
    _, factory = layered
    conn = connect(factory)
    values = ", ".join(f"('k{i:04}', 't', '{{\"n\": {i}}}')" for i in range(query_engine.FIRST_OF_TYPE_ROWS + 5))
    conn.send(query(f"INSERT INTO actors VALUES {values}"))
    for limit, offset in [
        ("0", ""),
        ("NULL", ""),
        ("ALL", ""),
        ("1", " OFFSET 0"),
        ("5", " OFFSET 3"),
        ("2", f" OFFSET {query_engine.FIRST_OF_TYPE_ROWS - 2}"),
        ("3", f" OFFSET {query_engine.FIRST_OF_TYPE_ROWS - 2}"),
        (str(query_engine.FIRST_OF_TYPE_ROWS + 10), ""),
        ("-1", ""),
        ("1", " OFFSET -1"),
    ]:
        lean, general = texts("t", "actor_id", "", limit, offset)
        assert conn.send_raw(query(lean)) == conn.send_raw(query(general)), lean
    assert used == [1, 8, query_engine.FIRST_OF_TYPE_ROWS]
    assert assert_error(conn.send(query(texts("t", "*", "", "-1", "")[0]))[0], "2201W")


def test_different_limits_share_one_plan_and_each_gets_its_rows(
    layered: tuple[LayeredStore, PostgresServerFactory], used: list[int]
) -> None:
    _, factory = layered
    conn = connect(factory)
    conn.send(query("INSERT INTO actors VALUES ('a', 't', '{}'), ('b', 't', '{}'), ('c', 't', '{}')"))
    cache = factory.statement_cache
    misses = cache.plan_misses
    for limit in (2, 3, 1, 0, 5):
        got = rows_of(conn.send(query(f"SELECT actor_id FROM actors WHERE actor_type = 't' LIMIT {limit}")))
        assert got == [[key] for key in (b"a", b"b", b"c")[:limit]]
    assert cache.plan_misses == misses + 1  # LIMIT's value is a slot read at each run, not part of the key
    # Parameters: the type built from one, the LIMIT another.
    conn.send(parse("SELECT actor_id FROM actors WHERE actor_type = 't' || $1 LIMIT $2", "typed") + SYNC)
    for suffix, limit, expected in [(b"", b"2", [[b"a"], [b"b"]]), (b"x", b"2", []), (None, b"2", []), (b"", None, 3)]:
        replies = conn.send(bind("typed", [suffix, limit]) + describe_portal() + execute() + SYNC)
        assert types(replies)[-1] == "Z"
        assert (len(rows_of(replies)) if isinstance(expected, int) else rows_of(replies)) == expected
    assert used == [2, 3, 1, 5, 2, 2]


def test_cursors_fetch_as_the_general_path(
    layered: tuple[LayeredStore, PostgresServerFactory], used: list[int]
) -> None:
    """A cursor over the plan reads the writes and snapshot of its DECLARE, however later
    writes in its transaction change the type's rows."""
    _, factory = layered
    conn = connect(factory)
    conn.send(query("INSERT INTO actors VALUES ('a', 't', '{}'), ('b', 't', '{}'), ('c', 'u', '{}')"))
    lean, general = texts("t", "*", "", "3", "")
    conn.send(query(f"BEGIN; UPDATE actors SET actor_type = 't' WHERE actor_id = 'c'; DECLARE l CURSOR FOR {lean}"))
    conn.send(query(f"DECLARE g CURSOR FOR {general}; DELETE FROM actors WHERE actor_id = 'a'"))
    assert conn.send_raw(query("FETCH 2 FROM l")) == conn.send_raw(query("FETCH 2 FROM g"))
    assert conn.send_raw(query("FETCH ALL FROM l")) == conn.send_raw(query("FETCH ALL FROM g"))
    assert rows_of(conn.send(query(f"{lean}"))) == [[b"b", b"t", b"{}"], [b"c", b"t", b"{}"]]
    conn.send(query("COMMIT"))
    assert used
