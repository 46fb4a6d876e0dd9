"""Random token soup as simple Queries on one connection: the lexer, the statement cache,
the grammar, analysis and execution must answer each with rows or a proper error, never an
internal error or a malformed reply."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from backend_messages import check_replies
from conftest import SCALE
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from protocol_harness import Connection, make_factory, query, startup

from orbit_pg.storage.lmdb_store import ActorStore

KEYWORDS = """SELECT FROM WHERE INSERT INTO VALUES UPDATE SET DELETE RETURNING ON CONFLICT DO NOTHING
AND OR NOT NULL IS IN LIKE ILIKE BETWEEN CASE WHEN THEN ELSE END ORDER BY ASC DESC NULLS FIRST LAST LIMIT
OFFSET AS CAST DISTINCT TRUE FALSE BEGIN COMMIT ROLLBACK SHOW RESET PREPARE EXECUTE DEALLOCATE CREATE
ALTER DROP ROLE USER GRANT REVOKE TO ALL PRIVILEGES TABLE IF EXISTS PASSWORD LOGIN SUPERUSER WITH
EXCLUDED DEFAULT COALESCE NULLIF jsonb_build_object jsonb_set to_jsonb now lower upper length count
sum int4 text jsonb numeric boolean timestamptz interval""".split()
NAMES = ["actors", "actor_id", "actor_type", "state", "a", "public", "pg_catalog", '"Actors"', "x"]
LITERALS = [
    "'a'",
    "''",
    "'it''s'",
    "'{}'",
    "'{\"n\": 1}'",
    "'[1, 2]'",
    "1",
    "0",
    "-2",
    "3.5",
    "1e309",
    "2147483648",
    "$1",
    "E'\\n'",
    "'2024-01-01'",
    "'1 day'",
]
OPERATORS = [
    "=",
    "<>",
    "<",
    ">=",
    "+",
    "-",
    "*",
    "/",
    "%",
    "->",
    "->>",
    "#>",
    "@>",
    "?",
    "||",
    "(",
    ")",
    ",",
    ";",
    "[",
    "]",
    ".",
    "::",
    "'",
    '"',
    "--",
    "/*",
    "*/",
]
token = st.sampled_from(KEYWORDS + NAMES + LITERALS + OPERATORS)
soup = st.lists(token, min_size=1, max_size=14).map(" ".join)
# Soups that start like a real statement get further into the grammar.
statement_like = st.tuples(
    st.sampled_from(
        [
            "SELECT",
            "SELECT * FROM actors WHERE",
            "INSERT INTO actors VALUES (",
            "UPDATE actors SET",
            "DELETE FROM actors WHERE",
            "CREATE ROLE",
            "GRANT",
            "SET",
            "SHOW",
        ]
    ),
    soup,
).map(" ".join)


@pytest.fixture(scope="module")
def connection(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Connection]:
    store = ActorStore(str(tmp_path_factory.mktemp("sql-fuzz") / "data"), sync=False)
    conn = Connection(make_factory(store))
    conn.send(startup())
    conn.send(query("INSERT INTO actors VALUES ('a', 'b', '{\"n\": 1}')"))
    yield conn
    store.close()


@settings(
    max_examples=int(1500 * SCALE),
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(st.one_of(soup, statement_like))
def test_token_soup(connection: Connection, text: str) -> None:
    replies = check_replies(connection.send_raw(query(text)))
    assert replies and replies[-1][0] == "Z", replies
    if replies[-1][1] == b"E" or replies[-1][1] == b"T":
        connection.send(query("ROLLBACK"))  # the next soup starts outside a transaction block
