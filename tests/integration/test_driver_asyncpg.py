"""asyncpg: named statements, binary parameters and binary results, on orbit-pg and PostgreSQL 15.

What asyncpg sends (seen on PostgreSQL 15): every query is first Parse (a named ``__asyncpg_stmt_N__``,
no parameter types) + Describe statement + Sync, so the server's ParameterDescription and
RowDescription decide how it encodes parameters; then Bind (binary parameters, binary results for
every built-in type, jsonb included) + Execute + Sync, again and again from its statement cache.
The Parse/Describe group ends with Flush, not Sync: the server must send what it has on Flush.
``fetchrow``/``fetchval`` Execute with a row limit of 1 (PortalSuspended when more rows remain).
``executemany`` sends all its Bind/Execute pairs before one Sync and relies on the implicit
transaction up to that Sync to be all or nothing.
"""

from __future__ import annotations

import asyncio
import datetime
import json
import uuid
from collections.abc import Awaitable, Callable
from decimal import Decimal
from typing import Any, TypeVar

import asyncpg
import pytest
from drivers import Server, asyncpg_connect, new_id, seed, table

T = TypeVar("T")

SELECT_ONE = "SELECT actor_id, actor_type, state FROM actors WHERE actor_id = $1"
INSERT = "INSERT INTO actors (actor_id, actor_type, state) VALUES ($1, $2, $3)"


def run(server: Server, scenario: Callable[[asyncpg.Connection], Awaitable[T]], timeout: float = 60.0) -> T:
    """Connect, run ``scenario(conn)`` and close, all within ``timeout`` seconds."""

    async def main() -> T:
        conn = await asyncpg_connect(server)
        try:
            return await scenario(conn)
        finally:
            await asyncio.wait_for(conn.close(), 5)

    return asyncio.run(asyncio.wait_for(main(), timeout))


def test_fetch_fetchrow_fetchval_execute(server: Server) -> None:
    seed(server, [("user:1", "user", '{"a": 1}'), ("user:2", "user", None), ("bot:1", "bot", "[]")])

    async def scenario(conn: asyncpg.Connection) -> None:
        row = await conn.fetchrow(SELECT_ONE, "user:1")
        assert row is not None
        assert list(row.keys()) == ["actor_id", "actor_type", "state"]
        # Without a codec asyncpg gives jsonb as its text (decoded from the binary form).
        assert tuple(row) == ("user:1", "user", '{"a": 1}')
        assert await conn.fetchrow(SELECT_ONE, "user:nobody") is None

        rows = await conn.fetch("SELECT actor_id, state FROM actors WHERE actor_type = $1 ORDER BY actor_id", "user")
        assert [tuple(r) for r in rows] == [("user:1", '{"a": 1}'), ("user:2", None)]
        assert await conn.fetch("SELECT actor_id FROM actors WHERE actor_type = $1", "nobody") == []

        assert await conn.fetchval("SELECT actor_type FROM actors WHERE actor_id = $1", "bot:1") == "bot"
        assert await conn.fetchval("SELECT state FROM actors WHERE actor_id = $1", "bot:1") == "[]"
        assert await conn.fetchval("SELECT state FROM actors WHERE actor_id = $1", "user:2") is None
        assert await conn.fetchval("SELECT actor_type FROM actors WHERE actor_id = $1", "user:nobody") is None

        assert await conn.execute(INSERT, "user:3", "user", '{"b": 2, "a": [true]}') == "INSERT 0 1"
        assert await conn.fetchval("SELECT state FROM actors WHERE actor_id = $1", "user:3") == '{"a": [true], "b": 2}'
        status = await conn.execute("UPDATE actors SET state = $1 WHERE actor_id = $2", '{"c": 3}', "user:3")
        assert status == "UPDATE 1"
        assert await conn.execute("UPDATE actors SET state = NULL WHERE actor_id = $1", "user:nobody") == "UPDATE 0"
        assert await conn.execute("DELETE FROM actors WHERE actor_id = $1", "user:2") == "DELETE 1"
        rows = await conn.fetch(
            "SELECT actor_id FROM actors WHERE actor_type = $1 ORDER BY actor_id LIMIT $2", "user", 10
        )
        assert [r["actor_id"] for r in rows] == ["user:1", "user:3"]
        # Whole rows of a type, prepared, in binary (orbit-pg sends them as stored).
        whole = await conn.fetch("SELECT * FROM actors WHERE actor_type = $1 LIMIT $2", "user", 10)
        assert sorted(tuple(r) for r in whole) == [("user:1", "user", '{"a": 1}'), ("user:3", "user", '{"c": 3}')]

    run(server, scenario)
    assert table(server) == [
        ("bot:1", "bot", "[]"),
        ("user:1", "user", '{"a": 1}'),
        ("user:3", "user", '{"c": 3}'),
    ]


