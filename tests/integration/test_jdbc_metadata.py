"""pgjdbc's DatabaseMetaData (what DBeaver and DataGrip ask on connect) answers on orbit-pg as on
PostgreSQL 15: getCatalogs, getSchemas, getTables, getColumns, getPrimaryKeys, getIndexInfo,
getTypeInfo. ``jdbc/Metadata.java`` prints each result set; PostgreSQL's answers are kept in
``data/jdbc_metadata.json`` (checked against live PostgreSQL where it runs). Normalised, because the
values must differ: getCatalogs keeps the actors database (a cluster has more), getSchemas keeps
public and the catalog schemas orbit-pg has, getTypeInfo keeps pg_catalog's base and pseudo types
(PostgreSQL also lists the array types of its catalogs' row types and information_schema's domains).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from drivers import HERE, Server, compile_java, json_lines, run_program

from orbit_pg.catalog.type_data import TYPES

SOURCE = HERE / "jdbc" / "Metadata.java"
JAR = Path(os.environ.get("PGJDBC_JAR", "/usr/share/java/postgresql.jar"))
KEPT = HERE / "data" / "jdbc_metadata.json"
_SCHEMAS = ("information_schema", "pg_catalog", "public")


@pytest.fixture(scope="module")
def classpath(tmp_path_factory: pytest.TempPathFactory) -> str:
    return compile_java(tmp_path_factory.mktemp("jdbc_metadata"), SOURCE, JAR)


def normalise(results: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The normalisations the module docstring lists."""
    for result in results:
        column = {name: i for i, name in enumerate(result["columns"])}
        rows = result["rows"]
        if result["call"] == "getCatalogs":
            rows = [row for row in rows if row[0] == "actors"]
        elif result["call"] == "getSchemas":
            rows = [row for row in rows if row[0] in _SCHEMAS]
        elif result["call"] == "getTypeInfo":
            built_in = {row[1] for row in TYPES if not row[1].startswith("_")}
            rows = [row for row in rows if row[column["TYPE_NAME"]] in built_in]
        result["rows"] = rows
    return results


def test_database_metadata_as_postgresql(server: Server, classpath: str) -> None:
    completed = run_program(["java", "-cp", classpath, "Metadata", server.jdbc_url])
    results = normalise(json_lines(completed.stdout))
    if server.kind == "postgres" and os.environ.get("ORBITPG_RECORD") == "1":
        KEPT.write_text(json.dumps(results, indent=1, ensure_ascii=False) + "\n")
    assert results == json.loads(KEPT.read_text())
