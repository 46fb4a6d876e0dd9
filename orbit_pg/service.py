"""The twistd service built from options (the plugin's), on the same factory embedders use."""

from __future__ import annotations

import os

from twisted.application import service, strports
from twisted.internet.defer import Deferred
from twisted.logger import Logger
from twisted.python import usage

from orbit_pg.auth import hba, limits, tls
from orbit_pg.auth.methods import Authenticator
from orbit_pg.auth.roles import CATALOG_NAME, Roles
from orbit_pg.protocol import PostgresServerFactory
from orbit_pg.storage.layered import CHECKPOINT_INTERVAL, LayeredStore
from orbit_pg.storage.lmdb_store import TEMP_DIR
from orbit_pg.storage.writeset import remove_leftovers
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
        [
            "checkpoint-interval",
            None,
            CHECKPOINT_INTERVAL,
            "Seconds between checkpoints, which move commits from the write-ahead log into LMDB.",
            float,
        ],
        [
            "commit-group-size",
            None,
            0,
            "Most commits that share one durable write (group commit); 0: no limit, 1: none.",
            int,
        ],
        ["hba", None, None, "Access rules file (pg_hba.conf-like; see docs/security.md). Default: loopback only."],
        ["tls-cert", None, None, "PEM certificate (chain) for TLS; SSLRequest is then answered 'S'."],
        ["tls-key", None, None, "PEM private key of --tls-cert."],
        ["tls-ca", None, None, "PEM CA certificates: client certificates are asked for and verified against them."],
        ["max-connections", None, 100, "Most concurrent client connections (PostgreSQL's max_connections).", int],
        [
            "superuser-reserved-connections",
            None,
            3,
            "Connection slots kept for superusers (PostgreSQL's superuser_reserved_connections).",
            int,
        ],
        [
            "authentication-timeout",
            None,
            60.0,
            "Seconds a client has from connecting to finishing authentication.",
            float,
        ],
    ]
    optFlags = [
        ["cleartext-without-tls", None, "Allow the 'password' method (password sent in clear) without TLS."],
    ]

    def postOptions(self) -> None:
        if not 0 <= self["port"] <= 65535:
            raise usage.UsageError("--port must be between 0 and 65535")
        if self["max-message-size"] < 1024:
            raise usage.UsageError("--max-message-size must be at least 1024")
        if self["synchronous-commit"] not in ("on", "off"):
            raise usage.UsageError("--synchronous-commit must be on or off")
        if self["checkpoint-interval"] <= 0:
            raise usage.UsageError("--checkpoint-interval must be positive")
        if self["commit-group-size"] < 0:
            raise usage.UsageError("--commit-group-size must be 0 or more")
        if bool(self["tls-cert"]) != bool(self["tls-key"]):
            raise usage.UsageError("--tls-cert and --tls-key go together")
        if self["tls-ca"] and not self["tls-cert"]:
            raise usage.UsageError("--tls-ca needs --tls-cert and --tls-key")
        if self["max-connections"] < 1:
            raise usage.UsageError("--max-connections must be at least 1")
        if not 0 <= self["superuser-reserved-connections"] < self["max-connections"]:
            raise usage.UsageError("--superuser-reserved-connections must be less than --max-connections")
        if self["authentication-timeout"] <= 0:
            raise usage.UsageError("--authentication-timeout must be positive")
        try:
            self["hba-rules"] = hba.load_rules(self["hba"]) if self["hba"] else None
            self["tls-settings"] = (
                tls.load(self["tls-cert"], self["tls-key"], self["tls-ca"]) if self["tls-cert"] else None
            )
        except (hba.HbaError, OSError, ValueError) as exc:
            raise usage.UsageError(str(exc)) from None


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
    remove_leftovers(os.path.join(options["data-dir"], TEMP_DIR))
    store = LayeredStore(
        options["data-dir"],
        map_size=options.get("map-size", 1 << 36),
        sync=options.get("synchronous-commit", "on") == "on",
        checkpoint_interval=options.get("checkpoint-interval", CHECKPOINT_INTERVAL),
    )
    authenticator = Authenticator(
        Roles(store.catalog(CATALOG_NAME)),
        options.get("hba-rules"),
        cleartext_without_tls=bool(options.get("cleartext-without-tls")),
    )
    factory = PostgresServerFactory(
        store,
        options.get("max-message-size", DEFAULT_MAX_MESSAGE_SIZE),
        authenticator=authenticator,
        tls=options.get("tls-settings"),
        connection_limits=limits.Limits(
            options.get("max-connections", 100),
            options.get("superuser-reserved-connections", 3),
            options.get("authentication-timeout", 60.0),
        ),
        commit_group_size=options.get("commit-group-size", 0),
    )
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
    log.info("{rules}", rules=authenticator.describe())
    if factory.tls is not None:
        log.info("TLS on: SSLRequest is answered 'S'")
    return top
