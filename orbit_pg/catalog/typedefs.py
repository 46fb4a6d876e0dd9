"""pg_type: PostgreSQL 15's built-in types (``type_data``) and the row types of the actors table."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from orbit_pg.catalog import objects
from orbit_pg.catalog.relation import relation
from orbit_pg.catalog.type_data import SUPPORT_FUNCTIONS, TYPES

_COLUMNS = (
    "oid typname typlen typbyval typtype typcategory typispreferred typdelim typrelid typsubscript typelem"
    " typarray typinput typoutput typreceive typsend typmodin typmodout typanalyze typalign typstorage typcollation"
).split()
_FUNCTIONS = frozenset(("typsubscript", "typinput", "typoutput", "typreceive", "typsend", "typmodin", "typmodout"))
_FUNCTIONS |= {"typanalyze"}


def _built_in(values: tuple[object, ...]) -> dict[str, Any]:
    row: dict[str, Any] = {
        "typnamespace": objects.PG_CATALOG,
        "typowner": objects.BOOTSTRAP_SUPERUSER,
        "typisdefined": True,
        "typnotnull": False,
        "typbasetype": 0,
        "typtypmod": -1,
        "typndims": 0,
    }
    for column, value in zip(_COLUMNS, values, strict=True):
        row[column] = SUPPORT_FUNCTIONS.get(value, 0) if column in _FUNCTIONS else value  # type: ignore[arg-type]
    return row


# The actors table's composite type and its array, as CREATE TABLE makes them.
_ROW_TYPES = (
    (objects.ACTORS_ROW_TYPE, "actors", -1, False, "c", "C", False, ",", objects.ACTORS, "-", 0,
     objects.ACTORS_ARRAY_TYPE, "record_in", "record_out", "record_recv", "record_send", "-", "-", "-", "d", "x", 0),
    (objects.ACTORS_ARRAY_TYPE, "_actors", -1, False, "b", "A", False, ",", 0, "array_subscript_handler",
     objects.ACTORS_ROW_TYPE, 0, "array_in", "array_out", "array_recv", "array_send", "-", "-", "array_typanalyze",
     "d", "x", 0),
)  # fmt: skip


def _types(ctx: Any) -> Iterator[dict[str, Any]]:
    for values in TYPES:
        yield _built_in(values)
    for values in _ROW_TYPES:
        row = _built_in(values)
        row["typnamespace"] = objects.PUBLIC
        yield row


_by_oid: dict[int, dict[str, Any]] = {}


def type_rows() -> dict[int, dict[str, Any]]:
    """pg_type's rows by OID."""
    if not _by_oid:
        _by_oid.update((row["oid"], row) for row in _types(None))
    return _by_oid


relation("pg_catalog", "pg_type", _types, static=True)
