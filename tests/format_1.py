"""Data directories as builds before the recorded row format wrote them (format 1: the state's
NULL flag byte where its length now is), for the tests of their upgrade."""

from __future__ import annotations

import struct
from pathlib import Path

import lmdb

from orbit_pg.storage.base import Row

# Rows with the edges of the format: '' (stored under b"\x00"), NULL states, UTF-8 beyond ASCII,
# an empty type, a state of several KiB, and enough rows of one type for a LIMIT to cut.
ROWS: list[Row] = [
    ("", "user", None),
    ("a", "user", b'{"n": 1}'),
    ("b", "", b"{}"),
    ("\u00e9t\u00e9", "t\u00e9", b'{"a": [1, "\xe4\xb8\xad"]}'),
    ("c", "user", b"[" + b"1, " * 2000 + b"1]"),
    *((f"user:{n}", "user", b'{"n": %d}' % n) for n in range(7)),
    ("z", "t\u00e9", None),
]


def write_format_1(path: Path, rows: list[Row]) -> None:
    """The rows and their type index as format 1 wrote them, and no recorded format."""
    env = lmdb.open(str(path), max_dbs=8, writemap=True)
    actors, by_type = env.open_db(b"actors"), env.open_db(b"actors_actor_type_idx", dupsort=True)
    env.open_db(b"orbitpg_meta")
    with env.begin(write=True) as txn:
        for actor_id, actor_type, state in rows:
            key, kind = actor_id.encode() or b"\x00", actor_type.encode()
            flagged = b"\x00" if state is None else b"\x01" + state
            txn.put(key, struct.pack("!I", len(kind)) + kind + flagged, db=actors)
            txn.put(kind or b"\x00", key, db=by_type)
    env.close()
