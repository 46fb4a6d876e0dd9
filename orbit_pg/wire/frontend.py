"""Decoders for frontend (client → server) message bodies; pure functions, no I/O."""

from __future__ import annotations

import struct
from dataclasses import dataclass, field

from orbit_pg import errors

_INT32 = struct.Struct("!i")
_CANCEL = struct.Struct("!iii")


@dataclass
class StartupMessage:
    protocol: int
    parameters: dict[str, str] = field(default_factory=dict)


@dataclass
class CancelRequest:
    process_id: int
    secret_key: int


def decode_utf8(data: bytes) -> str:
    """Decode client text; invalid bytes are PostgreSQL's 22021 naming the bad character's bytes."""
    try:
        return data.decode()
    except UnicodeDecodeError as exc:
        lead = data[exc.start]
        width = 2 if 0xC0 <= lead < 0xE0 else 3 if 0xE0 <= lead < 0xF0 else 4 if 0xF0 <= lead < 0xF8 else 1
        bad = " ".join(f"0x{b:02x}" for b in data[exc.start : exc.start + width])
        raise errors.PgError(
            errors.CHARACTER_NOT_IN_REPERTOIRE, f'invalid byte sequence for encoding "UTF8": {bad}'
        ) from None


def read_startup_code(body: bytes) -> int:
    """The first int32 of an untyped packet: a protocol version or a request code."""
    (code,) = _INT32.unpack_from(body)
    return code


def decode_startup(body: bytes) -> StartupMessage:
    """Key/value pairs after the version, ended by an empty name (PostgreSQL's ProcessStartupPacket)."""
    protocol = read_startup_code(body)
    items = body[4:].split(b"\x00")
    # A well-formed packet ends with the pair list terminator: "...\0\0".
    if len(items) < 2 or items[-1] != b"" or items[-2] != b"":
        raise errors.fatal(errors.PROTOCOL_VIOLATION, "invalid startup packet layout: expected terminator as last byte")
    items = items[:-2]
    if len(items) % 2:
        raise errors.fatal(errors.PROTOCOL_VIOLATION, "invalid startup packet layout: expected terminator as last byte")
    parameters: dict[str, str] = {}
    for i in range(0, len(items), 2):
        parameters[decode_utf8(items[i])] = decode_utf8(items[i + 1])
    return StartupMessage(protocol, parameters)


def decode_cancel(body: bytes) -> CancelRequest:
    if len(body) != 12:
        raise errors.fatal(errors.PROTOCOL_VIOLATION, "invalid length of cancel request packet")
    _, process_id, secret_key = _CANCEL.unpack(body)
    return CancelRequest(process_id, secret_key)


def decode_query(body: bytes) -> str:
    """Query: one NUL-terminated string."""
    if not body or body[-1] != 0 or body.find(b"\x00") != len(body) - 1:
        raise errors.PgError(errors.PROTOCOL_VIOLATION, "invalid string in message")
    return decode_utf8(body[:-1])
