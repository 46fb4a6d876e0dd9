"""Transactions as psycopg and asyncpg see them, on orbit-pg and on PostgreSQL 15 (issue 5).

Commands and ReadyForQuery status (libpq's transaction_status), warnings as NoticeResponses,
savepoints through the drivers' own nested transactions, implicit transactions in both
protocols, and what concurrent transactions do to each other: lock waits that do not stop
the server, NOWAIT / SKIP LOCKED, lock_timeout, deadlocks, cancel, disconnects, REPEATABLE
READ's 40001, and the concurrency workloads of the issue.
"""

from __future__ import annotations

import asyncio
import random
import threading
import time
from collections.abc import Iterator
from typing import Any

import asyncpg
import psycopg
import pytest
from drivers import HOST, Server, connect, in_thread, new_id
from psycopg.pq import TransactionStatus

from orbit_pg.testing import OrbitServer

INCREMENT = (
    "UPDATE actors SET state = jsonb_set(state, '{balance}', to_jsonb((state->>'balance')::int + {amount})) "
    "WHERE actor_id = {id}"
)


def increment(actor_id: str, amount: int | str = 1) -> str:
    return INCREMENT.replace("{amount}", str(amount)).replace("{id}", "'" + actor_id + "'")


def balance(conn: psycopg.Connection, actor_id: str) -> int:
    row = conn.execute(f"SELECT (state->>'balance')::int FROM actors WHERE actor_id = '{actor_id}'").fetchone()
    assert row is not None
    return row[0]


def account(conn: psycopg.Connection, balance: int = 0) -> str:
    actor_id = new_id("account")
    conn.execute(f"""INSERT INTO actors VALUES ('{actor_id}', 'account', '{{"balance": {balance}}}')""")
    return actor_id


def notices(conn: psycopg.Connection) -> list[tuple[str | None, str | None, str | None]]:
    seen: list[tuple[str | None, str | None, str | None]] = []
    conn.add_notice_handler(lambda d: seen.append((d.severity_nonlocalized, d.sqlstate, d.message_primary)))
    return seen


def wait_blocked(thread: threading.Thread, seconds: float = 0.5) -> None:
    thread.join(seconds)
    assert thread.is_alive(), "the second writer should be waiting for the row lock"


# --- commands, status and messages --------------------------------------------------------------


