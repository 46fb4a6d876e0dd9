"""The extended query protocol, message by message, against the replies PostgreSQL 15 gives.

Every expected reply sequence below was first taken from a real PostgreSQL 15 fed the same bytes
over a socket (with the same ``actors`` table and rows); only the table OID in RowDescription is
orbit-pg's own. The tests need no PostgreSQL: the expectations are written out here. Each step
ends with Sync or Flush, since PostgreSQL holds its replies until one of them.
"""

from __future__ import annotations

import struct
from collections.abc import Sequence
from typing import Any

import pytest
from protocol_harness import SYNC, Connection, Reply, parse_replies, query, typed, types

from orbit_pg import protocol
from orbit_pg.protocol import PostgresServerFactory
from orbit_pg.sql.relation import ACTORS_OID

# --- frontend messages ------------------------------------------------------------------------------------------

FLUSH = typed(b"H")


def _cstring(text: str) -> bytes:
    return text.encode() + b"\x00"


def _int16s(values: Sequence[int]) -> bytes:
    return struct.pack(f"!h{len(values)}h", len(values), *values)


def parse(text: str, name: str = "", oids: Sequence[int] = ()) -> bytes:
    """Parse: statement name, query string, declared parameter type OIDs (0: infer)."""
    return typed(b"P", _cstring(name) + _cstring(text) + struct.pack(f"!h{len(oids)}i", len(oids), *oids))


def bind(
    statement: str = "",
    params: Sequence[bytes | None] = (),
    *,
    portal: str = "",
    param_formats: Sequence[int] = (),
    result_formats: Sequence[int] = (),
) -> bytes:
    """Bind: portal, statement, parameter format codes, values (None is NULL), result format codes."""
    values = b"".join(struct.pack("!i", -1) if v is None else struct.pack("!i", len(v)) + v for v in params)
    body = _cstring(portal) + _cstring(statement) + _int16s(param_formats)
    body += struct.pack("!h", len(params)) + values + _int16s(result_formats)
    return typed(b"B", body)


def describe_statement(name: str = "") -> bytes:
    return typed(b"D", b"S" + _cstring(name))


def describe_portal(name: str = "") -> bytes:
    return typed(b"D", b"P" + _cstring(name))


def execute(portal: str = "", max_rows: int = 0) -> bytes:
    """Execute: portal and the most rows to return (0: all)."""
    return typed(b"E", _cstring(portal) + struct.pack("!i", max_rows))


def close_statement(name: str = "") -> bytes:
    return typed(b"C", b"S" + _cstring(name))


def close_portal(name: str = "") -> bytes:
    return typed(b"C", b"P" + _cstring(name))


# --- backend messages, as the tests expect them -------------------------------------------------------------------

PARSE_COMPLETE: Reply = ("1", b"")
BIND_COMPLETE: Reply = ("2", b"")
CLOSE_COMPLETE: Reply = ("3", b"")
NO_DATA: Reply = ("n", b"")
PORTAL_SUSPENDED: Reply = ("s", b"")
EMPTY_QUERY: Reply = ("I", b"")
IDLE: Reply = ("Z", b"I")
IN_BLOCK: Reply = ("Z", b"T")
FAILED_BLOCK: Reply = ("Z", b"E")

Column = tuple[str, int, int, int, int]  # name, table OID, attribute number, type OID, typlen
ACTOR_ID: Column = ("actor_id", ACTORS_OID, 1, 25, -1)
ACTOR_TYPE: Column = ("actor_type", ACTORS_OID, 2, 25, -1)
STATE: Column = ("state", ACTORS_OID, 3, 3802, -1)


def expression(name: str, type_oid: int, typlen: int) -> Column:
    """A result column that is not a table column."""
    return (name, 0, 0, type_oid, typlen)


def row_description(*columns: Column, formats: Sequence[int] = ()) -> Reply:
    body = struct.pack("!h", len(columns))
    for i, (name, table_oid, attnum, type_oid, typlen) in enumerate(columns):
        fmt = formats[i] if formats else 0
        body += _cstring(name) + struct.pack("!ihihih", table_oid, attnum, type_oid, typlen, -1, fmt)
    return ("T", body)


def parameter_description(*oids: int) -> Reply:
    return ("t", struct.pack(f"!h{len(oids)}i", len(oids), *oids))


def data_row(*values: bytes | None) -> Reply:
    body = struct.pack("!h", len(values))
    for v in values:
        body += struct.pack("!i", -1) if v is None else struct.pack("!i", len(v)) + v
    return ("D", body)


def complete(tag: str) -> Reply:
    return ("C", _cstring(tag))


def error(sqlstate: str, message: str, **fields: str) -> tuple[str, dict[str, str]]:
    """An ErrorResponse, as ``readable`` shows it: S, V, C, M and the named optional fields.

    Keywords name the field codes: detail (D), hint (H), position (P), context (W), schema (s),
    table (t), constraint (n).
    """
    codes = {
        "detail": "D",
        "hint": "H",
        "position": "P",
        "context": "W",
        "schema": "s",
        "table": "t",
        "constraint": "n",
    }
    shown = {"S": "ERROR", "V": "ERROR", "C": sqlstate, "M": message}
    shown.update({codes[name]: value for name, value in fields.items()})
    return ("E", shown)


# PostgreSQL's source position fields (file, line, routine) are no part of the comparison.
_SOURCE_FIELDS = ("F", "L", "R")


def readable(replies: list[Reply]) -> list[tuple[str, Any]]:
    """Replies with ErrorResponse/NoticeResponse bodies as field dicts; all others byte for byte."""
    shown: list[tuple[str, Any]] = []
    for msg_type, body in replies:
        if msg_type in ("E", "N"):
            assert body.endswith(b"\x00\x00"), body
            fields = {f[:1].decode(): f[1:].decode() for f in body[:-2].split(b"\x00")}
            shown.append((msg_type, {code: v for code, v in fields.items() if code not in _SOURCE_FIELDS}))
        else:
            shown.append((msg_type, body))
    return shown


# --- the connection under test: five actors ---------------------------------------------------------------------

SEED = query(
    "DELETE FROM actors; INSERT INTO actors (actor_id, actor_type, state) VALUES "
    """('a1', 'user', '{"n": 1}'), ('a2', 'user', '{"n": 2}'), ('a3', 'robot', '{"n": 3, "list": [1, 2]}'), """
    """('a4', 'robot', NULL), ('a5', 'user', '{"n": 5}')"""
)
STATES = {"a1": b'{"n": 1}', "a2": b'{"n": 2}', "a3": b'{"n": 3, "list": [1, 2]}', "a4": None, "a5": b'{"n": 5}'}
SELECT_ONE = "SELECT actor_id, state FROM actors WHERE actor_id = $1"
SELECT_ALL = "SELECT actor_id, state FROM actors ORDER BY actor_id"
INSERT = "INSERT INTO actors (actor_id, actor_type) VALUES ($1, 'user')"
LIST_IDS = query("SELECT actor_id FROM actors ORDER BY actor_id")
SYNTAX_ERROR = error("42601", 'syntax error at or near "SELEC"', position="1")
IN_FAILED = error("25P02", "current transaction is aborted, commands ignored until end of transaction block")


