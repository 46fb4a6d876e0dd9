"""psycopg 3 over the simple protocol (no parameters): the everyday scenarios, over a real socket."""

from __future__ import annotations

import threading
import uuid

import psycopg
import pytest

from orbit_pg.testing import OrbitServer


def connect(server: OrbitServer, **kwargs: object) -> psycopg.Connection:
    return psycopg.connect(server.dsn, autocommit=True, connect_timeout=5, **kwargs)


def new_id(prefix: str = "user") -> str:
    return f"{prefix}:{uuid.uuid4().hex[:12]}"


def test_connect_reports_postgresql_15(orbit: OrbitServer) -> None:
    with connect(orbit, application_name="scenario") as conn:
        assert conn.info.server_version == 150000
        assert conn.info.parameter_status("server_encoding") == "UTF8"
        assert conn.info.parameter_status("standard_conforming_strings") == "on"
        assert conn.info.parameter_status("application_name") == "scenario"
        assert conn.info.parameter_status("integer_datetimes") == "on"
        assert conn.info.backend_pid > 0
        assert conn.info.transaction_status == psycopg.pq.TransactionStatus.IDLE
        version = conn.execute("SELECT version()").fetchone()[0]
        assert version.startswith("PostgreSQL 15.0 (orbit-pg ")
        assert conn.execute("SELECT current_database(), current_user, current_schema()").fetchone() == (
            "actors",
            "orbit",
            "public",
        )
        assert conn.execute("SHOW application_name").fetchone() == ("scenario",)


def test_insert_then_select(orbit: OrbitServer) -> None:
    actor = new_id()
    with connect(orbit) as conn:
        cur = conn.execute(
            f"INSERT INTO actors (actor_id, actor_type, state) VALUES ('{actor}', 'user', '{{\"b\": 1, \"a\": 2.50}}')"
        )
        assert cur.statusmessage == "INSERT 0 1" and cur.rowcount == 1
        cur = conn.execute(f"SELECT * FROM actors WHERE actor_id = '{actor}'")
        assert [d.name for d in cur.description] == ["actor_id", "actor_type", "state"]
        assert [d.type_code for d in cur.description] == [25, 25, 3802]
        # jsonb comes back parsed by psycopg; its text form is PostgreSQL's canonical one.
        assert cur.fetchall() == [(actor, "user", {"a": 2.5, "b": 1})]
        assert conn.pgconn.exec_(f"SELECT state FROM actors WHERE actor_id = '{actor}'".encode()).get_value(0, 0) == (
            b'{"a": 2.50, "b": 1}'
        )


def test_update(orbit: OrbitServer) -> None:
    actor = new_id()
    with connect(orbit) as conn:
        conn.execute(f"INSERT INTO actors VALUES ('{actor}', 'user', '{{\"balance\": 1}}')")
        cur = conn.execute(
            f"UPDATE actors SET state = '{{\"balance\": 2}}', actor_type = 'vip' WHERE actor_id = '{actor}'"
        )
        assert cur.statusmessage == "UPDATE 1"
        assert conn.execute(f"SELECT actor_type, state FROM actors WHERE actor_id = '{actor}'").fetchone() == (
            "vip",
            {"balance": 2},
        )
        assert (
            conn.execute("UPDATE actors SET state = NULL WHERE actor_id = 'no such actor'").statusmessage == "UPDATE 0"
        )


def test_delete(orbit: OrbitServer) -> None:
    actor = new_id()
    with connect(orbit) as conn:
        conn.execute(f"INSERT INTO actors VALUES ('{actor}', 'user', NULL)")
        assert conn.execute(f"DELETE FROM actors WHERE actor_id = '{actor}'").statusmessage == "DELETE 1"
        assert conn.execute(f"SELECT * FROM actors WHERE actor_id = '{actor}'").fetchall() == []
        assert conn.execute(f"DELETE FROM actors WHERE actor_id = '{actor}'").statusmessage == "DELETE 0"


def test_select_all_and_by_type(fresh_orbit: OrbitServer) -> None:
    with connect(fresh_orbit) as conn:
        values = ", ".join(f"('a:{i:03}', '{'even' if i % 2 == 0 else 'odd'}', '{{\"n\": {i}}}')" for i in range(100))
        assert conn.execute(f"INSERT INTO actors VALUES {values}").statusmessage == "INSERT 0 100"
        rows = conn.execute("SELECT * FROM actors").fetchall()
        assert len(rows) == 100 and rows[0] == ("a:000", "even", {"n": 0})
        cur = conn.execute("SELECT actor_id FROM actors WHERE actor_type = 'odd'")
        assert cur.statusmessage == "SELECT 50"
        assert [r[0] for r in cur] == [f"a:{i:03}" for i in range(1, 100, 2)]


def test_empty_query(orbit: OrbitServer) -> None:
    with connect(orbit) as conn:
        result = conn.pgconn.exec_(b"")
        assert result.status == psycopg.pq.ExecStatus.EMPTY_QUERY
        result = conn.pgconn.exec_(b" ;; -- nothing\n")
        assert result.status == psycopg.pq.ExecStatus.EMPTY_QUERY
        assert conn.execute("SELECT 1").fetchone() == (1,)


def test_several_statements_in_one_query(orbit: OrbitServer) -> None:
    actor = new_id()
    with connect(orbit) as conn:
        insert = f"INSERT INTO actors VALUES ('{actor}', 't', '{{}}')"
        select = f"SELECT actor_type FROM actors WHERE actor_id = '{actor}'"
        conn.pgconn.send_query(f"{insert}; {select}".encode())
        results = []
        while (result := conn.pgconn.get_result()) is not None:
            results.append((result.command_status, result.ntuples))
        assert results == [(b"INSERT 0 1", 0), (b"SELECT 1", 1)]


