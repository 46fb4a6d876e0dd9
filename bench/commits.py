"""Commits per second of single-statement transactions: orbit-pg with and without group commit
and with --synchronous-commit off, beside PostgreSQL 15 with synchronous_commit on and off.

Each client runs pgbench's autocommitted ``UPDATE ... WHERE actor_id = <random of --actors>``, so
every transaction is one commit; rows rarely collide, so the figures measure commits, not locks.

    python bench/commits.py [--clients 1 8] [--duration 5] [--actors 1000]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from pgbench_workloads import POSTGRES_SCHEMA, load, pgbench_path, pgbench_tps, update

from orbit_pg.testing import OrbitServer, ThrowawayPostgres

# name → (orbit-pg arguments, or None for PostgreSQL; PGOPTIONS for the clients)
SETUPS: dict[str, tuple[list[str] | None, str]] = {
    "orbit-pg, group commit": ([], ""),
    "orbit-pg, no group commit": (["--commit-group-size", "1"], ""),
    "orbit-pg, synchronous_commit off": (["--synchronous-commit", "off"], ""),
    "PostgreSQL 15, synchronous_commit on": (None, ""),
    "PostgreSQL 15, synchronous_commit off": (None, "-c synchronous_commit=off"),
}


@contextmanager
def server(orbit_args: list[str] | None) -> Iterator[tuple[str, bool]]:
    """A started server: its DSN, and whether it needs the actors table created."""
    if orbit_args is None:
        with ThrowawayPostgres() as postgres:
            yield f"host=127.0.0.1 port={postgres.port} user=postgres dbname=postgres", True
    else:
        with OrbitServer(extra_args=orbit_args) as orbit:
            yield orbit.dsn, False


def commits_per_second(dsn: str, script: Path, clients: int, duration: int, pgoptions: str) -> float:
    command = [
        pgbench_path(),
        "-n",
        "-f",
        str(script),
        "-c",
        str(clients),
        "-j",
        str(min(clients, 2)),
        "-T",
        str(duration),
        "-D",
        "prefix=user:",
        dsn,
    ]
    env = dict(os.environ, PGOPTIONS=pgoptions)
    result = subprocess.run(command, capture_output=True, text=True, check=False, env=env)
    return pgbench_tps("pgbench", command, result.returncode, result.stdout, result.stderr)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 8])
    parser.add_argument("--duration", type=int, default=5)
    parser.add_argument("--actors", type=int, default=1000)
    args = parser.parse_args()
    results: dict[str, dict[int, float]] = {}
    with tempfile.TemporaryDirectory() as work:
        script = Path(work) / "commit.sql"
        script.write_text(update("simple", args.actors, "user:"))
        for name, (orbit_args, pgoptions) in SETUPS.items():
            with server(orbit_args) as (dsn, create):
                load(name, dsn, args.actors, POSTGRES_SCHEMA if create else None)
                results[name] = {}
                for clients in args.clients:
                    tps = commits_per_second(dsn, script, clients, args.duration, pgoptions)
                    results[name][clients] = tps
                    print(f"{name}, {clients} clients: {tps:,.0f} commits/s", flush=True)
    print()
    print("| setup | " + " | ".join(f"{c} clients" for c in args.clients) + " |")
    print("| --- |" + " ---: |" * len(args.clients))
    for name, by_clients in results.items():
        print(f"| {name} | " + " | ".join(f"{by_clients[c]:,.0f}" for c in args.clients) + " |")


if __name__ == "__main__":
    main()
