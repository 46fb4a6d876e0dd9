"""Writes through the drivers' extended protocol, with parameters: RETURNING, ON CONFLICT upserts,
UPDATE ... FROM / DELETE ... USING, and statement atomicity, on orbit-pg and PostgreSQL 15."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest
from drivers import Server, asyncpg_connect, connect, seed, table
from psycopg import errors as pg_errors
from psycopg.types.json import Jsonb

TEXT, INT4, JSONB = 25, 23, 3802

UPSERT = (
    "INSERT INTO actors (actor_id, actor_type, state) VALUES (%s, %s, %s) "
    "ON CONFLICT (actor_id) DO UPDATE SET state = actors.state || EXCLUDED.state "
    "RETURNING actor_id, state, (state->>'visits')::int AS visits"
)


@pytest.mark.parametrize("prepare", [False, True], ids=["unnamed", "prepared"])
def test_psycopg_upsert_returning(server: Server, prepare: bool) -> None:
    with connect(server) as conn:
        cur = conn.execute(UPSERT, ["user:1", "user", Jsonb({"visits": 1})], prepare=prepare)
        assert [(d.name, d.type_code) for d in cur.description] == [
            ("actor_id", TEXT),
            ("state", JSONB),
            ("visits", INT4),
        ]
        assert (cur.fetchall(), cur.statusmessage) == ([("user:1", {"visits": 1}, 1)], "INSERT 0 1")
        cur = conn.execute(UPSERT, ["user:1", "user", Jsonb({"visits": 2, "vip": True})], prepare=prepare)
        assert (cur.fetchall(), cur.statusmessage) == ([("user:1", {"vip": True, "visits": 2}, 2)], "INSERT 0 1")

        cur = conn.execute(
            "INSERT INTO actors VALUES (%s, %s, %s) ON CONFLICT DO NOTHING RETURNING *",
            ["user:1", "user", Jsonb({})],
            prepare=prepare,
        )
        assert (cur.fetchall(), cur.statusmessage, cur.rowcount) == ([], "INSERT 0 0", 0)
    assert table(server) == [("user:1", "user", '{"vip": true, "visits": 2}')]


def test_psycopg_executemany_returning(server: Server) -> None:
    with connect(server) as conn:
        cur = conn.cursor()
        cur.executemany(
            "INSERT INTO actors VALUES (%s, 'item', %s) ON CONFLICT (actor_id) DO UPDATE "
            "SET state = EXCLUDED.state WHERE actors.state <> EXCLUDED.state RETURNING actor_id, state",
            [(f"item:{i % 3}", Jsonb({"n": i})) for i in range(5)],
            returning=True,
        )
        results = []
        while True:
            results.append((cur.statusmessage, cur.fetchall()))
            if not cur.nextset():
                break
        assert results == [
            ("INSERT 0 1", [("item:0", {"n": 0})]),
            ("INSERT 0 1", [("item:1", {"n": 1})]),
            ("INSERT 0 1", [("item:2", {"n": 2})]),
            ("INSERT 0 1", [("item:0", {"n": 3})]),
            ("INSERT 0 1", [("item:1", {"n": 4})]),
        ]


def test_psycopg_update_delete_returning_with_parameters(server: Server) -> None:
    seed(
        server,
        [
            ("acct:1", "account", '{"owner": "person:1", "balance": 10}'),
            ("acct:2", "account", '{"owner": "person:2", "balance": 20}'),
            ("person:1", "person", '{"bonus": 5}'),
            ("person:2", "person", '{"bonus": 7}'),
        ],
    )
    with connect(server) as conn:
        cur = conn.execute(
            "UPDATE actors SET state = jsonb_set(state, '{balance}', to_jsonb((state->>'balance')::int + %s)) "
            "WHERE actor_id = %s RETURNING actor_id, state->'balance' AS balance",
            [100, "acct:1"],
        )
        assert (cur.fetchall(), cur.statusmessage) == ([("acct:1", 110)], "UPDATE 1")
        cur = conn.execute(
            "UPDATE actors a SET state = a.state || jsonb_build_object('bonus', p.state->'bonus') "
            "FROM actors p WHERE p.actor_id = a.state->>'owner' AND p.actor_id = %s RETURNING a.actor_id, p.actor_id",
            ["person:2"],
        )
        assert (cur.fetchall(), cur.statusmessage) == ([("acct:2", "person:2")], "UPDATE 1")
        cur = conn.execute(
            "DELETE FROM actors a USING actors p WHERE a.state->>'owner' = p.actor_id AND p.state->>'bonus' = %s "
            "RETURNING a.*",
            ["5"],
        )
        assert [d.name for d in cur.description] == ["actor_id", "actor_type", "state"]
        assert (cur.fetchall(), cur.statusmessage) == (
            [("acct:1", "account", {"owner": "person:1", "balance": 110})],
            "DELETE 1",
        )
    assert table(server) == [
        ("acct:2", "account", '{"bonus": 7, "owner": "person:2", "balance": 20}'),
        ("person:1", "person", '{"bonus": 5}'),
        ("person:2", "person", '{"bonus": 7}'),
    ]


def test_failing_row_writes_nothing(server: Server) -> None:
    """A cast error in the 500th row of a multi-row INSERT: none of its rows is written."""
    rows = [f"('bulk:{i}', 'bulk', '{{\"i\": {i}}}')" for i in range(1000)]
    rows[499] = "('bulk:499', 'bulk', 'not json')"
    with connect(server) as conn:
        with pytest.raises(pg_errors.InvalidTextRepresentation):
            conn.execute("INSERT INTO actors VALUES " + ", ".join(rows))
        rows[499] = "('bulk:0', 'bulk', '{}')"
        with pytest.raises(pg_errors.UniqueViolation) as caught:
            conn.execute("INSERT INTO actors VALUES " + ", ".join(rows))
        assert caught.value.diag.message_detail == "Key (actor_id)=(bulk:0) already exists."
        with pytest.raises(pg_errors.NotNullViolation):
            conn.execute("INSERT INTO actors VALUES ('ok:1', 'ok', NULL), ('ok:2', NULL, NULL)")
    assert table(server) == []


def test_failed_statement_aborts_the_transaction(server: Server) -> None:
    with connect(server, autocommit=False) as conn:
        conn.execute("INSERT INTO actors VALUES (%s, 'txn', '{}'), (%s, 'txn', '{}')", ["t:1", "t:2"])
        with pytest.raises(pg_errors.UniqueViolation):
            conn.execute("INSERT INTO actors VALUES ('t:3', 'txn', '{}'), ('t:1', 'txn', '{}')")
        with pytest.raises(pg_errors.InFailedSqlTransaction):
            conn.execute("SELECT * FROM actors")
        conn.rollback()
        assert conn.execute("SELECT * FROM actors").fetchall() == []
        conn.execute("INSERT INTO actors VALUES ('t:4', 'txn', '{}')")
        conn.commit()
    assert table(server) == [("t:4", "txn", "{}")]


def test_asyncpg_upserts_and_returning(server: Server) -> None:
    async def scenario() -> None:
        conn = await asyncpg_connect(server)
        try:
            upsert = (
                "INSERT INTO actors VALUES ($1, $2, $3) ON CONFLICT (actor_id) DO UPDATE "
                "SET state = jsonb_set(actors.state, '{n}', to_jsonb((actors.state->>'n')::int + $4)) "
                "RETURNING actor_id, (state->>'n')::int AS n"
            )
            row = await conn.fetchrow(upsert, "counter:1", "counter", '{"n": 1}', 1)
            assert (row["actor_id"], row["n"]) == ("counter:1", 1)
            row = await conn.fetchrow(upsert, "counter:1", "counter", '{"n": 1}', 5)
            assert (row["actor_id"], row["n"]) == ("counter:1", 6)
            # executemany: one Sync for all, all or nothing.
            await conn.executemany(upsert, [(f"counter:{i % 2}", "counter", '{"n": 1}', 10) for i in range(4)])
            rows = await conn.fetch("SELECT actor_id, state->>'n' FROM actors ORDER BY actor_id")
            assert [tuple(r) for r in rows] == [("counter:0", "11"), ("counter:1", "26")]
            with pytest.raises(asyncpg.CardinalityViolationError) as caught:
                await conn.execute(
                    "INSERT INTO actors VALUES ($1, 'c', '{}'), ($1, 'c', '{}') "
                    "ON CONFLICT (actor_id) DO UPDATE SET state = EXCLUDED.state",
                    "counter:9",
                )
            assert caught.value.hint.startswith("Ensure that no rows proposed for insertion")
            status = await conn.execute("DELETE FROM actors WHERE actor_type = $1", "counter")
            assert status == "DELETE 2"
            rows = await conn.fetch(
                "INSERT INTO actors SELECT $1::text || actor_id, 'copy', state FROM actors WHERE actor_type = 'none' "
                "RETURNING *",
                "x",
            )
            assert rows == []
            rows = await conn.fetch("DELETE FROM actors RETURNING actor_id")
            assert rows == []
        finally:
            await asyncio.wait_for(conn.close(), 5)

    asyncio.run(asyncio.wait_for(scenario(), 60))


def test_returning_row_description_names_the_table_columns(server: Server) -> None:
    """As PostgreSQL's: plain columns carry the table's OID and attribute number, expressions zeros."""
    with connect(server) as conn:
        oid = conn.execute("SELECT 'actors'::regclass::oid").fetchone()[0] if server.kind == "postgres" else 16384
        cur = conn.execute(
            "INSERT INTO actors VALUES (%s, 't', '{}') RETURNING *, actor_id AS x, state->'a', 1", ["rd:1"]
        )
        result = cur.pgresult
        assert result is not None
        assert [(result.ftable(i), result.ftablecol(i), result.ftype(i)) for i in range(result.nfields)] == [
            (oid, 1, TEXT),
            (oid, 2, TEXT),
            (oid, 3, JSONB),
            (oid, 1, TEXT),
            (0, 0, JSONB),
            (0, 0, INT4),
        ]
