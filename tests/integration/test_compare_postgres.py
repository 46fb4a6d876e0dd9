"""Each statement of ``data/compare/*.sql`` gives the same answer on orbit-pg as on PostgreSQL 15.

Compared as psycopg sees them: command tag, column names and type OIDs, rows, and for errors the
SQLSTATE, message, position, detail, hint and context. Each corpus file runs, in order, on a fresh
orbit-pg and a fresh PostgreSQL database. PostgreSQL's answers are also kept beside the corpus
(``<name>.expected``), so the comparison still runs where PostgreSQL 15 is absent; where it is
present the kept answers must equal the live ones (``ORBITPG_RECORD=1`` rewrites them).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import psycopg
import pytest

from orbit_pg.testing import OrbitServer, ThrowawayPostgres

CORPUS = sorted((Path(__file__).parent / "data" / "compare").glob("*.sql"))


def statements(path: Path) -> list[str]:
    return [line for line in path.read_text().splitlines() if line.strip() and not line.startswith("--")]


def outcome(conn: psycopg.Connection, sql: str) -> str:
    """What a client sees, as text that equals for equal answers (values keep their Python types)."""
    try:
        cur = conn.execute(sql)
    except psycopg.Error as exc:
        d = exc.diag
        return repr(
            (
                "error",
                d.sqlstate,
                d.message_primary,
                d.statement_position,
                d.message_detail,
                d.message_hint,
                d.context,
            )
        )
    columns = [(c.name, c.type_code) for c in cur.description or []]
    return repr(("ok", cur.statusmessage, columns, cur.fetchall() if cur.description else None))


def answers(dsn: str, cases: list[str]) -> list[list[str]]:
    with psycopg.connect(dsn, autocommit=True) as conn:
        return [[sql, outcome(conn, sql)] for sql in cases]


def reference_answers(request: pytest.FixtureRequest, corpus: Path, cases: list[str]) -> list[list[str]]:
    """PostgreSQL's answers: live when it runs here (checked against the kept file), else the kept file."""
    kept_path = corpus.with_suffix(".expected")
    kept = json.loads(kept_path.read_text()) if kept_path.exists() else None
    if ThrowawayPostgres.available() is not None:
        if kept is None or [sql for sql, _ in kept] != cases:
            pytest.fail(f"{ThrowawayPostgres.available()}, and {kept_path.name} does not record this corpus")
        return kept
    postgres: ThrowawayPostgres = request.getfixturevalue("postgres_actors")
    live = answers(f"host=127.0.0.1 port={postgres.port} user=orbit dbname=actors", cases)
    if os.environ.get("ORBITPG_RECORD") == "1":
        kept_path.write_text(json.dumps(live, indent=0, ensure_ascii=False) + "\n")
    elif kept != live:
        pytest.fail(f"{kept_path.name} differs from PostgreSQL's live answers; rerun with ORBITPG_RECORD=1")
    return live


@pytest.mark.parametrize("corpus", CORPUS, ids=[path.stem for path in CORPUS])
def test_same_answers_as_postgresql(request: pytest.FixtureRequest, fresh_orbit: OrbitServer, corpus: Path) -> None:
    cases = statements(corpus)
    expected = reference_answers(request, corpus, cases)
    actual = answers(fresh_orbit.dsn, cases)
    differences = [(sql, want, got) for (sql, want), (_, got) in zip(expected, actual, strict=True) if want != got]
    assert differences == []
