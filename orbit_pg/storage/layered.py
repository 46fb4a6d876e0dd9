"""The store the server runs on: commits go to the write-ahead log and an in-memory layer, and a
background checkpoint moves the layers into LMDB.

A synced LMDB commit rewrites every B-tree page its rows touch and syncs them (2.8 ms for 8
scattered single-row updates on 100,000 actors); appending the rows to a log and syncing that is
0.2 ms. So ``commit_many`` appends the group's rows as one WAL record, syncs it, and publishes them
as an immutable ``Layer`` that snapshots read over LMDB; every ``checkpoint_interval`` seconds
(or past ``checkpoint_rows`` rows, and at close) a checkpointer thread writes all layers into LMDB
in one synced transaction that also records the last WAL seq it holds, then drops those layers
and the WAL segments wholly applied. LMDB stays synced: an OS crash between checkpoints leaves it
consistent, and the WAL past its recorded seq is replayed at the next start.

A snapshot is (an LMDB read transaction, the tuple of layers at that moment): the layers are
taken first, so a checkpoint that lands in between only makes both hold the same rows.

Thread rules: commits run in a worker thread (the group committer's) or on the reactor, one at a
time (``_commit_lock``: seq order = WAL order = layer order); the checkpointer is its own thread;
snapshots are taken on the reactor. The layer tuple is replaced whole under ``_lock`` and read
without it (one attribute read); layers are never changed once published. Layers being
checkpointed (the oldest ``_frozen``) are not merged with newer ones meanwhile.

LMDB map full: a commit is refused (53100) before it is logged unless the pages never used yet
in the map cover a worst-case estimate of what all unapplied rows could need at checkpoint. If a
checkpoint nevertheless finds the map full, the WAL and the layers are kept (nothing acknowledged
is lost) and every later commit is refused with 53100 until the server restarts with a larger
``--map-size``.
"""

from __future__ import annotations

import heapq
import os
import threading
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator, Mapping, Sequence

from twisted.logger import Logger

from orbit_pg import errors
from orbit_pg.storage.base import Row, StoredRow, stored
from orbit_pg.storage.lmdb_catalog import LmdbCatalog
from orbit_pg.storage.lmdb_store import ActorStore, LmdbSnapshot
from orbit_pg.storage.wal import WalError, WriteAheadLog, record

log = Logger()

# A synced LMDB transaction per checkpoint competes with the WAL syncs for the disk: at 0.1 s,
# pgbench -M prepared single-row updates ran at 2.6-2.8k tps, at 1 s 2.8-4.0k (docs/performance.md).
CHECKPOINT_INTERVAL = 1.0
CHECKPOINT_ROWS = 10_000
DISK_FULL = "53100"
_ABSENT = object()


class Layer:
    """Rows committed after the last checkpoint, newest commits merged in: ``actor_id → row``
    (None: deleted). Its sorted keys and per-type ids are built on the first scan that needs
    them."""

    __slots__ = ("rows", "seq", "_keys", "_types")

    def __init__(self, rows: dict[str, Row | None], seq: int) -> None:
        self.rows = rows
        self.seq = seq  # the newest WAL record in it
        self._keys: list[str] | None = None
        self._types: dict[str, list[str]] | None = None

    def under(self, newer: Layer) -> Layer:
        return Layer({**self.rows, **newer.rows}, newer.seq)

    @property
    def keys(self) -> list[str]:
        if self._keys is None:
            self._keys = sorted(self.rows)
        return self._keys

    @property
    def types(self) -> dict[str, list[str]]:
        """actor_type → the actor_ids of that type here, in order (deletions are in no type)."""
        if self._types is None:
            types: dict[str, list[str]] = {}
            for actor_id in self.keys:
                row = self.rows[actor_id]
                if row is not None:
                    types.setdefault(row[1], []).append(actor_id)
            self._types = types
        return self._types


def _entries(layer: Layer, rank: int, actor_ids: Iterable[str]) -> Iterator[tuple[str, int, Row | None]]:
    rows = layer.rows
    for actor_id in actor_ids:
        yield actor_id, rank, rows[actor_id]


def _actor_id(row: Row) -> str:
    return row[0]


def _stored(rank: int, rows: Iterable[Row]) -> Iterator[tuple[str, int, Row | None]]:
    for row in rows:
        yield row[0], rank, row


