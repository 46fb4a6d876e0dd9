"""The cluster-level relations: pg_namespace, pg_database, pg_tablespace, pg_am, pg_collation,
pg_settings (the session's parameters), pg_stat_activity (every live connection), pg_cursors
(the session's DECLAREd cursors) and pg_locks (advisory locks, and each transaction's own lock)."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator
from typing import Any

from orbit_pg.catalog import objects
from orbit_pg.catalog.relation import DEFINED, relation
from orbit_pg.session import SETTINGS, Setting


def _namespaces(ctx: Any) -> Iterator[dict[str, Any]]:
    for oid, name in objects.NAMESPACES.items():
        owner = objects.DATABASE_OWNER if oid == objects.PUBLIC else objects.BOOTSTRAP_SUPERUSER
        yield {"oid": oid, "nspname": name, "nspowner": owner}


def _databases(ctx: Any) -> Iterator[dict[str, Any]]:
    """The one database a connection can reach: the one it named at startup."""
    yield {
        "oid": objects.DATABASE,
        "datname": ctx.session.database,
        "datdba": objects.BOOTSTRAP_SUPERUSER,
        "encoding": 6,  # UTF8
        "datlocprovider": "c",
        "datistemplate": False,
        "datallowconn": True,
        "datconnlimit": -1,
        "datfrozenxid": 716,
        "datminmxid": 1,
        "dattablespace": objects.DEFAULT_TABLESPACE,
        "datcollate": "C",
        "datctype": "C",
    }


def _tablespaces(ctx: Any) -> Iterator[dict[str, Any]]:
    for oid, name in ((1663, "pg_default"), (1664, "pg_global")):
        yield {"oid": oid, "spcname": name, "spcowner": objects.BOOTSTRAP_SUPERUSER}


# pg_am: oid, name, handler (regproc OID), type (t table, i index)
_ACCESS_METHODS = (
    (2, "heap", 3, "t"),
    (403, "btree", 330, "i"),
    (405, "hash", 331, "i"),
    (783, "gist", 332, "i"),
    (2742, "gin", 333, "i"),
    (4000, "spgist", 334, "i"),
    (3580, "brin", 335, "i"),
)


def _access_methods(ctx: Any) -> Iterator[dict[str, Any]]:
    for oid, name, handler, amtype in _ACCESS_METHODS:
        yield {"oid": oid, "amname": name, "amhandler": handler, "amtype": amtype}


def collations(ctx: Any = None) -> Iterator[dict[str, Any]]:
    for oid, name, provider, locale in (
        (100, "default", "d", None),
        (950, "C", "c", "C"),
        (951, "POSIX", "c", "POSIX"),
    ):
        yield {
            "oid": oid,
            "collname": name,
            "collnamespace": objects.PG_CATALOG,
            "collowner": objects.BOOTSTRAP_SUPERUSER,
            "collprovider": provider,
            "collisdeterministic": True,
            "collencoding": -1,
            "collcollate": locale,
            "collctype": locale,
        }


_VARTYPES = {"bool": "bool", "int": "integer", "ms": "integer", "kb": "integer"}
_UNITS = {"ms": "ms", "kb": "kB"}
_TIME_UNITS = {"d": 86_400_000, "h": 3_600_000, "min": 60_000, "s": 1000, "ms": 1, "": 1}
_MEMORY_UNITS = {"TB": 1 << 30, "GB": 1 << 20, "MB": 1 << 10, "kB": 1, "": 1}


def _base_units(setting: Setting, value: str) -> str:
    """pg_settings.setting: a time or memory value as a number of its base unit (ms, kB)."""
    if setting.kind not in _UNITS:
        return value
    digits = value.rstrip("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
    units = _TIME_UNITS if setting.kind == "ms" else _MEMORY_UNITS
    return str(int(digits) * units[value[len(digits) :]])


def _settings(ctx: Any) -> Iterator[dict[str, Any]]:
    session = ctx.session
    for key, setting in sorted(SETTINGS.items()):
        value = session.values.get(key, setting.default)
        readonly = setting.kind == "readonly"
        kind = "integer" if readonly and value.lstrip("-").isdigit() else _VARTYPES.get(setting.kind, "string")
        default = session.startup_value(setting) if not readonly else setting.default
        yield {
            "name": setting.name,
            "setting": _base_units(setting, value),
            "unit": _UNITS.get(setting.kind),
            "category": "Preset Options" if readonly else "Client Connection Defaults",
            "short_desc": setting.description,
            "context": "internal" if readonly else "user",
            "vartype": kind,
            "source": "default" if value == setting.default else "session",
            "boot_val": _base_units(setting, setting.default),
            "reset_val": _base_units(setting, default),
            "pending_restart": False,
        }


def _activity(ctx: Any) -> Iterator[dict[str, Any]]:
    """One row per connection past startup, as PostgreSQL's for client backends."""
    own = ctx.session
    server = own.server
    for session in server.sessions() if server is not None else (own,):
        activity = session.activity
        yield {
            "datid": objects.DATABASE,
            "datname": session.database,
            "pid": session.process_id,
            "usesysid": objects.BOOTSTRAP_SUPERUSER,
            "usename": session.user,
            "application_name": session.values.get("application_name", ""),
            "client_addr": None if activity.client_addr is None else ipaddress.ip_interface(activity.client_addr),
            "client_port": activity.client_port,
            "backend_start": activity.backend_start,
            "xact_start": activity.xact_start,
            "query_start": activity.query_start,
            "state_change": activity.state_change,
            "state": activity.state,
            "query": activity.query,
            "backend_type": "client backend",
        }


