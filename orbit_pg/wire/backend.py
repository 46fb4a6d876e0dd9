"""Encoders for backend (server → client) messages; pure functions returning bytes."""

from __future__ import annotations

import functools
import struct
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from orbit_pg.errors import PgError
from orbit_pg.interrupts import PAUSE

_HEADER = struct.Struct("!ci")
_INT16 = struct.Struct("!h")
_INT32 = struct.Struct("!i")
_FIELD = struct.Struct("!ihihih")
_NULL_VALUE = _INT32.pack(-1)

AUTHENTICATION_OK = b"R\x00\x00\x00\x08\x00\x00\x00\x00"
EMPTY_QUERY_RESPONSE = b"I\x00\x00\x00\x04"
NO_DATA = b"n\x00\x00\x00\x04"
PARSE_COMPLETE = b"1\x00\x00\x00\x04"
BIND_COMPLETE = b"2\x00\x00\x00\x04"
CLOSE_COMPLETE = b"3\x00\x00\x00\x04"
PORTAL_SUSPENDED = b"s\x00\x00\x00\x04"
COPY_DONE = b"c\x00\x00\x00\x04"
SSL_NOT_SUPPORTED = b"N"
SSL_SUPPORTED = b"S"

# Authentication request codes (the int32 after "R").
AUTH_CLEARTEXT_PASSWORD = 3
AUTH_MD5_PASSWORD = 5
AUTH_SASL = 10
AUTH_SASL_CONTINUE = 11
AUTH_SASL_FINAL = 12


def message(msg_type: bytes, body: bytes) -> bytes:
    """Frame a body with its type byte and length."""
    return _HEADER.pack(msg_type, len(body) + 4) + body


def cstring(text: str) -> bytes:
    return text.encode() + b"\x00"


def authentication(code: int, data: bytes = b"") -> bytes:
    """An Authentication request ("R"): the method's code and its data (salt, SASL message)."""
    return message(b"R", _INT32.pack(code) + data)


def parameter_status(name: str, value: str) -> bytes:
    return message(b"S", cstring(name) + cstring(value))


def backend_key_data(process_id: int, secret_key: int) -> bytes:
    return message(b"K", struct.pack("!ii", process_id, secret_key))


def ready_for_query(status: bytes) -> bytes:
    return _READY_FOR_QUERY.get(status) or message(b"Z", status)


_READY_FOR_QUERY = {status: message(b"Z", status) for status in (b"I", b"T", b"E")}


def negotiate_protocol_version(newest_minor: int, unrecognized: Sequence[str]) -> bytes:
    body = _INT32.pack(newest_minor) + _INT32.pack(len(unrecognized))
    return message(b"v", body + b"".join(cstring(name) for name in unrecognized))


@functools.lru_cache(maxsize=1024)
def command_complete(tag: str) -> bytes:
    """Remembered: the same few tags ("SELECT 1", "UPDATE 1") end almost every statement."""
    return message(b"C", cstring(tag))


def row_description(fields: Iterable[tuple[str, int, int, int, int, int, int]]) -> bytes:
    """Fields are (name, table oid, attnum, type oid, typlen, typmod, format)."""
    parts = [b""]
    count = 0
    for name, table_oid, attnum, type_oid, typlen, typmod, fmt in fields:
        parts.append(cstring(name) + _FIELD.pack(table_oid, attnum, type_oid, typlen, typmod, fmt))
        count += 1
    parts[0] = _INT16.pack(count)
    return message(b"T", b"".join(parts))


def data_rows(
    rows: Iterable[Sequence[Any]], encoders: Sequence[Callable[[Any], bytes]], count: int
) -> tuple[bytes, int, bool]:
    """Up to ``count`` DataRows from ``rows``, stopping early at a ``PAUSE``: (the messages,
    how many rows, whether ``rows`` ran out). Each column's encoder gives its text or binary
    form; None is SQL NULL. The work is done by a loop made for these encoders
    (``_rows_encoder``)."""
    return _rows_encoder(tuple(encoders), False)(rows, count)


def rows_encoder(encoders: Sequence[Callable[[Any], bytes]]) -> Callable[[Sequence[Sequence[Any]]], bytes]:
    """The DataRows of every row of a list (read at once: no ``PAUSE`` in it), by a loop made
    for these encoders, to keep where the same ones encode every result."""
    return _rows_encoder(tuple(encoders), True)


# Length words of the shorter values made once: indexing a tuple is cheaper than a pack call
# (and a longer value's IndexError costs nothing until it happens, from Python 3.11).
_LENGTH_WORDS = tuple(_INT32.pack(length) for length in range(1 << 12))


