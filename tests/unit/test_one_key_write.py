"""The write-at-once round answers as the general path does, and only when it may.

Between transactions, an INSERT, UPDATE or DELETE without RETURNING (``Plan.write_at_once``)
sent as libpq sends a prepared statement (Bind, Describe and Execute of the unnamed portal, Sync)
runs in a transaction of its own without a portal or a trip through the message loop per
message. Each test records what ``Executor.write_at_once`` gave (a result or an error: the round
was answered at once; None: the general path ran it again) and compares the bytes with a round
the general path answers (a named portal, whose name never shows in the replies).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from protocol_harness import SYNC, Connection, assert_error, parse_replies, query, types
from test_extended_protocol import bind, describe_portal, execute, seeded
from test_one_key_cycle import data_row

from orbit_pg.protocol import PostgresServerFactory
from orbit_pg.sql.executor import Executor

PREPARED = {
    "update": "UPDATE actors SET state = ('{\"balance\": ' || $2 || '}')::jsonb WHERE actor_id = $1",
    "add": "UPDATE actors SET state = ('{\"n\": ' || ((state->>'n')::int + $2::int) || '}')::jsonb WHERE actor_id = $1",
    "call": "UPDATE actors SET state = jsonb_build_object('n', $2::int) WHERE actor_id = $1",
    "insert": "INSERT INTO actors (actor_id, actor_type, state) VALUES ($1, 'new', '{\"balance\": 0}')",
    "insert_row": "INSERT INTO actors VALUES ($1, $2, $3)",
    "delete": "DELETE FROM actors WHERE actor_id = $1",
}


@pytest.fixture
def conn(factory: PostgresServerFactory) -> Connection:
    return seeded(factory, **PREPARED)


@pytest.fixture
def at_once(conn: Connection, monkeypatch: pytest.MonkeyPatch) -> Iterator[list[bool]]:
    """For each ``Executor.write_at_once`` since the test began: True if the round was answered
    at once (with an error too), False if it went the general way."""
    answered: list[bool] = []
    original = Executor.write_at_once

    def write_at_once(self: Executor, *args: Any) -> Any:
        try:
            result = original(self, *args)
        except Exception:
            answered.append(True)
            raise
        answered.append(result is not None)
        return result

    monkeypatch.setattr(Executor, "write_at_once", write_at_once)
    yield answered


def round_trip(statement: str, params: list[bytes | None], portal: str = "") -> bytes:
    return bind(statement, params, portal=portal) + describe_portal(portal) + execute(portal) + SYNC


def state(conn: Connection, actor_id: str) -> str | None:
    replies = conn.send(query(f"SELECT state FROM actors WHERE actor_id = '{actor_id}'"))
    rows = [data_row(body)[0] for kind, body in replies if kind == "D"]
    return rows[0] if rows else "(no row)"


@pytest.mark.parametrize(
    ("statement", "fast_params", "general_params", "tag"),
    [
        ("update", [b"a1", b"7"], [b"a2", b"7"], b"UPDATE 1"),
        ("update", [b"missing", b"7"], [b"gone", b"7"], b"UPDATE 0"),
        ("update", [None, b"7"], [None, b"7"], b"UPDATE 0"),
        ("insert", [b"n1"], [b"n2"], b"INSERT 0 1"),
        ("delete", [b"a4"], [b"a5"], b"DELETE 1"),
    ],
)
def test_write_round_replies_as_the_general_path(
    conn: Connection,
    at_once: list[bool],
    statement: str,
    fast_params: list[bytes | None],
    general_params: list[bytes | None],
    tag: bytes,
) -> None:
    fast = conn.send_raw(round_trip(statement, fast_params))
    assert at_once == [True]
    general = conn.send_raw(round_trip(statement, general_params, "p"))
    assert at_once == [True]
    assert fast == general
    replies = parse_replies(fast)
    assert types(replies) == "2nCZ" and replies[2][1] == tag + b"\x00"


def test_the_writes_are_there(conn: Connection, at_once: list[bool]) -> None:
    conn.send(round_trip("update", [b"a1", b"42"]))
    conn.send(round_trip("insert", [b"n1"]))
    conn.send(round_trip("delete", [b"a2"]))
    assert at_once == [True, True, True]
    assert state(conn, "a1") == '{"balance": 42}'
    assert state(conn, "n1") == '{"balance": 0}'
    assert state(conn, "a2") == "(no row)"


@pytest.mark.parametrize(
    ("statement", "params", "sqlstate"),
    [
        ("insert", [b"a1"], "23505"),
        ("insert_row", [b"x1", None, b"{}"], "23502"),
        ("update", [b"a1", b"nope"], "22P02"),
    ],
)
def test_errors_reply_as_the_general_path(
    conn: Connection, at_once: list[bool], statement: str, params: list[bytes | None], sqlstate: str
) -> None:
    fast = conn.send_raw(round_trip(statement, params))
    assert at_once == [True]  # reported where Execute's error goes, with nothing changed
    general = conn.send_raw(round_trip(statement, params, "p"))
    assert fast == general
    replies = parse_replies(fast)
    assert types(replies) == "2nEZ" and replies[-1][1] == b"I"
    assert_error(replies[2], sqlstate)
    assert state(conn, "a1") == '{"n": 1}'
    assert state(conn, "x1") == "(no row)"
    conn.send(round_trip("update", [b"a1", b"1"]))
    assert at_once == [True, True]


def test_local_xid_counts_one_transaction_per_round(conn: Connection, at_once: list[bool]) -> None:
    session = conn.protocol.session
    assert session is not None
    before = session.local_xid
    conn.send(round_trip("update", [b"a1", b"1"]))
    conn.send(round_trip("insert", [b"a1"]))  # fails: its transaction counts too
    assert session.local_xid == before + 2


def test_inside_a_block(conn: Connection, at_once: list[bool]) -> None:
    conn.send(query("BEGIN"))
    replies = conn.send(round_trip("update", [b"a1", b"5"]))
    assert types(replies) == "2nCZ" and replies[-1][1] == b"T"
    conn.send(query("ROLLBACK"))
    assert state(conn, "a1") == '{"n": 1}'
    assert at_once == []


def test_after_an_execute_without_sync(conn: Connection, at_once: list[bool]) -> None:
    """A round after an Execute not yet ended by Sync is in that implicit transaction."""
    replies = conn.send(bind("update", [b"a1", b"5"]) + execute() + round_trip("update", [b"a2", b"6"]))
    assert types(replies) == "2C2nCZ"
    assert at_once == []
    assert state(conn, "a2") == '{"balance": 6}'


def test_a_locked_row_waits_then_sees_the_committed_row(
    conn: Connection, factory: PostgresServerFactory, at_once: list[bool]
) -> None:
    other = Connection(factory)
    other.start()
    assert types(other.send(query("BEGIN; UPDATE actors SET state = '{\"n\": 10}' WHERE actor_id = 'a1'"))) == "CCZ"
    assert types(conn.send(round_trip("add", [b"a1", b"1"]))) == "2n"  # Execute waits for the lock
    assert at_once == [False]
    other.send(query("COMMIT"))
    replies = parse_replies(conn.transport.value())
    assert types(replies) == "2nCZ" and replies[2][1] == b"UPDATE 1\x00"
    assert state(conn, "a1") == '{"n": 11}'


def test_actor_change_listeners_are_told(conn: Connection, factory: PostgresServerFactory, at_once: list[bool]) -> None:
    other = Connection(factory)
    other.start()
    other.send(query("LISTEN actors"))
    other.transport.clear()
    conn.send(round_trip("update", [b"a1", b"3"]))
    conn.send(round_trip("insert", [b"n1"]))
    assert at_once == [True, True]
    told = parse_replies(other.transport.value())
    assert types(told) == "AA"
    assert b"a1" in told[0][1] and b"n1" in told[1][1]


def test_statement_timeout(conn: Connection, at_once: list[bool]) -> None:
    conn.send(query("SET statement_timeout = '1s'"))
    assert types(conn.send(round_trip("update", [b"a1", b"2"]))) == "2nCZ"
    assert at_once == []
    conn.send(query("RESET statement_timeout"))
    conn.send(round_trip("update", [b"a1", b"2"]))
    assert at_once == [True]


def test_synchronous_commit_off(conn: Connection, at_once: list[bool]) -> None:
    conn.send(query("SET synchronous_commit = off"))
    assert types(conn.send(round_trip("update", [b"a1", b"9"]))) == "2nCZ"
    assert at_once == [True]
    assert state(conn, "a1") == '{"balance": 9}'


def test_read_only(conn: Connection, at_once: list[bool]) -> None:
    """Checks of ``Executor.run`` (read-only, privileges) hold: the round runs through it."""
    conn.send(query("SET default_transaction_read_only = on"))
    fast = conn.send_raw(round_trip("update", [b"a1", b"2"]))
    assert at_once == [True]
    assert fast == conn.send_raw(round_trip("update", [b"a1", b"2"], "p"))
    replies = parse_replies(fast)
    assert types(replies) == "2nEZ"
    assert_error(replies[2], "25006")
    conn.send(query("RESET default_transaction_read_only"))
    assert state(conn, "a1") == '{"n": 1}'


def test_a_function_call_goes_the_general_way(conn: Connection, at_once: list[bool]) -> None:
    """Run again after a lock wait, a call's side effect (pg_advisory_lock) would show twice."""
    fast = conn.send_raw(round_trip("call", [b"a1", b"7"]))
    assert at_once == []
    assert types(parse_replies(fast)) == "2nCZ"
    assert state(conn, "a1") == '{"n": 7}'
