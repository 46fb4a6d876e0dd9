"""A real orbit-pg server over real sockets: bad clients get a FATAL and a close, good clients never notice,
and committed actors survive a SIGKILL."""

from __future__ import annotations

import os
import random
import signal
import socket
import struct
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg
import pytest

from orbit_pg.testing import OrbitServer
from orbit_pg.wire.constants import PROTOCOL_3_0

TIMEOUT = 5.0

Reply = tuple[str, bytes]

# --- raw protocol helpers -------------------------------------------------------------------------------------


def startup_packet(user: str = "orbit", database: str = "actors") -> bytes:
    body = struct.pack("!i", PROTOCOL_3_0) + b"user\x00" + user.encode() + b"\x00database\x00" + database.encode()
    body += b"\x00\x00"
    return struct.pack("!i", len(body) + 4) + body


def typed(msg_type: bytes, body: bytes = b"") -> bytes:
    return msg_type + struct.pack("!i", len(body) + 4) + body


def query(text: str) -> bytes:
    return typed(b"Q", text.encode() + b"\x00")


def parse_replies(data: bytes) -> list[Reply]:
    replies: list[Reply] = []
    offset = 0
    while offset + 5 <= len(data):
        (length,) = struct.unpack_from("!i", data, offset + 1)
        end = offset + 1 + length
        if end > len(data):
            break
        replies.append((data[offset : offset + 1].decode(), data[offset + 5 : end]))
        offset = end
    assert offset == len(data), f"trailing bytes: {data[offset:]!r}"
    return replies


def error_fields(body: bytes) -> dict[str, str]:
    return {field[:1].decode(): field[1:].decode() for field in body.rstrip(b"\x00").split(b"\x00")}


@contextmanager
def raw_connection(server: OrbitServer) -> Iterator[socket.socket]:
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=TIMEOUT)
    try:
        yield sock
    finally:
        sock.close()


def read_until_ready(sock: socket.socket) -> list[Reply]:
    """Read whole replies until a ReadyForQuery (bounded by the socket timeout)."""
    data = b""
    while True:
        chunk = sock.recv(65536)
        assert chunk, f"server closed the connection; got {data!r}"
        data += chunk
        try:
            replies = parse_replies(data)
        except AssertionError:
            continue
        if replies and replies[-1][0] == "Z":
            return replies


def read_until_closed(sock: socket.socket) -> bytes:
    """Everything the server sends before it closes; a timeout here means the server kept the socket open."""
    data = b""
    while True:
        try:
            chunk = sock.recv(65536)
        except ConnectionResetError:
            return data
        if not chunk:
            return data
        data += chunk


def start_session(sock: socket.socket) -> None:
    sock.sendall(startup_packet())
    assert read_until_ready(sock)[-1] == ("Z", b"I")


def assert_fatal_then_closed(sock: socket.socket, sqlstate: str) -> None:
    replies = parse_replies(read_until_closed(sock))
    assert [msg_type for msg_type, _ in replies] == ["E"], replies
    fields = error_fields(replies[0][1])
    assert fields["S"] == "FATAL"
    assert fields["C"] == sqlstate


def close_abruptly(sock: socket.socket) -> None:
    """Close with a TCP RST instead of a FIN, like a client whose host vanished."""
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()


# --- client helpers ------------------------------------------------------------------------------------------


def connect(server: OrbitServer) -> psycopg.Connection[Any]:
    return psycopg.connect(server.dsn, autocommit=True, connect_timeout=int(TIMEOUT))


def assert_serving(server: OrbitServer) -> None:
    with connect(server) as conn:
        assert conn.execute("SELECT 1").fetchone() == (1,)


def within(seconds: float, function: Callable[[], Any]) -> Any:
    """Run ``function`` in a daemon thread; fail (instead of hanging the suite) if it takes too long."""
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["value"] = function()
        except BaseException as exc:  # re-raised in the test thread
            outcome["error"] = exc

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), f"still blocked after {seconds}s"
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def new_id(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex}"


