"""Instructions per protocol cycle (``protocol_cycle.py``'s cycles), counted by valgrind.

On a shared machine a build's CPU time per cycle moves by ±30% from one minute to the next; the
instructions it executes do not (callgrind counts them, whatever else runs, with hashing seeded).
Each cycle runs in two processes under ``valgrind --tool=callgrind``, the second with ``--cycles``
more cycles than the first; the difference, divided by that, is one cycle's count without the
start-up, the loading and the compiling. It includes the client's side of the cycle (making the
message, checking the reply), the same in every build. The synchronous commit is off: a sync's
work is the kernel's, not counted. Two cycles take ~4 minutes (valgrind runs Python ~50x slower).

    python bench/cycle_instructions.py [CYCLE ...] [--cycles 500] [--rows 2000]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from protocol_cycle import cycles, setup

WARM_UP = 100  # cycles both processes run first (the first ones fill caches)
MAP_SIZE = 1 << 30
COLLECTED = re.compile(r"Collected : (\d+)")


def run_cycles(name: str, rows: int, count: int) -> None:
    """The measured process: load, then ``count`` cycles (keys never repeat, for inserts)."""
    client = setup(rows, synchronous=False, map_size=MAP_SIZE)
    make = cycles(rows)[name]
    for i in range(count):
        client.send(make(i))


def instructions(name: str, rows: int, count: int) -> int:
    command = [
        "valgrind",
        "--tool=callgrind",
        "--callgrind-out-file=/dev/null",
        sys.executable,
        str(Path(__file__).resolve()),
        "--child",
        str(count),
        "--rows",
        str(rows),
        name,
    ]
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    result = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    match = COLLECTED.search(result.stderr)
    if result.returncode != 0 or match is None:
        raise SystemExit(f"{name}: valgrind failed ({result.returncode})\n{result.stderr[-3000:]}")
    return int(match.group(1))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    known = cycles(1)
    parser.add_argument("cycle", nargs="*", default=["prepared", "type_select_prepared", "update_prepared"])
    parser.add_argument("--cycles", type=int, default=500, help="cycles the second run adds (500)")
    parser.add_argument("--rows", type=int, default=2000, help="actors in the table (2000)")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    unknown = [name for name in args.cycle if name not in known]
    if unknown:
        parser.error(f"unknown cycle {', '.join(unknown)}: choose from {', '.join(known)}")
    if args.child is not None:
        run_cycles(args.cycle[0], args.rows, args.child)
        return 0
    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind is not installed")
    print(f"{'cycle':<22}  {'instructions/cycle':>18}")
    for name in args.cycle:
        base = instructions(name, args.rows, WARM_UP)
        more = instructions(name, args.rows, WARM_UP + args.cycles)
        print(f"{name:<22}  {(more - base) // args.cycles:>18,}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
