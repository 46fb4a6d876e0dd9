"""pgbench and psycopg through pgbouncer in transaction mode, in front of orbit-pg and of PostgreSQL 15.

pgbouncer lends a server connection per transaction, so consecutive transactions of one client run on
different server connections, and each server connection serves many clients. It checks a server
connection it has not used for a while (``server_check_query``), replays the clients' startup
parameters with SET, and here also runs ``DISCARD ALL`` whenever a connection goes back to its pool
(``server_reset_query_always``), so the chatter every pool sends runs thousands of times.
pgbouncer refuses to run as root: under root it runs as the ``postgres`` OS user.
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from drivers import Server, missing_programs, run_pgbench, seed

from orbit_pg.testing import free_port, wait_for_port

OS_USER = "postgres"
USERS = 100
TRANSACTIONS, CLIENTS = 200, 4


def _as_user() -> list[str]:
    """The command prefix that drops root (pgbouncer will not run as root)."""
    if os.geteuid() != 0:
        return []
    return ["runuser", "-u", OS_USER, "--"]


@pytest.fixture
def pgbouncer(server: Server) -> Iterator[Server]:
    """pgbouncer in transaction mode in front of ``server``; the Server to connect to instead."""
    reason = missing_programs("pgbouncer", "pgbench")
    if reason is None and os.geteuid() == 0:
        try:
            pwd.getpwnam(OS_USER)
        except KeyError:
            reason = f"running as root and there is no {OS_USER!r} OS user to run pgbouncer as"
        if shutil.which("runuser") is None:
            reason = "running as root and runuser is not available to run pgbouncer as another user"
    if reason is not None:
        pytest.skip(f"pgbouncer cannot run here ({reason}); Debian's package is pgbouncer")
    directory = Path(tempfile.mkdtemp(prefix="orbit-pgbouncer-"))
    port = free_port()
    config = directory / "pgbouncer.ini"
    config.write_text(
        f"[databases]\n{server.dbname} = host={server.host} port={server.port} dbname={server.dbname}"
        f" user={server.user}\n"
        "[pgbouncer]\n"
        f"listen_addr = 127.0.0.1\nlisten_port = {port}\nunix_socket_dir =\n"
        "auth_type = any\npool_mode = transaction\ndefault_pool_size = 3\nmax_client_conn = 50\n"
        "server_reset_query = DISCARD ALL\nserver_reset_query_always = 1\n"
        "server_check_delay = 0\nserver_check_query = SELECT 1\n"
        f"logfile = {directory / 'pgbouncer.log'}\n"
    )
    if os.geteuid() == 0:
        entry = pwd.getpwnam(OS_USER)
        for path in (directory, config):
            os.chown(path, entry.pw_uid, entry.pw_gid)
    process = subprocess.Popen(
        [*_as_user(), shutil.which("pgbouncer") or "pgbouncer", str(config)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_port("127.0.0.1", port, process=process, timeout=15)
        yield Server(server.kind, "127.0.0.1", port)
    finally:
        process.terminate()
        process.wait(10)
        log = directory / "pgbouncer.log"
        print(log.read_text() if log.exists() else "(no pgbouncer log)")
        shutil.rmtree(directory, ignore_errors=True)


@pytest.mark.parametrize("mode", ["simple", "extended"])
def test_pgbench_through_pgbouncer(server: Server, pgbouncer: Server, mode: str, tmp_path: Path) -> None:
    seed(server, [(f"user:{i}", "user", '{"balance": 0}') for i in range(1, USERS + 1)])
    script = tmp_path / "transfer.sql"
    script.write_text(
        f"\\set id random(1, {USERS})\n"
        "BEGIN;\n"
        """UPDATE actors SET state = jsonb_set(state, '{balance}', to_jsonb((state->>'balance')::int + 1))"""
        " WHERE actor_id = 'user:' || :id;\n"
        "SELECT state FROM actors WHERE actor_id = 'user:' || :id;\n"
        "END;\n"
    )
    run_pgbench(script, mode, pgbouncer.host, pgbouncer.port, server.user, server.dbname, CLIENTS, TRANSACTIONS)
    total = TRANSACTIONS * CLIENTS
    with psycopg.connect(server.dsn, autocommit=True) as conn:
        assert conn.execute("SELECT sum((state->>'balance')::int) FROM actors").fetchone() == (total,)


def test_sessions_do_not_leak_through_pgbouncer(pgbouncer: Server) -> None:
    """A SET or a LISTEN of one client does not follow its server connection to the next client."""
    with (
        psycopg.connect(pgbouncer.dsn, autocommit=True, prepare_threshold=None) as first,
        psycopg.connect(pgbouncer.dsn, autocommit=True, prepare_threshold=None) as second,
    ):
        for _ in range(10):
            first.execute("SET application_name = 'first'")
            first.execute("SELECT pg_advisory_lock(606)")
            assert second.execute("SHOW application_name").fetchone() != ("first",)
            assert second.execute("SELECT pg_try_advisory_lock(606)").fetchone() == (True,)
            second.execute("SELECT pg_advisory_unlock_all()")
