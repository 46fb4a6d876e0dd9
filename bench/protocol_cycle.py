"""The cost of one protocol cycle in process: CPU time and Python function calls per cycle.

One connection on a fake transport (no sockets, a Clock for a reactor) over a small table in the
store the server runs (``LayeredStore``: the write-ahead log in front of LMDB); each cycle is the
bytes a client sends for one transaction (a Query, or Bind/Describe/Execute/Sync as libpq sends a
prepared statement), and it is answered before the next. The call count (cProfile's) does not
depend on how busy the machine is, so it compares two builds where wall-clock tps cannot. With a
Clock the group commit runs on the reactor thread (a real reactor's goes to a writer thread), and
the Clock's own scheduling adds ~10 calls to a write cycle.

With ``--network`` each cycle is also timed between real socket exchanges: its reply goes over a
loopback TCP connection to a peer process (on another CPU where there is one), which answers
with a request-sized message, as pgbench would. Only the cycle is timed, not the exchange; what
the same work costs more there is what the kernel's network path between two cycles does to the
caches (and, in a virtual machine, to the CPU), which the server always pays and a cycle run
alone does not.

    python bench/protocol_cycle.py [--cycles 2000] [--rows 10000] [--synchronous-commit on|off]
                                   [--profile] [--network] [CYCLE ...]
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import socket
import struct
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable

from twisted.internet.address import IPv4Address
from twisted.internet.task import Clock
from twisted.internet.testing import StringTransport

from orbit_pg.protocol import PostgresProtocol, PostgresServerFactory
from orbit_pg.storage.layered import LayeredStore
from orbit_pg.wire.constants import PROTOCOL_3_0

POINT = "SELECT * FROM actors WHERE actor_id = $1"
# As pgbench -M extended sends its update: the new state built as text, then cast.
UPDATE = "UPDATE actors SET state = ('{\"balance\": ' || $1 || '}')::jsonb WHERE actor_id = $2"
INSERT = "INSERT INTO actors (actor_id, actor_type, state) VALUES ($1, 'new', '{\"balance\": 0}')"
TYPE_LIMIT = "SELECT actor_id, state->>'balance' FROM actors WHERE actor_type = '{}' ORDER BY actor_id LIMIT 10"
# As pgbench_workloads' type_select: simple mode substitutes the text, the others build it with ||.
TYPE_SELECT = "SELECT * FROM actors WHERE actor_type = '{}' LIMIT 10"
TYPE_SELECT_EXTENDED = "SELECT * FROM actors WHERE actor_type = 'type:' || $1 LIMIT 10"
AGGREGATE = (
    "SELECT actor_type, count(*), sum((state->>'balance')::int), max(actor_id) FROM actors"
    " GROUP BY actor_type ORDER BY count(*) DESC LIMIT 5"
)


def message(msg_type: bytes, body: bytes = b"") -> bytes:
    return msg_type + struct.pack("!i", len(body) + 4) + body


def cstring(text: str) -> bytes:
    return text.encode() + b"\x00"


def query(text: str) -> bytes:
    return message(b"Q", cstring(text))


def parse(name: str, text: str) -> bytes:
    return message(b"P", cstring(name) + cstring(text) + struct.pack("!h", 0))


def bind(statement: str, *values: str) -> bytes:
    params = b"".join(struct.pack("!i", len(data)) + data for data in (value.encode() for value in values))
    body = cstring("") + cstring(statement) + struct.pack("!hh", 0, len(values)) + params + struct.pack("!h", 0)
    return message(b"B", body)


DESCRIBE_PORTAL = message(b"D", b"P\x00")
EXECUTE = message(b"E", cstring("") + struct.pack("!i", 0))
SYNC = message(b"S")


def cycles(rows: int) -> dict[str, Callable[[int], bytes]]:
    """Each cycle's bytes for its i-th run (a different key each time)."""

    def key(i: int) -> str:
        return f"user:{i % rows + 1}"

    return {
        "prepared": lambda i: bind("point", key(i)) + DESCRIBE_PORTAL + EXECUTE + SYNC,
        "extended": lambda i: parse("", POINT) + bind("", key(i)) + DESCRIBE_PORTAL + EXECUTE + SYNC,
        "simple": lambda i: query(f"SELECT * FROM actors WHERE actor_id = '{key(i)}'"),
        "type_limit": lambda i: query(TYPE_LIMIT.format(f"type:{i % 100}")),
        "type_select": lambda i: query(TYPE_SELECT.format(f"type:{i % 100}")),
        "type_select_prepared": lambda i: bind("type_select", str(i % 100)) + DESCRIBE_PORTAL + EXECUTE + SYNC,
        "update": lambda i: query(f"UPDATE actors SET state = '{{\"balance\": {i}}}' WHERE actor_id = '{key(i)}'"),
        "update_extended": lambda i: parse("", UPDATE) + bind("", str(i), key(i)) + DESCRIBE_PORTAL + EXECUTE + SYNC,
        "update_prepared": lambda i: bind("update", str(i), key(i)) + DESCRIBE_PORTAL + EXECUTE + SYNC,
        # A new key each time (``i`` grows over every batch, see ``measure``).
        "insert": lambda i: query(
            f"INSERT INTO actors (actor_id, actor_type, state) VALUES ('new:{i}', 'new', '{{\"balance\": 0}}')"
        ),
        "insert_extended": lambda i: parse("", INSERT) + bind("", f"new:x{i}") + DESCRIBE_PORTAL + EXECUTE + SYNC,
        "insert_prepared": lambda i: bind("insert", f"new:p{i}") + DESCRIBE_PORTAL + EXECUTE + SYNC,
        "aggregate": lambda i: query(AGGREGATE),
    }


