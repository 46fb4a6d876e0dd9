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


def decode_password(body: bytes) -> str:
    """PasswordMessage: one string, the password or MD5 response (PostgreSQL's recv_password_packet)."""
    if body.find(b"\x00") != len(body) - 1:
        raise errors.fatal(errors.PROTOCOL_VIOLATION, "invalid password packet size")
    if len(body) == 1:
        raise errors.fatal("28P01", "empty password returned by client")
    return decode_utf8(body[:-1])


def decode_sasl_initial_response(body: bytes) -> tuple[str, bytes]:
    """SASLInitialResponse: the mechanism chosen, then its first message (length -1: none)."""
    reader = _Reader(body)
    mechanism = reader.cstring()
    data = reader.value()
    reader.end()
    return mechanism, data or b""


class _Reader:
    """Reads one message body front to back; running short is PostgreSQL's 08P01."""

    __slots__ = ("data", "pos")

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def _take(self, count: int) -> bytes:
        end = self.pos + count
        if count < 0 or end > len(self.data):
            raise errors.PgError(errors.PROTOCOL_VIOLATION, "insufficient data left in message")
        chunk = self.data[self.pos : end]
        self.pos = end
        return chunk

    def int16(self) -> int:
        (value,) = _INT16.unpack(self._take(2))
        return value

    def int32(self) -> int:
        (value,) = _INT32.unpack(self._take(4))
        return value

    def byte(self) -> int:
        return self._take(1)[0]

    def cstring(self) -> str:
        end = self.data.find(b"\x00", self.pos)
        if end < 0:
            raise errors.PgError(errors.PROTOCOL_VIOLATION, "invalid string in message")
        text = self.data[self.pos : end]
        self.pos = end + 1
        return decode_utf8(text)

    def value(self) -> bytes | None:
        length = self.int32()
        return None if length == -1 else self._take(length)

    def end(self) -> None:
        if self.pos != len(self.data):
            raise errors.PgError(errors.PROTOCOL_VIOLATION, "invalid message format")


_INT16 = struct.Struct("!h")


@dataclass(slots=True)
class Parse:
    name: str
    query: str
    param_oids: list[int]


@dataclass(slots=True)
class Bind:
    portal: str
    statement: str
    param_formats: list[int]
    params: list[bytes | None]
    result_formats: list[int]


@dataclass(frozen=True)
class Describe:
    kind: str  # 'S' statement or 'P' portal
    name: str


@dataclass(frozen=True)
class Execute:
    portal: str
    max_rows: int


# What libpq, pgbench and most drivers send after every Bind: the unnamed portal, all rows.
_UNNAMED_PORTAL_DESCRIBE = b"P\x00"
_DESCRIBE_UNNAMED_PORTAL = Describe("P", "")
_UNNAMED_PORTAL_ALL_ROWS = b"\x00\x00\x00\x00\x00"
_EXECUTE_UNNAMED_PORTAL = Execute("", 0)


@dataclass
class Close:
    kind: str
    name: str


def decode_parse(body: bytes) -> Parse:
    """Parse comes with every statement an extended-protocol driver runs unnamed: a well-formed
    one is read with struct directly; anything else goes to the reader, which reports it."""
    end = body.find(b"\x00")
    query_end = body.find(b"\x00", end + 1) if end >= 0 else -1
    if query_end >= 0 and len(body) >= query_end + 3:
        (count,) = _INT16.unpack_from(body, query_end + 1)
        if 0 <= count and len(body) == query_end + 3 + 4 * count:
            oids = list(struct.unpack_from(f"!{count}i", body, query_end + 3)) if count else []
            return Parse(decode_utf8(body[:end]) if end else "", decode_utf8(body[end + 1 : query_end]), oids)
    reader = _Reader(body)
    name, query = reader.cstring(), reader.cstring()
    oids = [reader.int32() for _ in range(reader.int16())]
    reader.end()
    return Parse(name, query, oids)


