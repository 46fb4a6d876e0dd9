"""A small system catalog kept beside the actors in the same LMDB environment: one named
sub-database of ``name → bytes`` records, each write its own durable transaction.

Catalog changes are rare (CREATE ROLE, GRANT), so they do not go through the group committer."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import lmdb

from orbit_pg import errors


class LmdbCatalog:
    def __init__(self, env: lmdb.Environment, name: str) -> None:
        self._env = env
        self._db = env.open_db(name.encode())

    def items(self) -> Iterator[tuple[str, bytes]]:
        with self._env.begin() as txn:
            for key, value in txn.cursor(db=self._db):
                yield key.decode(), bytes(value)

    def put(self, key: str, value: bytes) -> None:
        self._write(lambda txn: txn.put(key.encode(), value, db=self._db))

    def delete(self, key: str) -> None:
        self._write(lambda txn: txn.delete(key.encode(), db=self._db))

    def _write(self, change: Callable[[lmdb.Transaction], object]) -> None:
        try:
            with self._env.begin(write=True) as txn:
                change(txn)
        except lmdb.Error as exc:
            raise errors.PgError("58030", f"could not write the catalog: {exc}") from None
