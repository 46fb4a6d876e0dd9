"""The one-key plan (``WHERE actor_id = v``, nothing that groups, sorts, limits or locks) answers
byte for byte as the general path does, wherever the two could differ: the reply's messages,
NULL and missing keys, a transaction's own writes and snapshot, errors after RowDescription,
statement_timeout and cancel. ``LIMIT 1`` (or ``LIMIT $2``) sends the same query through the
general path."""

from __future__ import annotations

import struct

import pytest
from protocol_harness import SYNC, Connection, Reply, assert_error, parse_replies, query, types
from test_extended_protocol import bind, describe_portal, execute, parse

from orbit_pg.protocol import PostgresServerFactory, State
from orbit_pg.sql import ast
from orbit_pg.sql import query as query_engine
from orbit_pg.sql.expressions import Params
from orbit_pg.sql.grammar import parse as parse_sql

ROWS = "('k1', 't', '{\"n\": 1, \"name\": \"one\"}'), ('k2', 't', NULL), ('', 'empty', '{}')"


def started(factory: PostgresServerFactory) -> Connection:
    conn = Connection(factory)
    conn.start()
    assert types(conn.send(query(f"INSERT INTO actors VALUES {ROWS}"))) == "CZ"
    return conn


def test_point_select_is_planned_as_one_key_lookup() -> None:
    """The shape is chosen from the analysed query, in every way a key can be written."""
    for text, one_key in [
        ("SELECT * FROM actors WHERE actor_id = 'k1'", True),
        ("SELECT state FROM actors a WHERE 'k1' = a.actor_id AND actor_type = 't'", True),
        ("SELECT * FROM actors WHERE actor_id = $1", True),
        ("SELECT * FROM actors WHERE actor_id = 'k1' LIMIT 1", False),
        ("SELECT * FROM actors WHERE actor_id = 'k1' FOR UPDATE", False),
        ("SELECT * FROM actors WHERE actor_id IN ('k1', 'k2')", False),
        ("SELECT count(*) FROM actors WHERE actor_id = 'k1'", False),
    ]:
        (stmt,) = parse_sql(text)
        assert isinstance(stmt, ast.SelectStmt)
        plan = query_engine.analyze(stmt, Params([]))
        assert (plan.produce.__qualname__ == "_one_key.<locals>.lookup") is one_key, text


@pytest.mark.parametrize(
    "select",
    [
        "SELECT * FROM actors WHERE actor_id = {key}",
        "SELECT state, actor_type, actor_id FROM actors WHERE {key} = actor_id",
        "SELECT state->>'name' AS name, actor_id || '!' FROM actors WHERE actor_id = {key}",
        "SELECT * FROM actors WHERE actor_id = {key} AND actor_type = 't'",
        "SELECT * FROM actors WHERE actor_id = {key} AND state IS NULL",
        "SELECT (state->>'name')::int FROM actors WHERE actor_id = {key}",
    ],
)
@pytest.mark.parametrize("key", ["'k1'", "'k2'", "''", "'missing'", "NULL", "'k' || '1'"])
def test_simple_query_replies_as_the_general_path(factory: PostgresServerFactory, select: str, key: str) -> None:
    conn = started(factory)
    text = select.format(key=key)
    assert conn.send_raw(query(text)) == conn.send_raw(query(text + " LIMIT 1"))


@pytest.mark.parametrize("key", [b"k1", b"k2", b"", b"missing", None])
@pytest.mark.parametrize("result_formats", [(), (1,), (0, 1, 1)])
def test_extended_query_replies_as_the_general_path(
    factory: PostgresServerFactory, key: bytes | None, result_formats: tuple[int, ...]
) -> None:
    conn = started(factory)
    conn.send(parse("SELECT * FROM actors WHERE actor_id = $1", "one") + SYNC)
    conn.send(parse("SELECT * FROM actors WHERE actor_id = $1 LIMIT $2", "general") + SYNC)
    one = conn.send_raw(bind("one", [key], result_formats=result_formats) + describe_portal() + execute() + SYNC)
    general = conn.send_raw(
        bind("general", [key, b"1"], result_formats=result_formats) + describe_portal() + execute() + SYNC
    )
    assert one == general
    assert types(parse_replies(one)) == ("2TDCZ" if key in (b"k1", b"k2", b"") else "2TCZ")


