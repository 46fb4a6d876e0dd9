"""psql, run as a user would, prints exactly what it prints against PostgreSQL 15."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from orbit_pg.testing import OrbitServer, ThrowawayPostgres

DATA = Path(__file__).parent / "data"
SCRIPT = DATA / "psql_session.sql"

pytestmark = pytest.mark.skipif(shutil.which("psql") is None, reason="psql is not installed")


def run_psql(port: int, user: str = "orbit", dbname: str = "actors") -> tuple[str, str]:
    """Run the session file the way a user would; stdout and stderr are compared separately."""
    completed = subprocess.run(
        ["psql", "-h", "127.0.0.1", "-p", str(port), "-U", user, "-d", dbname, "-X", "-a", "-f", SCRIPT.name],
        cwd=DATA,
        capture_output=True,
        text=True,
        timeout=60,
        env={"PGCLIENTENCODING": "UTF8", "PATH": "/usr/bin:/bin", "LC_ALL": "C.UTF-8"},
    )
    return completed.stdout, completed.stderr


def test_psql_session_matches_postgresql_output(fresh_orbit: OrbitServer) -> None:
    stdout, stderr = run_psql(fresh_orbit.port)
    assert stdout == (DATA / "psql_session.expected.out").read_text()
    assert stderr == (DATA / "psql_session.expected.err").read_text()


def test_expected_output_is_what_postgresql_prints(postgres_actors: ThrowawayPostgres) -> None:
    """The fixture above was recorded from PostgreSQL 15; re-record it live to keep it honest."""
    stdout, stderr = run_psql(postgres_actors.port)
    assert stdout == (DATA / "psql_session.expected.out").read_text()
    assert stderr == (DATA / "psql_session.expected.err").read_text()
