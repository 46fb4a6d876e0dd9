"""The fuzz tests drive the protocol through the unit tests' fake-transport harness."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from twisted.logger import Logger

sys.path.insert(0, str(Path(__file__).parent.parent / "unit"))

from protocol_harness import make_factory  # noqa: E402 - from the path just added

from orbit_pg import protocol  # noqa: E402
from orbit_pg.auth.passwords import store_password  # noqa: E402
from orbit_pg.auth.roles import CATALOG_NAME, Role, Roles  # noqa: E402
from orbit_pg.protocol import PostgresServerFactory  # noqa: E402
from orbit_pg.storage.lmdb_store import ActorStore  # noqa: E402

# How many cases each fuzz test runs: sized for CI by default; ORBITPG_FUZZ_SCALE=20 for a long run by hand.
SCALE = float(os.environ.get("ORBITPG_FUZZ_SCALE", "1"))


@pytest.fixture(scope="module", autouse=True)
def quiet() -> Iterator[None]:
    """The protocol logs each connection; thousands of them would only slow the run down."""
    saved = protocol.log
    protocol.log = Logger(observer=lambda event: None)
    yield
    protocol.log = saved


@pytest.fixture(scope="module")
def trusting(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PostgresServerFactory]:
    store = ActorStore(str(tmp_path_factory.mktemp("fuzz") / "data"), sync=False)
    yield make_factory(store)
    store.close()


@pytest.fixture(scope="module")
def with_passwords(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PostgresServerFactory]:
    """A role exists, so the default rules ask loopback clients for a SCRAM exchange."""
    store = ActorStore(str(tmp_path_factory.mktemp("fuzz-scram") / "data"), sync=False)
    Roles(store.catalog(CATALOG_NAME)).create(Role("orbit", login=True, password=store_password("pw", "orbit")))
    yield make_factory(store)
    store.close()