def message_types(data: bytes) -> list[bytes]:
    """The type byte of each backend message in ``data``."""
    found, offset = [], 0
    while offset < len(data):
        found.append(data[offset : offset + 1])
        (length,) = struct.unpack_from("!i", data, offset + 1)
        offset += 1 + length
    return found


class Client:
    """A connection answered synchronously: ``send`` returns once every reply is out."""

    def __init__(self, factory: PostgresServerFactory, clock: Clock) -> None:
        self.clock = clock
        self.transport = StringTransport(peerAddress=IPv4Address("TCP", "127.0.0.1", 54321))
        self.protocol = PostgresProtocol()
        self.protocol.factory = factory
        self.protocol.makeConnection(self.transport)

    def send(self, data: bytes) -> bytes:
        reply = self.answer(data)
        if b"E" in message_types(reply) or not reply.endswith(b"Z\x00\x00\x00\x05I"):
            raise SystemExit(f"unexpected reply: {reply[:300]!r}")
        return reply

    def answer(self, data: bytes) -> bytes:
        """The server's reply to ``data`` (its delayed calls run), unchecked."""
        self.transport.clear()
        self.protocol.dataReceived(data)
        while any(call.getTime() <= self.clock.seconds() for call in self.clock.getDelayedCalls()):
            self.clock.advance(0)
        return self.transport.value()


def setup(rows: int, synchronous: bool, map_size: int = 1 << 36) -> Client:
    """The store the server runs (``service.makeService``'s): the write-ahead log, synced at each
    commit unless ``synchronous`` is off, in front of LMDB (mapped ``map_size`` bytes: valgrind
    cannot map the server's default)."""
    clock = Clock()
    store = LayeredStore(tempfile.mkdtemp(prefix="cycle-"), map_size=map_size, sync=synchronous)
    factory = PostgresServerFactory(store, reactor=clock)
    client = Client(factory, clock)
    pairs = cstring("user") + cstring("orbit") + cstring("database") + cstring("actors") + b"\x00"
    startup = struct.pack("!ii", len(pairs) + 8, PROTOCOL_3_0) + pairs
    client.send(startup)
    for first in range(1, rows + 1, 1000):
        values = ", ".join(
            f"('user:{i}', 'type:{i % 100}', '{{\"balance\": {i}, \"name\": \"user {i}\"}}')"
            for i in range(first, min(first + 1000, rows + 1))
        )
        client.send(query(f"INSERT INTO actors VALUES {values}"))
    client.send(
        parse("point", POINT)
        + parse("type_select", TYPE_SELECT_EXTENDED)
        + parse("update", UPDATE)
        + parse("insert", INSERT)
        + SYNC
    )
    # As a second after loading: the rows in LMDB, no layer for reads to look through.
    factory.store.checkpoint()
    return client


# The peer: reads each length-prefixed reply whole, then answers with 40 bytes.
_PEER = """
import socket, struct, sys
conn = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
buffer = b""
while True:
    data = conn.recv(1 << 16)
    if not data:
        break
    buffer += data
    while len(buffer) >= 4:
        size = 4 + struct.unpack_from("!i", buffer)[0]
        if len(buffer) < size:
            break
        buffer = buffer[size:]
        conn.sendall(bytes(40))
"""


