"""Each statement of ``data/compare_cases.sql`` gives the same answer on orbit-pg as on PostgreSQL 15.

Compared as psycopg sees them: command tag, column names and type OIDs, rows, and for errors the
SQLSTATE, message, position, detail, hint and context.
"""

from __future__ import annotations

from pathlib import Path

import psycopg

from orbit_pg.testing import OrbitServer, ThrowawayPostgres

CASES = [
    line
    for line in (Path(__file__).parent / "data" / "compare_cases.sql").read_text().splitlines()
    if line.strip() and not line.startswith("--")
]


def outcome(conn: psycopg.Connection, sql: str) -> tuple:
    try:
        cur = conn.execute(sql)
    except psycopg.Error as exc:
        d = exc.diag
        return (
            "error",
            d.sqlstate,
            d.message_primary,
            d.statement_position,
            d.message_detail,
            d.message_hint,
            d.context,
        )
    columns = [(c.name, c.type_code) for c in cur.description or []]
    return ("ok", cur.statusmessage, columns, cur.fetchall() if cur.description else None)


def test_same_answers_as_postgresql(fresh_orbit: OrbitServer, postgres_actors: ThrowawayPostgres) -> None:
    reference_dsn = f"host=127.0.0.1 port={postgres_actors.port} user=orbit dbname=actors"
    with (
        psycopg.connect(reference_dsn, autocommit=True) as reference,
        psycopg.connect(fresh_orbit.dsn, autocommit=True) as orbit,
    ):
        differences = [
            (sql, expected, actual)
            for sql in CASES
            if (expected := outcome(reference, sql)) != (actual := outcome(orbit, sql))
        ]
    assert differences == []