def actor(actor_id: str) -> Reply:
    return data_row(actor_id.encode(), STATES[actor_id])


def listed(*actor_ids: str) -> list[Reply]:
    """The replies to LIST_IDS."""
    rows = [data_row(actor_id.encode()) for actor_id in actor_ids]
    return [row_description(ACTOR_ID), *rows, complete(f"SELECT {len(rows)}"), IDLE]


def seeded(factory: PostgresServerFactory, **prepared: str) -> Connection:
    """A started connection whose table holds the five actors of SEED, with the ``prepared``
    statements (name=text) parsed."""
    connection = Connection(factory)
    connection.start()
    assert connection.send(SEED) == [complete("DELETE 0"), complete("INSERT 0 5"), IDLE]
    if prepared:
        parses = b"".join(parse(text, name) for name, text in prepared.items())
        assert types(connection.send(parses + SYNC)) == "1" * len(prepared) + "Z"
    return connection


@pytest.fixture
def conn(factory: PostgresServerFactory) -> Connection:
    """A started connection whose table holds the five actors of SEED."""
    return seeded(factory)


def ask(conn: Connection, data: bytes) -> list[tuple[str, Any]]:
    return readable(conn.send(data))


# --- Parse, Bind, Describe, Execute, Sync -------------------------------------------------------------------------


def test_parse_bind_describe_execute_sync(conn: Connection) -> None:
    assert ask(conn, parse(SELECT_ONE) + bind(params=[b"a1"]) + describe_portal() + execute() + SYNC) == [
        PARSE_COMPLETE,
        BIND_COMPLETE,
        row_description(ACTOR_ID, STATE),
        data_row(b"a1", b'{"n": 1}'),
        complete("SELECT 1"),
        IDLE,
    ]
    # Execute alone sends no RowDescription; no match is SELECT 0.
    assert ask(conn, bind(params=[b"a3"]) + execute() + SYNC) == [
        BIND_COMPLETE,
        data_row(b"a3", b'{"n": 3, "list": [1, 2]}'),
        complete("SELECT 1"),
        IDLE,
    ]
    assert ask(conn, bind(params=[b"zz"]) + describe_portal() + execute() + SYNC) == [
        BIND_COMPLETE,
        row_description(ACTOR_ID, STATE),
        complete("SELECT 0"),
        IDLE,
    ]


INT4 = expression("?column?", 23, 4)
UNKNOWN_AS_TEXT = expression("?column?", 25, -1)


@pytest.mark.parametrize(
    ("text", "declared", "param_oids", "result"),
    [
        (SELECT_ONE, (), (25,), row_description(ACTOR_ID, STATE)),
        ("UPDATE actors SET state = $1 WHERE actor_id = $2", (), (3802, 25), NO_DATA),
        ("SELECT actor_id FROM actors ORDER BY actor_id LIMIT $1", (), (20,), row_description(ACTOR_ID)),
        ("SELECT actor_id FROM actors LIMIT $1", (23,), (23,), row_description(ACTOR_ID)),
        ("SELECT actor_id FROM actors WHERE actor_id = $1", (25,), (25,), row_description(ACTOR_ID)),
        ("SELECT $1", (23,), (23,), row_description(INT4)),
        ("SELECT $1", (), (25,), row_description(UNKNOWN_AS_TEXT)),
        ("SELECT $1, $2", (23,), (23, 25), row_description(INT4, UNKNOWN_AS_TEXT)),
        ("SELECT $2", (23,), (23, 25), row_description(UNKNOWN_AS_TEXT)),
        ("INSERT INTO actors (actor_id, actor_type, state) VALUES ($1, $2, $3)", (), (25, 25, 3802), NO_DATA),
        ("DELETE FROM actors WHERE actor_id = $1", (), (25,), NO_DATA),
        ("SELECT * FROM actors", (), (), row_description(ACTOR_ID, ACTOR_TYPE, STATE)),
        ("BEGIN", (), (), NO_DATA),
    ],
    ids=[
        "select-where",
        "update-set",
        "limit",
        "limit-declared-int4",
        "where-declared-text",
        "select-declared-int4",
        "select-unknown",
        "select-two-one-declared",
        "select-second-one-declared",
        "insert",
        "delete",
        "select-star",
        "begin",
    ],
)
def test_describe_statement_before_bind(
    conn: Connection, text: str, declared: tuple[int, ...], param_oids: tuple[int, ...], result: Reply
) -> None:
    """ParameterDescription with inferred (or declared) types, then the columns, all in text format."""
    assert ask(conn, parse(text, oids=declared) + describe_statement() + SYNC) == [
        PARSE_COMPLETE,
        parameter_description(*param_oids),
        result,
        IDLE,
    ]


def test_declared_parameter_type_that_does_not_fit_fails_parse(conn: Connection) -> None:
    assert ask(conn, parse("SELECT actor_id FROM actors WHERE actor_id = $1", oids=[20]) + SYNC) == [
        error(
            "42883",
            "operator does not exist: text = bigint",
            hint="No operator matches the given name and argument types. You might need to add explicit type casts.",
            position="44",
        ),
        IDLE,
    ]


def test_described_portal_after_some_rows(conn: Connection) -> None:
    assert ask(
        conn, parse(SELECT_ALL) + bind() + execute(max_rows=2) + describe_portal() + execute(max_rows=1) + SYNC
    ) == [
        PARSE_COMPLETE,
        BIND_COMPLETE,
        actor("a1"),
        actor("a2"),
        PORTAL_SUSPENDED,
        row_description(ACTOR_ID, STATE),
        actor("a3"),
        PORTAL_SUSPENDED,
        IDLE,
    ]


# --- row limits -----------------------------------------------------------------------------------------------------


def test_execute_with_a_row_limit(conn: Connection) -> None:
    assert ask(conn, parse(SELECT_ALL) + bind() + execute(max_rows=2) + FLUSH) == [
        PARSE_COMPLETE,
        BIND_COMPLETE,
        actor("a1"),
        actor("a2"),
        PORTAL_SUSPENDED,
    ]
    assert ask(conn, execute(max_rows=2) + FLUSH) == [actor("a3"), actor("a4"), PORTAL_SUSPENDED]
    assert ask(conn, execute(max_rows=2) + FLUSH) == [actor("a5"), complete("SELECT 1")]
    assert ask(conn, SYNC) == [IDLE]