@functools.lru_cache(maxsize=1024)
def _rows_encoder(encoders: tuple[Callable[[Any], bytes], ...], whole: bool) -> Callable[..., Any]:
    """``data_rows``' loop written out for one list of column encoders, as ``dataclasses``
    writes ``__init__``: the row unpacked into locals, each column's encoder called (not for
    ``bytes``, whose output is its input: json/jsonb text, bytea binary, the stored bytes), and
    the DataRow's pieces (type, length word, column count, then each column's length word and
    value) added to the output as they are, for one join at the end: no per-column
    concatenation and no pack call for a row under 4 KiB. It is the per-row hot path of every
    result: a loop over the columns costs 2.5 µs per three-column row, this one ~0.5 µs. With
    ``whole``, ``encode(rows)``: every row of a list, without looking for ``PAUSE`` or counting
    rows. Only column numbers reach the source; the encoders are passed in as values."""
    width = len(encoders)
    pieces = "".join(f", w{i}, c{i}" for i in range(width))
    lengths = "".join(f"n{i} + " for i in range(width))
    lines = ["def encode(rows):" if whole else "def encode(rows, count):", "    out = []", "    add = out.extend"]
    if whole:
        lines += ["    for row in rows:"]
    else:
        lines += [
            "    left = count",
            "    for row in rows:",
            "        if row is PAUSE:  # a long scan lets the reactor run",
            "            return join(out), count - left, False",
        ]
    lines.append(f"        ({''.join(f'c{i}, ' for i in range(width))}) = row")
    for i, encode in enumerate(encoders):
        lines += [
            f"        if c{i} is None:",
            f"            n{i} = 0",
            f"            w{i} = NULL",
            f"            c{i} = EMPTY",
            "        else:",
            *([] if encode is bytes else [f"            c{i} = e{i}(c{i})"]),
            f"            n{i} = len(c{i})",
            "            try:",
            f"                w{i} = WORDS[n{i}]",
            "            except IndexError:",
            f"                w{i} = pack(n{i})",
        ]
    lines += [
        f"        length = {lengths}{4 * width + 6}",
        "        try:",
        "            word = WORDS[length]",
        "        except IndexError:",
        "            word = pack(length)",
        f"        add((DATA_ROW, word, WIDTH{pieces}))",
    ]
    if whole:
        lines.append("    return join(out)")
    else:
        lines += [
            "        left -= 1",
            "        if not left:",
            "            return join(out), count, False",
            "    return join(out), count - left, True",
        ]
    namespace: dict[str, Any] = {f"e{i}": encode for i, encode in enumerate(encoders)}
    namespace.update(
        PAUSE=PAUSE,
        NULL=_NULL_VALUE,
        EMPTY=b"",
        WORDS=_LENGTH_WORDS,
        DATA_ROW=b"D",
        WIDTH=_INT16.pack(width),
        join=b"".join,
        pack=_INT32.pack,
    )
    exec("\n".join(lines), namespace)
    return namespace["encode"]


def tails_encoder(width: int) -> Callable[[Sequence[tuple[bytes, bytes]]], bytes]:
    """The DataRows of a list of (first column, the others) pairs whose other columns are in a
    DataRow's form already (each after its length), as a store may keep a row: one length to
    count and one to look up per row, and the row's tail neither decoded nor cut into columns."""
    words, fixed, header = _LENGTH_WORDS, 4 + 2 + 4, _INT16.pack(width)

    def encode(pairs: Sequence[tuple[bytes, bytes]]) -> bytes:
        out: list[bytes] = []
        add = out.extend
        for first, tail in pairs:
            size = len(first)
            length = fixed + size + len(tail)
            try:
                word, first_word = words[length], words[size]
            except IndexError:
                word, first_word = _INT32.pack(length), _INT32.pack(size)
            add((b"D", word, header, first_word, first, tail))
        return b"".join(out)

    return encode


def parameter_description(oids: Sequence[int]) -> bytes:
    return message(b"t", _INT16.pack(len(oids)) + b"".join(_INT32.pack(oid) for oid in oids))


# ErrorResponse/NoticeResponse field codes, in the order PostgreSQL sends them.
_ERROR_FIELDS = (
    (b"D", "detail"),
    (b"H", "hint"),
    (b"P", "position"),
    (b"W", "context"),
    (b"s", "schema"),
    (b"t", "table"),
    (b"c", "column"),
    (b"d", "datatype"),
    (b"n", "constraint"),
)


def _notice_body(error: PgError) -> bytes:
    parts = [
        b"S" + cstring(error.severity),
        b"V" + cstring(error.severity),
        b"C" + cstring(error.sqlstate),
        b"M" + cstring(error.message),
    ]
    for code, attr in _ERROR_FIELDS:
        value = getattr(error, attr)
        if value is not None:
            parts.append(code + cstring(str(value)))
    parts.append(b"\x00")
    return b"".join(parts)


def error_response(error: PgError) -> bytes:
    return message(b"E", _notice_body(error))


def notification_response(process_id: int, channel: str, payload: str) -> bytes:
    return message(b"A", _INT32.pack(process_id) + cstring(channel) + cstring(payload))


def notice_response(notice: PgError) -> bytes:
    return message(b"N", _notice_body(notice))
