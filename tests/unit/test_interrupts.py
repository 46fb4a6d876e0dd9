"""Cancel, statement_timeout and pg_sleep at the protocol level: where a statement yields, it can be stopped."""

from __future__ import annotations

import pytest
from protocol_harness import Connection, Reply, assert_error, parse_replies, query, types

from orbit_pg import protocol
from orbit_pg.protocol import PostgresServerFactory, State
from orbit_pg.sql import query as query_engine


def started(factory: PostgresServerFactory, rows: int = 0) -> Connection:
    conn = Connection(factory)
    conn.start()
    if rows:
        values = ", ".join(f"('a:{i:05}', 'a', NULL)" for i in range(rows))
        assert types(conn.send(query(f"INSERT INTO actors VALUES {values}"))) == "CZ"
    return conn


def test_a_filtered_scan_yields_and_a_cancel_stops_it(
    factory: PostgresServerFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    conn = started(factory, 3000)
    monkeypatch.setattr(protocol, "TURN_BUDGET", 0.0002)  # less than a thousand rows take
    monkeypatch.setattr(query_engine, "TURN_BUDGET", 0.0002)  # the scan's pacer, likewise
    conn.transport.clear()
    # Nothing matches: the scan rejects every row, and still returns to the reactor when its turn is spent.
    conn.protocol.dataReceived(query("SELECT * FROM actors WHERE state IS NOT NULL"))
    assert conn.protocol.state is State.IN_QUERY
    pid, key = conn.protocol.process_id, conn.protocol.secret_key
    factory.cancel(pid, key + 1)  # the wrong key: ignored
    assert conn.protocol.state is State.IN_QUERY
    factory.cancel(pid, key)
    replies = protocol_replies(conn)
    assert types(replies) == "TEZ"
    fields = assert_error(replies[1], "57014")
    assert fields["M"] == "canceling statement due to user request"
    assert not factory.reactor.getDelayedCalls()
    assert types(conn.send(query("SELECT 1"))) == "TDCZ"


def protocol_replies(conn: Connection) -> list[Reply]:
    return parse_replies(conn.transport.value())


def test_pg_sleep_waits_on_a_timer_and_statement_timeout_ends_it(factory: PostgresServerFactory) -> None:
    conn = started(factory)
    clock = factory.reactor
    conn.transport.clear()
    conn.protocol.dataReceived(query("SET statement_timeout = '1s'; SELECT pg_sleep(5)"))
    assert conn.protocol.state is State.IN_QUERY  # waiting, not blocking
    clock.advance(0.5)
    assert conn.protocol.state is State.IN_QUERY
    clock.advance(0.6)
    replies = protocol_replies(conn)
    assert types(replies) == "CTDEZ"
    assert assert_error(replies[3], "57014")["M"] == "canceling statement due to statement timeout"
    assert not clock.getDelayedCalls()


def test_pg_sleep_ends_with_its_row(factory: PostgresServerFactory) -> None:
    conn = started(factory)
    clock = factory.reactor
    conn.transport.clear()
    conn.protocol.dataReceived(query("SELECT pg_sleep(0.25) AS slept"))
    clock.advance(0.1)
    assert conn.protocol.state is State.IN_QUERY
    clock.advance(0.2)
    replies = protocol_replies(conn)
    assert types(replies) == "TDCZ"
    assert replies[1][1] == b"\x00\x01\x00\x00\x00\x00"  # one column, zero-length (void), not NULL
    assert replies[2][1] == b"SELECT 1\x00"
