"""Connection pools between borrowers: asyncpg's reset, psycopg_pool's checks, SQLAlchemy's pre-ping and
reset-on-return, DISCARD ALL, advisory locks.

asyncpg's pool runs ``SELECT pg_advisory_unlock_all(); CLOSE ALL; UNLISTEN *; RESET ALL;`` on every
release; psycopg_pool checks a connection with an empty query and resets it after use. Each test runs
on orbit-pg and PostgreSQL 15. ``ORBITPG_POOL_CYCLES`` sets the number of acquire/query/release cycles
(2,000 by default to keep the suite short; bench/pool_cycles.py runs the issue's 10,000 and times them).
"""

from __future__ import annotations

import asyncio
import os
import threading
import time

import asyncpg
import psycopg
import pytest
import sqlalchemy
from drivers import Server, asyncpg_connect, connect, in_thread
from psycopg_pool import ConnectionPool

POOL_SIZE = 20
CYCLES = int(os.environ.get("ORBITPG_POOL_CYCLES", "2000"))


def test_asyncpg_pool_cycles(server: Server) -> None:
    async def main() -> int:
        pool = await asyncpg.create_pool(
            host=server.host,
            port=server.port,
            user=server.user,
            database=server.dbname,
            min_size=POOL_SIZE,
            max_size=POOL_SIZE,
        )
        done = 0

        async def worker(cycles: int) -> None:
            nonlocal done
            for i in range(cycles):
                async with pool.acquire() as conn:
                    assert await conn.fetchval("SELECT $1::int + 1", i) == i + 1
                    done += 1

        try:
            await asyncio.gather(*(worker(CYCLES // POOL_SIZE) for _ in range(POOL_SIZE)))
        finally:
            await pool.close()
        return done

    assert asyncio.run(asyncio.wait_for(main(), 600)) == CYCLES // POOL_SIZE * POOL_SIZE


def test_psycopg_pool_cycles(server: Server) -> None:
    errors: list[BaseException] = []
    per_thread = CYCLES // POOL_SIZE

    with ConnectionPool(
        server.dsn, min_size=POOL_SIZE, max_size=POOL_SIZE, check=ConnectionPool.check_connection
    ) as pool:

        def worker() -> None:
            try:
                for i in range(per_thread):
                    with pool.connection() as conn:
                        assert conn.execute("SELECT %s::int + 1", (i,)).fetchone() == (i + 1,)
            except BaseException as exc:  # reported by the main thread
                errors.append(exc)

        threads = [threading.Thread(target=worker) for _ in range(POOL_SIZE)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(600)
    assert errors == []


def test_pool_reset_does_what_it_says(server: Server) -> None:
    with connect(server) as conn, connect(server) as other:
        conn.execute("LISTEN reset_me")
        conn.execute("SET application_name = 'borrowed'")
        assert conn.execute("SELECT pg_try_advisory_lock(42)").fetchone() == (True,)
        assert other.execute("SELECT pg_try_advisory_lock(42)").fetchone() == (False,)
        conn.execute("SELECT pg_advisory_unlock_all(); CLOSE ALL; UNLISTEN *; RESET ALL;")
        assert other.execute("SELECT pg_try_advisory_lock(42), pg_advisory_unlock(42)").fetchone() == (True, True)
        assert conn.execute("SHOW application_name").fetchone() == ("",)
        other.execute("NOTIFY reset_me")
        assert list(conn.notifies(timeout=0.3)) == []
        with pytest.raises(psycopg.errors.InvalidCursorName, match='cursor "nope" does not exist'):
            conn.execute("CLOSE nope")
        conn.execute("DISCARD ALL")


def test_advisory_locks_elect_one_worker(server: Server) -> None:
    with connect(server) as a, connect(server) as b:
        assert a.execute("SELECT pg_try_advisory_lock(7), pg_try_advisory_lock(7)").fetchone() == (True, True)
        assert b.execute("SELECT pg_try_advisory_lock(7), pg_try_advisory_lock(1, 7)").fetchone() == (False, True)
        assert a.execute("SELECT pg_advisory_unlock(7)").fetchone() == (True,)
        assert b.execute("SELECT pg_try_advisory_lock(7)").fetchone() == (False,)  # a still holds it once
        assert a.execute("SELECT pg_advisory_unlock(7), pg_advisory_lock(8)").fetchone() == (True, "")
        assert b.execute("SELECT pg_try_advisory_lock(7)").fetchone() == (True,)
    with connect(server) as c:
        # a's connection ended: its locks went with it
        assert c.execute("SELECT pg_try_advisory_lock(8)").fetchone() == (True,)


# --- what a borrower leaves behind, and the next one must not see --------------------------------------


def leave_traces(conn: psycopg.Connection) -> None:
    """A LISTEN, a prepared statement, a setting and an advisory lock, as a careless borrower leaves them."""
    conn.execute("LISTEN left_behind")
    conn.execute("PREPARE left_behind AS SELECT 1")
    conn.execute("SET application_name = 'left behind'")
    conn.execute("SELECT pg_advisory_lock(4242)")


def assert_clean(conn: psycopg.Connection, other: psycopg.Connection) -> None:
    assert conn.execute("SHOW application_name").fetchone() == ("",)
    with pytest.raises(psycopg.errors.InvalidSqlStatementName, match='prepared statement "left_behind" does not exist'):
        conn.execute("EXECUTE left_behind")
    assert other.execute("SELECT pg_try_advisory_lock(4242), pg_advisory_unlock(4242)").fetchone() == (True, True)
    other.execute("NOTIFY left_behind")
    assert list(conn.notifies(timeout=0.3)) == []


IN_BLOCK = "DISCARD ALL cannot run inside a transaction block"


def test_discard_all_clears_the_session(server: Server) -> None:
    with connect(server) as conn, connect(server) as other:
        leave_traces(conn)
        assert conn.execute("DISCARD ALL").statusmessage == "DISCARD ALL"
        assert_clean(conn, other)
        conn.execute("BEGIN")
        for target in ("PLANS", "SEQUENCES", "TEMP"):
            assert conn.execute(f"DISCARD {target}").statusmessage == f"DISCARD {target}"
        with pytest.raises(psycopg.errors.ActiveSqlTransaction, match=IN_BLOCK):
            conn.execute("DISCARD ALL")
        conn.execute("ROLLBACK")
        with pytest.raises(psycopg.errors.ActiveSqlTransaction, match=IN_BLOCK):
            conn.execute("SELECT 1; DISCARD ALL")


def test_psycopg_pool_reset_with_discard_all(server: Server) -> None:
    def reset(conn: psycopg.Connection) -> None:
        conn.execute("DISCARD ALL")

    with (
        ConnectionPool(
            server.dsn,
            min_size=1,
            max_size=1,
            kwargs={"autocommit": True},
            check=ConnectionPool.check_connection,
            reset=reset,
        ) as pool,
        connect(server) as other,
    ):
        with pool.connection() as conn:
            leave_traces(conn)
            first = conn.info.backend_pid
        with pool.connection() as conn:
            assert conn.info.backend_pid == first  # the same connection, borrowed again
            assert_clean(conn, other)


def test_asyncpg_pool_release_resets(server: Server) -> None:
    """asyncpg's release runs its reset query (UNLISTEN * among it: test_discard_all_clears_the_session shows
    what that does); it does not DEALLOCATE, so PREPARE'd statements stay, as on PostgreSQL."""

    async def main() -> None:
        pool = await asyncpg.create_pool(
            host=server.host, port=server.port, user=server.user, database=server.dbname, min_size=1, max_size=1
        )
        other = await asyncpg_connect(server)
        try:
            async with pool.acquire() as conn:
                first = conn.get_server_pid()
                await conn.execute("LISTEN left_behind")
                await conn.execute("SET application_name = 'left behind'")
                await conn.execute("SELECT pg_advisory_lock(4242)")
                await conn.execute("PREPARE left_behind AS SELECT 1")
            async with pool.acquire() as conn:
                assert conn.get_server_pid() == first
                assert await conn.fetchval("SHOW application_name") == ""
                assert await other.fetchrow("SELECT pg_try_advisory_lock(4242), pg_advisory_unlock(4242)") == (
                    True,
                    True,
                )
                assert await conn.fetchval("EXECUTE left_behind") == 1
        finally:
            await other.close()
            await pool.close()

    asyncio.run(asyncio.wait_for(main(), 60))


def test_sqlalchemy_pre_ping_and_reset_on_return(server: Server) -> None:
    engine = sqlalchemy.create_engine(
        f"postgresql+psycopg://{server.user}@{server.host}:{server.port}/{server.dbname}",
        pool_size=1,
        max_overflow=0,
        pool_pre_ping=True,
        pool_reset_on_return="rollback",
    )
    pings: list[str] = []
    sqlalchemy.event.listen(engine, "before_cursor_execute", lambda *args: pings.append(args[2]))
    try:
        with engine.connect() as conn:
            conn.execute(sqlalchemy.text("INSERT INTO actors VALUES ('user:never', 'user', '{}')"))
            pid = conn.execute(sqlalchemy.text("SELECT pg_backend_pid()")).scalar()
            # returned without a commit: reset-on-return rolls the insert back
        with engine.connect() as conn:
            assert conn.execute(sqlalchemy.text("SELECT pg_backend_pid()")).scalar() == pid
            assert conn.execute(sqlalchemy.text("SELECT count(*) FROM actors")).scalar() == 0
            assert conn.exec_driver_sql("SELECT 1").scalar() == 1
    finally:
        engine.dispose()


# --- advisory locks -----------------------------------------------------------------------------------


def test_two_workers_elect_one_per_actor(server: Server) -> None:
    actors = range(50)
    with connect(server) as a, connect(server) as b:
        won = {name: [] for name in "ab"}  # type: dict[str, list[int]]
        for n in actors:
            for name, conn in (("a", a), ("b", b)) if n % 2 else (("b", b), ("a", a)):
                if conn.execute("SELECT pg_try_advisory_lock(%s, %s)", (7, n)).fetchone() == (True,):
                    won[name].append(n)
        assert sorted(won["a"] + won["b"]) == list(actors)
        assert won["a"] == list(actors[1::2]) and won["b"] == list(actors[0::2])


def test_waiter_gets_the_lock_when_the_holder_disconnects(server: Server) -> None:
    with connect(server) as waiter:
        holder = psycopg.connect(server.dsn, autocommit=True)
        holder.execute("SELECT pg_advisory_lock(31), pg_advisory_lock(31)")
        started = time.monotonic()
        thread, outcome = in_thread(lambda: waiter.execute("SELECT pg_advisory_lock(31), 'got it'").fetchone())
        thread.join(0.5)
        assert thread.is_alive(), "pg_advisory_lock should wait while another session holds the key"
        holder.close()
        thread.join(10)
        assert outcome == [("", "got it")]
        assert time.monotonic() - started < 5
        with connect(server) as third:
            assert third.execute("SELECT pg_try_advisory_lock(31)").fetchone() == (False,)
        assert waiter.execute("SELECT pg_advisory_unlock(31), pg_advisory_unlock(31)").fetchone() == (True, False)


def test_waiter_gets_the_lock_when_the_holder_unlocks_as_often_as_it_locked(server: Server) -> None:
    with connect(server) as holder, connect(server) as waiter:
        holder.execute("SELECT pg_advisory_lock(1, 2), pg_advisory_lock(1, 2)")
        thread, outcome = in_thread(lambda: waiter.execute("SELECT pg_advisory_lock(%s, %s)", (1, 2)).fetchone())
        assert holder.execute("SELECT pg_advisory_unlock(1, 2)").fetchone() == (True,)
        thread.join(0.5)
        assert thread.is_alive(), "one unlock of two leaves the key held"
        assert holder.execute("SELECT pg_advisory_unlock(1, 2)").fetchone() == (True,)
        thread.join(10)
        assert outcome == [("",)]


def test_cancel_and_timeouts_stop_a_waiting_lock(server: Server) -> None:
    with connect(server) as holder, connect(server) as waiter:
        holder.execute("SELECT pg_advisory_lock(55)")
        thread, outcome = in_thread(lambda: waiter.execute("SELECT pg_advisory_lock(55)"))
        thread.join(0.3)
        assert thread.is_alive()
        waiter.cancel()
        thread.join(5)
        assert len(outcome) == 1 and isinstance(outcome[0], psycopg.errors.QueryCanceled)
        assert str(outcome[0]).startswith("canceling statement due to user request")
        waiter.execute("SET statement_timeout = '200ms'")
        with pytest.raises(psycopg.errors.QueryCanceled, match="canceling statement due to statement timeout"):
            waiter.execute("SELECT pg_advisory_lock(55)")
        waiter.execute("SET statement_timeout = 0; SET lock_timeout = '200ms'")
        with pytest.raises(psycopg.errors.LockNotAvailable, match="canceling statement due to lock timeout"):
            waiter.execute("SELECT pg_advisory_lock_shared(55)")
        # The canceled requests left nothing behind: the holder's unlock frees the key for anyone.
        assert holder.execute("SELECT pg_advisory_unlock(55)").fetchone() == (True,)
        assert waiter.execute("SELECT pg_try_advisory_lock(55)").fetchone() == (True,)


def test_asyncpg_timeout_cancels_a_waiting_lock(server: Server) -> None:
    async def main() -> None:
        holder, waiter = await asyncpg_connect(server), await asyncpg_connect(server)
        try:
            await holder.execute("SELECT pg_advisory_lock(77)")
            with pytest.raises(asyncio.TimeoutError):
                await waiter.execute("SELECT pg_advisory_lock(77)", timeout=0.3)
            assert await waiter.fetchval("SELECT pg_try_advisory_lock(77)") is False
            await holder.execute("SELECT pg_advisory_unlock_all()")
            assert await waiter.fetchval("SELECT pg_try_advisory_lock(77)") is True
        finally:
            await holder.close()
            await waiter.close()

    asyncio.run(asyncio.wait_for(main(), 30))


def test_shared_and_transaction_locks(server: Server) -> None:
    with connect(server) as a, connect(server) as b:
        assert a.execute("SELECT pg_try_advisory_lock_shared(5), pg_try_advisory_lock_shared(5)").fetchone() == (
            True,
            True,
        )
        assert b.execute("SELECT pg_try_advisory_lock_shared(5), pg_try_advisory_lock(5)").fetchone() == (True, False)
        # A session never conflicts with itself: a takes the key exclusively beside its own share.
        assert a.execute("SELECT pg_try_advisory_lock(6), pg_try_advisory_lock_shared(6)").fetchone() == (True, True)
        assert a.execute("SELECT pg_advisory_unlock(5)").fetchone() == (False,)
        assert a.execute("SELECT pg_advisory_unlock_shared(5), pg_advisory_unlock_shared(5)").fetchone() == (
            True,
            True,
        )
        assert b.execute("SELECT pg_advisory_unlock_shared(5), pg_try_advisory_lock(5)").fetchone() == (True, True)
        b.execute("SELECT pg_advisory_unlock_all()")

        a.execute("BEGIN")
        a.execute("SELECT pg_advisory_xact_lock(9), pg_advisory_xact_lock_shared(10)")
        assert a.execute("SELECT pg_try_advisory_xact_lock(9), pg_try_advisory_xact_lock_shared(11)").fetchone() == (
            True,
            True,
        )
        # Transaction-level holds are not session-level ones: unlock warns and says false.
        assert a.execute("SELECT pg_advisory_unlock(9)").fetchone() == (False,)
        a.execute("SELECT pg_advisory_unlock_all()")  # leaves transaction-level holds alone
        assert b.execute("SELECT pg_try_advisory_lock(9), pg_try_advisory_lock_shared(10)").fetchone() == (
            False,
            True,
        )
        thread, outcome = in_thread(lambda: b.execute("SELECT pg_advisory_xact_lock(11)").fetchone())
        thread.join(0.3)
        assert thread.is_alive()
        a.execute("ROLLBACK")
        thread.join(10)
        assert outcome == [("",)]
        assert b.execute("SELECT pg_try_advisory_lock(9)").fetchone() == (True,)


def test_advisory_deadlock_is_detected(server: Server) -> None:
    """One of two sessions waiting for each other's key fails with 40P01 (on PostgreSQL the one whose
    deadlock_timeout runs out first, on orbit-pg the one that closes the cycle); once it lets go, the other
    gets its lock."""
    with connect(server) as a, connect(server) as b:
        a.execute("SELECT pg_advisory_lock(101)")
        b.execute("SELECT pg_advisory_lock(102)")
        waits = {
            conn: in_thread(lambda conn=conn, key=key: conn.execute("SELECT pg_advisory_lock(%s)", (key,)).fetchone())
            for conn, key in ((a, 102), (b, 101))
        }
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not any(outcome for _, outcome in waits.values()):
            time.sleep(0.05)
        failed = [conn for conn, (_, outcome) in waits.items() if outcome]
        assert len(failed) == 1
        error = waits[failed[0]][1][0]
        assert isinstance(error, psycopg.errors.DeadlockDetected)
        detail = error.diag.message_detail or ""
        assert "waits for ExclusiveLock on advisory lock [" in detail and "]; blocked by process " in detail
        failed[0].execute("SELECT pg_advisory_unlock_all()")
        (survivor,) = [conn for conn in waits if conn is not failed[0]]
        thread, outcome = waits[survivor]
        thread.join(10)
        assert outcome == [("",)]


def test_pg_locks_shows_advisory_locks(server: Server) -> None:
    """Who holds or waits for which key, as monitoring queries read it; one row per session and
    mode whatever the counts and scopes; an idle holder's virtual transaction ends in /0."""
    query = (
        "SELECT locktype, classid, objid, objsubid, mode, granted, fastpath, waitstart IS NOT NULL,"
        " pid = %s AS holder, virtualtransaction LIKE '%%/0' AS idle,"
        " database = (SELECT oid FROM pg_database WHERE datname = current_database())"
        " FROM pg_locks WHERE locktype = 'advisory' AND pid IN (%s, %s) ORDER BY objid, mode, granted"
    )
    with connect(server) as holder, connect(server) as waiter, connect(server) as observer:
        holder.execute("SELECT pg_advisory_lock(5), pg_advisory_lock(5), pg_advisory_lock(1, 2)")
        holder.execute("SELECT pg_advisory_lock_shared(-7)")
        pids = (holder.info.backend_pid, holder.info.backend_pid, waiter.info.backend_pid)
        thread, _ = in_thread(lambda: waiter.execute("SELECT pg_advisory_lock(5)"))
        thread.join(0.3)
        rows = observer.execute(query, pids).fetchall()
        assert rows == [
            ("advisory", 1, 2, 2, "ExclusiveLock", True, False, False, True, True, True),
            ("advisory", 0, 5, 1, "ExclusiveLock", False, False, True, False, False, True),
            ("advisory", 0, 5, 1, "ExclusiveLock", True, False, False, True, True, True),
            ("advisory", 4294967295, 4294967289, 1, "ShareLock", True, False, False, True, True, True),
        ]
        holder.execute("SELECT pg_advisory_unlock_all()")
        thread.join(5)
        with holder.transaction():
            holder.execute("SELECT pg_advisory_xact_lock(9), pg_advisory_lock_shared(9)")
            rows = observer.execute(query, pids).fetchall()
        assert [row[4] for row in rows] == ["ExclusiveLock", "ExclusiveLock", "ShareLock"]
        assert [(row[2], row[8], row[9]) for row in rows] == [(5, False, True), (9, True, False), (9, True, False)]
        own = observer.execute(
            "SELECT locktype, relation = 'pg_locks'::regclass, mode, granted, fastpath,"
            " virtualtransaction = virtualxid FROM pg_locks WHERE pid = pg_backend_pid() ORDER BY locktype"
        ).fetchall()
        assert own == [
            ("relation", True, "AccessShareLock", True, True, None),
            ("virtualxid", None, "ExclusiveLock", True, True, True),
        ]
