"""AST nodes, named after PostgreSQL's ``parsenodes.h``; ``loc`` is a 0-based character offset."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any


class Node:
    __slots__ = ()


@dataclass(slots=True)
class A_Const(Node):
    """A literal; ``kind`` is 'string', 'integer', 'numeric', 'bool' or 'null', or 'implied' for
    an integer the grammar adds that the text does not hold (SUBSTRING(x FOR n) starts at 1).

    ``slot`` numbers the literals the lexer found: a plan then reads the value of the text
    it runs for, not the one it was parsed from.
    """

    value: Any
    kind: str
    loc: int
    slot: int | None = None


@dataclass(slots=True)
class ColumnRef(Node):
    fields: tuple[str, ...]
    loc: int


@dataclass(slots=True)
class ParamRef(Node):
    number: int
    loc: int


@dataclass(slots=True)
class A_Star(Node):
    loc: int


@dataclass(slots=True)
class FuncCall(Node):
    name: str
    args: list[Node]
    loc: int
    # SQL-standard keywords such as CURRENT_USER are written without parentheses.
    keyword: bool = False
    # Written in SQL's own syntax (TRIM(BOTH x FROM y), POSITION(a IN b)): errors name
    # the function pg_catalog.name, as PostgreSQL's SystemFuncName does.
    system: bool = False
    # An aggregate's call forms: count(*), f(DISTINCT x), string_agg(x, ',' ORDER BY y).
    agg_star: bool = False
    agg_distinct: bool = False
    agg_order: list[SortBy] = field(default_factory=list)


@dataclass(slots=True)
class A_Expr(Node):
    """An operator expression (``left`` is None for a prefix operator such as unary minus).

    ``kind`` is A_Expr_Kind's: 'op' (plain), 'op_any' / 'op_all' (``left op ANY (array)``),
    'distinct' / 'not_distinct', 'in' (``op`` '=' or '<>', ``right`` a list of nodes), 'like',
    'ilike', 'similar' (``op`` names the operator, ``escape`` the ESCAPE character's
    expression), 'between', 'not_between', 'between_sym', 'not_between_sym' (``right`` the two
    bounds).
    """

    op: str
    left: Node | None
    right: Any
    loc: int
    kind: str = "op"
    escape: Node | None = None


@dataclass(slots=True)
class BoolExpr(Node):
    op: str  # 'and', 'or', 'not'
    args: list[Node]
    loc: int


@dataclass(slots=True)
class NullTest(Node):
    arg: Node
    negated: bool
    loc: int


@dataclass(slots=True)
class BooleanTest(Node):
    """IS [NOT] TRUE / FALSE."""

    arg: Node
    value: bool
    negated: bool
    loc: int


@dataclass(slots=True)
class CaseWhen(Node):
    expr: Node
    result: Node
    loc: int


@dataclass(slots=True)
class CaseExpr(Node):
    """CASE [arg] WHEN ... THEN ... [ELSE defresult] END."""

    arg: Node | None
    args: list[CaseWhen]
    defresult: Node | None
    loc: int


@dataclass(slots=True)
class A_ArrayExpr(Node):
    """ARRAY[...]; an element that is itself ``[...]`` (no ARRAY keyword) is a sub-array."""

    elements: list[Node]
    loc: int


@dataclass(slots=True)
class A_Indices(Node):
    """One subscript: ``[uidx]``, or a slice ``[lidx:uidx]`` (either bound may be left out)."""

    is_slice: bool
    lidx: Node | None
    uidx: Node | None


@dataclass(slots=True)
class A_Indirection(Node):
    arg: Node
    indirection: list[A_Indices]
    loc: int


@dataclass(slots=True)
class CollateClause(Node):
    arg: Node
    collname: str
    loc: int


@dataclass(slots=True)
class TypeCast(Node):
    """``loc`` is the expression's leftmost token; ``type_loc`` the type name's; ``cast_loc``
    the ``::`` or CAST keyword's, where PostgreSQL reports a cast that does not exist."""

    arg: Node
    type_name: str
    loc: int
    type_loc: int
    cast_loc: int | None = None


@dataclass(slots=True)
class ResTarget(Node):
    value: Node
    name: str | None
    loc: int


@dataclass(slots=True)
class RangeVar(Node):
    schema: str | None
    name: str
    alias: str | None
    loc: int


@dataclass(slots=True)
class SortBy(Node):
    node: Node
    descending: bool
    nulls_first: bool | None


