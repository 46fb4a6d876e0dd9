"""The grammar builds PostgreSQL-shaped trees and reports syntax errors where PostgreSQL does."""

from __future__ import annotations

from decimal import Decimal

import pytest

from orbit_pg import errors
from orbit_pg.sql import ast
from orbit_pg.sql.grammar import parse
from orbit_pg.sql.lexer import blank_comments


def target(sql: str) -> ast.Node:
    (stmt,) = parse(sql)
    assert isinstance(stmt, ast.SelectStmt)
    return stmt.targets[0].value


def test_precedence_follows_postgresql() -> None:
    # NOT binds looser than IS and comparison; AND looser than NOT; * tighter than +; || between.
    node = target("SELECT NOT a = 1 + 2 * 3 IS NULL OR b AND c")
    assert isinstance(node, ast.BoolExpr) and node.op == "or"
    negation, conjunction = node.args
    assert negation.op == "not" and isinstance(negation.args[0], ast.NullTest)
    comparison = negation.args[0].arg
    assert comparison.op == "=" and comparison.right.op == "+" and comparison.right.right.op == "*"
    assert conjunction.op == "and"


def test_unary_minus_after_an_operator_is_two_tokens() -> None:
    node = target("SELECT 2*-3")
    assert node.op == "*" and node.right.op == "-" and node.right.left is None


@pytest.mark.parametrize(
    ("sql", "value"),
    [
        ("SELECT 'it''s'", "it's"),
        ("SELECT E'a\\nb\\x41\\101'", "a\nbAA"),
        ("SELECT $$a 'q' $$", "a 'q' "),
        ("SELECT $tag$x$y$tag$", "x$y"),
        ("SELECT 12", 12),
        ("SELECT 1.50", Decimal("1.50")),
        ("SELECT 2e3", Decimal("2e3")),
        ("SELECT NULL", None),
        ("SELECT TRUE", True),
    ],
)
def test_literals(sql: str, value: object) -> None:
    node = target(sql)
    assert isinstance(node, ast.A_Const) and node.value == value


def test_identifiers_fold_to_lower_case_unless_quoted() -> None:
    (stmt,) = parse('SELECT Actor_Id AS "Id" FROM Public.ACTORS a')
    assert stmt.targets[0].value.fields == ("actor_id",)
    assert stmt.targets[0].name == "Id"
    (table,) = stmt.from_clause
    assert (table.schema, table.name, table.alias) == ("public", "actors", "a")


def test_comments_keep_positions() -> None:
    text = "SELECT /* a ' b */ 1 -- trailing 'x'\n, '--not a comment'"
    assert len(blank_comments(text)) == len(text)
    stmt = parse(text)[0]
    assert [t.value.value for t in stmt.targets] == [1, "--not a comment"]
    assert stmt.targets[0].value.loc == text.index("1")


def test_several_statements_and_empty_ones() -> None:
    assert parse("") == [] and parse(" ; ;") == []
    assert [type(s).__name__ for s in parse("BEGIN; SELECT 1;; COMMIT")] == [
        "TransactionStmt",
        "SelectStmt",
        "TransactionStmt",
    ]


@pytest.mark.parametrize(
    ("sql", "message", "position"),
    [
        ("SELEC 1", 'syntax error at or near "SELEC"', 1),
        ("SELECT * FROM actors WHERE", "syntax error at end of input", 27),
        ("SELECT 1 +", "syntax error at end of input", 11),
        ("SELECT 1 2", 'syntax error at or near "2"', 10),
        ("SELECT 'abc", 'unterminated quoted string at or near "\'abc"', 8),
        ('SELECT "" FROM actors', 'zero-length delimited identifier at or near """"', 8),
        ("SELECT 1; SELEC 2", 'syntax error at or near "SELEC"', 11),
        ("DELETE actors", 'syntax error at or near "actors"', 8),
    ],
)
def test_syntax_errors(sql: str, message: str, position: int) -> None:
    with pytest.raises(errors.PgError) as info:
        parse(sql)
    assert (info.value.sqlstate, info.value.message, info.value.position) == ("42601", message, position)


def test_set_show_reset_forms() -> None:
    stmts = parse("SET TIME ZONE 'UTC'; SET LOCAL search_path TO a, \"B\"; SHOW TRANSACTION ISOLATION LEVEL; RESET ALL")
    assert (stmts[0].name, stmts[0].values[0].value) == ("timezone", "UTC")
    assert stmts[1].is_local and [v.value for v in stmts[1].values] == ["a", "B"]
    assert stmts[2].name == "transaction_isolation"
    assert stmts[3].reset and stmts[3].name is None
