"""SELECT analysed into a tree of lazy operators: FROM (relations, joins, subqueries, CTEs,
VALUES), WHERE, grouping and aggregates, DISTINCT, set operations, ORDER BY and LIMIT.

Name resolution follows PostgreSQL's parse_relation.c (a namespace of FROM items, each
visible by name and/or by its columns), grouping its parse_agg.c (42803), and subqueries
its SubLinks: an outer column a subquery names is read from the outer row the subquery
runs for (``QueryContext.outer_row``). Operators are generators, so a scan streams; sorting
and grouping consume their input, as PostgreSQL's do.
"""

from __future__ import annotations

import functools
import heapq
import itertools
import time
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from orbit_pg import catalog, errors, types
from orbit_pg.interrupts import PAUSE
from orbit_pg.sql import aggregates, ast, planner, relation, resolution, set_functions
from orbit_pg.sql.expressions import (
    _COMPARISONS,
    Column,
    Compiled,
    Compiler,
    Context,
    Eval,
    Params,
    Scope,
    _argument,
    array_of,
    cast,
    coerce,
    column_name,
    literal_value,
    order_key,
)

if TYPE_CHECKING:
    from orbit_pg.sql.recursive import WorkTable

GROUPING_ERROR = "42803"
AMBIGUOUS_COLUMN = "42702"
DUPLICATE_ALIAS = "42712"
INVALID_COLUMN_REFERENCE = "42P10"
CARDINALITY_VIOLATION = "21000"
WRONG_OBJECT_TYPE = "42809"


class QueryContext(Context):
    """A Context that also reaches the executor (for the store), the outer query's row and
    context (for correlated subqueries), and a per-execution cache of uncorrelated subqueries."""

    __slots__ = ("executor", "outer_row", "outer", "cache")

    def nested(self, row: Any) -> QueryContext:
        inner = QueryContext(self.session, self.params, self.literals)
        inner.executor, inner.outer_row, inner.outer, inner.cache = self.executor, row, self, self.cache
        return inner


def root_context(executor: Any, ctx: Context) -> QueryContext:
    root = QueryContext(ctx.session, ctx.params, ctx.literals)
    root.executor, root.outer_row, root.outer, root.cache = executor, None, None, {}
    return root


# --- the namespace ----------------------------------------------------------------------------


@dataclass(slots=True)
class Attr:
    """A column a FROM item offers: where it is in the joined row (a FULL JOIN's merged USING
    column is the first of two places that is not NULL), and the table column it shows."""

    name: str
    type: types.PgType
    index: int
    table: str | None = None  # the FROM item's name, for messages
    rte: int = -1  # which FROM item it comes from (a table's primary key groups its other columns)
    origin: tuple[int, int] = (0, 0)
    coalesce: int | None = None

    def shifted(self, by: int) -> Attr:
        other = None if self.coalesce is None else self.coalesce + by
        return Attr(self.name, self.type, self.index + by, self.table, self.rte, self.origin, other)

    def reader(self) -> Eval:
        index, other = self.index, self.coalesce
        if other is None:
            return lambda row, ctx: row[index]
        return lambda row, ctx: row[index] if row[index] is not None else row[other]


@dataclass(slots=True)
class Item:
    """A namespace entry (ParseNamespaceItem): a name for qualified references and/or columns
    for unqualified ones."""

    refname: str | None
    attrs: list[Attr]
    relname: str | None = None  # the table's own name when an alias hides it
    rel_visible: bool = True
    cols_visible: bool = True

    def shifted(self, by: int) -> Item:
        return Item(
            self.refname, [a.shifted(by) for a in self.attrs], self.relname, self.rel_visible, self.cols_visible
        )


class QueryScope(Scope):
    """The columns of a query level's FROM items, as one row laid out item after item."""

    def __init__(self, items: list[Item], width: int) -> None:
        super().__init__()
        self.items = items
        self.width = width
        # Expressions computed below the target list (window calls): id(node) → where in the row.
        self.computed: dict[int, Column] = {}
        if len(items) == 1:
            self.relation = items[0].refname
            self.columns = {a.name: Column(a.name, a.index, a.type) for a in items[0].attrs}

    def lookup(self, ref: ast.ColumnRef) -> Attr | None:
        """The column ``ref`` names here; None if this level has no such name (an outer level may)."""
        *qualifier, name = ref.fields
        if qualifier:
            found = [item for item in self.items if item.rel_visible and item.refname == qualifier[-1]]
            if not found:
                return None
            attrs = [a for a in found[0].attrs if a.name == name]
            if not attrs:
                shown = ".".join(ref.fields)
                raise errors.PgError(errors.UNDEFINED_COLUMN, f"column {shown} does not exist", position=ref.loc + 1)
        else:
            attrs = [a for item in self.items if item.cols_visible for a in item.attrs if a.name == name]
            if not attrs:
                return None
        if len(attrs) > 1:
            raise errors.PgError(AMBIGUOUS_COLUMN, f'column reference "{name}" is ambiguous', position=ref.loc + 1)
        return attrs[0]

    def missing(self, ref: ast.ColumnRef) -> errors.PgError:
        *qualifier, name = ref.fields
        if not qualifier:
            return errors.PgError(errors.UNDEFINED_COLUMN, f'column "{name}" does not exist', position=ref.loc + 1)
        table = qualifier[-1]
        aliased = next((item for item in self.items if item.relname == table), None)
        if aliased is not None:
            return errors.PgError(
                errors.UNDEFINED_TABLE,
                f'invalid reference to FROM-clause entry for table "{table}"',
                hint=f'Perhaps you meant to reference the table alias "{aliased.refname}".',
                position=ref.loc + 1,
            )
        return errors.PgError(
            errors.UNDEFINED_TABLE, f'missing FROM-clause entry for table "{table}"', position=ref.loc + 1
        )

    def resolve(self, ref: ast.ColumnRef) -> Column:
        attr = self.lookup(ref)
        if attr is None or attr.coalesce is not None:
            raise self.missing(ref)
        return Column(attr.name, attr.index, attr.type)

    def star(self, qualifier: str | None, loc: int) -> list[Attr]:
        """``*`` or ``name.*``: the columns in FROM order."""
        if qualifier is None:
            return [a for item in self.items if item.cols_visible for a in item.attrs]
        for item in self.items:
            if item.rel_visible and item.refname == qualifier:
                return list(item.attrs)
        raise self.missing(ast.ColumnRef((qualifier, "*"), loc))


# --- analysis state -----------------------------------------------------------------------------


@dataclass(slots=True)
class Level:
    """What the analysis of one query level shares: its parameters, CTEs in scope, the
    enclosing level's compiler, and whether anything named an outer column."""

    params: Params | None
    outer: QueryCompiler | None
    ctes: dict[str, ast.CommonTableExpr | WorkTable]
    correlated: bool = False
    rte_count: list[int] = field(default_factory=lambda: [0])

    def next_rte(self) -> int:
        self.rte_count[0] += 1
        return self.rte_count[0]


def _has_aggregate(node: Any) -> ast.FuncCall | None:
    """The first aggregate call in an expression, not looking into subqueries."""
    if isinstance(node, ast.SubLink):
        return _has_aggregate(node.testexpr)
    if isinstance(node, ast.FuncCall) and node.over is None and (node.name in aggregates.AGGREGATES or node.agg_star):
        return node
    if isinstance(node, ast.Node):
        for name in node.__slots__:
            found = _has_aggregate(getattr(node, name))
            if found is not None:
                return found
    elif isinstance(node, list | tuple):
        for item in node:
            found = _has_aggregate(item)
            if found is not None:
                return found
    return None


