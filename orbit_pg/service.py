"""The twistd service built from options (the plugin's), on the same factory embedders use."""

from __future__ import annotations

from twisted.application import service, strports
from twisted.internet.defer import Deferred
from twisted.logger import Logger
from twisted.python import usage

from orbit_pg.protocol import PostgresServerFactory
from orbit_pg.storage.lmdb_store import ActorStore
from orbit_pg.wire.constants import DEFAULT_MAX_MESSAGE_SIZE

log = Logger()


class Options(usage.Options):
    optParameters = [
        ["port", "p", 5433, "TCP port to listen on.", int],
        ["interface", "i", "127.0.0.1", "Address to listen on."],
        ["data-dir", "d", "./orbitpg-data", "Directory of the LMDB environment holding the actors."],
        ["max-message-size", None, DEFAULT_MAX_MESSAGE_SIZE, "Largest protocol message accepted, in bytes.", int],
        ["map-size", None, 1 << 36, "LMDB map size in bytes (the most the data can grow to).", int],
        [
            "synchronous-commit",
            None,
            "on",
            "on: COMMIT is acknowledged once on disk; off: once written, flushed within 200 ms "
            "(a machine crash may lose the last commits; a server crash loses nothing).",
        ],
    ]

    def postOptions(self) -> None:
        if not 0 <= self["port"] <= 65535:
            raise usage.UsageError("--port must be between 0 and 65535")
        if self["max-message-size"] < 1024:
            raise usage.UsageError("--max-message-size must be at least 1024")
        if self["synchronous-commit"] not in ("on", "off"):
            raise usage.UsageError("--synchronous-commit must be on or off")


class _StoreService(service.Service):
    """Closes the store when the application stops: after the listener, and after the
    commits already handed over are written."""

    def __init__(self, factory: PostgresServerFactory) -> None:
        self.factory = factory

    def stopService(self) -> Deferred[None]:
        super().stopService()
        drained = self.factory.committer.drain()
        drained.addCallback(lambda _: self.factory.store.close())
        return drained


def makeService(options: Options | dict) -> service.IService:
    store = ActorStore(
        options["data-dir"],
        map_size=options.get("map-size", 1 << 36),
        sync=options.get("synchronous-commit", "on") == "on",
    )
    factory = PostgresServerFactory(store, options.get("max-message-size", DEFAULT_MAX_MESSAGE_SIZE))
    top = service.MultiService()
    _StoreService(factory).setServiceParent(top)
    interface = options["interface"].replace(":", "\\:")
    listener = strports.service(f"tcp:{options['port']}:interface={interface}", factory)
    listener.setServiceParent(top)
    log.info(
        "orbit-pg serving {data} on {iface}:{port}",
        data=options["data-dir"],
        iface=options["interface"],
        port=options["port"],
    )
    return top
