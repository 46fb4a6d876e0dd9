"""Server-side cursors through drivers, on orbit-pg and PostgreSQL 15: psycopg's named cursors
(DECLARE/FETCH/MOVE underneath: itersize, scroll(), WITH HOLD, binary) and asyncpg's
``cursor()`` (Bind to a named portal, Execute with a row limit, MOVE for ``forward``).

Every FETCH and MOVE form is checked against PostgreSQL's answers in data/compare/cursor.sql;
the million-actor walk in bounded memory is in test_streaming.py (it shares that data).
"""

from __future__ import annotations

import asyncio
from typing import Any

import psycopg
from drivers import Server, asyncpg_connect, connect, seed

ROWS = 250
IDS = [f"user:{i:04d}" for i in range(ROWS)]


def _seed(server: Server) -> None:
    seed(server, [(actor_id, f"type:{i % 2}", f'{{"n": {i}}}') for i, actor_id in enumerate(IDS)])


def test_psycopg_named_cursor_iterates_in_itersize_fetches(server: Server) -> None:
    _seed(server)
    with connect(server, autocommit=False) as conn:
        with conn.cursor(name="walk") as cur:
            cur.itersize = 40
            cur.execute("SELECT actor_id, state FROM actors WHERE actor_type = %s ORDER BY actor_id", ("type:1",))
            assert [d.name for d in cur.description] == ["actor_id", "state"]
            first = cur.fetchone()
            assert first == ("user:0001", {"n": 1})
            assert [row[0] for row in cur.fetchmany(3)] == IDS[3:9:2]
            assert [row[0] for row in cur] == IDS[9::2]
            assert cur.fetchall() == []
        conn.commit()


def test_psycopg_scrollable_cursor_scrolls(server: Server) -> None:
    _seed(server)
    with connect(server, autocommit=False) as conn:
        with conn.cursor(name="scroller", scrollable=True) as cur:
            cur.execute("SELECT actor_id FROM actors ORDER BY actor_id")
            assert [r[0] for r in cur.fetchmany(5)] == IDS[:5]
            cur.scroll(-3)
            assert cur.fetchone() == (IDS[2],)
            cur.scroll(100, mode="absolute")
            assert cur.fetchone() == (IDS[100],)
            cur.scroll(0, mode="absolute")
            assert cur.fetchone() == (IDS[0],)
            cur.scroll(ROWS - 3)
            assert [r[0] for r in cur.fetchall()] == IDS[-2:]
        conn.rollback()


def test_psycopg_holdable_cursor_outlives_its_transaction(server: Server) -> None:
    """WITH HOLD in autocommit: materialised at once, so later inserts are not seen."""
    _seed(server)
    with connect(server) as conn:
        with conn.cursor(name="held", withhold=True) as cur:
            cur.execute("SELECT actor_id FROM actors ORDER BY actor_id")
            assert [r[0] for r in cur.fetchmany(2)] == IDS[:2]
            conn.execute("INSERT INTO actors VALUES ('user:9999', 'type:9', '{}')")
            assert [r[0] for r in cur.fetchall()] == IDS[2:]


def test_psycopg_binary_fetch_and_declare_binary(server: Server) -> None:
    _seed(server)
    with connect(server, autocommit=False) as conn:
        with conn.cursor(name="bin", binary=True) as cur:
            cur.execute("SELECT actor_id, state, (state->>'n')::int FROM actors ORDER BY actor_id LIMIT 3")
            assert cur.fetchall() == [(IDS[i], {"n": i}, i) for i in range(3)]
        conn.execute("DECLARE raw BINARY CURSOR FOR SELECT 7::int4, 'x'::text, 2.5::numeric")
        assert conn.execute("FETCH ALL FROM raw").fetchall() == [(7, "x", 2.5)]
        conn.rollback()


def test_psycopg_cursor_reads_its_declare_snapshot(server: Server) -> None:
    """A cursor sees the table as it was at DECLARE, whoever changes it afterwards."""
    _seed(server)
    with connect(server, autocommit=False) as conn, connect(server) as other:
        with conn.cursor(name="then") as cur:
            cur.execute("SELECT actor_id FROM actors ORDER BY actor_id")
            other.execute("DELETE FROM actors WHERE actor_id = %s", (IDS[10],))
            other.execute("INSERT INTO actors VALUES ('user:0000a', 'type:0', '{}')")
            assert [r[0] for r in cur.fetchall()] == IDS
        conn.rollback()


def test_asyncpg_cursor_fetch_forward_and_prefetch(server: Server) -> None:
    _seed(server)

    async def main() -> tuple[Any, ...]:
        conn = await asyncpg_connect(server)
        try:
            async with conn.transaction():
                query = "SELECT actor_id FROM actors WHERE actor_type = $1 ORDER BY actor_id"
                cur = await conn.cursor(query, "type:0")
                first = [r["actor_id"] for r in await cur.fetch(5)]
                moved = await cur.forward(3)
                row = await cur.fetchrow()
                rest = [r["actor_id"] for r in await cur.fetch(1000)]
                walked = [r["actor_id"] async for r in conn.cursor("SELECT actor_id FROM actors", prefetch=7)]
                await conn.execute("DECLARE sql_cursor SCROLL CURSOR FOR SELECT actor_id FROM actors ORDER BY 1")
                last = await conn.fetch("FETCH LAST FROM sql_cursor")
                back = await conn.fetch("FETCH BACKWARD 2 FROM sql_cursor")
            return first, moved, row["actor_id"], rest, walked, last, back
        finally:
            await conn.close()

    first, moved, row, rest, walked, last, back = asyncio.run(main())
    evens = IDS[::2]
    assert first == evens[:5]
    assert moved == 3
    assert row == evens[8]
    assert rest == evens[9:]
    assert sorted(walked) == IDS
    assert [r[0] for r in last] == [IDS[-1]]
    assert [r[0] for r in back] == [IDS[-2], IDS[-3]]


def test_cursor_errors_through_psycopg(server: Server) -> None:
    with connect(server) as conn:
        try:
            conn.execute("DECLARE c CURSOR FOR SELECT 1")
        except psycopg.Error as exc:
            assert exc.sqlstate == "25P01"
        else:
            raise AssertionError("DECLARE outside a transaction block succeeded")
        with conn.transaction():
            conn.execute("DECLARE c NO SCROLL CURSOR FOR SELECT 1")
            conn.execute("FETCH c")
            try:
                with conn.transaction():
                    conn.execute("FETCH PRIOR FROM c")
            except psycopg.Error as exc:
                assert (exc.sqlstate, exc.diag.message_primary) == ("55000", "cursor can only scan forward")
            try:
                with conn.transaction():
                    conn.execute("FETCH NEXT FROM nosuch")
            except psycopg.Error as exc:
                assert (exc.sqlstate, exc.diag.message_primary) == ("34000", 'cursor "nosuch" does not exist')
