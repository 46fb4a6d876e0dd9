"""COPY FROM STDIN and COPY TO STDOUT with psycopg and psql, on orbit-pg and PostgreSQL 15.

Every assertion holds on both servers: the formats byte for byte, and a bad row's error
(message, SQLSTATE, CONTEXT line) with nothing of the COPY written.
"""

from __future__ import annotations

import io
from pathlib import Path

import psycopg
import pytest
from drivers import Server, connect, missing_programs, run_program, table

PSQL = "/usr/lib/postgresql/15/bin/psql"


def copy_out(conn: psycopg.Connection, statement: str) -> bytes:
    out = io.BytesIO()
    with conn.cursor() as cur, cur.copy(statement) as copy:
        for data in copy:
            out.write(data)
    return out.getvalue()


def copy_in(conn: psycopg.Connection, statement: str, data: bytes) -> str:
    with conn.cursor() as cur:
        with cur.copy(statement) as copy:
            copy.write(data)
        return cur.statusmessage or ""


def test_text_format_both_ways(server: Server) -> None:
    data = (
        b'a:1\tuser\t{"b": 1, "a": [true, null]}\n'
        b"a:2\tuser\t\\N\n"
        b'a:\\t3\\\\x\tline\\nbreak\t"s"\n'
        b"a:4\t\\x41\\101\\q\t{}\n"
    )
    with connect(server) as conn:
        assert copy_in(conn, "COPY actors FROM STDIN", data) == "COPY 4"
        assert table(server) == [
            ("a:\t3\\x", "line\nbreak", '"s"'),
            ("a:1", "user", '{"a": [true, null], "b": 1}'),
            ("a:2", "user", None),
            ("a:4", "AAq", "{}"),
        ]
        assert copy_out(conn, "COPY (SELECT * FROM actors ORDER BY actor_id) TO STDOUT") == (
            b'a:\\t3\\\\x\tline\\nbreak\t"s"\na:1\tuser\t{"a": [true, null], "b": 1}\na:2\tuser\t\\N\na:4\tAAq\t{}\n'
        )
        assert copy_out(conn, "COPY actors (actor_type, actor_id) TO STDOUT WITH (DELIMITER '|', NULL 'nil')") in (
            b"line\\nbreak|a:\\t3\\\\x\nuser|a:1\nuser|a:2\nAAq|a:4\n",  # orbit-pg: in key order
            b"user|a:1\nuser|a:2\nline\\nbreak|a:\\t3\\\\x\nAAq|a:4\n",  # PostgreSQL: as inserted
        )
        assert copy_out(conn, "COPY (SELECT actor_id, state FROM actors WHERE actor_id = 'a:2') TO STDOUT") == (
            b"a:2\t\\N\n"
        )
        # End-of-data marker, and a column list that leaves state NULL.
        assert copy_in(conn, "COPY actors (actor_type, actor_id) FROM STDIN", b"t\tb:1\n\\.\nignored\n") == "COPY 1"
        assert table(server)[-1] == ("b:1", "t", None)


def test_csv_format_both_ways(server: Server) -> None:
    data = b'actor_id,actor_type,state\nc:1,"two\nlines","{""k"": ""v, w""}"\n"c,2",,\nc:3,"",[]\n'
    with connect(server) as conn:
        # actor_type of c,2 is NULL: not allowed
        with pytest.raises(psycopg.errors.NotNullViolation) as caught:
            copy_in(conn, "COPY actors FROM STDIN WITH (FORMAT csv, HEADER true)", data)
        assert caught.value.diag.context == 'COPY actors, line 4: ""c,2",,"'
        assert table(server) == []
        data = data.replace(b'"c,2",,', b'"c,2",t,')
        assert copy_in(conn, "COPY actors FROM STDIN WITH (FORMAT csv, HEADER true)", data) == "COPY 3"
        assert table(server) == [
            ("c,2", "t", None),
            ("c:1", "two\nlines", '{"k": "v, w"}'),
            ("c:3", "", "[]"),
        ]
        expected = b'actor_id,actor_type,state\n"c,2",t,\nc:1,"two\nlines","{""k"": ""v, w""}"\nc:3,"",[]\n'
        # psql's \copy sends the old option syntax.
        assert copy_out(conn, "COPY (SELECT * FROM actors ORDER BY actor_id) TO STDOUT csv header") == expected
        assert (
            copy_out(
                conn,
                "COPY (SELECT * FROM actors ORDER BY actor_id) TO STDOUT "
                "WITH (FORMAT csv, FORCE_QUOTE (actor_id), QUOTE '''', DELIMITER ';')",
            )
            == b"'c,2';t;\n'c:1';'two\nlines';{\"k\": \"v, w\"}\n'c:3';'';[]\n"
        )
        # An escape apart from the quote doubles itself and goes before each quote.
        conn.execute("""INSERT INTO actors VALUES ('c:4', 'back\\slash "q"', '["\\\\"]')""")
        assert (
            copy_out(
                conn, "COPY (SELECT * FROM actors WHERE actor_id = 'c:4') TO STDOUT WITH (FORMAT csv, ESCAPE '\\')"
            )
            == b'c:4,"back\\\\slash \\"q\\"","[\\"\\\\\\\\\\"]"\n'
        )


