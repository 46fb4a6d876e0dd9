"""The type registry: every type we handle by OID and by name, built from the family modules."""

from __future__ import annotations

from orbit_pg import jsonb
from orbit_pg.types import system
from orbit_pg.types.arrays import array_type
from orbit_pg.types.base import PgType
from orbit_pg.types.datetime import (
    date_in,
    date_out,
    date_recv,
    date_send,
    timestamp_in,
    timestamp_out,
    timestamp_recv,
    timestamp_send,
    timestamptz_out,
    timestamptz_recv,
)
from orbit_pg.types.floats import float4_out, float4_recv, float4_send, float8_out, float8_recv, float8_send, float_in
from orbit_pg.types.interval import interval_in, interval_out, interval_recv, interval_send
from orbit_pg.types.numbers import (
    bool_in,
    bool_out,
    bool_recv,
    bool_send,
    int2_recv,
    int2_send,
    int32_recv,
    int32_send,
    int64_recv,
    int64_send,
    int_in,
    int_out,
    numeric_in,
    numeric_out,
    numeric_recv,
    numeric_send,
    oid_in,
    uint32_recv,
    uint32_send,
)
from orbit_pg.types.text import (
    bytea_in,
    bytea_out,
    bytes_in,
    bytes_out,
    decode_text,
    json_in,
    json_recv,
    jsonb_recv,
    jsonb_send,
    name_in,
    name_recv,
    text_in,
    text_out,
    uuid_in,
    uuid_out,
    uuid_recv,
    uuid_send,
)

BOOL = PgType(16, "bool", "boolean", 1, "B", bool_out, bool_in, bool_send, bool_recv)
BYTEA = PgType(17, "bytea", "bytea", -1, "U", bytea_out, bytea_in, bytes_out, bytes_in)
NAME = PgType(19, "name", "name", 64, "S", text_out, name_in, text_out, name_recv)
INT8 = PgType(20, "int8", "bigint", 8, "N", int_out, int_in("bigint", 64), int64_send, int64_recv)
INT2 = PgType(21, "int2", "smallint", 2, "N", int_out, int_in("smallint", 16), int2_send, int2_recv)
INT4 = PgType(23, "int4", "integer", 4, "N", int_out, int_in("integer", 32), int32_send, int32_recv)
TEXT = PgType(25, "text", "text", -1, "S", text_out, text_in, text_out, decode_text)
OID = PgType(26, "oid", "oid", 4, "N", int_out, oid_in, uint32_send, uint32_recv)
JSON = PgType(114, "json", "json", -1, "U", bytes_out, json_in, bytes_out, json_recv)
FLOAT4 = PgType(700, "float4", "real", 4, "N", float4_out, float_in("real", True), float4_send, float4_recv)
FLOAT8 = PgType(
    701,
    "float8",
    "double precision",
    8,
    "N",
    float8_out,
    float_in("double precision", False),
    float8_send,
    float8_recv,
)
UNKNOWN = PgType(705, "unknown", "unknown", -2, "X", text_out, text_in, text_out, decode_text)
BPCHAR = PgType(1042, "bpchar", "character", -1, "S", text_out, text_in, text_out, decode_text)
VARCHAR = PgType(1043, "varchar", "character varying", -1, "S", text_out, text_in, text_out, decode_text)
DATE = PgType(1082, "date", "date", 4, "D", date_out, date_in, date_send, date_recv)
TIMESTAMP = PgType(
    1114,
    "timestamp",
    "timestamp without time zone",
    8,
    "D",
    timestamp_out,
    timestamp_in("timestamp", False),
    timestamp_send,
    timestamp_recv,
)
TIMESTAMPTZ = PgType(
    1184,
    "timestamptz",
    "timestamp with time zone",
    8,
    "D",
    timestamptz_out,
    timestamp_in("timestamp with time zone", True),
    timestamp_send,
    timestamptz_recv,
)
INTERVAL = PgType(1186, "interval", "interval", 16, "T", interval_out, interval_in, interval_send, interval_recv)
NUMERIC = PgType(1700, "numeric", "numeric", -1, "N", numeric_out, numeric_in, numeric_send, numeric_recv)
UUID = PgType(2950, "uuid", "uuid", 16, "U", uuid_out, uuid_in, uuid_send, uuid_recv)
JSONB = PgType(3802, "jsonb", "jsonb", -1, "U", bytes_out, jsonb.canonical, jsonb_send, jsonb_recv)

# The scalar types; their arrays join below, and array_recv looks a wrong element type up here.
BY_OID: dict[int, PgType] = {
    t.oid: t
    for t in (
        BOOL,
        BYTEA,
        NAME,
        INT8,
        INT2,
        INT4,
        TEXT,
        OID,
        JSON,
        FLOAT4,
        FLOAT8,
        UNKNOWN,
        BPCHAR,
        VARCHAR,
        DATE,
        TIMESTAMP,
        TIMESTAMPTZ,
        INTERVAL,
        NUMERIC,
        UUID,
        JSONB,
    )
}
INT2VECTOR, OIDVECTOR = system.vector_types(INT2, OID)
BY_OID.update({t.oid: t for t in (*system.SCALARS, INT2VECTOR, OIDVECTOR)})

# pg_type.typarray of each element type
ARRAY_OF: dict[PgType, PgType] = {
    element: array_type(oid, element, BY_OID)
    for oid, element in (
        (1000, BOOL),
        (1001, BYTEA),
        (1003, NAME),
        (1005, INT2),
        (1007, INT4),
        (1009, TEXT),
        (1014, BPCHAR),
        (1015, VARCHAR),
        (1016, INT8),
        (1021, FLOAT4),
        (1022, FLOAT8),
        (1028, OID),
        (1115, TIMESTAMP),
        (1182, DATE),
        (1185, TIMESTAMPTZ),
        (1187, INTERVAL),
        (1231, NUMERIC),
        (2951, UUID),
        (199, JSON),
        (3807, JSONB),
        (1006, INT2VECTOR),
        (1013, OIDVECTOR),
        *((oid, element) for element, oid in system.ARRAY_OIDS.items()),
    )
}
BY_OID.update({t.oid: t for t in ARRAY_OF.values()})

# Names accepted in casts, as PostgreSQL's grammar maps them to pg_type entries.  "char" and
# "character" mean character(1) in PostgreSQL; without typmods they are plain bpchar here.
BY_NAME: dict[str, PgType] = {
    **{t.typname: t for t in BY_OID.values() if t is not UNKNOWN},
    "boolean": BOOL,
    "bigint": INT8,
    "smallint": INT2,
    "int": INT4,
    "integer": INT4,
    "decimal": NUMERIC,
    "double precision": FLOAT8,
    "float": FLOAT8,
    "real": FLOAT4,
    "character varying": VARCHAR,
    "char": BPCHAR,
    "character": BPCHAR,
    "timestamp without time zone": TIMESTAMP,
    "timestamp with time zone": TIMESTAMPTZ,
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
