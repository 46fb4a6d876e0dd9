"""SQL cursors: DECLARE, FETCH, MOVE and CLOSE (PostgreSQL's portalcmds.c and pquery.c).

A cursor is a portal, in the same namespace as the extended protocol's: FETCH and MOVE also
move a portal that Bind made (asyncpg's ``cursor.forward``), and Describe and Execute see a
DECLAREd one. ``Cursor`` keeps PostgreSQL's bookkeeping (``atStart``, ``atEnd``,
``portalPos``) over a scan position, and ``fetch`` follows ``DoPortalRunFetch`` step by
step, so every direction lands where PostgreSQL's does.

A forward-only cursor reads its query's lazy row iterator and keeps nothing, so it walks a
million rows in constant memory; a SCROLL cursor keeps the rows it has read (PostgreSQL
materialises too). A cursor reads the store as it was at its DECLARE, its transaction's own
writes included; WITH HOLD materialises what is left at COMMIT, and ROLLBACK of the
declaring transaction drops it.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from orbit_pg import errors
from orbit_pg.interrupts import PAUSE
from orbit_pg.session import Transaction
from orbit_pg.sql import ast
from orbit_pg.sql.expressions import Context, Params, literal_value
from orbit_pg.sql.plan import Field, Plan, Portal, Result, Runner
from orbit_pg.storage.base import Snapshot
from orbit_pg.storage.writeset import NO_WRITES, Writes

if TYPE_CHECKING:
    from orbit_pg.sql.executor import Executor

FETCH_ALL = sys.maxsize  # PostgreSQL's FETCH_ALL (LONG_MAX)
UNDEFINED_CURSOR = "34000"
DUPLICATE_CURSOR = "42P03"
INVALID_CURSOR_DEFINITION = "42P11"
OBJECT_NOT_IN_PREREQUISITE_STATE = "55000"
_CONFLICTS = (("scroll", "no scroll"), ("asensitive", "insensitive"))


@dataclass(slots=True)
class Reads:
    """What a cursor reads: the store snapshot and the transaction's own writes at its DECLARE
    (``owned``: the snapshot is the cursor's to close, not the transaction's)."""

    snapshot: Snapshot
    writes: Writes
    owned: bool


class Cursor:
    """Where a portal stands in its rows: PostgreSQL's ``atStart``/``atEnd``/``portalPos`` over the
    scan position ``scan`` (0 before the first row, n on row n, one past the last at the end)."""

    def __init__(
        self,
        executor: Executor,
        rows: Iterator[Any],
        scroll: bool,
        reads: Reads | None = None,
        hold: bool = False,
        binary: bool = False,
    ) -> None:
        self.executor = executor
        self.source: Iterator[Any] | None = rows
        self.scroll = scroll
        self.reads = reads
        self.hold = hold
        self.binary = binary  # DECLARE BINARY: a simple Query's FETCH sends binary rows
        # pg_cursors: the text that declared it (None: a Bind'ed portal, not listed) and when.
        self.statement: str | None = None
        self.created = datetime.now(timezone.utc)
        self.txn: Transaction | None = executor.session.transaction  # the declaring transaction
        self.kept: list[Sequence[Any]] = []  # a SCROLL cursor's rows read so far (row n at n - 1)
        self.read = 0  # rows taken from the source
        self.scan = 0
        self.at_start = True
        self.at_end = False
        self.portal_pos = 0

    # --- the source ---------------------------------------------------------------------------

    def _pull(self) -> Any:
        """The source's next row or PAUSE (None when it is done), read as of the DECLARE."""
        if self.source is None:
            return None
        executor = self.executor
        outer, executor.cursor_reads = executor.cursor_reads, self.reads
        try:
            row = next(self.source, None)
        finally:
            executor.cursor_reads = outer
        if row is None:
            self.close()
        elif row is not PAUSE:
            self.read += 1
            if self.scroll:
                self.kept.append(row)
        return row

    def _row(self, number: int, pausing: bool = False) -> Any:
        """Row ``number`` (1-based) or None past the end; with ``pausing``, PAUSE where the scan
        lets the reactor run (ask again)."""
        if number <= self.read:
            return self.kept[number - 1]  # only a SCROLL cursor goes back to a row it has read
        row = self._pull()
        while row is PAUSE and not pausing:
            row = self._pull()
        return row

    def close(self) -> None:
        """End the source's scan and the cursor's snapshot."""
        source, self.source = self.source, None
        close = getattr(source, "close", None)
        if close is not None:
            close()
        reads, self.reads = self.reads, None
        if reads is not None:
            reads.writes.close()
            if reads.owned:
                reads.snapshot.close()

    def persist(self) -> None:
        """WITH HOLD at COMMIT: read what is left, so the cursor outlives its transaction's snapshot."""
        if self.scroll:
            while self._pull() is not None:
                pass
        elif self.source is not None:
            rest = []
            row = self._pull()
            while row is not None:
                if row is not PAUSE:
                    rest.append(row)
                row = self._pull()
            self.read -= len(rest)
            self.source = iter(rest)
        self.txn = None

    # --- PortalRunSelect ------------------------------------------------------------------------

    def _forward(self, count: int) -> Iterator[Any]:
        """Up to ``count`` rows forward (lazily, PAUSE included), keeping the bookkeeping as each goes."""
        if self.at_end or count <= 0:
            return
        taken = 0
        while taken < count:
            row = self._row(self.scan + 1, pausing=True)
            if row is PAUSE:
                yield PAUSE
                continue
            if row is None:
                self.scan += 1  # one past the last row
                self.at_end = True
                return
            self.scan += 1
            self.at_start = False
            self.portal_pos += 1
            taken += 1
            yield row

    def _backward(self, count: int) -> list[Sequence[Any]]:
        self._check_scroll()
        if self.at_start or count <= 0:
            return []
        rows = []
        while len(rows) < count and self.scan > 1:
            self.scan -= 1
            rows.append(self.kept[self.scan - 1])
        if rows and self.at_end:
            self.at_end = False
            self.portal_pos += 1
        if len(rows) < count:
            self.scan = 0
            self.at_start = True
            self.portal_pos = 0
        else:
            self.portal_pos -= len(rows)
        return rows

    def _check_scroll(self) -> None:
        if not self.scroll:
            raise errors.PgError(
                OBJECT_NOT_IN_PREREQUISITE_STATE,
                "cursor can only scan forward",
                hint="Declare it with SCROLL option to enable backward scan.",
            )

    def _skip(self, forward: bool, count: int) -> int:
        if forward:
            return sum(1 for row in self._forward(count) if row is not PAUSE)
        return len(self._backward(count))

    def _select(self, forward: bool, count: int, move: bool) -> Iterator[Any] | int:
        if move:
            return self._skip(forward, count)
        return self._forward(count) if forward else iter(self._backward(count))

    def _rewind(self) -> None:
        if self.at_start and not self.at_end:
            return
        self._check_scroll()
        self.scan = 0
        self.at_start, self.at_end, self.portal_pos = True, False, 0

    # --- DoPortalRunFetch ---------------------------------------------------------------------------

    def fetch(self, direction: str, count: int, move: bool) -> Iterator[Any] | int:
        """FETCH's rows (lazy when going forward, PAUSE markers included) or MOVE's row count."""
        if direction == "forward" and count < 0:
            direction, count = "backward", -count
        elif direction == "backward" and count < 0:
            direction, count = "forward", -count
        elif direction == "absolute":
            if count > 0:
                if self.portal_pos == FETCH_ALL or count - 1 <= self.portal_pos // 2:
                    self._rewind()
                    if count > 1:
                        self._skip(True, count - 1)
                else:
                    pos = self.portal_pos + (1 if self.at_end else 0)
                    if count <= pos:
                        self._skip(False, pos - count + 1)
                    elif count > pos + 1:
                        self._skip(True, count - pos - 1)
                return self._select(True, 1, move)
            if count < 0:
                self._skip(True, FETCH_ALL)
                if count < -1:
                    self._skip(False, -count - 1)
                return self._select(False, 1, move)
            self._rewind()
            return self._select(True, 0, move)
        elif direction == "relative":
            if count > 0:
                if count > 1:
                    self._skip(True, count - 1)
                return self._select(True, 1, move)
            if count < 0:
                if count < -1:
                    self._skip(False, -count - 1)
                return self._select(False, 1, move)
            direction = "forward"
        forward = direction == "forward"
        if count == 0:
            on_row = not self.at_start and not self.at_end
            if move:
                return 1 if on_row else 0
            if on_row:
                self._skip(False, 1)
                count, forward = 1, True
        if not forward and count == FETCH_ALL and move:
            moved = self.portal_pos
            if moved > 0 and not self.at_end:
                moved -= 1
            self._rewind()
            return moved
        return self._select(forward, count, move)

    def stream(self) -> Iterator[Any]:
        """The rest of the rows, for Execute on the portal."""
        return self._forward(FETCH_ALL)