def test_binary_format_both_ways(server: Server) -> None:
    rows = [("bin:1", "user", {"n": 1, "s": "é"}), ("bin:2", "user", None)]
    with connect(server) as conn, conn.cursor() as cur:
        with cur.copy("COPY actors FROM STDIN (FORMAT binary)") as copy:
            copy.set_types(["text", "text", "jsonb"])
            for row in rows:
                copy.write_row(row)
        assert cur.statusmessage == "COPY 2"
        with cur.copy("COPY (SELECT * FROM actors ORDER BY actor_id) TO STDOUT (FORMAT binary)") as copy:
            copy.set_types(["text", "text", "jsonb"])
            assert list(copy.rows()) == rows
        raw = copy_out(conn, "COPY (SELECT actor_id FROM actors WHERE actor_id = 'none') TO STDOUT (FORMAT binary)")
        assert raw == b"PGCOPY\n\xff\r\n\x00" + bytes(8) + b"\xff\xff"


@pytest.mark.parametrize(
    ("data", "sqlstate", "message", "context"),
    [
        (b"x:1\tt\t{}\nx:2\tt\t{bad\n", "22P02", "invalid input syntax for type json", 'column state: "{bad"'),
        (b"x:1\tt\t{}\nx:2\tt\n", "22P04", 'missing data for column "state"', 'COPY actors, line 2: "x:2\tt"'),
        (b"x:1\tt\t{}\t9\n", "22P04", "extra data after last expected column", 'COPY actors, line 1: "x:1\tt\t{}\t9"'),
        (b"x:1\tt\t{}\nx:1\tt\t{}\n", "23505", "duplicate key value violates unique constraint", "COPY actors, line 2"),
        (b"x:1\t\\N\t{}\n", "23502", 'null value in column "actor_type"', 'COPY actors, line 1: "x:1\t\\N\t{}"'),
    ],
)
def test_a_bad_row_aborts_the_copy(server: Server, data: bytes, sqlstate: str, message: str, context: str) -> None:
    lines = b"".join(b"ok:%d\tt\t{}\n" % i for i in range(15))
    with connect(server) as conn:
        with pytest.raises(psycopg.Error) as caught:
            copy_in(conn, "COPY actors FROM STDIN", lines + data)
        error = caught.value
        assert error.sqlstate == sqlstate
        assert str(error).startswith(message)
        assert (error.diag.context or "").endswith(context.replace("line 1", "line 16").replace("line 2", "line 17"))
        assert conn.execute("SELECT 1").fetchone() == (1,)
    assert table(server) == []


def test_copy_fail_and_errors(server: Server) -> None:
    with connect(server) as conn:
        with pytest.raises(ValueError):  # psycopg sends CopyFail and re-raises
            with conn.cursor() as cur, cur.copy("COPY actors FROM STDIN") as copy:
                copy.write(b"f:1\tt\t{}\n")
                raise ValueError("client gave up")
        assert table(server) == []
        assert conn.execute("SELECT 1").fetchone() == (1,)
        with pytest.raises(psycopg.errors.UndefinedColumn, match='column "nope" of relation "actors" does not exist'):
            copy_in(conn, "COPY actors (nope) FROM STDIN", b"")
        with pytest.raises(psycopg.errors.FeatureNotSupported, match="COPY quote available only in CSV mode"):
            copy_in(conn, "COPY actors FROM STDIN WITH (QUOTE '\"')", b"")
        with pytest.raises(psycopg.errors.InvalidParameterValue, match='COPY format "xml" not recognized'):
            copy_out(conn, "COPY actors TO STDOUT (FORMAT xml)")


def test_psql_copy_round_trip_100000(server: Server, tmp_path: Path) -> None:
    reason = missing_programs(PSQL)
    if reason:
        pytest.skip(reason)
    count = 100_000
    data = "".join(f'psql:{i:06}\ttype{i % 7}\t{{"i": {i}, "tag": "t,{i}"}}\n' for i in range(count)).encode()
    with connect(server, seconds=120) as conn:
        assert copy_in(conn, "COPY actors FROM STDIN", data) == f"COPY {count}"
    path = tmp_path / "f.csv"
    psql = [PSQL, "-X", "-v", "ON_ERROR_STOP=1", "-h", server.host, "-p", str(server.port), "-U", server.user]
    psql += ["-d", server.dbname]
    out = run_program([*psql, "-c", f"\\copy actors to '{path}' csv header"])
    assert out.stdout.strip() == f"COPY {count}"
    exported = path.read_bytes()
    assert exported.startswith(b"actor_id,actor_type,state\n")
    assert exported.count(b"\n") == count + 1
    with connect(server) as conn:
        conn.execute("DELETE FROM actors")
    out = run_program([*psql, "-c", f"\\copy actors from '{path}' csv header"])
    assert out.stdout.strip() == f"COPY {count}"
    with connect(server, seconds=120) as conn:
        assert copy_out(conn, "COPY (SELECT * FROM actors ORDER BY actor_id) TO STDOUT") == data