@dataclass(slots=True)
class RangeSubselect(Node):
    """A subquery in FROM: ``(SELECT ...) AS alias(colnames)``."""

    subquery: SelectStmt
    alias: str | None
    colnames: list[str]
    loc: int


@dataclass(slots=True)
class RangeFunction(Node):
    """A function in FROM: ``generate_series(1, 3) AS alias(colnames)``."""

    function: FuncCall
    alias: str | None
    colnames: list[str]
    loc: int


@dataclass(slots=True)
class JoinExpr(Node):
    """``larg [jointype] JOIN rarg ON quals | USING (...)``; a comma in FROM is a 'cross' join."""

    jointype: str  # 'inner', 'left', 'right', 'full', 'cross'
    larg: Node
    rarg: Node
    quals: Node | None = None
    using: list[tuple[str, int]] | None = None
    natural: bool = False
    loc: int = 0


@dataclass(slots=True)
class CommonTableExpr(Node):
    name: str
    colnames: list[str]
    query: SelectStmt
    loc: int


@dataclass(slots=True)
class SubLink(Node):
    """A subquery in an expression: EXISTS, ``x op ANY/ALL (SELECT ...)`` (IN is ``= ANY``),
    a scalar subquery ('expr'), or ARRAY(SELECT ...) ('array')."""

    kind: str  # 'exists', 'any', 'all', 'expr', 'array'
    testexpr: Node | None
    op: str | None
    subselect: SelectStmt
    loc: int


@dataclass(slots=True)
class LockingClause(Node):
    """FOR UPDATE / NO KEY UPDATE / SHARE / KEY SHARE [NOWAIT | SKIP LOCKED]."""

    strength: str  # 'update', 'no key update', 'share', 'key share'
    wait_policy: str = "block"  # 'block', 'nowait', 'skip locked'


@dataclass(slots=True)
class SelectStmt(Node):
    """A SELECT, a VALUES list (``values_lists``), or a set operation (``op`` with ``larg``
    and ``rarg``); ``distinct`` is None, [] for DISTINCT, or DISTINCT ON's expressions."""

    targets: list[ResTarget]
    from_clause: list[Node]
    where: Node | None
    sort: list[SortBy] = field(default_factory=list)
    limit: Node | None = None
    offset: Node | None = None
    locking: LockingClause | None = None
    distinct: list[Node] | None = None
    group_by: list[Node] = field(default_factory=list)
    having: Node | None = None
    with_clause: list[CommonTableExpr] = field(default_factory=list)
    values_lists: list[list[Node]] | None = None
    op: str | None = None  # 'union', 'intersect', 'except'
    all: bool = False
    larg: SelectStmt | None = None
    rarg: SelectStmt | None = None
    loc: int = 0


@dataclass(slots=True)
class ExplainStmt(Node):
    query: Node
    loc: int


@dataclass(slots=True)
class SetToDefault(Node):
    """DEFAULT in a VALUES row or an UPDATE assignment."""

    loc: int


@dataclass(slots=True)
class OnConflictClause(Node):
    """ON CONFLICT [(columns) | ON CONSTRAINT name] DO NOTHING | DO UPDATE SET ... [WHERE ...]."""

    action: str  # 'nothing' or 'update'
    columns: list[tuple[str, int]] | None  # the inference specification
    constraint: tuple[str, int] | None
    assignments: list[tuple[str, int, Node]]
    where: Node | None
    loc: int


@dataclass(slots=True)
class InsertStmt(Node):
    """``rows`` for VALUES, ``select`` for INSERT ... SELECT, neither for DEFAULT VALUES."""

    table: RangeVar
    columns: list[tuple[str, int]] | None
    rows: list[list[Node]] | None
    select: Node | None = None
    on_conflict: OnConflictClause | None = None
    returning: list[ResTarget] = field(default_factory=list)
    with_clause: list[CommonTableExpr] = field(default_factory=list)


@dataclass(slots=True)
class UpdateStmt(Node):
    table: RangeVar
    assignments: list[tuple[str, int, Node]]
    where: Node | None
    from_tables: list[Node] = field(default_factory=list)  # FROM items
    returning: list[ResTarget] = field(default_factory=list)
    with_clause: list[CommonTableExpr] = field(default_factory=list)


@dataclass(slots=True)
class DeleteStmt(Node):
    table: RangeVar
    where: Node | None
    using: list[Node] = field(default_factory=list)  # FROM items
    returning: list[ResTarget] = field(default_factory=list)
    with_clause: list[CommonTableExpr] = field(default_factory=list)


@dataclass(slots=True)
class VariableSetStmt(Node):
    """SET name = values; ``values`` None means DEFAULT. ``name`` None with RESET ALL."""

    name: str | None
    values: list[A_Const] | None
    is_local: bool
    reset: bool = False