# --- statements ---------------------------------------------------------------------------------


def plan_declare(executor: Executor, stmt: ast.DeclareCursorStmt, params: Params) -> tuple[None, Runner]:
    """DECLARE: PostgreSQL's transformDeclareCursorStmt checks, then PerformCursorOpen when run."""
    options = set(stmt.options)
    for one, other in _CONFLICTS:
        if one in options and other in options:
            raise errors.PgError(INVALID_CURSOR_DEFINITION, f"cannot specify both {one.upper()} and {other.upper()}")
    locking = stmt.query.locking
    if locking is not None and stmt.query.from_clause:
        clause = f"FOR {locking.strength.upper()}"
        for option, name, kind, sqlstate, verb in (
            ("hold", "CURSOR WITH HOLD", "Holdable", errors.FEATURE_NOT_SUPPORTED, "supported"),
            ("scroll", "SCROLL CURSOR", "Scrollable", errors.FEATURE_NOT_SUPPORTED, "supported"),
            ("insensitive", "INSENSITIVE CURSOR", "Insensitive", INVALID_CURSOR_DEFINITION, "valid"),
        ):
            if option in options or (option == "hold" and stmt.hold):
                raise errors.PgError(
                    sqlstate,
                    f"DECLARE {name} ... {clause} is not {verb}",
                    detail=f"{kind} cursors must be READ ONLY.",
                )
    fields, select = executor._plan_SelectStmt(stmt.query, params)
    # Neither SCROLL nor NO SCROLL: PostgreSQL scrolls when the plan can; here a cursor scrolls
    # when it keeps its rows anyway (WITH HOLD materialises), and otherwise streams forward.
    scroll = "scroll" in options or (stmt.hold and "no scroll" not in options)
    binary = "binary" in options
    formats = [1 if binary else 0] * len(fields)
    encoders = [f.type.binary_out if binary else f.type.text_out for f in fields]

    def run(executor: Executor, ctx: Context) -> Result:
        txn = executor.transaction()
        in_block = txn.explicit or txn.implicit_block
        if not stmt.hold and not in_block:
            raise errors.PgError(
                errors.NO_ACTIVE_SQL_TRANSACTION, "DECLARE CURSOR can only be used in transaction blocks"
            )
        if stmt.portalname in executor.portals:
            raise errors.PgError(DUPLICATE_CURSOR, f'cursor "{stmt.portalname}" already exists')
        owned = txn.snapshot is None
        writes = NO_WRITES if txn.writes is None else txn.writes.view()
        reads = Reads(executor.store.snapshot() if owned else txn.snapshot, writes, owned)
        outer, executor.cursor_reads = executor.cursor_reads, reads
        try:
            rows = iter(select(executor, ctx).rows)
        finally:
            executor.cursor_reads = outer
        cursor = Cursor(executor, rows, scroll, reads, stmt.hold, binary)
        cursor.statement = executor.session.activity.query
        portal = Portal(Plan([], fields, select), [], [], formats, encoders, cursor=cursor)
        portal.result = Result("SELECT", fields, ())
        portal.rows = cursor.stream()
        executor.portals[stmt.portalname] = portal
        if stmt.hold and not in_block:
            cursor.persist()  # its implicit transaction commits at once
        return Result("DECLARE CURSOR")

    return None, run


