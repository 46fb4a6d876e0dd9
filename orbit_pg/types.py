"""The type registry: OID, names, size, and text input/output for every type we handle.

One place maps a type to its wire form and back (as psycopg's adapters do, seen from the
server); everything else asks here. Python values per type: text/name → str, jsonb →
canonical bytes (sent as stored, never re-encoded), int2/int4/int8 → int, numeric →
Decimal, bool → bool.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from orbit_pg import errors, jsonb


@dataclass(frozen=True, slots=True)
class PgType:
    oid: int
    typname: str  # pg_type.typname, also the column name PostgreSQL gives a cast
    name: str  # format_type's spelling, used in messages
    typlen: int
    category: str  # typcategory: S string, N numeric, B boolean, U user (jsonb), X unknown
    text_out: Callable[[Any], bytes]
    text_in: Callable[[str], Any]

    def __repr__(self) -> str:
        return self.typname


def _text_out(value: str) -> bytes:
    return value.encode()


def _int_out(value: int) -> bytes:
    return str(value).encode()


def _numeric_out(value: Decimal) -> bytes:
    return format(value, "f").encode()


def _bool_out(value: bool) -> bytes:
    return b"t" if value else b"f"


def _jsonb_out(value: bytes) -> bytes:
    return value


def _invalid(type_name: str, text: str) -> errors.PgError:
    return errors.PgError(errors.INVALID_TEXT_REPRESENTATION, f'invalid input syntax for type {type_name}: "{text}"')


_INT_TEXT = re.compile(r"\s*[-+]?\d+\s*$")


def _int_in(type_name: str, low: int, high: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        if not _INT_TEXT.match(text):
            raise _invalid(type_name, text)
        value = int(text)
        if not low <= value <= high:
            raise errors.PgError(
                errors.NUMERIC_VALUE_OUT_OF_RANGE, f'value "{text}" is out of range for type {type_name}'
            )
        return value

    return parse


_NUMERIC_TEXT = re.compile(r"\s*[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?\s*$")


def _numeric_in(text: str) -> Decimal:
    if not _NUMERIC_TEXT.match(text):
        raise _invalid("numeric", text)
    try:
        return Decimal(text.strip())
    except InvalidOperation:
        raise _invalid("numeric", text) from None


def _bool_in(text: str) -> bool:
    """PostgreSQL's boolin: a prefix of true/yes/false/no, on/of(f), 1/0, any case."""
    word = text.strip().lower()
    if word:
        if "true".startswith(word) or "yes".startswith(word) or word in ("on", "1"):
            return True
        if "false".startswith(word) or "no".startswith(word) or word in ("of", "off", "0"):
            return False
    raise _invalid("boolean", text)


def _jsonb_in(text: str) -> bytes:
    return jsonb.canonical(text)


def _text_in(text: str) -> str:
    return text


BOOL = PgType(16, "bool", "boolean", 1, "B", _bool_out, _bool_in)
NAME = PgType(19, "name", "name", 64, "S", _text_out, _text_in)
INT8 = PgType(20, "int8", "bigint", 8, "N", _int_out, _int_in("bigint", -(2**63), 2**63 - 1))
INT2 = PgType(21, "int2", "smallint", 2, "N", _int_out, _int_in("smallint", -(2**15), 2**15 - 1))
INT4 = PgType(23, "int4", "integer", 4, "N", _int_out, _int_in("integer", -(2**31), 2**31 - 1))
TEXT = PgType(25, "text", "text", -1, "S", _text_out, _text_in)
UNKNOWN = PgType(705, "unknown", "unknown", -2, "X", _text_out, _text_in)
NUMERIC = PgType(1700, "numeric", "numeric", -1, "N", _numeric_out, _numeric_in)
JSONB = PgType(3802, "jsonb", "jsonb", -1, "U", _jsonb_out, _jsonb_in)

# Names accepted in casts, as PostgreSQL's grammar maps them to pg_type entries.
BY_NAME: dict[str, PgType] = {
    "bool": BOOL,
    "boolean": BOOL,
    "name": NAME,
    "int8": INT8,
    "bigint": INT8,
    "int2": INT2,
    "smallint": INT2,
    "int4": INT4,
    "int": INT4,
    "integer": INT4,
    "text": TEXT,
    "numeric": NUMERIC,
    "decimal": NUMERIC,
    "jsonb": JSONB,
}

INTEGER_RANGES: dict[PgType, tuple[int, int]] = {
    INT2: (-(2**15), 2**15 - 1),
    INT4: (-(2**31), 2**31 - 1),
    INT8: (-(2**63), 2**63 - 1),
}


def integer_type_for(value: int) -> PgType:
    """The type PostgreSQL's lexer gives an integer literal."""
    if -(2**31) <= value < 2**31:
        return INT4
    if -(2**63) <= value < 2**63:
        return INT8
    return NUMERIC
