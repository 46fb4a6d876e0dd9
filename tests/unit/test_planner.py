"""Key and index lookups are chosen whenever the WHERE clause allows them."""

from __future__ import annotations

import pytest

from orbit_pg.sql import planner, relation
from orbit_pg.sql.grammar import parse


def access(where: str) -> str:
    (stmt,) = parse(f"SELECT * FROM actors WHERE {where}")
    return planner.choose(stmt.where, relation.resolve(stmt.from_clause[0])).kind


@pytest.mark.parametrize(
    ("where", "kind"),
    [
        ("actor_id = 'user:1'", "key"),
        ("'user:1' = actor_id", "key"),
        ("actors.actor_id = 'user:' || 'x' AND state IS NOT NULL", "key"),
        ("actor_type = 'user' AND actor_id = 'user:1'", "key"),
        ("actor_type = 'user'", "type"),
        ("actor_type = 'user' AND actor_id > 'a'", "type"),
        ("actor_id = 'a' OR actor_id = 'b'", "key"),
        ("actor_id = 'a' OR actor_type = 'b'", "scan"),
        ("actor_type = 'a' OR actor_type = 'b'", "type"),
        ("actor_id < 'a'", "range"),
        ("'a' <= actor_id AND actor_id <= 'b'", "range"),
        ("actor_id = actor_type", "scan"),
        ("actor_id > 'a'", "range"),
        ("actor_id > actor_type", "scan"),
        ("NOT actor_id = 'a'", "scan"),
    ],
)
def test_access_path(where: str, kind: str) -> None:
    assert access(where) == kind
