"""Helpers for the driver tests: one description of a server, whichever it is, and bounded clients.

Each driver test runs the same assertions against orbit-pg and a throwaway PostgreSQL 15, so the
PostgreSQL run proves the assertions right and the orbit-pg run measures orbit-pg against them.
Setting up and inspecting the table goes through the simple query protocol only (psycopg without
parameters), so that what a test exercises is the driver's own traffic, not the fixture's.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import threading
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
import pytest

HOST = "127.0.0.1"
USER = "orbit"
DBNAME = "actors"

# Seconds: connecting, one statement, one whole client program (compile, JVM start, run).
CONNECT_TIMEOUT = 5
STATEMENT_TIMEOUT = 20.0
PROGRAM_TIMEOUT = 120.0

KINDS = ("orbit", "postgres")

HERE = Path(__file__).parent


@dataclass(frozen=True)
class Server:
    """Where a driver connects: the same role and database on both kinds of server."""

    kind: str  # "orbit" or "postgres"
    host: str
    port: int
    user: str = USER
    dbname: str = DBNAME

    @property
    def dsn(self) -> str:
        """libpq keyword DSN (psycopg, pgbench, psql)."""
        return f"host={self.host} port={self.port} user={self.user} dbname={self.dbname}"

    @property
    def jdbc_url(self) -> str:
        """pgjdbc URL; the timeouts keep a silent server from hanging the JVM."""
        return (
            f"jdbc:postgresql://{self.host}:{self.port}/{self.dbname}"
            f"?user={self.user}&connectTimeout={CONNECT_TIMEOUT}&socketTimeout={int(STATEMENT_TIMEOUT)}"
            f"&loginTimeout={CONNECT_TIMEOUT * 2}"
        )


def new_id(prefix: str = "user") -> str:
    """An actor id no other test uses, in the ``type:key`` shape of the README."""
    return f"{prefix}:{uuid.uuid4().hex[:12]}"


# --- setup and checks: psycopg, and the simple query protocol when given no parameters -------------------------


@contextmanager
def connect(server: Server, seconds: float = STATEMENT_TIMEOUT, **kwargs: Any) -> Iterator[psycopg.Connection]:
    """A psycopg connection (autocommit unless told otherwise) that cannot hang the test.

    libpq's connect_timeout bounds the startup; the watchdog bounds everything after it,
    including the COMMIT that leaving the block sends when autocommit is off.
    """
    kwargs.setdefault("autocommit", True)
    conn = psycopg.connect(server.dsn, connect_timeout=CONNECT_TIMEOUT, **kwargs)
    try:
        with watchdog(conn.fileno(), seconds), conn:
            yield conn
    finally:
        conn.close()


def simple_connect(server: Server) -> AbstractContextManager[psycopg.Connection]:
    """A connection for setup and checks; use it without parameters only (the simple protocol)."""
    return connect(server)


def quote(value: str | None) -> str:
    """A SQL literal (standard_conforming_strings is on on both servers)."""
    return "NULL" if value is None else "'" + value.replace("'", "''") + "'"


def seed(server: Server, rows: Sequence[tuple[str, str, str | None]]) -> None:
    """Insert ``(actor_id, actor_type, state json text)`` rows with one simple-protocol INSERT."""
    if not rows:
        return
    values = ", ".join(f"({quote(a)}, {quote(t)}, {quote(s)})" for a, t, s in rows)
    with simple_connect(server) as conn:
        conn.execute(f"INSERT INTO actors (actor_id, actor_type, state) VALUES {values}")


def table(server: Server) -> list[tuple[str, str, str | None]]:
    """The whole table as ``(actor_id, actor_type, state text)``, ordered by actor_id."""
    with simple_connect(server) as conn:
        rows = conn.execute("SELECT actor_id, actor_type, state::text FROM actors ORDER BY actor_id").fetchall()
    return [tuple(row) for row in rows]  # type: ignore[misc]


def clear(server: Server) -> None:
    with simple_connect(server) as conn:
        conn.execute("DELETE FROM actors")


# --- keeping clients bounded in time ----------------------------------------------------------------------------


@contextmanager
def watchdog(fileno: int, seconds: float = STATEMENT_TIMEOUT) -> Iterator[None]:
    """Shut the socket down if the block takes longer than ``seconds``.

    psycopg has no client-side read timeout: a server that never answers (say, one that forgets
    ReadyForQuery after Sync) would block the test forever. Shutting the socket down makes the
    pending read see EOF, so the client raises instead of hanging.
    """
    fired = threading.Event()

    def fire() -> None:
        fired.set()
        try:
            sock = socket.socket(fileno=socket.dup(fileno))
        except OSError:
            return
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        finally:
            sock.close()

    timer = threading.Timer(seconds, fire)
    timer.daemon = True
    timer.start()
    message = f"the client did not finish within {seconds:g}s; its socket was shut down"
    try:
        yield
    except Exception:
        if fired.is_set():
            pytest.fail(message)
        raise
    finally:
        timer.cancel()
    if fired.is_set():
        pytest.fail(message)


# --- external client programs -----------------------------------------------------------------------------------


def missing_programs(*names: str) -> str | None:
    """None when every program is on PATH, else a reason for ``pytest.skip``."""
    missing = [name for name in names if shutil.which(name) is None]
    return f"not on PATH: {', '.join(missing)}" if missing else None


def run_program(
    command: Sequence[str],
    *,
    timeout: float = PROGRAM_TIMEOUT,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run a client program; fail the test with its output when it exits non-zero or times out."""
    try:
        completed = subprocess.run(
            list(command),
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            encoding="utf-8",
            errors="replace",
            timeout=timeout,
        )
    except subprocess.TimeoutExpired as exc:
        pytest.fail(
            f"{' '.join(command)} did not finish within {timeout:g}s\n"
            f"--- stdout ---\n{_text(exc.stdout)}\n--- stderr ---\n{_text(exc.stderr)}"
        )
    if completed.returncode != 0:
        pytest.fail(
            f"{' '.join(command)} exited with code {completed.returncode}\n"
            f"--- stdout ---\n{completed.stdout}\n--- stderr ---\n{completed.stderr}"
        )
    return completed


