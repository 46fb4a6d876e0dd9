"""pg_get_expr over the stored node trees (pg_node_tree, nodeToString's text) the catalogs hold:
the constants of functions' default arguments (pg_proc.proargdefaults), printed as ruleutils.c
prints a Const."""

from __future__ import annotations

import re

_CONST = re.compile(
    r"\{CONST :consttype (\d+) .*?:constisnull (true|false) .*?:constvalue (?:(\d+) \[ ([-\d ]*)\]|<>)\}"
)
_INTEGERS = {20, 21, 23}


def _constant(type_oid: int, is_null: bool, data: list[int]) -> str:
    if is_null:
        return "NULL"
    if type_oid == 16:
        return "true" if data[0] else "false"
    if type_oid in _INTEGERS:
        return str(int.from_bytes(bytes(b & 0xFF for b in data), "little", signed=True))
    raise ValueError(f"constant of type {type_oid}")


def deparse(tree: str) -> str:
    """A list of constants as pg_get_expr prints it: comma-separated."""
    return ", ".join(
        _constant(int(oid), isnull == "true", [int(b) for b in (data or "").split()])
        for oid, isnull, _, data in _CONST.findall(tree)
    )
