"""A strict reader of what the server sent: whole messages of known types, well-formed bodies."""

from __future__ import annotations

import struct

# Every message type a PostgreSQL 15 backend sends in these conversations.
BACKEND_TYPES = set("RSKZTDCEINnt123sv")


def check_replies(data: bytes) -> list[tuple[str, bytes]]:
    """Split server output into messages, asserting each one is well-formed; return them."""
    replies = []
    offset = 0
    while offset < len(data):
        assert len(data) - offset >= 5, f"truncated header: {data[offset:]!r}"
        msg_type = chr(data[offset])
        (length,) = struct.unpack_from("!i", data, offset + 1)
        assert msg_type in BACKEND_TYPES, f"unknown backend message {msg_type!r}"
        assert length >= 4, f"bad length {length}"
        end = offset + 1 + length
        assert end <= len(data), f"truncated {msg_type!r}"
        body = data[offset + 5 : end]
        _check_body(msg_type, body)
        replies.append((msg_type, body))
        offset = end
    return replies


def _check_body(msg_type: str, body: bytes) -> None:
    if msg_type in "EN":
        assert body.endswith(b"\x00"), body
        fields = {f[:1]: f[1:] for f in body[:-1].split(b"\x00") if f}
        for code in (b"S", b"V", b"C", b"M"):
            assert code in fields, (msg_type, body)
        assert len(fields[b"C"]) == 5, body
        assert fields[b"C"] != b"XX000", f"internal error: {body!r}"
    elif msg_type == "Z":
        assert body in (b"I", b"T", b"E"), body
    elif msg_type == "R":
        (code,) = struct.unpack_from("!i", body)
        assert code in (0, 3, 5, 10, 11, 12), code
    elif msg_type == "D":
        (count,) = struct.unpack_from("!h", body)
        pos = 2
        for _ in range(count):
            (size,) = struct.unpack_from("!i", body, pos)
            pos += 4 + max(size, 0)
        assert pos == len(body), body
    elif msg_type == "T":
        (count,) = struct.unpack_from("!h", body)
        pos = 2
        for _ in range(count):
            pos = body.index(b"\x00", pos) + 1 + 18
        assert pos == len(body), body
    elif msg_type in "C":
        assert body.endswith(b"\x00") and body.count(b"\x00") == 1, body
