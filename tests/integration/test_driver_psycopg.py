"""psycopg 3 with parameters: the extended query protocol as libpq speaks it, on orbit-pg and PostgreSQL 15.

What psycopg sends (seen on PostgreSQL 15): ``execute`` with parameters is Parse (unnamed; str as
unknown 0, ``Jsonb`` as 3802, an int as int2/int4/int8 in binary) + Bind + Describe portal + Execute
+ Sync; ``prepare=True`` parses a named ``_pg3_N`` statement once and then sends only
Bind/Describe/Execute/Sync; pipeline mode sends several such groups and one Sync at the end.
"""

from __future__ import annotations

import psycopg
import pytest
from drivers import Server, connect, new_id, seed, table
from psycopg import pq
from psycopg.types.json import Jsonb

TEXT, INT2, INT4, INT8, JSONB = 25, 21, 23, 20, 3802

SELECT_ONE = "SELECT actor_id, actor_type, state FROM actors WHERE actor_id = %s"
INSERT = "INSERT INTO actors (actor_id, actor_type, state) VALUES (%s, %s, %s)"


def test_execute_insert_select_update_delete(server: Server) -> None:
    actor = new_id()
    with connect(server) as conn:
        cur = conn.execute(INSERT, [actor, "user", Jsonb({"name": "Ada", "balance": 100})])
        assert (cur.statusmessage, cur.rowcount, cur.description) == ("INSERT 0 1", 1, None)

        cur = conn.execute(SELECT_ONE, [actor])
        assert [(d.name, d.type_code) for d in cur.description] == [
            ("actor_id", TEXT),
            ("actor_type", TEXT),
            ("state", JSONB),
        ]
        assert cur.fetchall() == [(actor, "user", {"name": "Ada", "balance": 100})]
        assert cur.statusmessage == "SELECT 1"

        cur = conn.execute(
            "UPDATE actors SET state = %s WHERE actor_id = %s", [Jsonb({"name": "Ada", "balance": 150}), actor]
        )
        assert (cur.statusmessage, cur.rowcount) == ("UPDATE 1", 1)
        assert conn.execute("SELECT state FROM actors WHERE actor_id = %s", [actor]).fetchone() == (
            {"name": "Ada", "balance": 150},
        )
        cur = conn.execute("UPDATE actors SET state = %s WHERE actor_id = %s", [None, "user:nobody"])
        assert (cur.statusmessage, cur.rowcount) == ("UPDATE 0", 0)

        cur = conn.execute("DELETE FROM actors WHERE actor_id = %s", [actor])
        assert (cur.statusmessage, cur.rowcount) == ("DELETE 1", 1)
        cur = conn.execute(SELECT_ONE, [actor])
        assert (cur.fetchall(), cur.statusmessage) == ([], "SELECT 0")
        assert [d.name for d in cur.description] == ["actor_id", "actor_type", "state"]

        # A NULL parameter stores NULL; the row reads back with None.
        conn.execute(INSERT, [actor, "user", None])
        assert conn.execute(SELECT_ONE, [actor]).fetchall() == [(actor, "user", None)]
    assert table(server) == [(actor, "user", None)]


def test_executemany_inserts_100_rows(server: Server) -> None:
    rows = [(f"user:{i:03d}", "user", Jsonb({"n": i})) for i in range(100)]
    with connect(server) as conn:
        cur = conn.cursor()
        cur.executemany(INSERT, rows)
        assert cur.rowcount == 100
        cur.executemany(
            "UPDATE actors SET actor_type = %s WHERE actor_id = %s",
            [("vip", f"user:{i:03d}") for i in range(0, 100, 10)],
        )
        assert cur.rowcount == 10
    stored = table(server)
    assert len(stored) == 100
    assert stored[:2] == [("user:000", "vip", '{"n": 0}'), ("user:001", "user", '{"n": 1}')]
    assert stored[-1] == ("user:099", "user", '{"n": 99}')
    assert sum(1 for _, actor_type, _ in stored if actor_type == "vip") == 10


