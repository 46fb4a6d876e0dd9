"""Names ↔ OIDs for the OID alias types (regclass, regtype, regproc, regprocedure, regnamespace,
regrole), with PostgreSQL's errors; visibility follows the default search path (pg_catalog, public)."""

from __future__ import annotations

from orbit_pg import errors
from orbit_pg.catalog import TABLES, objects, procs, roles
from orbit_pg.catalog.format import format_type, quote_ident
from orbit_pg.catalog.proc_data import SUPPORT_FUNCTIONS as PROSUPPORT
from orbit_pg.catalog.type_data import SUPPORT_FUNCTIONS
from orbit_pg.catalog.typedefs import type_rows

_VISIBLE = (objects.PG_CATALOG, objects.PUBLIC)
_SCHEMA_OIDS = {name: oid for oid, name in objects.NAMESPACES.items()}


def split_name(text: str) -> list[str]:
    """A possibly qualified, possibly quoted name, as stringToQualifiedNameList splits it."""
    parts: list[str] = []
    i, n = 0, len(text)
    while True:
        if i < n and text[i] == '"':
            end = i + 1
            word = ""
            while True:
                close = text.find('"', end)
                if close < 0:
                    raise errors.PgError("42602", "invalid name syntax")
                word += text[end:close]
                if text[close + 1 : close + 2] == '"':
                    word += '"'
                    end = close + 2
                    continue
                i = close + 1
                break
        else:
            end = text.find(".", i)
            end = n if end < 0 else end
            word = text[i:end].strip().lower()
            if not word:
                raise errors.PgError("42602", "invalid name syntax")
            i = end
        parts.append(word)
        if i >= n:
            return parts
        if text[i] != ".":
            raise errors.PgError("42602", "invalid name syntax")
        i += 1


def relations() -> dict[int, tuple[int, str]]:
    """OID → (namespace, name) of every relation pg_class lists."""
    found = {objects.ACTORS: (objects.PUBLIC, objects.TABLE_NAME)}
    found.update((index.oid, (objects.PUBLIC, index.name)) for index in objects.INDEXES)
    found.update((t.oid, (_SCHEMA_OIDS[t.schema], t.name)) for t in TABLES.values())
    return found


def _qualified(namespace: int, name: str) -> str:
    if namespace in _VISIBLE:
        return quote_ident(name)
    return f"{quote_ident(objects.NAMESPACES[namespace])}.{quote_ident(name)}"


def _find(kind: str, text: str, candidates: dict[int, tuple[int, str]], missing: errors.PgError) -> int:
    parts = split_name(text)
    if len(parts) > 2:
        raise errors.PgError(errors.FEATURE_NOT_SUPPORTED, f"cross-database references are not implemented: {text}")
    if len(parts) == 2:
        schema = _SCHEMA_OIDS.get(parts[0])
        if schema is None:
            raise errors.PgError("3F000", f'schema "{parts[0]}" does not exist')
        spaces: tuple[int, ...] = (schema,)
    else:
        spaces = _VISIBLE
    for namespace in spaces:
        for oid, (where, name) in candidates.items():
            if where == namespace and name == parts[-1]:
                return oid
    raise missing


class CatalogNames:
    """The lookup the alias types use (``types.system.NameLookup``)."""

    def oid_of(self, kind: str, name: str) -> int:
        if kind == "regclass":
            missing = errors.PgError(errors.UNDEFINED_TABLE, f'relation "{name}" does not exist')
            return _find(kind, name, relations(), missing)
        if kind == "regtype":
            return type_oid(name)
        if kind == "regnamespace":
            oid = _SCHEMA_OIDS.get(split_name(name)[0]) if len(split_name(name)) == 1 else None
            if oid is None:
                raise errors.PgError("3F000", f'schema "{name}" does not exist')
            return oid
        if kind == "regrole":
            found = [r.oid for r in roles.roles(None) if r.name == split_name(name)[0] and r.oid != 10]
            if not found:
                raise errors.PgError(errors.UNDEFINED_OBJECT, f'role "{name}" does not exist')
            return found[0]
        if kind == "regproc":
            target = split_name(name)[-1]
            matches = [row["oid"] for row in procs.functions() if row["proname"] == target]
            if not matches and target in SUPPORT_FUNCTIONS:  # a type's input/output function
                matches = [SUPPORT_FUNCTIONS[target]]
            if not matches:
                raise errors.PgError(errors.UNDEFINED_FUNCTION, f'function "{name}" does not exist')
            if len(matches) > 1:
                raise errors.PgError(errors.AMBIGUOUS_FUNCTION, f'more than one function named "{name}"')
            return matches[0]
        raise errors.PgError(errors.FEATURE_NOT_SUPPORTED, f"{kind} names are not supported")

    def name_of(self, kind: str, oid: int) -> str | None:
        if kind == "regclass":
            found = relations().get(oid)
            return None if found is None else _qualified(*found)
        if kind == "regtype":
            return format_type(oid) if oid in type_rows() else None
        if kind == "regnamespace":
            name = objects.NAMESPACES.get(oid)
            return None if name is None else quote_ident(name)
        if kind == "regrole":
            return roles.role_name(None, oid) if oid != objects.BOOTSTRAP_SUPERUSER else None
        if kind in ("regproc", "regprocedure"):
            return procedure_name(oid, kind == "regprocedure")
        return None


def procedure_name(oid: int, with_arguments: bool) -> str | None:
    """regprocout / regprocedureout: the name, or name(argument types)."""
    row = next((row for row in procs.functions() if row["oid"] == oid), None)
    if row is None:
        return PROSUPPORT.get(oid) or _SUPPORT_NAMES.get(oid)
    if not with_arguments:
        return row["proname"]
    arguments = ",".join(format_type(t) or "???" for t in row["proargtypes"])
    return f"{row['proname']}({arguments})"


def type_oid(text: str) -> int:
    """regtypein: a type's SQL name (``integer``, ``character varying``, ``text[]``) or typname."""
    name = text.strip()
    array = name.endswith("[]")
    base = name[:-2].strip() if array else name
    rows = type_rows()
    lowered = base.lower()
    oid = _SQL_SPELLINGS.get(lowered)
    if oid is None:
        parts = split_name(base)
        namespaces = (_SCHEMA_OIDS.get(parts[0], -1),) if len(parts) == 2 else _VISIBLE
        oid = next((o for o, r in rows.items() if r["typname"] == parts[-1] and r["typnamespace"] in namespaces), None)
    if oid is not None and array:
        oid = rows[oid]["typarray"] or None
    if oid is None:
        raise errors.PgError(errors.UNDEFINED_OBJECT, f'type "{text}" does not exist')
    return oid


# The SQL spellings regtypein accepts besides typnames (the grammar's type names).
_SQL_SPELLINGS = {
    "boolean": 16,
    "character": 1042,
    "char": 1042,
    "character varying": 1043,
    "varchar": 1043,
    "real": 700,
    "double precision": 701,
    "float": 701,
    "smallint": 21,
    "int": 23,
    "integer": 23,
    "bigint": 20,
    "decimal": 1700,
    "dec": 1700,
    "time": 1083,
    "time without time zone": 1083,
    "time with time zone": 1266,
    "timestamp": 1114,
    "timestamp without time zone": 1114,
    "timestamp with time zone": 1184,
}
_SUPPORT_NAMES = {oid: name for name, oid in SUPPORT_FUNCTIONS.items()}

LOOKUP = CatalogNames()
