"""Cut a byte stream into whole frontend messages, however TCP splits or joins them.

Like Twisted's ``IntNStringReceiver``: one buffer, walk it with an offset over every
complete frame, slice once at the end, and check a declared length against the limit
before waiting for the body.
"""

from __future__ import annotations

import struct
from collections.abc import MutableSequence

from orbit_pg import errors
from orbit_pg.wire.constants import MAX_STARTUP_PACKET_LENGTH

_INT32 = struct.Struct("!i")
_TYPED_HEADER = struct.Struct("!Bi")


Message = tuple[int | None, bytes]

# How libpq ends each execution of a statement (PQexecPrepared, PQexecParams: pgbench -M
# prepared and extended): Describe and Execute (all rows) of the unnamed portal, then Sync.
_EXECUTION_TAIL = b"D\x00\x00\x00\x06P\x00E\x00\x00\x00\x09\x00\x00\x00\x00\x00S\x00\x00\x00\x04"
_EXECUTION_TAIL_MESSAGES: tuple[Message, ...] = ((ord("D"), b"P\x00"), (ord("E"), bytes(5)), (ord("S"), b""))


class MessageCutter:
    """Cuts ``(type, body)`` for typed messages; startup packets have type ``None``.

    The first packet of a connection (and the one after an SSLRequest/GSSENCRequest
    answer) is untyped; the caller says so with ``expect_startup``, and calls ``feed(b"")``
    after handling a startup packet to cut what came behind it.
    """

    def __init__(self, max_message_size: int) -> None:
        self.max_message_size = max_message_size
        self.expect_startup = True
        self._buffer = b""

    def feed(self, data: bytes, into: MutableSequence[Message]) -> None:
        """Append every complete message in the buffer to ``into`` (in one call, the caller's
        queue); on a bad length, raise FATAL PgError after appending the messages before it."""
        append = into.append
        buffer = self._buffer + data if self._buffer else data
        offset = 0
        end = len(buffer)
        try:
            if self.expect_startup:
                if end < 4:
                    return
                (length,) = _INT32.unpack_from(buffer)
                if length < 8 or length > MAX_STARTUP_PACKET_LENGTH:
                    raise errors.fatal(errors.PROTOCOL_VIOLATION, "invalid length of startup packet")
                if end >= length:
                    offset = length
                    append((None, buffer[4:length]))
                # What follows depends on the answer (another startup packet after SSLRequest,
                # typed messages after StartupMessage): stop until asked again.
                return
            limit = self.max_message_size
            unpack = _TYPED_HEADER.unpack_from
            # Data that ends as an execution does is cut up to that tail first: if its
            # messages end exactly there, the tail's three (the same every time) are not cut
            # again; if one runs on into it, cutting goes on to the end.
            tail = buffer.endswith(_EXECUTION_TAIL)
            if tail:
                end -= len(_EXECUTION_TAIL)
            while True:
                while end - offset >= 5:
                    msg_type, length = unpack(buffer, offset)
                    if length < 4 or length > limit:
                        raise errors.fatal(errors.PROTOCOL_VIOLATION, "invalid message length")
                    start = offset + 5
                    if start + length - 4 > end:
                        break
                    offset = start + length - 4
                    append((msg_type, buffer[start:offset]))
                if not tail:
                    return
                tail = False
                if offset == end:
                    into.extend(_EXECUTION_TAIL_MESSAGES)
                    offset = len(buffer)
                    return
                end = len(buffer)
        finally:
            self._buffer = buffer[offset:] if offset else buffer

    @property
    def buffered(self) -> int:
        """Bytes held for an incomplete message."""
        return len(self._buffer)
