"""A transaction's write set (actor_id → its new row, None when deleted), bounded in memory.

Up to ``SPILL_ROWS`` entries it is a dict. Past that, its rows move to a private LMDB
environment under the data directory's ``pgsql_tmp/`` (PostgreSQL's name for its temporary
files), opened without sync and removed when the transaction ends or the server starts, so
a COPY of a million actors keeps none of them in memory. LMDB gives what the write set's
readers need: key order (a scan merges the transaction's rows into the snapshot's) and read
snapshots (a cursor reads the writes of its DECLARE while its transaction writes more).

A savepoint is a mark in an undo log of (key, version before) pairs, kept in the spill too
once the set has spilled; ROLLBACK TO puts the earlier versions back, newest first.
"""

from __future__ import annotations

import os
import shutil
import struct
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import lmdb

from orbit_pg.storage.base import Row, stored_value
from orbit_pg.storage.lmdb_store import TEMP_DIR, decode_row, key_range, lmdb_key, lmdb_text

# Entries (rows plus undo records) a write set keeps in memory before it spills.
SPILL_ROWS = 10_000
# Address space of one spill environment; the file grows only as far as it is written.
_MAP_SIZE = 1 << 36
_DELETED = b""  # a deleted key's value in the spill (a row's encoding is never empty)
_SEQ = struct.Struct("!Q")
_KEY_LEN = struct.Struct("!H")
_MISSING: Any = object()


def remove_leftovers(directory: str) -> None:
    """At server start: spills of transactions a stopped server never ended."""
    shutil.rmtree(directory, ignore_errors=True)


class Writes(Mapping[str, "Row | None"]):
    """What reads of a transaction's own writes need: lookups and its rows in key order."""

    def rows_in_order(self, low: str | None = None, high: str | None = None) -> Iterator[Row]:
        """The written (not deleted) rows with ``low <= actor_id <= high``, in actor_id order."""
        raise NotImplementedError

    def close(self) -> None:
        """Let go of what the view holds (an LMDB read transaction)."""


def _in_order(rows: Mapping[str, Row | None], low: str | None, high: str | None) -> Iterator[Row]:
    keys = sorted(k for k in rows if (low is None or k >= low) and (high is None or k <= high))
    return (row for key in keys if (row := rows[key]) is not None)


class _Frozen(Writes):
    """A small write set as it was at a moment (a cursor's DECLARE)."""

    def __init__(self, rows: dict[str, Row | None]) -> None:
        self._rows = rows

    def __getitem__(self, key: str) -> Row | None:
        return self._rows[key]

    def __contains__(self, key: object) -> bool:
        return key in self._rows

    def __iter__(self) -> Iterator[str]:
        return iter(self._rows)

    def __len__(self) -> int:
        return len(self._rows)

    def rows_in_order(self, low: str | None = None, high: str | None = None) -> Iterator[Row]:
        return _in_order(self._rows, low, high)


# A transaction that has written nothing has no write set: its reads see this.
NO_WRITES: Writes = _Frozen({})


