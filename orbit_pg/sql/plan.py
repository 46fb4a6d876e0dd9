"""What analysis makes of a statement and what running it returns: plain data, shared by the
executor, the statement cache, the protocol and the modules that build plans (writes, COPY, role
commands), so none of them needs the executor to describe a result."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from orbit_pg import errors, types
from orbit_pg.sql.expressions import Context

if TYPE_CHECKING:
    from orbit_pg.sql.cursors import Cursor
    from orbit_pg.sql.executor import Executor


@dataclass(slots=True)
class Field:
    """A RowDescription entry."""

    name: str
    type: types.PgType
    table_oid: int = 0
    attnum: int = 0


@dataclass(slots=True)
class Result:
    """A statement's outcome. ``rows`` (Python values per column) may be lazy, and a SELECT's may
    hold ``PAUSE`` markers (not rows) where a long scan lets the reactor run; a "SELECT" tag
    gets its row count when the rows have been sent."""

    tag: str
    fields: list[Field] | None = None  # None: the command returns no rows
    rows: Iterable[Sequence[Any]] = ()
    notices: list[errors.PgError] = field(default_factory=list)
    # COPY: a copy.CopyFrom to feed CopyData to, or a copy.CopyTo formatting ``rows``.
    copy: Any = None
    # Result format codes a simple Query sends (FETCH from a BINARY cursor); None: text.
    formats: list[int] | None = None


Runner = Callable[["Executor", Context], Result]


@dataclass(slots=True)
class ResultShape:
    """A plan's result columns as sent for one list of result format codes: each column's
    format and output function, and the RowDescription; made once, then every Bind reuses it."""

    formats: list[int]  # per result column: 0 text, 1 binary
    encoders: list[Callable[[Any], bytes]]
    row_description: bytes
    # Rows read at once go out as stored (``StoredRow``): the plan reads them so, all in text.
    as_stored: bool = False
    # DataRows of rows read at once (as stored, with ``as_stored``): the protocol's encoder of a
    # list of rows in those columns, for a plan with ``read_at_once`` and formats text or binary
    # only (None otherwise).
    encode_at_once: Callable[[Sequence[Any]], bytes] | None = None


@dataclass(slots=True)
class Plan:
    """A statement analysed once, to be run with different parameter values."""

    param_types: list[types.PgType]
    fields: list[Field] | None
    runner: Runner
    # COMMIT/ROLLBACK [TO SAVEPOINT] may run in a failed transaction; nothing else may.
    ends_failed_transaction: bool = False
    # A query (not a utility statement): the first one fixes the transaction's snapshot.
    takes_snapshot: bool = False
    # The command a read-only transaction refuses ("UPDATE", "SELECT FOR UPDATE", ...).
    writes: str | None = None
    # The lexer's literals: the type each slot's value takes, and the slots whose values
    # analysis used (a plan serves only texts with the same values there).
    literal_types: list[types.PgType] = field(default_factory=list)
    fixed: frozenset[int] = frozenset()
    # False when analysis looked at session state (EXECUTE's statement, SHOW's setting).
    shareable: bool = True
    # How the result goes out for each list of result format codes a Bind (or a Query) gave,
    # filled by the protocol as it needs them.
    shapes: dict[tuple[int, ...], ResultShape] = field(default_factory=dict)
    # Table privileges on actors the statement needs, checked against the role at each run.
    privileges: frozenset[str] = frozenset()
    # A one-key or first-of-type read with no function calls (``query.SelectPlan.read_at_once``):
    # between transactions the protocol reads its rows at once (``Executor.read_at_once``).
    read_at_once: Callable[[Any], list[Any] | None] | None = None
    # Its rows as stored, where they are the whole actors row (``query.SelectPlan.stored_at_once``).
    stored_at_once: Callable[[Any], list[Any] | None] | None = None
    # An INSERT, UPDATE or DELETE without RETURNING or function calls: between transactions the
    # protocol runs a Bind/Describe/Execute/Sync round of it at once (``Executor.write_at_once``).
    write_at_once: bool = False


@dataclass(slots=True)
class PreparedStatement:
    """A Parse'd statement (``plan`` None for an empty query string) with its text's literals."""

    plan: Plan | None
    literals: list[Any] = field(default_factory=list)


@dataclass(slots=True)
class Portal:
    """A Bind'ed statement with its parameter values, run by Execute (possibly in pieces)."""

    plan: Plan | None
    params: list[Any]
    literals: list[Any]
    formats: list[int]  # per result column: 0 text, 1 binary
    encoders: list[Callable[[Any], bytes]]
    # What Describe sends for it, when Bind already made it (None: Describe makes it).
    row_description: bytes | None = None
    # Set by the first Execute: its result, and the rows not sent yet.
    result: Result | None = None
    rows: Iterator[Sequence[Any]] | None = None
    # A DECLAREd cursor, or a portal FETCH or MOVE has moved (see sql/cursors.py).
    cursor: Cursor | None = None
