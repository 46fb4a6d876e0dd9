"""A Bind as libpq sends it from PQexecPrepared: no parameter format codes (all text) and one
result format code. orbit-pg reads that shape in a few steps for a prepared read or write run at
once; here a real libpq (psycopg's ``pgconn``, which passes no formats) checks that the answers
are PostgreSQL's, and that a Bind off that shape (a NULL, a bad value) is answered as the general
path answers it."""

from __future__ import annotations

from drivers import Server, connect, new_id, seed, table
from psycopg import pq

POINT = b"SELECT actor_id, actor_type, state::text FROM actors WHERE actor_id = $1"
TYPE = b"SELECT actor_id, state::text FROM actors WHERE actor_type = $1 ORDER BY actor_id LIMIT 2"
INSERT = b"INSERT INTO actors (actor_id, actor_type, state) VALUES ($1, $2, $3)"


def rows(result: pq.abc.PGresult) -> list[tuple[str | None, ...]]:
    assert result.status == pq.ExecStatus.TUPLES_OK, result.error_message
    return [
        tuple(None if v is None else v.decode() for v in (result.get_value(r, c) for c in range(result.nfields)))
        for r in range(result.ntuples)
    ]


def test_prepared_reads_and_writes_bound_as_libpq_sends_them(server: Server) -> None:
    kind = new_id("libpq").replace(":", "-")
    seed(server, [(f"{kind}:1", kind, '{"n": 1}'), (f"{kind}:2", kind, None), (f"{kind}:3", kind, "[]")])
    with connect(server) as conn:
        pgconn = conn.pgconn
        for name, text in ((b"point", POINT), (b"type", TYPE), (b"insert", INSERT)):
            assert pgconn.prepare(name, text).status == pq.ExecStatus.COMMAND_OK
        assert rows(pgconn.exec_prepared(b"point", [f"{kind}:1".encode()])) == [(f"{kind}:1", kind, '{"n": 1}')]
        assert rows(pgconn.exec_prepared(b"point", [b"nobody"])) == []
        assert rows(pgconn.exec_prepared(b"type", [kind.encode()])) == [(f"{kind}:1", '{"n": 1}'), (f"{kind}:2", None)]
        inserted = pgconn.exec_prepared(b"insert", [f"{kind}:4".encode(), kind.encode(), b'{"n": 4}'])
        assert inserted.status == pq.ExecStatus.COMMAND_OK, inserted.error_message
        assert inserted.command_status == b"INSERT 0 1"
        # Off the shape: a NULL parameter, read by the general decoder.
        assert rows(pgconn.exec_prepared(b"point", [None])) == []
        inserted = pgconn.exec_prepared(b"insert", [f"{kind}:5".encode(), kind.encode(), None])
        assert inserted.command_status == b"INSERT 0 1"
        # A value that does not convert: the general path's error, with its CONTEXT line.
        failed = pgconn.exec_prepared(b"insert", [f"{kind}:6".encode(), kind.encode(), b"{not json"])
        assert failed.status == pq.ExecStatus.FATAL_ERROR
        assert failed.error_field(pq.DiagnosticField.SQLSTATE) == b"22P02"
        assert failed.error_field(pq.DiagnosticField.CONTEXT).startswith(b"JSON data, line 1:")
        assert failed.error_field(pq.DiagnosticField.CONTEXT).endswith(b"unnamed portal parameter $3 = '...'")
        bad_utf8 = pgconn.exec_prepared(b"point", [b"\xff"])
        assert bad_utf8.error_field(pq.DiagnosticField.SQLSTATE) == b"22021"
        assert bad_utf8.error_field(pq.DiagnosticField.CONTEXT) == b"unnamed portal parameter $1"
        assert rows(pgconn.exec_prepared(b"point", [f"{kind}:4".encode()])) == [(f"{kind}:4", kind, '{"n": 4}')]
    mine = [row for row in table(server) if row[1] == kind]
    assert [row[0] for row in mine] == [f"{kind}:{n}" for n in (1, 2, 3, 4, 5)]
    assert mine[4][2] is None
