"""The types system catalogs are made of: "char", int2vector, oidvector, xid, pg_node_tree, aclitem,
inet, pg_lsn, and the OID alias types (regclass, regtype, regproc, ...) whose text form is a name.

An alias type's value is its OID (an int, sent in binary as oid is). Turning a name into an OID
and back needs the catalog, which sits above this package: ``orbit_pg.catalog`` installs its name
lookup with ``set_lookup``. Without one, only numbers are understood (as PostgreSQL's bootstrap
mode does).
"""

from __future__ import annotations

import ipaddress
import struct
from collections.abc import Callable
from typing import Any, Protocol

from orbit_pg import errors
from orbit_pg.types.base import PgType, TrailingBytes, fixed, insufficient, invalid
from orbit_pg.types.clib import SPACE
from orbit_pg.types.numbers import int_in, int_out, oid_in, uint32_recv, uint32_send
from orbit_pg.types.text import decode_text, text_in, text_out


class NameLookup(Protocol):
    """What the catalog answers for the alias types; ``kind`` is the type's name (regclass...)."""

    def oid_of(self, kind: str, name: str) -> int:
        """The OID a name stands for; raises PostgreSQL's error when there is none."""

    def name_of(self, kind: str, oid: int) -> str | None:
        """The text PostgreSQL prints for an OID (qualified when not visible), None when unknown."""


class _NumbersOnly:
    def oid_of(self, kind: str, name: str) -> int:
        raise errors.PgError(errors.UNDEFINED_OBJECT, f'{kind} "{name}" does not exist')

    def name_of(self, kind: str, oid: int) -> str | None:
        return None


_lookup: list[NameLookup] = [_NumbersOnly()]


def set_lookup(lookup: NameLookup) -> None:
    _lookup[0] = lookup


def _alias(kind: str) -> tuple[Callable[[int], bytes], Callable[[str], int]]:
    """regclassout/regclassin and friends: "-" is OID 0, a number is taken as it is, else a name."""

    def out(oid: int) -> bytes:
        if oid == 0:
            return b"-"
        name = _lookup[0].name_of(kind, oid)
        return b"%d" % oid if name is None else name.encode()

    def parse(text: str) -> int:
        if text == "-":
            return 0
        stripped = text.strip(SPACE)
        if stripped.isdigit():
            return oid_in(stripped)
        return _lookup[0].oid_of(kind, text)

    return out, parse


def _reg(oid: int, name: str) -> PgType:
    out, parse = _alias(name)
    return PgType(oid, name, name, 4, "N", out, parse, uint32_send, uint32_recv)


REGPROC = _reg(24, "regproc")
REGPROCEDURE = _reg(2202, "regprocedure")
REGOPER = _reg(2203, "regoper")
REGOPERATOR = _reg(2204, "regoperator")
REGCLASS = _reg(2205, "regclass")
REGTYPE = _reg(2206, "regtype")
REGNAMESPACE = _reg(4089, "regnamespace")
REGROLE = _reg(4096, "regrole")
REGCOLLATION = _reg(4191, "regcollation")
REGCONFIG = _reg(3734, "regconfig")


def _char_out(value: str) -> bytes:
    """charout: the byte itself; a high-bit byte as \\ooo; NUL as nothing."""
    byte = value.encode("latin-1")[:1] if value else b""
    if byte and byte[0] >= 0x80:
        return b"\\%03o" % byte[0]
    return byte


def _char_in(text: str) -> str:
    """charin: \\ooo is a byte by its octal code, else the first byte of the input."""
    data = text.encode()
    if len(data) == 4 and data[0:1] == b"\\" and all(48 <= c <= 55 for c in data[1:]):
        return chr(int(data[1:], 8))
    return chr(data[0]) if data else ""


def _char_recv(data: bytes) -> str:
    if len(data) > 1:
        raise TrailingBytes()
    return chr(data[0]) if data else ""