class _Spill:
    """The LMDB environment of one spilled write set: sub-database ``rows`` (key → encoded row,
    empty for a delete) and ``undo`` (sequence number → key and the value before)."""

    def __init__(self, directory: str) -> None:
        os.makedirs(directory, exist_ok=True)
        self.path = tempfile.mkdtemp(prefix="orbitpg_writes_", dir=directory)
        # writemap: written pages go to the file's mapping, not to heap memory, until committed.
        self.env = lmdb.open(
            self.path, map_size=_MAP_SIZE, max_dbs=2, max_readers=1024, sync=False, metasync=False, writemap=True
        )
        self.rows = self.env.open_db(b"rows")
        self.undo = self.env.open_db(b"undo")
        self.count = 0  # keys in ``rows``
        self.logged = 0  # records in ``undo``

    def write(self, changes: Iterable[tuple[str, Row | None]], log: bool) -> None:
        count, logged = self.count, self.logged
        with self.env.begin(write=True) as txn:
            for actor_id, row in changes:
                key = lmdb_key(actor_id)
                old = txn.replace(key, _DELETED if row is None else stored_value(row), db=self.rows)
                if old is None:
                    count += 1
                if log:
                    txn.put(_SEQ.pack(logged), _undo_record(key, old), db=self.undo)
                    logged += 1
        self.count, self.logged = count, logged

    def log(self, records: list[tuple[str, Row | None]]) -> None:
        """Undo records kept in memory before the spill, in order (``_MISSING``: the key was new)."""
        with self.env.begin(write=True) as txn:
            for seq, (actor_id, old) in enumerate(records):
                value = None if old is _MISSING else _DELETED if old is None else stored_value(old)
                txn.put(_SEQ.pack(seq), _undo_record(lmdb_key(actor_id), value), db=self.undo)
        self.logged = len(records)

    def rollback(self, mark: int) -> None:
        """Put back the versions the undo records after ``mark`` replaced, newest first."""
        count = self.count
        with self.env.begin(write=True) as txn:
            for seq in range(self.logged - 1, mark - 1, -1):
                record = txn.pop(_SEQ.pack(seq), db=self.undo)
                (size,) = _KEY_LEN.unpack_from(record)
                key = record[2 : 2 + size]
                if record[2 + size] == 0:
                    txn.delete(key, db=self.rows)
                    count -= 1
                else:
                    txn.put(key, record[3 + size :], db=self.rows)
        self.count, self.logged = count, min(self.logged, mark)

    def forget(self) -> None:
        with self.env.begin(write=True) as txn:
            txn.drop(self.undo, delete=False)
        self.logged = 0

    def close(self) -> None:
        self.env.close()
        shutil.rmtree(self.path, ignore_errors=True)


def _undo_record(key: bytes, old: bytes | None) -> bytes:
    """Key length, key, then 0 (the key was not in the set) or 1 and its value then."""
    head = _KEY_LEN.pack(len(key)) + key
    return head + b"\x00" if old is None else head + b"\x01" + old


def _unpack(key: bytes, value: bytes) -> Row | None:
    return None if value == _DELETED else decode_row(lmdb_text(key), value)


class _SpillView(Writes):
    """A spilled write set through one LMDB read transaction: as it was when the view began."""

    def __init__(self, spill: _Spill) -> None:
        self._spill = spill
        self._txn: lmdb.Transaction | None = spill.env.begin()
        self._count = spill.count

    def _reader(self) -> lmdb.Transaction:
        if self._txn is None:
            raise RuntimeError("the write set's view is closed")
        return self._txn

    def __getitem__(self, key: str) -> Row | None:
        value = self._reader().get(lmdb_key(key), db=self._spill.rows)
        if value is None:
            raise KeyError(key)
        return _unpack(lmdb_key(key), value)

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self._reader().get(lmdb_key(key), db=self._spill.rows) is not None

    def __iter__(self) -> Iterator[str]:
        for key in self._reader().cursor(db=self._spill.rows).iternext(keys=True, values=False):
            yield lmdb_text(key)

    def __len__(self) -> int:
        return self._count

    def items(self) -> Iterator[tuple[str, Row | None]]:  # type: ignore[override]
        """Every key and its row (None: deleted) in key order: what a commit writes."""
        for key, value in self._reader().cursor(db=self._spill.rows):
            yield lmdb_text(key), _unpack(key, value)

    def rows_in_order(self, low: str | None = None, high: str | None = None) -> Iterator[Row]:
        for key, value in key_range(self._reader().cursor(db=self._spill.rows), low, high):
            if value != _DELETED:
                yield decode_row(lmdb_text(key), value)

    def close(self) -> None:
        txn, self._txn = self._txn, None
        if txn is not None:
            try:
                txn.abort()
            except lmdb.Error:
                pass  # the spill closed first: its transactions went with it


