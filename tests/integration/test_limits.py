"""Connection limits and timeouts: max_connections, reserved superuser slots, the
authentication timeout, idle timeouts, and memory with a client that never reads its result."""

from __future__ import annotations

import asyncio
import socket
import struct
import time
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import psycopg
import pytest
from auth_helpers import admin
from psycopg.conninfo import make_conninfo

from orbit_pg.storage.lmdb_store import ActorStore
from orbit_pg.testing import LOCALHOST, OrbitServer


def startup_packet(user: str = "orbit", database: str = "actors") -> bytes:
    body = struct.pack("!i", 196608) + f"user\x00{user}\x00database\x00{database}\x00\x00".encode()
    return struct.pack("!i", len(body) + 4) + body


def closed_within(sock: socket.socket, seconds: float) -> float:
    """Read until the server closes the connection; how long that took."""
    sock.settimeout(seconds)
    start = time.monotonic()
    while sock.recv(4096):
        pass
    return time.monotonic() - start


def test_connection_201_of_200_is_refused(tmp_path: Path) -> None:
    with OrbitServer(tmp_path / "data", ["--max-connections", "200"]) as server:

        async def run() -> None:
            connect = dict(host=LOCALHOST, port=server.port, user="orbit", database="actors")
            connections = [await asyncpg.connect(**connect) for _ in range(200)]
            try:
                with pytest.raises(asyncpg.TooManyConnectionsError, match="sorry, too many clients already"):
                    await asyncpg.connect(**connect)
                await connections.pop().close()
                connections.append(await asyncpg.connect(**connect))
                assert await connections[-1].fetchval("SELECT 1") == 1
            finally:
                await asyncio.gather(*(c.close() for c in connections))

        asyncio.run(run())
        with psycopg.connect(server.dsn) as conn:
            assert conn.execute("SELECT 1").fetchone() == (1,)


def test_reserved_slots_are_for_superusers(tmp_path: Path) -> None:
    admin(tmp_path / "data", "add-user", "boss", "--superuser", password="boss-pw")
    admin(tmp_path / "data", "add-user", "worker", password="worker-pw")
    args = ["--max-connections", "3", "--superuser-reserved-connections", "1"]
    with OrbitServer(tmp_path / "data", args) as server:

        def conninfo(user: str) -> str:
            return make_conninfo(server.dsn, user=user, password=f"{user}-pw")

        first, second = psycopg.connect(conninfo("worker")), psycopg.connect(conninfo("worker"))
        try:
            with pytest.raises(psycopg.OperationalError, match="remaining connection slots are reserved"):
                psycopg.connect(conninfo("worker"))
            with psycopg.connect(conninfo("boss")) as boss:
                assert boss.execute("SELECT current_user").fetchone() == ("boss",)
                with pytest.raises(psycopg.OperationalError, match="sorry, too many clients already"):
                    psycopg.connect(conninfo("boss"))
        finally:
            first.close()
            second.close()


@pytest.fixture(scope="module")
def quick_timeout(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OrbitServer]:
    with OrbitServer(tmp_path_factory.mktemp("timeouts") / "data", ["--authentication-timeout", "1"]) as server:
        yield server


def test_silent_client_is_dropped_after_the_authentication_timeout(quick_timeout: OrbitServer) -> None:
    with socket.create_connection((LOCALHOST, quick_timeout.port)) as sock:
        assert 0.5 < closed_within(sock, 10) < 5


def test_half_a_startup_packet_is_dropped_too(quick_timeout: OrbitServer) -> None:
    with socket.create_connection((LOCALHOST, quick_timeout.port)) as sock:
        sock.sendall(startup_packet()[:10])
        assert 0.5 < closed_within(sock, 10) < 5


def test_an_authenticated_session_outlives_the_authentication_timeout(quick_timeout: OrbitServer) -> None:
    with psycopg.connect(quick_timeout.dsn) as conn:
        time.sleep(1.5)
        assert conn.execute("SELECT 1").fetchone() == (1,)


@pytest.mark.parametrize(
    ("setting", "begin", "sqlstate", "message"),
    [
        ("idle_session_timeout", False, "57P05", "idle-session timeout"),
        ("idle_in_transaction_session_timeout", True, "25P03", "idle-in-transaction timeout"),
    ],
)
def test_idle_timeouts(quick_timeout: OrbitServer, setting: str, begin: bool, sqlstate: str, message: str) -> None:
    async def run() -> None:
        conn = await asyncpg.connect(host=LOCALHOST, port=quick_timeout.port, user="orbit", database="actors")
        try:
            await conn.execute(f"SET {setting} = '300ms'")
            assert await conn.fetchval(f"SHOW {setting}") == "300ms"
            if begin:
                await conn.execute("BEGIN")
            await asyncio.sleep(1.0)
            assert conn.is_closed()
        finally:
            conn.terminate()

    asyncio.run(run())
    with psycopg.connect(quick_timeout.dsn, autocommit=True) as conn:
        conn.execute(f"SET {setting} = '300ms'")
        if begin:
            conn.execute("BEGIN")
        time.sleep(1.0)
        with pytest.raises(psycopg.Error, match=f"terminating connection due to {message}") as caught:
            conn.execute("SELECT 1")
    assert caught.value.sqlstate == sqlstate


def rss_bytes(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS")


ROWS = 1_000_000
# The bound this test holds the server to: what a client that stops reading can make it buffer.
BUFFER_BOUND = 32 * 1024 * 1024


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs /proc to measure memory")
def test_a_client_that_never_reads_a_million_rows_does_not_grow_memory(tmp_path: Path) -> None:
    store = ActorStore(str(tmp_path / "data"), sync=False)
    state = b'{"n": 1, "tags": ["a", "b"]}'
    for start in range(0, ROWS, 100_000):
        store.commit({f"actor:{i:07d}": (f"actor:{i:07d}", "counter", state) for i in range(start, start + 100_000)})
    store.close()
    with OrbitServer(tmp_path / "data") as server:
        assert server.pid is not None
        with psycopg.connect(server.dsn) as conn:
            conn.execute("SELECT 1")
        before = rss_bytes(server.pid)
        with socket.create_connection((LOCALHOST, server.port)) as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 64 * 1024)
            sock.sendall(startup_packet())
            time.sleep(0.5)
            query = b"SELECT * FROM actors\x00"
            sock.sendall(b"Q" + struct.pack("!i", len(query) + 4) + query)
            peak = before
            for _ in range(20):  # 4 s: long enough to have sent everything if nothing held it back
                time.sleep(0.2)
                peak = max(peak, rss_bytes(server.pid))
            # The server still serves others meanwhile.
            with psycopg.connect(server.dsn) as other:
                assert other.execute("SELECT actor_id FROM actors WHERE actor_id = 'actor:0000007'").fetchone()
        growth = peak - before
        print(f"RSS before {before / 2**20:.1f} MiB, peak while the client did not read {peak / 2**20:.1f} MiB")
        assert growth < BUFFER_BOUND, f"the server grew by {growth / 2**20:.1f} MiB for a client that does not read"
