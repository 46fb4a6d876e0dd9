"""pgbench workloads on orbit-pg beside PostgreSQL 15: point selects, updates, inserts, selects by type.

Both servers get the same actors, the same pgbench scripts and the same CPUs: by default pgbench is
pinned to one core and the server to another, so the figures compare servers, not scheduling luck.
PostgreSQL keeps fsync on, as a real deployment would. For orbit-pg each run also shows how often its
statement cache hit (SHOW orbitpg.statement_cache before and after the run).

Both servers run side by side, and each run on orbit-pg is followed at once by the same run on
PostgreSQL, so that on a shared machine a row's two figures see the same load. The host's speed
still drifts within seconds, for one server's run and not the other's; ``--slices N`` cuts each
run into N slices taken in turn (orbit-pg, PostgreSQL, orbit-pg, ...), so that drift falls on
both, and shows the lowest and highest ratio of one pair of slices. The defaults (6 workloads x
3 modes x 2 client counts x 2 servers x 10 s, plus loading 100,000 actors into each server) take
about 9 minutes; --pin both takes twice as long.

orbit-pg's figures are its interpreter's as much as its own: ``--server-python`` runs it on another
(one with orbit-pg installed). A CPython built without PGO and LTO (pyenv's default) runs the same
cycle in ~12% more instructions than Debian's /usr/bin/python3 (docs/performance.md, session 11).

    python bench/pgbench_workloads.py [--workloads NAME ...] [--mode MODE ...] [--clients 1 8]
                                      [--duration 10] [--slices 1] [--actors 100000]
                                      [--pin on|off|both] [--server both|orbit-pg|postgres]
                                      [--server-python PATH]
    python bench/pgbench_workloads.py --profile point_select:simple [--duration 10] [--actors N]
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
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import ExitStack, closing, contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

import psycopg

from orbit_pg.testing import OrbitServer, ServerError, ThrowawayPostgres, pg_bin_dir

BATCH_ROWS = 500
ID_PREFIX = "user:"
ACTOR_TYPES = 100
MODES = ("simple", "extended", "prepared")
PROFILE_CLIENTS = 8
TOP_FUNCTIONS = 15
SAMPLE_RATE = 100  # py-spy samples per second
TPS_LINE = re.compile(r"^tps = ([0-9.]+) \(without initial connection time\)$", re.MULTILINE)
CACHE_COUNTER = re.compile(r"(\w+)=(\d+)")

POSTGRES_SCHEMA = (
    "CREATE TABLE actors (actor_id text PRIMARY KEY, actor_type text NOT NULL, state jsonb);"
    " CREATE INDEX ON actors(actor_type);"
)


class BenchError(Exception):
    """A step failed; the message is what the user needs to see."""


def key_sql(mode: str, prefix: str, *variables: str) -> str:
    """SQL for a text made of ``prefix`` and pgbench variables joined by '-', valid in ``mode``.

    pgbench replaces ``:name`` by plain text search, inside quotes too, and \\set makes only numbers.
    In simple mode the text is substituted, and the prefix comes from ``-D prefix=`` because a literal
    'user::id' would read as a cast and stay as it is. In extended and prepared modes every ``:name``
    becomes a bind parameter, even inside quotes, so the server builds the text with ``||``.
    """
    if mode == "simple":
        return "':prefix" + "-".join(f":{name}" for name in variables) + "'"
    return f"'{prefix}' || " + " || '-' || ".join(f":{name}" for name in variables)


def point_select(mode: str, actors: int, prefix: str) -> str:
    return f"\\set id random(1, {actors})\nSELECT * FROM actors WHERE actor_id = {key_sql(mode, prefix, 'id')};\n"


def update(mode: str, actors: int, prefix: str) -> str:
    """A whole new state, as an actor's write does; in extended modes built as text, then cast."""
    state = "'{\"balance\": :balance}'" if mode == "simple" else "('{\"balance\": ' || :balance || '}')::jsonb"
    return (
        f"\\set id random(1, {actors})\n\\set balance random(0, 1000000)\n"
        f"UPDATE actors SET state = {state} WHERE actor_id = {key_sql(mode, prefix, 'id')};\n"
    )


def insert(mode: str, actors: int, prefix: str) -> str:
    """Keys from the run's prefix, the client and a per-client counter (-D seq=0): none collide."""
    return (
        "\\set seq :seq + 1\nINSERT INTO actors (actor_id, actor_type, state)"
        f" VALUES ({key_sql(mode, prefix, 'client_id', 'seq')}, 'new', '{{\"balance\": 0}}');\n"
    )


