"""The actor table in an LMDB environment: one sub-database keyed by actor_id and a
``dupsort`` index from actor_type to actor_id, written in the same transaction."""

from __future__ import annotations

import itertools
import os
import struct
import threading
from collections.abc import Iterator, Mapping, Sequence
from typing import NamedTuple

import lmdb
from twisted.logger import Logger

from orbit_pg import errors
from orbit_pg.storage.base import LENGTH, NULL_LENGTH, Row, StoredRow, stored_value
from orbit_pg.storage.lmdb_catalog import LmdbCatalog

# LMDB's default maximum key size; a longer key cannot be stored or indexed.
MAX_KEY_BYTES = 511
# Texts of up to this many characters fit in MAX_KEY_BYTES whatever they hold (UTF-8: 4 bytes each).
_SAFE_KEY_CHARS = MAX_KEY_BYTES // 4
# Under the data directory: transactions' spilled write sets (PostgreSQL's name).
TEMP_DIR = "pgsql_tmp"
log = Logger()
_SEQ = struct.Struct("<Q")
_WAL_SEQ_KEY = b"wal_seq"
# The layout of the actors' values (``stored_value``). Format 1, before it was recorded, had a
# flag byte (0: NULL state, 1: a state follows) where the state's length now is.
_ROW_FORMAT_KEY = b"row_format"
_ROW_FORMAT = b"2"
_UPGRADE_BATCH = 10_000  # rows read before they are rewritten, in the one upgrade transaction


def lmdb_key(text: str) -> bytes:
    """LMDB refuses empty keys; PostgreSQL text never holds NUL, so b"\\x00" stands for ''."""
    return text.encode() or b"\x00"


def lmdb_text(key: bytes) -> str:
    return "" if key == b"\x00" else key.decode()


def decode_row(actor_id: str, value: bytes) -> Row:
    """The row whose value (``stored_value``) this is."""
    (type_len,) = LENGTH.unpack_from(value)
    end = 4 + type_len
    actor_type = value[4:end].decode()
    state = None if value[end : end + 4] == NULL_LENGTH else value[end + 4 :]
    return actor_id, actor_type, state


def key_range(cursor: lmdb.Cursor, low: str | None, high: str | None) -> Iterator[tuple[bytes, bytes]]:
    """(key, value) with ``low <= key <= high`` (None: unbounded), in key order. Keys are UTF-8,
    whose byte order is code point order: PostgreSQL's C collation."""
    if not (cursor.first() if low is None else cursor.set_range(lmdb_key(low))):
        return
    stop = None if high is None else lmdb_key(high)
    for key, value in cursor.iternext():
        if stop is not None and key > stop:
            return
        yield key, value


def first_of_type(by_type: lmdb.Cursor, actors: lmdb.Cursor, actor_type: str, count: int) -> list[Row]:
    """The first ``count`` rows of a type, in actor_id order: ``count`` entries of the type
    index and one batched read of their rows, at C speed (``_first_entries``), through cursors
    on the index and the table of one read transaction."""
    key = lmdb_key(actor_type)
    found = _first_entries(by_type, actors, key, count)
    keys = [id_bytes for id_bytes, _ in found]
    # The keys decoded in one pass, joined on NUL (which no text holds), unless '' is one of them.
    if b"\x00" in keys:
        actor_ids = [lmdb_text(id_bytes) for id_bytes in keys]
    else:
        actor_ids = b"\x00".join(keys).decode().split("\x00") if keys else []
    at = _state_at(key)
    state = at + 4
    return [
        (actor_id, actor_type, None if value[at:state] == NULL_LENGTH else value[state:])
        for actor_id, (_, value) in zip(actor_ids, found, strict=True)
    ]


def first_of_type_stored(by_type: lmdb.Cursor, actors: lmdb.Cursor, actor_type: str, count: int) -> list[StoredRow]:
    """``first_of_type``'s rows as stored (``StoredRow``): the keys and values as LMDB holds them."""
    rows = _first_entries(by_type, actors, lmdb_key(actor_type), count)
    # The key of '' (b"\x00") sorts before every other: only the first row can have it.
    if rows and rows[0][0] == b"\x00":
        rows[0] = (b"", rows[0][1])
    return rows