def decode_bind(body: bytes) -> Bind:
    """Bind, read with struct directly: it arrives with every execution of a prepared statement."""
    try:
        end = body.index(b"\x00")
        portal = decode_utf8(body[:end]) if end else ""
        pos = end + 1
        end = body.index(b"\x00", pos)
        statement = decode_utf8(body[pos:end]) if end > pos else ""
        pos = end + 1
        if body[pos : pos + 2] == b"\x00\x00":  # no format codes (libpq's default): all text
            param_formats, pos = [], pos + 2
        else:
            param_formats, pos = _int16_list(body, pos)
        (count,) = _INT16.unpack_from(body, pos)
        params, pos = _values(body, pos + 2, count)
        rest = body[pos:]
        if rest == b"\x00\x00":  # no result format codes: all text
            result_formats, pos = [], pos + 2
        elif rest == _ONE_TEXT_RESULT:  # libpq's PQexecPrepared/PQexecParams: one code, text
            result_formats, pos = [0], pos + 4
        else:
            result_formats, pos = _int16_list(body, pos)
    except (ValueError, struct.error):
        raise errors.PgError(errors.PROTOCOL_VIOLATION, "insufficient data left in message") from None
    if pos != len(body):
        raise errors.PgError(errors.PROTOCOL_VIOLATION, "invalid message format")
    return Bind(portal, statement, param_formats, params, result_formats)


_ONE_TEXT_RESULT = b"\x00\x01\x00\x00"
_ALL_TEXT_RESULTS = (b"\x00\x00", _ONE_TEXT_RESULT)  # no result format codes, or one: text


def text_bind_values(body: bytes, pos: int, count: int) -> list[bytes] | None:
    """The values of a Bind as libpq sends one (PQexecPrepared, PQexecParams): from ``pos``
    (after the statement's name) no parameter format codes, ``count`` values, none NULL, then
    no result format codes or one for text. Read in the fewest steps, since it comes with every
    execution of a prepared statement; None for any other Bind (``decode_bind`` reads that one,
    and says what is wrong with it)."""
    if body[pos : pos + 4] != b"\x00\x00" + count.to_bytes(2, "big"):
        return None
    try:
        values, pos = _values(body, pos + 4, count)
    except (ValueError, struct.error):
        return None
    if None in values or body[pos:] not in _ALL_TEXT_RESULTS:
        return None
    return values  # type: ignore[return-value]  # (none is None)


def _values(body: bytes, pos: int, count: int) -> tuple[list[bytes | None], int]:
    """Bind's ``count`` parameter values from ``pos``, each after its length (-1: NULL), and
    where they end; ValueError (or struct.error) where a length is negative or runs past the end."""
    values: list[bytes | None] = []
    append, size = values.append, len(body)
    for _ in range(count):
        (length,) = _INT32.unpack_from(body, pos)
        pos += 4
        if length == -1:
            append(None)
            continue
        if length < 0 or pos + length > size:
            raise ValueError
        append(body[pos : pos + length])
        pos += length
    return values, pos


def _int16_list(body: bytes, pos: int) -> tuple[list[int], int]:
    """An int16 count, then that many int16s."""
    (count,) = _INT16.unpack_from(body, pos)
    pos += 2
    if count <= 0:
        if count:
            raise ValueError
        return [], pos
    return list(struct.unpack_from(f"!{count}h", body, pos)), pos + 2 * count


_PORTAL_OR_STATEMENT = frozenset(b"SP")


def _kind_and_name(body: bytes, message: str) -> tuple[str, str]:
    if body and body[0] in _PORTAL_OR_STATEMENT and body.find(b"\x00", 1) == len(body) - 1:
        # The well-formed message every Describe of a prepared statement's run is (no reader).
        return chr(body[0]), decode_utf8(body[1:-1]) if len(body) > 2 else ""
    reader = _Reader(body)
    kind = chr(reader.byte())
    name = reader.cstring()
    reader.end()
    if kind not in "SP":
        raise errors.PgError(errors.PROTOCOL_VIOLATION, f"invalid {message} message subtype {ord(kind)}")
    return kind, name


def decode_describe(body: bytes) -> Describe:
    if body == _UNNAMED_PORTAL_DESCRIBE:
        return _DESCRIBE_UNNAMED_PORTAL
    return Describe(*_kind_and_name(body, "DESCRIBE"))


def decode_close(body: bytes) -> Close:
    return Close(*_kind_and_name(body, "CLOSE"))


def decode_execute(body: bytes) -> Execute:
    if body == _UNNAMED_PORTAL_ALL_ROWS:
        return _EXECUTE_UNNAMED_PORTAL
    end = body.find(b"\x00")
    if end < 0 or len(body) != end + 5:
        raise errors.PgError(errors.PROTOCOL_VIOLATION, "invalid message format")
    (max_rows,) = _INT32.unpack_from(body, end + 1)
    return Execute(decode_utf8(body[:end]) if end else "", max_rows)