def test_a_projection_error_follows_row_description(factory: PostgresServerFactory) -> None:
    """The row is found when the protocol asks for it, after RowDescription, as PostgreSQL does."""
    conn = started(factory)
    replies = conn.send(query("SELECT (state->>'name')::int FROM actors WHERE actor_id = 'k1'"))
    assert types(replies) == "TEZ"
    assert assert_error(replies[1], "22P02")["M"] == 'invalid input syntax for type integer: "one"'


def rows_of(replies: list[Reply]) -> list[list[bytes | None]]:
    """The values of each DataRow."""
    found = []
    for msg_type, body in replies:
        if msg_type != "D":
            continue
        (count,) = struct.unpack_from("!h", body)
        offset, values = 2, []
        for _ in range(count):
            (length,) = struct.unpack_from("!i", body, offset)
            offset += 4
            values.append(None if length < 0 else body[offset : offset + length])
            offset += max(length, 0)
        found.append(values)
    return found


def test_a_transaction_block_reads_its_own_writes_by_key(factory: PostgresServerFactory) -> None:
    conn = started(factory)
    point = "SELECT state FROM actors WHERE actor_id = '{}'"
    conn.send(query("BEGIN; UPDATE actors SET state = '{\"n\": 2}' WHERE actor_id = 'k1'"))
    assert rows_of(conn.send(query(point.format("k1")))) == [[b'{"n": 2}']]
    conn.send(query("DELETE FROM actors WHERE actor_id = 'k2'; INSERT INTO actors VALUES ('k3', 't', '[]')"))
    assert rows_of(conn.send(query(point.format("k2")))) == []
    assert rows_of(conn.send(query(point.format("k3")))) == [[b"[]"]]
    other = Connection(factory)
    other.start()
    assert rows_of(other.send(query(point.format("k1")))) == [[b'{"n": 1, "name": "one"}']]
    assert rows_of(other.send(query(point.format("k3")))) == []
    conn.send(query("COMMIT"))
    assert rows_of(other.send(query(point.format("k1")))) == [[b'{"n": 2}']]
    assert rows_of(other.send(query(point.format("k3")))) == [[b"[]"]]


def test_repeatable_read_keeps_its_snapshot_for_point_selects(factory: PostgresServerFactory) -> None:
    conn, other = started(factory), Connection(factory)
    other.start()
    point = query("SELECT state FROM actors WHERE actor_id = 'k1'")
    conn.send(query("BEGIN ISOLATION LEVEL REPEATABLE READ"))
    assert rows_of(conn.send(point)) == [[b'{"n": 1, "name": "one"}']]
    assert types(other.send(query("UPDATE actors SET state = '{\"n\": 3}' WHERE actor_id = 'k1'"))) == "CZ"
    assert rows_of(conn.send(point)) == [[b'{"n": 1, "name": "one"}']]
    conn.send(query("COMMIT"))
    assert rows_of(conn.send(point)) == [[b'{"n": 3}']]


def test_a_failed_block_refuses_a_point_select(factory: PostgresServerFactory) -> None:
    conn = started(factory)
    conn.send(query("BEGIN; SELECT 1 / 0"))
    for data in (
        query("SELECT * FROM actors WHERE actor_id = 'k1'"),
        parse("SELECT * FROM actors WHERE actor_id = $1") + bind("", [b"k1"]) + execute() + SYNC,
    ):
        replies = conn.send(data)
        assert assert_error(replies[0], "25P02")
        assert replies[-1] == ("Z", b"E")


def test_statement_timeout_and_cancel_stop_a_point_select(factory: PostgresServerFactory) -> None:
    conn = started(factory)
    clock = factory.reactor
    sleepy = "SELECT pg_sleep(5), actor_id FROM actors WHERE actor_id = 'k1'"
    conn.send(query("SET statement_timeout = '1s'"))
    conn.transport.clear()
    conn.protocol.dataReceived(query(sleepy))
    assert conn.protocol.state is State.IN_QUERY
    clock.advance(1.1)
    replies = parse_replies(conn.transport.value())
    assert types(replies) == "TDEZ"
    assert assert_error(replies[2], "57014")["M"] == "canceling statement due to statement timeout"
    conn.send(query("SET statement_timeout = 0"))
    conn.transport.clear()
    conn.protocol.dataReceived(query(sleepy))
    factory.cancel(conn.protocol.process_id, conn.protocol.secret_key)
    replies = parse_replies(conn.transport.value())
    assert types(replies) == "TDEZ"
    assert assert_error(replies[2], "57014")["M"] == "canceling statement due to user request"
    assert not clock.getDelayedCalls()
