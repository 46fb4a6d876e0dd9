"""information_schema: tables, columns, schemata, table_constraints, key_column_usage and routines,
computed from the same objects as pg_catalog (the SQL standard's view of them)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from orbit_pg import types
from orbit_pg.catalog import TABLES, objects, procs
from orbit_pg.catalog.format import format_type
from orbit_pg.catalog.relation import kind, relation
from orbit_pg.catalog.typedefs import type_rows

_SCHEMA = "information_schema"
_TEXT_OCTETS = 1073741824  # character_octet_length of an unlimited string: 1 GB


def _data_type(oid: int) -> str:
    """columns.data_type: "ARRAY" for arrays, the SQL name of a built-in type, else "USER-DEFINED"."""
    row = type_rows().get(oid)
    if row is None or row["typnamespace"] != objects.PG_CATALOG:
        return "USER-DEFINED"
    if row["typcategory"] == "A" and row["typelem"] and row["typlen"] == -1:
        return "ARRAY"
    return format_type(oid, -1) or "USER-DEFINED"


def _relations() -> Iterator[tuple[str, str, str, list[tuple[str, types.PgType, bool]]]]:
    """(schema, name, relkind, columns as (name, type, not null)) of every relation with columns."""
    yield (
        "public",
        objects.TABLE_NAME,
        "r",
        [(a.name, a.type, a.not_null) for a in objects.ATTRIBUTES],
    )
    for table in TABLES.values():
        yield table.schema, table.name, kind(table.schema, table.name), [(n, t, False) for n, t in table.columns]


def _tables(ctx: Any) -> Iterator[dict[str, Any]]:
    database = ctx.session.database
    for schema, name, relkind, _ in _relations():
        yield {
            "table_catalog": database,
            "table_schema": schema,
            "table_name": name,
            "table_type": "BASE TABLE" if relkind == "r" else "VIEW",
            "is_insertable_into": "YES" if relkind == "r" else "NO",
            "is_typed": "NO",
        }


def _columns(ctx: Any) -> Iterator[dict[str, Any]]:
    database = ctx.session.database
    for schema, table, _, columns in _relations():
        for number, (name, type_, not_null) in enumerate(columns, 1):
            collation = objects.collation(type_)
            string = type_.category == "S" and type_ is not types.NAME
            yield {
                "table_catalog": database,
                "table_schema": schema,
                "table_name": table,
                "column_name": name,
                "ordinal_position": number,
                "is_nullable": "NO" if not_null else "YES",
                "data_type": _data_type(type_.oid),
                "character_octet_length": _TEXT_OCTETS if string and type_.typlen == -1 else None,
                "collation_catalog": database if collation == objects.C_COLLATION else None,
                "collation_schema": "pg_catalog" if collation == objects.C_COLLATION else None,
                "collation_name": "C" if collation == objects.C_COLLATION else None,
                "udt_catalog": database,
                "udt_schema": "pg_catalog",
                "udt_name": type_.typname,
                "dtd_identifier": str(number),
                "is_self_referencing": "NO",
                "is_identity": "NO",
                "identity_cycle": "NO",
                "is_generated": "NEVER",
                "is_updatable": "YES" if schema == "public" else "NO",
            }


def _schemata(ctx: Any) -> Iterator[dict[str, Any]]:
    database, user = ctx.session.database, ctx.session.user
    for oid, name in sorted(objects.NAMESPACES.items(), key=lambda item: item[1]):
        owner = "pg_database_owner" if oid == objects.PUBLIC else user
        yield {"catalog_name": database, "schema_name": name, "schema_owner": owner}


def _constraint(database: str, name: str, constraint_type: str) -> dict[str, Any]:
    return {
        "constraint_catalog": database,
        "constraint_schema": "public",
        "constraint_name": name,
        "table_catalog": database,
        "table_schema": "public",
        "table_name": objects.TABLE_NAME,
        "constraint_type": constraint_type,
        "is_deferrable": "NO",
        "initially_deferred": "NO",
        "enforced": "YES",
    }


def _not_null_name(number: int) -> str:
    """The name PostgreSQL 15 gives a NOT NULL column's implied CHECK constraint here."""
    return f"{objects.PUBLIC}_{objects.ACTORS}_{number}_not_null"


def _table_constraints(ctx: Any) -> Iterator[dict[str, Any]]:
    database = ctx.session.database
    yield {**_constraint(database, objects.PRIMARY_KEY.name, "PRIMARY KEY"), "nulls_distinct": None}
    for number, attribute in enumerate(objects.ATTRIBUTES, 1):
        if attribute.not_null:
            yield _constraint(database, _not_null_name(number), "CHECK")


def _key_column_usage(ctx: Any) -> Iterator[dict[str, Any]]:
    database = ctx.session.database
    key = objects.PRIMARY_KEY
    yield {
        "constraint_catalog": database,
        "constraint_schema": "public",
        "constraint_name": key.name,
        "table_catalog": database,
        "table_schema": "public",
        "table_name": objects.TABLE_NAME,
        "column_name": objects.ATTRIBUTES[key.column - 1].name,
        "ordinal_position": 1,
    }


def _routines(ctx: Any) -> Iterator[dict[str, Any]]:
    database = ctx.session.database
    for row in procs.functions():
        returns = row["prorettype"]
        internal = row["prolang"] == 12
        yield {
            "specific_catalog": database,
            "specific_schema": "pg_catalog",
            "specific_name": f"{row['proname']}_{row['oid']}",
            "routine_catalog": database,
            "routine_schema": "pg_catalog",
            "routine_name": row["proname"],
            "routine_type": "FUNCTION" if row["prokind"] != "a" else None,
            "data_type": _data_type(returns),
            "type_udt_catalog": database,
            "type_udt_schema": "pg_catalog",
            "type_udt_name": type_rows()[returns]["typname"] if returns in type_rows() else None,
            "dtd_identifier": "0",
            "routine_body": "EXTERNAL" if internal or row["prolang"] == 13 else "SQL",
            "routine_definition": row["prosrc"],
            "external_language": {12: "INTERNAL", 13: "C", 14: "SQL"}.get(row["prolang"]),
            "parameter_style": "GENERAL",
            "is_deterministic": "YES" if row["provolatile"] == "i" else "NO",
            "sql_data_access": "MODIFIES",
            "is_null_call": "YES" if row["proisstrict"] else "NO",
            "schema_level_routine": "YES",
            "max_dynamic_result_sets": 0,
            "security_type": "INVOKER",
            "as_locator": "NO",
            "is_udt_dependent": "NO",
        }


relation(_SCHEMA, "tables", _tables)
relation(_SCHEMA, "columns", _columns)
relation(_SCHEMA, "schemata", _schemata)
relation(_SCHEMA, "table_constraints", _table_constraints)
relation(_SCHEMA, "key_column_usage", _key_column_usage)
relation(_SCHEMA, "routines", _routines)
relation(_SCHEMA, "constraint_column_usage", lambda ctx: (_usage(row) for row in _key_column_usage(ctx)))


def _usage(row: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in row.items() if key != "ordinal_position"}
