"""pgcli's completion metadata, asked through pgcli's own ``PGExecute``, is what PostgreSQL 15 answers.

pgcli fills its completer from these calls when it connects (``pgcli/completion_refresher.py``):
search path, schemata, tables, views, their columns, functions, data types, foreign keys and
databases. PostgreSQL's answers are kept in ``data/pgcli_metadata.json`` (checked against live
PostgreSQL where it runs). Normalised, because a PostgreSQL cluster has more than orbit-pg shows:
relations and their columns are kept for the relations orbit-pg has (``public.actors`` and its
catalog relations), with information_schema's domains read as their base types; functions for
the names orbit-pg's ``pg_proc`` lists (every overload PostgreSQL has of them); databases for
``actors``. pgcli's ``casing()`` (run only for its optional casing file) needs window functions
and is not asked.
"""

from __future__ import annotations

import json
import os
from typing import Any

import pytest
from drivers import HERE, Server

from orbit_pg.catalog import TABLES, procs
from orbit_pg.sql import catalog_functions  # noqa: F401  (says which functions pg_proc lists)

pgexecute = pytest.importorskip("pgcli.pgexecute", reason="pgcli is not installed (extras 'test')")

KEPT = HERE / "data" / "pgcli_metadata.json"
# information_schema's domains, which orbit-pg's columns show as their base types (docs/clients.md).
_DOMAINS = {
    "information_schema.cardinal_number": "integer",
    "information_schema.character_data": "character varying",
    "information_schema.sql_identifier": "name",
    "information_schema.time_stamp": "timestamp with time zone",
    "information_schema.yes_or_no": "character varying",
}
_FUNCTION_FIELDS = (
    "schema_name",
    "func_name",
    "arg_names",
    "arg_types",
    "arg_modes",
    "return_type",
    "is_aggregate",
    "is_window",
    "is_set_returning",
    "is_extension",
    "arg_defaults",
)


def _listed(rows: Any) -> list[list[Any]]:
    """Rows as JSON keeps them (tuples as lists)."""
    return [[list(v) if isinstance(v, tuple) else v for v in row] for row in rows]


def metadata(server: Server) -> dict[str, Any]:
    executor = pgexecute.PGExecute(database=server.dbname, user=server.user, host=server.host, port=server.port)
    try:
        return {
            "search_path": executor.search_path(),
            "schemata": executor.schemata(),
            "tables": _listed(executor.tables()),
            "views": _listed(executor.views()),
            "table_columns": _listed(executor.table_columns()),
            "view_columns": _listed(executor.view_columns()),
            "functions": _listed((vars(f)[field] for field in _FUNCTION_FIELDS) for f in executor.functions()),
            "datatypes": _listed(executor.datatypes()),
            "foreignkeys": _listed(executor.foreignkeys()),
            "databases": executor.databases(),
        }
    finally:
        executor.conn.close()


def normalise(found: dict[str, Any]) -> dict[str, Any]:
    """The normalisations the module docstring lists."""
    relations = {*TABLES, ("public", "actors")}
    names = {row["proname"] for row in procs.functions()}
    for call in ("tables", "views", "table_columns", "view_columns"):
        found[call] = [row for row in found[call] if (row[0], row[1]) in relations]
    for call in ("table_columns", "view_columns"):
        found[call] = [[*row[:3], _DOMAINS.get(row[3], row[3]), *row[4:]] for row in found[call]]
    # Ordered by schema and name only: the overloads of a name come in no particular order.
    found["functions"] = sorted(
        (row for row in found["functions"] if row[0] == "pg_catalog" and row[1] in names), key=json.dumps
    )
    found["databases"] = [name for name in found["databases"] if name == "actors"]
    return found


def test_completion_metadata_as_postgresql(server: Server) -> None:
    results = normalise(metadata(server))
    if server.kind == "postgres" and os.environ.get("ORBITPG_RECORD") == "1":
        KEPT.write_text(json.dumps(results, indent=1, ensure_ascii=False) + "\n")
    kept = json.loads(KEPT.read_text())
    for call, rows in kept.items():
        assert results[call] == rows, call
