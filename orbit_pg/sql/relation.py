"""The one user table, as the catalog would describe it."""

from __future__ import annotations

from orbit_pg import errors, types
from orbit_pg.sql import ast
from orbit_pg.sql.expressions import Column, Scope

# The first OID PostgreSQL gives a user object (FirstNormalObjectId), as a fresh database would.
ACTORS_OID = 16384
ACTORS_NAME = "actors"
COLUMNS = [
    Column("actor_id", 0, types.TEXT),
    Column("actor_type", 1, types.TEXT),
    Column("state", 2, types.JSONB),
]
NOT_NULL = ("actor_id", "actor_type")
PRIMARY_KEY = "actors_pkey"


def resolve(table: ast.RangeVar) -> Scope:
    """Find the relation a FROM/INTO names; only ``[public.]actors`` exists."""
    if table.name != ACTORS_NAME or table.schema not in (None, "public"):
        shown = f"{table.schema}.{table.name}" if table.schema else table.name
        raise errors.PgError(errors.UNDEFINED_TABLE, f'relation "{shown}" does not exist', position=table.loc + 1)
    return Scope(table.name, COLUMNS, table.alias)