class QueryCompiler(Compiler):
    """The expression compiler with columns of FROM items, outer queries' columns, subqueries,
    and (with ``grouping``) the grouped row: GROUP BY keys and aggregate results."""

    def __init__(self, scope: QueryScope, level: Level, clause: str, grouping: Grouping | None = None) -> None:
        super().__init__(scope, level.params)
        self.scope: QueryScope = scope
        self.level = level
        self.clause = clause
        self.grouping = grouping
        # The select list's set-returning functions (ProjectSet), collected while it compiles.
        self.set_functions: list[set_functions.SetFunction] | None = None

    def compile(self, node: ast.Node) -> Compiled:
        if self.grouping is not None:
            found = self.grouping.match(node)
            if found is not None:
                return found
        if isinstance(node, ast.ColumnRef):
            return self._column(node)
        if isinstance(node, ast.SubLink):
            return self._sublink(node)
        column = self.scope.computed.get(id(node)) if isinstance(node, ast.FuncCall) else None
        if column is not None:
            index = column.index
            return Compiled(lambda row, ctx: row[index], column.type)
        if isinstance(node, ast.FuncCall) and node.over is not None:
            raise errors.PgError("42P20", f"window functions are not allowed in {self.clause}", position=node.loc + 1)
        if isinstance(node, ast.FuncCall) and node.name in set_functions.NAMES:
            return self._set_function(node)
        if isinstance(node, ast.FuncCall) and (node.name in aggregates.AGGREGATES or node.agg_star):
            raise errors.PgError(
                GROUPING_ERROR, f"aggregate functions are not allowed in {self.clause}", position=node.loc + 1
            )
        return super().compile(node)

    def _set_function(self, node: ast.FuncCall) -> Compiled:
        """A set-returning function in the select list reads its value from the row ProjectSet
        extends (its slot counted from the end); anywhere else PostgreSQL refuses it."""
        collected = self.set_functions
        if collected is None:
            raise errors.PgError(
                errors.FEATURE_NOT_SUPPORTED,
                f"set-returning functions are not allowed in {self.clause}",
                position=node.loc + 1,
            )
        self.set_functions, clause, self.clause = None, self.clause, "arguments of set-returning functions"
        try:
            args = [self.compile(arg) for arg in node.args]
        finally:
            self.set_functions, self.clause = collected, clause
        function = set_functions.resolve(node.name, args, node.args, node.loc)
        collected.append(function)
        slot = len(collected) - 1
        return Compiled(lambda row, ctx: row[len(row) - len(collected) + slot], function.result)

    def _column(self, node: ast.ColumnRef) -> Compiled:
        attr = self.scope.lookup(node)
        if attr is not None:
            if self.grouping is not None:
                return _grouped_attr(self, attr, node)
            return Compiled(attr.reader(), attr.type)
        outer = self.level.outer
        if outer is None:
            raise self.scope.missing(node)
        try:
            found = outer.compile(node)
        except errors.PgError as error:
            if error.sqlstate in (errors.UNDEFINED_COLUMN, errors.UNDEFINED_TABLE) and len(node.fields) == 1:
                raise self.scope.missing(node) from None
            raise
        self.level.correlated = True
        fn = found.fn
        return Compiled(lambda row, ctx: fn(ctx.outer_row, ctx.outer), found.type)

    def _sublink(self, node: ast.SubLink) -> Compiled:
        sub = analyze(node.subselect, self.level.params, outer=self, ctes=self.level.ctes, resolve_unknown=False)
        fetch = _fetcher(sub, node.kind == "exists")
        if node.kind == "exists":
            return Compiled(lambda row, ctx: bool(fetch(row, ctx)), types.BOOL)
        if node.kind in ("expr", "array") and len(sub.columns) != 1:
            raise errors.PgError(errors.SYNTAX_ERROR, "subquery must return only one column", position=node.loc + 1)
        if node.kind == "array":
            element = types.TEXT if sub.columns[0].type is types.UNKNOWN else sub.columns[0].type
            array = array_of(element, node.loc)
            return Compiled(lambda row, ctx: [r[0] for r in fetch(row, ctx)], array)
        if node.kind == "expr":
            column = sub.columns[0]

            def scalar(row: Any, ctx: Any) -> Any:
                rows = fetch(row, ctx)
                if len(rows) > 1:
                    raise errors.PgError(
                        CARDINALITY_VIOLATION, "more than one row returned by a subquery used as an expression"
                    )
                return rows[0][0] if rows else None

            # An unknown-typed literal of a subquery is text (its value is the literal's string).
            return Compiled(scalar, types.TEXT if column.type is types.UNKNOWN else column.type)
        return self._quantified(node, sub, fetch)

    def _quantified(self, node: ast.SubLink, sub: SelectPlan, fetch: Callable[[Any, Any], list[Any]]) -> Compiled:
        """``x op ANY|ALL (SELECT ...)``: true, false or NULL as PostgreSQL's ExecScanSubPlan."""
        assert node.testexpr is not None and node.op is not None
        if len(sub.columns) != 1:
            message = "subquery has too many columns" if len(sub.columns) > 1 else "subquery has too few columns"
            raise errors.PgError(errors.SYNTAX_ERROR, message, position=node.loc + 1)
        if node.op not in _COMPARISONS:
            raise errors.PgError(
                errors.FEATURE_NOT_SUPPORTED,
                f"operator {node.op} with a subquery is not supported yet",
                position=node.loc + 1,
            )
        left = self.compile(node.testexpr)
        element = sub.columns[0].type
        convert: Callable[[Any], Any] | None = None
        if element is types.UNKNOWN:
            element = types.TEXT if left.type is types.UNKNOWN else left.type
            convert = element.text_in
        left = coerce(left, element, getattr(node.testexpr, "loc", 0))
        comparison = ast.A_Expr(node.op, node.testexpr, node.testexpr, node.loc)
        compare = self._comparison_function(comparison, left, Compiled(left.fn, element))
        left_fn, wanted = left.fn, node.kind == "any"

        def values(row: Any, ctx: Any) -> list[Any]:
            rows = fetch(row, ctx)
            return [r[0] if convert is None or r[0] is None else convert(r[0]) for r in rows]

        def quantified(row: Any, ctx: Any) -> bool | None:
            items = values(row, ctx)
            if not items:
                return not wanted
            value = left_fn(row, ctx)
            if value is None:
                return None
            unknown = False
            for item in items:
                if item is None:
                    unknown = True
                elif compare(value, item) is wanted:
                    return wanted
            return None if unknown else not wanted

        return Compiled(quantified, types.BOOL)


def _fetcher(sub: SelectPlan, exists: bool) -> Callable[[Any, Any], list[Any]]:
    """A subquery's rows for an outer row: run once per execution when it names no outer column."""
    limit = 1 if exists else None

    def run(row: Any, ctx: Any) -> list[Any]:
        return list(itertools.islice(sub.rows(ctx.nested(row)), limit))

    if sub.level.correlated:
        return run
    key = id(sub)

    def cached(row: Any, ctx: Any) -> list[Any]:
        rows = ctx.cache.get(key)
        if rows is None:
            rows = ctx.cache[key] = run(row, ctx)
        return rows

    return cached


# --- grouping -----------------------------------------------------------------------------------


_LOCATIONS = frozenset(("loc", "type_loc", "cast_loc", "slot"))


@dataclass(slots=True)
class AggregateCall:
    """One aggregate call of a grouped query: how to make its accumulator and feed it a row."""

    make: Callable[[], aggregates.Accumulator]
    args: list[Eval]
    strict: bool
    distinct: bool = False
    order: list[tuple[Eval, ast.SortBy]] = field(default_factory=list)

    def new(self) -> Any:
        return [] if self.distinct or self.order else self.make()

    def feed(self, state: Any, row: Any, ctx: Any) -> None:
        values = [fn(row, ctx) for fn in self.args]
        if None in values and self.strict:
            return
        if self.distinct or self.order:
            state.append((values, [fn(row, ctx) for fn, _ in self.order]))
        else:
            state.add(*values)

    def result(self, state: Any) -> Any:
        if not (self.distinct or self.order):
            return state.result()
        if self.order:
            state = sort_records(state, [item for _, item in self.order], lambda record: record[1])
        accumulator = self.make()
        seen: set[Any] = set()
        for values, _ in state:
            if self.distinct:
                marker = hashable(values)
                if marker in seen:
                    continue
                seen.add(marker)
            accumulator.add(*values)
        return accumulator.result()


class Grouping:
    """The grouped row of a query with GROUP BY or aggregates: key values, then aggregate
    results. Expressions over it may use keys (matched as written, columns as resolved),
    aggregates, and columns of a table whose primary key is grouped."""

    def __init__(self, input_compiler: QueryCompiler) -> None:
        self.input = input_compiler
        self.keys: list[tuple[Any, ast.Node, Compiled]] = []
        self.calls: list[AggregateCall] = []

    def add_key(self, node: ast.Node) -> None:
        self.keys.append((self._shape(node), node, self.input.compile(node)))

    def _shape(self, node: Any) -> Any:
        if isinstance(node, ast.ColumnRef):
            try:
                attr = self.input.scope.lookup(node)
            except errors.PgError:
                attr = None
            if attr is not None:
                return ("column", attr.index, attr.coalesce)
        if isinstance(node, ast.A_Const):
            return ("const", node.kind, None if node.slot is not None else node.value)
        if isinstance(node, ast.Node):
            return (
                type(node).__name__,
                *(self._shape(getattr(node, n)) for n in node.__slots__ if n not in _LOCATIONS),
            )
        if isinstance(node, list | tuple):
            return tuple(self._shape(item) for item in node)
        return node

    def _same_literals(self, a: ast.Node, b: ast.Node) -> bool:
        """Texts of one shape may differ in their literals: a match on them fixes their slots."""
        params = self.input.params
        first = [literal_value(n, params) for n in ast.walk(a) if isinstance(n, ast.A_Const) and n.slot is not None]
        second = [literal_value(n, params) for n in ast.walk(b) if isinstance(n, ast.A_Const) and n.slot is not None]
        return first == second

    def match(self, node: ast.Node) -> Compiled | None:
        if isinstance(node, ast.FuncCall) and (node.name in aggregates.AGGREGATES or node.agg_star):
            return self._aggregate(node)
        if self.keys and not isinstance(node, ast.A_Const | ast.ParamRef):
            shape = self._shape(node)
            for i, (key_shape, key_node, compiled) in enumerate(self.keys):
                if key_shape == shape and self._same_literals(node, key_node):
                    return Compiled(lambda row, ctx, i=i: row[i], compiled.type)
        return None

    def _slot(self, call: AggregateCall) -> Eval:
        self.calls.append(call)
        index = len(self.keys) + len(self.calls) - 1
        return lambda row, ctx: row[index]

    def ungrouped(self, attr: Attr, node: ast.ColumnRef) -> errors.PgError:
        return errors.PgError(
            GROUPING_ERROR,
            f'column "{attr.table}.{attr.name}" must appear in the GROUP BY clause or be used in an aggregate function',
            position=node.loc + 1,
        )

    def dependent(self, attr: Attr) -> Compiled | None:
        """A column of a table whose primary key is grouped: one value per group (check_functional_grouping)."""
        for _, key_node, _ in self.keys:
            if not isinstance(key_node, ast.ColumnRef):
                continue
            key_attr = self.input.scope.lookup(key_node)
            if key_attr is not None and key_attr.rte == attr.rte and key_attr.origin == (relation.ACTORS_OID, 1):
                return Compiled(self._slot(AggregateCall(_First, [attr.reader()], False)), attr.type)
        return None

    def _aggregate(self, node: ast.FuncCall) -> Compiled:
        nested = _has_aggregate([node.args, node.agg_order])
        if nested is not None:
            raise errors.PgError(GROUPING_ERROR, "aggregate function calls cannot be nested", position=nested.loc + 1)
        compiler = self.input
        if node.agg_star:
            if node.name != "count":
                raise errors.PgError(
                    WRONG_OBJECT_TYPE,
                    f"{node.name}(*) specified, but {node.name} is not an aggregate function",
                    position=node.loc + 1,
                )
            return Compiled(
                self._slot(AggregateCall(aggregates.AGGREGATES["count"][0].make([]), [], False)), types.INT8
            )
        args = [compiler.compile(arg) for arg in node.args]
        arg_types = [a.type for a in args]
        candidates = [c for c in aggregates.AGGREGATES[node.name] if len(c.args) == len(args)]
        found = resolution.select([c.args for c in candidates], arg_types)
        if not found:
            raise resolution.no_function(node.name, arg_types, node.loc)
        if len(found) > 1:
            raise resolution.ambiguous_function(node.name, arg_types, node.loc)
        chosen = candidates[found[0]]
        coerced = [_argument(a, p, n) for a, p, n in zip(args, chosen.args, node.args, strict=True)]
        coerced_types = [c.type for c in coerced]
        order = [(_orderable(compiler.compile(item.node), item.node).fn, item) for item in node.agg_order]
        call = AggregateCall(
            chosen.make(coerced_types), [c.fn for c in coerced], chosen.strict, node.agg_distinct, order
        )
        return Compiled(self._slot(call), aggregates.result_type(chosen, coerced_types))

    def rows(
        self, source: Iterable[Any], ctx: Any, always_one: bool, pacer: Pacer
    ) -> Generator[object, None, list[tuple[Any, ...]]]:
        """Group rows (yielding PAUSE while reading when ``pacer`` says so); with no GROUP BY,
        one row even for no input (``always_one``)."""
        key_fns = [compiled.fn for _, _, compiled in self.keys]
        calls = self.calls
        feeds = [call.feed for call in calls]
        groups: dict[Any, tuple[tuple[Any, ...], list[Any]]] = {}
        due = pacer.due
        for row in source:
            if row is PAUSE:
                yield PAUSE
                continue
            key = tuple([fn(row, ctx) for fn in key_fns]) if key_fns else ()
            marker = key
            try:
                entry = groups.get(marker)
            except TypeError:  # an array among the keys
                marker = hashable(key)
                entry = groups.get(marker)
            if entry is None:
                entry = groups[marker] = (key, [call.new() for call in calls])
            for feed, state in zip(feeds, entry[1], strict=True):
                feed(state, row, ctx)
            if due():
                yield PAUSE
        if not groups and always_one:
            groups[()] = ((), [call.new() for call in calls])
        return [
            key + tuple(call.result(state) for call, state in zip(calls, states, strict=True))
            for key, states in groups.values()
        ]