def test_block_status_and_warnings(server: Server) -> None:
    with connect(server) as conn:
        seen = notices(conn)
        status = conn.info
        actor = account(conn, 10)
        conn.execute("COMMIT")
        conn.execute("ROLLBACK")
        assert seen == [("WARNING", "25P01", "there is no transaction in progress")] * 2
        seen.clear()
        assert conn.execute("BEGIN").statusmessage == "BEGIN"
        assert status.transaction_status is TransactionStatus.INTRANS
        conn.execute("BEGIN")
        assert seen == [("WARNING", "25001", "there is already a transaction in progress")]
        conn.execute(increment(actor))
        with pytest.raises(psycopg.errors.DivisionByZero):
            conn.execute("SELECT 1/0")
        assert status.transaction_status is TransactionStatus.INERROR
        with pytest.raises(psycopg.errors.InFailedSqlTransaction):
            conn.execute("SELECT 1")
        assert conn.execute("COMMIT").statusmessage == "ROLLBACK"
        assert status.transaction_status is TransactionStatus.IDLE
        assert balance(conn, actor) == 10
        conn.execute("START TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        assert conn.execute("SHOW transaction_isolation").fetchone() == ("repeatable read",)
        with pytest.raises(psycopg.errors.ReadOnlySqlTransaction):
            conn.execute(increment(actor))
        conn.execute("ROLLBACK")
        conn.execute("SET LOCAL lock_timeout = '1s'")
        assert seen[-1] == ("WARNING", "25P01", "SET LOCAL can only be used in transaction blocks")


def test_psycopg_nested_transactions_are_savepoints(server: Server) -> None:
    with connect(server) as conn:
        actor = account(conn, 0)
        with conn.transaction():
            conn.execute(increment(actor, 1))
            with conn.transaction():
                conn.execute(increment(actor, 10))
                with pytest.raises(psycopg.errors.UniqueViolation), conn.transaction():
                    conn.execute(increment(actor, 100))
                    conn.execute(f"INSERT INTO actors VALUES ('{actor}', 'account', NULL)")
                assert balance(conn, actor) == 11
            try:
                with conn.transaction():
                    conn.execute(increment(actor, 1000))
                    raise RuntimeError("roll back to the savepoint")
            except RuntimeError:
                pass
            assert conn.info.transaction_status is TransactionStatus.INTRANS
        assert balance(conn, actor) == 11


def test_asyncpg_transactions_savepoints_and_modes(server: Server) -> None:
    async def scenario() -> None:
        conn = await asyncpg.connect(host=server.host, port=server.port, user=server.user, database=server.dbname)
        try:
            actor = new_id("account")
            await conn.execute("INSERT INTO actors VALUES ($1, 'account', $2::jsonb)", actor, '{"balance": 0}')
            bump = "UPDATE actors SET state = jsonb_set(state, '{balance}', to_jsonb((state->>'balance')::int + $2)) "
            bump += "WHERE actor_id = $1"
            async with conn.transaction(isolation="serializable"):
                assert await conn.fetchval("SHOW transaction_isolation") == "serializable"
                await conn.execute(bump, actor, 1)
                with pytest.raises(asyncpg.DivisionByZeroError):
                    async with conn.transaction():
                        await conn.execute(bump, actor, 10)
                        await conn.fetchval("SELECT 1/0")
                assert conn.is_in_transaction()
            get = "SELECT (state->>'balance')::int FROM actors WHERE actor_id = $1"
            assert await conn.fetchval(get, actor) == 1
            with pytest.raises(asyncpg.ReadOnlySQLTransactionError):
                async with conn.transaction(readonly=True):
                    await conn.execute(bump, actor, 1)
            async with conn.transaction(isolation="repeatable_read", readonly=True, deferrable=True):
                assert await conn.fetchval("SHOW transaction_deferrable") == "on"
            # executemany: every Bind/Execute before one Sync is one transaction.
            with pytest.raises(asyncpg.UniqueViolationError):
                await conn.executemany(
                    "INSERT INTO actors VALUES ($1, 'account', NULL)", [(new_id(),), (actor,), (new_id(),)]
                )
            assert not conn.is_in_transaction()
        finally:
            await conn.close()

    asyncio.run(asyncio.wait_for(scenario(), 30))


def test_simple_query_is_one_implicit_transaction(server: Server) -> None:
    with connect(server) as conn:
        seen = notices(conn)
        first, second, third = new_id(), new_id(), new_id()
        with pytest.raises(psycopg.errors.DivisionByZero):
            conn.execute(f"INSERT INTO actors VALUES ('{first}', 'm', NULL); SELECT 1/0")
        with pytest.raises(psycopg.errors.DivisionByZero):
            conn.execute(
                f"INSERT INTO actors VALUES ('{second}', 'm', NULL); COMMIT; "
                f"INSERT INTO actors VALUES ('{third}', 'm', NULL); SELECT 1/0"
            )
        assert seen == [("WARNING", "25P01", "there is no transaction in progress")]
        found = conn.execute(
            f"SELECT actor_id FROM actors WHERE actor_id = '{first}' OR actor_id = '{second}' OR actor_id = '{third}'"
        )
        assert found.fetchall() == [(second,)]
        conn.execute(f"INSERT INTO actors VALUES ('{first}', 'm', NULL); BEGIN")
        assert conn.info.transaction_status is TransactionStatus.INTRANS
        conn.execute("ROLLBACK")
        assert conn.execute(f"SELECT actor_id FROM actors WHERE actor_id = '{first}'").fetchall() == []


def test_extended_protocol_transaction_ends_at_sync(server: Server) -> None:
    with connect(server) as conn:
        first, second = new_id(), new_id()
        with pytest.raises(psycopg.errors.DivisionByZero), conn.pipeline():
            conn.execute("INSERT INTO actors VALUES (%s, 'p', NULL)", (first,))
            conn.execute("INSERT INTO actors VALUES (%s, 'p', NULL)", (second,))
            conn.execute("SELECT 1/%s", (0,))
        assert conn.info.transaction_status is TransactionStatus.IDLE
        found = conn.execute("SELECT actor_id FROM actors WHERE actor_id = %s OR actor_id = %s", (first, second))
        assert found.fetchall() == []


# --- two connections ----------------------------------------------------------------------------


def test_second_writer_waits_and_sees_the_first_commit(server: Server) -> None:
    with connect(server) as first, connect(server) as second, connect(server) as third:
        actor = account(first, 0)
        first.execute("BEGIN")
        first.execute(increment(actor, 1))
        thread, outcome = in_thread(lambda: second.execute(increment(actor, 10)).rowcount)
        wait_blocked(thread)
        started = time.monotonic()
        assert balance(third, actor) == 0  # others are served while the writer waits
        assert time.monotonic() - started < 2
        first.execute("COMMIT")
        thread.join(10)
        assert outcome == [1]
        assert balance(third, actor) == 11


def test_rollback_and_disconnect_release_locks(server: Server) -> None:
    with connect(server) as first, connect(server) as second:
        actor = account(first, 0)
        holder = psycopg.connect(server.dsn, autocommit=True)
        holder.execute("BEGIN")
        holder.execute(increment(actor, 5))
        thread, outcome = in_thread(lambda: second.execute(increment(actor, 1)).rowcount)
        wait_blocked(thread)
        holder.close()  # the server rolls the transaction back and frees the row
        thread.join(10)
        assert outcome == [1]
        assert balance(first, actor) == 1


def test_nowait_skip_locked_and_lock_timeout(server: Server) -> None:
    with connect(server) as first, connect(server) as second:
        a, b = account(first), account(first)
        first.execute("BEGIN")
        first.execute(f"SELECT actor_id FROM actors WHERE actor_id = '{a}' FOR UPDATE")
        with pytest.raises(psycopg.errors.LockNotAvailable) as info:
            second.execute(f"SELECT 1 FROM actors WHERE actor_id = '{a}' FOR UPDATE NOWAIT")
        assert info.value.diag.message_primary == 'could not obtain lock on row in relation "actors"'
        both = f"actor_id = '{a}' OR actor_id = '{b}'"
        rows = second.execute(f"SELECT actor_id FROM actors WHERE {both} ORDER BY actor_id FOR UPDATE SKIP LOCKED")
        assert rows.fetchall() == [(b,)]
        second.execute("SET lock_timeout = '200ms'")
        with pytest.raises(psycopg.errors.LockNotAvailable) as info:
            second.execute(increment(a))
        assert info.value.diag.message_primary == "canceling statement due to lock timeout"
        first.execute("ROLLBACK")
        second.execute(increment(a))


def test_share_locks_do_not_conflict_with_each_other(server: Server) -> None:
    with connect(server) as first, connect(server) as second:
        actor = account(first)
        first.execute("BEGIN")
        first.execute(f"SELECT 1 FROM actors WHERE actor_id = '{actor}' FOR SHARE")
        second.execute("BEGIN")
        assert second.execute(f"SELECT 1 FROM actors WHERE actor_id = '{actor}' FOR KEY SHARE NOWAIT").rowcount == 1
        assert second.execute(f"SELECT 1 FROM actors WHERE actor_id = '{actor}' FOR SHARE NOWAIT").rowcount == 1
        with pytest.raises(psycopg.errors.LockNotAvailable):
            second.execute(f"SELECT 1 FROM actors WHERE actor_id = '{actor}' FOR NO KEY UPDATE NOWAIT")
        second.execute("ROLLBACK")
        first.execute("ROLLBACK")


def test_deadlock_is_detected(server: Server) -> None:
    with connect(server) as first, connect(server) as second:
        a, b = account(first), account(first)
        first.execute("BEGIN")
        second.execute("BEGIN")
        first.execute(increment(a))
        second.execute(increment(b))
        thread, outcome = in_thread(lambda: first.execute(increment(b)).rowcount)
        wait_blocked(thread)
        try:
            second.execute(increment(a))
            second_outcome: Any = 1
        except psycopg.errors.DeadlockDetected as exc:
            second_outcome = exc
            second.execute("ROLLBACK")
        thread.join(10)
        outcomes = [outcome[0], second_outcome]
        assert sorted(isinstance(o, psycopg.errors.DeadlockDetected) for o in outcomes) == [False, True]
        for conn in (first, second):
            conn.execute("ROLLBACK")


def test_cancel_request_ends_a_lock_wait(server: Server) -> None:
    with connect(server) as first, connect(server) as second:
        actor = account(first)
        first.execute("BEGIN")
        first.execute(increment(actor))
        thread, outcome = in_thread(lambda: second.execute(increment(actor)).rowcount)
        wait_blocked(thread)
        second.cancel()
        thread.join(10)
        assert isinstance(outcome[0], psycopg.errors.QueryCanceled)
        assert outcome[0].diag.message_primary == "canceling statement due to user request"
        first.execute("ROLLBACK")
        assert second.execute(increment(actor)).rowcount == 1


def test_repeatable_read_keeps_its_snapshot_and_fails_on_conflict(server: Server) -> None:
    with connect(server) as first, connect(server) as second:
        actor = account(first, 0)
        first.execute("BEGIN ISOLATION LEVEL REPEATABLE READ")
        assert balance(first, actor) == 0
        second.execute(increment(actor, 5))
        assert balance(first, actor) == 0  # the transaction's snapshot
        with pytest.raises(psycopg.errors.SerializationFailure) as info:
            first.execute(increment(actor, 1))
        assert info.value.diag.message_primary == "could not serialize access due to concurrent update"
        first.execute("ROLLBACK")
        first.execute("BEGIN")  # READ COMMITTED: each statement sees the latest commit
        second.execute(increment(actor, 5))
        assert balance(first, actor) == 10
        first.execute("COMMIT")


def test_repeatable_read_waiter_fails_when_the_holder_commits(server: Server) -> None:
    with connect(server) as first, connect(server) as second:
        actor = account(first, 0)
        first.execute("BEGIN")
        first.execute(increment(actor, 1))
        second.execute("BEGIN ISOLATION LEVEL SERIALIZABLE")
        second.execute("SELECT 1")
        thread, outcome = in_thread(lambda: second.execute(increment(actor, 1)).rowcount)
        wait_blocked(thread)
        first.execute("COMMIT")
        thread.join(10)
        assert isinstance(outcome[0], psycopg.errors.SerializationFailure)
        second.execute("ROLLBACK")


# --- the workloads ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def unsynced_orbit() -> Iterator[OrbitServer]:
    """orbit-pg acknowledging commits before they are on disk: the workloads measure locking,
    not this machine's fsync (PostgreSQL's sessions set synchronous_commit off likewise)."""
    with OrbitServer(extra_args=["--synchronous-commit", "off"]) as orbit:
        yield orbit


@pytest.fixture(params=["orbit", "postgres"])
def busy_server(request: pytest.FixtureRequest) -> Server:
    if request.param == "postgres":
        return Server("postgres", HOST, request.getfixturevalue("postgres_actors").port)
    return Server("orbit", HOST, request.getfixturevalue("unsynced_orbit").port)


async def _connect(server: Server) -> asyncpg.Connection:
    return await asyncpg.connect(
        host=server.host,
        port=server.port,
        user=server.user,
        database=server.dbname,
        server_settings={"synchronous_commit": "off"},
    )


def _increments(server: Server, clients: int, each: int, isolation: str) -> tuple[int, int]:
    """``clients`` connections each add 1 to one balance ``each`` times, retrying 40001."""
    actor = new_id("account")

    async def main() -> tuple[int, int]:
        setup = await _connect(server)
        await setup.execute("INSERT INTO actors VALUES ($1, 'account', '{\"balance\": 0}')", actor)
        retries = 0

        async def worker() -> None:
            nonlocal retries
            conn = await _connect(server)
            for _ in range(each):
                while True:
                    try:
                        async with conn.transaction(isolation=isolation):
                            await conn.execute(increment(actor))
                        break
                    except asyncpg.SerializationError:
                        retries += 1
            await conn.close()

        await asyncio.gather(*(worker() for _ in range(clients)))
        total = await setup.fetchval("SELECT (state->>'balance')::int FROM actors WHERE actor_id = $1", actor)
        await setup.close()
        return total, retries

    return asyncio.run(asyncio.wait_for(main(), 240))


def test_read_committed_increments_lose_nothing(busy_server: Server) -> None:
    total, retries = _increments(busy_server, 20, 100, "read_committed")
    assert (total, retries) == (2000, 0)


def test_repeatable_read_increments_fail_with_40001_and_succeed_on_retry(busy_server: Server) -> None:
    total, retries = _increments(busy_server, 10, 20, "repeatable_read")
    assert total == 200
    assert retries > 0


def test_transfers_between_1000_accounts_keep_the_total(busy_server: Server) -> None:
    prefix = new_id("bank")
    accounts = [f"{prefix}:{i}" for i in range(1000)]

    async def main() -> tuple[int, int]:
        setup = await _connect(busy_server)
        await setup.executemany(
            "INSERT INTO actors VALUES ($1, $2, '{\"balance\": 100}')", [(a, prefix) for a in accounts]
        )
        failures = 0

        async def worker(seed: int) -> None:
            nonlocal failures
            rng = random.Random(seed)
            conn = await _connect(busy_server)
            for _ in range(100):
                source, target = rng.sample(accounts, 2)
                amount = rng.randint(1, 20)
                while True:
                    try:
                        async with conn.transaction():
                            await conn.execute(increment(source, -amount))
                            await conn.execute(increment(target, amount))
                        break
                    except asyncpg.DeadlockDetectedError:
                        failures += 1
            await conn.close()

        await asyncio.gather(*(worker(seed) for seed in range(8)))
        rows = await setup.fetch("SELECT (state->>'balance')::int AS b FROM actors WHERE actor_type = $1", prefix)
        await setup.close()
        return sum(r["b"] for r in rows), len(rows)

    total, count = asyncio.run(asyncio.wait_for(main(), 240))
    assert (total, count) == (100_000, 1000)
