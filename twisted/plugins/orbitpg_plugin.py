"""twistd plugin: ``twistd -n orbitpg --port 5433 --data-dir ./orbitpg-data``."""

from twisted.application.service import ServiceMaker

orbitpg = ServiceMaker(
    "orbit-pg",
    "orbit_pg.service",
    "A PostgreSQL wire-protocol server for actor state kept in LMDB.",
    "orbitpg",
)
