"""A host Twisted program embeds orbit-pg on its own reactor, through the public API."""

from __future__ import annotations

import socket

import psycopg
import pytest_twisted
from twisted.internet import reactor, threads

from orbit_pg import ActorStore, PostgresServerFactory, makeService
from orbit_pg.service import Options
from orbit_pg.testing import free_port


def _client(port: int) -> list[tuple]:
    with psycopg.connect(host="127.0.0.1", port=port, user="host", dbname="app", autocommit=True) as conn:
        conn.execute("INSERT INTO actors VALUES ('embedded:1', 'thing', '{\"ok\": true}')")
        return conn.execute("SELECT actor_id, state, current_database() FROM actors").fetchall()


@pytest_twisted.inlineCallbacks
def test_listen_tcp_with_the_public_factory(tmp_path):
    store = ActorStore(str(tmp_path / "data"))
    port = reactor.listenTCP(0, PostgresServerFactory(store), interface="127.0.0.1")
    try:
        # The blocking client runs in a thread; the reactor keeps serving it meanwhile.
        rows = yield threads.deferToThread(_client, port.getHost().port)
        assert rows == [("embedded:1", {"ok": True}, "app")]
    finally:
        yield port.stopListening()
        store.close()


@pytest_twisted.inlineCallbacks
def test_make_service_is_an_iservice(tmp_path):
    options = Options()
    port = free_port()
    options.parseOptions(["--port", str(port), "--data-dir", str(tmp_path / "svc")])
    service = makeService(options)
    service.startService()
    try:
        rows = yield threads.deferToThread(_client, port)
        assert rows[0][0] == "embedded:1"
    finally:
        yield service.stopService()


@pytest_twisted.inlineCallbacks
def test_connections_set_tcp_nodelay(tmp_path):
    """As PostgreSQL's backends do: no answer's tail waits for the client's ACK (Nagle)."""
    store = ActorStore(str(tmp_path / "data"))
    factory = PostgresServerFactory(store)
    port = reactor.listenTCP(0, factory, interface="127.0.0.1")
    conn = None
    try:
        conn = yield threads.deferToThread(
            psycopg.connect, host="127.0.0.1", port=port.getHost().port, user="host", dbname="app"
        )
        (connection,) = factory.connections.values()
        handle = connection.transport.getHandle()
        assert handle.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) != 0
    finally:
        if conn is not None:
            yield threads.deferToThread(conn.close)
        yield port.stopListening()
        store.close()
