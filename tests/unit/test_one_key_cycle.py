"""The read-at-once cycle answers as the general path does, and only when it may.

Between transactions, a one-key or first-of-type read with no function calls
(``Plan.read_at_once``) sent as libpq sends a prepared statement (Bind, Describe and Execute of
the unnamed portal, Sync), or as a simple Query, is answered without a portal, a transaction or
``Executor.run``. Each test counts
the calls of ``Executor.run`` to see which path answered, and compares the bytes with a round the
general path answers (a named portal, whose name never shows in the replies).
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from typing import Any

import pytest
from protocol_harness import SYNC, Connection, assert_error, parse_replies, query, types
from test_extended_protocol import bind, describe_portal, execute, parse, seeded

from orbit_pg.protocol import PostgresServerFactory
from orbit_pg.sql.executor import Executor

POINT = "SELECT * FROM actors WHERE actor_id = $1"
BY_TYPE = {
    "star": "SELECT * FROM actors WHERE actor_type = $1 LIMIT $2",
    "ordered": "SELECT * FROM actors WHERE actor_type = $1 ORDER BY actor_id LIMIT $2 OFFSET 1",
    "projected": "SELECT state->>'n', actor_id FROM actors WHERE actor_type = 'x' || $1 LIMIT $2",
}


@pytest.fixture
def conn(factory: PostgresServerFactory) -> Connection:
    return seeded(factory, point=POINT, **BY_TYPE)


@pytest.fixture
def runs(conn: Connection, monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Any]]:
    """The plans ``Executor.run`` ran (the general path) since the test began."""
    ran: list[Any] = []
    original = Executor.run

    def run(self: Executor, plan: Any, *args: Any) -> Any:
        ran.append(plan)
        return original(self, plan, *args)

    monkeypatch.setattr(Executor, "run", run)
    yield ran


def round_trip(statement: str, params: list[bytes | None], portal: str = "", **kwargs: Any) -> bytes:
    return bind(statement, params, portal=portal, **kwargs) + describe_portal(portal) + execute(portal) + SYNC


@pytest.mark.parametrize("result_formats", [(), (0,), (1,), (0, 1, 0)])
@pytest.mark.parametrize("key", [b"a1", b"a4", b"missing", None])
def test_prepared_cycle_replies_as_the_general_path(
    conn: Connection, runs: list[Any], result_formats: tuple[int, ...], key: bytes | None
) -> None:
    fast = conn.send_raw(round_trip("point", [key], result_formats=result_formats))
    assert runs == []
    general = conn.send_raw(round_trip("point", [key], "p", result_formats=result_formats))
    assert len(runs) == 1
    assert fast == general
    assert types(parse_replies(fast)) == ("2TCZ" if key in (b"missing", None) else "2TDCZ")


@pytest.mark.parametrize("result_formats", [(), (0,), (1,)])
@pytest.mark.parametrize("actor_type", [b"user", b"robot", b"nobody", None])
@pytest.mark.parametrize("limit", [b"0", b"2", b"10", b"99"])
@pytest.mark.parametrize("statement", sorted(BY_TYPE))
def test_type_select_cycle_replies_as_the_general_path(
    conn: Connection,
    runs: list[Any],
    statement: str,
    limit: bytes,
    actor_type: bytes | None,
    result_formats: tuple[int, ...],
) -> None:
    if statement == "projected" and actor_type is not None:
        conn.send(query(f"UPDATE actors SET actor_type = 'x' || actor_type WHERE actor_type = '{actor_type.decode()}'"))
        runs.clear()
    fast = conn.send_raw(round_trip(statement, [actor_type, limit], result_formats=result_formats))
    assert runs == []
    general = conn.send_raw(round_trip(statement, [actor_type, limit], "p", result_formats=result_formats))
    assert len(runs) == 1
    assert fast == general
    rows = types(parse_replies(fast)).count("D")
    expected = {b"user": 3, b"robot": 2}.get(actor_type, 0) if actor_type is not None else 0
    if statement == "ordered":
        expected = max(expected - 1, 0)
    assert rows == min(expected, int(limit))


def test_type_select_beyond_what_is_read_at_once(conn: Connection, runs: list[Any]) -> None:
    """More than ``AT_ONCE_ROWS``, LIMIT NULL, a negative LIMIT or a function call: the general path."""
    assert types(conn.send(round_trip("star", [b"user", b"101"]))) == "2TDDDCZ"
    assert types(conn.send(round_trip("star", [b"user", None]))) == "2TDDDCZ"
    negative = conn.send(round_trip("star", [b"user", b"-1"]))
    assert types(negative) == "2TEZ"
    assert_error(negative[2], "2201W")
    assert types(conn.send(query("SELECT * FROM actors WHERE actor_type = lower('USER') LIMIT 2"))) == "TDDCZ"
    assert len(runs) == 4
    runs.clear()
    simple = conn.send(query("SELECT * FROM actors WHERE actor_type = 'user' LIMIT 2"))
    extended = parse_replies(conn.send_raw(round_trip("star", [b"user", b"2"])))
    assert runs == []
    assert simple == extended[1:]


def test_unnamed_parse_then_cycle_and_simple_query(conn: Connection, runs: list[Any]) -> None:
    extended = parse_replies(conn.send_raw(parse(POINT) + round_trip("", [b"a3"])))
    simple = conn.send(query("SELECT * FROM actors WHERE actor_id = 'a3'"))
    projected = conn.send(query("SELECT state, actor_id FROM actors WHERE actor_id = 'a3' AND actor_type = 'robot'"))
    assert runs == []
    assert types(extended) == "12TDCZ"
    assert extended[2:] == simple
    general = conn.send(query("SELECT state, actor_id FROM actors WHERE actor_id = 'a3' AND actor_type = 'robot';"))
    assert types(general) == "TDCZ" and general == projected  # the ';' does not change the plan
    assert runs == []


def test_a_function_call_takes_the_general_path(conn: Connection, runs: list[Any]) -> None:
    replies = conn.send(query("SELECT upper(actor_id) FROM actors WHERE actor_id = 'a1'"))
    assert types(replies) == "TDCZ" and replies[1][1].endswith(b"A1")
    assert len(runs) == 1


def test_inside_a_block(conn: Connection, runs: list[Any]) -> None:
    assert types(conn.send(query("BEGIN"))) == "CZ"
    replies = conn.send(round_trip("point", [b"a1"]))
    assert types(replies) == "2TDCZ" and replies[-1][1] == b"T"
    simple = conn.send(query("SELECT * FROM actors WHERE actor_id = 'a1'"))
    assert types(simple) == "TDCZ"
    assert types(conn.send(query("COMMIT"))) == "CZ"
    assert len(runs) == 4


def test_own_writes_in_a_block_are_read(conn: Connection, runs: list[Any]) -> None:
    conn.send(query("BEGIN; UPDATE actors SET actor_type = 'changed' WHERE actor_id = 'a1'"))
    replies = conn.send(round_trip("point", [b"a1"]))
    assert b"changed" in replies[2][1]
    conn.send(query("ROLLBACK"))


def test_several_statements_in_one_query(conn: Connection, runs: list[Any]) -> None:
    replies = conn.send(query("SELECT * FROM actors WHERE actor_id = 'a1'; SELECT * FROM actors WHERE actor_id = 'a2'"))
    assert types(replies) == "TDCTDCZ"
    assert len(runs) == 2  # an implicit block: each in it


def test_statement_timeout(conn: Connection, runs: list[Any]) -> None:
    conn.send(query("SET statement_timeout = '1s'"))
    runs.clear()
    assert types(conn.send(round_trip("point", [b"a1"]))) == "2TDCZ"
    assert len(runs) == 1
    conn.send(query("RESET statement_timeout"))
    runs.clear()
    conn.send(round_trip("point", [b"a1"]))
    assert runs == []


def test_repeatable_read_by_default(conn: Connection, runs: list[Any]) -> None:
    conn.send(query("SET default_transaction_isolation = 'repeatable read'"))
    runs.clear()
    assert types(conn.send(round_trip("point", [b"a1"]))) == "2TDCZ"
    assert len(runs) == 1


def test_row_limit_and_named_portal(conn: Connection, runs: list[Any]) -> None:
    limited = conn.send(bind("point", [b"a1"]) + describe_portal() + execute(max_rows=1) + SYNC)
    assert types(limited) == "2TDsZ"  # PostgreSQL cannot know there are no more rows
    assert len(runs) == 1


def test_held_cursor(conn: Connection, runs: list[Any]) -> None:
    conn.send(query("DECLARE c CURSOR WITH HOLD FOR SELECT actor_id FROM actors"))
    runs.clear()
    assert types(conn.send(round_trip("point", [b"a1"]))) == "2TDCZ"
    assert len(runs) == 1
    conn.send(query("CLOSE c"))


def test_errors_skip_to_sync_as_in_the_general_path(conn: Connection, runs: list[Any]) -> None:
    # A binary parameter is its bytes; a bad result format code fails at Execute.
    assert types(conn.send(round_trip("point", [b"a1"], param_formats=(1,)))) == "2TDCZ"
    bad_format = conn.send(round_trip("point", [b"a1"], result_formats=(2,)))
    assert types(bad_format) == "2TEZ"
    assert_error(bad_format[2], "22023")
    too_many = conn.send(round_trip("point", [b"a1", b"a2"]))
    assert types(too_many) == "EZ"
    assert_error(too_many[0], "08P01")
    missing = conn.send(round_trip("nothing", [b"a1"]))
    assert_error(missing[0], "26000")
    # After an error the next cycle is lean again, and right.
    runs.clear()
    assert types(conn.send(round_trip("point", [b"a2"]))) == "2TDCZ"
    assert runs == []


def test_notifications_and_parameter_status_before_ready(conn: Connection, factory: PostgresServerFactory) -> None:
    other = Connection(factory)
    other.start()
    conn.send(query("LISTEN ch"))
    other.send(query("NOTIFY ch, 'x'"))
    # The notification went out while idle; one that arrives mid-round waits for ReadyForQuery.
    conn.protocol.notification(1, "ch", "y")
    replies = conn.send(round_trip("point", [b"a1"]))
    assert types(replies) == "2TDCAZ"
    conn.send(query("SET application_name = 'x'"))
    assert types(conn.send(round_trip("point", [b"a1"]))) == "2TDCZ"


def test_activity_and_statement_cache(conn: Connection, factory: PostgresServerFactory) -> None:
    other = Connection(factory)
    other.start()
    conn.send(query("SELECT * FROM actors WHERE actor_id = 'a5'"))
    conn.send(round_trip("point", [b"a1"]))
    replies = other.send(
        query(
            "SELECT state, query, query_start <= state_change, xact_start IS NULL FROM pg_stat_activity"
            f" WHERE pid = {conn.protocol.process_id}"
        )
    )
    assert data_row(replies[1][1]) == ["idle", "SELECT * FROM actors WHERE actor_id = 'a5'", "t", "t"]
    # Parse was a hit of the statement cache; the one-key Query's text was too, the second time.
    before = other.send(query("SHOW orbitpg.statement_cache"))
    conn.send(query("SELECT * FROM actors WHERE actor_id = 'a5'"))
    after = other.send(query("SHOW orbitpg.statement_cache"))
    assert before != after


def data_row(body: bytes) -> list[str | None]:
    (count,) = struct.unpack_from("!h", body)
    values: list[str | None] = []
    offset = 2
    for _ in range(count):
        (length,) = struct.unpack_from("!i", body, offset)
        offset += 4
        values.append(None if length < 0 else body[offset : offset + length].decode())
        offset += max(length, 0)
    return values
