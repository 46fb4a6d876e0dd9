"""format_type: a type's SQL spelling, as PostgreSQL's format_type_extended prints it."""

from __future__ import annotations

import re

from orbit_pg.catalog import objects
from orbit_pg.catalog.typedefs import type_rows

# Types the SQL standard names with keywords (format_type_extended's switch).
_SQL_NAMES = {
    16: "boolean",
    1042: "character",
    1043: "character varying",
    700: "real",
    701: "double precision",
    21: "smallint",
    23: "integer",
    20: "bigint",
    1083: "time without time zone",
    1266: "time with time zone",
    1114: "timestamp without time zone",
    1184: "timestamp with time zone",
    1560: "bit",
    1562: "bit varying",
    18: '"char"',
}
_WITH_LENGTH = {1042: "character", 1043: "character varying", 1560: "bit", 1562: "bit varying"}
_TIME_WITH_PRECISION = {1083: "time", 1266: "time", 1114: "timestamp", 1184: "timestamp"}
_PLAIN_IDENTIFIER = re.compile(r"[a-z_][a-z0-9_$]*")


def quote_ident(name: str) -> str:
    """quote_identifier: quotes unless the name is lower case letters, digits, _ and $ (keywords
    aside, which this does not know)."""
    if _PLAIN_IDENTIFIER.fullmatch(name):
        return name
    return '"' + name.replace('"', '""') + '"'


def format_type(oid: int, typmod: int | None = None) -> str | None:
    """The name of type ``oid``, with its modifier; "???" for an unknown OID, as PostgreSQL."""
    row = type_rows().get(oid)
    if row is None:
        return "???"
    if row["typcategory"] == "A" and row["typelem"] and row["typlen"] == -1:
        element = format_type(row["typelem"], typmod)
        return f"{element}[]"
    modifier = typmod is not None and typmod >= 0
    if oid in _WITH_LENGTH:
        if modifier:
            return f"{_WITH_LENGTH[oid]}({typmod - 4 if oid in (1042, 1043) else typmod})"
        return "bpchar" if oid == 1042 and typmod is not None else _WITH_LENGTH[oid]
    if oid in _TIME_WITH_PRECISION and modifier:
        return _SQL_NAMES[oid].replace(_TIME_WITH_PRECISION[oid], f"{_TIME_WITH_PRECISION[oid]}({typmod})", 1)
    if oid == 1700 and modifier:
        precision, scale = ((typmod - 4) >> 16) & 0xFFFF, (typmod - 4) & 0xFFFF
        return f"numeric({precision},{scale})"
    if oid in _SQL_NAMES:
        return _SQL_NAMES[oid]
    name = quote_ident(row["typname"])
    if row["typnamespace"] not in (objects.PG_CATALOG, objects.PUBLIC):
        return f"{objects.NAMESPACES[row['typnamespace']]}.{name}"
    return name
