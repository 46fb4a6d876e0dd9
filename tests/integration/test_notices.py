"""NoticeResponse where PostgreSQL sends one, filtered by ``client_min_messages``, on orbit-pg and PostgreSQL 15."""

from __future__ import annotations

import psycopg
import pytest
from drivers import Server, connect

Seen = list[tuple[str | None, str | None, str | None]]

# Statements that each draw one notice from PostgreSQL 15, with its severity, SQLSTATE and text.
NOTICES: list[tuple[str, tuple[str, str, str]]] = [
    ("COMMIT", ("WARNING", "25P01", "there is no transaction in progress")),
    ("ROLLBACK", ("WARNING", "25P01", "there is no transaction in progress")),
    ("ABORT", ("WARNING", "25P01", "there is no transaction in progress")),
    ("END", ("WARNING", "25P01", "there is no transaction in progress")),
    ("BEGIN; BEGIN; COMMIT", ("WARNING", "25001", "there is already a transaction in progress")),
    ("SET TRANSACTION READ ONLY", ("WARNING", "25P01", "SET TRANSACTION can only be used in transaction blocks")),
    ("SET LOCAL lock_timeout = '1s'", ("WARNING", "25P01", "SET LOCAL can only be used in transaction blocks")),
    ("DROP ROLE IF EXISTS no_such_role", ("NOTICE", "00000", 'role "no_such_role" does not exist, skipping')),
    ("SELECT pg_advisory_unlock(9001)", ("WARNING", "01000", "you don't own a lock of type ExclusiveLock")),
    ("SELECT pg_advisory_unlock_shared(1, 2)", ("WARNING", "01000", "you don't own a lock of type ShareLock")),
]


def watch(conn: psycopg.Connection) -> Seen:
    seen: Seen = []
    conn.add_notice_handler(lambda d: seen.append((d.severity_nonlocalized, d.sqlstate, d.message_primary)))
    return seen


@pytest.mark.parametrize("level", ["notice", "warning", "error", "debug1", "log"])
def test_client_min_messages_filters_notices(server: Server, level: str) -> None:
    order = ["debug1", "log", "notice", "warning", "error"]
    with connect(server) as conn:
        seen = watch(conn)
        conn.execute(f"SET client_min_messages = {level}")
        for sql, notice in NOTICES:
            conn.execute(sql)
            expected = [notice] if order.index(notice[0].lower()) >= order.index(level) else []
            assert seen == expected, sql
            seen.clear()


def test_function_warnings_in_the_extended_protocol(server: Server) -> None:
    with connect(server) as conn:
        seen = watch(conn)
        assert conn.execute("SELECT pg_advisory_unlock(%s), 1", (77,)).fetchone() == (False, 1)
        assert seen == [("WARNING", "01000", "you don't own a lock of type ExclusiveLock")]
        seen.clear()
        # A warning raised before an error still reaches the client, ahead of the error.
        with pytest.raises(psycopg.errors.DivisionByZero):
            conn.execute("SELECT pg_advisory_unlock(%s), 1 / count(*)::int FROM actors WHERE actor_id = ''", (77,))
        assert seen == [("WARNING", "01000", "you don't own a lock of type ExclusiveLock")]


def test_client_min_messages_values(server: Server) -> None:
    with connect(server) as conn:
        for value, shown in [("DEBUG", "debug2"), ("info", "info"), ("Warning", "warning"), ("debug5", "debug5")]:
            conn.execute(f"SET client_min_messages = {value}")
            assert conn.execute("SHOW client_min_messages").fetchone() == (shown,)
        with pytest.raises(psycopg.errors.InvalidParameterValue) as raised:
            conn.execute("SET client_min_messages = fatal")
        assert raised.value.diag.message_primary == 'invalid value for parameter "client_min_messages": "fatal"'
        assert raised.value.diag.message_hint == (
            "Available values: debug5, debug4, debug3, debug2, debug1, log, notice, warning, error."
        )
    with connect(server, options="-c client_min_messages=error") as conn:
        seen = watch(conn)
        conn.execute("COMMIT")
        assert seen == []
