"""Query cancel and statement_timeout, on orbit-pg and PostgreSQL 15.

psycopg's ``conn.cancel()`` and asyncpg's timeout (which sends a CancelRequest) stop a long statement
within a second with 57014, and the connection goes on; a CancelRequest with the wrong key is ignored.
"""

from __future__ import annotations

import asyncio
import socket
import struct
import threading
import time

import psycopg
import pytest
from drivers import Server, asyncpg_connect, connect, seed

CANCEL_REQUEST_CODE = 80877102


def cancel_later(conn: psycopg.Connection, seconds: float) -> threading.Thread:
    def cancel() -> None:
        time.sleep(seconds)
        conn.cancel()

    thread = threading.Thread(target=cancel, daemon=True)
    thread.start()
    return thread


def test_psycopg_cancel_stops_pg_sleep(server: Server) -> None:
    with connect(server) as conn:
        thread = cancel_later(conn, 0.3)
        started = time.monotonic()
        with pytest.raises(psycopg.errors.QueryCanceled, match="canceling statement due to user request"):
            conn.execute("SELECT pg_sleep(10)")
        assert time.monotonic() - started < 1.3
        thread.join()
        assert conn.execute("SELECT 1").fetchone() == (1,)


def test_psycopg_cancel_stops_a_long_scan(server: Server) -> None:
    seed(server, [(f"scan:{i:05}", "scan", None) for i in range(5000)])
    with connect(server) as conn:
        thread = cancel_later(conn, 0.3)
        started = time.monotonic()
        with pytest.raises(psycopg.errors.QueryCanceled):
            # Each row costs 2 ms: ten seconds in all, unless canceled.
            conn.execute("SELECT actor_id, pg_sleep(0.002) FROM actors WHERE actor_type = 'scan'")
        assert time.monotonic() - started < 1.3
        thread.join()
        assert conn.execute("SELECT 1").fetchone() == (1,)


def test_cancel_in_a_transaction_block_fails_it(server: Server) -> None:
    with connect(server) as conn:
        conn.execute("BEGIN")
        cancel_later(conn, 0.2)
        with pytest.raises(psycopg.errors.QueryCanceled):
            conn.execute("SELECT pg_sleep(5)")
        assert conn.info.transaction_status == psycopg.pq.TransactionStatus.INERROR
        conn.execute("ROLLBACK")
        assert conn.execute("SELECT 2").fetchone() == (2,)


def test_statement_timeout(server: Server) -> None:
    with connect(server) as conn:
        conn.execute("SET statement_timeout = '200ms'")
        started = time.monotonic()
        with pytest.raises(psycopg.errors.QueryCanceled, match="canceling statement due to statement timeout"):
            conn.execute("SELECT pg_sleep(5)")
        assert time.monotonic() - started < 1.0
        assert conn.execute("SELECT pg_sleep(0.05)").fetchone() == ("",)
        conn.execute("SET statement_timeout = 0")
        assert conn.execute("SELECT pg_sleep(0.3)").fetchone() == ("",)


def test_wrong_cancel_key_is_ignored(server: Server) -> None:
    with connect(server) as conn:
        pid = conn.info.backend_pid

        def wrong_cancel() -> None:
            time.sleep(0.1)
            with socket.create_connection((server.host, server.port), timeout=5) as sock:
                sock.sendall(struct.pack("!iiii", 16, CANCEL_REQUEST_CODE, pid, 12345))
                assert sock.recv(1) == b""  # the server closes without a reply

        thread = threading.Thread(target=wrong_cancel, daemon=True)
        thread.start()
        assert conn.execute("SELECT pg_sleep(0.5)").fetchone() == ("",)
        thread.join()


def test_asyncpg_timeout_cancels(server: Server) -> None:
    async def main() -> tuple[float, int]:
        conn = await asyncpg_connect(server)
        try:
            started = time.monotonic()
            with pytest.raises(asyncio.TimeoutError):
                await conn.fetchval("SELECT pg_sleep(10)", timeout=0.3)
            took = time.monotonic() - started
            return took, await conn.fetchval("SELECT 7")
        finally:
            await conn.close()

    took, value = asyncio.run(asyncio.wait_for(main(), 30))
    assert took < 1.3 and value == 7
