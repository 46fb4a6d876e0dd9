"""Parsed statements and their plans by *shape*, shared by every connection of a server.

The grammar is the slowest step of a query (about a millisecond here), and clients on the
simple protocol (psql, psycopg's client-side binding, ORMs, ``pgbench -M simple``) send a
new text each time: the same statement with other literals. The lexer cuts a text into
its shape (literals replaced by slots) and its literal values; a hit reuses the parse and
the plan of that shape with this text's values, a miss parses the original text with the
grammar and keeps the result. Where analysis used a literal's value (``ORDER BY 2``,
``SET x = 'y'``) the plan is kept per value of those slots.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from orbit_pg import types
from orbit_pg.sql import ast, grammar, lexer
from orbit_pg.sql.executor import Executor, bind_literals
from orbit_pg.sql.expressions import Literals
from orbit_pg.sql.plan import Plan

DEFAULT_CAPACITY = 4096
# Texts up to this size are "small": most statements. Larger ones (bulk INSERTs of many rows)
# are kept apart, a few at a time, since their trees are large; texts longer than the second
# limit are parsed every time.
SMALL_TEXT = 8192
MAX_CACHED_TEXT = 256 * 1024
LARGE_CAPACITY = 16
# Plans kept for one statement that differ in the values of fixed slots.
MAX_VARIANTS = 32


@dataclass(slots=True)
class _Entry:
    statements: list[ast.Node]
    # (statement index, declared parameter OIDs) → (fixed slots in order, plans by their values)
    plans: dict[tuple[int, tuple[int, ...] | None], tuple[tuple[int, ...], dict[tuple[Any, ...], Plan]]] = field(
        default_factory=dict
    )


@dataclass(slots=True)
class Miss:
    """A text the cache does not hold: parse it (in a thread if ``large``), then ``add`` it."""

    text: str
    shape: lexer.Shape | None
    large: bool


@dataclass(slots=True)
class Parsed:
    """A text's statements and, when its shape is cached, what plans need to reuse it."""

    statements: list[ast.Node]
    shape: lexer.Shape | None = None
    entry: _Entry | None = None
    # For a parse kept by its text: a kept plan with the text's literal values bound, by ``plan``'s
    # key. A text that comes back (a driver's Parse of the same statement) then skips even the
    # values' input functions. None for a parse made from its shape's (a new text each time).
    bound: dict[tuple[int, tuple[int, ...] | None], tuple[Plan, list[Any]]] | None = None


class StatementCache:
    def __init__(self, capacity: int = DEFAULT_CAPACITY) -> None:
        self.capacity = capacity
        self.hits = 0
        self.misses = 0
        self.plan_hits = 0
        self.plan_misses = 0
        self._entries: OrderedDict[str, _Entry] = OrderedDict()
        self._large: OrderedDict[str, _Entry] = OrderedDict()
        self._by_text: OrderedDict[str, Parsed] = OrderedDict()

    def parse(self, text: str) -> Parsed:
        """The statements of ``text``, from the cache or from the grammar (a syntax error is
        raised, and not cached, as by the grammar)."""
        found = self.lookup(text)
        return found if isinstance(found, Parsed) else self.add(found, grammar.parse(found.text))

    def lookup(self, text: str) -> Parsed | Miss:
        """A cached parse of ``text``'s shape, or what ``add`` needs once it is parsed."""
        by_text = self._by_text
        parsed = by_text.get(text)
        if parsed is not None:
            # Drivers send the very same text with every Parse: skip even the lexer.
            self.hits += 1
            by_text.move_to_end(text)
            return parsed
        large = len(text) > SMALL_TEXT
        shape = lexer.shape(text) if len(text) <= MAX_CACHED_TEXT else None
        entries = self._large if large else self._entries
        entry = None if shape is None else entries.get(shape.key)
        if shape is None or entry is None:
            self.misses += 1
            return Miss(text, shape, large)
        self.hits += 1
        entries.move_to_end(shape.key)
        # Not kept by text: a text that hits by shape is most often a simple query with new
        # literals (pgbench -M simple, ORMs), which would only push out texts that repeat.
        return Parsed(entry.statements, shape, entry)

    def add(self, miss: Miss, statements: list[ast.Node]) -> Parsed:
        """Keep what the grammar made of a missed text, when its shape can stand for others."""
        shape = miss.shape
        if shape is None or not _number_slots(statements, shape):
            return Parsed(statements)
        entry = _Entry(statements)
        if miss.large:
            self._keep(self._large, shape.key, entry, LARGE_CAPACITY)
        else:
            self._keep(self._entries, shape.key, entry, self.capacity)
        parsed = Parsed(statements, shape, entry, None if miss.large else {})
        if parsed.bound is not None:
            self._keep(self._by_text, miss.text, parsed, self.capacity)
        return parsed

    @staticmethod
    def _keep(entries: OrderedDict[str, Any], key: str, value: Any, capacity: int) -> None:
        entries[key] = value
        if len(entries) > capacity:
            entries.popitem(last=False)

    def plan(
        self, parsed: Parsed, index: int, executor: Executor, declared: Sequence[types.PgType] | None = None
    ) -> tuple[Plan, list[Any]]:
        """The plan of statement ``index`` and the literal values to run it with."""
        statement = parsed.statements[index]
        shape, entry = parsed.shape, parsed.entry
        if shape is None or entry is None:
            return executor.prepare(statement, declared), []
        key = (index, None if declared is None else tuple(t.oid for t in declared))
        memo = parsed.bound
        known = None if memo is None else memo.get(key)
        if known is not None:
            self.plan_hits += 1
            return known
        fixed, variants = entry.plans.get(key, ((), {}))
        values = shape.values
        plan = variants.get(tuple([values[slot] for slot in fixed]) if fixed else ())
        if plan is None:
            self.plan_misses += 1
            plan = executor.prepare(statement, declared, Literals(values, shape.positions))
            plan_fixed = tuple(sorted(plan.fixed))
            kept = plan.shareable and (not variants or plan_fixed == fixed) and len(variants) < MAX_VARIANTS
            if kept:
                variants[tuple([values[slot] for slot in plan_fixed])] = plan
                entry.plans[key] = (plan_fixed, variants)
        else:
            self.plan_hits += 1
            kept = True
        bound = plan, bind_literals(plan, shape.values, shape.positions)
        if kept and memo is not None:  # (a plan not kept is made anew for each text)
            memo[key] = bound
        return bound

    def stats(self) -> str:
        return (
            f"hits={self.hits} misses={self.misses} plan_hits={self.plan_hits} "
            f"plan_misses={self.plan_misses} entries={len(self._entries) + len(self._large)} capacity={self.capacity}"
        )

    def __len__(self) -> int:
        return len(self._entries) + len(self._large)


def _number_slots(statements: list[ast.Node], shape: lexer.Shape) -> bool:
    """Give each literal node the slot the lexer found at its position. False when a shape
    cannot stand for other texts: a literal the grammar did not make a literal node of (a
    negative SET value), or a PREPARE, whose statement keeps its literals' values."""
    slots = {position: slot for slot, position in enumerate(shape.positions)}
    seen = 0
    for node in ast.walk(statements):
        if isinstance(node, ast.PrepareStmt):
            return False
        if isinstance(node, ast.A_Const) and node.kind in ("string", "integer", "numeric"):
            slot = slots.get(node.loc)
            if slot is None:
                return False
            node.slot = slot
            seen += 1
    return seen == len(shape.positions)
