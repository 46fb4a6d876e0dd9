"""Whole rows go out as they are stored: a data directory an earlier build wrote (row format 1)
is upgraded once when the server opens it, and psycopg then reads every row as written, in text
(sent as stored), in binary (decoded and encoded) and through a simple Query alike."""

from __future__ import annotations

import json
from pathlib import Path

import psycopg
from format_1 import ROWS, write_format_1

from orbit_pg.testing import OrbitServer

SELECT = "SELECT * FROM actors WHERE actor_type = %s LIMIT 8"


def expected(actor_type: str) -> list[tuple[str, str, object]]:
    """The first 8 rows of the type in actor_id order (UTF-8 byte order is code point order),
    the states as psycopg loads jsonb."""
    rows = sorted(row for row in ROWS if row[1] == actor_type)[:8]
    return [(a, t, None if s is None else json.loads(s)) for a, t, s in rows]


def test_an_earlier_builds_rows_read_as_written(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    write_format_1(data, ROWS)
    with OrbitServer(data_dir=data) as server:
        for _ in range(2):  # (the restart finds the format recorded: one rewrite in all)
            with psycopg.connect(server.dsn, autocommit=True) as conn:
                for actor_type in ("user", "t\u00e9", "", "none"):
                    rows = expected(actor_type)
                    assert conn.execute(SELECT, (actor_type,)).fetchall() == rows
                    assert conn.execute(SELECT, (actor_type,), prepare=True).fetchall() == rows
                    assert conn.cursor(binary=True).execute(SELECT, (actor_type,)).fetchall() == rows
                    assert psycopg.ClientCursor(conn).execute(SELECT, (actor_type,)).fetchall() == rows
            server.restart()
        assert server.log_text().count(f"rewrote {len(ROWS)} rows of") == 1
