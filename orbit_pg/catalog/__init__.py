"""System catalogs: relations computed on demand (pg_catalog, information_schema), not stored.

Each is a ``CatalogTable``: its columns, and a function that yields its rows for the statement
being executed (``ctx`` is the expression ``Context``: session, parameters). The SQL layer finds
them by schema and name (``TABLES``) and scans them like any other relation. Columns (names,
types, order) are PostgreSQL 15's, kept in ``definitions``; the modules below fill the rows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from orbit_pg import types


@dataclass(frozen=True, slots=True)
class CatalogTable:
    schema: str
    name: str
    oid: int
    columns: tuple[tuple[str, types.PgType], ...]
    rows: Callable[[Any], Iterable[tuple[Any, ...]]]


TABLES: dict[tuple[str, str], CatalogTable] = {}


def register(table: CatalogTable) -> CatalogTable:
    TABLES[(table.schema, table.name)] = table
    return table


# Importing these registers every relation and installs the name lookup of the OID alias types.
from orbit_pg.catalog import (  # noqa: E402, F401
    classes,
    empty,
    information_schema,
    names,
    procs,
    roles,
    server,
    typedefs,
)

types.system.set_lookup(names.LOOKUP)
