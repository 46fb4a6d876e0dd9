"""pgbench with custom scripts in each query mode, on orbit-pg and PostgreSQL 15.

What pgbench 15 sends: a first connection that only starts up and terminates, then one connection
per client. ``-M simple`` puts the variables' values into the SQL text; ``-M extended`` sends Parse
(unnamed, no parameter types) + Bind (text) + Describe portal + Execute + Sync per statement; ``-M
prepared`` parses a named ``P_n`` statement per script command once (Parse + Sync), then
Bind/Describe portal/Execute/Sync. ``:id`` becomes ``$1`` outside simple mode, so keys are built
with ``'user:' || :id`` and the server must infer ``$1`` as text there.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from drivers import Server, missing_programs, run_pgbench, seed, table

MODES = ["simple", "extended", "prepared"]
USERS = 100
TRANSACTIONS, CLIENTS = 50, 2

SCRIPTS = {
    "select": (
        f"\\set id random(1, {USERS})\n"
        "SELECT actor_id, actor_type, state FROM actors WHERE actor_id = 'user:' || :id;\n"
    ),
    "update": (
        f"\\set id random(1, {USERS})\n"
        """UPDATE actors SET state = '{"balance": 1}' WHERE actor_id = 'user:' || :id;\n"""
    ),
    # Keys unique per client: the client number in the high digits, a random number below.
    "insert": (
        "\\set id (:client_id + 1) * 100000000000 + random(1, 99999999999)\n"
        """INSERT INTO actors (actor_id, actor_type, state) VALUES ('bench:' || :id, 'bench', '{"n": 1}');\n"""
    ),
}


@pytest.fixture(scope="module")
def pgbench() -> None:
    reason = missing_programs("pgbench")
    if reason is not None:
        pytest.skip(reason)


@pytest.mark.parametrize("script", list(SCRIPTS))
@pytest.mark.parametrize("mode", MODES)
def test_custom_script(pgbench: None, server: Server, mode: str, script: str, tmp_path: Path) -> None:
    users = [(f"user:{i}", "user", '{"balance": 0}') for i in range(1, USERS + 1)]
    seed(server, users)
    script_file = tmp_path / f"{script}.sql"
    script_file.write_text(SCRIPTS[script])
    completed = run_pgbench(
        script_file, mode, server.host, server.port, server.user, server.dbname, CLIENTS, TRANSACTIONS
    )
    total = TRANSACTIONS * CLIENTS
    assert f"query mode: {mode}\n" in completed.stdout
    assert "error" not in completed.stderr.lower(), completed.stderr

    stored = table(server)
    if script == "select":
        assert stored == sorted(users)
    elif script == "update":
        assert [row[:2] for row in stored] == [row[:2] for row in sorted(users)]
        states = [row[2] for row in stored]
        assert set(states) == {'{"balance": 0}', '{"balance": 1}'}
        assert 1 <= states.count('{"balance": 1}') <= total
    else:
        bench = [row for row in stored if row[1] == "bench"]
        assert len(bench) == total
        assert all(re.fullmatch(r"bench:[12]\d{11}", actor_id) for actor_id, _, _ in bench)
        assert {state for _, _, state in bench} == {'{"n": 1}'}
        assert len(stored) == USERS + total