def test_type_select_suspends_mid_batch_in_binary_and_text(conn: Connection) -> None:
    """The type-index plan reads its rows at once; Execute's max_rows still cuts the batch, and
    the rest (with the transaction's own write among them) come in the next Executes, per-column
    formats kept."""
    conn.send(query("BEGIN; INSERT INTO actors VALUES ('a0', 'user', '{\"n\": 0}')"))
    typed_select = "SELECT actor_id, state, length(actor_id) FROM actors WHERE actor_type = $1 LIMIT 10"
    assert ask(
        conn, parse(typed_select) + bind(params=[b"user"], result_formats=[0, 1, 1]) + execute(max_rows=2) + FLUSH
    ) == [
        PARSE_COMPLETE,
        BIND_COMPLETE,
        data_row(b"a0", b'\x01{"n": 0}', b"\x00\x00\x00\x02"),
        data_row(b"a1", b'\x01{"n": 1}', b"\x00\x00\x00\x02"),
        PORTAL_SUSPENDED,
    ]
    assert ask(conn, execute(max_rows=1) + FLUSH) == [
        data_row(b"a2", b'\x01{"n": 2}', b"\x00\x00\x00\x02"),
        PORTAL_SUSPENDED,
    ]
    assert ask(conn, execute(max_rows=5) + SYNC) == [
        data_row(b"a5", b'\x01{"n": 5}', b"\x00\x00\x00\x02"),
        complete("SELECT 1"),
        ("Z", b"T"),
    ]


def test_execute_of_a_finished_select_portal_says_select_0(conn: Connection) -> None:
    conn.send(parse(SELECT_ALL) + bind() + execute(max_rows=3) + execute(max_rows=3) + FLUSH)
    assert ask(conn, execute(max_rows=2) + execute() + SYNC) == [complete("SELECT 0"), complete("SELECT 0"), IDLE]


def test_row_limit_equal_to_the_rows_left_suspends(conn: Connection) -> None:
    """PostgreSQL does not look ahead: the portal is suspended, and the next Execute finds no row."""
    assert ask(
        conn, parse(SELECT_ALL) + bind() + describe_portal() + execute(max_rows=5) + execute(max_rows=1) + SYNC
    ) == [
        PARSE_COMPLETE,
        BIND_COMPLETE,
        row_description(ACTOR_ID, STATE),
        *map(actor, STATES),
        PORTAL_SUSPENDED,
        complete("SELECT 0"),
        IDLE,
    ]


@pytest.mark.parametrize("max_rows", [0, 6, -1])
def test_row_limit_of_zero_negative_or_more_than_the_rows_sends_all(conn: Connection, max_rows: int) -> None:
    assert ask(conn, parse(SELECT_ALL) + bind() + execute(max_rows=max_rows) + SYNC) == [
        PARSE_COMPLETE,
        BIND_COMPLETE,
        *map(actor, STATES),
        complete("SELECT 5"),
        IDLE,
    ]


def test_row_limit_is_ignored_by_update(conn: Connection) -> None:
    text = "UPDATE actors SET state = $1 WHERE actor_type = 'user'"
    assert ask(conn, parse(text) + bind(params=[b'{"x": 1}']) + execute(max_rows=1) + SYNC) == [
        PARSE_COMPLETE,
        BIND_COMPLETE,
        complete("UPDATE 3"),
        IDLE,
    ]


def test_row_limit_across_time_slices(conn: Connection) -> None:
    """More rows than one slice of streaming (256): the limit and PortalSuspended still fall right."""
    values = ", ".join(f"('b{i:03}', 'bulk')" for i in range(600))
    assert ask(conn, query(f"INSERT INTO actors (actor_id, actor_type) VALUES {values}")) == [
        complete("INSERT 0 600"),
        IDLE,
    ]
    text = "SELECT actor_id FROM actors WHERE actor_type = $1 ORDER BY actor_id"
    replies = ask(conn, parse(text) + bind(params=[b"bulk"]) + execute(max_rows=300) + FLUSH)
    assert replies == [
        PARSE_COMPLETE,
        BIND_COMPLETE,
        *(data_row(f"b{i:03}".encode()) for i in range(300)),
        PORTAL_SUSPENDED,
    ]
    assert ask(conn, execute() + SYNC) == [
        *(data_row(f"b{i:03}".encode()) for i in range(300, 600)),
        complete("SELECT 300"),
        IDLE,
    ]


# --- prepared statements and portals: names and lifetimes ---------------------------------------------------------


def test_named_statement_lives_across_sync_commit_and_rollback(conn: Connection) -> None:
    text = "SELECT actor_id FROM actors WHERE actor_id = $1"
    assert ask(conn, parse(text, name="s1") + SYNC) == [PARSE_COMPLETE, IDLE]
    assert ask(conn, bind("s1", [b"a2"]) + execute() + SYNC) == [
        BIND_COMPLETE,
        data_row(b"a2"),
        complete("SELECT 1"),
        IDLE,
    ]
    assert ask(conn, query("BEGIN")) == [complete("BEGIN"), IN_BLOCK]
    assert ask(conn, bind("s1", [b"a3"]) + execute() + SYNC) == [
        BIND_COMPLETE,
        data_row(b"a3"),
        complete("SELECT 1"),
        IN_BLOCK,
    ]
    assert ask(conn, query("COMMIT")) == [complete("COMMIT"), IDLE]
    assert ask(conn, bind("s1", [b"a4"]) + execute() + SYNC) == [
        BIND_COMPLETE,
        data_row(b"a4"),
        complete("SELECT 1"),
        IDLE,
    ]
    # Prepared statements are not transactional: one made in a rolled-back block stays.
    assert ask(conn, query("BEGIN")) == [complete("BEGIN"), IN_BLOCK]
    assert ask(conn, parse("SELECT 2", name="s2") + SYNC) == [PARSE_COMPLETE, IN_BLOCK]
    assert ask(conn, query("ROLLBACK")) == [complete("ROLLBACK"), IDLE]
    assert ask(conn, bind("s2") + execute() + bind("s1", [b"a5"]) + execute() + SYNC) == [
        BIND_COMPLETE,
        data_row(b"2"),
        complete("SELECT 1"),
        BIND_COMPLETE,
        data_row(b"a5"),
        complete("SELECT 1"),
        IDLE,
    ]


def test_unnamed_statement_is_replaced_by_the_next_parse(conn: Connection) -> None:
    assert ask(conn, parse("SELECT 1") + parse("SELECT 2") + bind() + execute() + SYNC) == [
        PARSE_COMPLETE,
        PARSE_COMPLETE,
        BIND_COMPLETE,
        data_row(b"2"),
        complete("SELECT 1"),
        IDLE,
    ]
    # It outlives Sync until the next Parse of the unnamed statement.
    assert ask(conn, bind() + execute() + SYNC) == [BIND_COMPLETE, data_row(b"2"), complete("SELECT 1"), IDLE]
    assert ask(conn, parse("SELECT 3") + SYNC) == [PARSE_COMPLETE, IDLE]
    assert ask(conn, bind() + execute() + SYNC) == [BIND_COMPLETE, data_row(b"3"), complete("SELECT 1"), IDLE]


def test_simple_query_drops_the_unnamed_statement(conn: Connection) -> None:
    assert ask(conn, parse("SELECT 1") + parse("SELECT 2", name="n") + SYNC) == [PARSE_COMPLETE, PARSE_COMPLETE, IDLE]
    assert ask(conn, query("SELECT 3")) == [row_description(INT4), data_row(b"3"), complete("SELECT 1"), IDLE]
    assert ask(conn, bind() + execute() + SYNC) == [error("26000", "unnamed prepared statement does not exist"), IDLE]
    assert ask(conn, bind("n") + execute() + SYNC) == [BIND_COMPLETE, data_row(b"2"), complete("SELECT 1"), IDLE]