class LayeredSnapshot:
    """Layers over an LMDB read transaction; newest wins, deletions hide, scans keep actor_id order."""

    __slots__ = ("_layers", "_base")

    def __init__(self, layers: tuple[Layer, ...], base: LmdbSnapshot) -> None:
        self._layers = layers  # newest first
        self._base = base

    def get(self, actor_id: str) -> Row | None:
        for layer in self._layers:
            row = layer.rows.get(actor_id, _ABSENT)
            if row is not _ABSENT:
                return row  # type: ignore[return-value]
        return self._base.get(actor_id)

    def scan(self) -> Iterator[Row]:
        return self.scan_range(None, None)

    def scan_range(self, low: str | None, high: str | None) -> Iterator[Row]:
        layers = self._layers
        streams = [_stored(len(layers), self._base.scan_range(low, high))]
        for rank, layer in enumerate(layers):
            keys = layer.keys
            start = 0 if low is None else bisect_left(keys, low)
            stop = len(keys) if high is None else bisect_right(keys, high)
            streams.append(_entries(layer, rank, keys[start:stop]))
        last: object = _ABSENT
        for actor_id, _, row in heapq.merge(*streams):
            if actor_id != last:
                last = actor_id
                if row is not None:
                    yield row

    def scan_type(self, actor_type: str) -> Iterator[Row]:
        """A row of this type in LMDB or an older layer is hidden by a newer layer that holds its
        actor_id at all: there it was deleted or changed type (or it would be in that layer's list)."""
        layers = self._layers
        streams = [_stored(len(layers), self._base.scan_type(actor_type))]
        for rank, layer in enumerate(layers):
            actor_ids = layer.types.get(actor_type)
            if actor_ids:
                streams.append(_entries(layer, rank, actor_ids))
        last: object = _ABSENT
        for actor_id, rank, row in heapq.merge(*streams):
            if actor_id == last:
                continue
            last = actor_id
            for newer in layers[:rank]:
                if actor_id in newer.rows:
                    break
            else:
                yield row  # type: ignore[misc]

    def first_of_type(self, actor_type: str, count: int) -> list[Row]:
        """What ``scan_type`` starts with, without its per-row heap merge: LMDB's first rows of
        the type that no layer hides (read further while hidden ones leave fewer than ``count``),
        and each layer's first rows of the type that no newer layer hides; the first ``count`` of
        both. With nothing for that type in the layers (the usual case: they hold the rows
        written since the last checkpoint) that is LMDB's rows as read."""
        layers = self._layers
        if count <= 0:
            return []
        wanted = count
        while True:
            rows = self._base.first_of_type(actor_type, wanted)
            hidden: set[str] = set()
            for layer in layers:
                hidden.update(layer.rows.keys() & {row[0] for row in rows})
            if len(rows) < wanted or len(rows) - len(hidden) >= count:
                break
            wanted = count + len(hidden)
        written = [row for rank in range(len(layers)) for row in self._written_of_type(rank, actor_type, count)]
        if not hidden and not written:
            return rows
        found = [row for row in rows if row[0] not in hidden] + written
        found.sort(key=_actor_id)
        return found[:count]

    def _written_of_type(self, rank: int, actor_type: str, count: int) -> list[Row]:
        """The first ``count`` rows of the type in layer ``rank`` that no newer layer hides."""
        layers = self._layers
        layer, newer = layers[rank], layers[:rank]
        found: list[Row] = []
        for actor_id in layer.types.get(actor_type, ()):
            if not any(actor_id in above.rows for above in newer):
                found.append(layer.rows[actor_id])  # type: ignore[arg-type]
                if len(found) == count:
                    break
        return found

    def close(self) -> None:
        self._base.close()


