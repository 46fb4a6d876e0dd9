"""LISTEN/NOTIFY with psycopg (``conn.notifies()``) and asyncpg (``add_listener``), on orbit-pg and PostgreSQL 15.

Notifications go out when the notifying transaction commits, in commit order, never on rollback,
duplicates within one transaction folded; the sender gets its own. On orbit-pg, actor changes
notify by themselves on ``actors`` and ``actors:<actor_type>`` (docs/notifications.md).
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import asyncpg
import psycopg
import pytest
from drivers import STATEMENT_TIMEOUT, Server, connect, new_id


def received(conn: psycopg.Connection, seconds: float = 0.5) -> list[tuple[str, str, int]]:
    """The notifications that arrive within ``seconds``: (channel, payload, sender pid)."""
    return [(n.channel, n.payload, n.pid) for n in conn.notifies(timeout=seconds)]


def test_notify_after_commit_in_order_folded(server: Server) -> None:
    with connect(server) as listener, connect(server) as sender:
        listener.execute("LISTEN jobs")
        listener.execute('LISTEN "Mixed Case"')
        pid = sender.info.backend_pid
        sender.execute("NOTIFY jobs, 'first'")
        with sender.transaction():
            sender.execute("NOTIFY jobs, 'second'")
            sender.execute("NOTIFY jobs, 'second'")  # folded: same channel and payload
            sender.execute("SELECT pg_notify('jobs', 'third')")
            sender.execute("NOTIFY jobs")
            sender.execute("""NOTIFY "Mixed Case", 'quoted'""")
            sender.execute("NOTIFY nobody_listens, 'lost'")
        assert received(listener) == [
            ("jobs", "first", pid),
            ("jobs", "second", pid),
            ("jobs", "third", pid),
            ("jobs", "", pid),
            ("Mixed Case", "quoted", pid),
        ]


def test_rollback_sends_nothing(server: Server) -> None:
    with connect(server) as listener, connect(server) as sender:
        listener.execute("LISTEN jobs")
        sender.execute("BEGIN")
        sender.execute("NOTIFY jobs, 'never'")
        sender.execute("ROLLBACK")
        sender.execute("BEGIN")
        sender.execute("NOTIFY jobs, 'failed'")
        with pytest.raises(psycopg.errors.DivisionByZero):
            sender.execute("SELECT 1 / 0")
        sender.execute("COMMIT")  # a failed block commits as ROLLBACK
        sender.execute("NOTIFY jobs, 'after'")
        assert [payload for _, payload, _ in received(listener)] == ["after"]


def test_pending_until_transaction_ends_and_unlisten(server: Server) -> None:
    with connect(server) as listener, connect(server) as sender:
        listener.execute("LISTEN a")
        listener.execute("LISTEN b")
        listener.execute("BEGIN")
        sender.execute("NOTIFY a, '1'")
        listener.execute("SELECT 1")  # inside a block: held back, as PostgreSQL does
        assert received(listener, 0.2) == []
        listener.execute("COMMIT")
        assert [payload for _, payload, _ in received(listener, 0.2)] == ["1"]
        listener.execute("UNLISTEN a")
        sender.execute("NOTIFY a, '2'; NOTIFY b, '3'")
        assert [payload for _, payload, _ in received(listener)] == ["3"]
        listener.execute("UNLISTEN *")
        sender.execute("NOTIFY b, '4'")
        assert received(listener) == []


def test_sender_gets_its_own_and_errors(server: Server) -> None:
    with connect(server) as conn:
        conn.execute("LISTEN me")
        conn.execute("NOTIFY me, 'self'")
        assert [payload for _, payload, _ in received(conn, 0.2)] == ["self"]
        with pytest.raises(psycopg.errors.InvalidParameterValue, match="channel name cannot be empty"):
            conn.execute("SELECT pg_notify('', 'x')")
        with pytest.raises(psycopg.errors.InvalidParameterValue, match="payload string too long"):
            conn.execute("SELECT pg_notify('me', '" + "x" * 8000 + "')")
        assert conn.execute("SELECT pg_notify('me', NULL)").fetchone() == ("",)
        assert [payload for _, payload, _ in received(conn, 0.2)] == [""]


def test_actor_changes_notify_on_orbit(server: Server) -> None:
    if server.kind != "orbit":
        pytest.skip("automatic actor-change notifications are orbit-pg's own")
    actor, other = new_id("user"), new_id("shop")
    with connect(server) as everything, connect(server) as users, connect(server) as writer:
        everything.execute("LISTEN actors")
        users.execute('LISTEN "actors:user"')
        pid = writer.info.backend_pid
        writer.execute(f"INSERT INTO actors VALUES ('{actor}', 'user', '{{}}'), ('{other}', 'shop', NULL)")
        writer.execute(f"""UPDATE actors SET state = '{{"n": 1}}' WHERE actor_id = '{actor}'""")
        with writer.transaction():
            writer.execute(f"DELETE FROM actors WHERE actor_id = '{other}'")
        writer.execute("BEGIN")
        writer.execute(f"DELETE FROM actors WHERE actor_id = '{actor}'")
        writer.execute("ROLLBACK")

        def change(op: str, actor_id: str, actor_type: str) -> str:
            return json.dumps({"op": op, "actor_id": actor_id, "actor_type": actor_type})

        assert received(everything) == [
            ("actors", change("insert", actor, "user"), pid),
            ("actors", change("insert", other, "shop"), pid),
            ("actors", change("update", actor, "user"), pid),
            ("actors", change("delete", other, "shop"), pid),
        ]
        assert received(users) == [
            ("actors:user", change("insert", actor, "user"), pid),
            ("actors:user", change("update", actor, "user"), pid),
        ]


def test_asyncpg_add_listener(server: Server) -> None:
    async def main() -> list[tuple[int, str, str]]:
        kwargs: dict[str, Any] = {
            "host": server.host,
            "port": server.port,
            "user": server.user,
            "database": server.dbname,
            "timeout": 5,
            "command_timeout": STATEMENT_TIMEOUT,
        }
        listener = await asyncpg.connect(**kwargs)
        sender = await asyncpg.connect(**kwargs)
        got: list[tuple[int, str, str]] = []
        done = asyncio.Event()

        def on_notify(conn: Any, pid: int, channel: str, payload: str) -> None:
            got.append((pid, channel, payload))
            if payload == "last":
                done.set()

        try:
            await listener.add_listener("events", on_notify)
            async with sender.transaction():
                await sender.execute("SELECT pg_notify($1, $2)", "events", "one")
                await sender.execute("NOTIFY events, 'two'")
            try:
                async with sender.transaction():
                    await sender.execute("NOTIFY events, 'rolled back'")
                    raise RuntimeError
            except RuntimeError:
                pass
            await sender.execute("NOTIFY events, 'last'")
            await asyncio.wait_for(done.wait(), 5)
            await listener.remove_listener("events", on_notify)
            await sender.execute("NOTIFY events, 'unheard'")
            await asyncio.sleep(0.2)
            return [(pid == sender.get_server_pid(), channel, payload) for pid, channel, payload in got]
        finally:
            await listener.close()
            await sender.close()

    assert asyncio.run(asyncio.wait_for(main(), 30)) == [
        (True, "events", "one"),
        (True, "events", "two"),
        (True, "events", "last"),
    ]