def test_duplicate_named_statement_is_42P05(conn: Connection) -> None:
    assert ask(conn, parse("SELECT 1", name="s") + parse("SELECT 2", name="s") + bind("s") + SYNC) == [
        PARSE_COMPLETE,
        error("42P05", 'prepared statement "s" already exists'),
        IDLE,
    ]
    # The first one stays; after Close the name is free again.
    assert ask(conn, bind("s") + execute() + SYNC) == [BIND_COMPLETE, data_row(b"1"), complete("SELECT 1"), IDLE]
    assert ask(conn, close_statement("s") + parse("SELECT 2", name="s") + bind("s") + execute() + SYNC) == [
        CLOSE_COMPLETE,
        PARSE_COMPLETE,
        BIND_COMPLETE,
        data_row(b"2"),
        complete("SELECT 1"),
        IDLE,
    ]


@pytest.mark.parametrize("message", [bind("nosuch"), describe_statement("nosuch")], ids=["bind", "describe"])
def test_missing_named_statement_is_26000(conn: Connection, message: bytes) -> None:
    assert ask(conn, message + SYNC) == [error("26000", 'prepared statement "nosuch" does not exist'), IDLE]


@pytest.mark.parametrize("message", [bind(), describe_statement()], ids=["bind", "describe"])
def test_missing_unnamed_statement_is_26000(conn: Connection, message: bytes) -> None:
    assert ask(conn, message + SYNC) == [error("26000", "unnamed prepared statement does not exist"), IDLE]


def test_closed_statement_is_missing(conn: Connection) -> None:
    assert ask(conn, parse("SELECT 1", name="s") + close_statement("s") + bind("s") + SYNC) == [
        PARSE_COMPLETE,
        CLOSE_COMPLETE,
        error("26000", 'prepared statement "s" does not exist'),
        IDLE,
    ]


@pytest.mark.parametrize("message", [execute("nosuch"), describe_portal("nosuch")], ids=["execute", "describe"])
def test_missing_named_portal_is_34000(conn: Connection, message: bytes) -> None:
    assert ask(conn, message + SYNC) == [error("34000", 'portal "nosuch" does not exist'), IDLE]


@pytest.mark.parametrize("message", [execute(), describe_portal()], ids=["execute", "describe"])
def test_missing_unnamed_portal_is_34000(conn: Connection, message: bytes) -> None:
    assert ask(conn, message + SYNC) == [error("34000", 'portal "" does not exist'), IDLE]


def test_duplicate_named_portal_is_42P03(conn: Connection) -> None:
    assert ask(conn, parse("SELECT 1") + bind(portal="p") + bind(portal="p") + SYNC) == [
        PARSE_COMPLETE,
        BIND_COMPLETE,
        error("42P03", 'cursor "p" already exists'),
        IDLE,
    ]


def test_unnamed_portal_is_replaced_and_closed_portal_name_is_free(conn: Connection) -> None:
    assert ask(conn, parse("SELECT 1") + bind() + bind() + execute() + SYNC) == [
        PARSE_COMPLETE,
        BIND_COMPLETE,
        BIND_COMPLETE,
        data_row(b"1"),
        complete("SELECT 1"),
        IDLE,
    ]
    assert ask(
        conn, parse("SELECT 1") + bind(portal="p") + close_portal("p") + bind(portal="p") + execute("p") + SYNC
    ) == [
        PARSE_COMPLETE,
        BIND_COMPLETE,
        CLOSE_COMPLETE,
        BIND_COMPLETE,
        data_row(b"1"),
        complete("SELECT 1"),
        IDLE,
    ]
    assert ask(conn, parse("SELECT 1") + bind(portal="p") + close_portal("p") + execute("p") + SYNC) == [
        PARSE_COMPLETE,
        BIND_COMPLETE,
        CLOSE_COMPLETE,
        error("34000", 'portal "p" does not exist'),
        IDLE,
    ]


def test_close_of_a_missing_statement_or_portal_completes(conn: Connection) -> None:
    messages = close_statement("nosuch") + close_portal("nosuch") + close_statement() + close_portal()
    assert ask(conn, messages + SYNC) == [CLOSE_COMPLETE] * 4 + [IDLE]


def test_portals_are_gone_after_sync_in_autocommit(conn: Connection) -> None:
    assert ask(conn, parse("SELECT 1") + bind(portal="p") + bind(portal="q") + execute("p") + SYNC) == [
        PARSE_COMPLETE,
        BIND_COMPLETE,
        BIND_COMPLETE,
        data_row(b"1"),
        complete("SELECT 1"),
        IDLE,
    ]
    assert ask(conn, execute("q") + SYNC) == [error("34000", 'portal "q" does not exist'), IDLE]
    assert ask(conn, execute("p") + SYNC) == [error("34000", 'portal "p" does not exist'), IDLE]


def test_bound_only_portal_is_gone_after_sync(conn: Connection) -> None:
    assert ask(conn, parse("SELECT 1") + bind(portal="p") + SYNC) == [PARSE_COMPLETE, BIND_COMPLETE, IDLE]
    assert ask(conn, execute("p") + SYNC) == [error("34000", 'portal "p" does not exist'), IDLE]


def test_portals_live_until_the_transaction_block_ends(conn: Connection) -> None:
    assert ask(conn, query("BEGIN")) == [complete("BEGIN"), IN_BLOCK]
    assert ask(conn, parse(SELECT_ALL) + bind(portal="c") + execute("c", 2) + SYNC) == [
        PARSE_COMPLETE,
        BIND_COMPLETE,
        actor("a1"),
        actor("a2"),
        PORTAL_SUSPENDED,
        IN_BLOCK,
    ]
    assert ask(conn, execute("c", 2) + SYNC) == [actor("a3"), actor("a4"), PORTAL_SUSPENDED, IN_BLOCK]
    assert ask(conn, bind() + execute("", 1) + SYNC) == [BIND_COMPLETE, actor("a1"), PORTAL_SUSPENDED, IN_BLOCK]
    assert ask(conn, execute("", 1) + describe_portal("c") + SYNC) == [
        actor("a2"),
        PORTAL_SUSPENDED,
        row_description(ACTOR_ID, STATE),
        IN_BLOCK,
    ]
    assert ask(conn, query("COMMIT")) == [complete("COMMIT"), IDLE]
    assert ask(conn, execute("c", 2) + SYNC) == [error("34000", 'portal "c" does not exist'), IDLE]
    assert ask(conn, execute("", 1) + SYNC) == [error("34000", 'portal "" does not exist'), IDLE]