class Peer:
    """The far end of a loopback TCP connection, in a process of its own."""

    def __init__(self) -> None:
        listener = socket.create_server(("127.0.0.1", 0))
        # Another CPU than this process's, as pgbench has one of its own in the benchmark.
        mine = os.sched_getaffinity(0)
        others = sorted(set(range(os.cpu_count() or 1)) - mine) or sorted(mine)[1:]
        pin = ["taskset", "-c", str(others[0])] if others else []
        port = str(listener.getsockname()[1])
        self.process = subprocess.Popen([*pin, sys.executable, "-c", _PEER, port])
        self.conn, _ = listener.accept()
        listener.close()
        self.conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def exchange(self, reply: bytes) -> None:
        self.conn.sendall(struct.pack("!i", len(reply)) + reply)
        answer = b""
        while len(answer) < 40:
            chunk = self.conn.recv(40 - len(answer))
            if not chunk:
                raise SystemExit("the network peer closed the connection")
            answer += chunk

    def close(self) -> None:
        self.conn.close()
        self.process.wait()


def between_exchanges(client: Client, make: Callable[[int], bytes], first: int, count: int, peer: Peer | None) -> float:
    """CPU seconds per cycle, timed cycle by cycle (so alike with and without a ``peer``), with
    each reply sent to ``peer`` and its answer read between two cycles (not timed)."""
    spent = 0.0
    for data in [make(i) for i in range(first, first + count)]:
        started = time.process_time()
        reply = client.send(data)
        spent += time.process_time() - started
        if peer is not None:
            peer.exchange(reply)
    return spent / count


def measure(client: Client, make: Callable[[int], bytes], count: int, repeats: int) -> tuple[float, float]:
    """(best CPU seconds per cycle over ``repeats``, calls per cycle). Each batch numbers its
    cycles on from the last one's, so that an insert never repeats a key."""
    best = float("inf")
    for repeat in range(repeats):
        batch = [make(i) for i in range(repeat * count, (repeat + 1) * count)]
        started = time.process_time()
        for data in batch:
            client.send(data)
        best = min(best, (time.process_time() - started) / count)
    batch = [make(i) for i in range(repeats * count, (repeats + 1) * count)]
    profile = cProfile.Profile()
    profile.enable()
    for data in batch:
        client.send(data)
    profile.disable()
    return best, pstats.Stats(profile).total_calls / count  # type: ignore[attr-defined]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    known = cycles(1)
    parser.add_argument("cycle", nargs="*", default=list(known), help=f"any of {', '.join(known)} (all)")
    parser.add_argument("--cycles", type=int, default=2000, help="cycles per measurement (2000)")
    # More keys than the statement cache keeps exact texts of (4096), as pgbench's 100,000: a
    # simple Query's text is new each time, and the lexer cuts it.
    parser.add_argument("--rows", type=int, default=10_000, help="actors in the table (10000)")
    parser.add_argument("--repeats", type=int, default=5, help="timed repeats, the best counts (5)")
    parser.add_argument("--profile", action="store_true", help="also print the top functions by own time")
    parser.add_argument(
        "--network", action="store_true", help="also time each cycle alone and between loopback TCP exchanges"
    )
    parser.add_argument(
        "--synchronous-commit", choices=("on", "off"), default="on", help="sync the WAL at each commit (on)"
    )
    args = parser.parse_args(argv)
    unknown = [name for name in args.cycle if name not in known]
    if unknown:
        parser.error(f"unknown cycle {', '.join(unknown)}: choose from {', '.join(known)}")
    client = setup(args.rows, args.synchronous_commit == "on")
    made = cycles(args.rows)
    peer = Peer() if args.network else None
    network = f"  {'alone':>7}  {'networked':>9}  {'x':>5}" if peer else ""
    print(f"{'cycle':<20}  {'CPU µs/cycle':>12}  {'calls/cycle':>11}{network}")
    first = (args.repeats + 2) * 2 * max(args.cycles, 1)  # keys past the ones measure() uses
    for name in args.cycle:
        count = args.cycles if name != "aggregate" else max(1, args.cycles // 200)
        seconds, calls = measure(client, made[name], count, args.repeats)
        if peer is not None:
            # Alternated, the best of each: the machine's drift falls on both.
            alone, networked = float("inf"), float("inf")
            for _ in range(args.repeats):
                alone = min(alone, between_exchanges(client, made[name], first, count, None))
                networked = min(networked, between_exchanges(client, made[name], first + count, count, peer))
                first += 2 * count
            network = f"  {alone * 1e6:>7.1f}  {networked * 1e6:>9.1f}  {networked / alone:>5.2f}"
        print(f"{name:<20}  {seconds * 1e6:>12.1f}  {calls:>11.0f}{network}")
        if args.profile:
            profile = cProfile.Profile()
            profile.enable()
            for i in range((args.repeats + 1) * count, (args.repeats + 2) * count):
                client.send(made[name](i))
            profile.disable()
            out = io.StringIO()
            pstats.Stats(profile, stream=out).sort_stats("tottime").print_stats(10)
            print(out.getvalue())
    if peer is not None:
        peer.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