class _First(aggregates.Accumulator):
    """The value of a column that is the same in every row of its group."""

    __slots__ = ("value", "seen")

    def __init__(self) -> None:
        self.value: Any = None
        self.seen = False

    def add(self, value: Any) -> None:
        if not self.seen:
            self.value, self.seen = value, True

    def result(self) -> Any:
        return self.value


def hashable(values: Any) -> Any:
    """Values as a dict key: arrays (lists) become tuples."""
    if isinstance(values, list | tuple):
        return tuple(hashable(v) for v in values)
    return values


# --- sorting ------------------------------------------------------------------------------------


class _Descending:
    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value

    def __lt__(self, other: _Descending) -> bool:
        return other.value < self.value

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Descending) and self.value == other.value

    __hash__ = None  # type: ignore[assignment]


def sort_key(items: Sequence[ast.SortBy]) -> Callable[[Sequence[Any]], tuple[Any, ...]]:
    """A key for values in ``items`` order: NULLs last ascending and first descending unless
    NULLS FIRST/LAST says otherwise, as PostgreSQL sorts."""
    plans = []
    for item in items:
        nulls_first = item.descending if item.nulls_first is None else item.nulls_first
        plans.append((-1 if nulls_first else 1, item.descending))

    def key(values: Sequence[Any]) -> tuple[Any, ...]:
        parts: list[Any] = []
        for (null_rank, descending), value in zip(plans, values, strict=True):
            if value is None:
                parts.append((null_rank, None))
            else:
                parts.append((0, _Descending(value) if descending else value))
        return tuple(parts)

    return key


def sort_records(
    records: Iterable[Any], items: Sequence[ast.SortBy], values_of: Callable[[Any], Sequence[Any]]
) -> list[Any]:
    key = sort_key(items)
    return sorted(records, key=lambda record: key(values_of(record)))


# A top-level query's blocking stages (sorting, grouping, DISTINCT) yield PAUSE among their rows
# when a reactor turn's budget is spent; the protocol then lets other connections run.
TURN_BUDGET = 0.005
_CHECK_EVERY = 128


class Pacer:
    """Counts the rows a blocking stage reads and says when to give the reactor a turn."""

    __slots__ = ("count", "deadline")

    def __init__(self) -> None:
        self.count = 0
        self.deadline = 0.0

    def due(self) -> bool:
        if not self.deadline:  # the first row of this turn
            self.deadline = time.perf_counter() + TURN_BUDGET
        self.count += 1
        if self.count % _CHECK_EVERY or time.perf_counter() < self.deadline:
            return False
        self.deadline = 0.0
        return True


class _Never(Pacer):
    """For queries inside other statements: they run to the end within their caller's turn."""

    __slots__ = ()

    def due(self) -> bool:
        return False


class _Kept:
    """A top-N heap entry; the heap's first entry is the greatest kept so far."""

    __slots__ = ("key", "seq", "record")

    def __init__(self, key: Any, seq: int, record: Any) -> None:
        self.key, self.seq, self.record = key, seq, record

    def __lt__(self, other: _Kept) -> bool:
        return (other.key, other.seq) < (self.key, self.seq)


def ordered(
    records: Iterable[Any],
    items: Sequence[ast.SortBy],
    values_of: Callable[[Any], Sequence[Any]],
    limit: int | None,
    pacer: Pacer,
) -> Generator[object, None, list[Any]]:
    """Stable sort, reading in paced slices; with ``limit`` only that many records are ever
    kept (a heap: PostgreSQL's top-N heapsort)."""
    key = sort_key(items)
    if limit is not None:
        kept: list[_Kept] = []
        if limit <= 0:
            return []
        for seq, record in enumerate(records):
            if record is PAUSE:
                yield PAUSE
                continue
            entry = _Kept(key(values_of(record)), seq, record)
            if len(kept) < limit:
                heapq.heappush(kept, entry)
            elif entry.key < kept[0].key:
                heapq.heapreplace(kept, entry)
            if pacer.due():
                yield PAUSE
        kept.sort(key=lambda e: (e.key, e.seq))
        return [e.record for e in kept]
    keyed: list[tuple[Any, Any]] = []
    for record in records:
        if record is PAUSE:
            yield PAUSE
            continue
        keyed.append((key(values_of(record)), record))
        if pacer.due():
            yield PAUSE
    keyed.sort(key=lambda pair: pair[0])
    return [record for _, record in keyed]


def _unique_paced(
    records: Iterable[Any], values_of: Callable[[Any], Any], pacer: Pacer
) -> Generator[object, None, list[Any]]:
    seen: set[Any] = set()
    kept = []
    for record in records:
        if record is PAUSE:
            yield PAUSE
            continue
        marker = hashable(values_of(record))
        if marker not in seen:
            seen.add(marker)
            kept.append(record)
        if pacer.due():
            yield PAUSE
    return kept


def _orderable(compiled: Compiled, node: ast.Node) -> Compiled:
    """A sort key: the value as its type orders (jsonb, arrays, NaN...); NULL stays NULL."""
    compiled = coerce(compiled, types.TEXT, getattr(node, "loc", 0))
    if compiled.type is types.JSON:
        raise errors.PgError(
            errors.UNDEFINED_FUNCTION,
            "could not identify an ordering operator for type json",
            hint="Use an explicit ordering operator or modify the query.",
            position=getattr(node, "loc", 0) + 1,
        )
    order = order_key(compiled.type, getattr(node, "loc", 0))
    if order is None:
        return compiled
    fn = compiled.fn

    def key(row: Any, ctx: Any) -> Any:
        value = fn(row, ctx)
        return None if value is None else order(value)

    return Compiled(key, compiled.type)


# --- operators ----------------------------------------------------------------------------------


class Operator:
    """A plan node: its rows for one execution, and its EXPLAIN lines."""

    width = 0

    def rows(self, ctx: QueryContext) -> Iterator[tuple[Any, ...]]:
        raise NotImplementedError

    def explain(self, ctx: QueryContext) -> list[tuple[str, list[Any]]]:
        """(line, children) pairs; children are Operators or nested (line, children) pairs."""
        raise NotImplementedError


@dataclass(slots=True)
class ActorScan(Operator):
    label: str
    access: planner.AccessPath
    condition: Eval | None
    width: int = 3

    def rows(self, ctx: QueryContext, pacer: Pacer | None = None) -> Iterator[Any]:
        """With a ``pacer`` (a top-level query), a long run of rows the condition rejects is
        interrupted by PAUSE, so a selective scan does not hold the reactor either."""
        if self.access.kind == "key" and len(self.access.values) == 1:
            row = self.lookup(ctx)
            if row is not None:
                yield row
            return
        executor = ctx.executor
        condition = self.condition
        with executor.read_snapshot() as snapshot:
            for row in self.access.rows(snapshot, executor.visible_writes(), ctx):
                if condition is None or condition(row, ctx) is True:
                    yield row
                elif pacer is not None and pacer.due():
                    yield PAUSE

    def lookup(self, ctx: QueryContext) -> Any:
        """The row of a one-key path (``actor_id = v``) if the condition accepts it: one read of
        the transaction's writes or the store, without a scan's snapshot and merge machinery."""
        key = self.access.values[0](None, ctx)
        if key is None:
            return None
        row = ctx.executor.read_row(key)
        if row is None or (self.condition is not None and self.condition(row, ctx) is not True):
            return None
        return row

    def explain(self, ctx: QueryContext) -> list[tuple[str, list[Any]]]:
        return [(self.access.describe(self.label, ctx), [])]


@dataclass(slots=True)
class CatalogScan(Operator):
    table: catalog.CatalogTable
    label: str
    condition: Eval | None
    width: int = 0

    def rows(self, ctx: QueryContext) -> Iterator[tuple[Any, ...]]:
        condition = self.condition
        for row in self.table.rows(ctx):
            if condition is None or condition(row, ctx) is True:
                yield tuple(row)

    def explain(self, ctx: QueryContext) -> list[tuple[str, list[Any]]]:
        return [(f"Seq Scan on {self.label}", [])]


@dataclass(slots=True)
class SubqueryScan(Operator):
    plan: SelectPlan
    label: str
    condition: Eval | None
    width: int = 0

    def rows(self, ctx: QueryContext, pacer: Pacer | None = None) -> Iterator[Any]:
        """With a ``pacer`` (a top-level query), the subquery's PAUSEs pass through, and a long
        run of rows the condition rejects is interrupted by PAUSE, as in ActorScan."""
        condition = self.condition
        for row in self.plan.rows(ctx) if pacer is None else self.plan.produce(ctx, pacer):
            if row is PAUSE:
                yield PAUSE
                continue
            row = tuple(row)
            if condition is None or condition(row, ctx) is True:
                yield row
            elif pacer is not None and pacer.due():
                yield PAUSE

    def explain(self, ctx: QueryContext) -> list[tuple[str, list[Any]]]:
        return [(f"Subquery Scan on {self.label}", self.plan.explain(ctx))]


@dataclass(slots=True)
class FunctionScan(Operator):
    """A set-returning function in FROM: one row per value it returns."""

    name: str
    label: str
    args: list[Eval]
    each: Callable[..., Iterable[Any]]
    condition: Eval | None = None
    width: int = 1

    def rows(self, ctx: QueryContext) -> Iterator[tuple[Any, ...]]:
        values = [fn(None, ctx) for fn in self.args]
        if None in values:
            return
        condition = self.condition
        for value in self.each(*values):
            row = (value,)
            if condition is None or condition(row, ctx) is True:
                yield row

    def explain(self, ctx: QueryContext) -> list[tuple[str, list[Any]]]:
        return [(f"Function Scan on {self.label}", [])]


