"""Random and mutated frontend traffic through the real protocol state machine.

Whatever a client sends: no exception escapes ``dataReceived``, no work is scheduled forever
(the harness checks), and everything the server sends is whole, well-formed backend messages
with no internal error. ``ORBITPG_FUZZ_SCALE=50`` runs fifty times as many cases by hand.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator

import pytest
from backend_messages import check_replies
from conftest import SCALE
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from protocol_harness import Connection, query, startup, typed, untyped

from orbit_pg.protocol import PostgresServerFactory

SQL = [
    "SELECT 1",
    "SELECT * FROM actors",
    "SELECT actor_id, state->'n' FROM actors WHERE actor_id = $1",
    "INSERT INTO actors VALUES ($1, 'fuzz', '{}')",
    "INSERT INTO actors VALUES ('f:1', 'fuzz', '{\"n\": 1}') ON CONFLICT DO NOTHING",
    "UPDATE actors SET state = '{}' WHERE actor_type = 'fuzz'",
    "DELETE FROM actors WHERE actor_id = 'f:1'",
    "BEGIN",
    "COMMIT",
    "ROLLBACK",
    "SET idle_session_timeout = 0",
    "SHOW ALL",
    "SELECT 1/0",
    "SELEC oops",
    # Role statements that leave no role behind (one would end trust for the next sessions).
    "CREATE ROLE pg_fuzz",
    "DROP ROLE IF EXISTS fuzz_role",
    "GRANT SELECT ON actors TO fuzz_role",
    "ALTER ROLE fuzz_role PASSWORD 'x'",
    "",
    ";;",
]

cstrings = st.text(max_size=12).map(lambda s: s.replace("\x00", "").encode() + b"\x00")
sql_text = st.sampled_from(SQL) | st.text(max_size=40)
int16 = st.integers(-(2**15), 2**15 - 1)
int32 = st.integers(-(2**31), 2**31 - 1)
values = st.one_of(st.none(), st.binary(max_size=12))


def _sql(text: str) -> bytes:
    return text.replace("\x00", "").encode() + b"\x00"


def _value(value: bytes | None) -> bytes:
    return struct.pack("!i", -1) if value is None else struct.pack("!i", len(value)) + value


parse = st.builds(
    lambda name, text, oids: typed(b"P", name + _sql(text) + struct.pack("!h", len(oids)) + b"".join(oids)),
    cstrings,
    sql_text,
    st.lists(st.sampled_from([0, 23, 25, 3802, 12345]).map(lambda o: struct.pack("!i", o)), max_size=3),
)
bind = st.builds(
    lambda portal, name, formats, params, results: typed(
        b"B",
        portal
        + name
        + struct.pack("!h", len(formats))
        + b"".join(struct.pack("!h", f) for f in formats)
        + struct.pack("!h", len(params))
        + b"".join(_value(v) for v in params)
        + struct.pack("!h", len(results))
        + b"".join(struct.pack("!h", f) for f in results),
    ),
    cstrings,
    cstrings,
    st.lists(st.sampled_from([0, 1, 2]), max_size=3),
    st.lists(values, max_size=3),
    st.lists(st.sampled_from([0, 1, 7]), max_size=3),
)
describe_or_close = st.builds(
    lambda kind, which, name: typed(kind, which + name),
    st.sampled_from([b"D", b"C"]),
    st.sampled_from([b"S", b"P", b"X"]),
    cstrings,
)
execute = st.builds(lambda name, rows: typed(b"E", name + struct.pack("!i", rows)), cstrings, int32)
fixed = st.sampled_from([typed(b"S"), typed(b"H"), typed(b"X"), typed(b"c"), typed(b"d", b"x"), typed(b"f", b"no\x00")])
password = st.builds(lambda body: typed(b"p", body), st.binary(max_size=40))
sasl_initial = st.builds(
    lambda mechanism, data: typed(b"p", mechanism + _value(data)),
    st.sampled_from([b"SCRAM-SHA-256\x00", b"SCRAM-SHA-256-PLUS\x00", b"PLAIN\x00", b"\x00"]),
    st.one_of(
        st.none(),
        st.binary(max_size=40),
        st.sampled_from([b"n,,n=,r=abcdefgh", b"y,,n=,r=x", b"p=tls-server-end-point,,n=,r=x", b"n,a=z,n=,r=q"]),
    ),
)
sasl_final = st.builds(
    lambda nonce, proof: typed(b"p", b"c=biws,r=" + nonce + b",p=" + proof),
    st.binary(max_size=30),
    st.sampled_from([b"", b"AAAA", b"dGVzdA==", b"%%%"]),
)
random_typed = st.builds(lambda t, body: typed(bytes([t]), body), st.integers(0, 255), st.binary(max_size=30))
random_length = st.builds(
    lambda t, n, body: bytes([t]) + struct.pack("!i", n) + body, st.integers(0, 255), int32, st.binary(max_size=8)
)
message = st.one_of(
    sql_text.map(query),
    parse,
    bind,
    describe_or_close,
    execute,
    fixed,
    password,
    sasl_initial,
    sasl_final,
    random_typed,
    random_length,
)
parameters = st.dictionaries(
    st.sampled_from(
        ["user", "database", "options", "application_name", "DateStyle", "client_encoding", "_pq_.x", "replication"]
    ),
    st.text(max_size=12).map(lambda s: s.replace("\x00", "")),
    max_size=4,
)
opening = st.one_of(
    st.just(startup()),
    parameters.map(lambda p: startup(**p) if p else startup()),
    st.builds(lambda v: startup(protocol=v), st.sampled_from([196608, 196609, 131072, 80877103 + 5])),
    st.just(untyped(struct.pack("!i", 80877103)) + startup()),  # SSLRequest first
    st.just(untyped(struct.pack("!i", 80877104)) + startup()),  # GSSENCRequest first
    st.builds(lambda pid, key: untyped(struct.pack("!iii", 80877102, pid, key)), int32, int32),
    st.builds(lambda n, body: struct.pack("!i", n) + body, int32, st.binary(max_size=16)),
)


@st.composite
def traffic(draw: st.DrawFn) -> tuple[bytes, list[int]]:
    """A session's bytes (maybe mutated) and the sizes of the chunks they arrive in."""
    data = bytearray(draw(opening) + b"".join(draw(st.lists(message, max_size=8))))
    for _ in range(draw(st.integers(0, 3))):
        if not data:
            break
        position = draw(st.integers(0, len(data) - 1))
        kind = draw(st.sampled_from(["flip", "cut", "insert"]))
        if kind == "flip":
            data[position] = draw(st.integers(0, 255))
        elif kind == "cut":
            del data[position : position + draw(st.integers(1, 8))]
        else:
            data[position:position] = draw(st.binary(min_size=1, max_size=8))
    chunks = draw(st.lists(st.integers(1, 64), max_size=6))
    return bytes(data), chunks


