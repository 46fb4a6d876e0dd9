"""INSERT, UPDATE and DELETE: where their rows come from, ON CONFLICT, and RETURNING.

Planning follows PostgreSQL's transformInsertStmt / transformUpdateStmt / transformDeleteStmt;
running produces each statement's new row versions and hands them all to
``Executor._stage`` in one call, which checks every one before any reaches the
transaction's write set: a statement is atomic, whichever row fails.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from orbit_pg import errors, types
from orbit_pg.sql import ast, query, relation
from orbit_pg.sql.expressions import (
    Column,
    Compiled,
    Compiler,
    Context,
    Eval,
    Params,
    as_text,
    coerce,
    column_name,
)
from orbit_pg.sql.plan import Field, Result, Runner

if TYPE_CHECKING:
    from orbit_pg.sql.executor import Executor

# (the old actor_id, None for an insert; the new values, None for a delete)
Change = tuple[str | None, tuple[Any, ...] | None]
RowSource = Callable[["Executor", Context], Iterable[tuple[Any, ...]]]


# --- names ---------------------------------------------------------------------------------


def _level(stmt: ast.InsertStmt | ast.UpdateStmt | ast.DeleteStmt, params: Params) -> query.Level:
    """A statement's analysis state, as a query level's: its parameters and its WITH queries."""
    return query.Level(params, None, {cte.name: cte for cte in stmt.with_clause})


def _actors_item(level: query.Level, refname: str, offset: int, relname: str | None = None) -> query.Item:
    """actors in a statement's namespace under ``refname`` (``relname`` when that is an alias),
    its columns from ``offset`` on in the rows expressions see."""
    rte = level.next_rte()
    attrs = [
        query.Attr(c.name, c.type, offset + c.index, refname, rte, (relation.ACTORS_OID, c.index + 1))
        for c in relation.COLUMNS
    ]
    return query.Item(refname, attrs, relname)


def _target_item(level: query.Level, table: ast.RangeVar) -> query.Item:
    relation.resolve(table)
    return _actors_item(level, table.alias or table.name, 0, table.name if table.alias else None)


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


def _updater(assignments: list[tuple[int, Eval]]) -> Eval:
    """``_updated`` for one SET list, made once per plan: a SET of the state alone (an actor's
    write) builds the new row directly."""
    if len(assignments) == 1 and assignments[0][0] == 2:
        fn = assignments[0][1]
        return lambda row, ctx: (row[0], row[1], fn(row, ctx))
    return lambda row, ctx: _updated(row, assignments, ctx)


# --- RETURNING -----------------------------------------------------------------------------


def returning_list(
    targets: list[ast.ResTarget], scope: query.QueryScope, level: query.Level
) -> tuple[list[Field], list[Eval]]:
    """RETURNING's columns, as a select list over the statement's relations (``*`` is all of them)."""

    compiler = query.QueryCompiler(scope, level, "RETURNING")
    fields: list[Field] = []
    fns: list[Eval] = []
    for target in targets:
        value = target.value
        if isinstance(value, ast.A_Star) or (isinstance(value, ast.ColumnRef) and value.fields[-1] == "*"):
            qualifier = value.fields[0] if isinstance(value, ast.ColumnRef) else None
            for attr in scope.star(qualifier, value.loc):
                fields.append(Field(attr.name, attr.type, *attr.origin))
                fns.append(attr.reader())
            continue
        compiled = coerce(compiler.compile(value), types.TEXT, target.loc)
        attr = scope.lookup(value) if isinstance(value, ast.ColumnRef) else None
        fields.append(Field(target.name or column_name(value), compiled.type, *(attr.origin if attr else (0, 0))))
        fns.append(compiled.fn)
    return fields, fns


def _result(tag: str, count: int, fields: list[Field] | None, returned: list[list[Any]]) -> Result:

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
    level = _level(stmt, params)
    scope = query.QueryScope([_target_item(level, stmt.table)], len(relation.COLUMNS))
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
        source = _select_source(stmt, columns, level)
    elif stmt.rows is not None:
        source = _values_source(stmt, columns, level)
    else:
        source = _default_values

    conflict = _conflict_plan(stmt, level)
    fields, returning = returning_list(stmt.returning, scope, level) if stmt.returning else (None, [])

    def run(executor: Executor, ctx: Context) -> Result:
        ctx = query.root_context(executor, ctx)
        proposed = source(executor, ctx)
        if conflict is None and not returning and isinstance(proposed, tuple):
            # One VALUES row (an actor's insert): made before its checks, as below.
            return _result("INSERT 0", executor._stage(((None, proposed[0]),)), fields, [])
        returned: list[list[Any]] = []
        changes = _inserts(executor, proposed, conflict, returning, returned, ctx)
        try:
            count = executor._stage(changes)
        finally:
            changes.close()  # (its ON CONFLICT snapshot, if the statement stopped half-way)
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


def _values_source(stmt: ast.InsertStmt, columns: list[Column], level: query.Level) -> RowSource:
    rows = stmt.rows or []
    width = len(rows[0])
    for values in rows:
        if len(values) != width:
            raise errors.PgError(
                errors.SYNTAX_ERROR, "VALUES lists must all be the same length", position=values[0].loc + 1
            )
    _check_widths(stmt, columns, width, rows[0])
    compiler = query.QueryCompiler(query.QueryScope([], 0), level, "VALUES")
    # Without a column list, VALUES fills the leading columns; the rest take their defaults.
    compiled = [[_assigned(compiler, c, v) for c, v in zip(columns, values, strict=False)] for values in rows]
    indexes = [c.index for c in columns[:width]]

    def row(fns: list[Eval], ctx: Context) -> tuple[Any, ...]:
        values: list[Any] = [None, None, None]
        for index, fn in zip(indexes, fns, strict=True):
            values[index] = fn(None, ctx)
        return tuple(values)

    if len(compiled) == 1:  # (made at once: a tuple of one row, which ``run`` takes as such)
        return lambda executor, ctx: (row(compiled[0], ctx),)
    return lambda executor, ctx: (row(fns, ctx) for fns in compiled)


def _default_values(executor: Executor, ctx: Context) -> Iterator[tuple[Any, ...]]:
    yield (None, None, None)


def _select_source(stmt: ast.InsertStmt, columns: list[Column], level: query.Level) -> RowSource:
    """INSERT ... SELECT: the query's columns assigned to the target columns in order. As in
    PostgreSQL, a bare literal, NULL or untyped parameter in its select list is not resolved
    to text first: it takes the target column's type."""
    select, params = stmt.select, level.params
    assert isinstance(select, ast.SelectStmt) and params is not None
    targets = list(select.targets)
    for i, (target, column) in enumerate(zip(targets, columns, strict=False)):
        value = target.value
        if (isinstance(value, ast.A_Const) and value.kind in ("string", "null")) or (
            isinstance(value, ast.ParamRef) and _untyped(params, value.number)
        ):
            cast = ast.TypeCast(value, column.type.name, value.loc, value.loc)
            targets[i] = ast.ResTarget(cast, target.name or "?column?", target.loc)
    plan = query.analyze(dataclasses.replace(select, targets=targets), params, ctes=level.ctes)
    width = len(plan.columns)
    # Where each output column's expression starts (``*`` stands for all its columns; a set
    # operation's or VALUES' columns, where the query starts).
    locs = [t.loc for t in select.targets for _ in (relation.COLUMNS if isinstance(t.value, ast.A_Star) else (t,))]
    if len(locs) != width:
        locs = [select.loc] * width
    _check_widths(stmt, columns, width, [ast.A_Star(loc) for loc in locs])
    assigned = [
        assign(Compiled(lambda row, ctx, i=i: row[i], output.type), column, locs[i]).fn
        for i, (output, column) in enumerate(zip(plan.columns, columns, strict=False))
    ]
    indexes = [c.index for c in columns[:width]]

    def source(executor: Executor, ctx: Context) -> Iterator[tuple[Any, ...]]:
        for row in plan.rows(ctx):
            values: list[Any] = [None, None, None]
            for index, fn in zip(indexes, assigned, strict=True):
                values[index] = fn(row, ctx)
            yield tuple(values)

    return source


