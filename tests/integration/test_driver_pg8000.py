"""pg8000, native and DB-API: the pure-Python driver's extended protocol, on orbit-pg and PostgreSQL 15.

What pg8000 1.31 sends (seen on PostgreSQL 15): ``run`` is Parse (unnamed, no parameter types) +
Flush + Sync, then Describe statement + Flush + Sync, then Bind (text parameters, a dict as its JSON
text) + Execute + Sync: three round trips, so the unnamed statement must outlive a Sync, and the
parameter types come only from the server's ParameterDescription. ``prepare`` uses a named
``pg8000_statement_N`` and Close. The DB-API layer opens transactions with a simple-protocol
``begin transaction`` and sends ``commit``/``rollback`` through Parse/Describe/Bind/Execute.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import closing, contextmanager

import pg8000.dbapi
import pg8000.native
import pytest
from drivers import STATEMENT_TIMEOUT, Server, new_id, seed, table


@contextmanager
def native(server: Server) -> Iterator[pg8000.native.Connection]:
    conn = pg8000.native.Connection(
        server.user, host=server.host, port=server.port, database=server.dbname, timeout=STATEMENT_TIMEOUT
    )
    try:
        yield conn
    finally:
        conn.close()


def dbapi(server: Server) -> pg8000.dbapi.Connection:
    return pg8000.dbapi.connect(
        server.user, host=server.host, port=server.port, database=server.dbname, timeout=STATEMENT_TIMEOUT
    )


def sqlstate(exc: pg8000.native.DatabaseError) -> str:
    return exc.args[0]["C"]


def test_native_insert_select_update_delete(server: Server) -> None:
    actor = new_id()
    with native(server) as conn:
        insert = "INSERT INTO actors (actor_id, actor_type, state) VALUES (:id, :type, :state)"
        assert conn.run(insert, id=actor, type="user", state='{"name": "Ada", "balance": 100}') is None
        assert conn.row_count == 1

        rows = conn.run("SELECT actor_id, actor_type, state FROM actors WHERE actor_id = :id", id=actor)
        assert rows == [[actor, "user", {"name": "Ada", "balance": 100}]]
        assert [(c["name"], c["type_oid"]) for c in conn.columns] == [
            ("actor_id", 25),
            ("actor_type", 25),
            ("state", 3802),
        ]
        assert conn.run("SELECT actor_id FROM actors WHERE actor_id = :id", id="user:nobody") == []

        # A dict goes out as its JSON text, untyped; the server takes it as jsonb.
        conn.run("UPDATE actors SET state = :state WHERE actor_id = :id", id=actor, state={"balance": 150})
        assert conn.row_count == 1
        conn.run("UPDATE actors SET actor_type = :type WHERE actor_id = :id", id=actor, type="vip")
        rows = conn.run("SELECT actor_type, state, state::text FROM actors WHERE actor_id = :id", id=actor)
        assert rows == [["vip", {"balance": 150}, '{"balance": 150}']]
        conn.run("UPDATE actors SET state = :state WHERE actor_id = :id", id="user:nobody", state=None)
        assert conn.row_count == 0

        # The same name used twice is one parameter.
        rows = conn.run("SELECT actor_id, :n::int8 + :n::int8 FROM actors WHERE actor_id = :id", id=actor, n=21)
        assert rows == [[actor, 42]]

        conn.run("DELETE FROM actors WHERE actor_id = :id", id=actor)
        assert conn.row_count == 1
        assert conn.run("SELECT actor_id FROM actors WHERE actor_id = :id", id=actor) == []
    assert table(server) == []


def test_native_prepared_statement(server: Server) -> None:
    seed(server, [(f"user:{i}", "user", f'{{"n": {i}}}') for i in range(10)])
    with native(server) as conn:
        select = conn.prepare("SELECT actor_id, state FROM actors WHERE actor_id = :id")
        update = conn.prepare("UPDATE actors SET actor_type = :type WHERE actor_id = :id")
        for _ in range(2):
            for i in range(10):
                assert select.run(id=f"user:{i}") == [[f"user:{i}", {"n": i}]]
        for i in range(0, 10, 3):
            update.run(type="vip", id=f"user:{i}")
        select.close()
        update.close()
        limited = conn.prepare("SELECT actor_id FROM actors WHERE actor_type = :type ORDER BY actor_id LIMIT :n")
        assert limited.run(type="vip", n=2) == [["user:0"], ["user:3"]]
        limited.close()
    assert [row[0] for row in table(server) if row[1] == "vip"] == ["user:0", "user:3", "user:6", "user:9"]


def test_native_error_then_usable(server: Server) -> None:
    taken = new_id()
    seed(server, [(taken, "user", None)])
    with native(server) as conn:
        insert = "INSERT INTO actors (actor_id, actor_type, state) VALUES (:id, :type, NULL)"
        with pytest.raises(pg8000.native.DatabaseError) as caught:
            conn.run(insert, id=taken, type="user")
        assert sqlstate(caught.value) == "23505"
        with pytest.raises(pg8000.native.DatabaseError) as caught:
            conn.run("SELECT actor_id FROM actors WHERE actor_id = :id::int4", id="x")
        assert sqlstate(caught.value) in ("22P02", "42883")
        other = new_id()
        conn.run(insert, id=other, type="user")
        assert conn.run("SELECT actor_id FROM actors WHERE actor_id = :id", id=other) == [[other]]
    assert sorted(row[0] for row in table(server)) == sorted([taken, other])


def test_dbapi_insert_select_update_delete(server: Server) -> None:
    assert pg8000.dbapi.paramstyle == "format"
    actor = new_id()
    with closing(dbapi(server)) as conn:
        cur = conn.cursor()
        cur.execute("INSERT INTO actors (actor_id, actor_type, state) VALUES (%s, %s, %s)", (actor, "user", '{"a": 1}'))
        assert cur.rowcount == 1
        conn.commit()

        cur.execute("SELECT actor_id, actor_type, state FROM actors WHERE actor_id = %s", (actor,))
        assert [d[0] for d in cur.description] == ["actor_id", "actor_type", "state"]
        assert cur.fetchone() == [actor, "user", {"a": 1}]
        assert cur.fetchone() is None

        cur.execute("UPDATE actors SET state = %s WHERE actor_id = %s", ('{"a": 2}', actor))
        assert cur.rowcount == 1
        conn.rollback()
        cur.execute("SELECT state FROM actors WHERE actor_id = %s", (actor,))
        assert cur.fetchall() == ([{"a": 1}],)

        cur.execute("UPDATE actors SET state = %s WHERE actor_id = %s", ('{"a": 3}', actor))
        conn.commit()
        cur.executemany(
            "INSERT INTO actors (actor_id, actor_type, state) VALUES (%s, %s, NULL)",
            [(f"bot:{i}", "bot") for i in range(5)],
        )
        assert cur.rowcount == 5
        cur.execute("DELETE FROM actors WHERE actor_type = %s", ("bot",))
        assert cur.rowcount == 5
        cur.execute("SELECT actor_id FROM actors WHERE actor_type = %s ORDER BY actor_id LIMIT %s", ("user", 10))
        assert cur.fetchall() == ([actor],)
        conn.commit()

        # An error rolls the transaction back; after rollback() the connection goes on.
        cur.execute("INSERT INTO actors (actor_id, actor_type, state) VALUES (%s, %s, NULL)", ("bot:x", "bot"))
        with pytest.raises(pg8000.dbapi.DatabaseError) as caught:
            cur.execute("INSERT INTO actors (actor_id, actor_type, state) VALUES (%s, %s, NULL)", (actor, "user"))
        assert sqlstate(caught.value) == "23505"
        conn.rollback()
        cur.execute("SELECT actor_id FROM actors WHERE actor_id = %s", ("bot:x",))
        assert cur.fetchall() == ()
        conn.commit()
    assert table(server) == [(actor, "user", '{"a": 3}')]