def test_portal_bound_in_a_block_is_gone_after_rollback(conn: Connection) -> None:
    assert ask(conn, query("BEGIN")) == [complete("BEGIN"), IN_BLOCK]
    assert ask(conn, parse(SELECT_ALL) + bind(portal="c") + SYNC) == [PARSE_COMPLETE, BIND_COMPLETE, IN_BLOCK]
    assert ask(conn, execute("c", 1) + SYNC) == [actor("a1"), PORTAL_SUSPENDED, IN_BLOCK]
    assert ask(conn, query("ROLLBACK")) == [complete("ROLLBACK"), IDLE]
    assert ask(conn, describe_portal("c") + SYNC) == [error("34000", 'portal "c" does not exist'), IDLE]


def test_execute_of_a_finished_insert_portal_is_55000(conn: Connection) -> None:
    assert ask(conn, parse(INSERT) + bind(params=[b"t1"]) + execute() + execute() + SYNC) == [
        PARSE_COMPLETE,
        BIND_COMPLETE,
        complete("INSERT 0 1"),
        error("55000", 'portal "" cannot be run'),
        IDLE,
    ]
    assert ask(conn, LIST_IDS) == listed("a1", "a2", "a3", "a4", "a5")


# --- format codes -------------------------------------------------------------------------------------------------

FORMATS_QUERY = "SELECT 42 AS i4, 9000000000 AS i8, actor_id, state FROM actors WHERE actor_id = $1"
FORMATS_COLUMNS = (expression("i4", 23, 4), expression("i8", 20, 8), ACTOR_ID, STATE)
I4_TEXT, I4_BINARY = b"42", struct.pack("!i", 42)
I8_TEXT, I8_BINARY = b"9000000000", struct.pack("!q", 9000000000)


@pytest.mark.parametrize(
    ("result_formats", "columns", "row"),
    [
        ((), (0, 0, 0, 0), data_row(I4_TEXT, I8_TEXT, b"a1", b'{"n": 1}')),
        ((0,), (0, 0, 0, 0), data_row(I4_TEXT, I8_TEXT, b"a1", b'{"n": 1}')),
        ((1,), (1, 1, 1, 1), data_row(I4_BINARY, I8_BINARY, b"a1", b'\x01{"n": 1}')),
        ((1, 0, 1, 0), (1, 0, 1, 0), data_row(I4_BINARY, I8_TEXT, b"a1", b'{"n": 1}')),
        ((0, 1, 0, 1), (0, 1, 0, 1), data_row(I4_TEXT, I8_BINARY, b"a1", b'\x01{"n": 1}')),
    ],
    ids=["none", "one-text", "one-binary", "per-column-1010", "per-column-0101"],
)
def test_result_format_codes(
    conn: Connection, result_formats: tuple[int, ...], columns: tuple[int, ...], row: Reply
) -> None:
    """None: all text; one: for every column; else one per column. Binary jsonb is version 1 + text."""
    message = parse(FORMATS_QUERY) + bind(params=[b"a1"], result_formats=result_formats)
    assert ask(conn, message + describe_portal() + execute() + SYNC) == [
        PARSE_COMPLETE,
        BIND_COMPLETE,
        row_description(*FORMATS_COLUMNS, formats=columns),
        row,
        complete("SELECT 1"),
        IDLE,
    ]


def test_binary_null_is_null(conn: Connection) -> None:
    assert ask(conn, parse(FORMATS_QUERY) + bind(params=[b"a4"], result_formats=[1]) + execute() + SYNC) == [
        PARSE_COMPLETE,
        BIND_COMPLETE,
        data_row(I4_BINARY, I8_BINARY, b"a4", None),
        complete("SELECT 1"),
        IDLE,
    ]


JSONB_IN = b'{"b": [true, null], "a": 1.50}'
JSONB_OUT = b'{"a": 1.50, "b": [true, null]}'


def test_binary_parameters(conn: Connection) -> None:
    statement = parse("SELECT $1, $2", oids=[23, 3802])
    params = [struct.pack("!i", 7), b"\x01" + JSONB_IN]
    assert ask(conn, statement + bind(params=params, param_formats=[1]) + describe_portal() + execute() + SYNC) == [
        PARSE_COMPLETE,
        BIND_COMPLETE,
        row_description(INT4, expression("?column?", 3802, -1)),
        data_row(b"7", JSONB_OUT),
        complete("SELECT 1"),
        IDLE,
    ]
    params = [struct.pack("!i", -7), b"\x01" + JSONB_IN]
    assert ask(conn, statement + bind(params=params, param_formats=[1], result_formats=[1]) + execute() + SYNC) == [
        PARSE_COMPLETE,
        BIND_COMPLETE,
        data_row(struct.pack("!i", -7), b"\x01" + JSONB_OUT),
        complete("SELECT 1"),
        IDLE,
    ]


def test_parameter_format_per_parameter(conn: Connection) -> None:
    statement = parse("SELECT $1, $2", oids=[23, 3802])
    message = bind(params=[b"12", JSONB_IN], param_formats=[0, 0], result_formats=[1, 1])
    assert ask(conn, statement + message + execute() + SYNC) == [
        PARSE_COMPLETE,
        BIND_COMPLETE,
        data_row(struct.pack("!i", 12), b"\x01" + JSONB_OUT),
        complete("SELECT 1"),
        IDLE,
    ]
    message = bind(params=[b"12", b"\x01" + JSONB_IN], param_formats=[0, 1])
    assert ask(conn, statement + message + execute() + SYNC) == [
        PARSE_COMPLETE,
        BIND_COMPLETE,
        data_row(b"12", JSONB_OUT),
        complete("SELECT 1"),
        IDLE,
    ]


def test_binary_null_parameter(conn: Connection) -> None:
    assert ask(conn, parse("SELECT $1", oids=[23]) + bind(params=[None], param_formats=[1]) + execute() + SYNC) == [
        PARSE_COMPLETE,
        BIND_COMPLETE,
        data_row(None),
        complete("SELECT 1"),
        IDLE,
    ]


@pytest.mark.parametrize(
    ("declared", "value", "actor_ids"),
    [((23,), struct.pack("!i", 2), ("a1", "a2")), ((), struct.pack("!q", 3), ("a1", "a2", "a3"))],
    ids=["int4-declared", "int8-inferred"],
)
def test_binary_limit_parameter(
    conn: Connection, declared: tuple[int, ...], value: bytes, actor_ids: tuple[str]
) -> None:
    """A declared int4 takes 4 bytes; the inferred bigint of LIMIT takes 8."""
    statement = parse("SELECT actor_id FROM actors ORDER BY actor_id LIMIT $1", oids=declared)
    assert ask(conn, statement + bind(params=[value], param_formats=[1]) + execute() + SYNC) == [
        PARSE_COMPLETE,
        BIND_COMPLETE,
        *(data_row(actor_id.encode()) for actor_id in actor_ids),
        complete(f"SELECT {len(actor_ids)}"),
        IDLE,
    ]


def test_binary_text_parameter(conn: Connection) -> None:
    statement = parse("SELECT actor_id FROM actors WHERE actor_id = $1")
    assert ask(conn, statement + bind(params=[b"a2"], param_formats=[1]) + execute() + SYNC) == [
        PARSE_COMPLETE,
        BIND_COMPLETE,
        data_row(b"a2"),
        complete("SELECT 1"),
        IDLE,
    ]


