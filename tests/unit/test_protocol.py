"""PostgresProtocol's state machine, driven with raw bytes through a fake transport (no sockets, no reactor)."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest
from protocol_harness import (
    SYNC,
    TERMINATE,
    Connection,
    Reply,
    assert_error,
    assert_fatal,
    make_factory,
    parameter,
    query,
    startup,
    typed,
    types,
    untyped,
)

from orbit_pg.protocol import PostgresServerFactory
from orbit_pg.storage.lmdb_store import ActorStore
from orbit_pg.wire.constants import CANCEL_REQUEST_CODE, GSSENC_REQUEST_CODE, PROTOCOL_3_0, SSL_REQUEST_CODE

PARSE = typed(b"P", b"\x00SELECT 1\x00\x00\x00")
# A Parse that fails (a syntax error): the extended protocol's error path.
BAD_PARSE = typed(b"P", b"\x00SELEC 1\x00\x00\x00")
BIND = typed(b"B", b"\x00\x00\x00\x00\x00\x00\x00\x00")
DESCRIBE = typed(b"D", b"P\x00")
EXECUTE = typed(b"E", b"\x00\x00\x00\x00\x00")


@pytest.fixture
def conn(factory: PostgresServerFactory) -> Connection:
    return Connection(factory)


@pytest.fixture
def ready(conn: Connection) -> Connection:
    conn.start()
    return conn


# --- startup ----------------------------------------------------------------------------------------------------

REPORTED = {
    "application_name",
    "client_encoding",
    "DateStyle",
    "default_transaction_read_only",
    "in_hot_standby",
    "integer_datetimes",
    "IntervalStyle",
    "is_superuser",
    "server_encoding",
    "server_version",
    "session_authorization",
    "standard_conforming_strings",
    "TimeZone",
}


def test_startup_reports_parameters_key_and_ready(conn: Connection) -> None:
    replies = conn.send(startup())
    assert types(replies) == "R" + "S" * (len(replies) - 3) + "KZ"
    assert replies[0] == ("R", struct.pack("!i", 0))  # AuthenticationOk
    params = dict(parameter(body) for msg_type, body in replies if msg_type == "S")
    assert REPORTED <= set(params)
    assert params["server_version"].startswith("15")
    assert params["server_encoding"] == "UTF8"
    assert params["client_encoding"] == "UTF8"
    assert params["DateStyle"] == "ISO, MDY"
    assert params["TimeZone"]
    assert params["integer_datetimes"] == "on"
    assert params["standard_conforming_strings"] == "on"
    assert params["IntervalStyle"] == "postgres"
    assert params["is_superuser"] in ("on", "off")
    assert params["session_authorization"] == "orbit"
    assert params["application_name"] == ""
    assert params["default_transaction_read_only"] == "off"
    assert params["in_hot_standby"] == "off"
    key = replies[-2][1]
    assert len(key) == 8
    process_id, secret_key = struct.unpack("!ii", key)
    assert process_id == conn.protocol.process_id and secret_key == conn.protocol.secret_key
    assert replies[-1] == ("Z", b"I")
    assert not conn.closed


def test_startup_parameters_are_echoed(conn: Connection) -> None:
    replies = conn.send(startup(user="orbit", database="actors", application_name="robot", client_encoding="utf8"))
    params = dict(parameter(body) for msg_type, body in replies if msg_type == "S")
    assert params["application_name"] == "robot"
    assert params["client_encoding"] == "UTF8"


def test_ssl_request_is_refused_then_startup_works(conn: Connection) -> None:
    assert conn.send_raw(untyped(struct.pack("!i", SSL_REQUEST_CODE))) == b"N"
    assert not conn.closed
    replies = conn.send(startup())
    assert types(replies)[0] == "R" and replies[-1] == ("Z", b"I")


def test_gssenc_request_is_refused_then_startup_works(conn: Connection) -> None:
    assert conn.send_raw(untyped(struct.pack("!i", GSSENC_REQUEST_CODE))) == b"N"
    assert not conn.closed
    assert conn.send(startup())[-1] == ("Z", b"I")


def test_protocol_2_is_refused(conn: Connection) -> None:
    fields = assert_fatal(conn.send(startup(protocol=2 << 16)), "0A000")
    assert "2.0" in fields["M"]
    assert conn.closed


def test_protocol_3_1_is_negotiated_down(conn: Connection) -> None:
    replies = conn.send(startup(protocol=(3 << 16) | 1, user="orbit"))
    assert replies[0][0] == "v"
    newest, count = struct.unpack("!ii", replies[0][1])
    assert newest == PROTOCOL_3_0  # PostgreSQL 15 sends the whole version code, 3.0
    assert count == 0
    assert types(replies[1:]).startswith("R")
    assert replies[-1] == ("Z", b"I")
    assert not conn.closed


def test_unknown_protocol_options_are_listed(conn: Connection) -> None:
    data = untyped(struct.pack("!i", PROTOCOL_3_0) + b"user\x00orbit\x00_pq_.b\x001\x00_pq_.a\x002\x00\x00")
    replies = conn.send(data)
    assert replies[0][0] == "v"
    assert replies[0][1] == struct.pack("!ii", PROTOCOL_3_0, 2) + b"_pq_.a\x00_pq_.b\x00"
    assert replies[-1] == ("Z", b"I")


def test_missing_user_is_fatal(conn: Connection) -> None:
    assert_fatal(conn.send(startup(database="actors")), "28000")
    assert conn.closed


def test_startup_without_terminator_is_fatal(conn: Connection) -> None:
    assert_fatal(conn.send(untyped(struct.pack("!i", PROTOCOL_3_0) + b"user\x00orbit\x00")), "08P01")
    assert conn.closed


@pytest.mark.parametrize("length", [-1, 4, 7, 10001, 2**31 - 1])
def test_bad_startup_length_is_fatal(conn: Connection, length: int) -> None:
    assert_fatal(conn.send(struct.pack("!i", length)), "08P01")
    assert conn.closed


def test_cancel_request_closes_without_reply(factory: PostgresServerFactory) -> None:
    target = Connection(factory)
    target.start()
    canceller = Connection(factory)
    packet = untyped(struct.pack("!iii", CANCEL_REQUEST_CODE, target.protocol.process_id, target.protocol.secret_key))
    assert canceller.send_raw(packet) == b""
    assert canceller.closed
    assert not target.closed
    assert target.send(query("SELECT 1"))[-1] == ("Z", b"I")


def test_cancel_request_for_unknown_backend_closes_without_reply(conn: Connection) -> None:
    assert conn.send_raw(untyped(struct.pack("!iii", CANCEL_REQUEST_CODE, 12345, 678))) == b""
    assert conn.closed


# --- simple query -----------------------------------------------------------------------------------------------


def test_two_statements_give_two_command_completes_and_one_ready(ready: Connection) -> None:
    replies = ready.send(query("SELECT 1; SELECT 2"))
    assert types(replies) == "TDCTDCZ"
    assert [body for msg_type, body in replies if msg_type == "C"] == [b"SELECT 1\x00", b"SELECT 1\x00"]
    assert replies[-1] == ("Z", b"I")


@pytest.mark.parametrize("text", ["", "   ", ";"])
def test_empty_query(ready: Connection, text: str) -> None:
    assert ready.send(query(text)) == [("I", b""), ("Z", b"I")]


def test_query_without_nul_is_an_error_not_a_disconnect(ready: Connection) -> None:
    replies = ready.send(typed(b"Q", b"SELECT 1"))
    assert types(replies) == "EZ"
    assert_error(replies[0], "08P01")
    assert not ready.closed


def test_pipelined_queries_are_answered_in_order(ready: Connection) -> None:
    replies = ready.send(query("SELECT 1") + query("SELECT 2") + SYNC)
    assert types(replies) == "TDCZTDCZZ"
    assert [body for msg_type, body in replies if msg_type == "D"] == [
        b"\x00\x01\x00\x00\x00\x011",
        b"\x00\x01\x00\x00\x00\x012",
    ]


def test_transaction_status_in_ready_for_query(ready: Connection) -> None:
    assert ready.send(query("BEGIN")) == [("C", b"BEGIN\x00"), ("Z", b"T")]
    replies = ready.send(query("SELECT nosuch FROM actors"))
    assert types(replies) == "EZ"
    assert_error(replies[0], "42703")
    assert replies[-1] == ("Z", b"E")
    replies = ready.send(query("SELECT 1"))
    assert_error(replies[0], "25P02")
    assert replies[-1] == ("Z", b"E")
    assert ready.send(query("ROLLBACK")) == [("C", b"ROLLBACK\x00"), ("Z", b"I")]


def test_error_in_second_statement_of_a_query(ready: Connection) -> None:
    replies = ready.send(query("SELECT 1; SELECT nosuch FROM actors; SELECT 3"))
    assert types(replies) == "TDCEZ"
    assert replies[-1] == ("Z", b"I")


SESSION = b"".join(
    [
        startup(),
        query("SELECT 1; SELECT 'two'"),
        query(""),
        query("BEGIN"),
        query("INSERT INTO actors (actor_id, actor_type, state) VALUES ('a1', 'user', '{\"n\": 1}')"),
        query("SELECT actor_id, actor_type, state FROM actors"),
        query("SELECT nosuch FROM actors"),
        query("ROLLBACK"),
        SYNC,
        BAD_PARSE,
        BIND,
        SYNC,
        TERMINATE,
    ]
)


def normalized(replies: list[Reply]) -> list[Reply]:
    """BackendKeyData is random per connection; everything else must match byte for byte."""
    return [(msg_type, b"<key>" if msg_type == "K" else body) for msg_type, body in replies]


def test_session_fed_one_byte_at_a_time_gives_the_same_replies(tmp_path: Path) -> None:
    results = []
    for name, bytewise in (("whole", False), ("bytewise", True)):
        store = ActorStore(str(tmp_path / name))
        try:
            conn = Connection(make_factory(store))
            replies = conn.send_bytewise(SESSION) if bytewise else conn.send(SESSION)
            assert conn.closed
        finally:
            store.close()
        results.append(normalized(replies))
    whole, bytewise = results
    assert types(whole).endswith("KZTDCTDCZIZCZCZTDCZEZCZZEZ")
    assert [body for msg_type, body in whole if msg_type == "Z"] == [
        b"I",  # startup
        b"I",  # two SELECTs
        b"I",  # empty query
        b"T",  # BEGIN
        b"T",  # INSERT
        b"T",  # SELECT
        b"E",  # error in the transaction block
        b"I",  # ROLLBACK
        b"I",  # Sync
        b"I",  # Sync after the skipped Parse and Bind
    ]
    assert bytewise == whole


# --- bad input after startup ------------------------------------------------------------------------------------


def test_unknown_message_type_is_fatal(ready: Connection) -> None:
    assert_fatal(ready.send(typed(b"!")), "08P01")
    assert ready.closed


def test_input_after_close_is_ignored(ready: Connection) -> None:
    ready.send(typed(b"!"))
    assert ready.send_raw(query("SELECT 1")) == b""


def test_huge_declared_length_is_fatal_without_buffering(ready: Connection) -> None:
    assert_fatal(ready.send(b"Q" + struct.pack("!i", 2**31 - 1)), "08P01")
    assert ready.closed
    assert ready.protocol.cutter.buffered <= 5
    assert ready.send_raw(b"x" * 100_000) == b""
    assert ready.protocol.cutter.buffered <= 5


def test_length_over_the_factory_limit_is_fatal(tmp_path: Path) -> None:
    store = ActorStore(str(tmp_path / "small"))
    try:
        conn = Connection(make_factory(store, max_message_size=1024))
        conn.start()
        assert conn.send(typed(b"Q", b"x" * 1015 + b"\x00"))[-1] == ("Z", b"I")  # 1020 bytes: at the limit
        assert_fatal(conn.send(b"Q" + struct.pack("!i", 1025)), "08P01")
        assert conn.closed
    finally:
        store.close()


@pytest.mark.parametrize("length", [-1, 0, 3])
def test_negative_or_short_length_is_fatal(ready: Connection, length: int) -> None:
    assert_fatal(ready.send(b"Q" + struct.pack("!i", length)), "08P01")
    assert ready.closed


def test_terminate_closes(ready: Connection) -> None:
    assert ready.send_raw(TERMINATE) == b""
    assert ready.closed


def test_terminate_before_startup_is_a_bad_startup_packet(conn: Connection) -> None:
    """'X' + length 4 read as a startup length is 0x58000000: far over the limit."""
    assert_fatal(conn.send(TERMINATE), "08P01")
    assert conn.closed


# --- extended protocol errors: one error, then skip till Sync ------------------------------------


def test_extended_protocol_errors_once_then_skips_till_sync(ready: Connection) -> None:
    replies = ready.send(BAD_PARSE + BIND + DESCRIBE + EXECUTE + typed(b"H") + typed(b"C", b"S\x00"))
    assert len(replies) == 1
    assert_error(replies[0], "42601")
    assert ready.send(BIND + EXECUTE) == []
    assert ready.send(SYNC) == [("Z", b"I")]
    # After Sync the next bad message errors again, and simple queries work.
    assert types(ready.send(BAD_PARSE + SYNC)) == "EZ"
    assert types(ready.send(query("SELECT 1"))) == "TDCZ"


def test_extended_protocol_error_aborts_the_open_transaction(ready: Connection) -> None:
    ready.send(query("BEGIN"))
    ready.send(query("INSERT INTO actors (actor_id, actor_type) VALUES ('lost', 'user')"))
    replies = ready.send(BAD_PARSE + SYNC)
    assert types(replies) == "EZ"
    assert replies[-1] == ("Z", b"E")
    assert ready.send(query("COMMIT")) == [("C", b"ROLLBACK\x00"), ("Z", b"I")]
    assert types(ready.send(query("SELECT actor_id FROM actors WHERE actor_id = 'lost'"))) == "TCZ"


def test_flush_alone_sends_nothing(ready: Connection) -> None:
    assert ready.send(typed(b"H")) == []
    assert not ready.closed


def test_query_is_skipped_while_waiting_for_sync(ready: Connection) -> None:
    replies = ready.send(BAD_PARSE + query("SELECT 1"))
    assert types(replies) == "E"
    assert ready.send(SYNC) == [("Z", b"I")]


def test_terminate_while_waiting_for_sync_is_skipped_like_postgresql(ready: Connection) -> None:
    """PostgresMain skips every message but Sync (only EOF ends the loop); the client's close ends it."""
    ready.send(BAD_PARSE)
    assert ready.send_raw(TERMINATE) == b""
    assert not ready.closed
    assert ready.send(SYNC) == [("Z", b"I")]
