"""Character types (text, varchar, name, bpchar, unknown), bytea, uuid, json and jsonb."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable

from orbit_pg import errors, jsonb
from orbit_pg.types.base import fixed, insufficient, invalid
from orbit_pg.wire.frontend import decode_utf8


def decode_text(data: bytes) -> str:
    """pq_getmsgtext: UTF-8 that PostgreSQL verifies, a NUL byte being invalid too."""
    nul = data.find(b"\x00")
    if nul < 0:
        return decode_utf8(data)
    decode_utf8(data[:nul])
    raise errors.PgError(errors.CHARACTER_NOT_IN_REPERTOIRE, 'invalid byte sequence for encoding "UTF8": 0x00')


def text_in(text: str) -> str:
    return text


def name_in(text: str) -> str:
    """namein: cut to 63 bytes, at a character boundary."""
    encoded = text.encode()
    if len(encoded) < 64:
        return text
    cut = 63
    while encoded[cut] & 0xC0 == 0x80:
        cut -= 1
    return encoded[:cut].decode()


def name_recv(data: bytes) -> str:
    text = decode_text(data)
    if len(data) >= 64:
        raise errors.PgError(
            errors.NAME_TOO_LONG, "identifier too long", detail="Identifier must be less than 64 characters."
        )
    return text


# UTF-8 is the default of str.encode: the method itself is the output function (no wrapper call per value).
text_out = str.encode


_HEX = re.compile(r"[ \t\n\r]*(?:[0-9a-fA-F]{2}[ \t\n\r]*)*")
_BYTEA_ESCAPE = re.compile(r"\\(?:([0-3][0-7]{2})|(\\))|\\")


def bytea_in(text: str) -> bytes:
    """byteain: \\x and hex pairs (spaces between pairs), or the escape format with \\ooo and \\\\."""
    if text.startswith("\\x"):
        digits = text[2:]
        if _HEX.fullmatch(digits):
            return bytes.fromhex(digits)
        pos = 0
        while True:  # find what hex_decode would stumble on
            while pos < len(digits) and digits[pos] in " \t\n\r":
                pos += 1
            for step in (0, 1):
                if pos + step >= len(digits):
                    raise errors.PgError(
                        errors.INVALID_PARAMETER_VALUE, "invalid hexadecimal data: odd number of digits"
                    )
                if digits[pos + step] not in "0123456789abcdefABCDEF":
                    raise errors.PgError(
                        errors.INVALID_PARAMETER_VALUE, f'invalid hexadecimal digit: "{digits[pos + step]}"'
                    )
            pos += 2
    parts = []
    pos = 0
    for m in _BYTEA_ESCAPE.finditer(text):
        if m.lastindex is None:
            raise errors.PgError(errors.INVALID_TEXT_REPRESENTATION, "invalid input syntax for type bytea")
        parts.append(text[pos : m.start()].encode())
        parts.append(bytes([int(m[1], 8)]) if m[1] else b"\\")
        pos = m.end()
    parts.append(text[pos:].encode())
    return b"".join(parts)


def bytea_out(value: bytes) -> bytes:
    return b"\\x" + value.hex().encode()


def bytes_in(data: bytes) -> bytes:
    return bytes(data)


# Stored bytes go out as they are: ``bytes(b) is b``, and the builtin itself lets the DataRow
# encoder (wire/backend.data_rows) know it need not call it, without importing the types.
bytes_out: Callable[[bytes], bytes] = bytes


_UUID_TEXT = re.compile(r"(\{)?(?:[0-9a-fA-F]{4}-?){7}[0-9a-fA-F]{4}(?(1)\})")


def uuid_in(text: str) -> uuid.UUID:
    """uuid_in: 32 hex digits, a hyphen allowed after any group of four, optionally in braces."""
    if _UUID_TEXT.fullmatch(text) is None:
        raise invalid("uuid", text)
    return uuid.UUID(text.strip("{}"))


def uuid_out(value: uuid.UUID) -> bytes:
    return str(value).encode()


def uuid_send(value: uuid.UUID) -> bytes:
    return value.bytes


_, uuid_recv = fixed("16s", lambda raw: uuid.UUID(bytes=raw))


# What only jsonb rejects: json keeps \uXXXX escapes as written (even \u0000 and lone surrogates)
# and numbers of any size.  Same-length stand-ins keep error positions where they were.
_JSON_ESCAPE = re.compile(r"\\(?:\\|u[0-9a-fA-F]{4})")
_JSON_NUMBER = re.compile(r"(?<![\w.])-?[0-9]+(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?")


def json_in(text: str) -> bytes:
    """json_in: the text as written, once the jsonb parser finds it well formed."""
    checked = _JSON_ESCAPE.sub(lambda m: m[0] if m[0] == "\\\\" else "\\u0020", text) if "\\u" in text else text
    try:
        jsonb.canonical(checked)
    except errors.PgError as error:
        if error.sqlstate != errors.NUMERIC_VALUE_OUT_OF_RANGE:
            raise
        jsonb.canonical(_JSON_NUMBER.sub(lambda m: "1".ljust(len(m[0]), "0"), checked))
    return text.encode()


def json_recv(data: bytes) -> bytes:
    return json_in(decode_text(data))


def jsonb_send(value: bytes) -> bytes:
    return b"\x01" + value


def jsonb_recv(data: bytes) -> bytes:
    """jsonb_recv: a version byte (only 1 exists), then the text."""
    if not data:
        raise insufficient()
    if data[0] != 1:
        raise errors.PgError(errors.INTERNAL_ERROR, f"unsupported jsonb version number {data[0]}")
    return jsonb.canonical(decode_text(data[1:]))
