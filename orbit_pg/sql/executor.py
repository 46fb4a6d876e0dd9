"""Analyse statements into plans, and run plans for one session against the store.

``Executor.prepare`` does what PostgreSQL's parse analysis does once per statement (names,
types, ``$n`` parameter types, result columns); ``Executor.run`` executes the resulting
``Plan`` with parameter values, as often as a client asks. Plans hold no connection state.

Every statement runs inside a transaction (``session.Transaction``): its writes collect
in a private write set that reads see first, and COMMIT (or the end of an implicit
transaction) hands the whole set to the store in one durable write.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from orbit_pg import errors, notify, transactions, types
from orbit_pg.auth.privileges import Access, required_privileges
from orbit_pg.interrupts import PAUSE, PAUSE_EVERY
from orbit_pg.locks import STRENGTHS, LockMode, LockWait
from orbit_pg.session import SETTINGS, TRANSACTION_MODES, Session, Transaction, setting_text
from orbit_pg.sql import ast, copy, cursors, modify, planner, query, relation, role_commands
from orbit_pg.sql.expressions import (
    Column,
    Compiler,
    Context,
    Eval,
    Literals,
    Params,
    Scope,
    literal_value,
    type_named,
)
from orbit_pg.sql.plan import Field, Plan, Portal, PreparedStatement, Result, Runner
from orbit_pg.storage.base import Row, Snapshot, Store, StoredRow, stored
from orbit_pg.storage.writeset import NO_WRITES, Writes


def _warning(sqlstate: str, message: str) -> errors.PgError:
    return errors.PgError(sqlstate, message, severity="WARNING")


STATEMENT_CACHE_SETTING = "orbitpg.statement_cache"
_IN_FAILED = "current transaction is aborted, commands ignored until end of transaction block"


_SAVEPOINT_COMMANDS = {"savepoint": "SAVEPOINT", "release": "RELEASE SAVEPOINT", "rollback_to": "ROLLBACK TO SAVEPOINT"}
_ENDS_FAILED = frozenset({"commit", "rollback", "rollback_to"})
_WRITES = (ast.InsertStmt, ast.UpdateStmt, ast.DeleteStmt)
# A write tried at once runs again the general way if it meets a row lock: one that calls no
# function (pg_advisory_lock, nextval, ...) and holds no subquery shows no side effect twice.
_CALLS = (ast.FuncCall, ast.SubLink)
_QUERIES = (ast.SelectStmt, ast.InsertStmt, ast.UpdateStmt, ast.DeleteStmt, ast.ExecuteStmt, ast.DeclareCursorStmt)


class Executor:
    def __init__(
        self,
        store: Store,
        session: Session,
        cache_stats: Callable[[], str] = lambda: "",
        access: Access | None = None,
        shared: transactions.Transactions | None = None,
    ) -> None:
        self.store = store
        self.access = access  # the session's role; None: no privilege checks (embedding, unit tests)
        self.session = session
        self.cache_stats = cache_stats  # what SHOW orbitpg.statement_cache prints
        # Locks and commit numbers shared with the server's other connections.
        self.transactions = shared if shared is not None else transactions.Transactions(store.temp_dir)
        # Writes of a transaction that has committed but is not yet durable, and that
        # transaction (its row locks are released once the writes are durable).
        self.pending_commit: Mapping[str, Row | None] | None = None
        # A committed transaction's notifications and LISTEN/UNLISTEN actions, for the protocol.
        self.pending_notifies: tuple[list[notify.Notification], list[tuple[bool, str | None]]] | None = None
        # The server's LISTEN table: actor changes are recorded while someone watches them.
        self.notifications: notify.NotifyRegistry | None = None
        self._committing: Transaction | None = None
        # Several statements in one simple Query form an implicit transaction block.
        self.implicit_block = False
        # The extended protocol's named objects; "" is the unnamed statement / portal.
        self.statements: dict[str, PreparedStatement] = {}
        self.portals: dict[str, Portal] = {}
        # Set while a cursor's rows are read: what it reads instead of the statement's view.
        self.cursor_reads: cursors.Reads | None = None

    # --- transactions -------------------------------------------------------------------

    @property
    def status(self) -> bytes:
        """ReadyForQuery's indicator: I idle, T in a block, E in a failed block."""
        txn = self.session.transaction
        if txn is None or not txn.explicit:
            return b"I"
        return b"E" if txn.failed else b"T"

    def transaction(self) -> Transaction:
        if self.session.transaction is None:
            return self.transactions.begin(self.session, self.implicit_block)
        return self.session.transaction

    def end_of_query(self) -> None:
        """An implicit transaction (no BEGIN) commits when its Query, or its Sync, is reached."""
        self.implicit_block = False
        txn = self.session.transaction
        if txn is None or not txn.explicit:
            self._end_transaction(commit=True)

    def take_pending_notifies(self) -> tuple[list[notify.Notification], list[tuple[bool, str | None]]] | None:
        """A committed transaction's notifications and LISTEN/UNLISTEN actions, to apply once it is durable."""
        pending, self.pending_notifies = self.pending_notifies, None
        return pending

    def take_pending_commit(self) -> Mapping[str, Row | None] | None:
        """A committed transaction's writes, for the caller to make durable before it says so
        to the client (the protocol batches them with other connections' commits); the
        caller then calls ``finish_commit``."""
        writes, self.pending_commit = self.pending_commit, None
        return writes

    def finish_commit(self, error: errors.PgError | None) -> None:
        """The pending commit is durable (or failed): others may now see it, and lock its rows."""
        txn, self._committing = self._committing, None
        if txn is None:
            return
        self.transactions.finish(txn, error is None)

    def commit_now(self) -> None:
        """Make the pending commit durable at once, without batching."""
        writes = self.take_pending_commit()
        if writes:
            self.store.commit(writes)
        self.finish_commit(None)

    def _end_transaction(self, commit: bool) -> None:
        """End the open transaction. A commit with writes waits in ``pending_commit`` and keeps
        its row locks until durable. Portals live as long as their transaction, as in PostgreSQL
        (WITH HOLD cursors read their rest first; if that fails, so does the commit)."""
        txn = self.session.transaction
        if self.portals:
            try:
                cursors.end_of_transaction(self.portals, txn if commit and txn is not None and not txn.failed else None)
            except errors.PgError:
                self._end_transaction(commit=False)
                raise
        if txn is None:
            return
        commit = commit and not txn.failed
        writes = self.transactions.end(self.session, txn, commit)
        if commit and (txn.notifies or txn.listens):
            self.pending_notifies = (list(txn.notifies), txn.listens)
        if writes is not None:
            self.pending_commit = writes
            self._committing = txn

    def abort(self) -> None:
        """The connection is gone: its open transaction rolls back and its locks go."""
        self.implicit_block = False
        self._end_transaction(commit=False)

    def statement_failed(self) -> None:
        """An error aborts an implicit transaction and marks an explicit one failed; it also
        ends the Query it happened in, and so its implicit transaction block."""
        self.implicit_block = False
        txn = self.session.transaction
        if txn is None:
            return
        if txn.explicit:
            txn.failed = True  # its writes stay until it ends: ROLLBACK TO may want them back
        else:
            self._end_transaction(commit=False)

    def check_not_failed(self, allowed: bool) -> None:
        txn = self.session.transaction
        if txn is not None and txn.failed and not allowed:
            raise errors.PgError(errors.IN_FAILED_SQL_TRANSACTION, _IN_FAILED)

    # --- the two phases -------------------------------------------------------------------

    def prepare(
        self, stmt: ast.Node, declared: Sequence[types.PgType] | None = None, literals: Literals | None = None
    ) -> Plan:
        """Analyse a statement. ``declared`` are Parse's parameter types (None: no ``$n`` allowed);
        with ``literals``, the plan reads the lexer's literal slots at run time."""
        ends_failed = isinstance(stmt, ast.TransactionStmt) and stmt.kind in _ENDS_FAILED
        self.check_not_failed(ends_failed)
        params = Params(declared, literals)
        role_command = role_commands.PLANNERS.get(type(stmt))
        if role_command is not None:
            fields, runner = role_command(stmt, params)
        else:
            fields, runner = getattr(self, "_plan_" + type(stmt).__name__)(stmt, params)
        query_stmt = stmt.query if isinstance(stmt, ast.DeclareCursorStmt) else stmt
        plan = Plan(params.resolved(), fields, runner, ends_failed, isinstance(stmt, _QUERIES), _writes(query_stmt))
        if isinstance(stmt, ast.ExecuteStmt):
            plan.writes = self.statements[stmt.name].plan.writes  # type: ignore[union-attr]
        plan.privileges = required_privileges(query_stmt)
        if isinstance(runner, SelectRunner):
            plan.read_at_once = runner.select.read_at_once
            plan.stored_at_once = runner.select.stored_at_once
        plan.write_at_once = (
            fields is None and isinstance(stmt, _WRITES) and not any(isinstance(n, _CALLS) for n in ast.walk(stmt))
        )
        plan.shareable = not isinstance(stmt, ast.ExecuteStmt | ast.VariableShowStmt | ast.PrepareStmt | ast.FetchStmt)
        if literals is not None:
            plan.literal_types = list(literals.types)
            plan.fixed = frozenset(literals.fixed)
        return plan

    def run(self, plan: Plan, params: Sequence[Any] = (), literals: Sequence[Any] = ()) -> Result:
        session = self.session
        txn = session.transaction
        if txn is not None:
            self.check_not_failed(plan.ends_failed_transaction)
        self._check_privileges(plan)
        if txn is None:
            txn = self.transactions.begin(session, self.implicit_block)
        if plan.writes is not None and session.values["transaction_read_only"] == "on":
            raise transactions.read_only(plan.writes)
        if plan.takes_snapshot and not txn.snapshot_taken:
            # The first query of a transaction: its isolation level is now fixed.
            txn.snapshot_taken = True
            if session.values["transaction_isolation"] in transactions.SNAPSHOT_LEVELS:
                txn.snapshot, txn.snapshot_seq = self.transactions.open_snapshot(self.store)
        return plan.runner(self, Context(session, params, literals))

    def _check_privileges(self, plan: Plan) -> None:
        if plan.privileges and self.access is not None:
            self.access.check_table(plan.privileges)

    def reads_alone(self) -> bool:
        """Between transactions, not in a Query of several statements (one implicit block), with
        no cursor left and READ COMMITTED by default: a read at once then sees what the store
        holds, as in a transaction of its own."""
        session = self.session
        return (
            session.transaction is None
            and not self.implicit_block
            and not self.portals
            and session.values["default_transaction_isolation"] not in transactions.SNAPSHOT_LEVELS
        )

    def read_at_once(
        self, plan: Plan, params: Sequence[Any], literals: Sequence[Any], as_stored: bool = False
    ) -> list[Any] | None:
        """The rows of a plan with ``read_at_once``, when ``reads_alone``: what ``run`` gives in
        an implicit transaction of its own, without one (None: too many to read at once); with
        ``as_stored``, as stored (``plan.stored_at_once``). Nothing changes if it fails."""
        read = plan.stored_at_once if as_stored else plan.read_at_once
        assert read is not None
        self._check_privileges(plan)
        rows = read(query.root_context(self, Context(self.session, params, literals)))
        if rows is not None:
            self.session.local_xid += 1  # the transaction it stands for
        return rows

    def write_at_once(self, plan: Plan, params: Sequence[Any], literals: Sequence[Any]) -> Result | None:
        """Run a plan with ``write_at_once``, when ``reads_alone``, in an implicit transaction
        of its own and end it, as Execute then Sync do: its writes wait in ``pending_commit``.
        An error leaves the transaction for the caller to fail, as Execute's does. None, having
        changed nothing, when it must wait for a row lock: the general path runs it again and
        waits there (a Portal's Execute waits, and runs again, after its BindComplete)."""
        session = self.session
        local_xid = session.local_xid
        try:
            result = self.run(plan, params, literals)
        except LockWait as wait:
            self.transactions.locks.cancel(wait.waiter)
            self._end_transaction(commit=False)
            session.local_xid = local_xid
            session.notices = []
            return None
        self.end_of_query()
        return result

    def execute(self, stmt: ast.Node) -> Result:
        """A statement of a simple Query: analysed and run at once."""
        return self.run(self.prepare(stmt))

    # --- transaction control and settings ---------------------------------------------------

    def _plan_TransactionStmt(self, stmt: ast.TransactionStmt, params: Params) -> tuple[None, Runner]:
        return None, lambda executor, ctx: executor._transaction_control(stmt)

    def _transaction_control(self, stmt: ast.TransactionStmt) -> Result:
        """PostgreSQL's transaction block state machine (xact.c), with its warnings."""
        txn = self.transaction()
        kind = stmt.kind
        notices = []
        if kind in ("begin", "start"):
            if txn.explicit:
                notices.append(_warning(errors.ACTIVE_SQL_TRANSACTION, "there is already a transaction in progress"))
            txn.explicit = True
            self._set_modes(txn, stmt.modes)
            return Result("BEGIN" if kind == "begin" else "START TRANSACTION", notices=notices)
        if kind in ("savepoint", "release", "rollback_to"):
            if not txn.explicit:
                raise _outside_block(_SAVEPOINT_COMMANDS[kind])
            assert stmt.savepoint is not None
            if kind == "savepoint":
                transactions.savepoint(
                    self.transactions, self.session, txn, stmt.savepoint, cursors.declared(self.portals)
                )
                return Result("SAVEPOINT")
            if kind == "release":
                transactions.release(txn, stmt.savepoint)
                return Result("RELEASE")
            point = transactions.rollback_to(self.session, self.transactions.locks, txn, stmt.savepoint)
            cursors.close_declared_since(self.portals, point.cursors)
            return Result("ROLLBACK")
        if not txn.explicit:
            if stmt.chain:
                raise _outside_block("COMMIT AND CHAIN" if kind == "commit" else "ROLLBACK AND CHAIN")
            notices.append(_warning(errors.NO_ACTIVE_SQL_TRANSACTION, "there is no transaction in progress"))
        committed = kind == "commit" and not txn.failed
        modes = [(mode, self.session.values[mode]) for mode in TRANSACTION_MODES]
        self._end_transaction(commit=kind == "commit")
        if stmt.chain:
            chained = self.transaction()
            chained.explicit = True
            self.session.values.update(modes)
        return Result("COMMIT" if committed else "ROLLBACK", notices=notices)

    def _set_modes(self, txn: Transaction | None, modes: list[tuple[str, str]]) -> None:
        for name, value in modes:
            transactions.set_mode(self.session, txn, name, value)

    def _plan_TransactionModesStmt(self, stmt: ast.TransactionModesStmt, params: Params) -> tuple[None, Runner]:
        def run(executor: Executor, ctx: Context) -> Result:
            session = executor.session
            if stmt.session:
                for name, value in stmt.modes:
                    session.set(TRANSACTION_MODES[name], value)
                return Result("SET")
            txn = executor.transaction()
            if not (txn.explicit or txn.implicit_block):
                warning = _outside_block("SET TRANSACTION")
                warning.severity = "WARNING"
                return Result("SET", notices=[warning])
            executor._set_modes(txn, stmt.modes)
            return Result("SET")

        return None, run

    def _plan_VariableSetStmt(self, stmt: ast.VariableSetStmt, params: Params) -> tuple[None, Runner]:
        value = None
        if stmt.values is not None:
            texts = [(v.kind, _value_text(literal_value(v, params))) for v in stmt.values]
            value = setting_text(texts, SETTINGS.get(stmt.name or ""))
        return None, lambda executor, ctx: executor._set(stmt, value)

    def _set(self, stmt: ast.VariableSetStmt, value: str | None) -> Result:
        tag = "RESET" if stmt.reset else "SET"
        if stmt.name is None:
            self.session.reset_settings()
            return Result(tag)
        txn = self.transaction()
        key = stmt.name.lower()
        if key in TRANSACTION_MODES:
            self._set_modes(txn, [(key, value if value is not None else self.session.values[TRANSACTION_MODES[key]])])
            return Result(tag)
        if stmt.is_local and not (txn.explicit or txn.implicit_block):
            warning = _warning(errors.NO_ACTIVE_SQL_TRANSACTION, "SET LOCAL can only be used in transaction blocks")
            return Result(tag, notices=[warning])
        self.session.set(stmt.name, value, stmt.is_local)
        return Result(tag)

    def _plan_VariableShowStmt(self, stmt: ast.VariableShowStmt, params: Params) -> tuple[list[Field], Runner]:
        if stmt.name == "all":
            fields = [Field("name", types.TEXT), Field("setting", types.TEXT), Field("description", types.TEXT)]
            return fields, lambda executor, ctx: Result("SHOW", fields, executor._show_all())
        if stmt.name.lower() == STATEMENT_CACHE_SETTING:
            fields = [Field(STATEMENT_CACHE_SETTING, types.TEXT)]
            return fields, lambda executor, ctx: Result("SHOW", fields, [(executor.cache_stats(),)])
        self.session.show(stmt.name)  # an unknown name fails at analysis, as in PostgreSQL
        setting = SETTINGS.get(stmt.name.lower())
        fields = [Field(setting.name if setting else stmt.name.lower(), types.TEXT)]
        return fields, lambda executor, ctx: Result("SHOW", fields, [(executor.session.show(stmt.name),)])

    def _show_all(self) -> list[tuple[str, str, str]]:
        rows = []
        for name in sorted(self.session.values):
            setting = SETTINGS.get(name)
            shown = setting.name if setting else name
            rows.append((shown, self.session.values[name], setting.description if setting else ""))
        return rows

    # --- prepared statements in SQL -------------------------------------------------------

    def _plan_PrepareStmt(self, stmt: ast.PrepareStmt, params: Params) -> tuple[None, Runner]:
        declared = [type_named(name, loc) for name, loc in stmt.type_names]

        def run(executor: Executor, ctx: Context) -> Result:
            if stmt.name in executor.statements:
                raise errors.PgError("42P05", f'prepared statement "{stmt.name}" already exists')
            executor.statements[stmt.name] = PreparedStatement(executor.prepare(stmt.statement, declared))
            return Result("PREPARE")

        return None, run

    def _plan_ExecuteStmt(self, stmt: ast.ExecuteStmt, params: Params) -> tuple[list[Field] | None, Runner]:
        prepared = self.statements.get(stmt.name)
        if prepared is None or prepared.plan is None:
            raise errors.PgError("26000", f'prepared statement "{stmt.name}" does not exist')
        inner = prepared.plan
        if len(stmt.params) != len(inner.param_types):
            raise errors.PgError(
                errors.SYNTAX_ERROR,
                f'wrong number of parameters for prepared statement "{stmt.name}"',
                detail=f"Expected {len(inner.param_types)} parameters but got {len(stmt.params)}.",
            )
        compiler = Compiler(Scope(), params)
        args = [
            modify.assign(compiler.compile(node), Column(f"${i + 1}", i, param_type), getattr(node, "loc", 0)).fn
            for i, (param_type, node) in enumerate(zip(inner.param_types, stmt.params, strict=True))
        ]

        def run(executor: Executor, ctx: Context) -> Result:
            return inner.runner(executor, Context(ctx.session, [arg(None, ctx) for arg in args]))

        return inner.fields, run

    def _plan_DeallocateStmt(self, stmt: ast.DeallocateStmt, params: Params) -> tuple[None, Runner]:
        def run(executor: Executor, ctx: Context) -> Result:
            if stmt.name is None:
                executor.statements.clear()
                return Result("DEALLOCATE ALL")
            if executor.statements.pop(stmt.name, None) is None:
                raise errors.PgError("26000", f'prepared statement "{stmt.name}" does not exist')
            return Result("DEALLOCATE")

        return None, run

    def _plan_DiscardStmt(self, stmt: ast.DiscardStmt, params: Params) -> tuple[None, Runner]:
        def run(executor: Executor, ctx: Context) -> Result:
            if stmt.target == "all":
                txn = executor.transaction()
                if txn.explicit or txn.implicit_block:
                    raise errors.PgError(
                        errors.ACTIVE_SQL_TRANSACTION, "DISCARD ALL cannot run inside a transaction block"
                    )
                # PostgreSQL's DiscardAll: CLOSE ALL, RESET ALL, DEALLOCATE ALL, UNLISTEN *,
                # pg_advisory_unlock_all(); plans, sequences and temporary tables are not kept here.
                executor.statements.clear()
                cursors.close(executor.portals, None)
                executor.session.reset_settings()
                txn.listens.append((False, None))
                if executor.session.advisory_locks is not None:
                    executor.session.advisory_locks.unlock_all(executor.session)
            return Result(f"DISCARD {stmt.target.upper()}")

        return None, run

    # --- LISTEN / NOTIFY -------------------------------------------------------------------

    def _plan_ListenStmt(self, stmt: ast.ListenStmt, params: Params) -> tuple[None, Runner]:
        def run(executor: Executor, ctx: Context) -> Result:
            executor.transaction().listens.append((True, stmt.conditionname))
            return Result("LISTEN")

        return None, run

    def _plan_UnlistenStmt(self, stmt: ast.UnlistenStmt, params: Params) -> tuple[None, Runner]:
        def run(executor: Executor, ctx: Context) -> Result:
            executor.transaction().listens.append((False, stmt.conditionname))
            return Result("UNLISTEN")

        return None, run

    def _plan_NotifyStmt(self, stmt: ast.NotifyStmt, params: Params) -> tuple[None, Runner]:
        payload = Compiler(Scope(), params).compile(stmt.payload).fn if stmt.payload is not None else None

        def run(executor: Executor, ctx: Context) -> Result:
            notify.pg_notify(ctx.session, stmt.conditionname, None if payload is None else payload(None, ctx))
            return Result("NOTIFY")

        return None, run

    def _plan_ClosePortalStmt(self, stmt: ast.ClosePortalStmt, params: Params) -> tuple[None, Runner]:
        """CLOSE name | ALL: cursors are portals (the extended protocol's named ones included)."""
        return None, lambda executor, ctx: Result(cursors.close(executor.portals, stmt.portalname))

    def _plan_DeclareCursorStmt(self, stmt: ast.DeclareCursorStmt, params: Params) -> tuple[None, Runner]:
        return cursors.plan_declare(self, stmt, params)

    def _plan_FetchStmt(self, stmt: ast.FetchStmt, params: Params) -> tuple[list[Field] | None, Runner]:
        return cursors.plan_fetch(self, stmt, params)

    # --- COPY ---------------------------------------------------------------------------------

    def _plan_CopyStmt(self, stmt: ast.CopyStmt, params: Params) -> tuple[None, Runner]:
        if stmt.filename is not None:
            raise errors.PgError(
                errors.FEATURE_NOT_SUPPORTED,
                "COPY to or from a file is not supported; use STDIN or STDOUT (psql's \\copy)",
                position=stmt.filename.loc + 1,
            )
        options = copy.copy_options(
            [(name, literal_value(v, params) if isinstance(v, ast.A_Const) else v) for name, v in stmt.options]
        )
        if stmt.query is not None:
            if stmt.is_from:
                raise errors.PgError(errors.SYNTAX_ERROR, "COPY FROM does not support a query")
            fields, select = self._plan_SelectStmt(stmt.query, params)
            names = [f.name for f in fields]
        else:
            assert stmt.relation is not None
            scope = relation.resolve(stmt.relation)
            attlist = stmt.attlist or [(c.name, 0) for c in relation.COLUMNS]
            columns = []
            for name, _ in attlist:
                column = scope.columns.get(name)
                if column is None:
                    raise errors.PgError(
                        errors.UNDEFINED_COLUMN, f'column "{name}" of relation "actors" does not exist'
                    )
                if column in columns:
                    raise errors.PgError("42701", f'column "{name}" specified more than once')
                columns.append(column)
            names = [c.name for c in columns]
            if stmt.is_from:
                targets = [copy.CopyColumn(c.name, c.index, c.type) for c in columns]
                _check_copy_columns(options, names)
                width = len(relation.COLUMNS)
                return None, lambda executor, ctx: Result("COPY", copy=copy.CopyFrom(executor, targets, options, width))
            targets_ = [ast.ResTarget(ast.ColumnRef((name,), loc), None, loc) for name, loc in attlist]
            fields, select = self._plan_SelectStmt(ast.SelectStmt(targets_, [stmt.relation], None), params)
        _check_copy_columns(options, names)
        formatter = copy.CopyTo(names, [f.type for f in fields], options)

        def run(executor: Executor, ctx: Context) -> Result:
            return Result("COPY", rows=select(executor, ctx).rows, copy=formatter)

        return None, run

    # --- reading ------------------------------------------------------------------------

    def _rows(self, snapshot: Snapshot, access: planner.AccessPath, ctx: Context) -> Iterator[Row]:
        """Rows the access path finds, as this transaction sees them (its own writes first)."""
        return access.rows(snapshot, self.visible_writes(), ctx)

    def _scan(
        self, access: planner.AccessPath, condition: Eval | None, ctx: Context, pausing: bool = False
    ) -> Iterator[Row]:
        """Lazily: the snapshot stays open until the rows are consumed or the iterator is closed.
        REPEATABLE READ and SERIALIZABLE read the transaction's snapshot, the others a new one.
        A ``pausing`` scan yields PAUSE every thousand rows its condition rejects."""
        rejected = 0
        with self.read_snapshot() as snapshot:
            for row in self._rows(snapshot, access, ctx):
                if condition is None or condition(row, ctx) is True:
                    yield row
                elif pausing:
                    rejected += 1
                    if not rejected & PAUSE_EVERY:
                        yield PAUSE

    @contextmanager
    def read_snapshot(self) -> Iterator[Snapshot]:
        """What a statement reads: the transaction's snapshot under REPEATABLE READ and
        SERIALIZABLE, a new one (closed after the statement's reads) otherwise."""
        reads = self.cursor_reads
        held = self.transaction().snapshot if reads is None else reads.snapshot
        snapshot = held if held is not None else self.store.snapshot()
        try:
            yield snapshot
        finally:
            if held is None:
                snapshot.close()

    def _reads(self) -> tuple[Writes | None, Snapshot | None]:
        """The own writes and the held snapshot a one-key or first-of-type read goes through:
        a cursor's from its DECLARE, else the transaction's (None: none yet)."""
        reads = self.cursor_reads
        if reads is None:
            txn = self.session.transaction
            if txn is None:  # read_at_once: the store as it is
                return None, None
            return txn.writes, txn.snapshot
        return reads.writes, reads.snapshot

    def read_row(self, actor_id: str) -> Row | None:
        """One row by key as this statement sees it (the transaction's writes first, then the
        snapshot ``read_snapshot`` would give), without a scan's machinery."""
        writes, held = self._reads()
        if writes is not None and actor_id in writes:
            return writes[actor_id]
        if held is not None:
            return held.get(actor_id)
        return self.store.get(actor_id)

    def first_of_type(self, actor_type: str, count: int) -> list[Row]:
        """The first ``count`` rows of a type in actor_id order as this statement sees them
        (``planner.first_of_type`` over what ``read_row`` reads), without a scan's machinery."""
        writes, held = self._reads()
        if held is not None:
            return planner.first_of_type(held, writes, actor_type, count)
        if not writes:
            return self.store.first_of_type(actor_type, count)
        snapshot = self.store.snapshot()
        try:
            return planner.first_of_type(snapshot, writes, actor_type, count)
        finally:
            snapshot.close()

    def first_of_type_stored(self, actor_type: str, count: int) -> list[StoredRow]:
        """``first_of_type``'s rows as stored; from the store itself, undecoded, between
        transactions (a read at once)."""
        writes, held = self._reads()
        if held is None and not writes:
            return self.store.first_of_type_stored(actor_type, count)
        return [stored(row) for row in self.first_of_type(actor_type, count)]

    def visible_writes(self) -> Writes:
        """The transaction's own writes a read sees (a cursor's: those of its DECLARE)."""
        reads = self.cursor_reads
        if reads is not None:
            return reads.writes
        writes = self.transaction().writes
        return NO_WRITES if writes is None else writes

    def _lock(
        self, txn: Transaction, key: str, mode: LockMode, wait_policy: str = "block", writing: bool = False
    ) -> bool:
        """A row lock for this transaction (see ``locks``), then first-committer-wins (which
        only a transaction that holds a snapshot can lose)."""
        if not self.transactions.locks.acquire(txn.owner, key, mode, wait_policy, writing):
            return False
        if txn.snapshot is not None:
            self.transactions.check_unchanged(txn, key)
        return True

    def _lock_rows(self, rows: Iterable[Row], locking: ast.LockingClause, wanted: int | None) -> list[Row]:
        """SELECT ... FOR UPDATE/SHARE: lock each row found (skipping locked ones under SKIP
        LOCKED) until LIMIT has enough, as PostgreSQL's LockRows node does below Limit."""
        txn = self.transaction()
        mode = STRENGTHS[locking.strength]
        locked: list[Row] = []
        try:
            for row in rows:
                if wanted is not None and len(locked) >= wanted:
                    break
                if self._lock(txn, row[0], mode, locking.wait_policy):
                    locked.append(row)
        finally:
            close = getattr(rows, "close", None)
            if close is not None:
                close()
        return locked

    def _plan_scan(
        self, table: ast.RangeVar, where: ast.Node | None, params: Params | None
    ) -> tuple[Scope, Callable[..., Iterator[Row]]]:
        """Analyse FROM and WHERE; the returned function finds the matching rows when run
        (``(executor, ctx, pausing=False)``)."""
        scope = relation.resolve(table)
        condition = Compiler(scope, params).boolean(where, "WHERE").fn if where is not None else None
        access = planner.choose(where, scope, params)
        return scope, lambda executor, ctx, pausing=False: executor._scan(access, condition, ctx, pausing)

    def _plan_SelectStmt(self, stmt: ast.SelectStmt, params: Params) -> tuple[list[Field], Runner]:
        plan = query.analyze(stmt, params)
        fields = [Field(c.name, c.type, *c.origin) for c in plan.columns]
        return fields, SelectRunner(fields, plan)

    def _plan_ExplainStmt(self, stmt: ast.ExplainStmt, params: Params) -> tuple[list[Field], Runner]:
        """EXPLAIN: the plan PostgreSQL's way, one text row per line (the statement does not run)."""
        plan = query.analyze(stmt.query, params)
        fields = [Field("QUERY PLAN", types.TEXT)]

        def run(executor: Executor, ctx: Context) -> Result:
            lines = query.explain_lines(plan, query.root_context(executor, ctx))
            return Result("EXPLAIN", fields, [(line,) for line in lines])

        return fields, run

    # --- writing ------------------------------------------------------------------------

    def _check_row(self, row: tuple[Any, Any, Any]) -> Row:
        if row[0] is None or row[1] is None:
            self._not_null(row)
        self.store.validate(row)
        return row

    def _not_null(self, row: tuple[Any, Any, Any]) -> None:
        """23502 for the first of actor_id and actor_type that is NULL."""
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

    def _plan_InsertStmt(self, stmt: ast.InsertStmt, params: Params) -> tuple[list[Field] | None, Runner]:
        return modify.plan_insert(self, stmt, params)

    def _stage(self, changes: Iterable[modify.Change]) -> int:
        """Check a statement's row changes — (the old actor_id, None for an insert; the new
        values, None for a delete) — lock their rows, and only when all pass add them to the
        transaction's writes: every write goes through here (a statement that must wait for
        a lock runs again). A key another row holds (committed, or written earlier by this
        statement) is 23505, as PostgreSQL's unique index says."""
        staged: dict[str, Row | None] = {}
        count = 0
        txn = self.session.transaction or self.transaction()
        writes = txn.writes
        watched: list[tuple[str, str, str]] | None = None
        if self.notifications is not None and self.notifications.watching_actors:
            watched = []
        # A row's check reads the newest committed version of its key (``Store.get``), which
        # holds still once the key is locked: a writer of it keeps its lock until durable.
        for old_id, values in changes:
            if values is None:
                assert old_id is not None
                self._lock(txn, old_id, LockMode.UPDATE, writing=True)
                if watched is not None:
                    old = writes[old_id] if writes is not None and old_id in writes else self.store.get(old_id)
                    if old is not None:
                        watched.append(("delete", old_id, old[1]))
                staged[old_id] = None
                count += 1
                continue
            new = self._check_row(values)
            key = new[0]
            if old_id is not None:
                self._lock(txn, old_id, LockMode.NO_KEY_UPDATE if key == old_id else LockMode.UPDATE, writing=True)
            if key != old_id:
                # The key being taken: wait for a transaction inserting or deleting it.
                self.transactions.locks.acquire(txn.owner, key, LockMode.UPDATE, writing=True)
                if old_id is not None:
                    staged.setdefault(old_id, None)
                if key in staged:
                    taken = staged[key] is not None
                elif writes is not None and key in writes:
                    taken = writes[key] is not None
                else:
                    taken = self.store.get(key) is not None
                if taken:
                    raise _duplicate(key)
            staged[key] = new
            count += 1
            if watched is not None:
                watched.append(("insert" if old_id is None else "update", key, new[1]))
        if staged:
            writes = self.transactions.write_set(txn)
            writes.update(staged)
            if writes.spilled:
                self.transactions.locks.hold_by_reference(txn.owner, writes)
        for op, actor_id, actor_type in watched or ():
            notify.actor_change(txn.notifies, op, actor_id, actor_type)
        return count

    def _plan_UpdateStmt(self, stmt: ast.UpdateStmt, params: Params) -> tuple[list[Field] | None, Runner]:
        return modify.plan_update(self, stmt, params)

    def _plan_DeleteStmt(self, stmt: ast.DeleteStmt, params: Params) -> tuple[list[Field] | None, Runner]:
        return modify.plan_delete(self, stmt, params)


