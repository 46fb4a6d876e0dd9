"""The helpers in orbit_pg.testing: every comparison with PostgreSQL 15 relies on them."""

from __future__ import annotations

import socket
import sys
from collections.abc import Iterator

import psycopg
import pytest

from orbit_pg.testing import OrbitServer, ThrowawayPostgres, free_port, wait_for_port


@pytest.fixture(scope="module")
def postgres() -> Iterator[ThrowawayPostgres]:
    reason = ThrowawayPostgres.available()
    if reason is not None:
        pytest.skip(reason)
    with ThrowawayPostgres(fsync=False) as server:
        yield server


def test_free_port_is_bindable() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", free_port()))


def test_wait_for_port_times_out_with_the_address() -> None:
    port = free_port()
    with pytest.raises(TimeoutError, match=f"127.0.0.1:{port}"):
        wait_for_port("127.0.0.1", port, timeout=0.2)


def test_orbit_server_runs_on_the_interpreter_given() -> None:
    """A benchmark compares interpreters (pgbench_workloads.py --server-python): the server's
    command starts with the one given, else with the one running the tests."""
    default, given = OrbitServer(cpus="1"), OrbitServer(python="/opt/python/bin/python3")
    try:
        assert default.command()[:6] == ["taskset", "-c", "1", sys.executable, "-m", "twisted"]
        assert given.command()[:3] == ["/opt/python/bin/python3", "-m", "twisted"]
    finally:
        default.cleanup()
        given.cleanup()


def test_throwaway_postgres_answers_select_1(postgres: ThrowawayPostgres) -> None:
    with psycopg.connect(postgres.dsn) as conn:
        assert conn.execute("SELECT 1").fetchone() == (1,)
        assert conn.info.server_version // 10000 == 15


def test_throwaway_postgres_listens_on_localhost_only(
    postgres: ThrowawayPostgres,
) -> None:
    with psycopg.connect(postgres.dsn) as conn:
        row = conn.execute("SELECT current_setting('listen_addresses')").fetchone()
    assert row == ("127.0.0.1",)


def test_throwaway_postgres_stop_removes_the_cluster() -> None:
    reason = ThrowawayPostgres.available()
    if reason is not None:
        pytest.skip(reason)
    server = ThrowawayPostgres(fsync=False).start()
    data_dir = server.data_dir
    server.stop()
    assert not data_dir.exists()
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(server.dsn, connect_timeout=2)