CHAR = PgType(18, "char", '"char"', 1, "Z", _char_out, _char_in, _char_out, _char_recv)


class Vector(list):  # type: ignore[type-arg]
    """An int2vector or oidvector value: subscripts count from 0 (its lower bound), unlike arrays."""

    lower = 0


def _vector(type_name: str, parse: Callable[[str], int], code: str) -> tuple[Callable[..., Any], ...]:
    """int2vectorin/out (space-separated numbers) and the one-dimensional array binary form."""
    element_oid = 21 if code == "h" else 26
    item = struct.Struct("!i" + code)

    def out(value: list[int]) -> bytes:
        return b" ".join(b"%d" % v for v in value)

    def parse_vector(text: str) -> Vector:
        return Vector(parse(word) for word in text.split())

    def send(value: list[int]) -> bytes:
        header = struct.pack("!iiiii", 1, 0, element_oid, len(value), 0)
        return header + b"".join(item.pack(item.size - 4, v) for v in value)

    def recv(data: bytes) -> Vector:
        if len(data) < 12:
            raise insufficient()
        ndim, flags, element = struct.unpack_from("!iii", data)
        if ndim > 1 or flags != 0 or element != element_oid:
            raise errors.PgError(errors.INVALID_BINARY_REPRESENTATION, f"invalid {type_name} data")
        if ndim == 0:
            return Vector()
        count, lower = struct.unpack_from("!ii", data, 12)
        if lower != 0:
            raise errors.PgError(errors.INVALID_BINARY_REPRESENTATION, f"invalid {type_name} data")
        if len(data) != 20 + count * item.size:
            raise insufficient() if len(data) < 20 + count * item.size else TrailingBytes()
        return Vector(item.unpack_from(data, 20 + i * item.size)[1] for i in range(count))

    return out, parse_vector, send, recv


def vector_types(int2: PgType, oid: PgType) -> tuple[PgType, PgType]:
    """int2vector and oidvector, whose elements (typelem) are int2 and oid."""
    int2_in = int_in("smallint", 16)
    return (
        PgType(22, "int2vector", "int2vector", -1, "A", *_vector("int2vector", int2_in, "h"), element=int2),
        PgType(30, "oidvector", "oidvector", -1, "A", *_vector("oidvector", oid_in, "I"), element=oid),
    )


_xid_send, _xid_recv = uint32_send, uint32_recv
XID = PgType(28, "xid", "xid", 4, "U", int_out, oid_in, _xid_send, _xid_recv)
CID = PgType(29, "cid", "cid", 4, "U", int_out, oid_in, _xid_send, _xid_recv)
_xid8_send, _xid8_recv = fixed("Q")


def _xid8_in(text: str) -> int:
    stripped = text.strip(SPACE)
    if not stripped.isdigit() or int(stripped) >= 1 << 64:
        raise invalid("xid8", text)
    return int(stripped)


XID8 = PgType(5069, "xid8", "xid8", 8, "U", int_out, _xid8_in, _xid8_send, _xid8_recv)


def _pseudo_in(type_name: str) -> Callable[[str], Any]:
    def parse(text: str) -> Any:
        raise errors.PgError(errors.FEATURE_NOT_SUPPORTED, f"cannot accept a value of type {type_name}")

    return parse


PG_NODE_TREE = PgType(
    194, "pg_node_tree", "pg_node_tree", -1, "Z", text_out, _pseudo_in("pg_node_tree"), text_out, decode_text
)
# attmissingval's type: the catalog only ever holds NULL there, so it is not in the registry.
ANYARRAY = PgType(2277, "anyarray", "anyarray", -1, "P", text_out, _pseudo_in("anyarray"), text_out, decode_text)


def _no_binary(type_name: str) -> tuple[Callable[[Any], bytes], Callable[[bytes], Any]]:
    def send(value: Any) -> bytes:
        raise errors.PgError(errors.UNDEFINED_FUNCTION, f"no binary output function available for type {type_name}")

    def recv(data: bytes) -> Any:
        raise errors.PgError(errors.UNDEFINED_FUNCTION, f"no binary input function available for type {type_name}")

    return send, recv


