"""The hot path's shortcuts (remembered messages, fast decoding, no-op lock release) give the
same answers and the same errors as the general code they skip."""

from __future__ import annotations

from typing import Any

import pytest

from orbit_pg import errors, jsonb
from orbit_pg.locks import LockMode, LockTable, Owner
from orbit_pg.session import milliseconds
from orbit_pg.sql import jsonb_ops
from orbit_pg.wire import backend, frontend


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (b"Sname\x00", ("S", "name")),
        (b"P\x00", ("P", "")),
        (b"P\xc3\xa9t\xc3\xa9\x00", ("P", "été")),
    ],
)
def test_describe_and_close_decode_well_formed_messages(body: bytes, expected: tuple[str, str]) -> None:
    assert tuple(vars(frontend.decode_describe(body)).values()) == expected
    assert tuple(vars(frontend.decode_close(body)).values()) == expected


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"", "insufficient data left in message"),
        (b"Sname", "invalid string in message"),
        (b"Sname\x00extra", "invalid message format"),
        (b"Sa\x00b\x00", "invalid message format"),
        (b"Xname\x00", "invalid DESCRIBE message subtype 88"),
    ],
)
def test_malformed_describe_keeps_its_error(body: bytes, message: str) -> None:
    with pytest.raises(errors.PgError) as raised:
        frontend.decode_describe(body)
    assert (raised.value.sqlstate, raised.value.message) == (errors.PROTOCOL_VIOLATION, message)


def test_describe_name_with_invalid_utf8_is_22021() -> None:
    with pytest.raises(errors.PgError) as raised:
        frontend.decode_describe(b"S\xff\x00")
    assert raised.value.sqlstate == errors.CHARACTER_NOT_IN_REPERTOIRE


def test_remembered_messages_are_the_encoded_ones() -> None:
    for tag in ("SELECT 1", "UPDATE 1", "INSERT 0 1"):
        assert backend.command_complete(tag) == backend.message(b"C", tag.encode() + b"\x00")
    for status in (b"I", b"T", b"E"):
        assert backend.ready_for_query(status) == b"Z\x00\x00\x00\x05" + status


@pytest.mark.parametrize(
    ("text", "value"), [("0", 0), ("1min", 60_000), ("250ms", 250), ("2s", 2000), ("1h", 3_600_000)]
)
def test_milliseconds_read_twice_agree(text: str, value: int) -> None:
    assert milliseconds(text) == milliseconds(text) == value


def test_releasing_an_owner_without_locks_leaves_other_holders_alone() -> None:
    table = LockTable()
    holder, reader = Owner(1), Owner(2)
    assert table.acquire(holder, "k", LockMode.UPDATE, "block")
    table.release_after(reader)
    table.release_after(holder, len(holder.held))  # ROLLBACK TO a savepoint taken after the lock
    assert holder.held == [("k", LockMode.UPDATE)]
    with pytest.raises(errors.PgError):
        table.acquire(reader, "k", LockMode.UPDATE, "nowait")
    table.release_after(holder)
    assert table.acquire(reader, "k", LockMode.UPDATE, "nowait")


def _exact_field(doc: bytes, key: str) -> tuple[bytes | None, str | None]:
    """-> and ->> the slow way: the Decimal-keeping decoder, always."""
    value = jsonb.loads(doc)
    if type(value) is not dict or key not in value:
        return None, None
    field = value[key]
    text = None if field is None else field if type(field) is str else jsonb.dumps(field).decode()
    return jsonb.dumps(field), text


@pytest.mark.parametrize(
    "text",
    [
        '{"balance": 100, "name": "user 1"}',
        '{"balance": -7}',
        '{"balance": 0}',
        '{"balance": -0}',
        '{"balance": 1.50}',
        '{"balance": 1e3}',
        '{"balance": 123456789012345678901234567890123}',
        '{"balance": "1.5", "other": 2}',
        '{"balance": "tab\\there \\"quoted\\" \\u00e9 \\ud83d\\ude00"}',
        '{"balance": true}',
        '{"balance": false}',
        '{"balance": null}',
        '{"balance": {"inner": 1}}',
        '{"balance": [1, "two", null]}',
        '{"other": 1}',
        '{"inner": {"balance": 1}}',
        "{}",
        "[1, 2]",
        '"balance"',
        "100",
        "null",
        '{"balance": ' + "9" * 5000 + "}",
    ],
)
def test_quick_field_reads_what_the_exact_decoder_reads(text: str) -> None:
    doc = jsonb.canonical(text)
    expected = _exact_field(doc, "balance")
    assert (jsonb_ops.object_field(doc, "balance"), jsonb_ops.object_field_text(doc, "balance")) == expected


