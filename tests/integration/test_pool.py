"""Connection pools between borrowers: asyncpg's reset, psycopg_pool's checks, advisory locks.

asyncpg's pool runs ``SELECT pg_advisory_unlock_all(); CLOSE ALL; UNLISTEN *; RESET ALL;`` on every
release; psycopg_pool checks a connection with an empty query and resets it after use. Each test runs
on orbit-pg and PostgreSQL 15. ``ORBITPG_POOL_CYCLES`` sets the number of acquire/query/release cycles
(2,000 by default to keep the suite short; the issue's 10,000 pass too).
"""

from __future__ import annotations

import asyncio
import os
import threading

import asyncpg
import psycopg
import pytest
from drivers import Server, connect
from psycopg_pool import ConnectionPool

POOL_SIZE = 20
CYCLES = int(os.environ.get("ORBITPG_POOL_CYCLES", "2000"))


def test_asyncpg_pool_cycles(server: Server) -> None:
    async def main() -> int:
        pool = await asyncpg.create_pool(
            host=server.host,
            port=server.port,
            user=server.user,
            database=server.dbname,
            min_size=POOL_SIZE,
            max_size=POOL_SIZE,
        )
        done = 0

        async def worker(cycles: int) -> None:
            nonlocal done
            for i in range(cycles):
                async with pool.acquire() as conn:
                    assert await conn.fetchval("SELECT $1::int + 1", i) == i + 1
                    done += 1

        try:
            await asyncio.gather(*(worker(CYCLES // POOL_SIZE) for _ in range(POOL_SIZE)))
        finally:
            await pool.close()
        return done

    assert asyncio.run(asyncio.wait_for(main(), 600)) == CYCLES // POOL_SIZE * POOL_SIZE


def test_psycopg_pool_cycles(server: Server) -> None:
    errors: list[BaseException] = []
    per_thread = CYCLES // POOL_SIZE

    with ConnectionPool(
        server.dsn, min_size=POOL_SIZE, max_size=POOL_SIZE, check=ConnectionPool.check_connection
    ) as pool:

        def worker() -> None:
            try:
                for i in range(per_thread):
                    with pool.connection() as conn:
                        assert conn.execute("SELECT %s::int + 1", (i,)).fetchone() == (i + 1,)
            except BaseException as exc:  # reported by the main thread
                errors.append(exc)

        threads = [threading.Thread(target=worker) for _ in range(POOL_SIZE)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(600)
    assert errors == []


def test_pool_reset_does_what_it_says(server: Server) -> None:
    with connect(server) as conn, connect(server) as other:
        conn.execute("LISTEN reset_me")
        conn.execute("SET application_name = 'borrowed'")
        assert conn.execute("SELECT pg_try_advisory_lock(42)").fetchone() == (True,)
        assert other.execute("SELECT pg_try_advisory_lock(42)").fetchone() == (False,)
        conn.execute("SELECT pg_advisory_unlock_all(); CLOSE ALL; UNLISTEN *; RESET ALL;")
        assert other.execute("SELECT pg_try_advisory_lock(42), pg_advisory_unlock(42)").fetchone() == (True, True)
        assert conn.execute("SHOW application_name").fetchone() == ("",)
        other.execute("NOTIFY reset_me")
        assert list(conn.notifies(timeout=0.3)) == []
        with pytest.raises(psycopg.errors.InvalidCursorName, match='cursor "nope" does not exist'):
            conn.execute("CLOSE nope")
        conn.execute("DISCARD ALL")


def test_advisory_locks_elect_one_worker(server: Server) -> None:
    with connect(server) as a, connect(server) as b:
        assert a.execute("SELECT pg_try_advisory_lock(7), pg_try_advisory_lock(7)").fetchone() == (True, True)
        assert b.execute("SELECT pg_try_advisory_lock(7), pg_try_advisory_lock(1, 7)").fetchone() == (False, True)
        assert a.execute("SELECT pg_advisory_unlock(7)").fetchone() == (True,)
        assert b.execute("SELECT pg_try_advisory_lock(7)").fetchone() == (False,)  # a still holds it once
        assert a.execute("SELECT pg_advisory_unlock(7), pg_advisory_lock(8)").fetchone() == (True, "")
        assert b.execute("SELECT pg_try_advisory_lock(7)").fetchone() == (True,)
    with connect(server) as c:
        # a's connection ended: its locks went with it
        assert c.execute("SELECT pg_try_advisory_lock(8)").fetchone() == (True,)
