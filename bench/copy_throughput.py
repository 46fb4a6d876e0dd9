"""COPY throughput, actors per second in and out, on orbit-pg beside PostgreSQL 15 (fsync on).

Each server gets the same actors through psycopg's ``cursor.copy()``: COPY FROM STDIN in the
text, CSV and binary formats (the table emptied before each), then COPY TO STDOUT of the whole
table in each format. The server's peak resident memory is sampled during the loads.

    python bench/copy_throughput.py [--actors 1000000] [--server both|orbit-pg|postgres]
"""

from __future__ import annotations

import argparse
import itertools
import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import psycopg

from orbit_pg.testing import OrbitServer, ThrowawayPostgres

POSTGRES_SCHEMA = (
    "CREATE TABLE actors (actor_id text PRIMARY KEY, actor_type text NOT NULL, state jsonb);"
    " CREATE INDEX ON actors(actor_type);"
)
FORMATS = ("text", "csv", "binary")
CHUNK_ROWS = 1000


def actors(count: int) -> Iterator[tuple[str, str, dict[str, object]]]:
    for i in range(count):
        yield f"user:{i:08}", f"type{i % 100}", {"n": i, "name": f"actor {i}", "tags": ["a", "b"]}


def line(row: tuple[str, str, dict[str, object]], fmt: str) -> str:
    state = json.dumps(row[2])
    if fmt == "csv":
        quoted = '"' + state.replace('"', '""') + '"'
        return f"{row[0]},{row[1]},{quoted}\n"
    return f"{row[0]}\t{row[1]}\t{state}\n"


def copy_in(dsn: str, count: int, fmt: str) -> float:
    with psycopg.connect(dsn, autocommit=True) as conn, conn.cursor() as cur:
        cur.execute("DELETE FROM actors")
        started = time.perf_counter()
        with cur.copy(f"COPY actors FROM STDIN (FORMAT {fmt})") as copy:
            if fmt == "binary":
                copy.set_types(["text", "text", "jsonb"])
                for row in actors(count):
                    copy.write_row(row)
            else:  # psycopg's write_row speaks the text format only: write CSV lines ourselves
                lines = (line(row, fmt) for row in actors(count))
                for chunk in iter(lambda: "".join(itertools.islice(lines, CHUNK_ROWS)).encode(), b""):
                    copy.write(chunk)
        took = time.perf_counter() - started
        assert cur.statusmessage == f"COPY {count}", cur.statusmessage
    return count / took


def copy_out(dsn: str, count: int, fmt: str) -> float:
    with psycopg.connect(dsn, autocommit=True) as conn, conn.cursor() as cur:
        started = time.perf_counter()
        size = 0
        with cur.copy(f"COPY actors TO STDOUT (FORMAT {fmt})") as copy:
            for data in copy:
                size += len(data)
        took = time.perf_counter() - started
        assert size > 0
    return count / took


@contextmanager
def peak_rss(pid: Callable[[], int | None]) -> Iterator[Callable[[], int]]:
    """Samples the server's resident memory (kB) every 50 ms until closed."""
    peak = [0]
    stop = threading.Event()

    def sample() -> None:
        while not stop.wait(0.05):
            process = pid()
            if process is None:
                continue
            try:
                with open(f"/proc/{process}/status") as status:
                    for line in status:
                        if line.startswith("VmRSS:"):
                            peak[0] = max(peak[0], int(line.split()[1]))
            except OSError:
                pass

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    try:
        yield lambda: peak[0]
    finally:
        stop.set()
        thread.join()


def measure(name: str, dsn: str, count: int, pid: Callable[[], int | None]) -> None:
    for fmt in FORMATS:
        with peak_rss(pid) as peak:
            rate = copy_in(dsn, count, fmt)
        print(f"{name:10} COPY FROM {fmt:6} {rate:10,.0f} actors/s   peak RSS {peak() / 1024:7.0f} MB", flush=True)
    for fmt in FORMATS:
        rate = copy_out(dsn, count, fmt)
        print(f"{name:10} COPY TO   {fmt:6} {rate:10,.0f} actors/s", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--actors", type=int, default=1_000_000)
    parser.add_argument("--server", choices=("both", "orbit-pg", "postgres"), default="both")
    args = parser.parse_args()
    if args.server in ("both", "orbit-pg"):
        with OrbitServer() as server:
            measure("orbit-pg", server.dsn, args.actors, lambda: server.pid)
    if args.server in ("both", "postgres"):
        with ThrowawayPostgres(fsync=True) as pg:
            with psycopg.connect(pg.dsn, autocommit=True) as conn:
                conn.execute(POSTGRES_SCHEMA)
            measure("PostgreSQL", pg.dsn, args.actors, lambda: None)


if __name__ == "__main__":
    main()