ACLITEM = PgType(1033, "aclitem", "aclitem", 12, "U", text_out, text_in, *_no_binary("aclitem"))


def _lsn_out(value: int) -> bytes:
    return b"%X/%X" % (value >> 32, value & 0xFFFFFFFF)


def _lsn_in(text: str) -> int:
    high, _, low = text.partition("/")
    try:
        if not (0 < len(high) <= 8 and 0 < len(low) <= 8):
            raise ValueError
        return int(high, 16) << 32 | int(low, 16)
    except ValueError:
        raise invalid("pg_lsn", text) from None


PG_LSN = PgType(3220, "pg_lsn", "pg_lsn", 8, "U", _lsn_out, _lsn_in, *fixed("Q"))

_INET_FAMILY = {4: 2, 6: 3}  # PGSQL_AF_INET, PGSQL_AF_INET6


def _inet_out(value: ipaddress.IPv4Interface | ipaddress.IPv6Interface) -> bytes:
    """inet_out: the address alone when its mask covers all of it, else address/bits."""
    if value.network.prefixlen == value.max_prefixlen:
        return str(value.ip).encode()
    return f"{value.ip}/{value.network.prefixlen}".encode()


def _inet_in(text: str) -> ipaddress.IPv4Interface | ipaddress.IPv6Interface:
    try:
        return ipaddress.ip_interface(text.strip(SPACE))
    except ValueError:
        raise invalid("inet", text) from None


def _inet_send(value: ipaddress.IPv4Interface | ipaddress.IPv6Interface) -> bytes:
    packed = value.ip.packed
    return bytes((_INET_FAMILY[value.version], value.network.prefixlen, 0, len(packed))) + packed


def _inet_recv(data: bytes) -> ipaddress.IPv4Interface | ipaddress.IPv6Interface:
    if len(data) < 4:
        raise insufficient()
    family, bits, _is_cidr, size = data[:4]
    if family not in (2, 3) or size != (4 if family == 2 else 16):
        raise errors.PgError(errors.INVALID_BINARY_REPRESENTATION, 'invalid address family in external "inet" value')
    if len(data) < 4 + size:
        raise insufficient()
    if len(data) > 4 + size:
        raise TrailingBytes()
    return ipaddress.ip_interface((ipaddress.ip_address(data[4 : 4 + size]), bits))


INET = PgType(869, "inet", "inet", -1, "I", _inet_out, _inet_in, _inet_send, _inet_recv)

# The OID alias types: each converts implicitly to and from oid (and from the integers).
OID_ALIASES = (
    REGPROC,
    REGPROCEDURE,
    REGOPER,
    REGOPERATOR,
    REGCLASS,
    REGTYPE,
    REGCONFIG,
    REGNAMESPACE,
    REGROLE,
    REGCOLLATION,
)

SCALARS = (
    CHAR,
    REGPROC,
    XID,
    CID,
    PG_NODE_TREE,
    INET,
    ACLITEM,
    REGPROCEDURE,
    REGOPER,
    REGOPERATOR,
    REGCLASS,
    REGTYPE,
    PG_LSN,
    REGCONFIG,
    REGNAMESPACE,
    REGROLE,
    REGCOLLATION,
    XID8,
)
# pg_type.typarray of each.
ARRAY_OIDS = {
    CHAR: 1002,
    REGPROC: 1008,
    XID: 1011,
    CID: 1012,
    INET: 1041,
    ACLITEM: 1034,
    REGPROCEDURE: 2207,
    REGOPER: 2208,
    REGOPERATOR: 2209,
    REGCLASS: 2210,
    REGTYPE: 2211,
    PG_LSN: 3221,
    REGCONFIG: 3735,
    REGNAMESPACE: 4090,
    REGROLE: 4097,
    REGCOLLATION: 4192,
    XID8: 271,
}
