"""node-postgres (``pg`` from npm) with ``$1`` parameters, on orbit-pg and PostgreSQL 15.

What node-postgres sends (seen on PostgreSQL 15): no SSLRequest by default; each parameterised
query is Parse (unnamed, no parameter types) + Bind (text parameters, a JS object as its JSON text)
+ Describe portal + Execute + Sync in one write; a named query is parsed once per connection and
then sent as Bind/Describe portal/Execute/Sync only. Results are text; jsonb is parsed by the client.

``node/client.js`` runs the scenario and prints one JSON object a line; this side asserts them.
CI installs the module with ``npm install --no-save --prefix tests/integration/node pg``.
"""

from __future__ import annotations

import json
import subprocess
from typing import Any

import pytest
from drivers import HERE, Server, json_lines, missing_programs, run_program, seed, table

NODE_DIR = HERE / "node"
CLIENT = NODE_DIR / "client.js"


def node_missing() -> str | None:
    reason = missing_programs("node")
    if reason is not None:
        return reason
    found = subprocess.run(
        ["node", "-e", "require.resolve('pg')"], cwd=NODE_DIR, capture_output=True, text=True, timeout=30
    )
    if found.returncode != 0:
        return f"the node module 'pg' is not installed (npm install --no-save --prefix {NODE_DIR} pg)"
    return None


@pytest.fixture(scope="module")
def node() -> None:
    reason = node_missing()
    if reason is not None:
        pytest.skip(reason)


def fields(*names_and_oids: tuple[str, int]) -> list[list[Any]]:
    return [list(pair) for pair in names_and_oids]


ACTOR_FIELDS = fields(("actor_id", 25), ("actor_type", 25), ("state", 3802))


def test_parameterised_queries(node: None, server: Server) -> None:
    seed(server, [("bot:1", "bot", None)])
    config = {"host": server.host, "port": server.port, "user": server.user, "database": server.dbname, "prefix": "n"}
    completed = run_program(["node", str(CLIENT), json.dumps(config)], cwd=NODE_DIR)
    steps = {line.pop("step"): line for line in json_lines(completed.stdout)}

    def command(tag: str, count: int) -> dict[str, Any]:
        return {"command": tag, "rowCount": count, "fields": [], "rows": []}

    assert steps == {
        "insert": command("INSERT", 1),
        "insert null": command("INSERT", 1),
        "select": {
            "command": "SELECT",
            "rowCount": 1,
            "fields": ACTOR_FIELDS,
            "rows": [{"actor_id": "n:1", "actor_type": "user", "state": {"name": "Zoë", "balance": 100}}],
        },
        "select none": {"command": "SELECT", "rowCount": 0, "fields": ACTOR_FIELDS, "rows": []},
        "update": command("UPDATE", 1),
        "select text": {
            "command": "SELECT",
            "rowCount": 1,
            "fields": fields(("state", 25)),
            "rows": [{"state": '{"balance": 150}'}],
        },
        "named": {"rows": [["n:1"], ["n:2"]] * 5},
        "limit": {"rows": [["n:1"]]},
        "duplicate": {"error": "23505", "constraint": "actors_pkey"},
        "bad json": {"error": "22P02"},
        "after errors": {
            "command": "SELECT",
            "rowCount": 1,
            "fields": ACTOR_FIELDS,
            "rows": [{"actor_id": "n:2", "actor_type": "user", "state": None}],
        },
        "delete": command("DELETE", 1),
        "remaining": {
            "command": "SELECT",
            "rowCount": 1,
            "fields": fields(("actor_id", 25)),
            "rows": [{"actor_id": "n:1"}],
        },
    }
    assert table(server) == [("bot:1", "bot", None), ("n:1", "user", '{"balance": 150}')]
