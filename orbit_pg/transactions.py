"""Transactions across connections: snapshots, first-committer-wins, transaction modes,
savepoints — PostgreSQL's rules over a store that keeps only the latest committed version.

READ COMMITTED reads each statement from a fresh store snapshot. REPEATABLE READ and
SERIALIZABLE hold one snapshot (an LMDB read transaction) from their first query to their
end, and remember the number of the last commit it contains; a row they lock or write
must not have been committed by anyone after that number, or they fail with 40001
(first committer wins). Row locks (``locks.py``) make concurrent writers of one row wait
for each other, so the second writer sees whether the first committed.
"""

from __future__ import annotations

import collections
from collections.abc import Collection, Mapping
from typing import Any

from orbit_pg import errors
from orbit_pg.locks import LockTable, Owner
from orbit_pg.session import ISOLATION_LEVELS, SETTINGS, TRANSACTION_MODES, Savepoint, Session, Transaction, normalize
from orbit_pg.storage.base import Row, Snapshot, Store
from orbit_pg.storage.writeset import WriteSet

SERIALIZATION_FAILURE = "40001"
READ_ONLY_SQL_TRANSACTION = "25006"
INVALID_SAVEPOINT_SPECIFICATION = "3B001"
SNAPSHOT_LEVELS = frozenset(ISOLATION_LEVELS[:2])  # serializable, repeatable read
# Prune the last-writer table this often (in commits) while snapshots are held.
_PRUNE_EVERY = 1024
# A commit of more keys than this is recorded as having changed every row (see ``committed``).
RECORDED_KEYS = 10_000
# (setting, its default) pairs a new transaction copies (a tuple iterates faster than the dict).
_MODE_DEFAULTS = tuple(TRANSACTION_MODES.items())


class Transactions:
    """Server-wide state: the row lock table, and which commit last wrote each actor (kept
    only as long as a held snapshot may need to know). Transactions' write sets spill to
    ``temp_dir`` (None: the system's temporary directory)."""

    def __init__(self, temp_dir: str | None = None) -> None:
        self.locks = LockTable()
        self.temp_dir = temp_dir
        self.last_commit = 0
        self._writers: dict[str, int] = {}
        self._wrote_all = 0  # the last commit recorded as having written every row
        self._held: collections.Counter[int] = collections.Counter()

    def open_snapshot(self, store: Store) -> tuple[Snapshot, int]:
        """A snapshot for a whole transaction, and the last commit it is known to contain.

        Commits become visible in the store (in a worker thread) a moment before
        ``committed`` numbers them here; a snapshot taken in between contains a commit it
        does not know of, which can only cause a needless 40001, never a lost update."""
        self._held[self.last_commit] += 1
        return store.snapshot(), self.last_commit

    def close_snapshot(self, snapshot: Snapshot, seq: int) -> None:
        snapshot.close()
        self._held[seq] -= 1
        if self._held[seq] <= 0:
            del self._held[seq]

    def committed(self, keys: Collection[str]) -> None:
        """A write set is in the store: number the commit, after every snapshot taken so far.
        A commit of more than ``RECORDED_KEYS`` keys (a big COPY) counts as a write of every
        row, so the table stays small: snapshots older than it then fail with 40001 on any row
        they lock or write, needlessly for rows it did not touch, but never losing an update."""
        self.last_commit += 1
        if not self._held:
            self._writers.clear()
            return
        seq = self.last_commit
        if len(keys) > RECORDED_KEYS:
            self._wrote_all = seq
            return
        writers = self._writers
        for key in keys:
            writers[key] = seq
        if seq % _PRUNE_EVERY == 0:
            oldest = min(self._held)
            self._writers = {key: s for key, s in writers.items() if s > oldest}

    def check_unchanged(self, txn: Transaction, key: str) -> None:
        """First committer wins: a snapshot transaction may not lock or write a row that a
        transaction committed after its snapshot was taken."""
        if txn.snapshot is not None and max(self._writers.get(key, 0), self._wrote_all) > txn.snapshot_seq:
            raise errors.PgError(SERIALIZATION_FAILURE, "could not serialize access due to concurrent update")

    # --- a connection's transaction ---------------------------------------------------------

    def begin(self, session: Session, implicit_block: bool) -> Transaction:
        """A new transaction takes its modes from the session's defaults."""
        txn = Transaction(implicit_block=implicit_block, owner=Owner(session.process_id))
        session.local_xid += 1
        values = session.values
        for mode, default in _MODE_DEFAULTS:
            values[mode] = values[default]
        session.transaction = txn
        return txn

    def end(self, session: Session, txn: Transaction, commit: bool) -> Mapping[str, Row | None] | None:
        """Close the snapshot, settle SETs and give back transaction-level advisory locks. A
        commit that wrote returns what to commit (``WriteSet.to_commit``) and keeps its row
        locks until that is durable (``finish`` then); otherwise the locks and the write set
        go now. Each step is skipped when it has nothing to do, as for most transactions: one
        statement that reads."""
        if session.transaction is txn:
            session.transaction = None
        if txn.snapshot is not None:
            self.close_snapshot(txn.snapshot, txn.snapshot_seq)
            txn.snapshot = None
        if txn.prior:
            session.end_settings(txn, commit)
        if session.advisory_xact:  # pg_advisory_xact_lock's (each grant is listed there)
            session.advisory_locks.release(session, xact=True)
        writes = txn.writes
        if commit and writes is not None:
            rows = writes.to_commit()
            if rows is not None:
                return rows
        owner = txn.owner
        if owner.held or owner.waiting is not None or writes is not None:
            self.finish(txn, False)
        return None

    def write_set(self, txn: Transaction) -> WriteSet:
        """The transaction's write set, made by its first write or savepoint (a transaction
        that only reads never has one)."""
        if txn.writes is None:
            txn.writes = WriteSet(self.temp_dir)
        return txn.writes

    def finish(self, txn: Transaction, committed: bool) -> None:
        """The transaction's row locks and write set go: it ended, or its commit is durable
        (``committed``: numbered now) or failed."""
        writes = txn.writes
        if committed:
            assert writes is not None  # (only a transaction that wrote waits for its commit)
            self.committed(writes)
        self.locks.release_after(txn.owner)
        if writes is not None:
            writes.close()


