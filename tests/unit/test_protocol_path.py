"""The protocol's shortcuts answer byte for byte as the general path does.

A prepared statement's result shape (formats, output functions, RowDescription) is made at its
first Bind and reused by every later one; Describe and Execute of the unnamed portal with all
rows skip decoding; no statement_timeout or idle timer is set while they are 0. Each test sends
the same round through the shortcut (the unnamed portal, a repeated Bind) and through the
general path (a named portal and Execute with a row limit, decoded field by field; the first
Bind), and compares the bytes.
"""

from __future__ import annotations

import pytest
from protocol_harness import SYNC, Connection, assert_error, assert_fatal, parse_replies, query, types
from test_extended_protocol import (
    ACTOR_ID,
    ACTOR_TYPE,
    STATE,
    bind,
    describe_portal,
    execute,
    parse,
    row_description,
    seeded,
)

from orbit_pg.protocol import PostgresServerFactory, State

POINT = "SELECT * FROM actors WHERE actor_id = $1"
ALL = "SELECT actor_id, state FROM actors ORDER BY actor_id"


@pytest.fixture
def conn(factory: PostgresServerFactory) -> Connection:
    """A started connection with the five actors of SEED and two prepared statements."""
    return seeded(factory, point=POINT, all=ALL)


def round_trip(statement: str, params: list[bytes | None], result_formats: tuple[int, ...], portal: str = "") -> bytes:
    """Bind, Describe(portal), Execute (all rows) and Sync, as libpq sends a prepared statement.
    A named portal's Describe and Execute go through the general decoding."""
    return (
        bind(statement, params, portal=portal, result_formats=result_formats)
        + describe_portal(portal)
        + execute(portal)
        + SYNC
    )


@pytest.mark.parametrize("result_formats", [(), (0,), (1,), (0, 1, 1), (1, 0, 0)])
@pytest.mark.parametrize("key", [b"a1", b"a4", b"missing", None])
def test_repeated_bind_replies_as_the_first_and_as_a_named_portal(
    conn: Connection, result_formats: tuple[int, ...], key: bytes | None
) -> None:
    first = conn.send_raw(round_trip("point", [key], result_formats))
    again = conn.send_raw(round_trip("point", [key], result_formats))
    named = conn.send_raw(round_trip("point", [key], result_formats, portal="p"))
    assert first == again == named
    replies = parse_replies(first)
    assert types(replies) == ("2TCZ" if key in (b"missing", None) else "2TDCZ")
    formats = result_formats * 3 if len(result_formats) == 1 else result_formats
    assert replies[1] == row_description(ACTOR_ID, ACTOR_TYPE, STATE, formats=formats)
    if key == b"a1" and result_formats in ((1,), (1, 0, 0)):
        assert replies[2][1].startswith(b"\x00\x03\x00\x00\x00\x02a1")  # binary text is its UTF-8


def test_extended_round_replies_as_a_simple_query(conn: Connection) -> None:
    """Parse + the cached Bind path, against the simple Query's text result."""
    extended = parse_replies(conn.send_raw(parse(POINT) + round_trip("", [b"a3"], ())))
    simple = conn.send(query("SELECT * FROM actors WHERE actor_id = 'a3'"))
    assert types(extended) == "12TDCZ"
    assert extended[2:] == simple


def test_a_text_and_a_binary_bind_of_one_statement_keep_their_own_shapes(conn: Connection) -> None:
    text = conn.send_raw(round_trip("point", [b"a1"], ()))
    binary = conn.send_raw(round_trip("point", [b"a1"], (1,)))
    assert text != binary
    assert conn.send_raw(round_trip("point", [b"a1"], ())) == text
    assert conn.send_raw(round_trip("point", [b"a1"], (1,))) == binary


