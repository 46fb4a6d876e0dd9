"""Point-select throughput of orbit-pg beside PostgreSQL 15, measured by pgbench.

Both servers get the same actors, the same pgbench script and the same CPU: pgbench is pinned to
one core and the server to another, so the figures compare servers, not scheduling luck.
PostgreSQL keeps fsync on, as a real deployment would.

    python bench/pgbench_point_select.py [--actors 100000] [--duration 10] [--clients 1 8]
                                         [--mode simple|extended|prepared ...] [--no-pin]
                                         [--server both|orbit-pg|postgres]
"""

from __future__ import annotations

import argparse
import io
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import psycopg

from orbit_pg.testing import OrbitServer, ServerError, ThrowawayPostgres, pg_bin_dir

BATCH_ROWS = 500
ID_PREFIX = "user:"
TPS_LINE = re.compile(r"^tps = ([0-9.]+) \(without initial connection time\)$", re.MULTILINE)

# pgbench replaces ``:name`` by plain text search, inside quotes too, and \set makes only numbers.
# In simple mode, a string variable given with -D supplies the prefix: ':prefix:id' -> 'user:42'.
# In extended and prepared modes every ``:name`` becomes a bind parameter, even inside quotes
# (the quoted form would send two parameters to a statement with none), so the key is built by
# the server with ``||``.
SCRIPTS = {
    "simple": "\\set id random(1, {actors})\nSELECT * FROM actors WHERE actor_id = ':prefix:id';\n",
    "extended": "\\set id random(1, {actors})\nSELECT * FROM actors WHERE actor_id = '{prefix}' || :id;\n",
}
SCRIPTS["prepared"] = SCRIPTS["extended"]

POSTGRES_SCHEMA = (
    "CREATE TABLE actors (actor_id text PRIMARY KEY, actor_type text NOT NULL, state jsonb);"
    " CREATE INDEX ON actors(actor_type);"
)


class BenchError(Exception):
    """A step failed; the message is what the user needs to see."""


def insert_statements(actors: int) -> Iterator[str]:
    """Multi-row INSERTs as literal SQL, so that psycopg sends them as simple queries."""
    for first in range(1, actors + 1, BATCH_ROWS):
        rows = ", ".join(
            f"('{ID_PREFIX}{i}', 'user', '{{\"balance\": 100, \"name\": \"user {i}\"}}')"
            for i in range(first, min(first + BATCH_ROWS, actors + 1))
        )
        yield f"INSERT INTO actors (actor_id, actor_type, state) VALUES {rows}"


def load(name: str, dsn: str, actors: int, schema: str | None) -> None:
    """Create (when asked) and fill the actors table, then check a row can be read back."""
    started = time.perf_counter()
    # prepare_threshold=None: every statement goes out once as a simple query, never prepared.
    with psycopg.connect(dsn, autocommit=True, prepare_threshold=None) as conn:
        if schema is not None:
            conn.execute(schema)
        for statement in insert_statements(actors):
            conn.execute(statement)
        elapsed = time.perf_counter() - started
        last = f"{ID_PREFIX}{actors}"
        rows = conn.execute(f"SELECT * FROM actors WHERE actor_id = '{last}'").fetchall()
        if schema is not None:
            conn.execute("ANALYZE actors")
    if len(rows) != 1 or rows[0][0] != last:
        raise BenchError(f"{name}: reading back {last!r} gave {rows!r}")
    print(f"{name}: loaded {actors} actors in {elapsed:.1f}s ({actors / elapsed:,.0f} rows/s)")


def pgbench_path() -> str:
    """pgbench of the same release as the reference server, else whatever is on PATH."""
    candidate = pg_bin_dir() / "pgbench"
    if os.access(candidate, os.X_OK):
        return str(candidate)
    found = shutil.which("pgbench")
    if found is None:
        raise BenchError(f"pgbench not found in {pg_bin_dir()} or on PATH")
    return found


def run_pgbench(
    name: str,
    dsn: str,
    script: Path,
    clients: int,
    threads: int,
    args: argparse.Namespace,
    client_cpu: str | None,
    mode: str,
) -> float:
    """Run pgbench once and return its tps without connection time."""
    command = [
        *(["taskset", "-c", client_cpu] if client_cpu else []),
        pgbench_path(),
        "-n",
        "-f",
        str(script),
        "-M",
        mode,
        "-c",
        str(clients),
        "-j",
        str(threads),
        "-T",
        str(args.duration),
        "-D",
        f"prefix={ID_PREFIX}",
        dsn,  # pgbench expands a connection string given as the database name
    ]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    match = TPS_LINE.search(result.stdout)
    if result.returncode != 0 or match is None:
        raise BenchError(
            f"{name}: pgbench -c {clients} failed with code {result.returncode}\n"
            f"command: {' '.join(command)}\n--- stderr ---\n{result.stderr}"
            f"--- stdout ---\n{result.stdout}"
        )
    tps = float(match.group(1))
    print(f"{name}: -M {mode}, {clients} clients: {tps:,.1f} tps")
    return tps


