"""Run parsed statements for one session against the store.

Every statement runs inside a transaction (``session.Transaction``): its writes collect
in a private write set that reads see first, and COMMIT (or the end of an implicit
transaction) hands the whole set to the store in one durable write.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from orbit_pg import errors, types
from orbit_pg.session import SETTINGS, Session, Transaction, setting_text
from orbit_pg.sql import ast, planner, relation
from orbit_pg.sql.expressions import Column, Compiled, Compiler, Scope, as_text, coerce, column_name
from orbit_pg.storage.base import Row, Snapshot, Store


@dataclass(slots=True)
class Field:
    """A RowDescription entry."""

    name: str
    type: types.PgType
    table_oid: int = 0
    attnum: int = 0


@dataclass(slots=True)
class Result:
    """A statement's outcome. ``rows`` may be lazy; a "SELECT" tag gets its row count when sent."""

    tag: str
    fields: list[Field] | None = None  # None: the command returns no rows
    rows: Iterable[list[bytes | None]] = ()
    notices: list[errors.PgError] = field(default_factory=list)


def _warning(sqlstate: str, message: str) -> errors.PgError:
    return errors.PgError(sqlstate, message, severity="WARNING")


_IN_FAILED = "current transaction is aborted, commands ignored until end of transaction block"


class Executor:
    def __init__(self, store: Store, session: Session) -> None:
        self.store = store
        self.session = session

    # --- transactions -------------------------------------------------------------------

    @property
    def status(self) -> bytes:
        """ReadyForQuery's indicator: I idle, T in a block, E in a failed block."""
        txn = self.session.transaction
        if txn is None or not txn.explicit:
            return b"I"
        return b"E" if txn.failed else b"T"

    def _transaction(self) -> Transaction:
        if self.session.transaction is None:
            self.session.transaction = Transaction()
        return self.session.transaction

    def end_of_query(self) -> None:
        """An implicit transaction (no BEGIN) commits when its Query has run."""
        txn = self.session.transaction
        if txn is not None and not txn.explicit:
            self.session.transaction = None
            self.store.commit(txn.writes)

    def statement_failed(self) -> None:
        """An error aborts an implicit transaction and marks an explicit one failed."""
        txn = self.session.transaction
        if txn is None:
            return
        if txn.explicit:
            txn.failed = True
            txn.writes.clear()
        else:
            self.session.transaction = None

    def execute(self, stmt: ast.Node) -> Result:
        txn = self._transaction()
        if txn.failed and not isinstance(stmt, ast.TransactionStmt):
            raise errors.PgError(errors.IN_FAILED_SQL_TRANSACTION, _IN_FAILED)
        return getattr(self, "_" + type(stmt).__name__)(stmt)

    def _TransactionStmt(self, stmt: ast.TransactionStmt) -> Result:
        txn = self._transaction()
        notices = []
        if stmt.kind == "begin":
            if txn.explicit:
                notices.append(_warning(errors.ACTIVE_SQL_TRANSACTION, "there is already a transaction in progress"))
            txn.explicit = True
            return Result("BEGIN", notices=notices)
        if not txn.explicit:
            notices.append(_warning(errors.NO_ACTIVE_SQL_TRANSACTION, "there is no transaction in progress"))
        self.session.transaction = None
        if stmt.kind == "commit" and not txn.failed:
            self.store.commit(txn.writes)
            return Result("COMMIT", notices=notices)
        return Result("ROLLBACK", notices=notices)

    # --- reading ------------------------------------------------------------------------

    def _rows(self, snapshot: Snapshot, access: planner.AccessPath) -> Iterator[Row]:
        """Rows the access path finds, as this transaction sees them (its own writes first)."""
        writes = self._transaction().writes
        if access.kind == "key":
            key = access.value(None, self.session)
            if key is None:
                return
            row = writes[key] if key in writes else snapshot.get(key)
            if row is not None:
                yield row
            return
        if access.kind == "type":
            actor_type = access.value(None, self.session)
            if actor_type is None:
                return
            base = snapshot.scan_type(actor_type)
        else:
            actor_type = None
            base = snapshot.scan()
        if not writes:
            yield from base
            return
        mine = sorted(
            (r for r in writes.values() if r is not None and (actor_type is None or r[1] == actor_type)),
            key=lambda r: r[0],
        )
        theirs = (r for r in base if r[0] not in writes)
        yield from heapq.merge(theirs, mine, key=lambda r: r[0])

    def _matching(self, table: ast.RangeVar, where: ast.Node | None) -> tuple[Scope, Iterator[Row]]:
        """The rows a WHERE clause selects, lazily: big scans stream instead of piling up."""
        scope = relation.resolve(table)
        condition = Compiler(scope).boolean(where, "WHERE").fn if where is not None else None
        return scope, self._scan(planner.choose(where, scope), condition)

    def _scan(self, access: planner.AccessPath, condition: Any) -> Iterator[Row]:
        """The snapshot stays open until the rows are consumed or the iterator is closed."""
        snapshot = self.store.snapshot()
        try:
            session = self.session
            for row in self._rows(snapshot, access):
                if condition is None or condition(row, session) is True:
                    yield row
        finally:
            snapshot.close()

    def _SelectStmt(self, stmt: ast.SelectStmt) -> Result:
        rows: Iterable[Any]
        if stmt.from_table is not None:
            scope, rows = self._matching(stmt.from_table, stmt.where)
        else:
            scope, rows = Scope(), [()]
            if stmt.where is not None:
                condition = Compiler(scope).boolean(stmt.where, "WHERE").fn
                rows = [row for row in rows if condition(row, self.session) is True]
        compiler = Compiler(scope)
        fields: list[Field] = []
        targets: list[Compiled] = []
        for target in stmt.targets:
            if isinstance(target.value, ast.A_Star):
                if stmt.from_table is None:
                    raise errors.PgError(
                        errors.SYNTAX_ERROR, "SELECT * with no tables specified is not valid", position=target.loc + 1
                    )
                for column in relation.COLUMNS:
                    fields.append(Field(column.name, column.type, relation.ACTORS_OID, column.index + 1))
                    targets.append(compiler.compile(ast.ColumnRef((column.name,), target.loc)))
                continue
            compiled = coerce(compiler.compile(target.value), types.TEXT, target.loc)
            name = target.name or column_name(target.value)
            origin = (0, 0)
            if isinstance(target.value, ast.ColumnRef):
                origin = (relation.ACTORS_OID, scope.resolve(target.value).index + 1)
            fields.append(Field(name, compiled.type, *origin))
            targets.append(compiled)
        offset = self._count(stmt.offset, "OFFSET", "2201X") or 0
        limit = self._count(stmt.limit, "LIMIT", "2201W")
        if stmt.sort:
            rows = self._sort(rows, stmt.sort, compiler, fields, targets)
        if offset or limit is not None:
            rows = itertools.islice(rows, offset, None if limit is None else offset + limit)
        return Result("SELECT", fields, _encoded(rows, targets, self.session))

    def _sort(
        self,
        rows: Iterable[Any],
        sort: list[ast.SortBy],
        compiler: Compiler,
        fields: list[Field],
        targets: list[Compiled],
    ) -> list[Any]:
        keys = []
        for item in sort:
            node = item.node
            if isinstance(node, ast.A_Const) and node.kind == "integer":
                if not 1 <= node.value <= len(targets):
                    raise errors.PgError(
                        "42P10", f"ORDER BY position {node.value} is not in select list", position=node.loc + 1
                    )
                key = targets[node.value - 1]
            elif (
                isinstance(node, ast.ColumnRef) and len(node.fields) == 1 and node.fields[0] in [f.name for f in fields]
            ):
                key = targets[[f.name for f in fields].index(node.fields[0])]
            else:
                key = coerce(compiler.compile(node), types.TEXT, getattr(node, "loc", 0))
            if key.type is types.JSONB:
                raise errors.PgError(errors.FEATURE_NOT_SUPPORTED, "ordering by jsonb is not supported yet")
            keys.append((key.fn, item))
        session = self.session
        ordered = list(rows)
        for fn, item in reversed(keys):
            nulls_high = item.nulls_first is None or item.nulls_first == item.descending

            def sort_key(row: Any, fn: Any = fn, nulls_high: bool = nulls_high) -> tuple[bool, Any]:
                value = fn(row, session)
                return (nulls_high, None) if value is None else (not nulls_high, value)

            ordered.sort(key=sort_key, reverse=item.descending)
        return ordered

    def _count(self, node: ast.Node | None, clause: str, sqlstate: str) -> int | None:
        if node is None:
            return None
        compiled = coerce(Compiler(Scope()).compile(node), types.INT8, node.loc)
        if compiled.type not in (types.INT2, types.INT4, types.INT8):
            raise errors.PgError(
                errors.DATATYPE_MISMATCH,
                f"argument of {clause} must be type bigint, not type {compiled.type.name}",
                position=node.loc + 1,
            )
        value = compiled.fn(None, self.session)
        if value is not None and value < 0:
            raise errors.PgError(sqlstate, f"{clause} must not be negative")
        return value

    # --- writing ------------------------------------------------------------------------

    def _check_row(self, row: tuple[Any, Any, Any]) -> Row:
        for name, value in zip(("actor_id", "actor_type"), row[:2], strict=True):
            if value is None:
                shown = ", ".join("null" if v is None else (v.decode() if isinstance(v, bytes) else v) for v in row)
                raise errors.PgError(
                    errors.NOT_NULL_VIOLATION,
                    f'null value in column "{name}" of relation "actors" violates not-null constraint',
                    detail=f"Failing row contains ({shown}).",
                    schema="public",
                    table="actors",
                    column=name,
                )
        self.store.validate(row)
        return row

    def _exists(self, snapshot: Snapshot, actor_id: str) -> bool:
        writes = self._transaction().writes
        if actor_id in writes:
            return writes[actor_id] is not None
        return snapshot.get(actor_id) is not None

    def _duplicate(self, actor_id: str) -> errors.PgError:
        return errors.PgError(
            errors.UNIQUE_VIOLATION,
            f'duplicate key value violates unique constraint "{relation.PRIMARY_KEY}"',
            detail=f"Key (actor_id)=({actor_id}) already exists.",
            schema="public",
            table="actors",
            constraint=relation.PRIMARY_KEY,
        )

    def _assignment(self, compiler: Compiler, column: Column, node: ast.Node) -> Compiled:
        """PostgreSQL's assignment coercion: literals take the column type; any type → text."""
        compiled = coerce(compiler.compile(node), column.type, getattr(node, "loc", 0))
        if compiled.type is column.type or (column.type.category == "S" and compiled.type.category == "S"):
            return compiled
        if column.type is types.TEXT:
            return Compiled(as_text(compiled), types.TEXT)
        raise errors.PgError(
            errors.DATATYPE_MISMATCH,
            f'column "{column.name}" is of type {column.type.name} but expression is of type {compiled.type.name}',
            hint="You will need to rewrite or cast the expression.",
            position=getattr(node, "loc", 0) + 1,
        )

    def _InsertStmt(self, stmt: ast.InsertStmt) -> Result:
        scope = relation.resolve(stmt.table)
        if stmt.columns is None:
            columns = relation.COLUMNS
        else:
            columns = []
            for name, loc in stmt.columns:
                column = _target_column(scope, name, loc)
                if column in columns:
                    raise errors.PgError("42701", f'column "{name}" specified more than once', position=loc + 1)
                columns.append(column)
        width = len(stmt.rows[0])
        for values in stmt.rows:
            if len(values) != width:
                raise errors.PgError(
                    errors.SYNTAX_ERROR, "VALUES lists must all be the same length", position=values[0].loc + 1
                )
        if width > len(columns):
            extra = stmt.rows[0][len(columns)]
            raise errors.PgError(
                errors.SYNTAX_ERROR,
                "INSERT has more expressions than target columns",
                position=getattr(extra, "loc", 0) + 1,
            )
        if width < len(columns):
            loc = stmt.columns[width][1] if stmt.columns else stmt.rows[0][-1].loc
            raise errors.PgError(
                errors.SYNTAX_ERROR, "INSERT has more target columns than expressions", position=loc + 1
            )
        compiler = Compiler(Scope())
        compiled_rows = [
            [self._assignment(compiler, c, v).fn for c, v in zip(columns, values, strict=True)] for values in stmt.rows
        ]
        indexes = [c.index for c in columns]
        session = self.session
        writes = self._transaction().writes
        snapshot = self.store.snapshot()
        try:
            new_rows = []
            for fns in compiled_rows:
                values: list[Any] = [None, None, None]
                for index, fn in zip(indexes, fns, strict=True):
                    values[index] = fn(None, session)
                new_rows.append(self._check_row(tuple(values)))
            staged: dict[str, Row] = {}
            for row in new_rows:
                if row[0] in staged or self._exists(snapshot, row[0]):
                    raise self._duplicate(row[0])
                staged[row[0]] = row
        finally:
            snapshot.close()
        writes.update(staged)
        return Result(f"INSERT 0 {len(staged)}")

    def _UpdateStmt(self, stmt: ast.UpdateStmt) -> Result:
        scope, matching = self._matching(stmt.table, stmt.where)
        rows = list(matching)
        compiler = Compiler(scope)
        assignments = []
        seen = set()
        for name, loc, node in stmt.assignments:
            column = _target_column(scope, name, loc)
            if name in seen:
                raise errors.PgError("42601", f'multiple assignments to same column "{name}"')
            seen.add(name)
            assignments.append((column.index, self._assignment(compiler, column, node).fn))
        session = self.session
        writes = self._transaction().writes
        staged: dict[str, Row | None] = {}
        snapshot = self.store.snapshot()
        try:
            for row in rows:
                values = list(row)
                for index, fn in assignments:
                    values[index] = fn(row, session)
                new = self._check_row(tuple(values))
                if new[0] != row[0]:
                    staged.setdefault(row[0], None)
                    moved_in = staged.get(new[0]) is not None
                    if moved_in or (new[0] not in staged and self._exists(snapshot, new[0])):
                        raise self._duplicate(new[0])
                staged[new[0]] = new
        finally:
            snapshot.close()
        writes.update(staged)
        return Result(f"UPDATE {len(rows)}")

    def _DeleteStmt(self, stmt: ast.DeleteStmt) -> Result:
        _, matching = self._matching(stmt.table, stmt.where)
        rows = list(matching)
        writes = self._transaction().writes
        for row in rows:
            writes[row[0]] = None
        return Result(f"DELETE {len(rows)}")

    # --- settings -----------------------------------------------------------------------

    def _VariableSetStmt(self, stmt: ast.VariableSetStmt) -> Result:
        tag = "RESET" if stmt.reset else "SET"
        if stmt.name is None:
            for name in list(self.session.values):
                setting = SETTINGS.get(name)
                if setting is not None and setting.kind != "readonly":
                    self.session.set(name, None)
            return Result(tag)
        if stmt.is_local and not self._transaction().explicit:
            return Result(
                tag,
                notices=[
                    _warning(errors.NO_ACTIVE_SQL_TRANSACTION, "SET LOCAL can only be used in transaction blocks")
                ],
            )
        value = None
        if stmt.values is not None:
            value = setting_text([(v.kind, _value_text(v)) for v in stmt.values], SETTINGS.get(stmt.name))
        self.session.set(stmt.name, value)
        return Result(tag)

    def _VariableShowStmt(self, stmt: ast.VariableShowStmt) -> Result:
        if stmt.name == "all":
            fields = [Field("name", types.TEXT), Field("setting", types.TEXT), Field("description", types.TEXT)]
            rows = []
            for name in sorted(self.session.values):
                setting = SETTINGS.get(name)
                shown = setting.name if setting else name
                description = setting.description if setting else ""
                rows.append([shown.encode(), self.session.values[name].encode(), description.encode()])
            return Result("SHOW", fields, rows)
        value = self.session.show(stmt.name)
        setting = SETTINGS.get(stmt.name.lower())
        header = setting.name if setting else stmt.name.lower()
        return Result("SHOW", [Field(header, types.TEXT)], [[value.encode()]])


def _value_text(value: ast.A_Const) -> str:
    if value.kind in ("integer", "numeric"):
        return format(value.value, "f") if value.kind == "numeric" else str(value.value)
    return str(value.value)


def _encoded(rows: Iterable[Any], targets: list[Compiled], session: Session) -> Iterator[list[bytes | None]]:
    """Each row's select-list values in text format, computed as the protocol asks for them."""
    outs = [(t.fn, t.type.text_out) for t in targets]
    for row in rows:
        yield [None if (v := fn(row, session)) is None else out(v) for fn, out in outs]


def _target_column(scope: Scope, name: str, loc: int) -> Column:
    """A column INSERT or UPDATE writes to."""
    column = scope.columns.get(name)
    if column is None:
        raise errors.PgError(
            errors.UNDEFINED_COLUMN, f'column "{name}" of relation "actors" does not exist', position=loc + 1
        )
    return column