def _function_plan(node: ast.RangeFunction, level: Level) -> FromPlan:
    """generate_series(integers) and unnest(array) in FROM; their arguments may name columns of
    outer queries, not of other FROM items (no LATERAL)."""
    call = node.function
    compiler = QueryCompiler(QueryScope([], 0), level, "functions in FROM")
    if call.name not in set_functions.NAMES:
        raise errors.PgError(
            errors.FEATURE_NOT_SUPPORTED, f"function {call.name} in FROM is not supported yet", position=call.loc + 1
        )
    function = set_functions.resolve(call.name, [compiler.compile(arg) for arg in call.args], call.args, call.loc)
    result = function.result
    refname = node.alias or call.name
    column = node.colnames[0] if node.colnames else refname
    if len(node.colnames) > 1:
        raise errors.PgError(
            INVALID_COLUMN_REFERENCE,
            f"too many column aliases specified for function {call.name}",
            position=node.loc + 1,
        )
    attrs = [Attr(column, result, 0, refname, level.next_rte())]
    operator = FunctionScan(
        call.name, refname if node.alias is None else f"{call.name} {node.alias}", function.args, function.each
    )
    return FromPlan(operator, [Item(refname, attrs)], 1)


@dataclass(slots=True)
class ResultScan(Operator):
    """No FROM: one empty row (when the WHERE clause holds)."""

    condition: Eval | None
    width: int = 0

    def rows(self, ctx: QueryContext) -> Iterator[tuple[Any, ...]]:
        if self.condition is None or self.condition((), ctx) is True:
            yield ()

    def explain(self, ctx: QueryContext) -> list[tuple[str, list[Any]]]:
        return [("Result", [])]


@dataclass(slots=True)
class Join(Operator):
    """A hash join on equality keys (``left_keys``/``right_keys``), else a nested loop; the
    inner (right) side is read once per execution. ``condition`` sees the joined row."""

    kind: str  # 'inner', 'left', 'right', 'full'
    left: Operator
    right: Operator
    left_keys: list[Eval]
    right_keys: list[Eval]
    condition: Eval | None
    width: int = 0

    def rows(self, ctx: QueryContext, pacer: Pacer | None = None) -> Iterator[Any]:
        """With a ``pacer`` (a top-level query), both sides' PAUSEs pass through, and reading the
        inner side or a long run of outer rows that find no match is interrupted by PAUSE."""
        inner = []
        for row in paced_rows(self.right, ctx, pacer):
            if row is not PAUSE:
                inner.append(row)
            if pacer is not None and (row is PAUSE or pacer.due()):
                yield PAUSE
        condition, kind = self.condition, self.kind
        left_keys, right_keys = self.left_keys, self.right_keys
        table: dict[Any, list[int]] | None = None
        if left_keys:
            table = {}
            for i, row in enumerate(inner):
                key = tuple(fn(row, ctx) for fn in right_keys)
                if None not in key:
                    table.setdefault(key, []).append(i)
        everything = range(len(inner))
        matched: set[int] = set()
        right_nulls = (None,) * self.right.width
        for outer in paced_rows(self.left, ctx, pacer):
            if outer is PAUSE:
                yield PAUSE
                continue
            if table is None:
                candidates: Iterable[int] = everything
            else:
                key = tuple(fn(outer, ctx) for fn in left_keys)
                candidates = () if None in key else table.get(key, ())
            found = False
            for i in candidates:
                row = outer + inner[i]
                if condition is None or condition(row, ctx) is True:
                    found = True
                    if kind in ("right", "full"):
                        matched.add(i)
                    yield row
            if not found:
                if kind in ("left", "full"):
                    yield outer + right_nulls
                elif pacer is not None and pacer.due():
                    yield PAUSE
        if kind in ("right", "full"):
            left_nulls = (None,) * self.left.width
            for i, row in enumerate(inner):
                if i not in matched:
                    yield left_nulls + row

    def explain(self, ctx: QueryContext) -> list[tuple[str, list[Any]]]:
        suffix = {"inner": "", "left": " Left Join", "right": " Right Join", "full": " Full Join"}[self.kind]
        if self.left_keys:
            return [("Hash" + (suffix or " Join"), [self.left, ("Hash", [self.right])])]
        return [("Nested Loop" + suffix, [self.left, self.right])]


def paced_rows(operator: Operator, ctx: QueryContext, pacer: Pacer | None) -> Iterator[Any]:
    """An operator's rows, with PAUSE markers where it can pace itself and ``pacer`` is given."""
    if pacer is not None and isinstance(operator, ActorScan | SubqueryScan | Join):
        return operator.rows(ctx, pacer)
    return operator.rows(ctx)


# --- FROM ---------------------------------------------------------------------------------------


@dataclass(slots=True)
class FromPlan:
    """A FROM item analysed: its rows and the namespace they are laid out by."""

    operator: Operator
    items: list[Item]
    width: int


def _relation_plan(node: ast.RangeVar, level: Level) -> tuple[FromPlan, str]:
    """A named relation: a CTE, a system catalog (pg_catalog before public), or actors."""
    refname = node.alias or node.name
    rte = level.next_rte()
    label = node.name if node.alias is None else f"{node.name} {node.alias}"
    if node.schema is None and node.name in level.ctes:
        from orbit_pg.sql import recursive  # it builds on this module

        cte = level.ctes[node.name]
        if isinstance(cte, recursive.WorkTable):
            return recursive.work_table_plan(cte, node, level), "cte"
        if recursive.is_recursive(cte):
            sub = recursive.analyze(cte, level)
        else:
            sub = analyze(cte.query, level.params, outer=level.outer, ctes=level.ctes)
            check_cte_columns(cte, len(sub.columns))
        attrs = _subquery_attrs(sub, cte.colnames, refname, rte, node.loc)
        return FromPlan(SubqueryScan(sub, label, None, len(attrs)), [Item(refname, attrs)], len(attrs)), "cte"
    schemas = ("pg_catalog", "public") if node.schema is None else (node.schema,)
    for schema in schemas:
        table = catalog.TABLES.get((schema, node.name))
        if table is not None:
            attrs = [
                Attr(name, type_, i, refname, rte, (table.oid, i + 1)) for i, (name, type_) in enumerate(table.columns)
            ]
            item = Item(refname, attrs, node.name if node.alias else None)
            return FromPlan(CatalogScan(table, label, None, len(attrs)), [item], len(attrs)), "catalog"
    relation.resolve(node)  # actors, or the error for a relation that does not exist
    attrs = [Attr(c.name, c.type, c.index, refname, rte, (relation.ACTORS_OID, c.index + 1)) for c in relation.COLUMNS]
    item = Item(refname, attrs, node.name if node.alias else None)
    return FromPlan(ActorScan(label, planner.SCAN, None), [item], 3), "actors"


def check_cte_columns(cte: ast.CommonTableExpr, available: int) -> None:
    """42P10 for a column list longer than the CTE's query gives."""
    if len(cte.colnames) > available:
        raise errors.PgError(
            INVALID_COLUMN_REFERENCE,
            f'WITH query "{cte.name}" has {available} columns available but {len(cte.colnames)} columns specified',
            position=cte.loc + 1,
        )


def _subquery_attrs(sub: SelectPlan, colnames: list[str], refname: str, rte: int, loc: int) -> list[Attr]:
    if len(colnames) > len(sub.columns):
        raise errors.PgError(
            INVALID_COLUMN_REFERENCE,
            f'table "{refname}" has {len(sub.columns)} columns available but {len(colnames)} columns specified',
        )
    return [
        Attr(colnames[i] if i < len(colnames) else c.name, c.type, i, refname, rte, c.origin)
        for i, c in enumerate(sub.columns)
    ]


def _rename(plan: FromPlan, colnames: list[str], refname: str) -> None:
    attrs = plan.items[0].attrs
    if len(colnames) > len(attrs):
        raise errors.PgError(
            INVALID_COLUMN_REFERENCE,
            f'table "{refname}" has {len(attrs)} columns available but {len(colnames)} columns specified',
        )
    for attr, name in zip(attrs, colnames, strict=False):
        attr.name = name


@dataclass(slots=True)
class _Leaf:
    """One member of a run of inner joins: its plan, where its columns start in the joined row,
    and the conditions that name only its columns."""

    plan: FromPlan
    kind: str  # 'actors', 'catalog', 'cte', 'subquery', 'join'
    offset: int = 0
    conditions: list[ast.Node] = field(default_factory=list)