def fetch_fields(executor: Executor, stmt: ast.FetchStmt) -> list[Field] | None:
    """FETCH's result columns are its cursor's, when it exists at analysis (UtilityTupleDescriptor)."""
    portal = executor.portals.get(stmt.portalname)
    if stmt.ismove or portal is None or portal.plan is None:
        return None
    return portal.plan.fields


def plan_fetch(executor: Executor, stmt: ast.FetchStmt, params: Params) -> tuple[list[Field] | None, Runner]:
    fields = fetch_fields(executor, stmt)
    count = FETCH_ALL if stmt.how_many is None else int(literal_value(stmt.how_many, params))

    def run(executor: Executor, ctx: Context) -> Result:
        portal = executor.portals.get(stmt.portalname)
        if portal is None:
            raise errors.PgError(UNDEFINED_CURSOR, f'cursor "{stmt.portalname}" does not exist')
        cursor = _cursor(executor, portal)
        found = cursor.fetch(stmt.direction, count, stmt.ismove)
        if isinstance(found, int):
            return Result(f"MOVE {found}")
        columns = fields if fields is not None else portal.plan.fields  # type: ignore[union-attr]
        return Result("FETCH", columns, found, formats=[1] * len(columns or ()) if cursor.binary else None)

    return fields, run


def _cursor(executor: Executor, portal: Portal) -> Cursor:
    """The portal's cursor; a Bind'ed portal becomes one (NO SCROLL, as PostgreSQL's CreatePortal makes it)."""
    if portal.cursor is None:
        plan = portal.plan
        if plan is None or plan.fields is None:
            raise errors.PgError(OBJECT_NOT_IN_PREREQUISITE_STATE, "portal cannot be run")
        if portal.result is None:
            portal.result = executor.run(plan, portal.params, portal.literals)
            portal.rows = iter(portal.result.rows)
        portal.cursor = Cursor(executor, portal.rows if portal.rows is not None else iter(()), scroll=False)
        portal.rows = portal.cursor.stream()
    return portal.cursor


