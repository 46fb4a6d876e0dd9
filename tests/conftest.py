"""Fixtures shared by the suite: a real orbit-pg server and, where installed, a real PostgreSQL 15."""

from __future__ import annotations

import os
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
