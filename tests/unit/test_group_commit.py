"""Commits requested in one reactor turn share one durable write, and nobody hears of a
commit before it is durable."""

from __future__ import annotations

from pathlib import Path

from protocol_harness import Connection, make_factory, parse_replies, query, startup, types

from orbit_pg.storage.lmdb_store import ActorStore


def test_concurrent_commits_share_one_write_and_are_acknowledged_after_it(tmp_path: Path) -> None:
    store = ActorStore(str(tmp_path))
    try:
        factory = make_factory(store)
        clients = [Connection(factory) for _ in range(3)]
        for client in clients:
            client.send(startup())
        groups_before, commits_before = factory.committer.groups, factory.committer.commits
        for n, client in enumerate(clients):
            client.transport.clear()
            # Straight to the protocol: the reactor turn has not ended yet.
            client.protocol.dataReceived(query(f"INSERT INTO actors VALUES ('g:{n}', 'g', NULL)"))
            assert client.transport.value() == b""  # nothing said before the write is durable
        factory.reactor.advance(0)
        for client in clients:
            assert types(parse_replies(client.transport.value())) == "CZ"
        assert (factory.committer.groups, factory.committer.commits) == (groups_before + 1, commits_before + 3)
        snapshot = store.snapshot()
        assert [row[0] for row in snapshot.scan_type("g")] == ["g:0", "g:1", "g:2"]
        snapshot.close()
    finally:
        store.close()


def test_a_commit_in_the_next_reactor_turn_joins_the_group(tmp_path: Path) -> None:
    """A statement that arrives in the turn after a commit's (a client the last group freed,
    read by the next poll) shares its durable write instead of waiting for one more."""
    store = ActorStore(str(tmp_path))
    try:
        factory = make_factory(store)
        first, second, third = (Connection(factory) for _ in range(3))
        for client in (first, second, third):
            client.send(startup())
            client.transport.clear()
        groups_before = factory.committer.groups

        def insert(client: Connection, key: str) -> None:
            client.protocol.dataReceived(query(f"INSERT INTO actors VALUES ('{key}', 'turn', NULL)"))

        insert(first, "turn:1")
        # The next turn's statement, then (a turn later still) one that misses the group.
        factory.reactor.callLater(0, insert, second, "turn:2")
        factory.reactor.callLater(0, factory.reactor.callLater, 0, insert, third, "turn:3")
        factory.reactor.advance(0)
        assert all(types(parse_replies(client.transport.value())) == "CZ" for client in (first, second, third))
        assert factory.committer.groups == groups_before + 2  # turn:1 with turn:2, then turn:3
    finally:
        store.close()


def test_the_same_connection_sees_its_commit_in_the_next_statement(tmp_path: Path) -> None:
    store = ActorStore(str(tmp_path))
    try:
        client = Connection(make_factory(store))
        client.send(startup())
        replies = client.send(
            query("BEGIN; INSERT INTO actors VALUES ('s:1', 's', NULL); COMMIT; SELECT actor_id FROM actors")
        )
        assert types(replies) == "CCCTDCZ"
        assert replies[-2] == ("C", b"SELECT 1\x00")
    finally:
        store.close()


def test_a_group_size_limit_splits_commits_into_several_writes(tmp_path: Path) -> None:
    store = ActorStore(str(tmp_path))
    try:
        factory = make_factory(store)
        factory.committer.max_group = 1
        clients = [Connection(factory) for _ in range(3)]
        for client in clients:
            client.send(startup())
        groups_before = factory.committer.groups
        for n, client in enumerate(clients):
            client.transport.clear()
            client.protocol.dataReceived(query(f"INSERT INTO actors VALUES ('one:{n}', 'one', NULL)"))
        for _ in range(3):
            factory.reactor.advance(0)
        assert all(types(parse_replies(client.transport.value())) == "CZ" for client in clients)
        assert factory.committer.groups == groups_before + 3
    finally:
        store.close()


def test_without_sync_commits_are_acknowledged_then_flushed(tmp_path: Path) -> None:
    store = ActorStore(str(tmp_path), sync=False)
    try:
        factory = make_factory(store)
        quick, careful = Connection(factory), Connection(factory)
        quick.send(startup())
        careful.send(startup())
        careful.send(query("SET synchronous_commit = on"))
        assert quick.send(query("SHOW synchronous_commit"))[1] == ("D", b"\x00\x01\x00\x00\x00\x03off")
        quick.send(query("INSERT INTO actors VALUES ('q', 'q', NULL)"))
        assert factory.committer.flushes == 0  # acknowledged once written
        careful.send(query("INSERT INTO actors VALUES ('c', 'c', NULL)"))
        assert factory.committer.flushes == 1  # this session waited for the flush
    finally:
        store.close()
