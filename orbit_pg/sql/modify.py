"""INSERT, UPDATE and DELETE: where their rows come from, ON CONFLICT, and RETURNING.

Planning follows PostgreSQL's transformInsertStmt / transformUpdateStmt / transformDeleteStmt;
running produces each statement's new row versions and hands them all to
``Executor._stage`` in one call, which checks every one before any reaches the
transaction's write set: a statement is atomic, whichever row fails.
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from orbit_pg import errors, types
from orbit_pg.sql import ast, planner, query, relation
from orbit_pg.sql.expressions import (
    Column,
    Compiled,
    Compiler,
    Context,
    Eval,
    Params,
    Scope,
    as_text,
    coerce,
    column_name,
)

if TYPE_CHECKING:
    from orbit_pg.sql.executor import Executor, Field, Result, Runner

# (the old actor_id, None for an insert; the new values, None for a delete)
Change = tuple[str | None, tuple[Any, ...] | None]
RowSource = Callable[["Executor", Context], Iterable[tuple[Any, ...]]]


# --- names ---------------------------------------------------------------------------------


@dataclass(slots=True)
class RangeEntry:
    """One relation of a statement (PostgreSQL's RangeTblEntry): its columns start at ``offset``
    in the rows the statement's expressions see."""

    name: str
    alias: str | None
    offset: int
    loc: int

    @property
    def visible(self) -> str:
        return self.alias or self.name


class Relations(Scope):
    """Several relations side by side: the target of an UPDATE or DELETE and its FROM/USING
    relations, or an ON CONFLICT target and EXCLUDED. Names resolve as in PostgreSQL's
    colNameToVar: a qualifier picks a relation, an unqualified name must be unambiguous."""

    def __init__(self, entries: list[RangeEntry]) -> None:
        first = entries[0]
        super().__init__(first.name, relation.COLUMNS, first.alias)
        self.entries = entries

    @classmethod
    def of(cls, tables: Sequence[ast.RangeVar]) -> Relations:
        entries: list[RangeEntry] = []
        for table in tables:
            relation.resolve(table)
            entry = RangeEntry(table.name, table.alias, len(entries) * len(relation.COLUMNS), table.loc)
            if any(e.visible == entry.visible for e in entries):
                raise errors.PgError("42712", f'table name "{entry.visible}" specified more than once')
            entries.append(entry)
        return cls(entries)

    def entry(self, name: str, loc: int) -> RangeEntry:
        for entry in self.entries:
            if entry.visible == name:
                return entry
        for entry in self.entries:
            if entry.name == name:
                raise errors.PgError(
                    errors.UNDEFINED_TABLE,
                    f'invalid reference to FROM-clause entry for table "{name}"',
                    hint=f'Perhaps you meant to reference the table alias "{entry.alias}".',
                    position=loc + 1,
                )
        raise errors.PgError(errors.UNDEFINED_TABLE, f'missing FROM-clause entry for table "{name}"', position=loc + 1)

    def resolve(self, ref: ast.ColumnRef) -> Column:
        *qualifier, name = ref.fields
        if qualifier:
            entry = self.entry(qualifier[-1], ref.loc)
            column = self.columns.get(name)
            if column is None:
                raise errors.PgError(
                    errors.UNDEFINED_COLUMN, f"column {entry.visible}.{name} does not exist", position=ref.loc + 1
                )
            return Column(name, entry.offset + column.index, column.type)
        column = self.columns.get(name)
        if column is None:
            raise errors.PgError(errors.UNDEFINED_COLUMN, f'column "{name}" does not exist', position=ref.loc + 1)
        if len(self.entries) > 1:
            raise errors.PgError("42702", f'column reference "{name}" is ambiguous', position=ref.loc + 1)
        return column


def target_column(name: str, loc: int) -> Column:
    """A column INSERT or UPDATE writes to."""
    column = next((c for c in relation.COLUMNS if c.name == name), None)
    if column is None:
        raise errors.PgError(
            errors.UNDEFINED_COLUMN, f'column "{name}" of relation "actors" does not exist', position=loc + 1
        )
    return column


def assign(compiled: Compiled, column: Column, loc: int) -> Compiled:
    """PostgreSQL's assignment coercion: literals and parameters take the column type; any type → text."""
    compiled = coerce(compiled, column.type, loc)
    if compiled.type is column.type or (column.type.category == "S" and compiled.type.category == "S"):
        return compiled
    if column.type is types.TEXT:
        return Compiled(as_text(compiled), types.TEXT)
    raise errors.PgError(
        errors.DATATYPE_MISMATCH,
        f'column "{column.name}" is of type {column.type.name} but expression is of type {compiled.type.name}',
        hint="You will need to rewrite or cast the expression.",
        position=loc + 1,
    )


def _assigned(compiler: Compiler, column: Column, node: ast.Node) -> Eval:
    """An assigned expression; DEFAULT is NULL, every column's default."""
    if isinstance(node, ast.SetToDefault):
        return lambda row, ctx: None
    return assign(compiler.compile(node), column, getattr(node, "loc", 0)).fn


def _assignments(assignments: list[tuple[str, int, ast.Node]], compiler: Compiler) -> list[tuple[int, Eval]]:
    """UPDATE's (and DO UPDATE's) SET list: (column index, new value)."""
    compiled = []
    seen: set[str] = set()
    for name, loc, node in assignments:
        column = target_column(name, loc)
        if name in seen:
            raise errors.PgError(errors.SYNTAX_ERROR, f'multiple assignments to same column "{name}"')
        seen.add(name)
        compiled.append((column.index, _assigned(compiler, column, node)))
    return compiled


def _updated(row: tuple[Any, ...], assignments: list[tuple[int, Eval]], ctx: Context) -> tuple[Any, ...]:
    """The new version of a target row (the first three values of ``row``): every assignment
    sees the old values, as in PostgreSQL."""
    values = list(row[:3])
    for index, fn in assignments:
        values[index] = fn(row, ctx)
    return tuple(values)


# --- RETURNING -----------------------------------------------------------------------------


def returning_list(
    targets: list[ast.ResTarget], scope: Scope, entries: Sequence[RangeEntry], params: Params
) -> tuple[list[Field], list[Eval]]:
    """RETURNING's columns, as a select list over the statement's relations (``*`` is all of them)."""
    from orbit_pg.sql.executor import Field

    compiler = Compiler(scope, params)
    fields: list[Field] = []
    fns: list[Eval] = []

    def whole(entry: RangeEntry) -> None:
        for column in relation.COLUMNS:
            index = entry.offset + column.index
            fields.append(Field(column.name, column.type, relation.ACTORS_OID, column.index + 1))
            fns.append(lambda row, ctx, index=index: row[index])

    for target in targets:
        value = target.value
        if isinstance(value, ast.A_Star):
            for entry in entries:
                whole(entry)
        elif isinstance(value, ast.ColumnRef) and value.fields[-1] == "*":
            if isinstance(scope, Relations):
                whole(scope.entry(value.fields[0], value.loc))
            else:
                Relations([entries[0]]).entry(value.fields[0], value.loc)
                whole(entries[0])
        else:
            compiled = coerce(compiler.compile(value), types.TEXT, target.loc)
            origin = (0, 0)
            if isinstance(value, ast.ColumnRef):
                origin = (relation.ACTORS_OID, scope.resolve(value).index % len(relation.COLUMNS) + 1)
            fields.append(Field(target.name or column_name(value), compiled.type, *origin))
            fns.append(compiled.fn)
    return fields, fns


def _entries(tables: Sequence[ast.RangeVar]) -> list[RangeEntry]:
    return [RangeEntry(t.name, t.alias, i * len(relation.COLUMNS), t.loc) for i, t in enumerate(tables)]


def _result(tag: str, count: int, fields: list[Field] | None, returned: list[list[Any]]) -> Result:
    from orbit_pg.sql.executor import Result

    return Result(f"{tag} {count}", fields, returned if fields is not None else ())


# --- INSERT --------------------------------------------------------------------------------


@dataclass(slots=True)
class ConflictPlan:
    """ON CONFLICT on the primary key: DO NOTHING, or DO UPDATE's SET list and WHERE over
    (existing row, EXCLUDED row)."""

    action: str
    assignments: list[tuple[int, Eval]]
    condition: Eval | None


def plan_insert(executor: Executor, stmt: ast.InsertStmt, params: Params) -> tuple[list[Field] | None, Runner]:
    relation.resolve(stmt.table)
    if stmt.columns is None:
        columns = list(relation.COLUMNS)
    else:
        columns = []
        for name, loc in stmt.columns:
            column = target_column(name, loc)
            if column in columns:
                raise errors.PgError("42701", f'column "{name}" specified more than once', position=loc + 1)
            columns.append(column)
    if stmt.select is not None:
        source = _select_source(executor, stmt, columns, params)
    elif stmt.rows is not None:
        source = _values_source(stmt, columns, params)
    else:
        source = _default_values

    conflict = _conflict_plan(stmt, params)
    fields, returning = (
        returning_list(stmt.returning, relation.resolve(stmt.table), _entries([stmt.table]), params)
        if stmt.returning
        else (None, [])
    )

    def run(executor: Executor, ctx: Context) -> Result:
        returned: list[list[Any]] = []
        changes = _inserts(executor, source(executor, ctx), conflict, returning, returned, ctx)
        with contextlib.closing(changes):
            count = executor._stage(changes)
        return _result("INSERT 0", count, fields, returned)

    return fields, run


def _check_widths(stmt: ast.InsertStmt, columns: list[Column], width: int, items: list[Any]) -> None:
    """Too many or too few expressions for the target columns (transformInsertRow)."""
    if width > len(columns):
        raise errors.PgError(
            errors.SYNTAX_ERROR,
            "INSERT has more expressions than target columns",
            position=getattr(items[len(columns)], "loc", 0) + 1,
        )
    if width < len(columns) and stmt.columns is not None:
        raise errors.PgError(
            errors.SYNTAX_ERROR,
            "INSERT has more target columns than expressions",
            position=stmt.columns[width][1] + 1,
        )


def _values_source(stmt: ast.InsertStmt, columns: list[Column], params: Params) -> RowSource:
    rows = stmt.rows or []
    width = len(rows[0])
    for values in rows:
        if len(values) != width:
            raise errors.PgError(
                errors.SYNTAX_ERROR, "VALUES lists must all be the same length", position=values[0].loc + 1
            )
    _check_widths(stmt, columns, width, rows[0])
    compiler = Compiler(Scope(), params)
    # Without a column list, VALUES fills the leading columns; the rest take their defaults.
    compiled = [[_assigned(compiler, c, v) for c, v in zip(columns, values, strict=False)] for values in rows]
    indexes = [c.index for c in columns[:width]]

    def source(executor: Executor, ctx: Context) -> Iterator[tuple[Any, ...]]:
        for fns in compiled:
            values: list[Any] = [None, None, None]
            for index, fn in zip(indexes, fns, strict=True):
                values[index] = fn(None, ctx)
            yield tuple(values)

    return source


def _default_values(executor: Executor, ctx: Context) -> Iterator[tuple[Any, ...]]:
    yield (None, None, None)


def _select_source(executor: Executor, stmt: ast.InsertStmt, columns: list[Column], params: Params) -> RowSource:
    """INSERT ... SELECT: the query's columns assigned to the target columns in order. As in
    PostgreSQL, a bare literal, NULL or untyped parameter in a select list is not resolved to
    text first: it takes the target column's type."""
    select = stmt.select
    assert select is not None
    targets = select.targets
    locs = [select.loc] * len(columns)
    if targets:
        typed = list(targets)
        for i, (target, column) in enumerate(zip(targets, columns, strict=False)):
            value = target.value
            if (isinstance(value, ast.A_Const) and value.kind in ("string", "null")) or (
                isinstance(value, ast.ParamRef) and _untyped(params, value.number)
            ):
                typed[i] = ast.ResTarget(ast.TypeCast(value, column.type.name, value.loc, value.loc), None, target.loc)
        select = dataclasses.replace(select, targets=typed)
        # Where each output column's expression starts (``*`` stands for all its columns).
        locs = [t.loc for t in targets for _ in (relation.COLUMNS if isinstance(t.value, ast.A_Star) else (t,))]
    plan = query.analyze(select, params)
    fields = plan.columns
    width = len(fields)
    locs += [locs[-1] if locs else 0] * (width - len(locs))
    _check_widths(stmt, columns, width, [ast.A_Star(loc) for loc in locs])
    assigned = [
        assign(Compiled(lambda row, ctx, i=i: row[i], field.type), column, locs[i]).fn
        for i, (field, column) in enumerate(zip(fields, columns, strict=False))
    ]
    indexes = [c.index for c in columns[:width]]

    def source(executor: Executor, ctx: Context) -> Iterator[tuple[Any, ...]]:
        for row in plan.rows(query.root_context(executor, ctx)):
            values: list[Any] = [None, None, None]
            for index, fn in zip(indexes, assigned, strict=True):
                values[index] = fn(row, ctx)
            yield tuple(values)

    return source


def _untyped(params: Params, number: int) -> bool:
    return number > len(params.types) or params.types[number - 1] is types.UNKNOWN


def _conflict_plan(stmt: ast.InsertStmt, params: Params) -> ConflictPlan | None:
    """Check the arbiter as PostgreSQL's infer_arbiter_indexes does: only the primary key is unique."""
    clause = stmt.on_conflict
    if clause is None:
        return None
    if clause.columns is not None:
        names = set()
        for name, loc in clause.columns:
            if name not in {c.name for c in relation.COLUMNS}:
                raise errors.PgError(errors.UNDEFINED_COLUMN, f'column "{name}" does not exist', position=loc + 1)
            names.add(name)
        if names != {"actor_id"}:
            raise errors.PgError(
                "42P10", "there is no unique or exclusion constraint matching the ON CONFLICT specification"
            )
    elif clause.constraint is not None:
        if clause.constraint[0] != relation.PRIMARY_KEY:
            raise errors.PgError(
                errors.UNDEFINED_OBJECT, f'constraint "{clause.constraint[0]}" for table "actors" does not exist'
            )
    elif clause.action == "update":
        raise errors.PgError(
            errors.SYNTAX_ERROR,
            "ON CONFLICT DO UPDATE requires inference specification or constraint name",
            hint="For example, ON CONFLICT (column_name).",
            position=clause.loc + 1,
        )
    if clause.action == "nothing":
        return ConflictPlan("nothing", [], None)
    excluded = ast.RangeVar(None, "excluded", None, stmt.table.loc)
    scope = Relations([*_entries([stmt.table]), RangeEntry("excluded", None, len(relation.COLUMNS), excluded.loc)])
    compiler = Compiler(scope, params)
    condition = compiler.boolean(clause.where, "WHERE").fn if clause.where is not None else None
    return ConflictPlan("update", _assignments(clause.assignments, compiler), condition)


def _affect_twice() -> errors.PgError:
    return errors.PgError(
        "21000",
        "ON CONFLICT DO UPDATE command cannot affect row a second time",
        hint="Ensure that no rows proposed for insertion within the same command have duplicate constrained values.",
    )


def _inserts(
    executor: Executor,
    proposed: Iterable[tuple[Any, ...]],
    conflict: ConflictPlan | None,
    returning: list[Eval],
    returned: list[list[Any]],
    ctx: Context,
) -> Iterator[Change]:
    """Proposed rows as changes: an insert, or (ON CONFLICT) nothing or an update of the row
    that holds the key, as this transaction sees it. A key this statement already inserted
    or updated conflicts too; DO UPDATE may not touch it twice."""
    writes = executor.transaction().writes
    snapshot = executor.store.snapshot()
    affected: set[str] = set()
    try:
        for values in proposed:
            key = values[0]
            change: Change = (None, values)
            if conflict is not None and key is not None:
                if key in affected:
                    if conflict.action == "nothing":
                        continue
                    raise _affect_twice()
                existing = writes[key] if key in writes else snapshot.get(key)
                if existing is not None:
                    if conflict.action == "nothing":
                        continue
                    both = (*existing, *values)
                    if conflict.condition is not None and conflict.condition(both, ctx) is not True:
                        continue
                    new = _updated(both, conflict.assignments, ctx)
                    affected.add(new[0])
                    change = (key, new)
            if conflict is not None:
                affected.add(key)
            if returning:
                returned.append([fn(change[1], ctx) for fn in returning])
            yield change
    finally:
        snapshot.close()


# --- UPDATE and DELETE ---------------------------------------------------------------------


def _target_rows(
    executor: Executor, table: ast.RangeVar, others: list[ast.RangeVar], where: ast.Node | None, params: Params
) -> tuple[Scope, list[RangeEntry], RowSource]:
    """The rows an UPDATE or DELETE acts on; with FROM / USING, each target row joined with
    the other relations' rows (the first match wins: a row is changed once, as in PostgreSQL)."""
    if not others:
        scope, source = executor._plan_scan(table, where, params)
        return scope, _entries([table]), source
    scope = Relations.of([table, *others])
    condition = Compiler(scope, params).boolean(where, "WHERE").fn if where is not None else None
    access = planner.choose(where, scope, params)
    keys = [_key_from_earlier(where, scope, k, params) for k in range(1, len(scope.entries))]

    def source(executor: Executor, ctx: Context) -> Iterator[tuple[Any, ...]]:
        # A nested loop: the target's rows by its access path; each other relation's row by
        # its key where the WHERE clause equates it with earlier relations' values, else all
        # its rows (read once).
        scans: dict[int, list[tuple[Any, ...]]] = {}
        snapshot = executor.store.snapshot()

        def joined(prefix: tuple[Any, ...], k: int) -> Iterator[tuple[Any, ...]]:
            if k == len(keys):
                yield prefix
                return
            key = keys[k]
            if key is not None:
                value = key(prefix, ctx)
                rows: Iterable[tuple[Any, ...]] = executor._rows(
                    snapshot, planner.AccessPath("key", [lambda row, ctx: value]), ctx
                )
            else:
                if k not in scans:
                    scans[k] = list(executor._rows(snapshot, planner.SCAN, ctx))
                rows = scans[k]
            for row in rows:
                yield from joined(prefix + row, k + 1)

        try:
            for target in executor._scan(access, None, ctx):
                for row in joined(target, 0):
                    if condition is None or condition(row, ctx) is True:
                        yield row
                        break
        finally:
            snapshot.close()

    return scope, scope.entries, source


def _key_from_earlier(where: ast.Node | None, scope: Relations, k: int, params: Params) -> Eval | None:
    """For relation ``k``, an expression over the relations before it that its actor_id must
    equal (``b.actor_id = a.state->>'owner'``, ``b.actor_id = 'x'``): read by key, not scanned."""
    if where is None:
        return None
    offset = scope.entries[k].offset
    earlier = Relations(scope.entries[:k])
    for conjunct in planner.conjuncts(where):
        if not (isinstance(conjunct, ast.A_Expr) and conjunct.op == "=" and conjunct.left is not None):
            continue
        for column_side, value_side in ((conjunct.left, conjunct.right), (conjunct.right, conjunct.left)):
            if not isinstance(column_side, ast.ColumnRef) or scope.resolve(column_side).index != offset:
                continue
            try:
                value = coerce(Compiler(earlier, params).compile(value_side), types.TEXT, conjunct.loc)
            except errors.PgError:
                continue  # it names relation k or a later one
            if value.type.category == "S":
                return value.fn
    return None


def plan_update(executor: Executor, stmt: ast.UpdateStmt, params: Params) -> tuple[list[Field] | None, Runner]:
    scope, entries, source = _target_rows(executor, stmt.table, stmt.from_tables, stmt.where, params)
    assignments = _assignments(stmt.assignments, Compiler(scope, params))
    fields, returning = returning_list(stmt.returning, scope, entries, params) if stmt.returning else (None, [])

    def run(executor: Executor, ctx: Context) -> Result:
        rows = list(source(executor, ctx))
        returned: list[list[Any]] = []

        def changes() -> Iterator[Change]:
            for row in rows:
                new = _updated(row, assignments, ctx)
                if returning:
                    seen = new + row[3:]
                    returned.append([fn(seen, ctx) for fn in returning])
                yield row[0], new

        return _result("UPDATE", executor._stage(changes()), fields, returned)

    return fields, run


def plan_delete(executor: Executor, stmt: ast.DeleteStmt, params: Params) -> tuple[list[Field] | None, Runner]:
    scope, entries, source = _target_rows(executor, stmt.table, stmt.using, stmt.where, params)
    fields, returning = returning_list(stmt.returning, scope, entries, params) if stmt.returning else (None, [])

    def run(executor: Executor, ctx: Context) -> Result:
        rows = list(source(executor, ctx))
        returned = [[fn(row, ctx) for fn in returning] for row in rows] if returning else []
        return _result("DELETE", executor._stage((row[0], None) for row in rows), fields, returned)

    return fields, run