class FromAnalysis:
    """FROM and WHERE of one query level: a left-deep tree of joins in FROM order, each WHERE
    or ON condition applied as early as the relations it names allow, with equality
    conditions between two sides as hash join keys, and access paths for actors."""

    def __init__(self, level: Level) -> None:
        self.level = level

    def plan(self, from_clause: list[ast.Node], where: ast.Node | None) -> tuple[Operator, QueryScope]:
        if not from_clause:
            scope = QueryScope([], 0)
            condition = None
            if where is not None:
                condition = QueryCompiler(scope, self.level, "WHERE").boolean(where, "WHERE").fn
            return ResultScan(condition), scope
        leaves: list[ast.Node] = []
        quals: list[ast.Node] = []
        for item in from_clause:
            self._flatten(item, leaves, quals)
        return self._group(leaves, quals, where)

    def _flatten(self, node: ast.Node, leaves: list[ast.Node], quals: list[ast.Node]) -> None:
        if (
            isinstance(node, ast.JoinExpr)
            and node.jointype in ("inner", "cross")
            and not node.natural
            and not node.using
        ):
            self._flatten(node.larg, leaves, quals)
            self._flatten(node.rarg, leaves, quals)
            if node.quals is not None:
                quals.append(node.quals)
        else:
            leaves.append(node)

    def _leaf(self, node: ast.Node) -> _Leaf:
        if isinstance(node, ast.RangeVar):
            plan, kind = _relation_plan(node, self.level)
            return _Leaf(plan, kind)
        if isinstance(node, ast.RangeSubselect):
            if node.alias is None:
                raise errors.PgError(
                    errors.SYNTAX_ERROR,
                    "subquery in FROM must have an alias",
                    hint="For example, FROM (SELECT ...) [AS] foo.",
                    position=node.loc + 1,
                )
            sub = analyze(node.subquery, self.level.params, outer=self.level.outer, ctes=self.level.ctes)
            attrs = _subquery_attrs(sub, node.colnames, node.alias, self.level.next_rte(), node.loc)
            operator = SubqueryScan(sub, node.alias, None, len(attrs))
            return _Leaf(FromPlan(operator, [Item(node.alias, attrs)], len(attrs)), "subquery")
        if isinstance(node, ast.RangeFunction):
            return _Leaf(_function_plan(node, self.level), "function")
        assert isinstance(node, ast.JoinExpr)
        return _Leaf(self._join(node), "join")

    def _group(
        self, nodes: list[ast.Node], quals: list[ast.Node], where: ast.Node | None
    ) -> tuple[Operator, QueryScope]:
        leaves = [self._leaf(node) for node in nodes]
        items: list[Item] = []
        offset = 0
        for leaf in leaves:
            leaf.offset = offset
            for item in leaf.plan.items:
                if item.refname is not None and item.rel_visible:
                    if any(other.refname == item.refname and other.rel_visible for other in items):
                        raise errors.PgError(DUPLICATE_ALIAS, f'table name "{item.refname}" specified more than once')
                items.append(item.shifted(offset))
            offset += leaf.plan.width
        scope = QueryScope(items, offset)
        compiler = QueryCompiler(scope, self.level, "JOIN conditions")
        for qual in quals:
            compiler.boolean(qual, "JOIN/ON")
        compiler.clause = "WHERE"
        if where is not None:
            compiler.boolean(where, "WHERE")
        conditions = [*itertools.chain.from_iterable(planner.conjuncts(q) for q in quals), *planner.conjuncts(where)]
        later: list[tuple[ast.Node, set[int]]] = []
        for condition in conditions:
            named = self._leaves_named(condition, scope, leaves)
            if len(named) <= 1 and not (named and len(leaves) > 1 and _has_sublink(condition)):
                leaves[min(named, default=0)].conditions.append(condition)
            else:
                later.append((condition, named))
        current = self._scan(leaves[0])
        for i in range(1, len(leaves)):
            right = self._scan(leaves[i])
            here = [(c, named) for c, named in later if max(named, default=0) <= i]
            later = [(c, named) for c, named in later if max(named, default=0) > i]
            left_keys, right_keys, rest = self._hash_keys(here, i, leaves, scope)
            width = leaves[i].offset + leaves[i].plan.width
            condition_fn = self._conjunction(rest, compiler)
            current = Join("inner", current, right, left_keys, right_keys, condition_fn, width)
        return current, scope

    def _leaves_named(self, node: ast.Node, scope: QueryScope, leaves: list[_Leaf]) -> set[int]:
        """Which leaves a condition's columns come from (columns of outer queries count for none);
        a subquery counts as naming every leaf."""
        named: set[int] = set()
        if _has_sublink(node):
            return set(range(len(leaves)))
        for ref in ast.walk(node):
            if isinstance(ref, ast.ColumnRef):
                attr = scope.lookup(ref)
                if attr is not None:
                    named.add(max(i for i, leaf in enumerate(leaves) if leaf.offset <= attr.index))
        return named

    def _scan(self, leaf: _Leaf) -> Operator:
        """A leaf with its own conditions: a filter in its scan, and for actors an access path."""
        operator = leaf.plan.operator
        if not leaf.conditions:
            return operator
        scope = QueryScope(leaf.plan.items, leaf.plan.width)
        compiler = QueryCompiler(scope, self.level, "WHERE")
        condition = self._conjunction(leaf.conditions, compiler)
        where = leaf.conditions[0] if len(leaf.conditions) == 1 else ast.BoolExpr("and", leaf.conditions, 0)
        if isinstance(operator, ActorScan):
            return ActorScan(operator.label, planner.choose(where, scope, self.level.params), condition)
        if isinstance(operator, CatalogScan | SubqueryScan | FunctionScan):
            operator.condition = condition
            return operator
        return Filter(operator, condition, operator.width)

    def _conjunction(self, nodes: list[ast.Node], compiler: QueryCompiler) -> Eval | None:
        if not nodes:
            return None
        fns = [compiler.boolean(node, "WHERE").fn for node in nodes]
        if len(fns) == 1:
            return fns[0]

        def all_true(row: Any, ctx: Any) -> bool:
            return all(fn(row, ctx) is True for fn in fns)

        return all_true

    def _hash_keys(
        self, conditions: list[tuple[ast.Node, set[int]]], i: int, leaves: list[_Leaf], scope: QueryScope
    ) -> tuple[list[Eval], list[Eval], list[ast.Node]]:
        """Equalities between the joined leaves so far and leaf ``i`` become hash keys."""
        left_keys: list[Eval] = []
        right_keys: list[Eval] = []
        rest: list[ast.Node] = []
        right_scope = QueryScope(leaves[i].plan.items, leaves[i].plan.width)
        for condition, _ in conditions:
            keys = self._equality(condition, scope, right_scope, leaves, i)
            if keys is None:
                rest.append(condition)
            else:
                left_keys.append(keys[0])
                right_keys.append(keys[1])
        return left_keys, right_keys, rest

    def _equality(
        self, node: ast.Node, scope: QueryScope, right_scope: QueryScope, leaves: list[_Leaf], i: int
    ) -> tuple[Eval, Eval] | None:
        if not (isinstance(node, ast.A_Expr) and node.op == "=" and node.left is not None):
            return None
        for one, other in ((node.left, node.right), (node.right, node.left)):
            left_named = self._leaves_named(one, scope, leaves)
            right_named = self._leaves_named(other, scope, leaves)
            if left_named and right_named == {i} and max(left_named) < i:
                return _key_pair(one, other, scope, right_scope)
        return None

    def _join(self, node: ast.JoinExpr) -> FromPlan:
        """An outer join, or a join with USING or NATURAL: one FROM item made of two."""
        left_op, left_scope = self._side(node.larg)
        right_op, right_scope = self._side(node.rarg)
        width = left_scope.width + right_scope.width
        items = [*left_scope.items, *(item.shifted(left_scope.width) for item in right_scope.items)]
        left_keys: list[Eval] = []
        right_keys: list[Eval] = []
        jointype = "inner" if node.jointype == "cross" else node.jointype
        using = node.using
        if node.natural:
            left_names = [a.name for item in left_scope.items if item.cols_visible for a in item.attrs]
            right_names = {a.name for item in right_scope.items if item.cols_visible for a in item.attrs}
            using = [(name, node.loc) for name in left_names if name in right_names]
        if using is not None:
            merged: list[Attr] = []
            used: set[int] = set()
            for name, loc in using:
                left_attr = _using_column(left_scope, name, loc, "left")
                right_attr = _using_column(right_scope, name, loc, "right")
                ltype, rtype = left_attr.type, right_attr.type
                if ltype.category != rtype.category:
                    raise resolution.no_operator("=", ltype, rtype, loc)
                left_keys.append(left_attr.reader())
                right_keys.append(right_attr.reader())
                shown = right_attr.shifted(left_scope.width) if jointype == "right" else left_attr
                if jointype == "full":
                    shown = Attr(name, ltype, left_attr.index, None, -1, (0, 0), right_attr.index + left_scope.width)
                merged.append(Attr(name, shown.type, shown.index, None, -1, shown.origin, shown.coalesce))
                used.update((left_attr.index, right_attr.index + left_scope.width))
            rest = [a for item in items if item.cols_visible for a in item.attrs if a.index not in used]
            for item in items:
                item.cols_visible = False
            items.append(Item(None, merged + rest, rel_visible=False))
        scope = QueryScope(items, width)
        condition = None
        if node.quals is not None:
            compiler = QueryCompiler(scope, self.level, "JOIN conditions")
            compiler.boolean(node.quals, "JOIN/ON")
            rest_nodes: list[ast.Node] = []
            leaves = [
                _Leaf(FromPlan(left_op, left_scope.items, left_scope.width), "join"),
                _Leaf(FromPlan(right_op, right_scope.items, right_scope.width), "join", left_scope.width),
            ]
            for conjunct in planner.conjuncts(node.quals):
                keys = self._equality(conjunct, scope, right_scope, leaves, 1)
                if keys is None:
                    rest_nodes.append(conjunct)
                else:
                    left_keys.append(keys[0])
                    right_keys.append(keys[1])
            condition = self._conjunction(rest_nodes, compiler)
        operator = Join(jointype, left_op, right_op, left_keys, right_keys, condition, width)
        return FromPlan(operator, items, width)

    def _side(self, node: ast.Node) -> tuple[Operator, QueryScope]:
        leaves: list[ast.Node] = []
        quals: list[ast.Node] = []
        self._flatten(node, leaves, quals)
        return self._group(leaves, quals, None)


def _has_sublink(node: ast.Node) -> bool:
    return any(isinstance(n, ast.SubLink) for n in ast.walk(node))


def _key_pair(one: ast.Node, other: ast.Node, scope: QueryScope, right_scope: QueryScope) -> tuple[Eval, Eval] | None:
    """Two sides of an equality as hash keys, when equal values are equal in Python too."""
    level = Level(None, None, {})
    try:
        left = QueryCompiler(scope, level, "JOIN conditions").compile(one)
        right = QueryCompiler(right_scope, level, "JOIN conditions").compile(other)
    except errors.PgError:
        return None
    hashable_types = (
        left.type.category == right.type.category == "S"
        or (left.type in _EXACT_NUMBERS and right.type in _EXACT_NUMBERS)
        or (left.type in _OIDS and right.type in _OIDS)
        or left.type is right.type is types.CHAR
    )
    return (left.fn, right.fn) if hashable_types else None


_EXACT_NUMBERS = (types.INT2, types.INT4, types.INT8, types.NUMERIC)
# oid and its aliases (regclass, regtype, ...) compare as the same unsigned numbers: catalog joins.
_OIDS = (types.OID, *types.OID_ALIASES)


def _using_column(scope: QueryScope, name: str, loc: int, side: str) -> Attr:
    attrs = [a for item in scope.items if item.cols_visible for a in item.attrs if a.name == name]
    if not attrs:
        raise errors.PgError(
            errors.UNDEFINED_COLUMN, f'column "{name}" specified in USING clause does not exist in {side} table'
        )
    if len(attrs) > 1:
        raise errors.PgError(AMBIGUOUS_COLUMN, f'common column name "{name}" appears more than once in {side} table')
    return attrs[0]


@dataclass(slots=True)
class Filter(Operator):
    source: Operator
    condition: Eval | None
    width: int = 0

    def rows(self, ctx: QueryContext) -> Iterator[tuple[Any, ...]]:
        condition = self.condition
        for row in self.source.rows(ctx):
            if condition is None or condition(row, ctx) is True:
                yield row

    def explain(self, ctx: QueryContext) -> list[tuple[str, list[Any]]]:
        return self.source.explain(ctx)


# --- SELECT ---------------------------------------------------------------------------------------


@dataclass(slots=True)
class OutputColumn:
    name: str
    type: types.PgType
    origin: tuple[int, int] = (0, 0)
    loc: int = 0  # where its expression starts, for an error converting its values


