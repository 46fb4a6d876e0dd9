"""Fixtures shared by the protocol unit tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from protocol_harness import make_factory

from orbit_pg.protocol import PostgresServerFactory
from orbit_pg.storage.lmdb_store import ActorStore


@pytest.fixture
def factory(tmp_path: Path) -> Iterator[PostgresServerFactory]:
    """A factory on a fresh LMDB store whose reactor is a Clock."""
    store = ActorStore(str(tmp_path / "data"))
    yield make_factory(store)
    store.close()
