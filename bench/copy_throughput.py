"""COPY throughput, actors per second in and out, on orbit-pg beside PostgreSQL 15 (fsync on).

Each server gets the same actors through psycopg's ``cursor.copy()``: COPY FROM STDIN in the
text, CSV and binary formats (the table emptied before each), then COPY TO STDOUT of the whole
table in each format. The server's memory (RssAnon, the heap; VmRSS, which also counts the
LMDB file pages it maps) is sampled before, during and after each load.

    python bench/copy_throughput.py [--actors 1000000] [--server both|orbit-pg|postgres] [--formats text,csv,binary]
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


def memory(pid: int) -> dict[str, int]:
    """The process's VmRSS and RssAnon (heap, not mapped LMDB file pages), in kB."""
    try:
        with open(f"/proc/{pid}/status") as status:
            fields = dict(line.split(":", 1) for line in status if line.startswith(("VmRSS:", "RssAnon:")))
    except OSError:
        return {}
    return {name: int(value.split()[0]) for name, value in fields.items()}


@contextmanager
def peak_rss(pid: Callable[[], int | None]) -> Iterator[dict[str, int]]:
    """Samples the server's memory every 50 ms until closed: before, peak and after, in kB."""
    process = pid()
    before = memory(process) if process is not None else {}
    peak: dict[str, int] = dict(before)
    stop = threading.Event()

    def sample() -> None:
        while not stop.wait(0.05):
            process = pid()
            for name, value in (memory(process) if process is not None else {}).items():
                peak[name] = max(peak.get(name, 0), value)

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    figures: dict[str, int] = {}
    try:
        yield figures
    finally:
        stop.set()
        thread.join()
        after = memory(process) if process is not None else {}
        for name in before:
            figures.update({f"{name} before": before[name], f"{name} peak": peak[name], f"{name} after": after[name]})


def measure(name: str, dsn: str, count: int, pid: Callable[[], int | None], formats: list[str]) -> None:
    for fmt in formats:
        with peak_rss(pid) as figures:
            rate = copy_in(dsn, count, fmt)
        shown = ""
        if figures:
            for kind in ("RssAnon", "VmRSS"):
                sizes = " → ".join(str(figures[f"{kind} {when}"] // 1024) for when in ("before", "peak", "after"))
                shown += f"   {kind} {sizes} MB"
        print(f"{name:10} COPY FROM {fmt:6} {rate:10,.0f} actors/s{shown}", flush=True)
    for fmt in formats:
        rate = copy_out(dsn, count, fmt)
        print(f"{name:10} COPY TO   {fmt:6} {rate:10,.0f} actors/s", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--actors", type=int, default=1_000_000)
    parser.add_argument("--server", choices=("both", "orbit-pg", "postgres"), default="both")
    parser.add_argument("--formats", default=",".join(FORMATS), help="comma-separated: text, csv, binary")
    args = parser.parse_args()
    formats = args.formats.split(",")
    if args.server in ("both", "orbit-pg"):
        with OrbitServer() as server:
            measure("orbit-pg", server.dsn, args.actors, lambda: server.pid, formats)
    if args.server in ("both", "postgres"):
        with ThrowawayPostgres(fsync=True) as pg:
            with psycopg.connect(pg.dsn, autocommit=True) as conn:
                conn.execute(POSTGRES_SCHEMA)
            measure("PostgreSQL", pg.dsn, args.actors, lambda: None, formats)


if __name__ == "__main__":
    main()