def test_executemany(server: Server) -> None:
    rows = [(f"user:{i:03d}", "user", json.dumps({"n": i})) for i in range(100)]

    async def scenario(conn: asyncpg.Connection) -> None:
        assert await conn.executemany(INSERT, rows) is None
        await conn.executemany(
            "UPDATE actors SET actor_type = $1 WHERE actor_id = $2",
            [("vip", f"user:{i:03d}") for i in range(0, 100, 10)],
        )
        # All or nothing: a duplicate in the middle undoes the rows before it.
        with pytest.raises(asyncpg.UniqueViolationError):
            await conn.executemany(
                INSERT, [("new:1", "user", None), ("user:050", "user", None), ("new:2", "user", None)]
            )
        assert await conn.fetchval("SELECT actor_id FROM actors WHERE actor_id = $1", "new:1") is None
        assert not conn.is_in_transaction()

    run(server, scenario)
    stored = table(server)
    assert len(stored) == 100
    assert stored[:2] == [("user:000", "vip", '{"n": 0}'), ("user:001", "user", '{"n": 1}')]
    assert sum(1 for _, actor_type, _ in stored if actor_type == "vip") == 10


def test_prepared_statement_reused(server: Server) -> None:
    seed(server, [(f"user:{i}", "user", f'{{"n": {i}}}') for i in range(20)])

    async def scenario(conn: asyncpg.Connection) -> None:
        select = await conn.prepare(SELECT_ONE)
        assert [t.name for t in select.get_parameters()] == ["text"]
        assert [(a.name, a.type.name) for a in select.get_attributes()] == [
            ("actor_id", "text"),
            ("actor_type", "text"),
            ("state", "jsonb"),
        ]
        for _ in range(3):
            for i in range(20):
                assert tuple(await select.fetchrow(f"user:{i}")) == (f"user:{i}", "user", f'{{"n": {i}}}')
        assert await select.fetchrow("user:nobody") is None
        assert await select.fetchval("user:7", column=2) == '{"n": 7}'

        update = await conn.prepare("UPDATE actors SET state = $1, actor_type = $2 WHERE actor_id = $3")
        assert [t.name for t in update.get_parameters()] == ["jsonb", "text", "text"]
        assert update.get_attributes() == ()
        for i in range(0, 20, 2):
            assert await update.fetch(f'{{"even": {i}}}', "even", f"user:{i}") == []
            assert update.get_statusmsg() == "UPDATE 1"

        limited = await conn.prepare("SELECT actor_id FROM actors WHERE actor_type = $1 ORDER BY actor_id LIMIT $2")
        assert [t.name for t in limited.get_parameters()] == ["text", "int8"]
        for n in range(5):
            assert len(await limited.fetch("even", n)) == n

    run(server, scenario)
    stored = table(server)
    assert ("user:4", "even", '{"even": 4}') in stored
    assert ("user:5", "user", '{"n": 5}') in stored


ROUND_TRIPS: list[tuple[str, Any]] = [
    ("int8", -(2**62) - 5),
    ("int4", 2**31 - 1),
    ("int2", -32768),
    ("bool", True),
    ("text", 'Zoë says "hi"\n'),
    ("numeric", Decimal("1.30")),
    ("jsonb", '{"a": [1, 2.50, null]}'),
    ("float8", -1.5e300),
    ("uuid", uuid.UUID("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11")),
    ("timestamptz", datetime.datetime(2024, 2, 29, 23, 59, 58, 123456, tzinfo=datetime.timezone.utc)),
]