def test_row_limit_suspends_the_unnamed_portal_as_a_named_one(conn: Connection) -> None:
    """Execute with a row limit, then the shortcut's Execute (all rows) of the same portal."""

    def suspended(portal: str) -> bytes:
        return conn.send_raw(
            bind("all", portal=portal, result_formats=(1,))
            + describe_portal(portal)
            + execute(portal, 2)
            + execute(portal, 1)
            + execute(portal)
            + SYNC
        )

    unnamed, named = suspended(""), suspended("p")
    assert unnamed == named == suspended("")
    assert types(parse_replies(unnamed)) == "2TDDsDsDDCZ"
    assert parse_replies(unnamed)[-2] == ("C", b"SELECT 2\x00")  # the rows of the last Execute, as PostgreSQL


@pytest.mark.parametrize(
    ("params", "result_formats", "sqlstate"),
    [
        ([b"a1", b"a2"], (), "08P01"),  # the wrong number of parameters
        ([b"a1"], (0, 1), "08P01"),  # two result formats for three columns
        ([b"\xff"], (), "22021"),  # not UTF-8
    ],
)
def test_an_error_in_bind_skips_to_sync_and_leaves_no_shape_behind(
    conn: Connection, params: list[bytes | None], result_formats: tuple[int, ...], sqlstate: str
) -> None:
    for portal in ("", "p"):
        replies = conn.send(round_trip("point", params, result_formats, portal=portal))
        assert types(replies) == "EZ"
        assert_error(replies[0], sqlstate)
        assert replies[-1] == ("Z", b"I")
    good = conn.send_raw(round_trip("point", [b"a1"], ()))
    assert good == conn.send_raw(round_trip("point", [b"a1"], (), portal="p"))
    assert types(parse_replies(good)) == "2TDCZ"


def test_a_bad_parameter_names_its_portal_in_the_context(conn: Connection) -> None:
    conn.send(parse("SELECT * FROM actors WHERE actor_id = $1::int::text", "int") + SYNC)
    for portal, named in (("", "unnamed portal"), ("p", 'portal "p"')):
        replies = conn.send(round_trip("int", [b"x"], (), portal=portal))
        assert types(replies) == "EZ"
        assert assert_error(replies[0], "22P02")["W"] == f"{named} parameter $1 = '...'"


def test_a_statement_inside_begin(conn: Connection) -> None:
    outside = parse_replies(conn.send_raw(round_trip("point", [b"a2"], ())))
    assert types(conn.send(query("BEGIN"))) == "CZ"
    inside = parse_replies(conn.send_raw(round_trip("point", [b"a2"], ())))
    assert inside[:-1] == outside[:-1]
    assert (outside[-1], inside[-1]) == (("Z", b"I"), ("Z", b"T"))
    # The block's own write is what the cached statement reads next.
    assert types(conn.send(query("UPDATE actors SET state = '{\"n\": 22}' WHERE actor_id = 'a2'"))) == "CZ"
    mine = parse_replies(conn.send_raw(round_trip("point", [b"a2"], ())))
    assert mine[2][1].endswith(b'{"n": 22}') and mine[-1] == ("Z", b"T")
    assert types(conn.send(query("ROLLBACK"))) == "CZ"
    assert parse_replies(conn.send_raw(round_trip("point", [b"a2"], ()))) == outside


def test_a_failed_block_refuses_the_cached_statement(conn: Connection) -> None:
    conn.send(round_trip("point", [b"a1"], ()))
    conn.send(query("BEGIN"))
    conn.send(query("SELECT 1/0"))
    replies = conn.send(round_trip("point", [b"a1"], ()))
    assert types(replies) == "EZ"
    assert_error(replies[0], "25P02")
    assert replies[-1] == ("Z", b"E")
    conn.send(query("ROLLBACK"))


