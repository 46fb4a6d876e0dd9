"""backend.data_rows, rows_encoder and tails_encoder, the DataRow encoders of every result, against a
reference that encodes one row at a time through the columns' output functions, for every type
a column can have, in text, binary and mixed formats, with NULLs; and data_rows' batch bounds
(count, PAUSE, exhaustion)."""

from __future__ import annotations

import struct
from collections.abc import Callable, Sequence
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_types import BY_TYPNAME, CASES

from orbit_pg import types
from orbit_pg.interrupts import PAUSE
from orbit_pg.storage.base import Row, stored
from orbit_pg.wire.backend import data_rows, rows_encoder, tails_encoder

# (type, value) for every case of test_types: each type's values as its input function makes them.
VALUES = [(BY_TYPNAME[typname], BY_TYPNAME[typname].text_in(text)) for typname, text, _, _ in CASES]
# Values of types test_types has no text case for, as the executor holds them.
VALUES += [
    (types.JSONB, b'{"n": 1, "name": "\xc3\xa9"}'),
    (types.JSON, b'[1, {"a": null}]'),
    (types.BYTEA, bytes(range(256))),
    (types.TEXT, "x" * 70000),  # a length word of three bytes
    (types.TEXT, "y" * 4095),  # the longest value whose length word is made in advance
    (types.TEXT, "z" * 4096),  # the shortest whose word is packed per row
    # Alone in a row, these make the longest DataRow whose length word is made in advance
    # (4 + 2 + 4 + 4,085 bytes) and the shortest whose word is packed.
    (types.TEXT, "w" * 4085),
    (types.TEXT, "v" * 4086),
    (types.TEXT, ""),
]


def reference(row: Sequence[Any], encoders: Sequence[Callable[[Any], bytes]]) -> bytes:
    """A DataRow as the protocol documents it, one column at a time."""
    body = struct.pack("!h", len(row))
    for value, encode in zip(row, encoders, strict=True):
        if value is None:
            body += struct.pack("!i", -1)
        else:
            data = encode(value)
            body += struct.pack("!i", len(data)) + data
    return b"D" + struct.pack("!i", len(body) + 4) + body


columns = st.lists(st.tuples(st.sampled_from(range(len(VALUES))), st.sampled_from((0, 1))), min_size=0, max_size=6)


@settings(max_examples=300, deadline=None)
@given(columns, st.data())
def test_data_rows_match_one_row_at_a_time(chosen: list[tuple[int, int]], data: st.DataObject) -> None:
    """Any columns, formats per column, NULLs anywhere: the same bytes as the reference."""
    encoders = [VALUES[i][0].binary_out if fmt else VALUES[i][0].text_out for i, fmt in chosen]
    row_count = data.draw(st.integers(0, 5))
    rows = [[None if data.draw(st.booleans()) else VALUES[i][1] for i, _ in chosen] for _ in range(row_count)]
    count = data.draw(st.integers(1, 6))
    sent, taken, exhausted = data_rows(iter(rows), encoders, count)
    assert sent == b"".join(reference(row, encoders) for row in rows[:count])
    assert taken == min(count, row_count)
    assert exhausted == (row_count < count)
    # The same columns' encoder of a whole list (a result read at once).
    assert rows_encoder(encoders)(rows) == b"".join(reference(row, encoders) for row in rows)


def test_every_value_in_both_formats() -> None:
    for pg_type, value in VALUES:
        for encode in (pg_type.text_out, pg_type.binary_out):
            assert data_rows(iter([[value, None]]), [encode, encode], 10) == (
                reference([value, None], [encode, encode]),
                1,
                True,
            )
            assert data_rows(iter([[value]]), [encode], 10) == (reference([value], [encode]), 1, True)
            assert rows_encoder([encode])([[value], [value]]) == reference([value], [encode]) * 2


def test_pause_ends_the_batch_and_the_rest_follow() -> None:
    rows = iter([["a"], PAUSE, ["b"], ["c"]])
    encoders = [types.TEXT.text_out]
    assert data_rows(rows, encoders, 10) == (reference(["a"], encoders), 1, False)
    assert data_rows(rows, encoders, 1) == (reference(["b"], encoders), 1, False)
    assert data_rows(rows, encoders, 1) == (reference(["c"], encoders), 1, False)
    assert data_rows(rows, encoders, 1) == (b"", 0, True)


def test_a_row_of_another_width_is_refused() -> None:
    """The loop made for three columns unpacks each row into three: a row of two is an error,
    never a DataRow that misstates its columns."""
    encoders = [types.TEXT.text_out] * 3
    with pytest.raises(ValueError):
        data_rows(iter([["a", "b"]]), encoders, 1)


# actor_ids and states whose DataRow lengths sit on the edges of the words made in advance.
STORED_IDS = ["", "a", "\u4e2d" * 3, "k" * 4095, "k" * 4096]
STORED_STATES = [None, b"{}", b'{"n": "' + b"s" * 4070 + b'"}', b"[" + b"1, " * 3000 + b"1]"]
STORED_TYPES = ["", "user", "t\u00e9"]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(STORED_IDS), st.sampled_from(STORED_TYPES), st.sampled_from(STORED_STATES)),
        max_size=6,
    )
)
def test_rows_as_stored_match_one_row_at_a_time(rows: list[Row]) -> None:
    """Whole actors rows as stored (a key, then the type and state after their lengths), through
    ``tails_encoder``: the same bytes as the reference makes of the rows' three text columns."""
    expected = b"".join(reference(row, [str.encode, str.encode, bytes]) for row in rows)
    assert tails_encoder(3)([stored(row) for row in rows]) == expected
