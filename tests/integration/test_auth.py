"""Password authentication, access rules and roles, with real clients over real sockets."""

from __future__ import annotations

import asyncio
import hashlib
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import psycopg
import pytest
from auth_helpers import RecordingProxy, admin, psql_path, server_with_rules
from psycopg.conninfo import make_conninfo

from orbit_pg.testing import LOCALHOST, OrbitServer

ADMIN_PASSWORD = "admin-Pässword-1"
ALICE_PASSWORD = "alice's secret"
MD5_PASSWORD = "md5-secret"
RULES = """
# TYPE  DATABASE  USER     ADDRESS       METHOD
host    all       md5user  127.0.0.1/32  md5
host    all       ghost5   127.0.0.1/32  md5
host    actors    all      127.0.0.1/32  scram-sha-256
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OrbitServer]:
    """Roles: admin (superuser, made with orbitpg-admin), alice (SCRAM, all privileges), reader (SELECT only),
    md5user (a pre-hashed MD5 password), nologin."""
    tmp_path = tmp_path_factory.mktemp("auth")
    admin(tmp_path / "data", "add-user", "admin", "--superuser", password=ADMIN_PASSWORD)
    with server_with_rules(tmp_path, RULES) as orbit:
        with psycopg.connect(dsn(orbit, "admin", ADMIN_PASSWORD), autocommit=True) as conn:
            conn.execute(f"CREATE USER alice PASSWORD '{ALICE_PASSWORD.replace(chr(39), chr(39) * 2)}'")
            conn.execute("GRANT ALL PRIVILEGES ON actors TO alice")
            conn.execute("CREATE ROLE reader WITH LOGIN PASSWORD 'reader-pw'")
            conn.execute("GRANT SELECT ON TABLE actors TO reader")
            md5 = "md5" + hashlib.md5((MD5_PASSWORD + "md5user").encode()).hexdigest()
            conn.execute(f"CREATE USER md5user PASSWORD '{md5}'")
            conn.execute("CREATE ROLE nologin PASSWORD 'x'")
            conn.execute("INSERT INTO actors VALUES ('auth:1', 'test', '{}')")
        yield orbit


def dsn(orbit: OrbitServer | RecordingProxy, user: str, password: str, dbname: str = "actors") -> str:
    return make_conninfo(
        host=LOCALHOST, port=orbit.port, user=user, dbname=dbname, password=password, connect_timeout=5
    )


async def _asyncpg_error(port: int, user: str, password: str, database: str = "actors") -> asyncpg.PostgresError:
    with pytest.raises(asyncpg.PostgresError) as caught:
        await asyncpg.connect(host=LOCALHOST, port=port, user=user, password=password, database=database)
    return caught.value


def asyncpg_error(port: int, user: str, password: str, database: str = "actors") -> asyncpg.PostgresError:
    return asyncio.run(_asyncpg_error(port, user, password, database))


def test_psycopg_scram(server: OrbitServer) -> None:
    with psycopg.connect(dsn(server, "alice", ALICE_PASSWORD)) as conn:
        assert conn.pgconn.used_password
        assert conn.execute("SELECT current_user, actor_id FROM actors").fetchall() == [("alice", "auth:1")]


def test_asyncpg_scram(server: OrbitServer) -> None:
    async def run() -> list[asyncpg.Record]:
        conn = await asyncpg.connect(
            host=LOCALHOST, port=server.port, user="reader", password="reader-pw", database="actors"
        )
        try:
            return await conn.fetch("SELECT actor_id FROM actors WHERE actor_id = $1", "auth:1")
        finally:
            await conn.close()

    assert [r["actor_id"] for r in asyncio.run(run())] == ["auth:1"]


@pytest.mark.skipif(psql_path() is None, reason="psql is not installed")
def test_psql_with_pgpassword_and_pgpass(server: OrbitServer, tmp_path: Path) -> None:
    command = [psql_path(), "-h", LOCALHOST, "-p", str(server.port), "-d", "actors", "-At", "-w"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    done = subprocess.run(
        [*command, "-U", "admin", "-c", "SELECT current_user"],
        env={**env, "PGPASSWORD": ADMIN_PASSWORD},
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "admin"
    pgpass = tmp_path / "pgpass"
    pgpass.write_text(f"{LOCALHOST}:{server.port}:actors:md5user:{MD5_PASSWORD}\n")
    pgpass.chmod(0o600)
    done = subprocess.run(
        [*command, "-U", "md5user", "-c", "SELECT current_user"],
        env={**env, "PGPASSFILE": str(pgpass)},
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "md5user"


def test_md5(server: OrbitServer) -> None:
    with psycopg.connect(dsn(server, "md5user", MD5_PASSWORD)) as conn:
        assert conn.execute("SELECT 1").fetchone() == (1,)


@pytest.mark.parametrize("user", ["alice", "ghost", "md5user", "ghost5"])
def test_wrong_password_and_unknown_user_fail_alike(server: OrbitServer, user: str) -> None:
    error = asyncpg_error(server.port, user, "wrong")
    assert error.sqlstate == "28P01"
    assert str(error) == f'password authentication failed for user "{user}"'
    with pytest.raises(psycopg.OperationalError, match=f'FATAL:  password authentication failed for user "{user}"'):
        psycopg.connect(dsn(server, user, "wrong"))


def test_no_rule_matches(server: OrbitServer) -> None:
    error = asyncpg_error(server.port, "alice", ALICE_PASSWORD, database="elsewhere")
    assert error.sqlstate == "28000"
    assert str(error) == 'no pg_hba.conf entry for host "127.0.0.1", user "alice", database "elsewhere", no encryption'


def test_role_without_login(server: OrbitServer) -> None:
    error = asyncpg_error(server.port, "nologin", "x")
    assert (error.sqlstate, str(error)) == ("28000", 'role "nologin" is not permitted to log in')


def test_password_never_crosses_the_wire(server: OrbitServer) -> None:
    proxy = RecordingProxy(server.port)
    try:
        for user, password in (("alice", ALICE_PASSWORD), ("md5user", MD5_PASSWORD)):
            with psycopg.connect(dsn(proxy, user, password)) as conn:
                conn.execute("SELECT 1")
        recorded = bytes(proxy.recorded)
    finally:
        proxy.close()
    assert b"SCRAM-SHA-256" in recorded and b"md5user" in recorded  # the exchanges did go through the proxy
    for password in (ALICE_PASSWORD, MD5_PASSWORD):
        assert password.encode() not in recorded


def test_read_only_role(server: OrbitServer) -> None:
    with psycopg.connect(dsn(server, "reader", "reader-pw"), autocommit=True) as conn:
        assert conn.execute("SELECT actor_id FROM actors").fetchall() == [("auth:1",)]
        for sql in (
            "INSERT INTO actors VALUES ('auth:2', 'test', NULL)",
            "UPDATE actors SET state = '{}'",
            "DELETE FROM actors WHERE actor_id = 'auth:1'",
            "CREATE ROLE sneaky",
        ):
            with pytest.raises(psycopg.errors.InsufficientPrivilege) as caught:
                conn.execute(sql)
            denied = caught.value.diag.message_primary
            assert denied in ("permission denied for table actors", "permission denied to create role")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("ALTER ROLE alice PASSWORD 'taken over'")
        conn.execute("ALTER ROLE reader PASSWORD 'reader-pw'")  # a role may change its own password
    with psycopg.connect(dsn(server, "admin", ADMIN_PASSWORD), autocommit=True) as conn:
        conn.execute("REVOKE SELECT ON actors FROM reader")
    with psycopg.connect(dsn(server, "reader", "reader-pw"), autocommit=True) as conn:
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="permission denied for table actors"):
            conn.execute("SELECT * FROM actors")
    with psycopg.connect(dsn(server, "admin", ADMIN_PASSWORD), autocommit=True) as conn:
        conn.execute("GRANT SELECT ON actors TO reader")


def test_reads_at_once_check_privileges(server: OrbitServer) -> None:
    """A one-key read and a type select, as a simple Query and as a prepared statement (the
    cycles answered at once), are denied to a role without SELECT (42501) and allowed again."""
    reads = (
        ("SELECT * FROM actors WHERE actor_id = %s", ("auth:1",)),
        ("SELECT * FROM actors WHERE actor_type = 'type:' || %s LIMIT 10", ("1",)),
    )
    with psycopg.connect(dsn(server, "admin", ADMIN_PASSWORD), autocommit=True) as conn:
        conn.execute("REVOKE SELECT ON actors FROM reader")
    try:
        with psycopg.connect(dsn(server, "reader", "reader-pw"), autocommit=True) as conn:
            for sql, params in reads:
                for prepare in (False, True):
                    with pytest.raises(psycopg.errors.InsufficientPrivilege, match="permission denied for table"):
                        conn.execute(sql, params, prepare=prepare)
                with pytest.raises(psycopg.errors.InsufficientPrivilege):
                    conn.cursor().execute(sql.replace("%s", "'1'"), prepare=False)
    finally:
        with psycopg.connect(dsn(server, "admin", ADMIN_PASSWORD), autocommit=True) as conn:
            conn.execute("GRANT SELECT ON actors TO reader")
    with psycopg.connect(dsn(server, "reader", "reader-pw"), autocommit=True) as conn:
        assert conn.execute(reads[0][0], reads[0][1], prepare=True).fetchall() == [("auth:1", "test", {})]


def test_role_statements_errors(server: OrbitServer) -> None:
    with psycopg.connect(dsn(server, "admin", ADMIN_PASSWORD), autocommit=True) as conn:
        with pytest.raises(psycopg.errors.DuplicateObject, match='role "alice" already exists'):
            conn.execute("CREATE ROLE alice")
        with pytest.raises(psycopg.errors.UndefinedObject, match='role "nobody" does not exist'):
            conn.execute("DROP ROLE nobody")
        conn.execute("DROP ROLE IF EXISTS nobody")
        with pytest.raises(psycopg.errors.UndefinedObject, match='role "nobody" does not exist'):
            conn.execute("GRANT SELECT ON actors TO nobody")
        with pytest.raises(psycopg.errors.UndefinedTable, match='relation "other" does not exist'):
            conn.execute("GRANT SELECT ON other TO alice")
        with pytest.raises(psycopg.errors.ObjectInUse, match="current user cannot be dropped"):
            conn.execute("DROP ROLE admin")
        with pytest.raises(psycopg.errors.ReservedName):
            conn.execute("CREATE ROLE pg_mine")
        conn.execute("CREATE ROLE temp_role LOGIN PASSWORD 'temp-pw'")
    with psycopg.connect(dsn(server, "temp_role", "temp-pw")) as conn:
        conn.execute("SELECT 1")
    with psycopg.connect(dsn(server, "admin", ADMIN_PASSWORD), autocommit=True) as conn:
        assert conn.execute("DROP ROLE temp_role").statusmessage == "DROP ROLE"
    assert asyncpg_error(server.port, "temp_role", "temp-pw").sqlstate == "28P01"


def test_roles_survive_restart(server: OrbitServer) -> None:
    server.restart()
    with psycopg.connect(dsn(server, "alice", ALICE_PASSWORD)) as conn:
        assert conn.execute("SELECT actor_id FROM actors").fetchall() == [("auth:1",)]
    assert asyncpg_error(server.port, "alice", "wrong").sqlstate == "28P01"
    with psycopg.connect(dsn(server, "reader", "reader-pw"), autocommit=True) as conn:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("DELETE FROM actors")


def test_without_roles_loopback_is_trusted_and_the_log_says_so(fresh_orbit: OrbitServer) -> None:
    with psycopg.connect(fresh_orbit.dsn) as conn:
        assert conn.execute("SHOW is_superuser").fetchone() == ("on",)
    assert "no --hba file: accepting connections from loopback only, method trust" in fresh_orbit.log_text()
