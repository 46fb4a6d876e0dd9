"""psql 15's describe commands print what they print against PostgreSQL 15 holding the same table.

Each command's output is kept in ``data/psql_catalog/<name>.out`` as PostgreSQL printed it, with
these normalisations, applied to both servers' output because the values must differ:
- ``\\l``, ``\\du`` and ``\\dt+`` are compared unaligned (``-A``), so that rows only PostgreSQL has
  (its ``postgres``/``template`` databases and ``postgres`` role) and sizes (LMDB's, not PostgreSQL's
  heap pages) do not change the column widths; those rows are dropped, the row count line with them,
  and the Size column reads ``<size>``;
- ``\\conninfo``'s port reads ``<port>``.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import psycopg
import pytest

from orbit_pg.testing import OrbitServer, ThrowawayPostgres

DATA = Path(__file__).parent / "data" / "psql_catalog"
# name of the kept file → (psql command, unaligned)
COMMANDS = {
    "d": ("\\d", False),
    "dt": ("\\dt", False),
    "dt_plus": ("\\dt+", True),
    "d_actors": ("\\d actors", False),
    "d_plus_actors": ("\\d+ actors", False),
    "di": ("\\di", False),
    "dn": ("\\dn", False),
    "du": ("\\du", True),
    "l": ("\\l", True),
    "dT": ("\\dT", False),
    "df": ("\\df", False),
    "dv": ("\\dv", False),
    "ds": ("\\ds", False),
    "conninfo": ("\\conninfo", False),
    "x_select": ("\\x\nSELECT 1 AS a, 'x' AS b;", False),
}

pytestmark = pytest.mark.skipif(shutil.which("psql") is None, reason="psql is not installed")


def psql(port: int, command: str, unaligned: bool) -> str:
    completed = subprocess.run(
        [
            "psql",
            "-h",
            "127.0.0.1",
            "-p",
            str(port),
            "-U",
            "orbit",
            "-d",
            "actors",
            "-X",
            *(["-A"] if unaligned else []),
        ],
        input=command + "\n",
        capture_output=True,
        text=True,
        timeout=60,
        env={"PGCLIENTENCODING": "UTF8", "PATH": "/usr/bin:/bin", "LC_ALL": "C.UTF-8"},
    )
    output = (completed.stdout + completed.stderr).replace(f'port "{port}"', 'port "<port>"')
    return normalise_unaligned(output) if unaligned else output


def normalise_unaligned(output: str) -> str:
    """Rows only PostgreSQL has and the row count go; sizes read <size> (the module docstring says why)."""
    lines = output.splitlines()
    header = lines[1].split("|")
    kept: list[str] = []
    dropping = False  # a dropped row's multi-line cells continue on the lines after it
    for line in lines:
        if re.fullmatch(r"\(\d+ rows?\)", line):
            continue
        cells = line.split("|")
        if len(cells) == len(header) and cells != header:
            dropping = (header[0] == "Name" and "Encoding" in header and cells[0] != "actors") or (
                header[0] == "Role name" and cells[0] != "orbit"
            )
            if "Size" in header:
                cells[header.index("Size")] = "<size>"
        if not dropping:
            kept.append("|".join(cells))
    return "\n".join(kept) + "\n"


def _reads_catalogs(port: int) -> bool:
    with psycopg.connect(f"host=127.0.0.1 port={port} user=orbit dbname=actors", autocommit=True) as conn:
        try:
            conn.execute("SELECT 1 FROM pg_catalog.pg_namespace")
        except psycopg.errors.UndefinedTable:
            return False
    return True


def differences(port: int) -> list[tuple[str, str, str]]:
    """(command, kept output, this server's output) for each command whose output differs."""
    found = []
    for name, (command, unaligned) in COMMANDS.items():
        kept, printed = (DATA / f"{name}.out").read_text(), psql(port, command, unaligned)
        if printed != kept:
            found.append((command, kept, printed))
    return found


def test_psql_describes_orbit_pg_as_postgresql(fresh_orbit: OrbitServer) -> None:
    if not _reads_catalogs(fresh_orbit.port):
        pytest.skip("the query engine does not read catalog relations yet (issue 4 item 7)")
    assert differences(fresh_orbit.port) == []


def test_kept_output_is_what_postgresql_prints(postgres_actors: ThrowawayPostgres) -> None:
    assert differences(postgres_actors.port) == []
