"""The type registry: OID, names, size, and text and binary input/output for every type we handle.

One place maps a type to its wire forms and back (as psycopg's adapters do, seen from the server);
everything else asks here.  ``registry`` builds the table from one module per type family (``numbers``,
``floats``, ``text``, ``datetime``, ``interval``, ``arrays``); this package exports what the rest of
orbit_pg uses.  Output is byte for byte PostgreSQL 15's with default settings (DateStyle
ISO, MDY; TimeZone UTC; IntervalStyle postgres; extra_float_digits 1; bytea_output hex), and bad input
raises PgError with PostgreSQL's sqlstate, message and detail.  ``text_in`` takes str, ``binary_in``
bytes; ``text_out`` and ``binary_out`` return bytes.  ``binary_in`` raises TrailingBytes when bytes
are left over, which Bind reports as "incorrect binary data format in bind parameter N".

Python values per type:

- text, varchar, name, bpchar, unknown: str
- json, jsonb: their text as UTF-8 bytes, sent as stored and never re-encoded (jsonb canonical as
  ``orbit_pg.jsonb.canonical`` prints it; json as written, checked by the same parser)
- bytea: bytes; bool: bool; uuid: uuid.UUID
- int2, int4, int8, oid: int; float4, float8: float; numeric: Decimal (NaN and ±Infinity included)
- date: datetime.date; timestamp: naive datetime; timestamptz: aware datetime in UTC.  A value that
  datetime cannot hold (BC, after 9999, ±infinity) is a FarDatetime carrying PostgreSQL's own count.
- interval: Interval(months, days, microseconds), the three fields PostgreSQL stores
- arrays: lists nested once per dimension, None for a NULL element; lower bounds are always 1
- int2vector, oidvector: ``Vector`` (a list whose subscripts count from 0)
- the OID alias types (regclass, regtype, ...), xid: int; "char", aclitem, pg_node_tree: str;
  inet: ipaddress interface
"""

from orbit_pg.types.base import PgType, TrailingBytes
from orbit_pg.types.datetime import FarDatetime
from orbit_pg.types.interval import Interval
from orbit_pg.types.registry import (
    ARRAY_OF,
    BOOL,
    BPCHAR,
    BY_NAME,
    BY_OID,
    BYTEA,
    DATE,
    FLOAT4,
    FLOAT8,
    INT2,
    INT2VECTOR,
    INT4,
    INT8,
    INTEGER_RANGES,
    INTERVAL,
    JSON,
    JSONB,
    NAME,
    NUMERIC,
    OID,
    OIDVECTOR,
    TEXT,
    TIMESTAMP,
    TIMESTAMPTZ,
    UNKNOWN,
    UUID,
    VARCHAR,
    integer_type_for,
)
from orbit_pg.types.system import (
    ACLITEM,
    CHAR,
    INET,
    OID_ALIASES,
    PG_NODE_TREE,
    REGCLASS,
    REGNAMESPACE,
    REGPROC,
    REGPROCEDURE,
    REGROLE,
    REGTYPE,
    XID,
    Vector,
)

__all__ = [
    "ACLITEM",
    "CHAR",
    "INET",
    "INT2VECTOR",
    "OIDVECTOR",
    "OID_ALIASES",
    "PG_NODE_TREE",
    "REGCLASS",
    "REGNAMESPACE",
    "REGPROC",
    "REGPROCEDURE",
    "REGROLE",
    "REGTYPE",
    "XID",
    "Vector",
    "ARRAY_OF",
    "BOOL",
    "BPCHAR",
    "BY_NAME",
    "BY_OID",
    "BYTEA",
    "DATE",
    "FLOAT4",
    "FLOAT8",
    "INT2",
    "INT4",
    "INT8",
    "INTEGER_RANGES",
    "INTERVAL",
    "JSON",
    "JSONB",
    "NAME",
    "NUMERIC",
    "OID",
    "TEXT",
    "TIMESTAMP",
    "TIMESTAMPTZ",
    "UNKNOWN",
    "UUID",
    "VARCHAR",
    "FarDatetime",
    "Interval",
    "PgType",
    "TrailingBytes",
    "integer_type_for",
]
