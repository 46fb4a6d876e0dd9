"""MessageCutter: the same messages however TCP splits or joins the bytes, and bad lengths refused early."""

from __future__ import annotations

import struct
from collections.abc import Iterable

import pytest

from orbit_pg import errors
from orbit_pg.wire.constants import MAX_STARTUP_PACKET_LENGTH, PROTOCOL_3_0, SSL_REQUEST_CODE
from orbit_pg.wire.framing import MessageCutter

Message = tuple[int | None, bytes]

MAX_MESSAGE_SIZE = 1024


def startup_packet(body: bytes) -> bytes:
    return struct.pack("!i", len(body) + 4) + body


def typed(msg_type: bytes, body: bytes) -> bytes:
    return msg_type + struct.pack("!i", len(body) + 4) + body


STARTUP_BODY = struct.pack("!i", PROTOCOL_3_0) + b"user\x00orbit\x00database\x00actors\x00\x00"
QUERY_BODY = b"SELECT 1; SELECT 'two'\x00"

# A session as a client sends it: startup packet, then typed messages (one with an empty body).
STREAM = b"".join(
    [
        startup_packet(STARTUP_BODY),
        typed(b"Q", QUERY_BODY),
        typed(b"S", b""),
        typed(b"Q", b"\x00"),
        typed(b"X", b""),
    ]
)
EXPECTED: list[Message] = [
    (None, STARTUP_BODY),
    (ord("Q"), QUERY_BODY),
    (ord("S"), b""),
    (ord("Q"), b"\x00"),
    (ord("X"), b""),
]


def cutter_feed(cutter: MessageCutter, data: bytes) -> list[Message]:
    """One ``MessageCutter.feed``: the messages it appends."""
    messages: list[Message] = []
    cutter.feed(data, messages)
    return messages


def feed(cutter: MessageCutter, data: bytes, startups_before_typed: int = 1) -> list[Message]:
    """Feed bytes the way the protocol does.

    After the ``startups_before_typed``-th startup packet the cutter is told typed messages follow;
    after any startup packet it is asked again with ``feed(b"")`` for what came behind it.
    """
    messages: list[Message] = []
    while True:
        batch = cutter_feed(cutter, data)
        for msg_type, _ in batch:
            if msg_type is None and len([m for m in messages + batch if m[0] is None]) == startups_before_typed:
                cutter.expect_startup = False
        messages += batch
        if not batch or batch[-1][0] is not None:
            return messages
        data = b""


def cut(cutter: MessageCutter, chunks: Iterable[bytes]) -> list[Message]:
    messages: list[Message] = []
    for chunk in chunks:
        messages += feed(cutter, chunk)
    return messages


def assert_fatal_protocol_violation(error: errors.PgError) -> None:
    assert error.severity == "FATAL"
    assert error.sqlstate == errors.PROTOCOL_VIOLATION == "08P01"


# --- splitting and joining --------------------------------------------------------------------------------


def test_stream_fed_whole() -> None:
    cutter = MessageCutter(MAX_MESSAGE_SIZE)
    assert cut(cutter, [STREAM]) == EXPECTED
    assert cutter.buffered == 0


def test_stream_fed_one_byte_at_a_time() -> None:
    cutter = MessageCutter(MAX_MESSAGE_SIZE)
    assert cut(cutter, [STREAM[i : i + 1] for i in range(len(STREAM))]) == EXPECTED
    assert cutter.buffered == 0


@pytest.mark.parametrize("offset", range(len(STREAM) + 1))
def test_stream_split_in_two_at_every_offset(offset: int) -> None:
    cutter = MessageCutter(MAX_MESSAGE_SIZE)
    assert cut(cutter, [STREAM[:offset], STREAM[offset:]]) == EXPECTED
    assert cutter.buffered == 0


def test_several_typed_messages_in_one_chunk() -> None:
    cutter = MessageCutter(MAX_MESSAGE_SIZE)
    cutter.expect_startup = False
    chunk = typed(b"Q", b"BEGIN\x00") + typed(b"Q", b"COMMIT\x00") + typed(b"S", b"") + typed(b"X", b"")
    assert cutter_feed(cutter, chunk) == [
        (ord("Q"), b"BEGIN\x00"),
        (ord("Q"), b"COMMIT\x00"),
        (ord("S"), b""),
        (ord("X"), b""),
    ]
    assert cutter.buffered == 0


