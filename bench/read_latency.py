"""Point-select latency under a write load: one client's reads while pgbench writes, on orbit-pg and
on PostgreSQL 15.

Throughput alone hides what a write load does to everybody else: orbit-pg serves every connection
from one reactor, and writes a group commit there while its flushes are fast (commit.py), so a
read waits for the statements and the flush ahead of it. Here pgbench runs a write workload of
``bench/pgbench_workloads.py`` (8 clients, pinned as there), and one more client, on pgbench's
core, reads one random actor by key every 2 ms and times each round trip.

    python bench/read_latency.py [--workload update|insert] [--mode simple|extended|prepared]
                                 [--duration 10] [--actors 100000] [--server both|orbit-pg|postgres]
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
from contextlib import AbstractContextManager
from pathlib import Path

import psycopg
from pgbench_workloads import (
    MODES,
    POSTGRES_SCHEMA,
    BenchError,
    Pinning,
    load,
    pgbench_command,
    pgbench_tps,
    prepare_run,
)

from orbit_pg.testing import OrbitServer, ServerError, ThrowawayPostgres

CLIENTS = 8
PAUSE = 0.002  # seconds between two reads: a light reader beside the load
QUANTILES = (0.5, 0.9, 0.99)


def measure(name: str, server: OrbitServer | ThrowawayPostgres, args: argparse.Namespace, work: Path) -> str:
    """Load the actors, run pgbench and the reader together; one line of figures."""
    pinning = Pinning.choose(True)
    load(name, server.dsn, args.actors, POSTGRES_SCHEMA if isinstance(server, ThrowawayPostgres) else None)
    run = prepare_run(work, args.workload, args.mode, CLIENTS, args)
    command = pgbench_command(run, server.dsn, pinning)
    if pinning.client_cpu:
        os.sched_setaffinity(0, {int(pinning.client_cpu)})  # the reader beside pgbench, off the server's core
    latencies: list[float] = []
    with psycopg.connect(server.dsn, autocommit=True) as conn:
        with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) as writers:
            time.sleep(1)  # pgbench's connections are up
            end = time.monotonic() + args.duration - 2
            while time.monotonic() < end:
                key = f"user:{random.randint(1, args.actors)}"
                started = time.perf_counter()
                conn.execute("SELECT * FROM actors WHERE actor_id = %s", (key,)).fetchall()
                latencies.append(time.perf_counter() - started)
                time.sleep(PAUSE)
            stdout, stderr = writers.communicate()
    tps = pgbench_tps(name, command, writers.returncode, stdout, stderr)
    latencies.sort()
    shown = "  ".join(f"{1000 * latencies[int(q * (len(latencies) - 1))]:>6.2f}" for q in QUANTILES)
    return f"{name:<12}  {tps:>10,.0f}  {len(latencies):>6}  {shown}  {1000 * latencies[-1]:>7.1f}"


def servers(choice: str) -> list[tuple[str, AbstractContextManager[OrbitServer | ThrowawayPostgres]]]:
    cpu = Pinning.choose(True).server_cpu
    found: list[tuple[str, AbstractContextManager[OrbitServer | ThrowawayPostgres]]] = []
    if choice in ("both", "orbit-pg"):
        found.append(("orbit-pg", OrbitServer(cpus=cpu)))
    if choice in ("both", "postgres"):
        reason = ThrowawayPostgres.available()
        if reason is not None:
            print(f"PostgreSQL: skipped: {reason}")
        else:
            found.append(("PostgreSQL", ThrowawayPostgres(fsync=True, cpus=cpu)))
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workload", choices=["update", "insert"], default="update", help="the write load (update)")
    parser.add_argument("--mode", choices=MODES, default="prepared", help="pgbench -M for the writers (prepared)")
    parser.add_argument("--duration", type=int, default=10, help="seconds of load per server (10)")
    parser.add_argument("--actors", type=int, default=100_000, help="actors loaded first (100000)")
    parser.add_argument("--server", choices=["both", "orbit-pg", "postgres"], default="both")
    args = parser.parse_args(argv)
    if args.duration < 4 or args.actors < 1:
        parser.error("--duration must be at least 4 and --actors positive")
    args.slices = 1  # (prepare_run's: one pgbench run per server)
    lines = []
    try:
        with tempfile.TemporaryDirectory(prefix="latency-") as work:
            for name, server in servers(args.server):
                with server as running:
                    lines.append(measure(name, running, args, Path(work)))
    except (BenchError, ServerError, psycopg.Error) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(
        f"\n{args.workload} -M {args.mode}, {CLIENTS} writers, {args.duration}s; one reader every {PAUSE * 1000:g} ms"
    )
    print(
        f"{'server':<12}  {'write tps':>10}  {'reads':>6}  {'p50 ms':>6}  {'p90 ms':>6}  {'p99 ms':>6}  {'max ms':>7}"
    )
    for line in lines:
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
