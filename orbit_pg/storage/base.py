"""The store interface the executor sees; LMDB is its first implementation.

Nothing above this module knows which engine holds the actors: a snapshot answers
reads, and ``commit`` applies a transaction's whole write set atomically and durably.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator, Mapping, Sequence
from typing import Protocol

# (actor_id, actor_type, state): state is canonical jsonb text as bytes, or None for NULL.
Row = tuple[str, str, bytes | None]
# A row as stored: its key, actor_id as UTF-8, and its value (``stored_value``). A result of
# the whole row in text goes out as these bytes, with nothing decoded.
StoredRow = tuple[bytes, bytes]
# In a stored value, a column's length: 4 bytes, big-endian, -1 for NULL (as a DataRow has it).
LENGTH = struct.Struct("!I")
NULL_LENGTH = b"\xff\xff\xff\xff"


def stored_value(row: Row) -> bytes:
    """A row's value as stored: actor_type and state, each after its length (-1: NULL), just as
    PostgreSQL's protocol sends a text column in a DataRow. So a whole row goes out as its key's
    length, the key and this value, and only the reads that look inside a row decode it."""
    actor_type = row[1].encode()
    state = row[2]
    head = LENGTH.pack(len(actor_type)) + actor_type
    return head + NULL_LENGTH if state is None else head + LENGTH.pack(len(state)) + state


def stored(row: Row) -> StoredRow:
    return row[0].encode(), stored_value(row)


class Snapshot(Protocol):
    """A consistent read view; close it promptly so old versions can be reclaimed."""

    def get(self, actor_id: str) -> Row | None: ...

    def scan(self) -> Iterator[Row]: ...

    def scan_type(self, actor_type: str) -> Iterator[Row]: ...

    def first_of_type(self, actor_type: str, count: int) -> list[Row]:
        """The first ``count`` rows ``scan_type`` gives, read at once (a LIMIT over the type index)."""
        ...

    def scan_range(self, low: str | None, high: str | None) -> Iterator[Row]:
        """Rows with ``low <= actor_id <= high`` (None: unbounded), in actor_id order."""
        ...

    def sync(self) -> None:
        """Make every commit so far durable."""
        ...

    def close(self) -> None: ...


class Catalog(Protocol):
    """A system catalog: named records (roles) kept beside the data, each write durable."""

    def items(self) -> Iterator[tuple[str, bytes]]: ...

    def put(self, key: str, value: bytes) -> None: ...

    def delete(self, key: str) -> None: ...


class Store(Protocol):
    # False: commits are written but not synced (synchronous_commit off); ``sync`` flushes them.
    synchronous: bool
    # Where transactions' write sets spill (writeset.py); None: the system's temporary directory.
    temp_dir: str | None
    # True while the store writes and syncs in the background (a checkpoint): a commit's flush
    # may then wait behind that sync, tens of milliseconds.
    syncing_in_background: bool

    def snapshot(self) -> Snapshot: ...

    def get(self, actor_id: str) -> Row | None:
        """The newest committed version of one row, as a snapshot taken now would read it, without
        making one (a READ COMMITTED statement's read of one key, a write's check of its key)."""
        ...

    def first_of_type(self, actor_type: str, count: int) -> list[Row]:
        """``Snapshot.first_of_type`` as a snapshot taken now would read it, without making one."""
        ...

    def first_of_type_stored(self, actor_type: str, count: int) -> list[StoredRow]:
        """``first_of_type``'s rows as stored (``stored``), without decoding them."""
        ...

    def catalog(self, name: str) -> Catalog:
        """The named system catalog, created empty the first time."""
        ...

    def validate(self, row: Row) -> None:
        """Raise PgError now if ``commit`` could not store this row (e.g. a key too long)."""
        ...

    def commit(self, writes: Mapping[str, Row | None]) -> None:
        """Apply ``actor_id → new row`` (None deletes) in one durable write, indexes included."""
        ...

    def commit_many(self, write_sets: Sequence[Mapping[str, Row | None]]) -> None:
        """Apply several transactions' writes, in order, atomically in one durable write."""
        ...

    def sync(self) -> None:
        """Make every commit so far durable."""
        ...

    def relation_sizes(self) -> dict[str, int]:
        """Bytes on disk per relation (the table and each index, by name), for pg_relation_size."""
        ...

    def close(self) -> None: ...