@dataclass(slots=True)
class SelectPlan:
    """An analysed query: its result columns and a function giving its rows per execution."""

    columns: list[OutputColumn]
    level: Level
    produce: Callable[[QueryContext, Pacer], Iterator[Sequence[Any]]]
    describe: Callable[[QueryContext], list[tuple[str, list[Any]]]]
    # A one-key or first-of-type read with no function calls or subqueries: its whole result,
    # read at once (None: more rows than that should take, the general path streams them).
    # Reading it has no effect but the read, so the protocol may try it and, should it fail,
    # leave the statement to the general path (``Executor.read_at_once``).
    read_at_once: Callable[[QueryContext], list[Any] | None] | None = None
    # The same rows as stored (``StoredRow``), for a result of the whole actors row.
    stored_at_once: Callable[[QueryContext], list[Any] | None] | None = None

    def rows(self, ctx: QueryContext, cooperative: bool = False) -> Iterator[Sequence[Any]]:
        """``cooperative``: the top-level query, whose consumer (the protocol) understands PAUSE."""
        return self.produce(ctx, Pacer() if cooperative else _Never())

    def explain(self, ctx: QueryContext) -> list[tuple[str, list[Any]]]:
        return self.describe(ctx)


def analyze(
    stmt: ast.SelectStmt,
    params: Params | None,
    outer: QueryCompiler | None = None,
    ctes: dict[str, ast.CommonTableExpr | WorkTable] | None = None,
    resolve_unknown: bool = True,
) -> SelectPlan:
    """Analyse a query. ``resolve_unknown``: an output column of an unknown-typed literal
    becomes text (a set operation's branches leave that to the set operation)."""
    scope_ctes = dict(ctes or {})
    for cte in stmt.with_clause:
        scope_ctes[cte.name] = cte
    level = Level(params, outer, scope_ctes)
    if stmt.op is not None:
        core = _set_operation(stmt, level)
    elif stmt.values_lists is not None:
        core = _values(stmt, level)
    else:
        return _select(stmt, level, resolve_unknown)
    return _finish(stmt, level, core, resolve_unknown)


@dataclass(slots=True)
class _Core:
    """A set operation's or VALUES' rows before ORDER BY and LIMIT."""

    columns: list[OutputColumn]
    rows: Callable[[QueryContext], Iterable[Sequence[Any]]]
    explain: Callable[[QueryContext], list[tuple[str, list[Any]]]]


def _values(stmt: ast.SelectStmt, level: Level) -> _Core:
    assert stmt.values_lists is not None
    width = len(stmt.values_lists[0])
    for row in stmt.values_lists:
        if len(row) != width:
            raise errors.PgError(
                errors.SYNTAX_ERROR, "VALUES lists must all be the same length", position=getattr(row[0], "loc", 0) + 1
            )
    compiler = QueryCompiler(QueryScope([], 0), level, "VALUES")
    compiled = [[compiler.compile(node) for node in row] for row in stmt.values_lists]
    columns = []
    fns: list[list[Eval]] = [[] for _ in compiled]
    for i in range(width):
        items = [
            (row[i].type, getattr(nodes[i], "loc", 0)) for row, nodes in zip(compiled, stmt.values_lists, strict=True)
        ]
        common = (
            resolution.common_type(items, "VALUES") if any(t is not types.UNKNOWN for t, _ in items) else types.UNKNOWN
        )
        for r, (row, nodes) in enumerate(zip(compiled, stmt.values_lists, strict=True)):
            fns[r].append(_convert(row[i], common, getattr(nodes[i], "loc", 0)).fn)
        columns.append(OutputColumn(f"column{i + 1}", common))

    def rows(ctx: QueryContext) -> Iterator[tuple[Any, ...]]:
        for row in fns:
            yield tuple(fn(None, ctx) for fn in row)

    return _Core(columns, rows, lambda ctx: [('Values Scan on "*VALUES*"', [])])


def _convert(compiled: Compiled, target: types.PgType, loc: int) -> Compiled:
    """A value in the common type of its column (select_common_type's coercion)."""
    if target is types.UNKNOWN or compiled.type is target:
        return compiled
    if compiled.type is types.UNKNOWN:
        if compiled.is_const or compiled.param is not None:
            return coerce(compiled, target, loc)
        fn, text_in = compiled.fn, target.text_in

        def convert(row: Any, ctx: Any) -> Any:
            value = fn(row, ctx)
            if value is None:
                return None
            try:
                return text_in(value)
            except errors.PgError as error:
                if error.position is None:
                    error.position = loc + 1
                raise

        return Compiled(convert, target)
    return cast(compiled, target, loc)


def _set_operation(stmt: ast.SelectStmt, level: Level) -> _Core:
    assert stmt.larg is not None and stmt.rarg is not None and stmt.op is not None
    left = analyze(stmt.larg, level.params, level.outer, level.ctes, resolve_unknown=False)
    right = analyze(stmt.rarg, level.params, level.outer, level.ctes, resolve_unknown=False)
    name = stmt.op.upper()
    if len(left.columns) != len(right.columns):
        raise errors.PgError(
            errors.SYNTAX_ERROR,
            f"each {name} query must have the same number of columns",
            position=_first_target_loc(stmt.rarg) + 1,
        )
    columns = []
    left_fns: list[Eval] = []
    right_fns: list[Eval] = []
    right_loc = _first_target_loc(stmt.rarg)
    for i, (lc, rc) in enumerate(zip(left.columns, right.columns, strict=True)):
        common = resolution.common_type([(lc.type, _first_target_loc(stmt.larg)), (rc.type, right_loc)], name)
        left_fns.append(_convert(Compiled(lambda row, ctx, i=i: row[i], lc.type), common, lc.loc).fn)
        right_fns.append(_convert(Compiled(lambda row, ctx, i=i: row[i], rc.type), common, rc.loc).fn)
        columns.append(OutputColumn(lc.name, common, lc.origin if lc.type is common else (0, 0), lc.loc))

    def side(plan: SelectPlan, fns: list[Eval], ctx: QueryContext) -> Iterator[tuple[Any, ...]]:
        for row in plan.rows(ctx):
            yield tuple(fn(row, ctx) for fn in fns)

    op, keep_all = stmt.op, stmt.all

    def rows(ctx: QueryContext) -> Iterator[tuple[Any, ...]]:
        first, second = side(left, left_fns, ctx), side(right, right_fns, ctx)
        if op == "union":
            if keep_all:
                yield from itertools.chain(first, second)
                return
            seen: set[Any] = set()
            for row in itertools.chain(first, second):
                marker = hashable(row)
                if marker not in seen:
                    seen.add(marker)
                    yield row
            return
        counts: dict[Any, int] = {}
        for row in second:
            marker = hashable(row)
            counts[marker] = counts.get(marker, 0) + 1
        emitted: set[Any] = set()
        for row in first:
            marker = hashable(row)
            count = counts.get(marker, 0)
            if op == "intersect":
                if count > 0 and (keep_all or marker not in emitted):
                    emitted.add(marker)
                    counts[marker] = count - 1 if keep_all else count
                    yield row
            elif keep_all:
                if count > 0:
                    counts[marker] = count - 1
                else:
                    yield row
            elif count == 0 and marker not in emitted:
                emitted.add(marker)
                yield row

    def explain(ctx: QueryContext) -> list[tuple[str, list[Any]]]:
        children = [("Subquery Scan", left.explain(ctx)), ("Subquery Scan", right.explain(ctx))]
        if op == "union":
            append = ("Append", children)
            return [append] if keep_all else [("HashAggregate", [append])]
        return [(f"HashSetOp {op.capitalize()}{' All' if keep_all else ''}", [("Append", children)])]

    return _Core(columns, rows, explain)


def _first_target_loc(stmt: ast.SelectStmt) -> int:
    while stmt.op is not None and stmt.larg is not None:
        stmt = stmt.larg
    if stmt.targets:
        return stmt.targets[0].loc
    return stmt.loc


def _finish(stmt: ast.SelectStmt, level: Level, core: _Core, resolve_unknown: bool) -> SelectPlan:
    """ORDER BY (result columns only), OFFSET and LIMIT over a set operation or VALUES."""
    columns = core.columns
    if resolve_unknown:
        columns = [OutputColumn(c.name, types.TEXT if c.type is types.UNKNOWN else c.type, c.origin) for c in columns]
    names = [c.name for c in columns]
    keys: list[int] = []
    for item in stmt.sort:
        node = item.node
        if isinstance(node, ast.A_Const) and node.kind == "integer":
            keys.append(_position(node, len(columns), level.params, "ORDER BY"))
        elif isinstance(node, ast.ColumnRef) and len(node.fields) == 1 and node.fields[0] in names:
            keys.append(names.index(node.fields[0]))
        elif isinstance(node, ast.ColumnRef):
            raise QueryScope([], 0).missing(node)
        elif stmt.op is not None:
            raise errors.PgError(
                errors.FEATURE_NOT_SUPPORTED,
                "invalid UNION/INTERSECT/EXCEPT ORDER BY clause",
                detail="Only result column names can be used, not expressions or functions.",
                hint="Add the expression/function to every SELECT, or move the UNION into a FROM clause.",
                position=getattr(node, "loc", 0) + 1,
            )
        else:
            raise errors.PgError(
                errors.FEATURE_NOT_SUPPORTED,
                "ORDER BY an expression over VALUES is not supported yet",
                position=getattr(node, "loc", 0) + 1,
            )
    key_fns = [
        _orderable(Compiled(lambda row, ctx, i=index: row[i], columns[index].type), item.node).fn
        for index, item in zip(keys, stmt.sort, strict=True)
    ]
    items = list(stmt.sort)
    offset, limit = _count(stmt.offset, "OFFSET", level), _count(stmt.limit, "LIMIT", level)

    def produce(ctx: QueryContext, pacer: Pacer) -> Iterator[Any]:
        rows: Iterable[Sequence[Any]] = core.rows(ctx)
        first = _limit_value(offset, ctx, "OFFSET", "2201X") or 0
        count = _limit_value(limit, ctx, "LIMIT", "2201W")
        if keys:
            top = None if count is None else first + count
            rows = yield from ordered(rows, items, lambda row: [fn(row, None) for fn in key_fns], top, pacer)
        if first or count is not None:
            rows = itertools.islice(rows, first, None if count is None else first + count)
        yield from rows

    def describe(ctx: QueryContext) -> list[tuple[str, list[Any]]]:
        lines = core.explain(ctx)
        if keys:
            lines = [("Top-N Sort" if limit is not None else "Sort", lines)]
        if limit is not None or offset is not None:
            lines = [("Limit", lines)]
        return lines

    return SelectPlan(columns, level, produce, describe)