@pytest.mark.parametrize(("type_name", "value"), ROUND_TRIPS, ids=[name for name, _ in ROUND_TRIPS])
def test_binary_round_trip(server: Server, type_name: str, value: Any) -> None:
    """A parameter goes out in binary and comes back in binary, unchanged; NULL too."""

    async def scenario(conn: asyncpg.Connection) -> None:
        statement = await conn.prepare(f"SELECT $1::{type_name} AS value")
        assert [t.name for t in statement.get_parameters()] == [type_name]
        assert [a.type.name for a in statement.get_attributes()] == [type_name]
        result = await statement.fetchval(value)
        assert result == value
        assert isinstance(result, type(value))  # asyncpg's UUID subclasses uuid.UUID
        assert await statement.fetchval(None) is None

    run(server, scenario)


def test_several_binary_parameters(server: Server) -> None:
    when = datetime.datetime(2024, 1, 2, 3, 4, 5, 6, tzinfo=datetime.timezone.utc)
    key = uuid.UUID("12345678-1234-5678-1234-567812345678")

    async def scenario(conn: asyncpg.Connection) -> None:
        row = await conn.fetchrow(
            "SELECT $1::int8 AS a, $2::float8 AS b, $3::bool AS c, $4::uuid AS d, $5::timestamptz AS e",
            9007199254740993,
            0.1,
            False,
            key,
            when,
        )
        assert tuple(row) == (9007199254740993, 0.1, False, key, when)

    run(server, scenario)


def test_stored_types_in_binary(server: Server) -> None:
    """Parameters for the table's own columns (text, jsonb) and a mix with int and bool, from one statement."""

    async def scenario(conn: asyncpg.Connection) -> None:
        await conn.execute(INSERT, "user:1", "user", '{"balance": 100}')
        row = await conn.fetchrow(
            "SELECT actor_id, state, $2::int8 + 1 AS next, $3::bool AS flag FROM actors WHERE actor_id = $1",
            "user:1",
            41,
            True,
        )
        assert tuple(row) == ("user:1", '{"balance": 100}', 42, True)

    run(server, scenario)


def test_jsonb_type_codec(server: Server) -> None:
    """``set_type_codec`` on jsonb, then dicts in and out.

    asyncpg 0.32 knows pg_catalog's built-in types by name and sends no catalog query here; other
    versions (and other types) look the type up in pg_type first, which orbit-pg cannot answer yet.
    """

    async def scenario(conn: asyncpg.Connection) -> None:
        await conn.set_type_codec("jsonb", encoder=json.dumps, decoder=json.loads, schema="pg_catalog")
        state = {"name": "Zoë", "tags": ["a"], "nested": {"x": None}}
        await conn.execute(INSERT, "user:1", "user", state)
        assert await conn.fetchval("SELECT state FROM actors WHERE actor_id = $1", "user:1") == state
        await conn.execute("UPDATE actors SET state = $1 WHERE actor_id = $2", {"b": 1, "a": 2}, "user:1")
        row = await conn.fetchrow("SELECT actor_id, state FROM actors WHERE actor_id = $1", "user:1")
        assert tuple(row) == ("user:1", {"a": 2, "b": 1})

    run(server, scenario)
    assert table(server) == [("user:1", "user", '{"a": 2, "b": 1}')]


def test_errors_leave_the_connection_usable(server: Server) -> None:
    taken = new_id()
    seed(server, [(taken, "user", None)])

    async def scenario(conn: asyncpg.Connection) -> None:
        with pytest.raises(asyncpg.UniqueViolationError) as caught:
            await conn.execute(INSERT, taken, "user", None)
        assert caught.value.sqlstate == "23505"
        assert caught.value.constraint_name == "actors_pkey"
        assert not conn.is_in_transaction()

        other = new_id()
        with pytest.raises(asyncpg.UniqueViolationError):
            async with conn.transaction():
                await conn.execute(INSERT, other, "user", None)
                await conn.execute(INSERT, taken, "user", None)
        assert await conn.fetchrow(SELECT_ONE, other) is None

        with pytest.raises(asyncpg.InvalidTextRepresentationError):
            await conn.execute(INSERT, other, "user", "{not json")
        with pytest.raises(asyncpg.NotNullViolationError):
            await conn.execute(INSERT, other, None, None)
        # The cached statement still works after the errors.
        await conn.execute(INSERT, other, "user", None)
        assert tuple(await conn.fetchrow(SELECT_ONE, other)) == (other, "user", None)

    run(server, scenario)
