"""pgjdbc (Debian's libpostgresql-jdbc-java) with PreparedStatements, on orbit-pg and PostgreSQL 15.

What pgjdbc 42.5 sends (seen on PostgreSQL 15): ``SET extra_float_digits = 3`` and ``SET
application_name`` through the extended protocol after startup; every PreparedStatement is Parse with
the Java types as OIDs (setString → varchar 1043, setInt → int4 23 sent in binary, setObject with
Types.OTHER → 0) + Bind + Describe portal + Execute (row limit 1 for updates) + Sync. From the fifth
execution (prepareThreshold 5) it parses a named ``S_n`` statement once, then sends only
Bind/Execute/Sync and asks for int4 results in binary; a statement with an untyped parameter gets a
Describe statement first. ``BEGIN``/``COMMIT``/``ROLLBACK`` are themselves named statements sent in
the same Sync group as the statement they wrap, and a batch is many Bind/Execute before one Sync.

``jdbc/Client.java`` is compiled at test time and prints one JSON object a line.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from drivers import HERE, Server, compile_java, json_lines, run_program, seed, table

SOURCE = HERE / "jdbc" / "Client.java"
JAR = Path(os.environ.get("PGJDBC_JAR", "/usr/share/java/postgresql.jar"))
RUNS = 10


@pytest.fixture(scope="module")
def classpath(tmp_path_factory: pytest.TempPathFactory) -> str:
    """Client.java compiled against pgjdbc; skips when the JDK or the jar is missing."""
    return compile_java(tmp_path_factory.mktemp("jdbc"), SOURCE, JAR)


def expected_steps(prefix: str) -> list[dict[str, Any]]:
    steps: list[dict[str, Any]] = []
    # isUseServerPrepare() answers for the next execution: the fifth runs as a named statement.
    for i in range(RUNS):
        steps.append({"step": "insert", "i": i, "count": 1, "server_prepared": i >= 3})
    for i in range(RUNS):
        row = [f"{prefix}:{i}", "user", f'{{"n": {i}, "name": "Zoë"}}']
        steps.append({"step": "select", "i": i, "row": row, "twice": 2 * i, "server_prepared": i >= 3})
    for i in range(RUNS):
        steps.append({"step": "update", "i": i, "count": 1})
    evens = [f"{prefix}:{i}" for i in range(0, RUNS, 2)]
    for i in range(RUNS):
        steps.append({"step": "limit", "i": i, "ids": evens[:i]})
    steps.append({"step": "batch", "i": 0, "total": 20})
    steps.append({"step": "delete then rollback", "i": 0, "count": 20})
    for i in range(RUNS):
        steps.append({"step": "duplicate", "i": i, "sqlstate": "23505"})
    steps.append({"step": "type batch", "i": 0, "ids": sorted(f"{prefix}:batch:{i}" for i in range(20))})
    steps.append({"step": "type even", "i": 0, "ids": evens})
    steps.append({"step": "type odd", "i": 0, "ids": [f"{prefix}:{i}" for i in range(1, RUNS, 2)]})
    return steps


def test_prepared_statements_past_the_prepare_threshold(classpath: str, server: Server) -> None:
    seed(server, [("bot:1", "bot", None)])
    completed = run_program(["java", "-cp", classpath, "Client", server.jdbc_url, "j"])
    assert json_lines(completed.stdout) == expected_steps("j")

    stored = {actor_id: (actor_type, state) for actor_id, actor_type, state in table(server)}
    assert len(stored) == 1 + RUNS + 20
    assert stored["bot:1"] == ("bot", None)
    assert stored["j:4"] == ("even", '{"m": 40}')
    assert stored["j:9"] == ("odd", '{"m": 90}')
    assert stored["j:batch:7"] == ("batch", None)