def type_select(mode: str, actors: int, prefix: str) -> str:
    return (
        f"\\set k random(0, {ACTOR_TYPES - 1})\n"
        f"SELECT * FROM actors WHERE actor_type = {key_sql(mode, prefix, 'k')} LIMIT 10;\n"
    )


def type_limit(mode: str, actors: int, prefix: str) -> str:
    """A type-filtered select in key order with LIMIT: the type index, then the first ten keys."""
    return (
        f"\\set k random(0, {ACTOR_TYPES - 1})\n"
        f"SELECT actor_id, state->>'balance' FROM actors WHERE actor_type = {key_sql(mode, prefix, 'k')}"
        " ORDER BY actor_id LIMIT 10;\n"
    )


def aggregate(mode: str, actors: int, prefix: str) -> str:
    """An aggregate over every actor: a whole-table scan, grouped by type."""
    return (
        "SELECT actor_type, count(*), sum((state->>'balance')::int), max(actor_id) FROM actors"
        " GROUP BY actor_type ORDER BY count(*) DESC LIMIT 5;\n"
    )


@dataclass(frozen=True)
class Workload:
    """A pgbench script (from mode, actors and key prefix) and the key prefix for one run of it."""

    script: Callable[[str, int, str], str]
    prefix: Callable[[], str]


WORKLOADS = {
    "point_select": Workload(point_select, lambda: ID_PREFIX),
    "update": Workload(update, lambda: ID_PREFIX),
    "insert": Workload(insert, lambda: f"new-{uuid.uuid4().hex[:12]}-"),  # fresh keys in every run
    "type_select": Workload(type_select, lambda: "type:"),
    "type_limit": Workload(type_limit, lambda: "type:"),
    "aggregate": Workload(aggregate, lambda: ID_PREFIX),
}


