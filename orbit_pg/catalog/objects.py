"""The objects of this database as PostgreSQL 15 would have them after

    CREATE TABLE actors (actor_id text PRIMARY KEY, actor_type text NOT NULL, state jsonb);
    CREATE INDEX actors_actor_type_idx ON actors (actor_type);

in a fresh database: OIDs counted from FirstNormalObjectId in the order PostgreSQL assigns them
(table, array type, row type, [TOAST table and index, which orbit-pg has no use for], primary key
index, its constraint, the second index), so they are the same on every start.
"""

from __future__ import annotations

from dataclasses import dataclass

from orbit_pg import types

# Namespaces (pg_namespace)
PG_CATALOG = 11
PG_TOAST = 99
PUBLIC = 2200
INFORMATION_SCHEMA = 13207
NAMESPACES = {
    PG_CATALOG: "pg_catalog",
    PG_TOAST: "pg_toast",
    PUBLIC: "public",
    INFORMATION_SCHEMA: "information_schema",
}

BOOTSTRAP_SUPERUSER = 10  # the session user is shown as this role
DATABASE_OWNER = 6171  # pg_database_owner, the owner of schema public
DATABASE = 16384  # the one database, as createdb numbers it in a fresh cluster (OIDs are per catalog)
DEFAULT_TABLESPACE = 1663
HEAP, BTREE = 2, 403  # pg_am
DEFAULT_COLLATION = 100
TEXT_OPS = 3126  # pg_opclass: btree text_ops

ACTORS = 16384
ACTORS_ARRAY_TYPE = 16385
ACTORS_ROW_TYPE = 16386
ACTORS_PKEY = 16389
ACTORS_PKEY_CONSTRAINT = 16390
ACTORS_TYPE_INDEX = 16391


@dataclass(frozen=True, slots=True)
class Attribute:
    name: str
    type: types.PgType
    not_null: bool


@dataclass(frozen=True, slots=True)
class Index:
    oid: int
    name: str
    column: int  # attnum of its one key column
    primary: bool


TABLE_NAME = "actors"
ATTRIBUTES = (
    Attribute("actor_id", types.TEXT, True),
    Attribute("actor_type", types.TEXT, True),
    Attribute("state", types.JSONB, False),
)
INDEXES = (
    Index(ACTORS_PKEY, "actors_pkey", 1, True),
    Index(ACTORS_TYPE_INDEX, "actors_actor_type_idx", 2, False),
)
PRIMARY_KEY = INDEXES[0]


C_COLLATION = 950


def collation(type_: types.PgType) -> int:
    """attcollation: name sorts in "C", the other string types in the database's default."""
    if type_ is types.NAME or type_.element is types.NAME:
        return C_COLLATION
    return DEFAULT_COLLATION if type_.category == "S" or type_.element in (types.TEXT, types.VARCHAR) else 0
