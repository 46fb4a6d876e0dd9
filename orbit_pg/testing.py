"""Servers to talk to from tests and benchmarks: orbit-pg itself and a throwaway PostgreSQL 15.

PostgreSQL 15 is the reference for every behaviour, so tests and benchmarks run the same client code
against both. The helpers live in the package (not in ``tests/``) so that ``bench/`` can import them.
"""

from __future__ import annotations

import os
import pwd
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from typing_extensions import Self

__all__ = [
    "OrbitServer",
    "ServerError",
    "ThrowawayPostgres",
    "free_port",
    "pg_bin_dir",
    "wait_for_port",
]

LOCALHOST = "127.0.0.1"


class ServerError(RuntimeError):
    """A server failed to start or stop; the message carries its log, which says why."""


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that nothing listens on right now (the kernel picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOCALHOST, 0))
        port: int = sock.getsockname()[1]
        return port


def wait_for_port(
    host: str,
    port: int,
    timeout: float = 15.0,
    process: subprocess.Popen[bytes] | None = None,
) -> None:
    """Block until ``host:port`` accepts a connection.

    Give ``process`` to fail at once when the server exits instead of waiting out the timeout.
    """
    deadline = time.monotonic() + timeout
    while True:
        if process is not None and process.poll() is not None:
            raise ServerError(
                f"process {process.pid} exited with code {process.returncode} before {host}:{port} accepted connections"
            )
        try:
            with socket.create_connection((host, port), timeout=1.0):
                return
        except OSError as exc:
            if time.monotonic() >= deadline:
                raise TimeoutError(
                    f"{host}:{port} did not accept a connection within {timeout:g}s (last error: {exc})"
                ) from exc
        time.sleep(0.05)


def _taskset(cpus: str | None) -> list[str]:
    """Command prefix pinning a process (and the processes it starts) to ``cpus``."""
    return ["taskset", "-c", cpus] if cpus else []


class _Server:
    """``with`` starts the server and always cleans up, also when starting fails."""

    def start(self) -> Self:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> Self:
        try:
            return self.start()
        except BaseException:
            self.close()
            raise

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class OrbitServer(_Server):
    """orbit-pg run as a subprocess, the way a user runs it (``twist orbitpg``).

    The data directory outlives :meth:`restart` (that is what restart tests are for) and is
    removed on exit only when this object created it.
    """

    def __init__(
        self,
        data_dir: str | Path | None = None,
        extra_args: Sequence[str] = (),
        *,
        startup_timeout: float = 15.0,
        cpus: str | None = None,
        python: str | None = None,
    ) -> None:
        self._work_dir = Path(tempfile.mkdtemp(prefix="orbit-pg-"))
        self.python = python or sys.executable  # (a benchmark may compare interpreters)
        self.data_dir = self._work_dir / "data" if data_dir is None else Path(data_dir)
        self.extra_args = list(extra_args)
        self.startup_timeout = startup_timeout
        self.cpus = cpus
        self.log_path = self._work_dir / "orbit-pg.log"
        self.port = free_port()
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def dsn(self) -> str:
        """libpq keyword DSN for psycopg, pgbench (``psql "$dsn"``) and friends."""
        return f"host={LOCALHOST} port={self.port} user=orbit dbname=actors"

    @property
    def pid(self) -> int | None:
        """Process id of the running server, or None when stopped."""
        return None if self._process is None else self._process.pid

    def command(self) -> list[str]:
        """The command line that starts the server (``python -m twisted`` is ``twist``).

        ``twist`` logs JSON when stdout is not a terminal; text keeps :meth:`log_text` readable.
        """
        return [
            *_taskset(self.cpus),
            self.python,
            "-m",
            "twisted",
            "--log-format=text",
            "orbitpg",
            "--port",
            str(self.port),
            "--interface",
            LOCALHOST,
            "--data-dir",
            str(self.data_dir),
            *self.extra_args,
        ]

    def start(self) -> OrbitServer:
        """Start the server and return once its port accepts connections."""
        if self._process is not None:
            raise RuntimeError("orbit-pg is already running")
        self.data_dir.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("ab") as log:
            self._process = subprocess.Popen(
                self.command(),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        try:
            wait_for_port(LOCALHOST, self.port, self.startup_timeout, self._process)
        except (ServerError, TimeoutError) as exc:
            self.stop()
            raise ServerError(
                f"orbit-pg did not start: {exc}\ncommand: {' '.join(self.command())}\n"
                f"--- {self.log_path} ---\n{self.log_text()}"
            ) from exc
        return self

    def stop(self, timeout: float = 10.0) -> None:
        """SIGTERM (a clean shutdown), then SIGKILL if the server hangs."""
        process, self._process = self._process, None
        if process is None:
            return
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def restart(self) -> OrbitServer:
        """Stop and start again on the same port and data directory."""
        self.stop()
        return self.start()

    def log_text(self) -> str:
        """Everything the server wrote to stdout and stderr so far, across restarts."""
        try:
            return self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def cleanup(self) -> None:
        """Stop the server and remove the log, and the data directory when it is ours."""
        self.stop()
        shutil.rmtree(self._work_dir, ignore_errors=True)

    close = cleanup


def pg_bin_dir() -> Path:
    """Where the PostgreSQL 15 programs are: ``$PG_BIN`` or Debian's location."""
    return Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))