class LayeredStore:
    """``base.Store`` over ``ActorStore``, with a write-ahead log and a checkpointer thread."""

    def __init__(
        self,
        path: str,
        map_size: int = 1 << 36,
        sync: bool = True,
        checkpoint_interval: float = CHECKPOINT_INTERVAL,
        checkpoint_rows: int = CHECKPOINT_ROWS,
    ) -> None:
        self.path = path
        self.synchronous = sync  # the WAL's, at commit; LMDB always syncs its checkpoints
        self.syncing_in_background = False  # a checkpoint or the next WAL segment is being written
        self.checkpoint_interval = checkpoint_interval
        self.checkpoint_rows = checkpoint_rows
        self.lmdb = ActorStore(path, map_size=map_size, sync=True)
        self.temp_dir = self.lmdb.temp_dir
        self.validate = self.lmdb.validate  # (every written row is checked: one call, not two)
        self.checkpoints = 0
        self._wal = WriteAheadLog(os.path.join(path, "wal"))
        self._layers: tuple[Layer, ...] = ()  # newest first
        self._frozen = 0
        self._rows = 0
        self._reserved = 0  # pages the unapplied rows may need at checkpoint
        self._lock = threading.Lock()
        self._commit_lock = threading.Lock()
        self._checkpoint_lock = threading.Lock()
        self._map_full = False
        self._free, self._page, self._depth = self.lmdb.free_pages()
        self._applied = self.lmdb.wal_seq()
        self._seq = self._applied
        self._recover()
        self._stopping = False
        self._wake = threading.Event()
        self._thread = threading.Thread(target=self._checkpointer, name="orbit-pg checkpointer", daemon=True)
        self._thread.start()

    def _recover(self) -> None:
        """Replay the WAL past LMDB's recorded seq into one layer, and checkpoint it."""
        merged: dict[str, Row | None] = {}
        records = 0
        for seq, writes in self._wal.replay(self._applied):
            merged.update(writes)
            self._seq = seq
            records += 1
        self._wal.start(self._seq)
        if records:
            log.info(
                "replayed {records} write-ahead log records ({rows} rows) past seq {applied}",
                records=records,
                rows=len(merged),
                applied=self._applied,
            )
            self._layers = (Layer(merged, self._seq),)
            self._rows = len(merged)
            self.checkpoint()
        self._wal.remove_applied(self._applied)

    # --- Store -------------------------------------------------------------------------------

    def snapshot(self) -> LmdbSnapshot | LayeredSnapshot:
        layers = self._layers  # before the read transaction: see the module docstring
        base = self.lmdb.snapshot()
        return LayeredSnapshot(layers, base) if layers else base

    def get(self, actor_id: str) -> Row | None:
        layers = self._layers  # before LMDB's read transaction, as in ``snapshot``
        for layer in layers:
            row = layer.rows.get(actor_id, _ABSENT)
            if row is not _ABSENT:
                return row  # type: ignore[return-value]
        return self.lmdb.get(actor_id)

    def first_of_type(self, actor_type: str, count: int) -> list[Row]:
        """LMDB's held reader when every commit is in LMDB (no layer waits for a checkpoint), as
        ``get`` reads; else a snapshot over the layers."""
        if not self._layers:
            return self.lmdb.first_of_type(actor_type, count)
        snapshot = self.snapshot()
        try:
            return snapshot.first_of_type(actor_type, count)
        finally:
            snapshot.close()

    def first_of_type_stored(self, actor_type: str, count: int) -> list[StoredRow]:
        """As ``first_of_type`` reads; straight from LMDB when no layer waits for a checkpoint."""
        if not self._layers:
            return self.lmdb.first_of_type_stored(actor_type, count)
        return [stored(row) for row in self.first_of_type(actor_type, count)]

    def catalog(self, name: str) -> LmdbCatalog:
        """Catalog writes (roles) go straight to LMDB, synced, as before the WAL."""
        return self.lmdb.catalog(name)

    def relation_sizes(self) -> dict[str, int]:
        """LMDB's sizes: rows not yet checkpointed (at most ``checkpoint_interval`` old) not counted."""
        return self.lmdb.relation_sizes()

    def commit(self, writes: Mapping[str, Row | None]) -> None:
        self.commit_many([writes])

    def commit_many(self, write_sets: Sequence[Mapping[str, Row | None]]) -> None:
        """One WAL record for the whole group, synced (if synchronous), then visible as a layer."""
        rows = 0
        for writes in write_sets:
            rows += len(writes)
        if rows > self.checkpoint_rows:
            self._commit_direct(write_sets)
            return
        merged: dict[str, Row | None] = {}
        for writes in write_sets:
            merged.update(writes)  # (a dict, as ``WriteSet.to_commit`` gives it: merged in C)
        if not merged:
            return
        with self._commit_lock:
            seq = self._seq + 1
            data = record(seq, merged)
            pages = len(merged) * (2 * self._depth + 1) + len(data) // self._page + 1
            with self._lock:
                if self._map_full or self._reserved + pages > self._free:
                    raise errors.PgError(
                        DISK_FULL,
                        "could not write actor data: the LMDB map is full",
                        hint="Start the server with a larger map size.",
                    )
                self._reserved += pages
            try:
                self._wal.append(seq, data, self.synchronous)
            except WalError as exc:
                raise errors.PgError("58030", str(exc)) from None
            self._seq = seq
            self._publish(Layer(merged, seq))
        if self._rows >= self.checkpoint_rows:
            self._wake.set()

    def _commit_direct(self, write_sets: Sequence[Mapping[str, Row | None]]) -> None:
        """A big group (a bulk load, whose write set spilled to disk) goes straight into LMDB,
        synced, after a checkpoint (so no older layer can hide its rows): a WAL record and a layer
        would hold every row in memory, which the spill avoided, and one LMDB write of many rows
        costs about what logging them would."""
        with self._commit_lock:
            self.checkpoint()
            if self._layers:
                raise errors.PgError(
                    DISK_FULL if self._map_full else "58030", "could not write actor data: checkpoint failed"
                )
            self.lmdb.commit_many(write_sets, wal_seq=self._seq)
            free = self.lmdb.free_pages()
            with self._lock:
                self._free, self._page, self._depth = free

    def _publish(self, layer: Layer) -> None:
        """Put a new layer on top; merge it down while the next is not much bigger, which keeps
        the layers few (logarithmic in the rows), so ``get`` stays a handful of dict lookups."""
        with self._lock:
            layers = self._layers
            split = len(layers) - self._frozen
            fresh = [layer, *layers[:split]]
            while len(fresh) > 1 and len(fresh[1].rows) <= 2 * len(fresh[0].rows):
                fresh[0:2] = [fresh[1].under(fresh[0])]
            self._layers = (*fresh, *layers[split:])
            self._rows += len(layer.rows)

    def sync(self) -> None:
        """Flush WAL appends made without a sync (synchronous_commit off)."""
        self._wal.sync()

    # --- checkpoints -------------------------------------------------------------------------

    def checkpoint(self) -> None:
        """Write every layer into LMDB in one synced transaction, with the last seq it holds; then
        drop those layers and the WAL segments wholly applied."""
        with self._checkpoint_lock:
            with self._lock:
                layers = self._layers
                if not layers or self._map_full:
                    return
                self._frozen = len(layers)
                reserved, rows = self._reserved, self._rows
            try:
                self.lmdb.commit_many([layer.rows for layer in reversed(layers)], wal_seq=layers[0].seq)
            except errors.PgError as error:
                with self._lock:
                    self._frozen = 0
                    self._map_full = error.sqlstate == DISK_FULL
                if self._map_full:
                    log.critical(
                        "checkpoint failed: the LMDB map is full; the write-ahead log keeps every "
                        "acknowledged commit, new commits are refused until a restart with a larger --map-size"
                    )
                else:
                    log.error("checkpoint failed: {message}", message=error.message)
                return
            free = self.lmdb.free_pages()
            with self._lock:
                self._layers = self._layers[: len(self._layers) - self._frozen]
                self._frozen = 0
                self._reserved -= reserved
                self._rows -= rows
                self._free, self._page, self._depth = free
            self._applied = layers[0].seq
            self.checkpoints += 1
            self._wal.remove_applied(self._applied)

    def _checkpointer(self) -> None:
        while True:
            self._wake.wait(self.checkpoint_interval)
            self._wake.clear()
            if self._stopping:
                return
            self.syncing_in_background = True
            try:
                self.checkpoint()
                self._wal.prepare_spare()
            except Exception:
                log.failure("checkpoint failed")
            finally:
                self.syncing_in_background = False

    def close(self) -> None:
        """A last checkpoint; the WAL files go once everything in them is in LMDB."""
        self._stopping = True
        self._wake.set()
        self._thread.join()
        self.checkpoint()
        self._wal.close(self._applied)
        self.lmdb.close()
