"""Expressions with ``$n`` parameters (the extended protocol, through psycopg), on orbit-pg and
PostgreSQL 15: a parameter takes its type from the form it stands in (IN, BETWEEN, LIKE, ARRAY,
CASE, ANY, subscripts), as PostgreSQL infers it."""

from __future__ import annotations

from typing import Any

import pytest
from drivers import Server, connect

BOOL, INT4, TEXT_ARRAY = 16, 23, 1009


@pytest.mark.parametrize(
    ("sql", "params", "rows", "type_codes"),
    [
        ("SELECT %s IN (%s, %s)", ("a", "b", "a"), [(True,)], [BOOL]),
        ("SELECT 5 BETWEEN %s AND %s", (1, 9), [(True,)], [BOOL]),
        ("SELECT 'abc' LIKE %s, 'abc' ~ %s", ("a%", "^a"), [(True, True)], [BOOL, BOOL]),
        ("SELECT ARRAY[%s, %s]", ("x", "y"), [(["x", "y"],)], [TEXT_ARRAY]),
        ("SELECT CASE %s WHEN 'a' THEN 1 ELSE 2 END", ("a",), [(1,)], [INT4]),
        ("SELECT (%s::int[])[%s]", ([4, 5], 2), [(5,)], [INT4]),
        ("SELECT 2 = ANY (%s), 3 <> ALL (%s)", ([1, 2], [3]), [(True, False)], [BOOL, BOOL]),
        ("SELECT 1 IS DISTINCT FROM %s", (None,), [(True,)], [BOOL]),
    ],
)
def test_parameters_typed_by_their_form(
    server: Server, sql: str, params: tuple[Any, ...], rows: list[tuple[Any, ...]], type_codes: list[int]
) -> None:
    with connect(server) as conn:
        cur = conn.execute(sql, params)
        assert (cur.fetchall(), [d.type_code for d in cur.description or []]) == (rows, type_codes)