def _untyped(params: Params, number: int) -> bool:
    return number > len(params.types) or params.types[number - 1] is types.UNKNOWN


def _conflict_plan(stmt: ast.InsertStmt, level: query.Level) -> ConflictPlan | None:
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
    # The existing row under the target's name, and the proposed one as EXCLUDED.
    width = len(relation.COLUMNS)
    items = [_target_item(level, stmt.table), _actors_item(level, "excluded", width)]
    compiler = query.QueryCompiler(query.QueryScope(items, 2 * width), level, "WHERE")
    condition = compiler.boolean(clause.where, "WHERE").fn if clause.where is not None else None
    compiler.clause = "UPDATE"
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
    writes = (executor.session.transaction or executor.transaction()).writes
    snapshot = executor.store.snapshot() if conflict is not None else None
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
                assert snapshot is not None
                existing = writes[key] if writes is not None and key in writes else snapshot.get(key)
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
        if snapshot is not None:
            snapshot.close()


# --- UPDATE and DELETE ---------------------------------------------------------------------


def _target_rows(
    table: ast.RangeVar, others: list[ast.Node], where: ast.Node | None, level: query.Level
) -> tuple[query.QueryScope, RowSource]:
    """The rows an UPDATE or DELETE acts on, as the query engine finds them: the target first,
    joined with the FROM / USING items. A target row several rows join is changed once, with
    the first (PostgreSQL takes any one of them)."""
    relation.resolve(table)
    operator, scope = query.FromAnalysis(level).plan([table, *others], where)
    by_key = (
        not others
        and isinstance(operator, query.ActorScan)
        and operator.access.kind == "key"
        and len(operator.access.values) == 1
    )

    def source(executor: Executor, ctx: Context) -> Iterable[tuple[Any, ...]]:
        assert isinstance(ctx, query.QueryContext)
        if by_key:  # (``WHERE actor_id = v``: the one row read, without the scan's generator)
            row = operator.lookup(ctx)
            return () if row is None else (row,)
        return _first_per_target(operator.rows(ctx)) if others else operator.rows(ctx)

    return scope, source


