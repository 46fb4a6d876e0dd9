"""Synced single-row writes through the group committer's pipeline, on a real server: concurrent
autocommit updates of one row lose none (row locks order them across groups), every acknowledged
write is visible to other connections at once, and all of them survive SIGKILL."""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Callable
from pathlib import Path

import psycopg

from orbit_pg.testing import OrbitServer

CLIENTS = 8
EACH = 40
# No function call: a prepared one is answered at once between transactions (Plan.write_at_once).
INCREMENT = (
    "UPDATE actors SET state = ('{\"n\": ' || ((state->>'n')::int + 1) || '}')::jsonb WHERE actor_id = 'counter'"
)


def _count(dsn: str) -> int:
    with psycopg.connect(dsn, autocommit=True, connect_timeout=5) as conn:
        row = conn.execute("SELECT (state->>'n')::int FROM actors WHERE actor_id = 'counter'").fetchone()
        assert row is not None
        return row[0]


def _run_clients(client: Callable[[int], None]) -> None:
    """``client(n)`` on CLIENTS threads at once; the first failure of any is raised here."""
    failures: list[BaseException] = []

    def run(number: int) -> None:
        try:
            client(number)
        except BaseException as exc:  # noqa: BLE001 (reported by the main thread)
            failures.append(exc)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []


def test_concurrent_updates_of_one_row_and_inserts_survive_sigkill(tmp_path: Path) -> None:
    with OrbitServer(data_dir=tmp_path / "data", extra_args=["--checkpoint-interval", "3600"]) as server:
        with psycopg.connect(server.dsn, autocommit=True) as conn:
            conn.execute("""INSERT INTO actors VALUES ('counter', 'c', '{"n": 0}')""")

        def client(number: int) -> None:
            with (
                psycopg.connect(server.dsn, autocommit=True) as conn,
                psycopg.connect(server.dsn, autocommit=True) as other,
            ):
                for n in range(EACH):
                    conn.execute(INCREMENT, prepare=n % 2 == 0)
                    key = f"w{number}:{n}"
                    conn.execute("INSERT INTO actors VALUES (%s, 'new', '{\"balance\": 0}')", (key,), prepare=True)
                    # Acknowledged, so visible to every other connection.
                    seen = other.execute("SELECT actor_type FROM actors WHERE actor_id = %s", (key,))
                    assert seen.fetchone() == ("new",)

        _run_clients(client)
        assert _count(server.dsn) == CLIENTS * EACH
        assert server.pid is not None
        os.kill(server.pid, signal.SIGKILL)
        server.stop()
        server.start()
        assert _count(server.dsn) == CLIENTS * EACH
        with psycopg.connect(server.dsn, autocommit=True) as conn:
            assert conn.execute("SELECT count(*) FROM actors WHERE actor_type = 'new'").fetchone() == (CLIENTS * EACH,)


def test_prepared_one_key_updates_lose_nothing_and_are_seen_at_once(tmp_path: Path) -> None:
    """libpq's prepared rounds (Bind/Describe/Execute/Sync), which the server runs at once
    between transactions: 8 clients on one row lose no increment, and each client's own row
    is at its newest value for another connection as soon as the write is acknowledged."""
    with OrbitServer(data_dir=tmp_path / "data", extra_args=["--checkpoint-interval", "3600"]) as server:
        with psycopg.connect(server.dsn, autocommit=True) as conn:
            conn.execute("""INSERT INTO actors VALUES ('counter', 'c', '{"n": 0}')""")
            for number in range(CLIENTS):
                conn.execute("""INSERT INTO actors VALUES (%s, 'own', '{"n": 0}')""", (f"own{number}",))

        def client(number: int) -> None:
            key = f"own{number}"
            with (
                psycopg.connect(server.dsn, autocommit=True) as conn,
                psycopg.connect(server.dsn, autocommit=True) as other,
            ):
                for n in range(1, EACH + 1):
                    conn.execute(INCREMENT, prepare=True)
                    conn.execute(
                        "UPDATE actors SET state = ('{\"n\": ' || %s::text || '}')::jsonb WHERE actor_id = %s",
                        (n, key),
                        prepare=True,
                    )
                    seen = other.execute("SELECT (state->>'n')::int FROM actors WHERE actor_id = %s", (key,))
                    assert seen.fetchone() == (n,)

        _run_clients(client)
        assert _count(server.dsn) == CLIENTS * EACH