@dataclass(slots=True)
class SelectRunner:
    """Runs an analysed SELECT; its rows are read as the protocol sends them."""

    fields: list[Field]
    select: query.SelectPlan

    def __call__(self, executor: Executor, ctx: Context) -> Result:
        return Result("SELECT", self.fields, self.select.rows(query.root_context(executor, ctx), cooperative=True))


def _outside_block(command: str) -> errors.PgError:
    return errors.PgError(errors.NO_ACTIVE_SQL_TRANSACTION, f"{command} can only be used in transaction blocks")


def _writes(stmt: ast.Node) -> str | None:
    """The command name a read-only transaction refuses (PostgreSQL's CreateCommandName)."""
    if isinstance(stmt, ast.InsertStmt | ast.UpdateStmt | ast.DeleteStmt):
        return type(stmt).__name__[: -len("Stmt")].upper()
    if isinstance(stmt, ast.SelectStmt) and stmt.locking is not None and stmt.from_clause:
        return f"SELECT FOR {stmt.locking.strength.upper()}"
    return None


def _duplicate(actor_id: str) -> errors.PgError:
    return errors.PgError(
        errors.UNIQUE_VIOLATION,
        f'duplicate key value violates unique constraint "{relation.PRIMARY_KEY}"',
        detail=f"Key (actor_id)=({actor_id}) already exists.",
        schema="public",
        table="actors",
        constraint=relation.PRIMARY_KEY,
    )


def _check_copy_columns(options: copy.CopyOptions, names: list[str]) -> None:
    """FORCE_QUOTE / FORCE_NOT_NULL / FORCE_NULL name columns COPY copies."""
    for option in ("force_quote", "force_not_null", "force_null"):
        for name in getattr(options, option) or ():
            if name != "*" and name not in names:
                raise errors.PgError("42P10", f'{option.upper()} column "{name}" not referenced by COPY')


def _value_text(value: Any) -> str:
    return format(value, "f") if isinstance(value, Decimal) else str(value)


def bind_literals(plan: Plan, values: Sequence[Any], positions: Sequence[int]) -> list[Any]:
    """This text's literal values in the types the plan gave them; a bad one is reported at
    its own position, as PostgreSQL reports a literal it cannot coerce."""
    bound = list(values)
    for slot, literal_type in enumerate(plan.literal_types):
        value = bound[slot]
        if isinstance(value, str) and literal_type is not types.UNKNOWN and literal_type is not types.TEXT:
            try:
                bound[slot] = literal_type.text_in(value)
            except errors.PgError as error:
                if error.position is None:
                    error.position = positions[slot] + 1
                raise
    return bound