@dataclass(slots=True)
class VariableShowStmt(Node):
    name: str


@dataclass(slots=True)
class TransactionStmt(Node):
    """BEGIN, COMMIT, ROLLBACK and savepoints; ``modes`` are (setting, value) pairs of
    BEGIN's transaction modes, e.g. ("transaction_isolation", "serializable")."""

    kind: str  # 'begin', 'commit', 'rollback', 'savepoint', 'release', 'rollback_to'
    modes: list[tuple[str, str]] = field(default_factory=list)
    savepoint: str | None = None
    chain: bool = False


@dataclass(slots=True)
class TransactionModesStmt(Node):
    """SET TRANSACTION modes (``session`` False) or SET SESSION CHARACTERISTICS AS
    TRANSACTION modes (``session`` True): PostgreSQL's VAR_SET_MULTI forms of SET."""

    modes: list[tuple[str, str]]
    session: bool


@dataclass(slots=True)
class PrepareStmt(Node):
    name: str
    type_names: list[tuple[str, int]]  # (name, loc)
    statement: Node
    loc: int


@dataclass(slots=True)
class ExecuteStmt(Node):
    name: str
    params: list[Node]
    loc: int


@dataclass(slots=True)
class DeallocateStmt(Node):
    """DEALLOCATE name; ``name`` None is DEALLOCATE ALL."""

    name: str | None


@dataclass(slots=True)
class DiscardStmt(Node):
    target: str  # 'all', 'plans', 'sequences', 'temp'


@dataclass(slots=True)
class ListenStmt(Node):
    conditionname: str


@dataclass(slots=True)
class UnlistenStmt(Node):
    """UNLISTEN channel; ``conditionname`` None is UNLISTEN *."""

    conditionname: str | None


@dataclass(slots=True)
class NotifyStmt(Node):
    conditionname: str
    payload: A_Const | None


@dataclass(slots=True)
class CopyStmt(Node):
    """COPY table [(columns)] FROM STDIN | COPY table [(columns)] | (query) TO STDOUT, with options:
    (name, value) where value is an A_Const, a word, True (a bare option), or a list of names
    (["*"] for all); the old syntax's options arrive in the same form. ``filename`` None is STDIN/STDOUT."""

    relation: RangeVar | None
    query: Node | None
    attlist: list[tuple[str, int]] | None
    is_from: bool
    filename: A_Const | None
    options: list[tuple[str, Any]]
    loc: int


@dataclass(slots=True)
class DeclareCursorStmt(Node):
    """DECLARE name [options] CURSOR [WITH HOLD] FOR query; ``options`` are the words given
    ('binary', 'scroll', 'no scroll', 'insensitive', 'asensitive'), in order."""

    portalname: str
    options: list[str]
    hold: bool
    query: SelectStmt
    loc: int


@dataclass(slots=True)
class FetchStmt(Node):
    """FETCH or MOVE (``ismove``): every direction is 'forward', 'backward', 'absolute' or
    'relative' with a count (``how_many`` None is ALL; kind 'implied' where the text gives none)."""

    direction: str
    how_many: A_Const | None
    portalname: str
    ismove: bool


@dataclass(slots=True)
class ClosePortalStmt(Node):
    """CLOSE name; ``portalname`` None is CLOSE ALL."""

    portalname: str | None


@dataclass(slots=True)
class CreateRoleStmt(Node):
    """CREATE ROLE / CREATE USER (``is_user``: LOGIN unless NOLOGIN). ``options`` are
    (name, value) in order: ("superuser", bool), ("login", bool), ("password", A_Const | None)."""

    name: str
    options: list[tuple[str, Any]]
    is_user: bool = False


@dataclass(slots=True)
class AlterRoleStmt(Node):
    name: str
    options: list[tuple[str, Any]]


@dataclass(slots=True)
class DropRoleStmt(Node):
    names: list[str]
    missing_ok: bool


@dataclass(slots=True)
class GrantStmt(Node):
    """GRANT / REVOKE table privileges; ``privileges`` None is ALL."""

    is_grant: bool
    privileges: list[str] | None
    objects: list[RangeVar]
    grantees: list[str]


def walk(node: Any) -> Iterator[Node]:
    """Every node under ``node`` (itself included), depth first."""
    if isinstance(node, Node):
        yield node
        for name in node.__slots__:
            yield from walk(getattr(node, name))
    elif isinstance(node, list | tuple):
        for item in node:
            yield from walk(item)