def _parse_by_reader(body: bytes) -> frontend.Parse:
    reader = frontend._Reader(body)
    name, text = reader.cstring(), reader.cstring()
    oids = [reader.int32() for _ in range(reader.int16())]
    reader.end()
    return frontend.Parse(name, text, oids)


def _outcome(decode: Any, body: bytes) -> Any:
    try:
        return decode(body)
    except errors.PgError as error:
        return error.sqlstate, error.message


@pytest.mark.parametrize(
    "body",
    [
        b"\x00SELECT 1\x00\x00\x00",
        b"s1\x00SELECT $1\x00\x00\x01\x00\x00\x00\x19",
        b"\x00SELECT $1, $2\x00\x00\x02\x00\x00\x00\x17\x00\x00\x00\x00",
        "\u00e9\x00SELECT '\u00fc'\x00\x00\x00".encode(),
        b"",
        b"\x00",
        b"\x00SELECT 1",
        b"\x00SELECT 1\x00",
        b"\x00SELECT 1\x00\x00",
        b"\x00SELECT 1\x00\x00\x00extra",
        b"\x00SELECT 1\x00\x00\x01\x00\x00",
        b"\x00SELECT 1\x00\xff\xff",
        b"\xff\x00SELECT 1\x00\x00\x00",
        b"\x00SELECT \xff\x00\x00\x00",
        b"\xff\x00SELECT 1\x00\x00",
    ],
)
def test_parse_decodes_as_the_reader_does(body: bytes) -> None:
    assert _outcome(frontend.decode_parse, body) == _outcome(_parse_by_reader, body)


def _bind(statement: bytes, middle: bytes, results: bytes) -> bytes:
    return b"\x00" + statement + b"\x00" + middle + results


_TEXT = b"\x00\x00"  # no format codes
_ONE_TEXT = b"\x00\x01\x00\x00"


@pytest.mark.parametrize(
    ("body", "count"),
    [
        (_bind(b"P0_1", b"\x00\x00\x00\x01\x00\x00\x00\x04user", _ONE_TEXT), 1),
        (_bind(b"", b"\x00\x00\x00\x02\x00\x00\x00\x01a\x00\x00\x00\x00", _TEXT), 2),
        (_bind(b"s", b"\x00\x00\x00\x00", _ONE_TEXT), 0),
        (_bind(b"s", b"\x00\x00\x00\x01\x00\x00\x00\x03a\x00b", _TEXT), 1),  # a NUL inside stays
    ],
)
def test_text_bind_values_read_what_decode_bind_reads(body: bytes, count: int) -> None:
    pos = body.index(b"\x00", 1) + 1
    assert frontend.text_bind_values(body, pos, count) == frontend.decode_bind(body).params


@pytest.mark.parametrize(
    ("body", "count"),
    [
        (_bind(b"s", b"\x00\x00\x00\x01\x00\x00\x00\x04user", _ONE_TEXT), 2),  # another count
        (_bind(b"s", b"\x00\x00\x00\x01\xff\xff\xff\xff", _ONE_TEXT), 1),  # NULL
        (_bind(b"s", b"\x00\x01\x00\x00\x00\x01\x00\x00\x00\x01a", _ONE_TEXT), 1),  # a format code
        (_bind(b"s", b"\x00\x00\x00\x01\x00\x00\x00\x01a", b"\x00\x01\x00\x01"), 1),  # binary results
        (_bind(b"s", b"\x00\x00\x00\x01\x00\x00\x00\x01a", b"\x00\x02\x00\x00\x00\x00"), 1),  # two codes
        (_bind(b"s", b"\x00\x00\x00\x01\x00\x00\x00\x09a", _ONE_TEXT), 1),  # runs past the end
        (_bind(b"s", b"\x00\x00\x00\x01\x00\x00", b""), 1),  # cut in a length
        (_bind(b"s", b"\x00\x00\x00\x01\x00\x00\x00\x01a", _ONE_TEXT + b"x"), 1),  # more after it
        (_bind(b"s", b"\x00\x00\x00\x01\x00\x00\x00\x01a", b""), 1),  # no result formats at all
    ],
)
def test_text_bind_values_leave_other_binds_to_decode_bind(body: bytes, count: int) -> None:
    assert frontend.text_bind_values(body, body.index(b"\x00", 1) + 1, count) is None