def test_binary_jsonb_parameter_is_stored_canonically(conn: Connection) -> None:
    statement = parse("INSERT INTO actors (actor_id, actor_type, state) VALUES ($1, $2, $3)")
    message = bind(params=[b"j1", b"user", b"\x01" + JSONB_IN], param_formats=[0, 0, 1])
    assert ask(conn, statement + message + execute() + SYNC) == [
        PARSE_COMPLETE,
        BIND_COMPLETE,
        complete("INSERT 0 1"),
        IDLE,
    ]
    assert ask(conn, query("SELECT state FROM actors WHERE actor_id = 'j1'")) == [
        row_description(STATE),
        data_row(JSONB_OUT),
        complete("SELECT 1"),
        IDLE,
    ]


@pytest.mark.parametrize(
    ("text", "message", "expected"),
    [
        (
            "SELECT $1, $2",
            bind(params=[b"1", b"2"], param_formats=[0, 0, 0]),
            "bind message has 3 parameter formats but 2 parameters",
        ),
        (
            FORMATS_QUERY,
            bind(params=[b"a1"], result_formats=[0, 0]),
            "bind message has 2 result formats but query has 4 columns",
        ),
        (
            FORMATS_QUERY,
            bind(params=[b"a1"], result_formats=[0, 0, 0, 0, 0]),
            "bind message has 5 result formats but query has 4 columns",
        ),
    ],
    ids=["3-param-formats", "2-result-formats", "5-result-formats"],
)
def test_wrong_number_of_format_codes_is_08P01(conn: Connection, text: str, message: bytes, expected: str) -> None:
    assert ask(conn, parse(text, oids=[23, 23] if "$2" in text else []) + message + SYNC) == [
        PARSE_COMPLETE,
        error("08P01", expected),
        IDLE,
    ]


@pytest.mark.parametrize(
    ("text", "message", "expected"),
    [
        (
            "SELECT $1, $2",
            bind(params=[b"1"], param_formats=[0, 0]),
            "bind message has 2 parameter formats but 1 parameters",
        ),
        (
            "SELECT 1",
            bind(params=[b"1", b"2"], param_formats=[0, 0, 0]),
            "bind message has 3 parameter formats but 2 parameters",
        ),
    ],
    ids=["2-formats-1-param", "3-formats-2-params"],
)
def test_format_count_is_checked_before_parameter_count(
    conn: Connection, text: str, message: bytes, expected: str
) -> None:
    assert ask(conn, parse(text, oids=[23, 23] if "$2" in text else []) + message + SYNC) == [
        PARSE_COMPLETE,
        error("08P01", expected),
        IDLE,
    ]


def test_one_result_format_for_a_statement_without_rows(conn: Connection) -> None:
    text = "INSERT INTO actors (actor_id, actor_type) VALUES ('x', 'y')"
    assert ask(conn, parse(text) + bind(result_formats=[1]) + SYNC) == [PARSE_COMPLETE, BIND_COMPLETE, IDLE]


def test_result_formats_for_a_statement_without_rows_are_ignored(conn: Connection) -> None:
    text = "INSERT INTO actors (actor_id, actor_type) VALUES ('x', 'y')"
    assert ask(conn, parse(text) + bind(result_formats=[1, 1]) + SYNC) == [PARSE_COMPLETE, BIND_COMPLETE, IDLE]


def test_unknown_parameter_format_code_is_22023(conn: Connection) -> None:
    assert ask(conn, parse(SELECT_ONE) + bind(params=[b"a1"], param_formats=[2]) + SYNC) == [
        PARSE_COMPLETE,
        error("22023", "unsupported format code: 2", context="unnamed portal parameter $1"),
        IDLE,
    ]


def test_unknown_result_format_code_fails_at_execute(conn: Connection) -> None:
    assert ask(conn, parse("SELECT 1") + bind(result_formats=[2]) + describe_portal() + execute() + SYNC) == [
        PARSE_COMPLETE,
        BIND_COMPLETE,
        row_description(INT4, formats=[2]),
        error("22023", "unsupported format code: 2"),
        IDLE,
    ]


# --- bad parameters -----------------------------------------------------------------------------------------------

LIMIT_QUERY = "SELECT actor_id FROM actors LIMIT $1"


def test_bad_parameter_value_is_22P02(conn: Connection) -> None:
    replies = ask(conn, parse(LIMIT_QUERY) + bind(params=[b"abc"]) + SYNC)
    assert [msg_type for msg_type, _ in replies] == ["1", "E", "Z"]
    fields = replies[1][1]
    assert (fields["C"], fields["M"]) == ("22P02", 'invalid input syntax for type bigint: "abc"')
    assert fields["W"].startswith("unnamed portal parameter $1 = '")
    assert replies[2] == IDLE


@pytest.mark.parametrize(
    ("text", "declared", "value", "portal", "expected"),
    [
        (
            LIMIT_QUERY,
            (),
            b"abc",
            "",
            error(
                "22P02",
                'invalid input syntax for type bigint: "abc"',
                context="unnamed portal parameter $1 = '...'",
            ),
        ),
        (
            LIMIT_QUERY,
            (),
            b"ab'c",
            "p",
            error(
                "22P02",
                'invalid input syntax for type bigint: "ab\'c"',
                context="portal \"p\" parameter $1 = '...'",
            ),
        ),
        (
            "SELECT $1",
            (23,),
            b"99999999999",
            "",
            error(
                "22003",
                'value "99999999999" is out of range for type integer',
                context="unnamed portal parameter $1 = '...'",
            ),
        ),
        (
            "SELECT $1",
            (3802,),
            b"{bad",
            "",
            error(
                "22P02",
                "invalid input syntax for type json",
                detail='Token "bad" is invalid.',
                context="JSON data, line 1: {bad\nunnamed portal parameter $1 = '...'",
            ),
        ),
    ],
    ids=["bigint", "bigint-named-portal", "int4-out-of-range", "jsonb"],
)
def test_bad_parameter_value_context_as_postgresql(
    conn: Connection, text: str, declared: tuple[int, ...], value: bytes, portal: str, expected: Any
) -> None:
    assert ask(conn, parse(text, oids=declared) + bind(params=[value], portal=portal) + SYNC) == [
        PARSE_COMPLETE,
        expected,
        IDLE,
    ]


@pytest.mark.parametrize(
    ("declared", "value", "expected"),
    [
        (
            23,
            b"\x00\x00\x01",
            error("08P01", "insufficient data left in message", context="unnamed portal parameter $1"),
        ),
        (3802, b"\x02{}", error("XX000", "unsupported jsonb version number 2", context="unnamed portal parameter $1")),
    ],
    ids=["int4-short", "jsonb-version-2"],
)
def test_bad_binary_parameter(conn: Connection, declared: int, value: bytes, expected: Any) -> None:
    message = parse("SELECT $1", oids=[declared]) + bind(params=[value], param_formats=[1])
    assert ask(conn, message + SYNC) == [PARSE_COMPLETE, expected, IDLE]