def set_mode(session: Session, txn: Transaction | None, name: str, value: str) -> None:
    """SET TRANSACTION ..., or SET transaction_isolation / _read_only / _deferrable, with
    PostgreSQL's checks (check_XactIsoLevel, check_transaction_read_only, ...)."""
    new = normalize(SETTINGS[name], value)
    if txn is None or new == session.values[name]:
        session.values[name] = new
        return
    sub = bool(txn.savepoints)
    if name == "transaction_isolation":
        if txn.snapshot_taken:
            raise _active("SET TRANSACTION ISOLATION LEVEL must be called before any query")
        if sub:
            raise _active("SET TRANSACTION ISOLATION LEVEL must not be called in a subtransaction")
    elif name == "transaction_read_only":
        if new == "off" and session.values[name] == "on":
            if sub:
                raise _active("cannot set transaction read-write mode inside a read-only transaction")
            if txn.snapshot_taken:
                raise _active("transaction read-write mode must be set before any query")
    elif name == "transaction_deferrable":
        if sub:
            raise _active("SET TRANSACTION [NOT] DEFERRABLE cannot be called within a subtransaction")
        if txn.snapshot_taken:
            raise _active("SET TRANSACTION [NOT] DEFERRABLE must be called before any query")
    session.values[name] = new


def read_only(command: str) -> errors.PgError:
    """What a read-only transaction says to ``command`` (INSERT, SELECT FOR UPDATE, ...)."""
    return errors.PgError(READ_ONLY_SQL_TRANSACTION, f"cannot execute {command} in a read-only transaction")


def savepoint(shared: Transactions, session: Session, txn: Transaction, name: str, cursors: tuple[Any, ...]) -> None:
    writes = shared.write_set(txn)  # (undo records start here)
    txn.savepoints.append(
        Savepoint(
            name,
            writes.mark(),
            dict(session.values),
            (dict(txn.prior), dict(txn.session_set), set(txn.local)),
            len(txn.owner.held),
            len(session.advisory_xact),
            cursors,
        )
    )


def _find(txn: Transaction, name: str) -> int:
    for index in range(len(txn.savepoints) - 1, -1, -1):
        if txn.savepoints[index].name == name:
            return index
    raise errors.PgError(INVALID_SAVEPOINT_SPECIFICATION, f'savepoint "{name}" does not exist')


def release(txn: Transaction, name: str) -> None:
    """RELEASE: the savepoint and every later one are gone; their work stays."""
    del txn.savepoints[_find(txn, name) :]
    if not txn.savepoints and txn.writes is not None:  # (a savepoint made it)
        txn.writes.unmark()


def rollback_to(session: Session, locks: LockTable, txn: Transaction, name: str) -> Savepoint:
    """ROLLBACK TO: back to the savepoint's writes, settings and locks (row locks and
    transaction-level advisory locks); it stays defined, later ones are gone, and a failed
    transaction is usable again. The caller closes the cursors declared since."""
    index = _find(txn, name)
    point = txn.savepoints[index]
    del txn.savepoints[index + 1 :]
    writes = txn.writes
    assert writes is not None  # (a savepoint made it)
    writes.rollback(point.writes)
    for key in set(session.values) | set(point.values):
        if key not in TRANSACTION_MODES:
            session.assign(key, point.values.get(key))
    prior, session_set, local = point.settings
    txn.prior, txn.session_set, txn.local = dict(prior), dict(session_set), set(local)
    locks.release_after(txn.owner, point.locks)
    if session.advisory_locks is not None:
        session.advisory_locks.release_since(session, point.advisory)
    if writes.spilled:  # (release_after to mark 0 ends holding by reference)
        locks.hold_by_reference(txn.owner, writes)
    txn.failed = False
    return point


def _active(message: str) -> errors.PgError:
    return errors.PgError(errors.ACTIVE_SQL_TRANSACTION, message)