def _text(output: str | bytes | None) -> str:
    if output is None:
        return ""
    return output.decode(errors="replace") if isinstance(output, bytes) else output


def compile_java(directory: Path, source: Path, jar: Path) -> str:
    """``source`` compiled against pgjdbc's ``jar`` into ``directory``; the classpath to run it with.
    Skips when the JDK or the jar is missing."""
    reason = missing_programs("javac", "java")
    if reason is not None:
        pytest.skip(reason)
    if not jar.is_file():
        pytest.skip(f"pgjdbc jar {jar} not found (apt-get install libpostgresql-jdbc-java, or set PGJDBC_JAR)")
    run_program(["javac", "-encoding", "UTF-8", "-d", str(directory), "-cp", str(jar), str(source)])
    return f"{directory}{os.pathsep}{jar}"


async def asyncpg_connect(server: Server) -> Any:
    """An asyncpg connection to ``server`` with the suite's connect and statement timeouts."""
    import asyncpg

    return await asyncpg.connect(
        host=server.host,
        port=server.port,
        user=server.user,
        database=server.dbname,
        timeout=5,
        command_timeout=STATEMENT_TIMEOUT,
    )


def json_lines(stdout: str) -> list[dict[str, Any]]:
    """The JSON objects a client program printed, one a line (other lines are ignored)."""
    return [json.loads(line) for line in stdout.splitlines() if line.startswith("{")]


def run_pgbench(
    script: Path, mode: str, host: str, port: int, user: str, dbname: str, clients: int, transactions: int
) -> subprocess.CompletedProcess[str]:
    """``pgbench -n`` with a custom script: every transaction processed and none failed."""
    completed = run_program(
        [
            "pgbench",
            "-n",
            "-M",
            mode,
            "-t",
            str(transactions),
            "-c",
            str(clients),
            "--random-seed=1",
            "-h",
            host,
            "-p",
            str(port),
            "-U",
            user,
            "-f",
            str(script),
            dbname,
        ],
        timeout=120,
    )
    total = transactions * clients
    assert f"number of transactions actually processed: {total}/{total}\n" in completed.stdout
    assert re.search(r"^number of failed transactions: 0 \(", completed.stdout, re.M), completed.stdout
    return completed


def in_thread(function: Callable[[], Any]) -> tuple[threading.Thread, list[Any]]:
    """Run ``function`` in a thread; its result or exception lands in the returned list."""
    outcome: list[Any] = []

    def run() -> None:
        try:
            outcome.append(function())
        except Exception as exc:
            outcome.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, outcome