def _first_entries(by_type: lmdb.Cursor, actors: lmdb.Cursor, key: bytes, count: int) -> list[tuple[bytes, bytes]]:
    """The (key, value) of the first ``count`` rows of the type whose index key is ``key``. The
    rows are of that type (the index and the table change in one transaction), so only the
    state is to be cut out of each value (``_state_at``)."""
    if len(key) > MAX_KEY_BYTES or count <= 0:
        return []
    if not by_type.set_key(key):
        return []
    return actors.getmulti(list(itertools.islice(by_type.iternext_dup(), count)))


def _state_at(type_key: bytes) -> int:
    """Where the state's length is in the value of a row of the type keyed ``type_key``
    (``stored_value``: the type's length, the type, the state's length, the state)."""
    return 4 + (0 if type_key == b"\x00" else len(type_key))


def _rows_after(cursor: lmdb.Cursor, after: bytes | None, count: int) -> list[tuple[bytes, bytes]]:
    """Up to ``count`` (key, value) pairs from the first key past ``after`` (None: the first)."""
    if not (cursor.first() if after is None else cursor.set_range(after)):
        return []
    if cursor.key() == after and not cursor.next():
        return []
    return list(itertools.islice(cursor.iternext(), count))


def _format_2(value: bytes) -> bytes:
    """A value of row format 1 in format 2 (``stored_value``)."""
    (type_len,) = LENGTH.unpack_from(value)
    end = 4 + type_len
    if not value[end]:
        return value[:end] + NULL_LENGTH
    state = value[end + 1 :]
    return value[:end] + LENGTH.pack(len(state)) + state


def _check_key(data: bytes, index: str) -> None:
    if len(data) > MAX_KEY_BYTES:
        raise errors.PgError(
            errors.PROGRAM_LIMIT_EXCEEDED,
            f'index row size {len(data)} exceeds maximum {MAX_KEY_BYTES} for index "{index}"',
            hint="Values larger than this cannot be indexed.",
        )


class _Reader(NamedTuple):
    """``ActorStore``'s held read transaction, with a cursor on the type index and one on the
    table that every read through it reuses (a cursor each per read cost more than the read)."""

    version: int  # the commits it sees (``ActorStore._version``)
    thread: int  # the only thread that may use it
    txn: lmdb.Transaction
    by_type: lmdb.Cursor
    actors: lmdb.Cursor


class LmdbSnapshot:
    """A read transaction; LMDB gives it a stable view until closed."""

    def __init__(self, env: lmdb.Environment, actors: lmdb._Database, by_type: lmdb._Database) -> None:
        self._txn = env.begin()
        self._actors = actors
        self._by_type = by_type

    def get(self, actor_id: str) -> Row | None:
        key = lmdb_key(actor_id)
        if len(key) > MAX_KEY_BYTES:
            return None
        value = self._txn.get(key, db=self._actors)
        return None if value is None else decode_row(actor_id, value)

    def scan(self) -> Iterator[Row]:
        for key, value in self._txn.cursor(db=self._actors):
            yield decode_row(lmdb_text(key), value)

    def scan_range(self, low: str | None, high: str | None) -> Iterator[Row]:
        for key, value in key_range(self._txn.cursor(db=self._actors), low, high):
            yield decode_row(lmdb_text(key), value)

    def scan_type(self, actor_type: str) -> Iterator[Row]:
        key = lmdb_key(actor_type)
        if len(key) > MAX_KEY_BYTES:
            return
        cursor = self._txn.cursor(db=self._by_type)
        if not cursor.set_key(key):
            return
        get = self._txn.get
        for id_bytes in cursor.iternext_dup():
            value = get(id_bytes, db=self._actors)
            if value is not None:
                yield decode_row(lmdb_text(id_bytes), value)

    def first_of_type(self, actor_type: str, count: int) -> list[Row]:
        txn = self._txn
        return first_of_type(txn.cursor(db=self._by_type), txn.cursor(db=self._actors), actor_type, count)

    def close(self) -> None:
        # An aborted read transaction keeps its reader slot until the object is freed, and a
        # snapshot may outlive its use in a traceback (a statement that waits for a lock).
        self._txn.abort()
        del self._txn