def test_wrong_parameter_count_is_08P01(conn: Connection) -> None:
    text = "SELECT actor_id FROM actors WHERE actor_id = $1 AND actor_type = $2"
    assert ask(conn, parse(text) + bind(params=[b"a1"]) + SYNC) == [
        PARSE_COMPLETE,
        error("08P01", 'bind message supplies 1 parameters, but prepared statement "" requires 2'),
        IDLE,
    ]
    assert ask(conn, parse("SELECT 1", name="one") + bind("one", params=[b"a1"]) + SYNC) == [
        PARSE_COMPLETE,
        error("08P01", 'bind message supplies 1 parameters, but prepared statement "one" requires 0'),
        IDLE,
    ]


# --- errors: skip until Sync ----------------------------------------------------------------------------------------


def test_error_then_everything_until_sync_is_skipped(conn: Connection) -> None:
    skipped = (
        bind()
        + describe_portal()
        + describe_statement()
        + execute()
        + close_statement()
        + close_portal()
        + FLUSH
        + query("SELECT 1")
        + parse("SELECT 1")
    )
    assert ask(conn, parse("SELEC 1") + skipped) == [SYNTAX_ERROR]
    assert ask(conn, bind() + execute() + FLUSH) == []
    assert ask(conn, SYNC) == [IDLE]
    assert ask(conn, parse("SELECT 1") + bind() + execute() + SYNC) == [
        PARSE_COMPLETE,
        BIND_COMPLETE,
        data_row(b"1"),
        complete("SELECT 1"),
        IDLE,
    ]


def test_error_in_a_transaction_block_answers_E_until_rollback(conn: Connection) -> None:
    assert ask(conn, query("BEGIN")) == [complete("BEGIN"), IN_BLOCK]
    insert = query("INSERT INTO actors (actor_id, actor_type) VALUES ('b1', 'user')")
    assert ask(conn, insert) == [complete("INSERT 0 1"), IN_BLOCK]
    assert ask(conn, parse("SELEC 1") + bind() + execute() + SYNC) == [SYNTAX_ERROR, FAILED_BLOCK]
    assert ask(conn, parse("SELECT 1") + bind() + execute() + SYNC) == [IN_FAILED, FAILED_BLOCK]
    assert ask(conn, parse("SELECT 1") + SYNC) == [IN_FAILED, FAILED_BLOCK]
    assert ask(conn, parse("ROLLBACK") + bind() + execute() + SYNC) == [
        PARSE_COMPLETE,
        BIND_COMPLETE,
        complete("ROLLBACK"),
        IDLE,
    ]
    assert ask(conn, LIST_IDS) == listed("a1", "a2", "a3", "a4", "a5")


def test_commit_of_a_failed_block_rolls_back(conn: Connection) -> None:
    assert ask(conn, query("BEGIN")) == [complete("BEGIN"), IN_BLOCK]
    assert ask(conn, parse(INSERT) + bind(params=[b"b1"]) + execute() + SYNC) == [
        PARSE_COMPLETE,
        BIND_COMPLETE,
        complete("INSERT 0 1"),
        IN_BLOCK,
    ]
    assert ask(
        conn, parse(INSERT) + bind(params=[b"a1"]) + execute() + parse(INSERT) + bind(params=[b"b2"]) + SYNC
    ) == [
        PARSE_COMPLETE,
        BIND_COMPLETE,
        error(
            "23505",
            'duplicate key value violates unique constraint "actors_pkey"',
            detail="Key (actor_id)=(a1) already exists.",
            schema="public",
            table="actors",
            constraint="actors_pkey",
        ),
        FAILED_BLOCK,
    ]
    assert ask(conn, parse("COMMIT") + bind() + execute() + SYNC) == [
        PARSE_COMPLETE,
        BIND_COMPLETE,
        complete("ROLLBACK"),
        IDLE,
    ]
    assert ask(conn, LIST_IDS) == listed("a1", "a2", "a3", "a4", "a5")


def test_bind_in_a_failed_block_is_25P02(conn: Connection) -> None:
    assert ask(conn, query("BEGIN")) == [complete("BEGIN"), IN_BLOCK]
    assert ask(conn, parse("SELECT 1", name="one") + SYNC) == [PARSE_COMPLETE, IN_BLOCK]
    assert types(conn.send(parse("SELEC 1") + SYNC)) == "EZ"
    assert ask(conn, bind("one") + execute() + SYNC) == [IN_FAILED, FAILED_BLOCK]


def test_describe_statement_in_a_failed_block_is_25P02(conn: Connection) -> None:
    assert ask(conn, query("BEGIN")) == [complete("BEGIN"), IN_BLOCK]
    assert ask(conn, parse("SELECT 1", name="one") + SYNC) == [PARSE_COMPLETE, IN_BLOCK]
    assert types(conn.send(parse("SELEC 1") + SYNC)) == "EZ"
    assert ask(conn, describe_statement("one") + SYNC) == [IN_FAILED, FAILED_BLOCK]


def test_close_in_a_failed_block_completes(conn: Connection) -> None:
    assert ask(conn, query("BEGIN")) == [complete("BEGIN"), IN_BLOCK]
    assert ask(conn, parse("SELECT 1", name="one") + SYNC) == [PARSE_COMPLETE, IN_BLOCK]
    assert types(conn.send(parse("SELEC 1") + SYNC)) == "EZ"
    assert ask(conn, close_statement("one") + SYNC) == [CLOSE_COMPLETE, FAILED_BLOCK]
    assert ask(conn, query("ROLLBACK")) == [complete("ROLLBACK"), IDLE]


# --- pipelining -----------------------------------------------------------------------------------------------------


def test_pipelined_statements_are_answered_in_order(conn: Connection) -> None:
    pipeline = (
        parse(INSERT, name="ins")
        + bind("ins", [b"p1"])
        + execute()
        + parse("SELECT actor_id FROM actors WHERE actor_id = $1")
        + bind(params=[b"p1"])
        + execute()
        + bind("ins", [b"p2"])
        + execute()
        + SYNC
    )
    assert ask(conn, pipeline) == [
        PARSE_COMPLETE,
        BIND_COMPLETE,
        complete("INSERT 0 1"),
        PARSE_COMPLETE,
        BIND_COMPLETE,
        data_row(b"p1"),
        complete("SELECT 1"),
        BIND_COMPLETE,
        complete("INSERT 0 1"),
        IDLE,
    ]
    assert ask(conn, LIST_IDS) == listed("a1", "a2", "a3", "a4", "a5", "p1", "p2")