def _split(data: bytes, chunks: list[int]) -> Iterator[bytes]:
    offset = 0
    for size in chunks:
        if offset >= len(data):
            return
        yield data[offset : offset + size]
        offset += size
    if offset < len(data):
        yield data[offset:]


def _encryption_requests(data: bytes) -> int:
    """How many SSLRequest / GSSENCRequest packets lead the data (each may carry extra bytes)."""
    count = offset = 0
    while len(data) - offset >= 8:
        length, code = struct.unpack_from("!ii", data, offset)
        if code not in (80877103, 80877104) or not 8 <= length <= 10000 or len(data) - offset < length:
            break
        count += 1
        offset += length
    return count


def run(factory: PostgresServerFactory, data: bytes, chunks: list[int]) -> None:
    connection = Connection(factory)
    for chunk in _split(data, chunks):
        connection.receive(chunk)
    output = connection.transport.value()
    # The unframed bytes: one "N" for each SSLRequest or GSSENCRequest the session opened with.
    requests = _encryption_requests(data)
    assert output[:requests] == b"N" * min(requests, len(output))
    check_replies(output[requests:])
    connection.protocol.connectionLost(None)


FUZZ = settings(
    max_examples=int(100 * SCALE),
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.function_scoped_fixture],
)


# Each example is several sessions (connections), so that hypothesis's own work per example is shared.
sessions = st.lists(traffic(), min_size=4, max_size=12)


@FUZZ
@given(sessions)
def test_any_traffic_after_trust(trusting: PostgresServerFactory, cases: list[tuple[bytes, list[int]]]) -> None:
    for case in cases:
        run(trusting, *case)


@FUZZ
@given(sessions)
def test_any_traffic_during_authentication(
    with_passwords: PostgresServerFactory, cases: list[tuple[bytes, list[int]]]
) -> None:
    for case in cases:
        run(with_passwords, *case)


def test_harness_catches_a_malformed_reply() -> None:
    with pytest.raises(AssertionError):
        check_replies(b"Z\x00\x00\x00\x05Q")
