"""Parsed statements by SQL text, shared by every connection of a server.

The grammar is the slowest step of a query (about a millisecond here); drivers send the
same text again and again (Parse of the same statement, ORMs, pools), so a bounded LRU in
front of it means most texts are parsed once.
"""

from __future__ import annotations

from collections import OrderedDict

from orbit_pg.sql import ast, grammar

DEFAULT_CAPACITY = 4096
# Texts longer than this (bulk INSERTs) are parsed every time rather than filling the cache.
MAX_CACHED_TEXT = 8192


class StatementCache:
    def __init__(self, capacity: int = DEFAULT_CAPACITY) -> None:
        self.capacity = capacity
        self.hits = 0
        self.misses = 0
        self._entries: OrderedDict[str, list[ast.Node]] = OrderedDict()

    def parse(self, text: str) -> list[ast.Node]:
        """The statements of ``text``; a syntax error is raised (and not cached) as by the grammar."""
        entries = self._entries
        statements = entries.get(text)
        if statements is not None:
            self.hits += 1
            entries.move_to_end(text)
            return statements
        self.misses += 1
        statements = grammar.parse(text)
        if len(text) <= MAX_CACHED_TEXT:
            entries[text] = statements
            if len(entries) > self.capacity:
                entries.popitem(last=False)
        return statements

    def __len__(self) -> int:
        return len(self._entries)