def actor_ids(server: OrbitServer, *ids: str) -> set[str]:
    with connect(server) as conn:
        found = set()
        for actor_id in ids:
            row = conn.execute(f"SELECT actor_id FROM actors WHERE actor_id = '{actor_id}'").fetchone()
            if row is not None:
                found.add(row[0])
        return found


def open_fds(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/fd"))


def resident_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError(f"no VmRSS for {pid}")


def assert_no_tracebacks(server: OrbitServer) -> None:
    log = server.log_text()
    assert "Traceback" not in log and "Unhandled" not in log, log[-4000:]


# --- bad input ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "garbage",
    [
        pytest.param(b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n", id="http"),
        pytest.param(bytes.fromhex("1603010200010001fc0303") + b"\x00" * 32, id="tls-client-hello"),
        pytest.param(b"\xff" * 64, id="0xff"),
        pytest.param(b"\x00\x00\x00\x00", id="zero-length"),
    ],
)
def test_garbage_instead_of_startup_packet(orbit: OrbitServer, garbage: bytes) -> None:
    with raw_connection(orbit) as sock:
        sock.sendall(garbage)
        assert_fatal_then_closed(sock, "08P01")
    assert_serving(orbit)


@pytest.mark.parametrize("length", [-1, 0, 7, 10001, 2**31 - 1])
def test_absurd_startup_length(orbit: OrbitServer, length: int) -> None:
    with raw_connection(orbit) as sock:
        sock.sendall(struct.pack("!i", length))  # no body: the server must not wait for one
        assert_fatal_then_closed(sock, "08P01")
    assert_serving(orbit)


@pytest.mark.parametrize("length", [-(2**31), -1, 0, 3, 2**31 - 1])
def test_absurd_message_length(orbit: OrbitServer, length: int) -> None:
    with raw_connection(orbit) as sock:
        start_session(sock)
        sock.sendall(b"Q" + struct.pack("!i", length))
        assert_fatal_then_closed(sock, "08P01")
    assert_serving(orbit)


def test_unknown_message_type_after_startup(orbit: OrbitServer) -> None:
    with raw_connection(orbit) as sock:
        start_session(sock)
        sock.sendall(typed(b"!"))
        assert_fatal_then_closed(sock, "08P01")
    assert_serving(orbit)


def test_protocol_2_client_is_refused(orbit: OrbitServer) -> None:
    with raw_connection(orbit) as sock:
        sock.sendall(struct.pack("!ii", 9, 2 << 16) + b"\x00")
        assert_fatal_then_closed(sock, "0A000")
    assert_serving(orbit)


# --- clients that vanish --------------------------------------------------------------------------------------


@pytest.mark.parametrize("abrupt", [False, True], ids=["fin", "rst"])
def test_client_vanishing_mid_query(orbit: OrbitServer, abrupt: bool) -> None:
    message = query("SELECT actor_id FROM actors WHERE actor_id = 'nobody'")
    with raw_connection(orbit) as sock:
        start_session(sock)
        sock.sendall(message[: len(message) // 2])
        if abrupt:
            close_abruptly(sock)
    assert_serving(orbit)


@pytest.mark.parametrize("abrupt", [False, True], ids=["fin", "rst"])
def test_client_vanishing_mid_startup(orbit: OrbitServer, abrupt: bool) -> None:
    packet = startup_packet()
    with raw_connection(orbit) as sock:
        sock.sendall(packet[:6])
        if abrupt:
            close_abruptly(sock)
    assert_serving(orbit)


def test_many_connections_opened_and_closed(fresh_orbit: OrbitServer) -> None:
    server = fresh_orbit
    assert server.pid is not None
    assert_serving(server)
    time.sleep(0.3)  # let the server close its side of that first connection
    baseline = open_fds(server.pid)
    started = time.monotonic()
    for batch in range(20):  # 20 batches of 10: 200 connections, at most 10 open at once
        clients = [connect(server) for _ in range(4)]
        sockets = [socket.create_connection(("127.0.0.1", server.port), timeout=TIMEOUT) for _ in range(6)]
        try:
            for conn in clients:
                assert conn.execute("SELECT 1").fetchone() == (1,)
            sockets[0].sendall(startup_packet()[:5])  # a half startup packet
            sockets[1].sendall(startup_packet())  # a whole startup, then gone without Terminate
            sockets[2].sendall(b"junk")
        finally:
            for conn in clients:
                conn.close()
            for i, sock in enumerate(sockets):
                if (batch + i) % 2:
                    close_abruptly(sock)
                else:
                    sock.close()
    elapsed = time.monotonic() - started
    assert elapsed < 60, f"200 connections took {elapsed:.1f}s"
    assert_serving(server)
    # The server closes its side of every connection: no file descriptors leak.
    deadline = time.monotonic() + TIMEOUT
    while open_fds(server.pid) > baseline and time.monotonic() < deadline:
        time.sleep(0.05)
    assert open_fds(server.pid) <= baseline
    assert_no_tracebacks(server)


# --- durability and isolation ----------------------------------------------------------------------------------


def test_committed_actors_survive_sigkill(fresh_orbit: OrbitServer) -> None:
    server = fresh_orbit
    data_dir = server.data_dir
    with connect(server) as conn:
        for i in range(20):
            conn.execute(
                f"INSERT INTO actors (actor_id, actor_type, state) VALUES ('auto-{i}', 'user', '{{\"n\": {i}}}')"
            )
        conn.execute("BEGIN")
        conn.execute("INSERT INTO actors (actor_id, actor_type, state) VALUES ('txn-1', 'room', '{\"a\": [1, 2]}')")
        conn.execute("UPDATE actors SET state = '{\"n\": 100}' WHERE actor_id = 'auto-0'")
        conn.execute("DELETE FROM actors WHERE actor_id = 'auto-1'")
        conn.execute("COMMIT")
    # A transaction still open when the server dies must not survive it.
    uncommitted = connect(server)
    uncommitted.execute("BEGIN")
    uncommitted.execute("INSERT INTO actors (actor_id, actor_type) VALUES ('pending', 'user')")
    try:
        assert server.pid is not None
        os.kill(server.pid, signal.SIGKILL)
        server.restart()  # stop() reaps the killed process; start() reopens the same data directory and port
    finally:
        uncommitted.close()
    assert server.data_dir == data_dir
    with connect(server) as conn:
        rows = conn.execute("SELECT actor_id, actor_type, state FROM actors").fetchall()
    found = {actor_id: (actor_type, state) for actor_id, actor_type, state in rows}
    assert len(found) == 20  # 20 inserted - 1 deleted + 1 in the transaction; not 'pending'
    assert found["auto-0"] == ("user", {"n": 100})
    assert "auto-1" not in found
    assert found["auto-19"] == ("user", {"n": 19})
    assert found["txn-1"] == ("room", {"a": [1, 2]})
    assert "pending" not in found


CRASH_RUNS = 20


def _write_pairs(server: OrbitServer, writer: int, acknowledged: list[int], stop: threading.Event) -> None:
    """Transactions of two inserts each; a pair's number is recorded once COMMIT returned."""
    try:
        with psycopg.connect(server.dsn, autocommit=True, connect_timeout=5) as conn:
            for n in range(writer * 1_000_000, (writer + 1) * 1_000_000):
                if stop.is_set():
                    return
                conn.execute("BEGIN")
                conn.execute(f"INSERT INTO actors VALUES ('pair:{n}:a', 'pair', '{{\"n\": {n}}}')")
                conn.execute(f"INSERT INTO actors VALUES ('pair:{n}:b', 'pair', '{{\"n\": {n}}}')")
                conn.execute("COMMIT")
                acknowledged.append(n)
    except psycopg.Error:
        return  # the server was killed


def test_acknowledged_commits_survive_sigkill_mid_load(tmp_path: Path) -> None:
    """SIGKILL in the middle of a write load, CRASH_RUNS times on one data directory: after each
    restart every acknowledged commit is present and no transaction is half applied."""
    rng = random.Random(5)
    acknowledged: list[int] = []
    counts = []
    with OrbitServer(data_dir=tmp_path / "data") as server:
        for run in range(CRASH_RUNS):
            stop = threading.Event()
            before = len(acknowledged)
            writers = [
                threading.Thread(target=_write_pairs, args=(server, run * 4 + w, acknowledged, stop), daemon=True)
                for w in range(4)
            ]
            for thread in writers:
                thread.start()
            time.sleep(rng.uniform(0.2, 0.4))
            assert server.pid is not None
            os.kill(server.pid, signal.SIGKILL)
            stop.set()
            for thread in writers:
                thread.join(TIMEOUT)
            server.restart()
            with connect(server) as conn:
                ids = {row[0] for row in conn.execute("SELECT actor_id FROM actors WHERE actor_type = 'pair'")}
            pairs = {int(actor_id.split(":")[1]) for actor_id in ids}
            half = [n for n in pairs if f"pair:{n}:a" not in ids or f"pair:{n}:b" not in ids]
            lost = [n for n in acknowledged if n not in pairs]
            assert (half, lost) == ([], [])
            counts.append((len(acknowledged) - before, len(pairs)))
    print(
        f"\n{CRASH_RUNS} SIGKILLs: commits acknowledged per run {[a for a, _ in counts]}; "
        f"pairs present after the last restart {counts[-1][1]}, acknowledged {len(acknowledged)}"
    )
    assert sum(a for a, _ in counts) > 0


def test_killed_server_restarts_on_same_data_dir(tmp_path: Path) -> None:
    """A second OrbitServer on the same directory sees what the killed one committed."""
    data_dir = tmp_path / "data"
    with OrbitServer(data_dir=data_dir) as first:
        with connect(first) as conn:
            conn.execute("INSERT INTO actors (actor_id, actor_type) VALUES ('kept', 'user')")
        assert first.pid is not None
        os.kill(first.pid, signal.SIGKILL)
        first.stop()
        with OrbitServer(data_dir=data_dir) as second:
            assert actor_ids(second, "kept", "other") == {"kept"}


def test_disconnect_inside_transaction_leaves_nothing(orbit: OrbitServer) -> None:
    gone_clean, gone_raw, gone_rst = new_id("clean"), new_id("raw"), new_id("rst")
    # psycopg: BEGIN + INSERT, then close (Terminate) without COMMIT.
    conn = connect(orbit)
    conn.execute("BEGIN")
    conn.execute(f"INSERT INTO actors (actor_id, actor_type) VALUES ('{gone_clean}', 'user')")
    conn.close()
    # Raw sockets: the same, then a FIN or a RST with no Terminate.
    for actor_id, abrupt in ((gone_raw, False), (gone_rst, True)):
        with raw_connection(orbit) as sock:
            start_session(sock)
            sock.sendall(query(f"BEGIN; INSERT INTO actors (actor_id, actor_type) VALUES ('{actor_id}', 'user')"))
            assert read_until_ready(sock)[-1] == ("Z", b"T")
            if abrupt:
                close_abruptly(sock)
    assert actor_ids(orbit, gone_clean, gone_raw, gone_rst) == set()
    time.sleep(0.3)  # and not later either, once the server has surely seen the disconnects
    assert actor_ids(orbit, gone_clean, gone_raw, gone_rst) == set()
    # Nothing lingers: the same ids can be inserted and committed now.
    with connect(orbit) as conn:
        for actor_id in (gone_clean, gone_raw, gone_rst):
            conn.execute(f"INSERT INTO actors (actor_id, actor_type) VALUES ('{actor_id}', 'user')")
    assert actor_ids(orbit, gone_clean, gone_raw, gone_rst) == {gone_clean, gone_raw, gone_rst}


def test_slow_client_does_not_block_others(orbit: OrbitServer) -> None:
    actor_id = new_id("slow")
    message = query(f"INSERT INTO actors (actor_id, actor_type) VALUES ('{actor_id}', 'user')")
    with (
        raw_connection(orbit) as slow,
        raw_connection(orbit),  # connects and never sends a byte
        raw_connection(orbit) as half_startup,
    ):
        start_session(slow)
        slow.sendall(message[:10])  # the header promises more than this
        half_startup.sendall(startup_packet()[:10])

        def other_client() -> list[tuple[Any, ...]]:
            with connect(orbit) as conn:
                conn.execute("SELECT 1")
                return conn.execute(f"SELECT actor_id FROM actors WHERE actor_id = '{actor_id}'").fetchall()

        assert within(TIMEOUT, other_client) == []
        # The slow client's message completes later and is answered as if it had come at once.
        slow.sendall(message[10:])
        replies = read_until_ready(slow)
        assert [msg_type for msg_type, _ in replies] == ["C", "Z"]
        assert replies[0][1] == b"INSERT 0 1\x00"
    assert within(TIMEOUT, lambda: actor_ids(orbit, actor_id)) == {actor_id}


def test_client_that_never_reads_does_not_block_others(orbit: OrbitServer) -> None:
    """A client pipelines big queries and never reads the answers; others are still served."""
    actor_type = new_id("bulk")
    with connect(orbit) as conn:
        state = '{"blob": "' + "x" * 4000 + '"}'
        for i in range(50):
            values = f"('{actor_type}-{i}', '{actor_type}', '{state}')"
            conn.execute(f"INSERT INTO actors (actor_id, actor_type, state) VALUES {values}")
    with raw_connection(orbit) as greedy:
        start_session(greedy)
        greedy.setblocking(False)
        batch = query(f"SELECT actor_id, state FROM actors WHERE actor_type = '{actor_type}'") * 100
        assert orbit.pid is not None
        rss_before = resident_kb(orbit.pid)
        sent = 0
        deadline = time.monotonic() + TIMEOUT
        try:
            # Each query asks for 200 kB: what is sent here would be gigabytes of answers.
            while sent < (8 << 20) and time.monotonic() < deadline:
                sent += greedy.send(batch)
        except BlockingIOError:
            pass  # the server stopped reading from a client that does not read, as PostgreSQL does
        within(TIMEOUT, lambda: assert_serving(orbit))
        # Answers were not piled up in memory for a client that does not read them.
        assert resident_kb(orbit.pid) - rss_before < 100_000
        close_abruptly(greedy)
    within(TIMEOUT, lambda: assert_serving(orbit))


def test_a_bulk_insert_does_not_stall_other_connections(orbit: OrbitServer) -> None:
    """Parsing a large multi-row INSERT keeps the grammar busy for a second or more; it runs
    beside the reactor, so another connection's queries wait far less than the INSERT takes."""
    rows = ", ".join(f"('bulk:{i}', 'bulk', '{{\"n\": {i}}}')" for i in range(6000))
    done = threading.Event()
    failures: list[BaseException] = []
    took: list[float] = []

    def bulk() -> None:
        try:
            with psycopg.connect(orbit.dsn, autocommit=True) as conn:
                started = time.monotonic()
                assert conn.execute(f"INSERT INTO actors VALUES {rows}").statusmessage == "INSERT 0 6000"
                took.append(time.monotonic() - started)
        except BaseException as exc:  # reported below
            failures.append(exc)
        finally:
            done.set()

    with psycopg.connect(orbit.dsn, autocommit=True) as other:
        worker = threading.Thread(target=bulk)
        worker.start()
        slowest = 0.0
        while not done.is_set():
            started = time.monotonic()
            assert other.execute("SELECT 1").fetchone() == (1,)
            slowest = max(slowest, time.monotonic() - started)
        worker.join(60)
    assert not failures
    # Machine speed cancels out: with the grammar on the reactor, one SELECT waited for
    # nearly the whole INSERT (measured: 1.22 s of 1.3 s).
    assert slowest < 0.5 * took[0], f"a SELECT waited {slowest:.2f}s of the INSERT's {took[0]:.2f}s"
