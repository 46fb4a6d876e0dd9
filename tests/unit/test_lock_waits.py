"""A statement that waits for a row lock parks its connection, not the server."""

from __future__ import annotations

from pathlib import Path

from protocol_harness import Connection, error_fields, make_factory, parse_replies, query, typed, types

from orbit_pg.storage.lmdb_store import ActorStore

INCREMENT = "UPDATE actors SET state = jsonb_set(state, '{n}', to_jsonb((state->>'n')::int + 1)) WHERE actor_id = 'k'"


def test_a_waiting_writer_runs_again_when_the_holder_commits(tmp_path: Path) -> None:
    store = ActorStore(str(tmp_path))
    try:
        factory = make_factory(store)
        holder, waiter, other = Connection(factory), Connection(factory), Connection(factory)
        for client in (holder, waiter, other):
            client.start()
        holder.send(query("""INSERT INTO actors VALUES ('k', 'k', '{"n": 0}')"""))
        holder.send(query("BEGIN; " + INCREMENT))
        assert waiter.send(query(INCREMENT)) == []  # parked
        assert waiter.send(query("SELECT 1")) == []  # its next messages wait behind it
        assert types(other.send(query("SELECT state->>'n' FROM actors"))) == "TDCZ"  # others go on
        assert types(holder.send(query("COMMIT"))) == "CZ"
        # The holder's commit, once durable, woke the waiter in a later reactor turn.
        replies = types(parse_replies(waiter.transport.value()))
        assert replies == "CZTDCZ"
        rows = other.send(query("SELECT state->>'n' FROM actors"))
        assert rows[1] == ("D", b"\x00\x01\x00\x00\x00\x012")
    finally:
        store.close()


def test_lock_timeout_and_cancel_end_a_wait(tmp_path: Path) -> None:
    store = ActorStore(str(tmp_path))
    try:
        factory = make_factory(store)
        holder, waiter = Connection(factory), Connection(factory)
        holder.start()
        waiter.start()
        holder.send(query("""INSERT INTO actors VALUES ('k', 'k', '{"n": 0}')"""))
        holder.send(query("BEGIN; " + INCREMENT))
        waiter.send(query("SET lock_timeout = '50ms'"))
        assert waiter.send(query(INCREMENT)) == []
        waiter.transport.clear()
        factory.reactor.advance(0.05)
        replies = parse_replies(waiter.transport.value())
        assert types(replies) == "EZ"
        assert error_fields(replies[0][1])["M"] == "canceling statement due to lock timeout"
        waiter.send(query("SET lock_timeout = 0"))
        # The extended protocol: the Execute waits, Sync waits behind it; a cancel ends the wait.
        parse = typed(b"P", b"\x00" + INCREMENT.encode() + b"\x00\x00\x00")
        bind = typed(b"B", b"\x00\x00\x00\x00\x00\x00\x00\x00")
        execute = typed(b"E", b"\x00\x00\x00\x00\x00")
        assert types(waiter.send(parse + bind + execute + typed(b"S"))) == "12"
        waiter.transport.clear()
        factory.cancel(waiter.protocol.process_id, waiter.protocol.secret_key)
        replies = parse_replies(waiter.transport.value())
        assert types(replies) == "EZ"
        assert error_fields(replies[0][1])["C"] == "57014"
    finally:
        store.close()
