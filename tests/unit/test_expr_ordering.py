"""Orderings and patterns the differential corpus (data/compare/expr.sql) cannot enumerate: a
list sorted as PostgreSQL 15's ``ORDER BY`` sorted it, and regular-expression translations."""

from __future__ import annotations

import pytest

from orbit_pg import jsonb, types
from orbit_pg.errors import PgError
from orbit_pg.sql import array_ops, patterns
from orbit_pg.sql.expressions import order_key


def test_jsonb_order_matches_postgresql() -> None:
    # SELECT string_agg(v::text, ' | ' ORDER BY v) FROM unnest(ARRAY[...]::jsonb[]) v on PostgreSQL 15
    expected = [
        "[]",
        "null",
        '""',
        '"a"',
        '"aa"',
        '"b"',
        "-1",
        "1",
        "1.5",
        "false",
        "true",
        "[null]",
        '["z"]',
        "[1]",
        "[2]",
        "[[]]",
        "[1, 2]",
        "{}",
        '{"aa": 1}',
        '{"b": 1}',
        '{"a": 1, "b": 2}',
    ]
    key = order_key(types.JSONB, 0)
    assert key is not None
    shuffled = [jsonb.canonical(text) for text in reversed(expected)]
    assert [value.decode() for value in sorted(shuffled, key=key)] == expected


def test_array_order_is_element_wise_then_length() -> None:
    # PostgreSQL 15: {} | {1} | {1,2} | {{1,2}} | {1,2,3} | {1,NULL} | {2}
    key = array_ops.sort_key(None)
    arrays = [[2], [1, 2, 3], [1, None], [1, 2], [], [[1, 2]], [1]]
    assert sorted(arrays, key=key) == [[], [1], [1, 2], [[1, 2]], [1, 2, 3], [1, None], [2]]


@pytest.mark.parametrize(
    ("text", "pattern", "expected"),
    [
        ("foo bar", r"\mbar", True),
        ("foobar", r"\mbar", False),
        ("a1", "[[:digit:]]$", True),
        ("ab\n", "b$", False),
        ("a\nb", "a.b", True),
        ("x]", "[]]", True),
    ],
)
def test_are_translation(text: str, pattern: str, expected: bool) -> None:
    assert patterns.regex_match(text, pattern) is expected


@pytest.mark.parametrize(
    ("pattern", "message"),
    [
        ("(", "invalid regular expression: parentheses () not balanced"),
        ("[a", "invalid regular expression: brackets [] not balanced"),
        ("a{2,", "invalid regular expression: braces {} not balanced"),
        ("*", "invalid regular expression: quantifier operand invalid"),
    ],
)
def test_invalid_regular_expression(pattern: str, message: str) -> None:
    with pytest.raises(PgError) as raised:
        patterns.compile_regex(pattern)
    assert (raised.value.sqlstate, raised.value.message) == ("2201B", message)