def test_prepared_statements_are_reused(server: Server) -> None:
    ids = [f"user:{i}" for i in range(10)]
    seed(server, [(actor, "user", f'{{"n": {n}}}') for n, actor in enumerate(ids)])
    with connect(server) as conn:
        for _ in range(2):
            for n, actor in enumerate(ids):
                assert conn.execute(SELECT_ONE, [actor], prepare=True).fetchall() == [(actor, "user", {"n": n})]
        assert conn.execute(SELECT_ONE, ["user:nobody"], prepare=True).fetchall() == []

    # prepare_threshold=0: every statement is prepared on its first execution, writes included.
    with connect(server, prepare_threshold=0) as conn:
        assert conn.prepare_threshold == 0
        for n, actor in enumerate(ids):
            cur = conn.execute("UPDATE actors SET state = %s WHERE actor_id = %s", [Jsonb({"m": n}), actor])
            assert (cur.statusmessage, cur.rowcount) == ("UPDATE 1", 1)
        for n, actor in enumerate(ids):
            assert conn.execute(SELECT_ONE, [actor]).fetchone() == (actor, "user", {"m": n})
        for actor in ids[:3]:
            assert conn.execute("DELETE FROM actors WHERE actor_id = %s", [actor]).rowcount == 1
    assert [row[0] for row in table(server)] == ids[3:]


def test_libpq_prepare_describe_and_execute(server: Server) -> None:
    """Parse/Describe/Bind/Close on named statements, as libpq exposes them: what every driver builds on."""
    seed(server, [("user:1", "user", '{"a": 1}')])
    with connect(server) as conn:
        pgconn = conn.pgconn

        res = pgconn.prepare(b"get_actor", b"SELECT actor_id, actor_type, state FROM actors WHERE actor_id = $1")
        assert res.status == pq.ExecStatus.COMMAND_OK, res.get_error_message()
        # Describe statement: ParameterDescription (the inferred type) then RowDescription.
        res = pgconn.describe_prepared(b"get_actor")
        assert res.status == pq.ExecStatus.COMMAND_OK, res.get_error_message()
        assert [res.param_type(i) for i in range(res.nparams)] == [TEXT]
        assert [(res.fname(i), res.ftype(i)) for i in range(res.nfields)] == [
            (b"actor_id", TEXT),
            (b"actor_type", TEXT),
            (b"state", JSONB),
        ]
        for _ in range(6):
            res = pgconn.exec_prepared(b"get_actor", [b"user:1"])
            assert res.status == pq.ExecStatus.TUPLES_OK, res.get_error_message()
            assert [res.get_value(0, i) for i in range(3)] == [b"user:1", b"user", b'{"a": 1}']
            assert res.command_status == b"SELECT 1"

        # Binary results on request: text is its bytes, jsonb is version 1 then the text.
        res = pgconn.exec_prepared(b"get_actor", [b"user:1"], result_format=pq.Format.BINARY)
        assert res.status == pq.ExecStatus.TUPLES_OK, res.get_error_message()
        assert [res.fformat(i) for i in range(3)] == [1, 1, 1]
        assert [res.get_value(0, i) for i in range(3)] == [b"user:1", b"user", b'\x01{"a": 1}']

        # Parameter types given in Parse are kept; a write describes as NoData (no fields).
        res = pgconn.prepare(b"set_state", b"UPDATE actors SET state = $1 WHERE actor_id = $2", [JSONB, TEXT])
        assert res.status == pq.ExecStatus.COMMAND_OK, res.get_error_message()
        res = pgconn.describe_prepared(b"set_state")
        assert ([res.param_type(i) for i in range(res.nparams)], res.nfields) == ([JSONB, TEXT], 0)
        res = pgconn.exec_prepared(b"set_state", [b'{"b": [true, null]}', b"user:1"])
        assert (res.status, res.command_status) == (pq.ExecStatus.COMMAND_OK, b"UPDATE 1")
        # A binary jsonb parameter: version byte 1 then the text.
        res = pgconn.exec_prepared(b"set_state", [b'\x01{"c": 2}', b"user:1"], param_formats=[1, 0])
        assert (res.status, res.command_status) == (pq.ExecStatus.COMMAND_OK, b"UPDATE 1"), res.get_error_message()

        # A name in use is 42P05; an unknown one is 26000.
        res = pgconn.prepare(b"get_actor", b"SELECT 1")
        assert (res.status, res.error_field(pq.DiagnosticField.SQLSTATE)) == (pq.ExecStatus.FATAL_ERROR, b"42P05")
        res = pgconn.exec_prepared(b"no_such_statement", [])
        assert (res.status, res.error_field(pq.DiagnosticField.SQLSTATE)) == (pq.ExecStatus.FATAL_ERROR, b"26000")
        res = pgconn.describe_prepared(b"no_such_statement")
        assert (res.status, res.error_field(pq.DiagnosticField.SQLSTATE)) == (pq.ExecStatus.FATAL_ERROR, b"26000")

        if pq.version() >= 170000:  # PQclosePrepared arrived in libpq 17
            assert pgconn.close_prepared(b"get_actor").status == pq.ExecStatus.COMMAND_OK
            assert pgconn.close_prepared(b"get_actor").status == pq.ExecStatus.COMMAND_OK  # unknown: no error
            res = pgconn.prepare(b"get_actor", b"SELECT actor_type FROM actors WHERE actor_id = $1")
            assert res.status == pq.ExecStatus.COMMAND_OK, res.get_error_message()
            assert pgconn.exec_prepared(b"get_actor", [b"user:1"]).get_value(0, 0) == b"user"

        # The connection is still in step with the server.
        assert conn.info.transaction_status == pq.TransactionStatus.IDLE
        assert conn.execute("SELECT state FROM actors WHERE actor_id = %s", ["user:1"]).fetchone() == ({"c": 2},)