def test_incomplete_message_is_kept_until_the_rest_arrives() -> None:
    cutter = MessageCutter(MAX_MESSAGE_SIZE)
    cutter.expect_startup = False
    message = typed(b"Q", QUERY_BODY)
    assert cutter_feed(cutter, message + message[:7]) == [(ord("Q"), QUERY_BODY)]
    assert cutter.buffered == 7
    assert cutter_feed(cutter, message[7:]) == [(ord("Q"), QUERY_BODY)]
    assert cutter.buffered == 0


def test_ssl_request_then_startup_are_both_untyped() -> None:
    """The caller keeps ``expect_startup`` after an SSLRequest: the real StartupMessage follows."""
    cutter = MessageCutter(MAX_MESSAGE_SIZE)
    ssl_request = struct.pack("!i", SSL_REQUEST_CODE)
    data = startup_packet(ssl_request) + startup_packet(STARTUP_BODY) + typed(b"S", b"")
    assert feed(cutter, data, startups_before_typed=2) == [
        (None, ssl_request),
        (None, STARTUP_BODY),
        (ord("S"), b""),
    ]


def test_typed_message_at_the_size_limit_is_accepted() -> None:
    cutter = MessageCutter(MAX_MESSAGE_SIZE)
    cutter.expect_startup = False
    body = b"x" * (MAX_MESSAGE_SIZE - 4)
    assert cutter_feed(cutter, typed(b"d", body)) == [(ord("d"), body)]


# --- an execution's tail (Describe, Execute and Sync of the unnamed portal) -----------------------------

# What libpq sends for PQexecPrepared: Bind, then the tail the cutter does not cut again.
TAIL = typed(b"D", b"P\x00") + typed(b"E", b"\x00" + struct.pack("!i", 0)) + typed(b"S", b"")
TAIL_MESSAGES: list[Message] = [(ord("D"), b"P\x00"), (ord("E"), b"\x00" * 5), (ord("S"), b"")]
BIND_BODY = b"\x00point\x00\x00\x00\x00\x01\x00\x00\x00\x06user:1\x00\x00"
PARSE_BODY = b"\x00SELECT $1\x00\x00\x00"


def one_at_a_time(data: bytes) -> list[Message]:
    """What the cutter makes of ``data`` fed byte by byte (never a whole tail at the end)."""
    cutter = MessageCutter(MAX_MESSAGE_SIZE)
    cutter.expect_startup = False
    return [message for i in range(len(data)) for message in cutter_feed(cutter, data[i : i + 1])]


@pytest.mark.parametrize(
    ("data", "ends_with_tail"),
    [
        (typed(b"B", BIND_BODY) + TAIL, True),  # -M prepared
        (typed(b"P", PARSE_BODY) + typed(b"B", BIND_BODY) + TAIL, True),  # -M extended
        (TAIL, True),
        # A message whose body ends with the tail's bytes: it runs on into them.
        (typed(b"d", b"x" + TAIL), False),
    ],
    ids=["bind", "parse-bind", "alone", "runs-into-it"],
)
def test_data_ending_as_an_execution_is_cut_as_byte_by_byte(data: bytes, ends_with_tail: bool) -> None:
    cutter = MessageCutter(MAX_MESSAGE_SIZE)
    cutter.expect_startup = False
    messages = cutter_feed(cutter, data)
    assert messages == one_at_a_time(data)
    assert cutter.buffered == 0
    assert (messages[-3:] == TAIL_MESSAGES) is ends_with_tail


def test_a_tail_after_a_held_partial_message_completes_it() -> None:
    """The first bytes of a Bind came before; the rest and the tail come together."""
    data = typed(b"B", BIND_BODY) + TAIL
    cutter = MessageCutter(MAX_MESSAGE_SIZE)
    cutter.expect_startup = False
    assert cutter_feed(cutter, data[:7]) == []
    assert cutter_feed(cutter, data[7:]) == [(ord("B"), BIND_BODY), *TAIL_MESSAGES]
    assert cutter.buffered == 0


