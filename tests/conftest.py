"""Fixtures shared by the suite: a real orbit-pg server and, where installed, a real PostgreSQL 15."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator

import pytest

from orbit_pg.testing import OrbitServer, ThrowawayPostgres

# psql and libpq pick the client encoding from the locale; tests compare UTF-8 output.
os.environ.setdefault("PGCLIENTENCODING", "UTF8")


@pytest.fixture(scope="session")
def orbit() -> Iterator[OrbitServer]:
    """One server for the tests that only add rows under their own actor ids."""
    with OrbitServer() as server:
        yield server


@pytest.fixture
def fresh_orbit() -> Iterator[OrbitServer]:
    """A server with an empty data directory, for tests that look at the whole table."""
    with OrbitServer() as server:
        yield server


@pytest.fixture(scope="session")
def postgres() -> Iterator[ThrowawayPostgres]:
    """A throwaway PostgreSQL 15 holding the same ``actors`` table, to compare behaviour with."""
    reason = ThrowawayPostgres.available()
    if reason is not None:
        pytest.skip(reason)
    with ThrowawayPostgres() as server:
        yield server


ACTORS_SCHEMA = (
    "CREATE TABLE actors (actor_id text PRIMARY KEY, actor_type text NOT NULL, state jsonb);"
    "CREATE INDEX actors_actor_type_idx ON actors (actor_type);"
)


@pytest.fixture
def postgres_actors(postgres: ThrowawayPostgres) -> ThrowawayPostgres:
    """The reference PostgreSQL with a fresh ``actors`` database owned by ``orbit``, as orbit-pg presents it."""
    admin = ["psql", "-h", "127.0.0.1", "-p", str(postgres.port), "-U", "postgres", "-X", "-q", "-v", "ON_ERROR_STOP=1"]
    for sql in (
        "DROP DATABASE IF EXISTS actors",
        "DROP ROLE IF EXISTS orbit",
        "CREATE ROLE orbit SUPERUSER LOGIN",
        "CREATE DATABASE actors OWNER orbit",
    ):
        subprocess.run([*admin, "-c", sql], check=True, capture_output=True, timeout=60)
    # The table belongs to orbit, as orbit-pg shows it (its session user owns everything).
    owner = [arg if arg != "postgres" else "orbit" for arg in admin]
    subprocess.run([*owner, "-d", "actors", "-c", ACTORS_SCHEMA], check=True, capture_output=True, timeout=60)
    return postgres