def test_binary_cursor_results(server: Server) -> None:
    actor = new_id()
    state = {"name": "Zoë", "tags": ["a", "b"], "n": 7}
    with connect(server) as conn:
        conn.execute(INSERT, [actor, "user", Jsonb(state)])
        cur = conn.cursor(binary=True)
        cur.execute(
            "SELECT actor_id, actor_type, state, 42 AS small, 9000000000 AS big, 1::int2 AS tiny, true AS flag"
            " FROM actors WHERE actor_id = %s",
            [actor],
        )
        assert [(d.name, d.type_code) for d in cur.description] == [
            ("actor_id", TEXT),
            ("actor_type", TEXT),
            ("state", JSONB),
            ("small", INT4),
            ("big", INT8),
            ("tiny", INT2),
            ("flag", 16),
        ]
        assert cur.pgresult is not None
        assert [cur.pgresult.fformat(i) for i in range(7)] == [1] * 7
        assert cur.fetchall() == [(actor, "user", state, 42, 9000000000, 1, True)]

        # Binary parameters (%b): text as its bytes, jsonb with its version byte, ints by size.
        cur.execute("SELECT actor_id, state FROM actors WHERE actor_id = %b", [actor])
        assert cur.fetchall() == [(actor, state)]
        cur.execute("UPDATE actors SET state = %b WHERE actor_id = %b", [Jsonb({"n": 8}), actor])
        assert cur.rowcount == 1
        cur.execute("SELECT state, %b::int8 + 1 AS next FROM actors WHERE actor_id = %s", [41, actor])
        assert cur.fetchall() == [({"n": 8}, 42)]


def test_pipeline_mode(server: Server) -> None:
    ids = [new_id() for _ in range(4)]
    with connect(server) as conn:
        with conn.pipeline() as pipeline:
            for n, actor in enumerate(ids[:3]):
                conn.execute(INSERT, [actor, "user", Jsonb({"n": n})])
            first = conn.execute(SELECT_ONE, [ids[0]])
            pipeline.sync()
            conn.execute(INSERT, [ids[3], "user", None])
            all_four = conn.execute(
                "SELECT actor_id FROM actors WHERE actor_type = %s ORDER BY actor_id", ["user"], prepare=True
            )
            missing = conn.execute(SELECT_ONE, ["user:nobody"])
        assert first.fetchall() == [(ids[0], "user", {"n": 0})]
        assert all_four.fetchall() == [(actor,) for actor in sorted(ids)]
        assert missing.fetchall() == []
        # Results of a pipeline are read after it; the connection then goes on normally.
        assert conn.info.transaction_status == pq.TransactionStatus.IDLE
        assert conn.execute(SELECT_ONE, [ids[3]]).fetchall() == [(ids[3], "user", None)]