def test_error_in_a_pipeline_rolls_back_to_sync_and_skips_the_rest(conn: Connection) -> None:
    """Up to Sync the pipeline is one implicit transaction: the duplicate key undoes p1, and p3 never runs."""
    pipeline = (
        parse(INSERT, name="ins")
        + bind("ins", [b"p1"])
        + execute()
        + bind("ins", [b"a1"])
        + execute()
        + bind("ins", [b"p3"])
        + execute()
        + SYNC
    )
    assert ask(conn, pipeline) == [
        PARSE_COMPLETE,
        BIND_COMPLETE,
        complete("INSERT 0 1"),
        BIND_COMPLETE,
        error(
            "23505",
            'duplicate key value violates unique constraint "actors_pkey"',
            detail="Key (actor_id)=(a1) already exists.",
            schema="public",
            table="actors",
            constraint="actors_pkey",
        ),
        IDLE,
    ]
    assert ask(conn, LIST_IDS) == listed("a1", "a2", "a3", "a4", "a5")
    # The named statement was made before the error and is not transactional.
    assert ask(conn, bind("ins", [b"p4"]) + execute() + SYNC) == [BIND_COMPLETE, complete("INSERT 0 1"), IDLE]


def test_parse_error_in_a_pipeline_rolls_back_the_earlier_write(conn: Connection) -> None:
    pipeline = (
        parse(INSERT)
        + bind(params=[b"p1"])
        + execute()
        + parse("SELECT nosuch FROM actors")
        + bind()
        + execute()
        + parse(INSERT)
        + bind(params=[b"p3"])
        + execute()
        + SYNC
    )
    assert ask(conn, pipeline) == [
        PARSE_COMPLETE,
        BIND_COMPLETE,
        complete("INSERT 0 1"),
        error("42703", 'column "nosuch" does not exist', position="8"),
        IDLE,
    ]
    assert ask(conn, LIST_IDS) == listed("a1", "a2", "a3", "a4", "a5")


# --- Flush ----------------------------------------------------------------------------------------------------------


def test_flush_sends_replies_without_sync(conn: Connection) -> None:
    assert ask(conn, parse("SELECT actor_id FROM actors WHERE actor_id = $1") + FLUSH) == [PARSE_COMPLETE]
    assert ask(conn, bind(params=[b"a2"]) + execute() + FLUSH) == [
        BIND_COMPLETE,
        data_row(b"a2"),
        complete("SELECT 1"),
    ]
    assert ask(conn, SYNC) == [IDLE]


def test_flush_writes_at_once_mid_chunk(conn: Connection, monkeypatch: pytest.MonkeyPatch) -> None:
    """The replies before a Flush go to the transport before any later message is handled.

    (orbit-pg also writes at the end of each chunk of input; PostgreSQL would hold them until Flush.)
    """
    # The chunk in one turn, however slow the machine (past the budget, a turn ends and writes too).
    monkeypatch.setattr(protocol, "TURN_BUDGET", 60.0)
    writes: list[bytes] = []
    write = conn.transport.write

    def record(data: bytes) -> None:
        writes.append(data)
        write(data)

    conn.transport.write = record  # type: ignore[method-assign]
    conn.receive(parse("SELECT 1") + FLUSH + bind() + execute() + SYNC)
    assert [readable(parse_replies(data)) for data in writes] == [
        [PARSE_COMPLETE],
        [BIND_COMPLETE, data_row(b"1"), complete("SELECT 1"), IDLE],
    ]


# --- empty and multiple statements ------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["", " ; ", "-- nothing"])
def test_empty_query(conn: Connection, text: str) -> None:
    assert ask(
        conn, parse(text) + describe_statement() + bind() + describe_portal() + execute() + execute() + SYNC
    ) == [
        PARSE_COMPLETE,
        parameter_description(),
        NO_DATA,
        BIND_COMPLETE,
        NO_DATA,
        EMPTY_QUERY,
        EMPTY_QUERY,
        IDLE,
    ]


@pytest.mark.parametrize("text", ["SELECT 1; SELECT 2", "BEGIN; SELECT 1"])
def test_two_statements_in_one_parse_are_42601(conn: Connection, text: str) -> None:
    assert ask(conn, parse(text) + bind() + execute() + SYNC) == [
        error("42601", "cannot insert multiple commands into a prepared statement"),
        IDLE,
    ]


def test_one_statement_with_a_trailing_semicolon(conn: Connection) -> None:
    assert ask(conn, parse("SELECT 1;") + bind() + execute() + SYNC) == [
        PARSE_COMPLETE,
        BIND_COMPLETE,
        data_row(b"1"),
        complete("SELECT 1"),
        IDLE,
    ]


# --- cursors are portals (sql/cursors.py) ---------------------------------------------------------------------------


def _ids(*actor_ids: str) -> list[Reply]:
    return [data_row(actor_id.encode()) for actor_id in actor_ids]


def test_a_declared_cursor_is_a_portal_to_describe_and_execute(conn: Connection) -> None:
    assert conn.send(query("BEGIN; DECLARE c CURSOR FOR SELECT actor_id FROM actors ORDER BY 1")) == [
        complete("BEGIN"),
        complete("DECLARE CURSOR"),
        IN_BLOCK,
    ]
    replies = conn.send(describe_portal("c") + execute("c", 2) + SYNC)
    assert replies == [row_description(ACTOR_ID), *_ids("a1", "a2"), PORTAL_SUSPENDED, IN_BLOCK]
    replies = conn.send(query("FETCH NEXT FROM c"))
    assert replies == [row_description(ACTOR_ID), *_ids("a3"), complete("FETCH 1"), IN_BLOCK]
    assert conn.send(execute("c") + SYNC) == [*_ids("a4", "a5"), complete("SELECT 2"), IN_BLOCK]
    replies = ask(conn, parse(SELECT_ALL) + bind(portal="c") + SYNC)
    assert replies == [("1", b""), error("42P03", 'cursor "c" already exists'), FAILED_BLOCK]


def test_move_and_fetch_on_a_bound_portal(conn: Connection) -> None:
    """asyncpg's cursor.forward(n): MOVE on a portal Bind made; it reads forward only."""
    ids = "SELECT actor_id FROM actors ORDER BY actor_id"
    conn.send(query("BEGIN"))
    replies = conn.send(parse(ids) + bind(portal="p") + execute("p", 1) + SYNC)
    assert replies == [PARSE_COMPLETE, BIND_COMPLETE, *_ids("a1"), PORTAL_SUSPENDED, IN_BLOCK]
    assert conn.send(query("MOVE FORWARD 2 IN p")) == [complete("MOVE 2"), IN_BLOCK]
    assert conn.send(query("FETCH p")) == [row_description(ACTOR_ID), *_ids("a4"), complete("FETCH 1"), IN_BLOCK]
    assert conn.send(execute("p") + SYNC) == [*_ids("a5"), complete("SELECT 1"), IN_BLOCK]
    replies = ask(conn, query("MOVE BACKWARD 1 IN p"))
    assert replies == [
        error("55000", "cursor can only scan forward", hint="Declare it with SCROLL option to enable backward scan."),
        FAILED_BLOCK,
    ]


def test_fetch_from_a_binary_cursor_sends_binary_in_a_simple_query(conn: Connection) -> None:
    conn.send(query("BEGIN; DECLARE b BINARY CURSOR FOR SELECT 7::int4"))
    assert conn.send(query("FETCH b")) == [
        row_description(expression("int4", 23, 4), formats=[1]),
        data_row(struct.pack("!i", 7)),
        complete("FETCH 1"),
        IN_BLOCK,
    ]
