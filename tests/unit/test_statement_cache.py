"""The parse cache: the grammar runs once per distinct text, within a fixed bound."""

from __future__ import annotations

import pytest

from orbit_pg import errors
from orbit_pg.sql import cache
from orbit_pg.sql.cache import StatementCache


def test_repeated_text_is_parsed_once() -> None:
    statements = StatementCache()
    first = statements.parse("SELECT * FROM actors WHERE actor_id = $1")
    again = statements.parse("SELECT * FROM actors WHERE actor_id = $1")
    assert again is first
    assert (statements.hits, statements.misses) == (1, 1)


def test_bounded_least_recently_used() -> None:
    statements = StatementCache(capacity=3)
    for n in range(10):
        statements.parse(f"SELECT {n}")
    statements.parse("SELECT 7")
    assert len(statements) == 3 and statements.hits == 1
    statements.parse("SELECT 0")
    assert statements.misses == 11


def test_errors_and_long_texts_are_not_kept() -> None:
    statements = StatementCache()
    for _ in range(2):
        with pytest.raises(errors.PgError):
            statements.parse("SELEC 1")
    long_text = "SELECT 1" + " " * cache.MAX_CACHED_TEXT
    statements.parse(long_text)
    assert len(statements) == 0 and statements.misses == 3