def _position(node: ast.A_Const, count: int, params: Params | None, clause: str) -> int:
    position = literal_value(node, params)
    if not 1 <= position <= count:
        raise errors.PgError(
            INVALID_COLUMN_REFERENCE, f"{clause} position {position} is not in select list", position=node.loc + 1
        )
    return position - 1


def _count(node: ast.Node | None, clause: str, level: Level) -> Eval | None:
    """LIMIT / OFFSET: a bigint expression of literals and parameters."""
    if node is None:
        return None
    compiler = QueryCompiler(QueryScope([], 0), level, clause)
    compiled = coerce(compiler.compile(node), types.INT8, getattr(node, "loc", 0))
    if compiled.type not in (types.INT2, types.INT4, types.INT8):
        raise errors.PgError(
            errors.DATATYPE_MISMATCH,
            f"argument of {clause} must be type bigint, not type {compiled.type.name}",
            position=getattr(node, "loc", 0) + 1,
        )
    return compiled.fn


def _limit_value(fn: Eval | None, ctx: Any, clause: str, sqlstate: str) -> int | None:
    value = None if fn is None else fn(None, ctx)
    if value is not None and value < 0:
        raise errors.PgError(sqlstate, f"{clause} must not be negative")
    return value


@dataclass(slots=True)
class _Target:
    name: str
    compiled: Compiled
    node: ast.Node | None
    origin: tuple[int, int] = (0, 0)
    loc: int = 0


def _select(stmt: ast.SelectStmt, level: Level, resolve_unknown: bool) -> SelectPlan:
    from orbit_pg.sql import window  # it builds on this module

    source, scope = FromAnalysis(level).plan(stmt.from_clause, stmt.where)
    source, scope = window.plan(stmt, source, scope, level)
    input_compiler = QueryCompiler(scope, level, "WHERE")
    aggregate = _has_aggregate([[t.value for t in stmt.targets], stmt.having, [s.node for s in stmt.sort]])
    grouped = bool(stmt.group_by) or aggregate is not None or stmt.having is not None
    grouping: Grouping | None = None
    compiler = input_compiler
    if grouped:
        input_compiler.clause = "GROUP BY"
        grouping = Grouping(input_compiler)
        for node in stmt.group_by:
            grouping.add_key(_group_key(node, stmt, scope, level))
        input_compiler.clause = "aggregate function calls"
        compiler = QueryCompiler(scope, level, "SELECT", grouping)
    projected: list[set_functions.SetFunction] = []
    compiler.set_functions = projected
    targets = _targets(stmt, scope, compiler, resolve_unknown)
    compiler.set_functions = None
    having = compiler.boolean(stmt.having, "HAVING").fn if stmt.having is not None else None
    names = [t.name for t in targets]
    # ORDER BY: result positions and names, or expressions over the input (or grouped) row.
    sort_fns: list[Eval] = []
    for item in stmt.sort:
        sort_fns.append(_sort_expression(item.node, targets, names, compiler, stmt, level))
    distinct_fns: list[Eval] | None = None
    if stmt.distinct:
        distinct_fns = [
            coerce(compiler.compile(node), types.TEXT, getattr(node, "loc", 0)).fn for node in stmt.distinct
        ]
    offset, limit = _count(stmt.offset, "OFFSET", level), _count(stmt.limit, "LIMIT", level)
    projection = [t.compiled.fn for t in targets]
    columns = [OutputColumn(t.name, t.compiled.type, t.origin, t.loc) for t in targets]
    identity = (
        not grouped
        and len(targets) == scope.width
        and all(isinstance(t.node, ast.ColumnRef) or t.node is None for t in targets)
        and [a.index for a in scope.star(None, 0)] == list(range(scope.width))
        and all(isinstance(s.value, ast.A_Star) for s in stmt.targets)
    )
    key_ordered = (
        isinstance(source, ActorScan)
        and source.access.key_ordered
        and len(stmt.sort) == 1
        and not grouped
        and not stmt.distinct
        and _is_actor_id(stmt.sort[0], scope)
    )
    sort_items = [] if key_ordered else list(stmt.sort)
    always_one = not stmt.group_by
    locking = _locking(stmt, source, grouping)
    if (
        isinstance(source, ActorScan)
        and source.access.kind == "key"
        and len(source.access.values) == 1
        and grouping is None
        and not sort_items
        and stmt.distinct is None
        and offset is None
        and limit is None
        and locking is None
        and not projected
    ):
        read = _read_one(source, None if identity else projection)
        return SelectPlan(columns, level, _one_key(read), source.explain, _one_row(read) if _pure(stmt) else None)

    def produce(ctx: QueryContext, pacer: Pacer) -> Iterator[Any]:
        first = _limit_value(offset, ctx, "OFFSET", "2201X") or 0
        return limited(ctx, pacer, first, _limit_value(limit, ctx, "LIMIT", "2201W"))

    def limited(ctx: QueryContext, pacer: Pacer, first: int, count: int | None) -> Iterator[Any]:
        if locking is not None:
            # Rows are locked (or the statement waits) before any is sent, as PostgreSQL's LockRows.
            return iter(list(blocking(ctx, _Never(), first, count)))
        if grouping is None and not sort_items and stmt.distinct is None:
            rows: Iterable[Any] = scan(ctx, pacer)
            if first or count is not None:
                rows = _window(rows, first, count)
            if identity:
                return iter(rows)
            return (row if row is PAUSE else [fn(row, ctx) for fn in projection] for row in rows)
        return blocking(ctx, pacer, first, count)

    def scan(ctx: QueryContext, pacer: Pacer) -> Iterator[Any]:
        rows = paced_rows(source, ctx, pacer)
        return set_functions.project_set(rows, projected, ctx) if projected and grouping is None else rows

    def blocking(ctx: QueryContext, pacer: Pacer, first: int, count: int | None) -> Iterator[Any]:
        """The stages that read all their input first: grouping, DISTINCT, sorting (and row locks)."""
        rows: Iterable[Any] = scan(ctx, pacer)
        wanted = None if count is None else first + count
        if locking is not None and not sort_items:
            rows = ctx.executor._lock_rows(rows, locking, wanted)
        if grouping is not None:
            rows = yield from grouping.rows(rows, ctx, always_one, pacer)
            if having is not None:
                rows = [row for row in rows if having(row, ctx) is True]
            if projected:
                rows = set_functions.project_set(rows, projected, ctx)
        if not sort_items and stmt.distinct is None:
            if first or count is not None:
                rows = itertools.islice(rows, first, None if count is None else first + count)
            yield from ([fn(row, ctx) for fn in projection] for row in rows)
            return
        # Records: (output values, sort key values, DISTINCT ON values).
        records: Iterable[Any] = (
            PAUSE
            if row is PAUSE
            else (
                [fn(row, ctx) for fn in projection],
                [fn(row, ctx) for fn in sort_fns],
                None if distinct_fns is None else [fn(row, ctx) for fn in distinct_fns],
                row,
            )
            for row in rows
        )
        if stmt.distinct == []:
            records = yield from _unique_paced(records, lambda record: record[0], pacer)
        top = None if count is None or distinct_fns is not None or locking is not None else first + count
        if sort_items:
            records = yield from ordered(records, sort_items, lambda record: record[1], top, pacer)
            if locking is not None:
                locked = {id(row) for row in ctx.executor._lock_rows([r[3] for r in records], locking, wanted)}
                records = [record for record in records if id(record[3]) in locked]
        if distinct_fns is not None:
            records = _unique(records, lambda record: record[2])
        if first or count is not None:
            records = itertools.islice(records, first, None if count is None else first + count)
        yield from (record[0] for record in records)

    def describe(ctx: QueryContext) -> list[tuple[str, list[Any]]]:
        lines = source.explain(ctx)
        if grouping is not None:
            lines = [("HashAggregate" if stmt.group_by else "Aggregate", lines)]
        if projected:
            lines = [("ProjectSet", lines)]
        if stmt.distinct is not None:
            lines = [("Unique" if stmt.distinct else "HashAggregate", lines)]
        if sort_items:
            lines = [("Top-N Sort" if limit is not None and distinct_fns is None else "Sort", lines)]
        if limit is not None or offset is not None:
            lines = [("Limit", lines)]
        return lines

    if (
        isinstance(source, ActorScan)
        and source.access.kind == "type"
        and grouping is None
        and not sort_items
        and stmt.distinct is None
        and limit is not None
        and locking is None
        and not projected
    ):
        value = planner.type_equality(stmt.where, scope, level.params)
        if value is not None:
            lean, at_once, stored = _first_of_type(value, None if identity else projection, offset, limit, limited)
            pure = _pure(stmt)
            return SelectPlan(columns, level, lean, describe, at_once if pure else None, stored if pure else None)
    return SelectPlan(columns, level, produce, describe)


def _read_one(source: ActorScan, projection: list[Eval] | None) -> Callable[[QueryContext], Any]:
    """The row of a one-key query (``WHERE actor_id = v``), projected, or None."""

    def read(ctx: QueryContext) -> Any:
        row = source.lookup(ctx)
        if row is None or projection is None:
            return row
        return [fn(row, ctx) for fn in projection]

    return read


def _one_row(read: Callable[[QueryContext], Any]) -> Callable[[QueryContext], list[Any]]:
    """``read_at_once`` of a one-key query."""

    def at_once(ctx: QueryContext) -> list[Any]:
        row = read(ctx)
        return [] if row is None else [row]

    return at_once


def _one_key(read: Callable[[QueryContext], Any]) -> Callable[[QueryContext, Pacer], Iterator[Any]]:
    """A query of at most one row, found by its key (``WHERE actor_id = v`` and nothing that
    groups, sorts, limits or locks): the scan's lookup, without the pacing and the window and
    projection stages a query of many rows goes through. The row is found lazily, when the
    protocol asks for it after RowDescription, as the general path finds it."""

    def lookup(ctx: QueryContext, pacer: Pacer) -> Iterator[Any]:
        row = read(ctx)
        if row is not None:
            yield row

    return lookup


# What a query read at once may hold, ahead of its RowDescription: nothing that calls a
# function (a notice, pg_sleep, an advisory lock, the transaction's clock) or a subquery.
_PURE = (
    ast.A_Const,
    ast.ColumnRef,
    ast.ParamRef,
    ast.A_Star,
    ast.A_Expr,
    ast.BoolExpr,
    ast.NullTest,
    ast.TypeCast,
    ast.ResTarget,
)