def test_statement_timeout_fires_on_a_cached_statement(factory: PostgresServerFactory, conn: Connection) -> None:
    clock = factory.reactor
    conn.send(parse("SELECT pg_sleep($1::float8), actor_id FROM actors WHERE actor_id = 'a1'", "sleepy") + SYNC)
    quick = conn.send(round_trip("sleepy", [b"0"], ()))
    assert types(quick) == "2TDCZ"
    assert not clock.getDelayedCalls()  # statement_timeout 0: no timer was set
    conn.send(query("SET statement_timeout = '1s'"))
    for portal in ("", "p"):
        conn.transport.clear()
        conn.protocol.dataReceived(round_trip("sleepy", [b"5"], (), portal=portal))
        assert conn.protocol.state is State.IN_QUERY
        clock.advance(1.1)
        replies = parse_replies(conn.transport.value())
        assert types(replies) == "2TDEZ"
        assert assert_error(replies[3], "57014")["M"] == "canceling statement due to statement timeout"
        assert not clock.getDelayedCalls()
    # Back to 0: a sleep that outlasts the old limit completes.
    conn.send(query("SET statement_timeout = 0"))
    conn.transport.clear()
    conn.protocol.dataReceived(round_trip("sleepy", [b"2"], ()))
    clock.advance(2.1)
    assert types(parse_replies(conn.transport.value())) == "2TDCZ"


def test_cancel_stops_a_cached_statement(factory: PostgresServerFactory, conn: Connection) -> None:
    conn.send(parse("SELECT pg_sleep($1::float8)", "sleepy") + SYNC)
    conn.send(round_trip("sleepy", [b"0"], ()))
    conn.transport.clear()
    conn.protocol.dataReceived(round_trip("sleepy", [b"5"], ()))
    factory.cancel(conn.protocol.process_id, conn.protocol.secret_key)
    replies = parse_replies(conn.transport.value())
    assert types(replies) == "2TDEZ"
    assert assert_error(replies[3], "57014")["M"] == "canceling statement due to user request"
    assert not factory.reactor.getDelayedCalls()


def test_idle_timeouts_still_fire(factory: PostgresServerFactory, conn: Connection) -> None:
    clock = factory.reactor
    conn.send(round_trip("point", [b"a1"], ()))
    assert not clock.getDelayedCalls()  # both idle timeouts 0: no timer per cycle
    conn.send(query("SET idle_in_transaction_session_timeout = '2s'"))
    conn.send(query("BEGIN"))
    assert types(conn.send(round_trip("point", [b"a1"], ()))) == "2TDCZ"
    clock.advance(1.9)
    assert not conn.closed
    conn.transport.clear()
    clock.advance(0.2)
    assert_fatal(parse_replies(conn.transport.value()), "25P03")
    assert conn.closed


def test_idle_session_timeout_fires_after_a_cached_round(factory: PostgresServerFactory, conn: Connection) -> None:
    clock = factory.reactor
    conn.send(query("SET idle_session_timeout = '1s'"))
    assert types(conn.send(round_trip("point", [b"a1"], ()))) == "2TDCZ"
    conn.transport.clear()
    clock.advance(1.1)
    assert_fatal(parse_replies(conn.transport.value()), "57P05")


def test_an_execute_that_waits_for_a_row_lock_runs_again_before_what_follows(
    factory: PostgresServerFactory, conn: Connection
) -> None:
    """A parked Execute goes back to the head of the queue: then its Sync and the next round."""
    holder = Connection(factory)
    holder.start()
    assert types(holder.send(query("BEGIN; UPDATE actors SET state = '{\"n\": 10}' WHERE actor_id = 'a1'"))) == "CCZ"
    conn.send(parse("UPDATE actors SET state = $2::jsonb WHERE actor_id = $1", "write") + SYNC)
    update = bind("write", [b"a1", b'{"n": 11}']) + execute() + SYNC
    assert types(conn.send(update + round_trip("point", [b"a1"], ()))) == "2"  # parked in Execute
    assert conn.protocol.state is State.WAITING
    conn.transport.clear()
    assert types(holder.send(query("COMMIT"))) == "CZ"
    replies = parse_replies(conn.transport.value())
    assert types(replies) == "CZ2TDCZ"
    assert replies[4][1].endswith(b'{"n": 11}')
