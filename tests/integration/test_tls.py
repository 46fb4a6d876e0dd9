"""TLS after SSLRequest: psql, psycopg and asyncpg with sslmode=require and verify-full against
a CA the test makes, SCRAM channel binding, hostssl rules, client certificates."""

from __future__ import annotations

import asyncio
import os
import socket
import ssl
import struct
import subprocess
from collections.abc import Iterator

import asyncpg
import psycopg
import pytest
from auth_helpers import TlsFiles, admin, make_tls_files, psql_path, server_with_rules
from psycopg.conninfo import make_conninfo

from orbit_pg.testing import LOCALHOST, OrbitServer

PASSWORD = "tls-secret"
RULES = """
hostssl   all  alice      127.0.0.1/32  scram-sha-256
hostssl   all  certuser   127.0.0.1/32  cert
hostssl   all  clearuser  127.0.0.1/32  password
hostnossl all  plainuser  127.0.0.1/32  scram-sha-256
"""


@pytest.fixture(scope="module")
def tls_files(tmp_path_factory: pytest.TempPathFactory) -> TlsFiles:
    return make_tls_files(tmp_path_factory.mktemp("tls"), client_name="certuser")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, tls_files: TlsFiles) -> Iterator[OrbitServer]:
    tmp_path = tmp_path_factory.mktemp("tls-server")
    for user in ("alice", "certuser", "clearuser", "plainuser"):
        admin(tmp_path / "data", "add-user", user, "--superuser", password=PASSWORD)
    tls_args = ["--tls-cert", str(tls_files.cert), "--tls-key", str(tls_files.key), "--tls-ca", str(tls_files.ca)]
    with server_with_rules(tmp_path, RULES, *tls_args) as orbit:
        yield orbit


def conninfo(server: OrbitServer, user: str = "alice", **options: str | int | None) -> str:
    options = {"password": PASSWORD, **options}
    return make_conninfo(
        host="localhost", hostaddr=LOCALHOST, port=server.port, user=user, dbname="actors", connect_timeout=5, **options
    )


@pytest.mark.parametrize("sslmode", ["require", "verify-ca", "verify-full"])
def test_psycopg(server: OrbitServer, tls_files: TlsFiles, sslmode: str) -> None:
    with psycopg.connect(conninfo(server, sslmode=sslmode, sslrootcert=str(tls_files.ca))) as conn:
        assert conn.pgconn.ssl_in_use
        assert conn.execute("SELECT current_user").fetchone() == ("alice",)


def test_scram_channel_binding(server: OrbitServer, tls_files: TlsFiles) -> None:
    """libpq picks SCRAM-SHA-256-PLUS when offered; channel_binding=require insists on it."""
    info = conninfo(server, sslmode="verify-full", sslrootcert=str(tls_files.ca), channel_binding="require")
    with psycopg.connect(info) as conn:
        assert conn.execute("SELECT 1").fetchone() == (1,)


def test_verify_full_refuses_a_certificate_for_another_name(server: OrbitServer, tls_files: TlsFiles) -> None:
    info = make_conninfo(conninfo(server, sslmode="verify-full", sslrootcert=str(tls_files.ca)), host="127.0.0.2")
    with pytest.raises(psycopg.OperationalError, match="does not match host name"):
        psycopg.connect(info)


def test_asyncpg(server: OrbitServer, tls_files: TlsFiles) -> None:
    context = ssl.create_default_context(cafile=str(tls_files.ca))  # verify-full

    async def run() -> object:
        conn = await asyncpg.connect(
            host=LOCALHOST, port=server.port, user="alice", password=PASSWORD, database="actors", ssl=context
        )
        try:
            return await conn.fetchval("SELECT current_user")
        finally:
            await conn.close()

    assert asyncio.run(run()) == "alice"


@pytest.mark.skipif(psql_path() is None, reason="psql is not installed")
def test_psql_verify_full(server: OrbitServer, tls_files: TlsFiles) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    env["PGPASSWORD"] = PASSWORD
    info = make_conninfo(conninfo(server, sslmode="verify-full", sslrootcert=str(tls_files.ca)), password=None)
    done = subprocess.run(
        [psql_path(), info, "-At", "-w", "-c", "SELECT current_user"],
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "alice"


def test_hostssl_rule_refuses_a_connection_without_tls(server: OrbitServer) -> None:
    with pytest.raises(
        psycopg.OperationalError,
        match='no pg_hba.conf entry for host "127.0.0.1", user "alice", database "actors", no encryption',
    ):
        psycopg.connect(conninfo(server, sslmode="disable"))

    async def refused() -> str | None:
        with pytest.raises(asyncpg.PostgresError) as caught:
            await asyncpg.connect(
                host=LOCALHOST, port=server.port, user="alice", password=PASSWORD, database="actors", ssl=False
            )
        return caught.value.sqlstate

    assert asyncio.run(refused()) == "28000"


def test_hostnossl_rule_refuses_tls(server: OrbitServer) -> None:
    with pytest.raises(psycopg.OperationalError, match='user "plainuser", database "actors", SSL encryption'):
        psycopg.connect(conninfo(server, "plainuser", sslmode="require"))
    with psycopg.connect(conninfo(server, "plainuser", sslmode="disable")) as conn:
        assert not conn.pgconn.ssl_in_use


def test_client_certificate(server: OrbitServer, tls_files: TlsFiles) -> None:
    info = conninfo(
        server,
        "certuser",
        sslmode="verify-full",
        sslrootcert=str(tls_files.ca),
        sslcert=str(tls_files.client_cert),
        sslkey=str(tls_files.client_key),
        password=None,
    )
    with psycopg.connect(info) as conn:
        assert not conn.pgconn.used_password
        assert conn.execute("SELECT current_user").fetchone() == ("certuser",)
    with pytest.raises(psycopg.OperationalError, match="connection requires a valid client certificate"):
        psycopg.connect(conninfo(server, "certuser", sslmode="require"))


def test_cleartext_password_over_tls(server: OrbitServer) -> None:
    with psycopg.connect(conninfo(server, "clearuser", sslmode="require")) as conn:
        assert conn.pgconn.used_password


def test_unencrypted_bytes_after_ssl_request_are_refused(server: OrbitServer) -> None:
    """As PostgreSQL since CVE-2021-23222: bytes behind the SSLRequest, before the handshake."""
    startup = struct.pack("!i", 196608) + b"user\x00alice\x00\x00"
    with socket.create_connection((LOCALHOST, server.port), timeout=5) as sock:
        sock.sendall(struct.pack("!ii", 8, 80877103) + struct.pack("!i", len(startup) + 4) + startup)
        reply = b""
        while chunk := sock.recv(4096):
            reply += chunk
    assert reply.startswith(b"E")
    assert b"C08P01\x00" in reply and b"received unencrypted data after SSL request" in reply