def pinning(no_pin: bool) -> tuple[str | None, str | None]:
    """CPU for pgbench and CPU for the server, or (None, None) when pinning is off or impossible."""
    cpus = sorted(os.sched_getaffinity(0))
    if no_pin or shutil.which("taskset") is None or len(cpus) < 2:
        return None, None
    return str(cpus[0]), str(cpus[1])


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--actors", type=int, default=100_000, help="rows to load (100000)")
    parser.add_argument("--duration", type=int, default=10, help="seconds per pgbench run (10)")
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 8], help="(1 8)")
    parser.add_argument(
        "--mode", choices=sorted(SCRIPTS), nargs="+", default=["simple"], help="pgbench -M, one or more (simple)"
    )
    parser.add_argument("--no-pin", action="store_true", help="do not pin with taskset")
    parser.add_argument(
        "--server",
        choices=["both", "orbit-pg", "postgres"],
        default="both",
        help="which servers to measure (both)",
    )
    args = parser.parse_args()
    if args.actors < 1 or args.duration < 1 or min(args.clients) < 1:
        parser.error("--actors, --duration and --clients must be positive")
    return args


Figures = dict[tuple[str, int], float]


def print_table(modes: list[str], clients: list[int], orbit: Figures, postgres: Figures) -> None:
    print()
    print(f"{'mode':>8}  {'clients':>7}  {'orbit-pg tps':>12}  {'PostgreSQL tps':>14}  {'ratio':>6}")
    for mode in modes:
        for count in clients:
            orbit_tps, pg_tps = orbit.get((mode, count)), postgres.get((mode, count))
            ratio = f"{orbit_tps / pg_tps:.3f}" if orbit_tps and pg_tps else "-"
            print(
                f"{mode:>8}  {count:>7}  {f'{orbit_tps:,.1f}' if orbit_tps else '-':>12}"
                f"  {f'{pg_tps:,.1f}' if pg_tps else '-':>14}  {ratio:>6}"
            )


def main() -> int:
    args = parse_args()
    if isinstance(sys.stdout, io.TextIOWrapper):
        sys.stdout.reconfigure(line_buffering=True)  # progress shows at once, and before any error
    client_cpu, server_cpu = pinning(args.no_pin)
    print(
        f"point select: {args.actors} actors, {args.duration}s per run, -M {' '.join(args.mode)}, "
        + (f"pgbench on CPU {client_cpu}, servers on CPU {server_cpu}" if client_cpu else "unpinned")
    )
    orbit: Figures = {}
    postgres: Figures = {}
    with tempfile.TemporaryDirectory(prefix="bench-") as work:
        scripts = {}
        for mode in args.mode:
            scripts[mode] = Path(work) / f"point_select_{mode}.sql"
            scripts[mode].write_text(SCRIPTS[mode].format(actors=args.actors, prefix=ID_PREFIX))

        def measure(name: str, dsn: str, schema: str | None, figures: Figures) -> None:
            load(name, dsn, args.actors, schema)
            for mode in args.mode:
                for clients in args.clients:
                    threads = 1 if client_cpu else min(clients, len(os.sched_getaffinity(0)))
                    figures[mode, clients] = run_pgbench(
                        name, dsn, scripts[mode], clients, threads, args, client_cpu, mode
                    )

        try:
            if args.server in ("both", "orbit-pg"):
                with OrbitServer(cpus=server_cpu) as server:
                    try:
                        measure("orbit-pg", server.dsn, None, orbit)
                    except (BenchError, psycopg.Error) as exc:
                        raise BenchError(
                            f"{exc}\n--- orbit-pg log (last 4000 chars) ---\n{server.log_text()[-4000:]}"
                        ) from exc
            if args.server in ("both", "postgres"):
                reason = ThrowawayPostgres.available()
                if reason is None:
                    with ThrowawayPostgres(fsync=True, cpus=server_cpu) as pg:
                        measure("PostgreSQL", pg.dsn, POSTGRES_SCHEMA, postgres)
                else:
                    print(f"PostgreSQL: skipped: {reason}")
        except (BenchError, ServerError, psycopg.Error) as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
    print_table(args.mode, args.clients, orbit, postgres)
    return 0


if __name__ == "__main__":
    sys.exit(main())