def test_jsonb_round_trip(server: Server) -> None:
    actor = new_id()
    state = {
        "name": "Zoë",
        "tags": ["a", "b"],
        "balance": 100,
        "ratio": 2.5,
        "active": True,
        "missing": None,
        "nested": {"bb": [], "a": {}},
        "big": 12345678901234567890,
        "quote": 'say "hi"\n',
    }
    with connect(server) as conn:
        conn.execute(INSERT, [actor, "user", Jsonb(state)])
        assert conn.execute("SELECT state FROM actors WHERE actor_id = %s", [actor]).fetchone() == (state,)
        # The text PostgreSQL keeps: keys by length then bytewise, numbers as sent.
        (text,) = conn.execute("SELECT state::text FROM actors WHERE actor_id = %s", [actor]).fetchone()
        assert text == (
            '{"big": 12345678901234567890, "name": "Zoë", "tags": ["a", "b"], "quote": "say \\"hi\\"\\n", '
            '"ratio": 2.5, "active": true, "nested": {"a": {}, "bb": []}, "balance": 100, "missing": null}'
        )
        # A dict given as plain JSON text (unknown type) converts on assignment too.
        conn.execute("UPDATE actors SET state = %s WHERE actor_id = %s", ['{"b": 1, "a": 1.50}', actor])
        row = conn.execute("SELECT state, state::text FROM actors WHERE actor_id = %s", [actor]).fetchone()
        assert row == ({"a": 1.5, "b": 1}, '{"a": 1.50, "b": 1}')


def test_unique_violation_in_pipeline_leaves_connection_usable(server: Server) -> None:
    taken, before, after = new_id(), new_id(), new_id()
    seed(server, [(taken, "user", None)])
    with connect(server) as conn:
        with pytest.raises(psycopg.errors.UniqueViolation) as caught:
            with conn.pipeline():
                conn.execute(INSERT, [before, "user", None])
                conn.execute(INSERT, [taken, "user", None])
                conn.execute(INSERT, [after, "user", None])
        assert caught.value.sqlstate == "23505"
        assert caught.value.diag.constraint_name == "actors_pkey"
        assert conn.info.transaction_status == pq.TransactionStatus.IDLE
        # Everything up to the Sync ran as one implicit transaction: the insert before the
        # error is rolled back and the one after it is skipped.
        for actor in (before, after):
            assert conn.execute(SELECT_ONE, [actor]).fetchall() == []
        conn.execute(INSERT, [after, "user", None])
    assert sorted(row[0] for row in table(server)) == sorted([taken, after])


def test_unique_violation_in_transaction_leaves_connection_usable(server: Server) -> None:
    taken, other = new_id(), new_id()
    seed(server, [(taken, "user", None)])
    with connect(server, autocommit=False) as conn:
        with pytest.raises(psycopg.errors.UniqueViolation):
            with conn.transaction():
                conn.execute(INSERT, [other, "user", None])
                conn.execute(INSERT, [taken, "user", None])
        assert conn.info.transaction_status == pq.TransactionStatus.IDLE
        assert conn.execute(SELECT_ONE, [other]).fetchall() == []
        conn.rollback()

        # Without a context manager the block stays failed (25P02) until ROLLBACK.
        conn.execute(INSERT, [other, "user", None])
        with pytest.raises(psycopg.errors.UniqueViolation):
            conn.execute(INSERT, [taken, "user", None])
        assert conn.info.transaction_status == pq.TransactionStatus.INERROR
        with pytest.raises(psycopg.errors.InFailedSqlTransaction):
            conn.execute(SELECT_ONE, [other])
        conn.rollback()
        assert conn.execute(SELECT_ONE, [other]).fetchall() == []
        conn.execute(INSERT, [other, "user", None])
        conn.commit()
    assert sorted(row[0] for row in table(server)) == sorted([taken, other])


def test_limit_with_an_int_parameter(server: Server) -> None:
    seed(server, [(f"user:{i:02d}", "user", None) for i in range(10)] + [("bot:1", "bot", None)])
    query = "SELECT actor_id FROM actors WHERE actor_type = %s ORDER BY actor_id LIMIT %s"
    with connect(server) as conn:
        assert conn.execute(query, ["user", 3]).fetchall() == [("user:00",), ("user:01",), ("user:02",)]
        assert conn.execute(query, ["user", 0]).fetchall() == []
        assert len(conn.execute(query, ["user", 100]).fetchall()) == 10
        assert len(conn.execute(query, ["user", 2**40]).fetchall()) == 10  # an int8 parameter
        cur = conn.execute(query + " OFFSET %s", ["user", 2, 8])
        assert cur.fetchall() == [("user:08",), ("user:09",)]
