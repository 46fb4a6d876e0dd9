"""What every type family builds on: the PgType record, and how conversions report bad input and read
fixed-width binary fields (pq_getmsgint64, pq_sendfloat8, ...)."""

from __future__ import annotations

import struct
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from orbit_pg import errors


@dataclass(frozen=True, slots=True, eq=False)
class PgType:
    """One pg_type row and its four conversions; types are singletons, compared by identity."""

    oid: int
    typname: str  # pg_type.typname, also the column name PostgreSQL gives a cast
    name: str  # format_type's spelling, used in messages
    typlen: int
    category: str  # typcategory: S string, N numeric, B boolean, D date/time, T timespan, U user, A array, X unknown
    text_out: Callable[[Any], bytes]
    text_in: Callable[[str], Any]
    binary_out: Callable[[Any], bytes]
    binary_in: Callable[[bytes], Any]
    element: PgType | None = None  # typelem of an array type

    def __repr__(self) -> str:
        return self.typname


class TrailingBytes(errors.PgError):
    """binary_in got more bytes than the value uses.

    PostgreSQL words this by who asked: Bind says "incorrect binary data format in bind parameter N";
    an array says "improper binary format in array element N".
    """

    def __init__(self) -> None:
        super().__init__(errors.INVALID_BINARY_REPRESENTATION, "incorrect binary data format")


def invalid(type_name: str, text: str, sqlstate: str = errors.INVALID_TEXT_REPRESENTATION) -> errors.PgError:
    return errors.PgError(sqlstate, f'invalid input syntax for type {type_name}: "{text}"')


def insufficient() -> errors.PgError:
    """pq_getmsgint and friends reading past the end of a value."""
    return errors.PgError(errors.PROTOCOL_VIOLATION, "insufficient data left in message")


def fixed(code: str, convert: Callable[..., Any] | None = None) -> tuple[Callable[..., bytes], Callable[[bytes], Any]]:
    """Binary out and in for fixed-width big-endian fields (pq_sendint64, pq_getmsgfloat8, ...).

    Too few bytes fail as pq_getmsg* does; then ``convert`` sees the fields, as the type's receive
    function would; only after that are bytes left over an error (Bind's check).
    """
    codec = struct.Struct("!" + code)
    size, unpack_from = codec.size, codec.unpack_from

    def binary_in(data: bytes) -> Any:
        if len(data) < size:
            raise insufficient()
        fields = unpack_from(data)
        value = convert(*fields) if convert else fields[0]
        if len(data) > size:
            raise TrailingBytes()
        return value

    return codec.pack, binary_in


INT32 = struct.Struct("!i")  # an int32 field: array headers and lengths, date