def _cursors(ctx: Any) -> Iterator[dict[str, Any]]:
    """The session's cursors (sql/cursors.py), read from its portals: the catalog knows no SQL."""
    executor = getattr(ctx, "executor", None)
    for name, portal in executor.portals.items() if executor is not None else ():
        cursor = portal.cursor
        if cursor is not None and cursor.statement is not None:
            yield {
                "name": name,
                "statement": cursor.statement,
                "is_holdable": cursor.hold,
                "is_binary": cursor.binary,
                "is_scrollable": cursor.scroll,
                "creation_time": cursor.created,
            }


# pg_locks' constant columns, None where a lock type has no such field.
_LOCK_FIELDS = dict.fromkeys(
    "database relation page tuple virtualxid transactionid classid objid objsubid waitstart".split()
)


def _virtual_transaction(session: Any) -> str:
    """backend/local transaction number; 0 for a session outside a transaction, as PostgreSQL shows."""
    return f"{session.backend_id}/{session.local_xid if session.transaction is not None else 0}"


def _locks(ctx: Any) -> Iterator[dict[str, Any]]:
    """The locks a user can act on: advisory locks (held or awaited, every session's), and for
    each session in a transaction its virtual transaction lock; the querying session also holds
    AccessShareLock on pg_locks itself. Relation locks of other statements and row locks (kept
    in the tuples, not the lock table, by PostgreSQL too) are not shown."""
    own = ctx.session
    server = own.server
    for session in server.sessions() if server is not None else (own,):
        if session.transaction is None and session is not own:
            continue
        vxid = _virtual_transaction(session)
        common = {"virtualtransaction": vxid, "pid": session.process_id, "granted": True, "fastpath": True}
        if session is own:
            yield (
                _LOCK_FIELDS
                | common
                | {
                    "locktype": "relation",
                    "database": objects.DATABASE,
                    "relation": DEFINED["pg_catalog", "pg_locks"][0],
                    "mode": "AccessShareLock",
                }
            )
        yield _LOCK_FIELDS | common | {"locktype": "virtualxid", "virtualxid": vxid, "mode": "ExclusiveLock"}
    if own.advisory_locks is None:
        return
    for (classid, objid, objsubid), session, mode, waiting in own.advisory_locks.holdings():
        yield _LOCK_FIELDS | {
            "locktype": "advisory",
            "database": objects.DATABASE,
            "classid": classid,
            "objid": objid,
            "objsubid": objsubid,
            "virtualtransaction": _virtual_transaction(session),
            "pid": session.process_id,
            "mode": mode,
            "granted": waiting is None,
            "fastpath": False,
            "waitstart": waiting,
        }


relation("pg_catalog", "pg_namespace", _namespaces, static=True)
relation("pg_catalog", "pg_database", _databases)
relation("pg_catalog", "pg_tablespace", _tablespaces, static=True)
relation("pg_catalog", "pg_am", _access_methods, static=True)
relation("pg_catalog", "pg_collation", collations, static=True)
relation("pg_catalog", "pg_settings", _settings)
relation("pg_catalog", "pg_stat_activity", _activity)
relation("pg_catalog", "pg_cursors", _cursors)
relation("pg_catalog", "pg_locks", _locks)
