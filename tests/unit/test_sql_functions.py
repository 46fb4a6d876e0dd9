"""Operators as PostgreSQL's lexer and grammar read them, overload resolution, and the
"SQL over actors" example run through the executor."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from orbit_pg import types
from orbit_pg.errors import PgError
from orbit_pg.session import Session
from orbit_pg.sql import ast, resolution
from orbit_pg.sql.executor import Executor
from orbit_pg.sql.grammar import parse
from orbit_pg.storage.lmdb_store import ActorStore


def target(sql: str) -> ast.Node:
    (stmt,) = parse(sql)
    assert isinstance(stmt, ast.SelectStmt)
    return stmt.targets[0].value


@pytest.mark.parametrize(
    ("sql", "op", "right"),
    [
        ("SELECT a->-1", "->", "-"),  # ->- has no ~!@#^&|`?%: the trailing - is a prefix minus
        ("SELECT a->>-1", "->>", "-"),
        ("SELECT 2*-3", "*", "-"),
        ("SELECT a @>-1", "@>-", None),  # @ keeps the - in the operator
        ("SELECT a?|b", "?|", None),
        ("SELECT a#>>b", "#>>", None),
    ],
)
def test_operators_are_cut_as_postgresql_cuts_them(sql: str, op: str, right: str | None) -> None:
    node = target(sql)
    assert isinstance(node, ast.A_Expr) and node.op == op
    if right is not None:
        assert isinstance(node.right, ast.A_Expr) and node.right.op == right and node.right.left is None


def test_other_operators_sit_between_comparison_and_addition() -> None:
    # state->'a'->>'b' = 'x' || 'y' + 1  is  ((state->'a')->>'b') = (('x' || ('y' + 1)))
    node = target("SELECT s->'a'->>'b' = 'x' || 'y' + 1")
    assert node.op == "="
    assert node.left.op == "->>" and node.left.left.op == "->"
    assert node.right.op == "||" and node.right.right.op == "+"
    assert target("SELECT s ? 'a' IS NULL").__class__ is ast.NullTest
    assert target("SELECT s - 'a' || t").op == "||"  # - binds tighter than ||
    assert target("SELECT 2 * 3 ^ 2").right.op == "^"


def test_sql_syntax_functions_are_calls() -> None:
    node = target("SELECT trim(leading 'x' from s)")
    assert isinstance(node, ast.FuncCall) and node.name == "ltrim" and node.system
    assert [type(a) for a in node.args] == [ast.ColumnRef, ast.A_Const]
    node = target("SELECT substring(s for 2)")
    assert node.name == "substring" and node.args[1].value == 1 and node.args[2].value == 2
    node = target("SELECT position('b' in s)")
    assert node.name == "position" and isinstance(node.args[0], ast.ColumnRef)
    assert target("SELECT left(s, 2)").name == "left"
    assert target("SELECT '{a}'::text[]").type_name == "text[]"


@pytest.mark.parametrize(
    ("candidates", "args", "expected"),
    [
        # round(1): float8 is the preferred numeric type
        ([(types.FLOAT8,), (types.NUMERIC,)], (types.INT4,), [0]),
        # abs('-5'): an unknown takes the preferred type of the only category
        ([(types.INT4,), (types.FLOAT8,), (types.NUMERIC,)], (types.UNKNOWN,), [1]),
        # length(NULL): string category wins, then text as the preferred string type
        ([(types.BPCHAR,), (types.TEXT,), (types.BYTEA,), (resolution.BIT,)], (types.UNKNOWN,), [1]),
        # jsonb -> unknown: text over integer
        ([(types.JSONB, types.TEXT), (types.JSONB, types.INT4)], (types.JSONB, types.UNKNOWN), [0]),
        # unknown ?| unknown: jsonb and point, no category to choose: ambiguous
        (
            [(types.JSONB, types.ARRAY_OF[types.TEXT]), (resolution.POINT, resolution.POINT)],
            (types.UNKNOWN,) * 2,
            [0, 1],
        ),
        # jsonb -> bigint: no implicit cast to integer
        ([(types.JSONB, types.TEXT), (types.JSONB, types.INT4)], (types.JSONB, types.INT8), []),
    ],
)
def test_overload_resolution(candidates: list, args: tuple, expected: list[int]) -> None:
    assert resolution.select(candidates, args) == expected


def test_common_type() -> None:
    assert (
        resolution.common_type([(types.UNKNOWN, 0), (types.INT4, 3), (types.NUMERIC, 6)], "COALESCE") is types.NUMERIC
    )
    assert resolution.common_type([(types.UNKNOWN, 0), (types.UNKNOWN, 3)], "COALESCE") is types.TEXT
    with pytest.raises(PgError) as raised:
        resolution.common_type([(types.INT4, 0), (types.TEXT, 9)], "COALESCE")
    assert (raised.value.message, raised.value.position) == ("COALESCE types integer and text cannot be matched", 10)


@pytest.fixture
def executor(tmp_path: Path) -> Iterator[Executor]:
    store = ActorStore(str(tmp_path))
    yield Executor(store, Session("orbit", "actors", {}))
    store.close()


def run(executor: Executor, sql: str) -> list[list]:
    rows = []
    for stmt in parse(sql):
        rows = [list(row) for row in executor.execute(stmt).rows]
    executor.end_of_query()
    executor.commit_now()
    return rows


def test_the_issue_example_runs_through_the_executor(executor: Executor) -> None:
    run(executor, """INSERT INTO actors VALUES ('user:1', 'user', '{"balance": 100, "name": "Ann"}')""")
    run(
        executor,
        "UPDATE actors SET state = jsonb_set(state, '{balance}', to_jsonb((state->>'balance')::int + 500)) "
        "WHERE actor_id = 'user:1'",
    )
    [[state]] = run(executor, "SELECT state FROM actors WHERE actor_id = 'user:1'")
    assert state == b'{"name": "Ann", "balance": 600}'
    assert json.loads(state) == {"name": "Ann", "balance": 600}
    assert run(executor, "SELECT actor_id FROM actors WHERE state @> '{\"balance\": 600}' AND state ? 'name'") == [
        ["user:1"]
    ]
    assert run(executor, "SELECT (state->>'balance')::int > 500, state #>> '{name}' FROM actors") == [[True, "Ann"]]
