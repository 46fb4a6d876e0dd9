"""Choose how to find the rows a WHERE clause asks for: a key lookup, the type index, or a scan."""

from __future__ import annotations

from dataclasses import dataclass

from orbit_pg import errors, types
from orbit_pg.sql import ast
from orbit_pg.sql.expressions import Compiler, Eval, Params, Scope, coerce

ACTOR_ID, ACTOR_TYPE = 0, 1


@dataclass(slots=True)
class AccessPath:
    kind: str  # 'key' (actor_id = v), 'type' (actor_type = v) or 'scan'
    value: Eval | None = None


SCAN = AccessPath("scan")


def _conjuncts(node: ast.Node) -> list[ast.Node]:
    if isinstance(node, ast.BoolExpr) and node.op == "and":
        return [leaf for arg in node.args for leaf in _conjuncts(arg)]
    return [node]


def _constant_text(node: ast.Node, params: Params | None) -> Eval | None:
    """A side that names no column (a literal, a parameter) and is text, evaluated once per execution."""
    try:
        compiled = coerce(Compiler(Scope(), params).compile(node), types.TEXT, getattr(node, "loc", 0))
    except errors.PgError:
        return None
    return compiled.fn if compiled.type.category == "S" else None


def choose(where: ast.Node | None, scope: Scope, params: Params | None = None) -> AccessPath:
    """The WHERE clause is still applied to every row found; this only narrows the search."""
    if where is None:
        return SCAN
    by_type: AccessPath | None = None
    for conjunct in _conjuncts(where):
        if not (
            isinstance(conjunct, ast.A_Expr)
            and conjunct.kind == "op"
            and conjunct.op == "="
            and conjunct.left is not None
        ):
            continue
        for column_side, value_side in ((conjunct.left, conjunct.right), (conjunct.right, conjunct.left)):
            if not isinstance(column_side, ast.ColumnRef):
                continue
            index = scope.resolve(column_side).index
            if index not in (ACTOR_ID, ACTOR_TYPE):
                continue
            value = _constant_text(value_side, params)
            if value is None:
                continue
            if index == ACTOR_ID:
                return AccessPath("key", value)
            by_type = by_type or AccessPath("type", value)
    return by_type or SCAN
