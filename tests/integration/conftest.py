"""The ``server`` fixture: every driver test runs once against orbit-pg and once against PostgreSQL 15."""

from __future__ import annotations

from collections.abc import Generator, Iterator
from typing import Any

import pytest
from drivers import HOST, KINDS, Server, clear

from orbit_pg.testing import OrbitServer


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "orbit: runs against orbit-pg (select with -k orbit or -m orbit)")
    config.addinivalue_line("markers", "postgres: runs against a throwaway PostgreSQL 15 (-k postgres, -m postgres)")


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark each test with the server it runs against (``-m orbit``); its id already says so (``-k orbit``).

    Marked here, not in ``params``: this conftest's markers are registered only once it is loaded.
    """
    for item in items:
        callspec = getattr(item, "callspec", None)
        kind = callspec.params.get("server") if callspec is not None else None
        if kind in KINDS:
            item.add_marker(kind)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, Any, None]:
    """A failed test against orbit-pg shows what the server logged meanwhile (tracebacks of internal errors)."""
    outcome = yield
    report: pytest.TestReport = outcome.get_result()
    orbit: OrbitServer | None = getattr(item, "_orbit_server", None)
    if report.failed and orbit is not None:
        logged = orbit.log_text()[getattr(item, "_orbit_log_start", 0) :]
        if logged.strip():
            report.sections.append(("orbit-pg log", logged[-20000:]))


@pytest.fixture(scope="session")
def driver_orbit() -> Iterator[OrbitServer]:
    """orbit-pg for the driver tests alone, so that emptying its table disturbs no other test."""
    with OrbitServer() as orbit:
        yield orbit


@pytest.fixture(params=KINDS)
def server(request: pytest.FixtureRequest) -> Server:
    """An empty ``actors`` table, user ``orbit``, database ``actors``, on the server the param names.

    PostgreSQL gets a freshly created database from ``postgres_actors`` (which skips, saying why,
    when PostgreSQL 15 cannot run here); orbit-pg is one server for the session, emptied first.
    """
    if request.param == "postgres":
        postgres = request.getfixturevalue("postgres_actors")
        return Server("postgres", HOST, postgres.port)
    orbit: OrbitServer = request.getfixturevalue("driver_orbit")
    server = Server("orbit", HOST, orbit.port)
    request.node._orbit_server = orbit
    request.node._orbit_log_start = len(orbit.log_text())
    try:
        clear(server)
    except Exception as exc:
        pytest.fail(f"could not empty orbit-pg's actors table: {exc}\n--- server log ---\n{orbit.log_text()[-4000:]}")
    return server