class ActorStore:
    """LMDB-backed store. Commits are synced before ``commit`` returns (durable on ack), unless
    opened with ``sync=False`` (synchronous_commit off): then ``sync`` makes them durable."""

    def __init__(self, path: str, map_size: int = 1 << 36, sync: bool = True) -> None:
        os.makedirs(path, exist_ok=True)
        self.path = path
        self.synchronous = sync
        self.syncing_in_background = False  # (every sync is a commit's own)
        self.temp_dir = os.path.join(path, TEMP_DIR)
        self._env = lmdb.open(
            path, map_size=map_size, max_dbs=8, max_readers=1024, sync=sync, metasync=sync, writemap=True
        )
        self._actors = self._env.open_db(b"actors")
        self._by_type = self._env.open_db(b"actors_actor_type_idx", dupsort=True)
        self._meta = self._env.open_db(b"orbitpg_meta")
        self._upgrade_rows()
        # ``get``'s read transaction, kept while no commit has changed the actors since it began
        # (``_version`` counts those commits): one-key reads then cost an LMDB get, not a
        # read transaction each. In one attribute, replaced whole: only the thread that began
        # it uses it.
        self._version = 0
        self._reader: _Reader | None = None

    def _upgrade_rows(self) -> None:
        """Rewrite the rows of a data directory written before the row format was recorded (the
        state's NULL flag becomes its length), in one transaction: after a crash it is all
        done or not begun. A new directory only records the format."""
        with self._env.begin(write=True, db=self._meta) as txn:
            if txn.get(_ROW_FORMAT_KEY) == _ROW_FORMAT:
                return
            rows, after = 0, None
            while True:
                batch = _rows_after(txn.cursor(db=self._actors), after, _UPGRADE_BATCH)
                for key, value in batch:
                    txn.put(key, _format_2(value), db=self._actors)
                rows += len(batch)
                if len(batch) < _UPGRADE_BATCH:
                    break
                after = batch[-1][0]
            txn.put(_ROW_FORMAT_KEY, _ROW_FORMAT)
        if rows:
            log.info("rewrote {rows} rows of {path} in row format 2", rows=rows, path=self.path)

    def catalog(self, name: str) -> LmdbCatalog:
        """A system catalog (roles, privileges) in the same environment as the actors."""
        return LmdbCatalog(self._env, name)

    def snapshot(self) -> LmdbSnapshot:
        return LmdbSnapshot(self._env, self._actors, self._by_type)

    def get(self, actor_id: str) -> Row | None:
        """One row as of the last commit."""
        key = lmdb_key(actor_id)
        if len(key) > MAX_KEY_BYTES:
            return None
        value = self._current_reader().txn.get(key, None, self._actors)
        return None if value is None else decode_row(actor_id, value)

    def first_of_type(self, actor_type: str, count: int) -> list[Row]:
        """``LmdbSnapshot.first_of_type`` as of the last commit, as ``get`` reads."""
        reader = self._current_reader()
        return first_of_type(reader.by_type, reader.actors, actor_type, count)

    def first_of_type_stored(self, actor_type: str, count: int) -> list[StoredRow]:
        reader = self._current_reader()
        return first_of_type_stored(reader.by_type, reader.actors, actor_type, count)

    def _current_reader(self) -> _Reader:
        held = self._reader
        if held is None or held.version != self._version or held.thread != threading.get_ident():
            return self._begin_reader(held)
        return held

    def _begin_reader(self, held: _Reader | None) -> _Reader:
        """A read transaction that sees every commit so far, for this thread (another thread's
        is left to that thread: LMDB lets one thread at a time use a transaction)."""
        thread = threading.get_ident()
        if held is not None and held.thread == thread:
            held.txn.abort()
        version = self._version  # (read before the transaction begins: never newer than it)
        txn = self._env.begin()
        self._reader = _Reader(version, thread, txn, txn.cursor(db=self._by_type), txn.cursor(db=self._actors))
        return self._reader

    def validate(self, row: Row) -> None:
        if len(row[0]) <= _SAFE_KEY_CHARS and len(row[1]) <= _SAFE_KEY_CHARS:
            return  # every written row is checked: most are short enough without encoding them
        _check_key(lmdb_key(row[0]), "actors_pkey")
        _check_key(lmdb_key(row[1]), "actors_actor_type_idx")

    def commit(self, writes: Mapping[str, Row | None]) -> None:
        self.commit_many([writes])

    def commit_many(self, write_sets: Sequence[Mapping[str, Row | None]], wal_seq: int | None = None) -> None:
        """Several transactions' writes, in order, in one LMDB write and one sync; a checkpoint
        also records the last write-ahead log record they include (``wal_seq``)."""
        if not any(write_sets) and wal_seq is None:
            return
        try:
            self._write(write_sets, wal_seq)
            self._version += 1  # (after the commit: ``get`` then begins a transaction that sees it)
        except lmdb.MapFullError:
            raise errors.PgError(
                "53100",
                "could not write actor data: the LMDB map is full",
                hint="Start the server with a larger map size.",
            ) from None
        except lmdb.Error as exc:
            raise errors.PgError("58030", f"could not write actor data: {exc}") from None

    def _write(self, write_sets: Sequence[Mapping[str, Row | None]], wal_seq: int | None) -> None:
        with self._env.begin(write=True) as txn:
            if wal_seq is not None:
                txn.put(_WAL_SEQ_KEY, _SEQ.pack(wal_seq), db=self._meta)
            for actor_id, row in itertools.chain.from_iterable(writes.items() for writes in write_sets):
                key = lmdb_key(actor_id)
                old = txn.get(key, db=self._actors)
                new_type = None if row is None else row[1].encode()
                if old is not None:
                    (type_len,) = LENGTH.unpack_from(old)
                    old_type = old[4 : 4 + type_len]
                    if old_type == new_type:
                        new_type = None  # a new state (most writes): the index entry stays as it is
                    else:
                        txn.delete(old_type or b"\x00", key, db=self._by_type)
                if row is None:
                    txn.delete(key, db=self._actors)
                    continue
                txn.put(key, stored_value(row), db=self._actors)
                if new_type is not None:
                    txn.put(new_type or b"\x00", key, db=self._by_type)

    def wal_seq(self) -> int:
        """The last write-ahead log record applied by a checkpoint (0: none)."""
        with self._env.begin() as txn:
            value = txn.get(_WAL_SEQ_KEY, db=self._meta)
        return 0 if value is None else _SEQ.unpack(value)[0]

    def free_pages(self) -> tuple[int, int, int]:
        """(pages never used yet in the map, page size, B-tree depth of the actors): what a
        checkpoint can still grow into (pages freed by earlier writes come on top)."""
        info = self._env.info()
        with self._env.begin() as txn:
            stat = txn.stat(self._actors)
        page = stat["psize"]
        return info["map_size"] // page - info["last_pgno"] - 1, page, stat["depth"]

    def sync(self) -> None:
        """Flush commits made without a sync to disk (LMDB's ``mdb_env_sync``)."""
        self._env.sync(True)

    def relation_sizes(self) -> dict[str, int]:
        """Bytes in use per relation, from LMDB's page counts: the actors sub-database's leaf and
        overflow pages hold the table, its branch pages are the primary key's B-tree, and the
        type index is its own sub-database."""
        with self._env.begin() as txn:
            actors, by_type = txn.stat(self._actors), txn.stat(self._by_type)
        page = actors["psize"]
        return {
            "actors": (actors["leaf_pages"] + actors["overflow_pages"]) * page,
            "actors_pkey": actors["branch_pages"] * page,
            "actors_actor_type_idx": (by_type["branch_pages"] + by_type["leaf_pages"] + by_type["overflow_pages"])
            * page,
        }

    def close(self) -> None:
        held, self._reader = self._reader, None
        if held is not None:
            held.txn.abort()
        self._env.close()
