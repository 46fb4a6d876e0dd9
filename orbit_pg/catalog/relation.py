"""Building catalog relations from PostgreSQL's column lists (``definitions``)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from orbit_pg import types
from orbit_pg.catalog import CatalogTable, register
from orbit_pg.catalog.definitions import RELATIONS
from orbit_pg.types.system import ANYARRAY

# schema, name → (oid, relkind, columns)
DEFINED: dict[tuple[str, str], tuple[int, str, tuple[tuple[str, types.PgType], ...]]] = {}
# schema, name → the columns PostgreSQL declares NOT NULL (never NULL here either)
NOT_NULL: dict[tuple[str, str], frozenset[str]] = {}
# The column lists name pg_type entries ("char" is the one-byte type, not SQL's character).
_TYPNAMES = {**{t.typname: t for t in types.BY_OID.values()}, "anyarray": ANYARRAY}
for _schema, _name, _oid, _relkind, _columns in RELATIONS:
    _parsed = [item.split(" ", 2) for item in _columns.split(", ")]
    DEFINED[(_schema, _name)] = (
        _oid,
        _relkind,
        tuple((column, _TYPNAMES.get(typname) or types.BY_NAME[typname]) for column, typname, *_ in _parsed),
    )
    NOT_NULL[(_schema, _name)] = frozenset(column for column, _, *rest in _parsed if rest)

Rows = Callable[[Any], Iterable[Mapping[str, Any]]]


def relation(schema: str, name: str, rows: Rows | None = None, static: bool = False) -> CatalogTable:
    """Register a relation whose rows are given as mappings column → value (absent: NULL);
    without ``rows`` it is empty, as PostgreSQL's is for this database. ``static`` rows do not
    depend on the session or the statement: they are built once."""
    oid, _, columns = DEFINED[(schema, name)]
    names = [column for column, _ in columns]
    built: list[list[tuple[Any, ...]]] = []

    def tuples(ctx: Any) -> Iterable[tuple[Any, ...]]:
        if rows is None:
            return ()
        if built:
            return built[0]
        result = [tuple(row.get(column) for column in names) for row in rows(ctx)]
        if static:
            built.append(result)
        return result

    return register(CatalogTable(schema, name, oid, columns, tuples))


def kind(schema: str, name: str) -> str:
    """pg_class.relkind: 'r' for a table, 'v' for a view."""
    return DEFINED[(schema, name)][1]
