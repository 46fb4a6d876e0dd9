"""WAL records round-trip every kind of write set, and a record cut anywhere or flipped in any
byte is not read back (replay ends before it: its commit was never acknowledged)."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from orbit_pg import jsonb
from orbit_pg.storage.base import Row
from orbit_pg.storage.wal import HEADER, decode, encode, read_records, record

# (No lone surrogates, not UTF-8, and no NUL, which neither text nor jsonb holds.)
_texts = st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\x00"), max_size=40)
_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | _texts,
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(_texts, inner, max_size=5),
    max_leaves=30,
)
_states = st.one_of(
    st.none(),  # a NULL state
    _json.map(lambda value: jsonb.canonical(json.dumps(value, ensure_ascii=False))),
    st.integers(min_value=70_000, max_value=300_000).map(lambda size: b'"' + b"x" * size + b'"'),  # big
)
_rows = st.tuples(_texts, _states)
_writes = st.dictionaries(_texts, st.none() | _rows, max_size=6)  # None: a deletion


def _as_rows(writes: dict[str, tuple[str, bytes | None] | None]) -> dict[str, Row | None]:
    return {key: None if value is None else (key, *value) for key, value in writes.items()}


@settings(max_examples=150, deadline=None)
@given(writes=_writes)
def test_encode_decode_round_trip(writes: dict[str, tuple[str, bytes | None] | None]) -> None:
    rows = _as_rows(writes)
    assert decode(encode(rows)) == rows


@settings(max_examples=60, deadline=None)
@given(
    sets=st.lists(_writes.filter(bool), min_size=1, max_size=4),  # (an empty group writes no record)
    seq=st.integers(min_value=1, max_value=2**63),
    cut=st.integers(min_value=0),
    flip=st.integers(min_value=0),
)
def test_records_read_back_whole_and_a_torn_or_corrupt_one_is_dropped(
    sets: list[dict[str, tuple[str, bytes | None] | None]], seq: int, cut: int, flip: int
) -> None:
    records = [record(seq + n, _as_rows(writes)) for n, writes in enumerate(sets)]
    data = b"".join(records) + bytes(HEADER.size)  # (a zero length ends a segment's records)
    read, good = read_records(data)
    assert [(s, decode(payload)) for s, payload in read] == [(seq + n, _as_rows(w)) for n, w in enumerate(sets)]
    assert good == len(data) - HEADER.size

    last = len(records) - 1
    start = good - len(records[last])
    torn = data[: start + cut % len(records[last])]  # the last record cut short, as a crash leaves it
    assert [s for s, _ in read_records(torn)[0]] == [seq + n for n in range(last)]
    assert read_records(torn)[1] == start

    at = start + flip % len(records[last])
    corrupt = bytearray(data)
    corrupt[at] ^= 0xFF  # any byte of the record: length, crc, seq or payload
    kept, end = read_records(bytes(corrupt))
    assert [s for s, _ in kept] == [seq + n for n in range(last)]
    assert end == start
