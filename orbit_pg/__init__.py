"""orbit-pg: actor state served over the PostgreSQL wire protocol."""

__version__ = "0.1.0"

from orbit_pg.protocol import PostgresServerFactory  # noqa: E402
from orbit_pg.service import makeService  # noqa: E402
from orbit_pg.storage.layered import LayeredStore  # noqa: E402
from orbit_pg.storage.lmdb_store import ActorStore  # noqa: E402

__all__ = ["ActorStore", "LayeredStore", "PostgresServerFactory", "makeService", "__version__"]