def test_a_tail_behind_an_incomplete_message_is_not_cut_alone() -> None:
    """Bytes that end as a tail does but follow part of a longer message are that message's."""
    longer = typed(b"B", BIND_BODY + TAIL)  # declares more bytes than come
    cutter = MessageCutter(MAX_MESSAGE_SIZE)
    cutter.expect_startup = False
    assert cutter_feed(cutter, longer[:-5]) == []
    assert cutter.buffered == len(longer) - 5
    assert cutter_feed(cutter, longer[-5:]) == [(ord("B"), BIND_BODY + TAIL)]


def test_a_bad_length_before_a_tail_is_fatal() -> None:
    cutter = MessageCutter(MAX_MESSAGE_SIZE)
    cutter.expect_startup = False
    messages: list[Message] = []
    with pytest.raises(errors.PgError) as raised:
        cutter.feed(typed(b"S", b"") + b"B" + struct.pack("!i", 3) + TAIL, messages)
    assert_fatal_protocol_violation(raised.value)
    assert messages == [(ord("S"), b"")]


# --- bad lengths -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("length", [-(2**31), -1, 0, 1, 2, 3, MAX_MESSAGE_SIZE + 1, 2**31 - 1])
def test_bad_typed_length_is_fatal_as_soon_as_the_header_arrives(length: int) -> None:
    cutter = MessageCutter(MAX_MESSAGE_SIZE)
    cutter.expect_startup = False
    with pytest.raises(errors.PgError) as caught:
        cutter_feed(cutter, b"Q" + struct.pack("!i", length))  # the header only: no body sent
    assert_fatal_protocol_violation(caught.value)


def test_bad_typed_length_arriving_byte_by_byte_is_fatal_at_the_fifth_byte() -> None:
    cutter = MessageCutter(MAX_MESSAGE_SIZE)
    cutter.expect_startup = False
    header = b"Q" + struct.pack("!i", 2**31 - 1)
    for i in range(4):
        assert cutter_feed(cutter, header[i : i + 1]) == []
    with pytest.raises(errors.PgError) as caught:
        cutter_feed(cutter, header[4:])
    assert_fatal_protocol_violation(caught.value)


def test_messages_before_a_bad_header_are_still_delivered() -> None:
    cutter = MessageCutter(MAX_MESSAGE_SIZE)
    cutter.expect_startup = False
    received: list[Message] = []
    with pytest.raises(errors.PgError) as caught:
        cutter.feed(typed(b"Q", b"SELECT 1\x00") + b"Q" + struct.pack("!i", -5), received)
    assert received == [(ord("Q"), b"SELECT 1\x00")]
    assert_fatal_protocol_violation(caught.value)


@pytest.mark.parametrize("length", [-(2**31), -1, 0, 4, 7, MAX_STARTUP_PACKET_LENGTH + 1, 2**31 - 1])
def test_bad_startup_length_is_fatal_as_soon_as_the_length_arrives(length: int) -> None:
    cutter = MessageCutter(MAX_MESSAGE_SIZE)
    with pytest.raises(errors.PgError) as caught:
        cutter_feed(cutter, struct.pack("!i", length))
    assert_fatal_protocol_violation(caught.value)


def test_garbage_instead_of_a_startup_packet_is_fatal() -> None:
    cutter = MessageCutter(MAX_MESSAGE_SIZE)
    with pytest.raises(errors.PgError) as caught:
        cutter_feed(cutter, b"GET / HTTP/1.1\r\n\r\n")  # "GET " read as a length is 1195725856
    assert_fatal_protocol_violation(caught.value)


@pytest.mark.parametrize("length", [8, MAX_STARTUP_PACKET_LENGTH])
def test_startup_lengths_at_the_limits_are_accepted(length: int) -> None:
    cutter = MessageCutter(MAX_MESSAGE_SIZE)
    body = struct.pack("!i", PROTOCOL_3_0) + b"\x00" * (length - 8)
    assert feed(cutter, startup_packet(body)) == [(None, body)]
