"""Bytecodes per protocol cycle (``protocol_cycle.py``'s cycles), per Python function.

Counted with ``sys.settrace`` and opcode events: exact and the same on every run, whatever else
the machine does, and in seconds (``cycle_instructions.py`` takes minutes per cycle). It sees
only Python: the work of C functions (LMDB, ``bytes.join``, ``struct``) is not in it, so it
shows where the interpreter's time goes, not the whole. The replies are checked once, before
counting; the count has the server's side and the Clock's (its delayed calls: ~30 bytecodes).

    python bench/cycle_bytecodes.py [--cycles 200] [--rows 2000] [--top 30] [CYCLE ...]
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from types import FrameType
from typing import Any

from protocol_cycle import cycles, setup

WARM_UP = 300  # cycles first run untraced (the first ones fill caches and compile encoders)


def count(name: str, rows: int, cycle_count: int) -> Counter[tuple[str, str, int]]:
    """Bytecodes executed by ``cycle_count`` cycles, per (file, function, first line)."""
    client = setup(rows, synchronous=False)
    make = cycles(rows)[name]
    for i in range(WARM_UP):
        client.send(make(i))
    batch = [make(i) for i in range(WARM_UP, WARM_UP + 2 * cycle_count)]
    for data in batch[cycle_count:]:
        client.send(data)  # (checked: the counted cycles below are the same statements)
    batch = batch[:cycle_count]
    counts: Counter[tuple[str, str, int]] = Counter()

    def trace(frame: FrameType, event: str, arg: Any) -> Any:
        frame.f_trace_opcodes = True
        if event == "opcode":
            code = frame.f_code
            counts[(code.co_filename, code.co_name, code.co_firstlineno)] += 1
        return trace

    sys.settrace(trace)
    try:
        for data in batch:
            client.answer(data)
    finally:
        sys.settrace(None)
    return counts


def short(filename: str) -> str:
    for marker in ("/orbit_pg/", "/site-packages/", "/bench/"):
        if marker in filename:
            return filename.rsplit(marker, 1)[1]
    return filename


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    known = cycles(1)
    parser.add_argument("cycle", nargs="*", default=["prepared", "type_select_prepared"], help="cycles to count")
    parser.add_argument("--cycles", type=int, default=200, help="cycles counted (200)")
    parser.add_argument("--rows", type=int, default=2000, help="actors in the table (2000)")
    parser.add_argument("--top", type=int, default=30, help="functions shown per cycle (30)")
    args = parser.parse_args(argv)
    unknown = [name for name in args.cycle if name not in known]
    if unknown:
        parser.error(f"unknown cycle {', '.join(unknown)}: choose from {', '.join(known)}")
    for name in args.cycle:
        counts = count(name, args.rows, args.cycles)
        print(f"{name}: {sum(counts.values()) / args.cycles:,.0f} bytecodes per cycle")
        for (filename, function, line), n in counts.most_common(args.top):
            print(f"  {n / args.cycles:8.1f}  {function} ({short(filename)}:{line})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