def insert_statements(actors: int) -> Iterator[str]:
    """Multi-row INSERTs as literal SQL, so that psycopg sends them as simple queries."""
    for first in range(1, actors + 1, BATCH_ROWS):
        rows = ", ".join(
            f"('{ID_PREFIX}{i}', 'type:{i % ACTOR_TYPES}', '{{\"balance\": 100, \"name\": \"user {i}\"}}')"
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


@dataclass(frozen=True)
class Pinning:
    """CPU for pgbench and CPU for the server; None for both when runs are not pinned."""

    client_cpu: str | None
    server_cpu: str | None

    @classmethod
    def choose(cls, pinned: bool) -> Pinning:
        cpus = sorted(os.sched_getaffinity(0))
        if not pinned or shutil.which("taskset") is None or len(cpus) < 2:
            return cls(None, None)
        return cls(str(cpus[0]), str(cpus[1]))

    def describe(self) -> str:
        if self.client_cpu is None:
            return "unpinned"
        return f"pinned: pgbench on CPU {self.client_cpu}, servers on CPU {self.server_cpu}"

    def threads(self, clients: int) -> int:
        """pgbench -j: one thread on its one core, else a thread per client up to the cores there are."""
        return 1 if self.client_cpu else min(clients, len(os.sched_getaffinity(0)))


@dataclass(frozen=True)
class Run:
    """One pgbench invocation: which workload, how, and where its script is."""

    workload: str
    mode: str
    clients: int
    duration: int
    script: Path
    prefix: str


def prepare_run(work: Path, workload: str, mode: str, clients: int, args: argparse.Namespace) -> Run:
    """Write the script for one run, or one slice of it (insert needs a new key prefix each time)."""
    spec = WORKLOADS[workload]
    prefix = spec.prefix()
    script = work / f"{workload}_{mode}_{clients}.sql"
    script.write_text(spec.script(mode, args.actors, prefix))
    return Run(workload, mode, clients, args.duration // args.slices, script, prefix)


def pgbench_command(run: Run, dsn: str, pinning: Pinning) -> list[str]:
    return [
        *(["taskset", "-c", pinning.client_cpu] if pinning.client_cpu else []),
        pgbench_path(),
        "-n",
        "-f",
        str(run.script),
        "-M",
        run.mode,
        "-c",
        str(run.clients),
        "-j",
        str(pinning.threads(run.clients)),
        "-T",
        str(run.duration),
        "-D",
        f"prefix={run.prefix}",
        "-D",
        "seq=0",  # insert's per-client counter
        dsn,  # pgbench expands a connection string given as the database name
    ]


def pgbench_tps(name: str, command: list[str], returncode: int, stdout: str, stderr: str) -> float:
    """tps without connection time, or BenchError with everything pgbench said."""
    match = TPS_LINE.search(stdout)
    if returncode != 0 or match is None:
        raise BenchError(
            f"{name}: pgbench failed with code {returncode}\ncommand: {' '.join(command)}\n"
            f"--- stderr ---\n{stderr}--- stdout ---\n{stdout}"
        )
    return float(match.group(1))


def run_pgbench(name: str, dsn: str, run: Run, pinning: Pinning) -> float:
    command = pgbench_command(run, dsn, pinning)
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    tps = pgbench_tps(name, command, result.returncode, result.stdout, result.stderr)
    print(f"{name}: {run.workload} -M {run.mode}, {run.clients} clients: {tps:,.1f} tps")
    return tps


class CacheProbe:
    """orbit-pg's statement cache counters around a run, less the lookups of the probe's own SHOW."""

    def __init__(self, dsn: str) -> None:
        self.conn = psycopg.connect(dsn, autocommit=True, prepare_threshold=None)
        first = self.counters()
        self.own = self.counters() - first  # the second SHOW costs what every later one does

    def counters(self) -> Counter[str]:
        row = self.conn.execute("SHOW orbitpg.statement_cache").fetchone()
        text = "" if row is None else str(row[0])
        counters = Counter({name: int(value) for name, value in CACHE_COUNTER.findall(text)})
        if "hits" not in counters:
            raise BenchError(f"orbit-pg: SHOW orbitpg.statement_cache gave {text!r}")
        return counters

    def close(self) -> None:
        self.conn.close()


def hit_rate(delta: Counter[str], hits: str, misses: str) -> str:
    """'97.5% of 1234' (lookups in the run), or '-' when the run made none."""
    lookups = delta[hits] + delta[misses]
    return f"{100 * delta[hits] / lookups:.1f}% of {lookups}" if lookups else "-"


@dataclass
class Row:
    orbit_tps: float | None = None
    postgres_tps: float | None = None
    parse_hits: str = "-"
    plan_hits: str = "-"
    slice_ratios: str = "-"  # the lowest and highest ratio of one slice pair (--slices)


Results = dict[tuple[str, str, int], Row]


@contextmanager
def orbit_pg(pinning: Pinning, python: str) -> Iterator[OrbitServer]:
    """A running orbit-pg on the interpreter ``python``; a failure while it runs carries the end
    of its log."""
    with OrbitServer(cpus=pinning.server_cpu, python=python) as server:
        try:
            yield server
        except (BenchError, psycopg.Error) as exc:
            raise BenchError(f"{exc}\n--- orbit-pg log (last 4000 chars) ---\n{server.log_text()[-4000:]}") from exc


def runs(args: argparse.Namespace) -> Iterator[tuple[str, str, int]]:
    for workload in args.workloads:
        for mode in args.mode:
            for clients in args.clients:
                yield workload, mode, clients


def bench(args: argparse.Namespace, pinning: Pinning, work: Path) -> Results:
    """Both servers up and loaded, then each run on orbit-pg and at once on PostgreSQL: on a
    machine others share, the two figures of a row see the same load."""
    print(f"orbit-pg on {args.server_python}: Python {interpreter_version(args.server_python)}")
    print(
        f"{args.actors} actors, {args.duration}s per run in {args.slices} slice(s), "
        f"workloads {' '.join(args.workloads)}, "
        f"-M {' '.join(args.mode)}, clients {' '.join(map(str, args.clients))}, {pinning.describe()}"
    )
    results: Results = {key: Row() for key in runs(args)}
    with ExitStack() as stack:
        orbit = postgres = probe = None
        if args.server in ("both", "orbit-pg"):
            orbit = stack.enter_context(orbit_pg(pinning, args.server_python))
            load("orbit-pg", orbit.dsn, args.actors, None)
            probe = stack.enter_context(closing(CacheProbe(orbit.dsn)))
        if args.server in ("both", "postgres"):
            reason = ThrowawayPostgres.available()
            if reason is not None:
                print(f"PostgreSQL: skipped: {reason}")
            else:
                postgres = stack.enter_context(ThrowawayPostgres(fsync=True, cpus=pinning.server_cpu))
                load("PostgreSQL", postgres.dsn, args.actors, POSTGRES_SCHEMA)
        for key in runs(args):
            row = results[key]
            orbit_tps: list[float] = []
            postgres_tps: list[float] = []
            delta: Counter[str] = Counter()
            for _ in range(args.slices):
                if orbit is not None and probe is not None:
                    before = probe.counters()
                    orbit_tps.append(run_pgbench("orbit-pg", orbit.dsn, prepare_run(work, *key, args), pinning))
                    delta += probe.counters() - before - probe.own
                if postgres is not None:
                    postgres_tps.append(run_pgbench("PostgreSQL", postgres.dsn, prepare_run(work, *key, args), pinning))
            row.orbit_tps = mean(orbit_tps)
            row.postgres_tps = mean(postgres_tps)
            row.parse_hits = hit_rate(delta, "hits", "misses")
            row.plan_hits = hit_rate(delta, "plan_hits", "plan_misses")
            if args.slices > 1 and orbit_tps and postgres_tps:
                ratios = [orbit / postgres for orbit, postgres in zip(orbit_tps, postgres_tps, strict=True)]
                row.slice_ratios = f"{min(ratios):.2f}-{max(ratios):.2f}"
    return results


def interpreter_version(python: str) -> str:
    """The version line of the interpreter at ``python``: whose build orbit-pg's figures are."""
    try:
        result = subprocess.run(
            [python, "-c", "import sys; print(sys.version)"], capture_output=True, text=True, check=True
        )
    except (OSError, subprocess.CalledProcessError) as exc:
        raise BenchError(f"--server-python {python} does not run: {exc}") from None
    return result.stdout.strip().replace("\n", " ")


def mean(values: list[float]) -> float | None:
    """The run's tps from its slices (of equal length): their mean."""
    return sum(values) / len(values) if values else None


def print_table(title: str, results: Results) -> None:
    def tps(value: float | None) -> str:
        return f"{value:,.1f}" if value else "-"

    print(f"\n{title}")
    print(
        f"{'workload':<12}  {'mode':<8}  {'clients':>7}  {'orbit-pg tps':>12}  {'PostgreSQL tps':>14}  {'ratio':>6}"
        f"  {'slice ratios':>12}  {'parse cache hits':>18}  {'plan cache hits':>18}"
    )
    for (workload, mode, clients), row in results.items():
        ratio = f"{row.orbit_tps / row.postgres_tps:.3f}" if row.orbit_tps and row.postgres_tps else "-"
        print(
            f"{workload:<12}  {mode:<8}  {clients:>7}  {tps(row.orbit_tps):>12}  {tps(row.postgres_tps):>14}"
            f"  {ratio:>6}  {row.slice_ratios:>12}  {row.parse_hits:>18}  {row.plan_hits:>18}"
        )


def py_spy_path() -> str:
    """py-spy from this interpreter's environment, else from PATH."""
    candidate = Path(sys.executable).parent / "py-spy"
    if os.access(candidate, os.X_OK):
        return str(candidate)
    found = shutil.which("py-spy")
    if found is None:
        raise BenchError("--profile needs py-spy (pip install py-spy)")
    return found


def collapsed_totals(raw: str) -> tuple[Counter[str], Counter[str], int]:
    """Self and inclusive samples per function from collapsed stacks ('frame;frame;... count').

    A function counts once per stack for inclusive time, so recursion is not counted twice.
    """
    own: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    total = 0
    for line in raw.splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack:
            continue
        frames = stack.split(";")
        samples = int(count)
        total += samples
        own[frames[-1]] += samples
        for frame in set(frames):
            inclusive[frame] += samples
    return own, inclusive, total


def print_top(title: str, counts: Counter[str], total: int) -> None:
    print(f"\n{title}")
    print(f"{'samples':>8}  {'share':>6}  function (file:first line)")
    for frame, samples in counts.most_common(TOP_FUNCTIONS):
        print(f"{samples:>8}  {100 * samples / total:>5.1f}%  {frame}")


def profile(args: argparse.Namespace, pinning: Pinning, work: Path) -> None:
    """One workload on orbit-pg with py-spy attached to the server for the whole run."""
    workload, mode = args.profile
    raw = work / "py-spy.txt"
    print(f"profile: {workload} -M {mode}, {PROFILE_CLIENTS} clients, {args.duration}s, {pinning.describe()}")
    with orbit_pg(pinning, args.server_python) as server:
        load("orbit-pg", server.dsn, args.actors, None)
        run = prepare_run(work, workload, mode, PROFILE_CLIENTS, args)
        # pgbench runs a second longer than sampling, so every sample sees the server under load.
        command = pgbench_command(replace(run, duration=args.duration + 1), server.dsn, pinning)
        with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) as client:
            spy = subprocess.run(
                [
                    py_spy_path(),
                    "record",
                    "--pid",
                    str(server.pid),
                    "--duration",
                    str(args.duration),
                    "--rate",
                    str(SAMPLE_RATE),
                    "--function",
                    "--format",
                    "raw",
                    "--output",
                    str(raw),
                ],
                capture_output=True,
                text=True,
                check=False,
            )
            stdout, stderr = client.communicate()
        tps = pgbench_tps("orbit-pg", command, client.returncode, stdout, stderr)
        if spy.returncode != 0 or not raw.exists():
            raise BenchError(
                f"py-spy could not sample orbit-pg (pid {server.pid}; attaching needs root or "
                f"ptrace rights, see /proc/sys/kernel/yama/ptrace_scope):\n{spy.stderr}{spy.stdout}"
            )
    own, inclusive, total = collapsed_totals(raw.read_text())
    if total == 0:
        raise BenchError(f"py-spy recorded no samples:\n{spy.stderr}")
    busy = 100 * total / (SAMPLE_RATE * args.duration)
    print(f"orbit-pg: {tps:,.1f} tps while sampled; {total} samples, busy (not waiting in the reactor) {busy:.0f}%")
    print_top(f"top {TOP_FUNCTIONS} by self time", own, total)
    # Frames on every stack (the reactor's loop and what started it) would fill the top rows and say nothing.
    below_loop = Counter({frame: samples for frame, samples in inclusive.items() if samples < total})
    print_top(f"top {TOP_FUNCTIONS} by inclusive time (frames on every stack left out)", below_loop, total)


def workload_mode(text: str) -> tuple[str, str]:
    """--profile's WORKLOAD:MODE."""
    workload, _, mode = text.partition(":")
    if workload not in WORKLOADS or mode not in MODES:
        raise argparse.ArgumentTypeError(
            f"expected WORKLOAD:MODE with WORKLOAD in {', '.join(WORKLOADS)} and MODE in {', '.join(MODES)}"
        )
    return workload, mode


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--workloads", choices=list(WORKLOADS), nargs="+", default=list(WORKLOADS), help="(all, in this order)"
    )
    parser.add_argument(
        "--mode", choices=MODES, nargs="+", default=list(MODES), help="pgbench -M, one or more (all three)"
    )
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 8], help="pgbench -c, one or more (1 8)")
    parser.add_argument("--duration", type=int, default=10, help="seconds per pgbench run (10)")
    parser.add_argument(
        "--slices",
        type=int,
        default=1,
        help="cut each run into this many slices of --duration/N seconds, taken in turn on each server (1)",
    )
    parser.add_argument("--actors", type=int, default=100_000, help="actors loaded before the runs (100000)")
    parser.add_argument(
        "--pin",
        choices=["on", "off", "both"],
        default="on",
        help="on: pgbench on one core, the server on another (default); off: no taskset; both: both, two tables",
    )
    parser.add_argument(
        "--server", choices=["both", "orbit-pg", "postgres"], default="both", help="servers to measure (both)"
    )
    parser.add_argument(
        "--server-python",
        default=sys.executable,
        metavar="PATH",
        help="the interpreter orbit-pg runs on, with orbit-pg installed (this one); see docs/performance.md",
    )
    parser.add_argument(
        "--profile",
        type=workload_mode,
        metavar="WORKLOAD:MODE",
        help=f"instead of the table: one workload on orbit-pg, {PROFILE_CLIENTS} clients, under py-spy; top functions",
    )
    args = parser.parse_args(argv)
    if args.actors < 1 or args.duration < 1 or min(args.clients) < 1 or args.slices < 1:
        parser.error("--actors, --duration, --clients and --slices must be positive")
    if args.duration % args.slices:
        parser.error("--duration must be a multiple of --slices (pgbench -T takes whole seconds)")
    if args.profile and args.pin == "both":
        parser.error("--profile takes --pin on or off")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if isinstance(sys.stdout, io.TextIOWrapper):
        sys.stdout.reconfigure(line_buffering=True)  # progress shows at once, and before any error
    tables: list[tuple[Pinning, Results]] = []
    try:
        with tempfile.TemporaryDirectory(prefix="bench-") as work:
            if args.profile:
                profile(args, Pinning.choose(args.pin == "on"), Path(work))
                return 0
            for pinned in {"on": [True], "off": [False], "both": [True, False]}[args.pin]:
                pinning = Pinning.choose(pinned)
                tables.append((pinning, bench(args, pinning, Path(work))))
    except (BenchError, ServerError, psycopg.Error) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    for pinning, results in tables:
        print_table(pinning.describe(), results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
