"""Many cheap cases: valid frontend sessions, spliced and mutated with a seeded random generator
(hypothesis spends more time drawing a case than the server spends answering it). A failure
prints the seed and the bytes, which reproduce it; ``ORBITPG_FUZZ_SEED`` picks another seed."""

from __future__ import annotations

import os
import random
import struct

from conftest import SCALE
from protocol_harness import query, startup, typed, untyped
from test_protocol_fuzz import SQL, run

from orbit_pg.protocol import PostgresServerFactory

CASES = int(9000 * SCALE)
SEED = int(os.environ.get("ORBITPG_FUZZ_SEED", "20261126"))


def _bind(values: list[bytes | None]) -> bytes:
    params = b"".join(struct.pack("!i", -1) if v is None else struct.pack("!i", len(v)) + v for v in values)
    return typed(b"B", b"\x00\x00" + struct.pack("!hh", 0, len(values)) + params + struct.pack("!h", 0))


# Whole messages a real client sends, to splice into sessions.
MESSAGES = [
    *(query(sql) for sql in SQL),
    *(typed(b"P", b"\x00" + sql.encode() + b"\x00\x00\x00") for sql in SQL),
    typed(b"P", b"s1\x00SELECT $1::int\x00\x00\x01\x00\x00\x00\x17"),
    _bind([]),
    _bind([b"1"]),
    _bind([None, b"x"]),
    typed(b"D", b"S\x00"),
    typed(b"D", b"Ps1\x00"),
    typed(b"E", b"\x00\x00\x00\x00\x00"),
    typed(b"E", b"\x00\x00\x00\x00\x01"),
    typed(b"C", b"S\x00"),
    typed(b"S"),
    typed(b"H"),
    typed(b"X"),
    typed(b"p", b"pw\x00"),
    typed(b"p", b"SCRAM-SHA-256\x00" + struct.pack("!i", 16) + b"n,,n=,r=abcdefgh"),
    typed(b"p", b"c=biws,r=abcdefgh,p=AAAA"),
    typed(b"F", b"\x00\x00\x00\x00"),
    typed(b"d", b"row"),
    typed(b"c"),
]
OPENINGS = [
    startup(),
    startup(user="orbit", database="actors", options="-c DateStyle=German --search_path=x\\ y"),
    startup(user="orbit", database="actors", application_name="fuzz", client_encoding="LATIN9"),
    untyped(struct.pack("!i", 80877103)) + startup(),
    untyped(struct.pack("!iii", 80877102, 1, 2)),
    startup(protocol=196609),
]


def _mutate(rng: random.Random, data: bytearray) -> None:
    position = rng.randrange(len(data))
    kind = rng.randrange(5)
    if kind == 0:
        data[position] = rng.randrange(256)
    elif kind == 1:
        del data[position : position + rng.randrange(1, 9)]
    elif kind == 2:
        data[position:position] = rng.randbytes(rng.randrange(1, 9))
    elif kind == 3:  # an interesting length where a length might be
        data[position : position + 4] = struct.pack("!i", rng.choice([-1, 0, 3, 4, 5, 8, 10000, 2**31 - 1]))
    else:  # repeat a slice
        data[position:position] = data[position : position + rng.randrange(1, 32)]


def _session(rng: random.Random) -> tuple[bytes, list[int]]:
    data = bytearray(rng.choice(OPENINGS))
    for _ in range(rng.randrange(9)):
        data += rng.choice(MESSAGES)
    for _ in range(rng.choice([0, 0, 1, 1, 2, 3, 5])):
        if data:
            _mutate(rng, data)
    chunks = [rng.randrange(1, 80) for _ in range(rng.randrange(4))]
    return bytes(data), chunks


def _fuzz(factory: PostgresServerFactory, seed: int) -> None:
    rng = random.Random(seed)
    for number in range(CASES):
        data, chunks = _session(rng)
        try:
            run(factory, data, chunks)
        except BaseException as exc:
            raise AssertionError(f"seed {seed}, case {number}: data={data!r} chunks={chunks}") from exc


def test_mutated_sessions_after_trust(trusting: PostgresServerFactory) -> None:
    _fuzz(trusting, SEED)


def test_mutated_sessions_during_authentication(with_passwords: PostgresServerFactory) -> None:
    _fuzz(with_passwords, SEED + 1)
