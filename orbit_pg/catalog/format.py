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
    1700: "numeric",
    1186: "interval",
}
_WITH_LENGTH = {1042: "character", 1043: "character varying", 1560: "bit", 1562: "bit varying"}
_TIME_WITH_PRECISION = {1083: "time", 1266: "time", 1114: "timestamp", 1184: "timestamp"}
_PLAIN_IDENTIFIER = re.compile(r"[a-z_][a-z0-9_$]*")
# PostgreSQL 15's keywords other than the unreserved ones (kwlist.h: reserved, type/function
# name and column name keywords): quote_identifier quotes these.
_KEYWORDS = frozenset(
    """all analyse analyze and any array as asc asymmetric both case cast check collate column constraint
    create current_catalog current_date current_role current_time current_timestamp current_user default
    deferrable desc distinct do else end except false fetch for foreign from grant group having in initially
    intersect into lateral leading limit localtime localtimestamp not null offset on only or order placing
    primary references returning select session_user some symmetric table then to trailing true union unique
    user using variadic when where window with
    authorization binary collation concurrently cross current_schema freeze full ilike inner is isnull join
    left like natural notnull outer overlaps right similar tablesample verbose
    between bigint bit boolean char character coalesce dec decimal exists extract float greatest grouping
    inout int integer interval least national nchar none normalize nullif numeric out overlay position
    precision real row setof smallint substring time timestamp treat trim values varchar xmlattributes
    xmlconcat xmlelement xmlexists xmlforest xmlnamespaces xmlparse xmlpi xmlroot xmlserialize xmltable""".split()
)


def quote_ident(name: str) -> str:
    """quote_identifier: quotes unless the name is lower case letters, digits, _ and $ and no
    keyword that needs quoting."""
    if _PLAIN_IDENTIFIER.fullmatch(name) and name not in _KEYWORDS:
        return name
    return '"' + name.replace('"', '""') + '"'


def format_type(oid: int, typmod: int | None = None) -> str | None:
    """The name of type ``oid``, with its modifier; "???" for an unknown OID, as PostgreSQL."""
    row = type_rows().get(oid)
    if row is None:
        return "???"
    # A true array (int2vector and oidvector are stored plain, and print as themselves).
    if row["typcategory"] == "A" and row["typelem"] and row["typlen"] == -1 and row["typstorage"] != "p":
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