def close_portal(portal: Portal) -> None:
    """A portal goes: its scan and snapshot end now, not when the garbage collector gets to them."""
    if portal.cursor is not None:
        portal.cursor.close()
    close = getattr(portal.rows, "close", None)
    if close is not None:
        close()


def close(portals: dict[str, Portal], name: str | None) -> str:
    """CLOSE name | ALL; the command tag."""
    if name is None:
        for other in [other for other in portals if other]:
            close_portal(portals.pop(other))
        return "CLOSE CURSOR ALL"
    portal = portals.pop(name, None)
    if portal is None:
        raise errors.PgError(UNDEFINED_CURSOR, f'cursor "{name}" does not exist')
    close_portal(portal)
    return "CLOSE CURSOR"


def declared(portals: Mapping[str, Portal]) -> tuple[Cursor, ...]:
    """The DECLAREd cursors now open, for a savepoint to remember."""
    return tuple(portal.cursor for portal in portals.values() if portal.cursor is not None)


def close_declared_since(portals: dict[str, Portal], before: tuple[Cursor, ...]) -> None:
    """ROLLBACK TO: cursors declared after the savepoint are gone (PostgreSQL's
    AtSubAbort_Portals); those declared before keep their position."""
    for name, portal in list(portals.items()):
        if portal.cursor is not None and not any(portal.cursor is kept for kept in before):
            close_portal(portals.pop(name))


def end_of_transaction(portals: dict[str, Portal], committing: Transaction | None) -> None:
    """Portals live as long as their transaction, except WITH HOLD cursors a commit persisted
    (this one's or an earlier one's): PostgreSQL's AtCommit_Portals / AtAbort_Portals. When
    ``committing`` commits, its WITH HOLD cursors first read what is left (if that fails,
    nothing is closed yet: the caller rolls back)."""
    if committing is not None:
        for portal in portals.values():
            cursor = portal.cursor
            if cursor is not None and cursor.hold and cursor.txn is committing:
                cursor.persist()
    for name in list(portals):
        portal = portals[name]
        cursor = portal.cursor
        if cursor is None or not cursor.hold or cursor.txn is not None:
            del portals[name]
            if cursor is not None or portal.rows is not None:  # (else nothing is open: a result sent whole)
                close_portal(portal)
