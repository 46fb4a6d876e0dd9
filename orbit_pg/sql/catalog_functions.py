"""The system information and catalog functions clients' metadata queries call (format_type,
pg_get_indexdef, has_table_privilege, pg_relation_size, current_setting, ...), with PostgreSQL
15's signatures, answered from ``orbit_pg.catalog``. Importing this module registers them."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any

from orbit_pg import errors, types
from orbit_pg.catalog import names, node_tree, objects, procs, roles, server
from orbit_pg.catalog.classes import index_definition
from orbit_pg.catalog.format import format_type, quote_ident
from orbit_pg.catalog.typedefs import type_rows
from orbit_pg.session import Session
from orbit_pg.sql.functions import BUILTINS, NO_ARGUMENT_FUNCTIONS, Builtin, Implementation, _builtin
from orbit_pg.sql.resolution import ANY

_OID, _TEXT, _NAME, _BOOL, _INT4, _INT8 = types.OID, types.TEXT, types.NAME, types.BOOL, types.INT4, types.INT8
_REGCLASS, _NODE_TREE = types.REGCLASS, types.PG_NODE_TREE


def _session_builtin(args: tuple[types.PgType, ...], result: types.PgType, fn: Implementation, **kw: Any) -> Builtin:
    return Builtin(args, result, lambda arg_types: fn, session=True, **kw)


# --- describing objects -------------------------------------------------------------------


def _index_def(oid: int, column: int = 0, pretty: bool = False) -> str | None:
    index = next((i for i in objects.INDEXES if i.oid == oid), None)
    if index is None:
        return None
    if column:
        return objects.ATTRIBUTES[index.column - 1].name if column == 1 else ""
    return index_definition(index, pretty)


def _constraint_def(oid: int, pretty: bool = False) -> str | None:
    if oid != objects.ACTORS_PKEY_CONSTRAINT:
        return None
    return f"PRIMARY KEY ({objects.ATTRIBUTES[objects.PRIMARY_KEY.column - 1].name})"


def _user_name(session: Session, oid: int) -> str:
    """pg_get_userbyid: "unknown (OID=n)" for a role that does not exist."""
    return roles.role_name(session, oid) or f"unknown (OID={oid})"


def _visible(namespace: int | None) -> bool | None:
    """pg_*_is_visible: NULL for an OID that names nothing, else whether its schema is searched."""
    return None if namespace is None else namespace in (objects.PG_CATALOG, objects.PUBLIC)


def _table_visible(oid: int) -> bool | None:
    found = names.relations().get(oid)
    return _visible(None if found is None else found[0])


def _type_visible(oid: int) -> bool | None:
    found = type_rows().get(oid)
    return _visible(None if found is None else found["typnamespace"])


def _collation_visible(oid: int) -> bool | None:
    found = [row["collnamespace"] for row in server.collations() if row["oid"] == oid]
    return _visible(found[0] if found else None)


def _function_visible(oid: int) -> bool | None:
    return None if procs.function(oid) is None else True  # every function is in pg_catalog


def _function_arguments(oid: int) -> str | None:
    row = procs.function(oid)
    if row is None:
        return None
    argument_names = row["proargnames"] or []
    texts = []
    for i, type_oid in enumerate(row["proargtypes"]):
        name = argument_names[i] if i < len(argument_names) and argument_names[i] else None
        variadic = "VARIADIC " if row["provariadic"] and i == len(row["proargtypes"]) - 1 else ""
        texts.append(f"{variadic}{name + ' ' if name else ''}{format_type(type_oid)}")
    return ", ".join(texts)


def _function_result(oid: int) -> str | None:
    row = procs.function(oid)
    if row is None:
        return None
    result = format_type(row["prorettype"]) or "???"
    return f"SETOF {result}" if row["proretset"] else result


# --- privileges: the session user is a superuser ------------------------------------------

_TABLE_PRIVILEGES = frozenset(("select", "insert", "update", "delete", "truncate", "references", "trigger"))
_SCHEMA_PRIVILEGES = frozenset(("create", "usage"))
_DATABASE_PRIVILEGES = frozenset(("create", "connect", "temporary", "temp"))


def _check_privileges(text: str, allowed: frozenset[str]) -> None:
    for word in text.split(","):
        privilege = word.strip().lower().removesuffix(" with grant option").strip()
        if privilege not in allowed:
            raise errors.PgError(errors.INVALID_PARAMETER_VALUE, f'unrecognized privilege type: "{word.strip()}"')


def _privilege(allowed: frozenset[str], find: Callable[[str], int], exists: Callable[[int], bool]) -> list[Builtin]:
    """has_*_privilege's six forms: ([user,] object, privilege), user and object by name or OID.
    A named object must exist (its lookup's error); an OID that names nothing gives NULL."""

    def by_name(obj: str, privilege: str) -> bool:
        find(obj)
        _check_privileges(privilege, allowed)
        return True

    def by_oid(obj: int, privilege: str) -> bool | None:
        _check_privileges(privilege, allowed)
        return True if exists(obj) else None

    def user_name(user: str, obj: Any, privilege: str) -> Any:
        return by_name(obj, privilege) if isinstance(obj, str) else by_oid(obj, privilege)

    return [
        _builtin((_NAME, _TEXT, _TEXT), _BOOL, user_name),
        _builtin((_NAME, _OID, _TEXT), _BOOL, user_name),
        _builtin((_OID, _TEXT, _TEXT), _BOOL, user_name),
        _builtin((_OID, _OID, _TEXT), _BOOL, user_name),
        _builtin((_TEXT, _TEXT), _BOOL, by_name),
        _builtin((_OID, _TEXT), _BOOL, by_oid),
    ]


def _find_database(name: str) -> int:
    """Any name stands for the one database (the session's own name is not at hand here)."""
    return objects.DATABASE


# --- sizes ----------------------------------------------------------------------------------


def _sizes(session: Session) -> dict[str, int]:
    server = session.server
    return dict(server.relation_sizes()) if server is not None else {}


def _relation_size(session: Session, oid: int, fork: str = "main") -> int | None:
    found = names.relations().get(oid)
    if found is None:
        return None
    return _sizes(session).get(found[1], 0) if fork == "main" else 0


def _indexes_size(session: Session, oid: int) -> int | None:
    if oid not in names.relations():
        return None
    sizes = _sizes(session)
    return sum(sizes.get(i.name, 0) for i in objects.INDEXES) if oid == objects.ACTORS else 0


def _total_size(session: Session, oid: int) -> int | None:
    table = _relation_size(session, oid)
    return None if table is None else table + (_indexes_size(session, oid) or 0)


def _database_size(session: Session, database: Any) -> int:
    return sum(_sizes(session).values())


# pg_size_pretty's units: name, the limit below which a value is shown in it, whether it is
# rounded (half away from zero), and its power of two (PostgreSQL 15's size_pretty_units).
_SIZE_UNITS = (("bytes", 10 * 1024, False, 0),) + tuple(
    (name, 20 * 1024 - 1, True, bits) for name, bits in (("kB", 10), ("MB", 20), ("GB", 30), ("TB", 40), ("PB", 50))
)


def _size_pretty(size: int | Decimal) -> str:
    """pg_size_pretty: the largest unit below its limit; one extra bit is kept for rounding."""
    value = int(size)
    for number, (name, limit, rounded, bits) in enumerate(_SIZE_UNITS):
        last = number == len(_SIZE_UNITS) - 1
        if last or abs(value) < limit:
            if rounded:
                value = int((value + (1 if value >= 0 else -1)) / 2)
            return f"{value} {name}"
        following = _SIZE_UNITS[number + 1]
        shift = following[3] - bits - int(following[2]) + int(rounded)
        value = int(value / (1 << shift))  # C's division: toward zero
    raise AssertionError


# --- settings and the session ------------------------------------------------------------------


def _current_setting(session: Session, name: str, missing_ok: bool = False) -> str | None:
    try:
        return session.show(name)
    except errors.PgError:
        if missing_ok:
            return None
        raise


def _set_config(session: Session, name: str | None, value: str | None, is_local: bool | None) -> str:
    if name is None:
        raise errors.PgError(errors.NULL_VALUE_NOT_ALLOWED, "SET requires parameter name")
    session.set(name, value)
    return session.show(name)


def _current_schemas(session: Session, implicit: bool) -> list[str]:
    """The schemas of search_path that exist, pg_catalog first when ``implicit``."""
    listed = [part.strip().strip('"') for part in session.show("search_path").split(",")]
    existing = [name for name in listed if name in objects.NAMESPACES.values() and name != "pg_catalog"]
    return (["pg_catalog"] if implicit else []) + existing


_xids = itertools.count(750)


def _transaction_id(session: Session) -> int:
    """txid_current: an id the transaction keeps until it ends (taken when first asked for)."""
    transaction = session.transaction
    if transaction is None:
        return next(_xids)
    if transaction.xid is None:
        transaction.xid = next(_xids)
    return transaction.xid


def _start_time(session: Session) -> Any:
    return session.server.started if session.server is not None else session.activity.backend_start


def _to_reg(type_: types.PgType) -> Callable[[str], int | None]:
    """to_regclass and friends: the OID, or NULL where the cast would fail."""

    def lookup(text: str) -> int | None:
        try:
            return type_.text_in(text)
        except errors.PgError:
            return None

    return lookup


def _encoding_name(encoding: int) -> str:
    return {0: "SQL_ASCII", 6: "UTF8"}.get(encoding, "")


def _serial_sequence(table: str, column: str) -> None:
    oid = _REGCLASS.text_in(table)
    if oid == objects.ACTORS and column not in {a.name for a in objects.ATTRIBUTES}:
        raise errors.PgError(
            errors.UNDEFINED_COLUMN, f'column "{column}" of relation "{objects.TABLE_NAME}" does not exist'
        )
    return None


def _nothing(*args: Any) -> None:
    return None


_PRIVILEGE_TABLES = _privilege(_TABLE_PRIVILEGES, _REGCLASS.text_in, lambda oid: oid in names.relations())
_PRIVILEGE_SCHEMAS = _privilege(_SCHEMA_PRIVILEGES, types.REGNAMESPACE.text_in, lambda oid: oid in objects.NAMESPACES)
_PRIVILEGE_DATABASES = _privilege(_DATABASE_PRIVILEGES, _find_database, lambda oid: oid == objects.DATABASE)
_SIZE_OF = [_session_builtin((_REGCLASS,), _INT8, _relation_size)]
_EVERYTHING_ALLOWED = [
    _builtin((_NAME, _TEXT, _TEXT), _BOOL, lambda *args: True),
    _builtin((_TEXT, _TEXT), _BOOL, lambda *args: True),
    _builtin((_OID, _TEXT), _BOOL, lambda *args: True),
]

CATALOG_FUNCTIONS: dict[str, list[Builtin]] = {
    "format_type": [
        _builtin(
            (_OID, _INT4), _TEXT, lambda oid, typmod: None if oid is None else format_type(oid, typmod), strict=False
        )
    ],
    "pg_get_indexdef": [
        _builtin((_OID,), _TEXT, _index_def),
        _builtin((_OID, _INT4, _BOOL), _TEXT, _index_def),
    ],
    "pg_get_constraintdef": [
        _builtin((_OID,), _TEXT, _constraint_def),
        _builtin((_OID, _BOOL), _TEXT, _constraint_def),
    ],
    "pg_get_expr": [
        _builtin((_NODE_TREE, _OID), _TEXT, lambda tree, relid: node_tree.deparse(tree)),
        _builtin((_NODE_TREE, _OID, _BOOL), _TEXT, lambda tree, relid, pretty: node_tree.deparse(tree)),
    ],
    "pg_get_userbyid": [_session_builtin((_OID,), _NAME, _user_name)],
    "pg_table_is_visible": [_builtin((_OID,), _BOOL, _table_visible)],
    "pg_type_is_visible": [_builtin((_OID,), _BOOL, _type_visible)],
    "pg_function_is_visible": [_builtin((_OID,), _BOOL, _function_visible)],
    "pg_collation_is_visible": [_builtin((_OID,), _BOOL, _collation_visible)],
    "pg_get_function_arguments": [_builtin((_OID,), _TEXT, _function_arguments)],
    "pg_get_function_identity_arguments": [_builtin((_OID,), _TEXT, _function_arguments)],
    "pg_get_function_result": [_builtin((_OID,), _TEXT, _function_result)],
    # Nothing here has a comment, a partition key, extended statistics or a sequence.
    "obj_description": [_builtin((_OID, _NAME), _TEXT, _nothing), _builtin((_OID,), _TEXT, _nothing)],
    "col_description": [_builtin((_OID, _INT4), _TEXT, _nothing)],
    "shobj_description": [_builtin((_OID, _NAME), _TEXT, _nothing)],
    "pg_get_partkeydef": [_builtin((_OID,), _TEXT, _nothing)],
    "pg_get_statisticsobjdef_columns": [_builtin((_OID,), _TEXT, _nothing)],
    "pg_get_serial_sequence": [_builtin((_TEXT, _TEXT), _TEXT, _serial_sequence)],
    "has_table_privilege": _PRIVILEGE_TABLES,
    "has_schema_privilege": _PRIVILEGE_SCHEMAS,
    "has_database_privilege": _PRIVILEGE_DATABASES,
    "has_column_privilege": _EVERYTHING_ALLOWED,
    "has_any_column_privilege": _EVERYTHING_ALLOWED,
    "has_function_privilege": _EVERYTHING_ALLOWED,
    "has_sequence_privilege": _EVERYTHING_ALLOWED,
    "pg_has_role": _EVERYTHING_ALLOWED,
    "pg_encoding_to_char": [_builtin((_INT4,), _NAME, _encoding_name)],
    "pg_char_to_encoding": [_builtin((_NAME,), _INT4, lambda name: {"SQL_ASCII": 0, "UTF8": 6}.get(name.upper(), -1))],
    "pg_encoding_max_length": [_builtin((_INT4,), _INT4, lambda encoding: 4 if encoding == 6 else 1)],
    "pg_relation_size": [*_SIZE_OF, _session_builtin((_REGCLASS, _TEXT), _INT8, _relation_size)],
    "pg_table_size": _SIZE_OF,
    "pg_indexes_size": [_session_builtin((_REGCLASS,), _INT8, _indexes_size)],
    "pg_total_relation_size": [_session_builtin((_REGCLASS,), _INT8, _total_size)],
    "pg_database_size": [
        _session_builtin((_NAME,), _INT8, _database_size),
        _session_builtin((_OID,), _INT8, _database_size),
    ],
    "pg_size_pretty": [_builtin((_INT8,), _TEXT, _size_pretty), _builtin((types.NUMERIC,), _TEXT, _size_pretty)],
    "pg_tablespace_location": [_builtin((_OID,), _TEXT, lambda oid: "")],
    "current_setting": [
        _session_builtin((_TEXT,), _TEXT, _current_setting),
        _session_builtin((_TEXT, _BOOL), _TEXT, _current_setting),
    ],
    "set_config": [_session_builtin((_TEXT, _TEXT, _BOOL), _TEXT, _set_config, strict=False)],
    "current_schemas": [_session_builtin((_BOOL,), types.ARRAY_OF[_NAME], _current_schemas)],
    "quote_ident": [_builtin((_TEXT,), _TEXT, quote_ident)],
    "pg_is_other_temp_schema": [_builtin((_OID,), _BOOL, lambda oid: False)],
    "pg_relation_is_publishable": [_builtin((_REGCLASS,), _BOOL, lambda oid: oid == objects.ACTORS)],
    "to_regclass": [_builtin((_TEXT,), _REGCLASS, _to_reg(_REGCLASS))],
    "to_regtype": [_builtin((_TEXT,), types.REGTYPE, _to_reg(types.REGTYPE))],
    "to_regproc": [_builtin((_TEXT,), types.REGPROC, _to_reg(types.REGPROC))],
    "to_regnamespace": [_builtin((_TEXT,), types.REGNAMESPACE, _to_reg(types.REGNAMESPACE))],
    "to_regrole": [_builtin((_TEXT,), types.REGROLE, _to_reg(types.REGROLE))],
    "pg_typeof": [Builtin((ANY,), types.REGTYPE, lambda arg_types: lambda value: arg_types[0].oid, strict=False)],
    "row_security_active": [_builtin((_TEXT,), _BOOL, lambda table: False), _builtin((_OID,), _BOOL, lambda t: False)],
}

CATALOG_NO_ARGUMENT_FUNCTIONS = {
    "pg_postmaster_start_time": (types.TIMESTAMPTZ, _start_time),
    "pg_conf_load_time": (types.TIMESTAMPTZ, _start_time),
    "pg_is_in_recovery": (_BOOL, lambda session: False),
    "txid_current": (_INT8, _transaction_id),
    "pg_current_xact_id": (types.BY_NAME["xid8"], _transaction_id),
    "pg_my_temp_schema": (_OID, lambda session: 0),
    "inet_client_addr": (types.INET, lambda s: _address(s.activity.client_addr)),
    "inet_client_port": (_INT4, lambda s: s.activity.client_port),
    "inet_server_addr": (types.INET, lambda s: _address(s.activity.server_addr)),
    "inet_server_port": (_INT4, lambda s: s.activity.server_port),
}


def _address(text: str | None) -> Any:
    return None if text is None else types.INET.text_in(text)


BUILTINS.update(CATALOG_FUNCTIONS)
NO_ARGUMENT_FUNCTIONS.update(CATALOG_NO_ARGUMENT_FUNCTIONS)
# pg_proc lists the functions the SQL layer has.


def _implemented() -> Iterable[str]:
    """The functions, aggregates and set-returning functions the query engine runs (imported
    here, when pg_proc is first read: those modules import the expression compiler, which imports this)."""
    from orbit_pg.sql import aggregates, set_functions

    return itertools.chain(BUILTINS, NO_ARGUMENT_FUNCTIONS, aggregates.AGGREGATES, set_functions.NAMES)


procs.set_implemented(_implemented)
