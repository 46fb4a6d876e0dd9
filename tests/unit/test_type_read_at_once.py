"""A type select goes the general way whenever the one-key read would: the conditions of
``test_one_key_cycle`` (a block, an implicit block, statement_timeout, REPEATABLE READ by
default, a row limit, a held cursor) for ``WHERE actor_type = v LIMIT n``, which is answered at
once otherwise, its whole rows sent as stored: byte for byte what the general path sends. A
role without SELECT: ``tests/integration/test_auth.py``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from protocol_harness import SYNC, Connection, make_factory, parse_replies, query, types
from test_extended_protocol import bind, describe_portal, execute, seeded
from test_one_key_cycle import round_trip, runs  # noqa: F401 (a fixture)

from orbit_pg.protocol import PostgresServerFactory
from orbit_pg.storage.layered import LayeredStore

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


# Rows whose stored form has its edges: the empty actor_id (stored under a key of its own), a
# NULL state, UTF-8 beyond ASCII, an empty type.
EDGES = (
    "INSERT INTO actors VALUES ('', 'user', NULL), ('\u00e9t\u00e9', 't\u00e9', '{\"a\": [1, \"\u4e2d\"]}'),"
    " ('x', '', '{}'), ('\U0001f600', 't\u00e9', NULL)"
)


@pytest.mark.parametrize("layers", [False, True], ids=["lmdb", "layers"])
@pytest.mark.parametrize("result_formats", [(), (0,), (1,), (0, 1, 1)])
@pytest.mark.parametrize("actor_type", ["user", "t\u00e9", "", "none"])
def test_rows_as_stored_reply_as_the_general_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, layers: bool, result_formats: tuple[int, ...], actor_type: str
) -> None:
    store = LayeredStore(str(tmp_path / "data"), checkpoint_interval=3600)
    try:
        conn = seeded(make_factory(store), star=TYPE_SELECT)  # type: ignore[arg-type]
        assert types(conn.send(query(EDGES))) == "CZ"
        if not layers:
            store.checkpoint()  # (else the rows wait in the store's layers, over LMDB)
        assert bool(store._layers) == layers
        ran: list[Any] = []
        read = store.first_of_type_stored
        monkeypatch.setattr(store, "first_of_type_stored", lambda *args: ran.append(args) or read(*args))
        params = [actor_type.encode(), b"10"]
        fast = conn.send_raw(round_trip("star", params, result_formats=result_formats))
        # Read as stored, in text (jsonb in binary is not its stored text: read as rows).
        as_stored = [] if any(result_formats) else [(actor_type, 10)]
        assert ran == as_stored
        general = conn.send_raw(round_trip("star", params, "p", result_formats=result_formats))
        assert fast == general
        count = {"user": 4, "t\u00e9": 2, "": 1, "none": 0}[actor_type]
        assert types(parse_replies(fast)) == "2T" + "D" * count + "CZ"
        select = query(f"SELECT * FROM actors WHERE actor_type = '{actor_type}' LIMIT 10")
        simple = conn.send_raw(select)
        assert len(ran) == len(as_stored) + 1  # a simple Query's read at once too
        conn.send_raw(query("BEGIN"))
        in_block = conn.send_raw(select)  # the general path
        conn.send_raw(query("COMMIT"))
        assert len(ran) == len(as_stored) + 1 and simple[:-6] == in_block[:-6]  # (but for ReadyForQuery's status)
    finally:
        store.close()
