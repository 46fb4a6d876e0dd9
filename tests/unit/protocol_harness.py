"""A fake-transport harness for PostgresProtocol: raw frontend bytes in, parsed backend replies out.

Shared by the protocol test modules; no sockets and no reactor (the factory's reactor is a Clock).
"""

from __future__ import annotations

import struct

from twisted.internet.address import IPv4Address
from twisted.internet.task import Clock
from twisted.internet.testing import StringTransport

from orbit_pg.protocol import PostgresProtocol, PostgresServerFactory
from orbit_pg.storage.lmdb_store import ActorStore
from orbit_pg.wire.constants import PROTOCOL_3_0

Reply = tuple[str, bytes]

# --- building frontend bytes ----------------------------------------------------------------------------------


def untyped(body: bytes) -> bytes:
    return struct.pack("!i", len(body) + 4) + body


def startup(protocol: int = PROTOCOL_3_0, **parameters: str) -> bytes:
    if not parameters:
        parameters = {"user": "orbit", "database": "actors"}
    pairs = b"".join(name.encode() + b"\x00" + value.encode() + b"\x00" for name, value in parameters.items())
    return untyped(struct.pack("!i", protocol) + pairs + b"\x00")


def typed(msg_type: bytes, body: bytes = b"") -> bytes:
    return msg_type + struct.pack("!i", len(body) + 4) + body


def query(text: str) -> bytes:
    return typed(b"Q", text.encode() + b"\x00")


SYNC = typed(b"S")
TERMINATE = typed(b"X")

# --- reading backend bytes ------------------------------------------------------------------------------------


def parse_replies(data: bytes) -> list[Reply]:
    """Split server output into (type, body); every byte must belong to a whole message."""
    replies: list[Reply] = []
    offset = 0
    while offset < len(data):
        assert len(data) - offset >= 5, f"truncated header at {offset}: {data[offset:]!r}"
        msg_type = data[offset : offset + 1].decode()
        (length,) = struct.unpack_from("!i", data, offset + 1)
        assert length >= 4, f"bad length {length} for {msg_type!r}"
        end = offset + 1 + length
        assert end <= len(data), f"truncated {msg_type!r} message: {data[offset:]!r}"
        replies.append((msg_type, data[offset + 5 : end]))
        offset = end
    return replies


def types(replies: list[Reply]) -> str:
    return "".join(msg_type for msg_type, _ in replies)


def error_fields(body: bytes) -> dict[str, str]:
    """ErrorResponse/NoticeResponse body: (code byte, cstring) pairs ended by a NUL."""
    assert body.endswith(b"\x00\x00")
    return {field[:1].decode(): field[1:].decode() for field in body[:-2].split(b"\x00")}


def parameter(body: bytes) -> tuple[str, str]:
    name, value, rest = body.split(b"\x00")
    assert rest == b""
    return name.decode(), value.decode()


# --- the connection under test --------------------------------------------------------------------------------


def make_factory(store: ActorStore, **kwargs: int) -> PostgresServerFactory:
    """A factory whose reactor is a Clock: work the protocol defers to a later turn runs when we say."""
    return PostgresServerFactory(store, reactor=Clock(), **kwargs)


def due(clock: Clock) -> bool:
    """Work scheduled for now (timeouts set for later, such as authentication's, wait)."""
    return any(call.getTime() <= clock.seconds() for call in clock.getDelayedCalls())


class Connection:
    """One PostgresProtocol on a StringTransport; ``send`` returns the replies that bytes caused."""

    def __init__(self, factory: PostgresServerFactory) -> None:
        # A loopback client, which the default access rules trust (until a role exists).
        self.transport = StringTransport(peerAddress=IPv4Address("TCP", "127.0.0.1", 54321))
        self.protocol = PostgresProtocol()
        self.protocol.factory = factory
        self.protocol.makeConnection(self.transport)

    def receive(self, data: bytes) -> None:
        """Deliver bytes, then run every reactor turn the protocol scheduled (time slices)."""
        self.protocol.dataReceived(data)
        clock = getattr(self.protocol.factory, "reactor", None)
        if isinstance(clock, Clock):
            for _ in range(10_000):
                if not due(clock):
                    break
                clock.advance(0)
            assert not due(clock), "the protocol keeps scheduling work"

    def send_raw(self, data: bytes) -> bytes:
        self.transport.clear()
        self.receive(data)
        return self.transport.value()

    def send(self, data: bytes) -> list[Reply]:
        return parse_replies(self.send_raw(data))

    def send_bytewise(self, data: bytes) -> list[Reply]:
        self.transport.clear()
        for i in range(len(data)):
            self.receive(data[i : i + 1])
        return parse_replies(self.transport.value())

    def start(self) -> list[Reply]:
        replies = self.send(startup())
        assert types(replies).endswith("KZ")
        return replies

    @property
    def closed(self) -> bool:
        return bool(self.transport.disconnecting)


def assert_fatal(replies: list[Reply], sqlstate: str) -> dict[str, str]:
    assert types(replies) == "E", replies
    fields = error_fields(replies[0][1])
    assert fields["S"] == fields["V"] == "FATAL"
    assert fields["C"] == sqlstate
    return fields


def assert_error(reply: Reply, sqlstate: str) -> dict[str, str]:
    assert reply[0] == "E", reply
    fields = error_fields(reply[1])
    assert fields["S"] == fields["V"] == "ERROR"
    assert fields["C"] == sqlstate
    return fields