class ThrowawayPostgres(_Server):
    """A private PostgreSQL 15 cluster in a temporary directory, the reference to compare with.

    PostgreSQL refuses to run as root, so under root the cluster belongs to the ``postgres`` user.
    ``fsync`` stays on by default: benchmarks compare durable commits.
    """

    OS_USER = "postgres"

    def __init__(
        self,
        *,
        fsync: bool = True,
        settings: dict[str, str] | None = None,
        startup_timeout: float = 30.0,
        cpus: str | None = None,
    ) -> None:
        self.fsync = fsync
        self.settings = dict(settings or {})
        self.startup_timeout = startup_timeout
        self.cpus = cpus
        self.port = 0
        self.bin_dir = pg_bin_dir()
        self._dir: Path | None = None

    @classmethod
    def available(cls) -> str | None:
        """None when a cluster can be started here, else why not (for ``pytest.skip``)."""
        bin_dir = pg_bin_dir()
        for program in ("initdb", "pg_ctl", "postgres"):
            if not os.access(bin_dir / program, os.X_OK):
                return f"PostgreSQL program {bin_dir / program} not found (set PG_BIN)"
        if os.geteuid() == 0:
            try:
                pwd.getpwnam(cls.OS_USER)
            except KeyError:
                return f"running as root and there is no {cls.OS_USER!r} OS user to run PostgreSQL"
            if shutil.which("runuser") is None and shutil.which("su") is None:
                return "running as root and neither runuser nor su is available"
        return None

    @property
    def dsn(self) -> str:
        """libpq keyword DSN of the superuser's default database."""
        return f"host={LOCALHOST} port={self.port} user=postgres dbname=postgres"

    @property
    def data_dir(self) -> Path:
        """The cluster (PGDATA), inside the temporary directory that also holds the socket."""
        return self._required_dir() / "data"

    @property
    def log_path(self) -> Path:
        """The server log, for when a test wants to know what PostgreSQL said."""
        return self._required_dir() / "postgres.log"

    def _required_dir(self) -> Path:
        if self._dir is None:
            raise RuntimeError("the cluster is not started")
        return self._dir

    def _run(self, program: str, *args: str) -> None:
        """Run a PostgreSQL program, as the ``postgres`` user when we are root."""
        command = [str(self.bin_dir / program), *args]
        if os.geteuid() == 0:
            if shutil.which("runuser"):
                command = ["runuser", "-u", self.OS_USER, "--", *command]
            else:
                command = [
                    "su",
                    self.OS_USER,
                    "-c",
                    " ".join(map(shlex.quote, command)),
                ]
        result = subprocess.run(
            [*_taskset(self.cpus), *command],
            cwd=self._required_dir(),  # the postgres user may not be allowed into ours
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            check=False,
        )
        if result.returncode != 0:
            raise ServerError(
                f"{' '.join(command)} failed with code {result.returncode}:\n"
                f"{result.stdout.decode(errors='replace')}{self._server_log()}"
            )

    def _server_log(self) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except (FileNotFoundError, RuntimeError):
            return ""
        return f"--- {self.log_path} ---\n{text}"

    def start(self) -> ThrowawayPostgres:
        """initdb, then ``pg_ctl start`` on a free port, listening on 127.0.0.1 only."""
        reason = self.available()
        if reason is not None:
            raise ServerError(reason)
        if self._dir is not None:
            raise RuntimeError("the cluster is already started")
        self._dir = Path(tempfile.mkdtemp(prefix="throwaway-pg-"))
        if os.geteuid() == 0:
            shutil.chown(self._dir, self.OS_USER, self.OS_USER)
        self.port = free_port()
        self._run(
            "initdb",
            "-D",
            str(self.data_dir),
            "-A",
            "trust",
            "--locale=C",
            "-E",
            "UTF8",
            "-U",
            "postgres",
            "--no-sync",  # only the cluster's creation; the server's own fsync setting is separate
        )
        settings = {
            "listen_addresses": LOCALHOST,
            "port": str(self.port),
            "unix_socket_directories": str(self._dir),
            "fsync": "on" if self.fsync else "off",
            **self.settings,
        }
        options = " ".join(f"-c {name}={shlex.quote(value)}" for name, value in settings.items())
        self._run(
            "pg_ctl",
            "start",
            "-w",
            "-t",
            str(int(self.startup_timeout)),
            "-D",
            str(self.data_dir),
            "-l",
            str(self.log_path),
            "-o",
            options,
        )
        return self

    def stop(self) -> None:
        """Stop at once (nothing here is worth a checkpoint) and remove the cluster."""
        if self._dir is None:
            return
        try:
            if (self.data_dir / "postmaster.pid").exists():
                self._run("pg_ctl", "stop", "-m", "immediate", "-w", "-D", str(self.data_dir))
        finally:
            shutil.rmtree(self._dir, ignore_errors=True)
            self._dir = None

    close = stop