def _pure(stmt: ast.SelectStmt) -> bool:
    return all(isinstance(node, _PURE) for node in ast.walk([stmt.where, stmt.targets, stmt.limit, stmt.offset]))


# The most rows (OFFSET + LIMIT) the type-index plan reads at once; more stream through the scan.
FIRST_OF_TYPE_ROWS = 1000
# The most it reads, encodes and sends in one step, between transactions (``read_at_once``).
AT_ONCE_ROWS = 100


def _first_of_type(
    value: Eval,
    projection: list[Eval] | None,
    offset: Eval | None,
    limit: Eval,
    limited: Callable[[QueryContext, Pacer, int, int | None], Iterator[Any]],
) -> tuple[
    Callable[[QueryContext, Pacer], Iterator[Any]],
    Callable[[QueryContext], list[Any] | None],
    Callable[[QueryContext], list[Any] | None] | None,
]:
    """``WHERE actor_type = v [ORDER BY actor_id] LIMIT n [OFFSET m]`` and nothing that groups,
    sorts otherwise or locks: the first m + n entries of the type index, read at once
    (``Executor.first_of_type``), with no per-row recheck of WHERE (those entries are exactly
    the rows it accepts) and none of the scan, merge and window generators per row. Its rows
    come in actor_id order, as the scan's do, and are read when the protocol asks for the first
    one, as the scan reads. LIMIT ALL, or more rows than ``FIRST_OF_TYPE_ROWS``, go through
    ``limited`` (the general path), which paces a long scan.

    Also its ``read_at_once``: up to ``AT_ONCE_ROWS`` rows, projected before any is sent; and,
    when there is no projection, its ``stored_at_once``: those rows as stored."""

    def window(ctx: QueryContext) -> tuple[int, int | None]:
        return _limit_value(offset, ctx, "OFFSET", "2201X") or 0, _limit_value(limit, ctx, "LIMIT", "2201W")

    def found(ctx: QueryContext, first: int, count: int, as_stored: bool = False) -> list[Any]:
        actor_type = value(None, ctx)
        if actor_type is None or not count:
            return []
        executor = ctx.executor
        rows = (executor.first_of_type_stored if as_stored else executor.first_of_type)(actor_type, first + count)
        return rows[first:] if first else rows

    def first_of_type(ctx: QueryContext, pacer: Pacer) -> Iterator[Any]:
        first, count = window(ctx)
        if count is None or first + count > FIRST_OF_TYPE_ROWS:
            return limited(ctx, pacer, first, count)
        # Read when the first row is asked for; then each row comes at C speed, not through
        # a generator's resumption.
        return itertools.chain.from_iterable(batch(ctx, first, count))

    def batch(ctx: QueryContext, first: int, count: int) -> Iterator[Iterable[Any]]:
        rows = found(ctx, first, count)
        # A projection runs row by row, as the rows are sent (an Execute's max_rows may stop early).
        yield rows if projection is None else ([fn(row, ctx) for fn in projection] for row in rows)

    def at_once(ctx: QueryContext, as_stored: bool = False) -> list[Any] | None:
        first, count = window(ctx)
        if count is None or first + count > AT_ONCE_ROWS:
            return None
        rows = found(ctx, first, count, as_stored)
        return rows if projection is None else [[fn(row, ctx) for fn in projection] for row in rows]

    # The whole row, unprojected, can go out as stored.
    return first_of_type, at_once, None if projection is not None else functools.partial(at_once, as_stored=True)


def _locking(stmt: ast.SelectStmt, source: Operator, grouping: Grouping | None) -> ast.LockingClause | None:
    """FOR UPDATE / SHARE: locks the actors rows of a query over actors alone (none without FROM)."""
    locking = stmt.locking
    if locking is None or not stmt.from_clause:
        return None
    shown = "FOR " + locking.strength.upper()
    if grouping is not None:
        message = "GROUP BY clause" if stmt.group_by else "aggregate functions"
        raise errors.PgError(errors.FEATURE_NOT_SUPPORTED, f"{shown} is not allowed with {message}")
    if stmt.distinct is not None:
        raise errors.PgError(errors.FEATURE_NOT_SUPPORTED, f"{shown} is not allowed with DISTINCT clause")
    if not isinstance(source, ActorScan):
        raise errors.PgError(errors.FEATURE_NOT_SUPPORTED, f"{shown} over joins or subqueries is not supported yet")
    return locking


def _is_actor_id(item: ast.SortBy, scope: QueryScope) -> bool:
    if item.descending or item.nulls_first or not isinstance(item.node, ast.ColumnRef):
        return False
    try:
        attr = scope.lookup(item.node)
    except errors.PgError:
        return False
    return attr is not None and attr.index == 0 and attr.origin == (relation.ACTORS_OID, 1)


def _window(rows: Iterable[Any], first: int, count: int | None) -> Iterator[Any]:
    """OFFSET and LIMIT over rows that may hold PAUSE (which they do not count)."""
    end = None if count is None else first + count
    if end == 0:
        return
    seen = 0
    for row in rows:
        if row is PAUSE:
            yield row
            continue
        if seen >= first:
            yield row
        seen += 1
        if end is not None and seen >= end:
            return


def _unique(records: Iterable[Any], values_of: Callable[[Any], Any]) -> Iterator[Any]:
    seen: set[Any] = set()
    for record in records:
        marker = hashable(values_of(record))
        if marker not in seen:
            seen.add(marker)
            yield record


def _group_key(node: ast.Node, stmt: ast.SelectStmt, scope: QueryScope, level: Level) -> ast.Node:
    """GROUP BY item: a result position, an input column, a result column name, or an expression."""
    if isinstance(node, ast.A_Const) and node.kind == "integer":
        index = _position(node, len(stmt.targets), level.params, "GROUP BY")
        target = stmt.targets[index].value
        if isinstance(target, ast.A_Star):
            raise errors.PgError(errors.FEATURE_NOT_SUPPORTED, "GROUP BY position of * is not supported yet")
        return target
    if isinstance(node, ast.ColumnRef) and len(node.fields) == 1:
        try:
            found = scope.lookup(node)
        except errors.PgError:
            found = None
        if found is None:
            named = [t.value for t in stmt.targets if t.name == node.fields[0]]
            if named:
                return named[0]
    aggregate = _has_aggregate(node)
    if aggregate is not None:
        raise errors.PgError(
            GROUPING_ERROR, "aggregate functions are not allowed in GROUP BY", position=aggregate.loc + 1
        )
    return node


def _targets(stmt: ast.SelectStmt, scope: QueryScope, compiler: QueryCompiler, resolve_unknown: bool) -> list[_Target]:
    targets: list[_Target] = []
    for target in stmt.targets:
        value = target.value
        star = isinstance(value, ast.A_Star) or (isinstance(value, ast.ColumnRef) and value.fields[-1] == "*")
        if star:
            if isinstance(value, ast.A_Star) and not scope.items:
                raise errors.PgError(
                    errors.SYNTAX_ERROR, "SELECT * with no tables specified is not valid", position=target.loc + 1
                )
            qualifier = value.fields[-2] if isinstance(value, ast.ColumnRef) else None
            for attr in scope.star(qualifier, target.loc):
                ref = ast.ColumnRef((attr.name,), target.loc)
                if compiler.grouping is not None:
                    compiled = compiler.grouping.match(ref) or _grouped_attr(compiler, attr, ref)
                else:
                    compiled = Compiled(attr.reader(), attr.type)
                targets.append(_Target(attr.name, compiled, ref if compiler.grouping is None else None, attr.origin))
            continue
        compiled = compiler.compile(value)
        if resolve_unknown:
            compiled = coerce(compiled, types.TEXT, target.loc)
        origin = (0, 0)
        if isinstance(value, ast.ColumnRef):
            attr = scope.lookup(value)
            if attr is not None:
                origin = attr.origin
        targets.append(_Target(target.name or column_name(value), compiled, value, origin, target.loc))
    return targets


def _grouped_attr(compiler: QueryCompiler, attr: Attr, ref: ast.ColumnRef) -> Compiled:
    assert compiler.grouping is not None
    dependent = compiler.grouping.dependent(attr)
    if dependent is None:
        raise compiler.grouping.ungrouped(attr, ref)
    return dependent


def _sort_expression(
    node: ast.Node,
    targets: list[_Target],
    names: list[str],
    compiler: QueryCompiler,
    stmt: ast.SelectStmt,
    level: Level,
) -> Eval:
    """An ORDER BY item as a function of the (input or grouped) row (findTargetlistEntrySQL92)."""
    if isinstance(node, ast.A_Const) and node.kind == "integer":
        target = targets[_position(node, len(targets), level.params, "ORDER BY")]
        return _orderable(target.compiled, node).fn
    if isinstance(node, ast.ColumnRef) and len(node.fields) == 1 and node.fields[0] in names:
        matches = [t for t in targets if t.name == node.fields[0]]
        if len({id(t.node) for t in matches}) > 1 and len({repr(t.node) for t in matches}) > 1:
            raise errors.PgError(AMBIGUOUS_COLUMN, f'ORDER BY "{node.fields[0]}" is ambiguous', position=node.loc + 1)
        return _orderable(matches[0].compiled, node).fn
    compiled = _orderable(compiler.compile(node), node)
    if stmt.distinct == []:
        shapes = [repr(_strip(t.node)) for t in targets]
        if repr(_strip(node)) not in shapes:
            raise errors.PgError(
                INVALID_COLUMN_REFERENCE,
                "for SELECT DISTINCT, ORDER BY expressions must appear in select list",
                position=getattr(node, "loc", 0) + 1,
            )
    return compiled.fn


def _strip(node: Any) -> Any:
    """An expression without its locations, to compare two as written."""
    if isinstance(node, ast.Node):
        return (type(node).__name__, *(_strip(getattr(node, n)) for n in node.__slots__ if n not in _LOCATIONS))
    if isinstance(node, list | tuple):
        return tuple(_strip(item) for item in node)
    return node


# --- EXPLAIN ------------------------------------------------------------------------------------


def explain_lines(plan: SelectPlan, ctx: QueryContext) -> list[str]:
    """EXPLAIN's text format: the root, then each child as ``->`` indented six more spaces."""
    lines: list[str] = []

    def emit(entries: list[Any], depth: int) -> None:
        for entry in entries:
            if isinstance(entry, Operator):
                emit(entry.explain(ctx), depth)
                continue
            text, children = entry
            if depth == 0:
                lines.append(text)
            else:
                lines.append(" " * (6 * depth - 4) + "->  " + text)
            emit(children, depth + 1)

    emit(plan.explain(ctx), 0)
    return lines