class WriteSet(Writes):
    """A transaction's writes: read by its statements, marked by its savepoints, applied by its commit."""

    def __init__(self, directory: str | None = None) -> None:
        self.directory = directory or os.path.join(tempfile.gettempdir(), TEMP_DIR)
        self.limit = SPILL_ROWS
        self._rows: dict[str, Row | None] = {}
        self._undo: list[tuple[str, Row | None]] | None = None  # None: no savepoint wants it
        self._spill: _Spill | None = None
        self.spilled = False  # (``_spill is not None``, read after every statement's writes)
        self._view: _SpillView | None = None  # lookups while spilled, renewed after each write

    def _read(self) -> _SpillView:
        if self._view is None:
            assert self._spill is not None
            self._view = _SpillView(self._spill)
        return self._view

    def _written(self) -> None:
        if self._view is not None:
            self._view.close()
            self._view = None

    def __getitem__(self, key: str) -> Row | None:
        return self._rows[key] if self._spill is None else self._read()[key]

    def get(self, key: str, default: Any = None) -> Any:
        if self._spill is None:
            return self._rows.get(key, default)
        try:
            return self._read()[key]
        except KeyError:
            return default

    def __contains__(self, key: object) -> bool:
        return key in self._rows if self._spill is None else key in self._read()

    def __iter__(self) -> Iterator[str]:
        if self._spill is None:
            return iter(self._rows)
        return (key for key, _ in self.items())

    def __len__(self) -> int:
        return len(self._rows) if self._spill is None else self._spill.count

    def items(self) -> Iterator[tuple[str, Row | None]]:  # type: ignore[override]
        """Every key and its row (None: deleted), for the commit; in key order once spilled
        (read through a transaction of its own: the group committer's thread reads it)."""
        if self._spill is None:
            yield from list(self._rows.items())
            return
        view = _SpillView(self._spill)
        try:
            yield from view.items()
        finally:
            view.close()

    def to_commit(self) -> Mapping[str, Row | None] | None:
        """What the commit writes (None: nothing): the rows themselves (a dict, which the store
        merges in C) while in memory, else the write set, read in key order. Nothing may change
        it after."""
        if self._spill is not None:
            return self
        return self._rows or None

    def rows_in_order(self, low: str | None = None, high: str | None = None) -> Iterator[Row]:
        if self._spill is None:
            yield from _in_order(self._rows, low, high)
            return
        view = _SpillView(self._spill)  # later writes (INSERT ... SELECT into itself) do not show
        try:
            yield from view.rows_in_order(low, high)
        finally:
            view.close()

    def update(self, changes: Mapping[str, Row | None]) -> None:
        """Add one statement's changes (all checked and locked)."""
        if self._spill is not None:
            self._written()
            self._spill.write(changes.items(), self._undo is not None)
            return
        if self._undo is not None:
            rows = self._rows
            self._undo.extend((key, rows.get(key, _MISSING)) for key in changes)
        self._rows.update(changes)
        if len(self._rows) + len(self._undo or ()) > self.limit:
            self._spill_now()

    def _spill_now(self) -> None:
        spill = _Spill(self.directory)
        try:
            spill.write(sorted(self._rows.items()), log=False)
            if self._undo:
                spill.log(self._undo)
        except BaseException:
            spill.close()
            raise
        self._spill, self._rows, self.spilled = spill, {}, True
        if self._undo is not None:
            self._undo = []

    def view(self) -> Writes:
        """The writes as they are now, unchanged by later ones (a cursor's, at its DECLARE)."""
        return _Frozen(dict(self._rows)) if self._spill is None else _SpillView(self._spill)

    # --- savepoints

    def mark(self) -> int:
        """A savepoint: from now on, keep what each write replaces."""
        if self._undo is None:
            self._undo = []
        return len(self._undo) if self._spill is None else self._spill.logged

    def rollback(self, mark: int) -> None:
        """ROLLBACK TO the savepoint that took ``mark``."""
        if self._spill is not None:
            self._written()
            self._spill.rollback(mark)
            return
        undo = self._undo or []
        rows = self._rows
        for key, old in reversed(undo[mark:]):
            if old is _MISSING:
                del rows[key]
            else:
                rows[key] = old
        del undo[mark:]

    def unmark(self) -> None:
        """No savepoint is left: stop keeping undo records."""
        self._undo = None
        if self._spill is not None and self._spill.logged:
            self._written()
            self._spill.forget()

    def close(self) -> None:
        """Empty again, and the spill's files are gone (the transaction ended)."""
        if self._view is not None:
            self._written()
        self._rows, self._undo = {}, None
        spill, self._spill, self.spilled = self._spill, None, False
        if spill is not None:
            spill.close()
