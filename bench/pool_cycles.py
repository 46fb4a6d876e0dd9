"""Connection pool chatter, cycles per second, on orbit-pg beside PostgreSQL 15.

A cycle borrows a connection from a pool of 20, runs one parameterised query and gives the
connection back (the pool's reset and checks included): asyncpg's ``create_pool`` (which runs
``SELECT pg_advisory_unlock_all(); CLOSE ALL; UNLISTEN *; RESET ALL;`` on each release) with 20
tasks, and psycopg_pool's ``ConnectionPool`` (checking each connection as it lends it) with 20
threads.

    python bench/pool_cycles.py [--cycles 10000] [--server both|orbit-pg|postgres]
"""

from __future__ import annotations

import argparse
import asyncio
import threading
import time

import asyncpg
from psycopg_pool import ConnectionPool

from orbit_pg.testing import OrbitServer, ThrowawayPostgres

POOL_SIZE = 20


async def asyncpg_cycles(port: int, user: str, database: str, cycles: int) -> float:
    pool = await asyncpg.create_pool(
        host="127.0.0.1", port=port, user=user, database=database, min_size=POOL_SIZE, max_size=POOL_SIZE
    )
    per_task = cycles // POOL_SIZE

    async def worker() -> None:
        for i in range(per_task):
            async with pool.acquire() as conn:
                assert await conn.fetchval("SELECT $1::int + 1", i) == i + 1

    try:
        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(POOL_SIZE)))
        took = time.perf_counter() - started
    finally:
        await pool.close()
    return per_task * POOL_SIZE / took


def psycopg_cycles(dsn: str, cycles: int) -> float:
    per_thread = cycles // POOL_SIZE
    failures: list[BaseException] = []
    with ConnectionPool(dsn, min_size=POOL_SIZE, max_size=POOL_SIZE, check=ConnectionPool.check_connection) as pool:
        pool.wait()

        def worker() -> None:
            try:
                for i in range(per_thread):
                    with pool.connection() as conn:
                        assert conn.execute("SELECT %s::int + 1", (i,)).fetchone() == (i + 1,)
            except BaseException as exc:  # reported below
                failures.append(exc)

        threads = [threading.Thread(target=worker) for _ in range(POOL_SIZE)]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        took = time.perf_counter() - started
    if failures:
        raise failures[0]
    return per_thread * POOL_SIZE / took


def measure(name: str, dsn: str, port: int, user: str, database: str, cycles: int) -> None:
    rate = asyncio.run(asyncpg_cycles(port, user, database, cycles))
    print(f"{name:10} asyncpg create_pool  {cycles:,} cycles  {rate:8,.0f} cycles/s", flush=True)
    rate = psycopg_cycles(dsn, cycles)
    print(f"{name:10} psycopg_pool         {cycles:,} cycles  {rate:8,.0f} cycles/s", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cycles", type=int, default=10_000)
    parser.add_argument("--server", choices=("both", "orbit-pg", "postgres"), default="both")
    args = parser.parse_args()
    if args.server in ("both", "orbit-pg"):
        with OrbitServer() as server:
            measure("orbit-pg", server.dsn, server.port, "orbit", "actors", args.cycles)
    if args.server in ("both", "postgres"):
        with ThrowawayPostgres() as pg:
            measure("PostgreSQL", pg.dsn, pg.port, "postgres", "postgres", args.cycles)


if __name__ == "__main__":
    main()
