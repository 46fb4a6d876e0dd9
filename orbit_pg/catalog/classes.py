"""pg_class, pg_attribute, pg_index, pg_constraint (and the views over them, pg_tables and
pg_indexes): the actors table with its two indexes, and the catalog relations themselves."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from orbit_pg import types
from orbit_pg.catalog import TABLES, objects
from orbit_pg.catalog.objects import ACTORS, ATTRIBUTES, INDEXES, PUBLIC
from orbit_pg.catalog.relation import kind, relation

_SHARED = frozenset(("pg_authid", "pg_database", "pg_tablespace", "pg_shdescription", "pg_auth_members"))
_NAMESPACE_OF = {"pg_catalog": objects.PG_CATALOG, "information_schema": objects.INFORMATION_SCHEMA}


def _class_row(oid: int, name: str, namespace: int, relkind: str, natts: int, **extra: Any) -> dict[str, Any]:
    """A pg_class row with the values PostgreSQL gives a new relation unless ``extra`` says otherwise."""
    table = relkind == "r"
    row = {
        "oid": oid,
        "relname": name,
        "relnamespace": namespace,
        "reltype": 0,
        "reloftype": 0,
        "relowner": objects.BOOTSTRAP_SUPERUSER,
        "relam": objects.HEAP if table else objects.BTREE if relkind == "i" else 0,
        "relfilenode": oid if relkind in "ri" else 0,
        "reltablespace": 0,
        "relpages": 0,
        "reltuples": -1.0 if table else 0.0,
        "relallvisible": 0,
        "reltoastrelid": 0,
        "relhasindex": False,
        "relisshared": False,
        "relpersistence": "p",
        "relkind": relkind,
        "relnatts": natts,
        "relchecks": 0,
        "relhasrules": relkind == "v",
        "relhastriggers": False,
        "relhassubclass": False,
        "relrowsecurity": False,
        "relforcerowsecurity": False,
        "relispopulated": True,
        "relreplident": "d" if table else "n",
        "relispartition": False,
        "relrewrite": 0,
        "relfrozenxid": 0,
        "relminmxid": 0,
    }
    row.update(extra)
    return row


def _classes(ctx: Any) -> Iterator[dict[str, Any]]:
    yield _class_row(
        ACTORS,
        objects.TABLE_NAME,
        PUBLIC,
        "r",
        len(ATTRIBUTES),
        reltype=objects.ACTORS_ROW_TYPE,
        relhasindex=True,
        relfrozenxid=726,
        relminmxid=1,
    )
    for index in INDEXES:
        yield _class_row(index.oid, index.name, PUBLIC, "i", 1, relpages=1)
    for table in TABLES.values():
        relkind = kind(table.schema, table.name)
        shared = table.name in _SHARED
        yield _class_row(
            table.oid,
            table.name,
            _NAMESPACE_OF[table.schema],
            relkind,
            len(table.columns),
            relisshared=shared,
            reltablespace=1664 if shared else 0,
        )


def _attribute_row(relid: int, number: int, name: str, type_: types.PgType, not_null: bool) -> dict[str, Any]:
    return {
        "attrelid": relid,
        "attname": name,
        "atttypid": type_.oid,
        "attstattarget": -1,
        "attlen": type_.typlen,
        "attnum": number,
        "attndims": 1 if type_.category == "A" and type_.element is not None and type_.oid not in (22, 30) else 0,
        "attcacheoff": -1,
        "atttypmod": -1,
        "attbyval": type_.typlen in (1, 2, 4, 8) and type_.category != "S",
        "attalign": _align(type_),
        "attstorage": "p" if type_.typlen > 0 else "x",
        "attcompression": "",
        "attnotnull": not_null,
        "atthasdef": False,
        "atthasmissing": False,
        "attidentity": "",
        "attgenerated": "",
        "attisdropped": False,
        "attislocal": True,
        "attinhcount": 0,
        "attcollation": objects.collation(type_),
    }


def _align(type_: types.PgType) -> str:
    """typalign: 'd' for 8-byte values, 's' for 2, 'c' for 1 and name, 'i' otherwise."""
    if type_.typlen == 8:
        return "d"
    if type_.typlen == 2:
        return "s"
    if type_.typlen in (1, 64):
        return "c"
    return "i"


def _attributes(ctx: Any) -> Iterator[dict[str, Any]]:
    for number, attribute in enumerate(ATTRIBUTES, 1):
        yield _attribute_row(ACTORS, number, attribute.name, attribute.type, attribute.not_null)
    for index in INDEXES:
        attribute = ATTRIBUTES[index.column - 1]
        yield _attribute_row(index.oid, 1, attribute.name, attribute.type, False)
    for table in TABLES.values():
        for number, (name, type_) in enumerate(table.columns, 1):
            yield _attribute_row(table.oid, number, name, type_, False)


def _indexes(ctx: Any) -> Iterator[dict[str, Any]]:
    for index in INDEXES:
        yield {
            "indexrelid": index.oid,
            "indrelid": ACTORS,
            "indnatts": 1,
            "indnkeyatts": 1,
            "indisunique": index.primary,
            "indnullsnotdistinct": False,
            "indisprimary": index.primary,
            "indisexclusion": False,
            "indimmediate": True,
            "indisclustered": False,
            "indisvalid": True,
            "indcheckxmin": False,
            "indisready": True,
            "indislive": True,
            "indisreplident": False,
            "indkey": types.Vector([index.column]),
            "indcollation": types.Vector([objects.DEFAULT_COLLATION]),
            "indclass": types.Vector([objects.TEXT_OPS]),
            "indoption": types.Vector([0]),
        }


def _constraints(ctx: Any) -> Iterator[dict[str, Any]]:
    key = objects.PRIMARY_KEY
    yield {
        "oid": objects.ACTORS_PKEY_CONSTRAINT,
        "conname": key.name,
        "connamespace": PUBLIC,
        "contype": "p",
        "condeferrable": False,
        "condeferred": False,
        "convalidated": True,
        "conrelid": ACTORS,
        "contypid": 0,
        "conindid": key.oid,
        "conparentid": 0,
        "confrelid": 0,
        "confupdtype": " ",
        "confdeltype": " ",
        "confmatchtype": " ",
        "conislocal": True,
        "coninhcount": 0,
        "connoinherit": True,
        "conkey": [key.column],
    }


def _tables(ctx: Any) -> Iterator[dict[str, Any]]:
    """pg_tables: ordinary tables with their schema and owner."""
    owner = ctx.session.user if ctx is not None else None
    yield {
        "schemaname": "public",
        "tablename": objects.TABLE_NAME,
        "tableowner": owner,
        "hasindexes": True,
        "hasrules": False,
        "hastriggers": False,
        "rowsecurity": False,
    }
    for table in TABLES.values():
        if kind(table.schema, table.name) == "r":
            yield {
                "schemaname": table.schema,
                "tablename": table.name,
                "tableowner": owner,
                "hasindexes": False,
                "hasrules": False,
                "hastriggers": False,
                "rowsecurity": False,
            }


def index_definition(index: objects.Index, pretty: bool = False) -> str:
    """pg_get_indexdef's text for one of the table's indexes; pretty-printed, the table's name
    is qualified only where the search path would not find it (public always is searched)."""
    unique = "UNIQUE " if index.primary else ""
    column = ATTRIBUTES[index.column - 1].name
    table = objects.TABLE_NAME if pretty else f"public.{objects.TABLE_NAME}"
    return f"CREATE {unique}INDEX {index.name} ON {table} USING btree ({column})"


def _index_views(ctx: Any) -> Iterator[dict[str, Any]]:
    for index in INDEXES:
        yield {
            "schemaname": "public",
            "tablename": objects.TABLE_NAME,
            "indexname": index.name,
            "indexdef": index_definition(index),
        }


relation("pg_catalog", "pg_class", _classes, static=True)
relation("pg_catalog", "pg_attribute", _attributes, static=True)
relation("pg_catalog", "pg_index", _indexes, static=True)
relation("pg_catalog", "pg_constraint", _constraints, static=True)
relation("pg_catalog", "pg_attrdef")
relation("pg_catalog", "pg_tables", _tables)
relation("pg_catalog", "pg_indexes", _index_views, static=True)
