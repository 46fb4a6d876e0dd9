"""A type select goes the general way whenever the one-key read would: the conditions of
``test_one_key_cycle`` (a block, an implicit block, statement_timeout, REPEATABLE READ by
default, a row limit, a held cursor) for ``WHERE actor_type = v LIMIT n``, which is answered at
once otherwise. A role without SELECT: ``tests/integration/test_auth.py``."""

from __future__ import annotations

from typing import Any

import pytest
from protocol_harness import SYNC, Connection, query, types
from test_extended_protocol import bind, describe_portal, execute, seeded
from test_one_key_cycle import round_trip, runs  # noqa: F401 (a fixture)

from orbit_pg.protocol import PostgresServerFactory

TYPE_SELECT = "SELECT * FROM actors WHERE actor_type = $1 LIMIT $2"
USER = [b"user", b"10"]
SIMPLE = "SELECT * FROM actors WHERE actor_type = 'user' LIMIT 10"


@pytest.fixture
def conn(factory: PostgresServerFactory) -> Connection:
    return seeded(factory, star=TYPE_SELECT)


def test_at_once_between_transactions(conn: Connection, runs: list[Any]) -> None:  # noqa: F811
    assert types(conn.send(round_trip("star", USER))) == "2TDDDCZ"
    assert types(conn.send(query(SIMPLE))) == "TDDDCZ"
    assert runs == []


def test_inside_a_block(conn: Connection, runs: list[Any]) -> None:  # noqa: F811
    conn.send(query("BEGIN"))
    replies = conn.send(round_trip("star", USER))
    assert types(replies) == "2TDDDCZ" and replies[-1][1] == b"T"
    assert types(conn.send(query(SIMPLE))) == "TDDDCZ"
    conn.send(query("COMMIT"))
    assert len(runs) == 4


def test_several_statements_in_one_query(conn: Connection, runs: list[Any]) -> None:  # noqa: F811
    assert types(conn.send(query(f"{SIMPLE}; {SIMPLE}"))) == "TDDDCTDDDCZ"
    assert len(runs) == 2


@pytest.mark.parametrize("setting", ["statement_timeout = '1s'", "default_transaction_isolation = 'repeatable read'"])
def test_settings_that_need_a_transaction(conn: Connection, runs: list[Any], setting: str) -> None:  # noqa: F811
    conn.send(query(f"SET {setting}"))
    runs.clear()
    assert types(conn.send(round_trip("star", USER))) == "2TDDDCZ"
    assert types(conn.send(query(SIMPLE))) == "TDDDCZ"
    assert len(runs) == 2
    conn.send(query(f"RESET {setting.split()[0]}"))
    runs.clear()
    conn.send(round_trip("star", USER))
    assert runs == []


def test_row_limit(conn: Connection, runs: list[Any]) -> None:  # noqa: F811
    limited = conn.send(bind("star", USER) + describe_portal() + execute(max_rows=2) + SYNC)
    assert types(limited) == "2TDDsZ"
    assert len(runs) == 1


def test_held_cursor(conn: Connection, runs: list[Any]) -> None:  # noqa: F811
    conn.send(query("DECLARE c CURSOR WITH HOLD FOR SELECT actor_id FROM actors"))
    runs.clear()
    assert types(conn.send(round_trip("star", USER))) == "2TDDDCZ"
    assert len(runs) == 1
    conn.send(query("CLOSE c"))
