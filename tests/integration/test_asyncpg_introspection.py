"""asyncpg decodes result types it does not know built in (an array of jsonb, name[], int2vector)
by running its type introspection query (a recursive query over pg_type, pg_namespace, pg_range
and pg_attribute); on orbit-pg that query succeeds and gives what PostgreSQL 15's gives."""

from __future__ import annotations

import asyncio
from typing import Any

import asyncpg
from drivers import Server

QUERIES = [
    ("SELECT 'actors'::regclass", "actors"),
    ("SELECT 'int4'::regtype", "integer"),
    ("SELECT ARRAY['{\"a\": 1}'::jsonb, NULL]", ['{"a": 1}', None]),
    ("SELECT current_schemas(true)", ["pg_catalog", "public"]),
    ("SELECT '1 2'::int2vector", [1, 2]),
]


def fetch(server: Server) -> list[Any]:
    async def main() -> list[Any]:
        conn = await asyncpg.connect(host=server.host, port=server.port, user=server.user, database=server.dbname)
        try:
            return [await asyncio.wait_for(conn.fetchval(sql), 20) for sql, _ in QUERIES]
        finally:
            await conn.close()

    return asyncio.run(main())


def test_types_asyncpg_must_introspect_decode(server: Server) -> None:
    assert fetch(server) == [expected for _, expected in QUERIES]
