"""Anonymous records (pg_type ``record``, 2249): the rows a function with OUT parameters returns,
such as ``information_schema._pg_expandarray``'s (x, n); values are tuples, fields are read with
``(expr).field``, and record_out / record_send give their text and binary forms."""

from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import Any

from orbit_pg import errors, types

RECORD_OID = 2249


@dataclass(frozen=True, slots=True, eq=False)
class RecordType(types.PgType):
    """An anonymous record with named fields (a function's OUT parameters); values are tuples."""

    fields: tuple[tuple[str, types.PgType], ...] = ()


def _needs_quotes(text: str) -> bool:
    return text == "" or any(c in '"\\(),' or c.isspace() for c in text)


def record_type(fields: tuple[tuple[str, types.PgType], ...]) -> RecordType:
    """record_out's text ``(1,2)`` and record_send's binary form for values of these fields."""

    def text_out(value: tuple[Any, ...]) -> bytes:
        parts = []
        for (_, type_), item in zip(fields, value, strict=True):
            if item is None:
                parts.append("")
                continue
            text = type_.text_out(item).decode()
            if _needs_quotes(text):
                text = '"' + text.replace("\\", "\\\\").replace('"', '""') + '"'
            parts.append(text)
        return ("(" + ",".join(parts) + ")").encode()

    def binary_out(value: tuple[Any, ...]) -> bytes:
        out = [struct.pack("!i", len(fields))]
        for (_, type_), item in zip(fields, value, strict=True):
            if item is None:
                out.append(struct.pack("!Ii", type_.oid, -1))
            else:
                data = type_.binary_out(item)
                out.append(struct.pack("!Ii", type_.oid, len(data)) + data)
        return b"".join(out)

    def no_input(_: Any) -> Any:
        raise errors.PgError(errors.FEATURE_NOT_SUPPORTED, "input of anonymous composite types is not implemented")

    return RecordType(RECORD_OID, "record", "record", -1, "P", text_out, no_input, binary_out, no_input, fields=fields)