def test_an_error_stops_the_rest_of_a_query_and_rolls_it_back(orbit: OrbitServer) -> None:
    actor = new_id()
    with connect(orbit) as conn:
        with pytest.raises(psycopg.errors.UndefinedTable):
            conn.execute(f"INSERT INTO actors VALUES ('{actor}', 't', NULL); SELECT * FROM nope; DELETE FROM actors")
        # The implicit transaction of the whole Query rolled back, as in PostgreSQL.
        assert conn.execute(f"SELECT * FROM actors WHERE actor_id = '{actor}'").fetchall() == []
        assert conn.execute("SELECT 2").fetchone() == (2,)


def test_concurrent_connections(orbit: OrbitServer) -> None:
    errors: list[BaseException] = []

    def client(n: int) -> None:
        try:
            with connect(orbit) as conn:
                for i in range(20):
                    actor = f"conc:{n}:{i}"
                    conn.execute(f"INSERT INTO actors VALUES ('{actor}', 'conc', '{{\"i\": {i}}}')")
                    assert conn.execute(f"SELECT state FROM actors WHERE actor_id = '{actor}'").fetchone() == (
                        {"i": i},
                    )
        except BaseException as exc:  # reported to the main thread
            errors.append(exc)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors
    with connect(orbit) as conn:
        assert len(conn.execute("SELECT actor_id FROM actors WHERE actor_type = 'conc'").fetchall()) == 200


@pytest.mark.parametrize(
    ("sql", "error", "sqlstate", "message"),
    [
        ("SELEC 1", psycopg.errors.SyntaxError, "42601", 'syntax error at or near "SELEC"'),
        ("SELECT * FROM nope", psycopg.errors.UndefinedTable, "42P01", 'relation "nope" does not exist'),
        ("SELECT nope FROM actors", psycopg.errors.UndefinedColumn, "42703", 'column "nope" does not exist'),
        (
            "INSERT INTO actors VALUES ('dup:1', 't', NULL)",
            psycopg.errors.UniqueViolation,
            "23505",
            'duplicate key value violates unique constraint "actors_pkey"',
        ),
        (
            "INSERT INTO actors (actor_id) VALUES ('x:null')",
            psycopg.errors.NotNullViolation,
            "23502",
            'null value in column "actor_type" of relation "actors" violates not-null constraint',
        ),
        (
            "INSERT INTO actors VALUES ('x:json', 't', '{oops')",
            psycopg.errors.InvalidTextRepresentation,
            "22P02",
            "invalid input syntax for type json",
        ),
        (
            "SELECT actor_id FROM actors WHERE actor_id = 1",
            psycopg.errors.UndefinedFunction,
            "42883",
            "operator does not exist: text = integer",
        ),
        (
            "SET no_such_setting = 1",
            psycopg.errors.UndefinedObject,
            "42704",
            'unrecognized configuration parameter "no_such_setting"',
        ),
        ("SELECT 1/0", psycopg.errors.DivisionByZero, "22012", "division by zero"),
    ],
)
def test_errors_carry_sqlstate_and_connection_survives(
    orbit: OrbitServer, sql: str, error: type[Exception], sqlstate: str, message: str
) -> None:
    with connect(orbit) as conn:
        if sqlstate == "23505":
            conn.execute("DELETE FROM actors WHERE actor_id = 'dup:1'; INSERT INTO actors VALUES ('dup:1', 't', NULL)")
        with pytest.raises(error) as info:
            conn.execute(sql)
        assert info.value.diag.sqlstate == sqlstate
        assert info.value.diag.message_primary == message
        assert conn.execute("SELECT 42").fetchone() == (42,)


def test_syntax_error_position(orbit: OrbitServer) -> None:
    with connect(orbit) as conn:
        with pytest.raises(psycopg.errors.SyntaxError) as info:
            conn.execute("SELECT * FROM actors WHERE")
        assert info.value.diag.message_primary == "syntax error at end of input"
        assert info.value.diag.statement_position == "27"


def test_transaction_block(orbit: OrbitServer) -> None:
    actor = new_id()
    with psycopg.connect(orbit.dsn) as conn:  # not autocommit: psycopg sends BEGIN
        conn.execute(f"INSERT INTO actors VALUES ('{actor}', 't', NULL)")
        assert conn.info.transaction_status == psycopg.pq.TransactionStatus.INTRANS
        with connect(orbit) as other:
            assert other.execute(f"SELECT * FROM actors WHERE actor_id = '{actor}'").fetchall() == []
        assert conn.execute(f"SELECT actor_type FROM actors WHERE actor_id = '{actor}'").fetchone() == ("t",)
        conn.rollback()
        assert conn.execute(f"SELECT * FROM actors WHERE actor_id = '{actor}'").fetchall() == []
        conn.execute(f"INSERT INTO actors VALUES ('{actor}', 't', NULL)")
        conn.commit()
    with connect(orbit) as other:
        assert other.execute(f"SELECT actor_type FROM actors WHERE actor_id = '{actor}'").fetchone() == ("t",)


def test_failed_transaction_block(orbit: OrbitServer) -> None:
    with psycopg.connect(orbit.dsn) as conn:
        with pytest.raises(psycopg.errors.UndefinedTable):
            conn.execute("SELECT * FROM nope")
        assert conn.info.transaction_status == psycopg.pq.TransactionStatus.INERROR
        with pytest.raises(psycopg.errors.InFailedSqlTransaction):
            conn.execute("SELECT 1")
        conn.rollback()
        assert conn.execute("SELECT 1").fetchone() == (1,)
