"""The store interface the executor sees; LMDB is its first implementation.

Nothing above this module knows which engine holds the actors: a snapshot answers
reads, and ``commit`` applies a transaction's whole write set atomically and durably.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Protocol

# (actor_id, actor_type, state): state is canonical jsonb text as bytes, or None for NULL.
Row = tuple[str, str, bytes | None]


class Snapshot(Protocol):
    """A consistent read view; close it promptly so old versions can be reclaimed."""

    def get(self, actor_id: str) -> Row | None: ...

    def scan(self) -> Iterator[Row]: ...

    def scan_type(self, actor_type: str) -> Iterator[Row]: ...

    def scan_range(self, low: str | None, high: str | None) -> Iterator[Row]:
        """Rows with ``low <= actor_id <= high`` (None: unbounded), in actor_id order."""
        ...

    def close(self) -> None: ...


class Store(Protocol):
    def snapshot(self) -> Snapshot: ...

    def validate(self, row: Row) -> None:
        """Raise PgError now if ``commit`` could not store this row (e.g. a key too long)."""
        ...

    def commit(self, writes: Mapping[str, Row | None]) -> None:
        """Apply ``actor_id → new row`` (None deletes) in one durable write, indexes included."""
        ...

    def commit_many(self, write_sets: Sequence[Mapping[str, Row | None]]) -> None:
        """Apply several transactions' writes, in order, atomically in one durable write."""
        ...

    def close(self) -> None: ...