def _first_per_target(rows: Iterable[tuple[Any, ...]]) -> Iterator[tuple[Any, ...]]:
    seen: set[str] = set()
    for row in rows:
        if row[0] not in seen:
            seen.add(row[0])
            yield row


def plan_update(executor: Executor, stmt: ast.UpdateStmt, params: Params) -> tuple[list[Field] | None, Runner]:
    level = _level(stmt, params)
    scope, source = _target_rows(stmt.table, stmt.from_tables, stmt.where, level)
    update = _updater(_assignments(stmt.assignments, query.QueryCompiler(scope, level, "UPDATE")))
    fields, returning = returning_list(stmt.returning, scope, level) if stmt.returning else (None, [])

    def run(executor: Executor, ctx: Context) -> Result:
        ctx = query.root_context(executor, ctx)
        rows = source(executor, ctx)
        if not returning and isinstance(rows, tuple):
            # One row or none (by key): its new version made before its checks, as below.
            one = ((rows[0][0], update(rows[0], ctx)),) if rows else ()
            return _result("UPDATE", executor._stage(one), fields, [])
        rows = list(rows)
        returned: list[list[Any]] = []

        def changes() -> Iterator[Change]:
            for row in rows:
                new = update(row, ctx)
                if returning:
                    returned.append([fn(new + row[3:], ctx) for fn in returning])
                yield row[0], new

        return _result("UPDATE", executor._stage(changes()), fields, returned)

    return fields, run


def plan_delete(executor: Executor, stmt: ast.DeleteStmt, params: Params) -> tuple[list[Field] | None, Runner]:
    level = _level(stmt, params)
    scope, source = _target_rows(stmt.table, stmt.using, stmt.where, level)
    fields, returning = returning_list(stmt.returning, scope, level) if stmt.returning else (None, [])

    def run(executor: Executor, ctx: Context) -> Result:
        ctx = query.root_context(executor, ctx)
        rows = list(source(executor, ctx))
        returned = [[fn(row, ctx) for fn in returning] for row in rows] if returning else []
        return _result("DELETE", executor._stage((row[0], None) for row in rows), fields, returned)

    return fields, run
