"""pg_proc and pg_language: PostgreSQL 15's rows for the functions orbit-pg implements.

``proc_data`` holds PostgreSQL's rows for every name orbit-pg has or is meant to have; the SQL
layer says which names it implements (``set_implemented``), and only those are listed, with all
of PostgreSQL's overloads (as the function registry lists them too).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from orbit_pg import types
from orbit_pg.catalog import objects
from orbit_pg.catalog.proc_data import PROCS
from orbit_pg.catalog.relation import relation

_COLUMNS = (
    "oid proname prolang procost prorows provariadic prosupport prokind proleakproof proisstrict proretset"
    " provolatile proparallel pronargs pronargdefaults prorettype proargtypes proallargtypes proargmodes"
    " proargnames proargdefaults prosrc"
).split()

_implemented: list[Callable[[], Iterable[str]]] = []


def set_implemented(names: Callable[[], Iterable[str]]) -> None:
    """The SQL layer's function names (asked when pg_proc is read, so later additions count)."""
    _implemented[:] = [names]


def _all() -> Iterator[dict[str, Any]]:
    for values in PROCS:
        row = dict(zip(_COLUMNS, values, strict=True))
        row.update(
            pronamespace=objects.PG_CATALOG,
            proowner=objects.BOOTSTRAP_SUPERUSER,
            prosecdef=False,
            proargtypes=types.Vector(row["proargtypes"]),
        )
        yield row


def _procs(ctx: Any) -> Iterator[dict[str, Any]]:
    names = set(_implemented[0]()) if _implemented else None
    return (row for row in _all() if names is None or row["proname"] in names)


def functions() -> list[dict[str, Any]]:
    """The rows pg_proc shows now (for the name lookups of regproc and regprocedure)."""
    return list(_procs(None))


_LANGUAGES = ((12, "internal", False, 2246), (13, "c", False, 2247), (14, "sql", True, 2248))


def _languages(ctx: Any) -> Iterator[dict[str, Any]]:
    for oid, name, trusted, validator in _LANGUAGES:
        yield {
            "oid": oid,
            "lanname": name,
            "lanowner": objects.BOOTSTRAP_SUPERUSER,
            "lanispl": False,
            "lanpltrusted": trusted,
            "lanplcallfoid": 0,
            "laninline": 0,
            "lanvalidator": validator,
        }


relation("pg_catalog", "pg_proc", _procs)
relation("pg_catalog", "pg_language", _languages, static=True)
