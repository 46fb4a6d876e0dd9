"""pg_authid, pg_roles, pg_user, pg_shadow: the session user as the bootstrap superuser, and
PostgreSQL 15's predefined roles. ``roles`` is the one place that lists them."""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from orbit_pg.catalog import objects
from orbit_pg.catalog.relation import relation


@dataclass(frozen=True, slots=True)
class Role:
    oid: int
    name: str
    superuser: bool = False
    login: bool = False


PREDEFINED = (
    Role(6171, "pg_database_owner"),
    Role(6181, "pg_read_all_data"),
    Role(6182, "pg_write_all_data"),
    Role(3373, "pg_monitor"),
    Role(3374, "pg_read_all_settings"),
    Role(3375, "pg_read_all_stats"),
    Role(3377, "pg_stat_scan_tables"),
    Role(4569, "pg_read_server_files"),
    Role(4570, "pg_write_server_files"),
    Role(4571, "pg_execute_server_program"),
    Role(4200, "pg_signal_backend"),
    Role(4544, "pg_checkpoint"),
)


def _stored_oid(name: str) -> int:
    """A stored role's OID: derived from its name, so the same on every start (roles keep no OID)."""
    return FIRST_ROLE_OID + zlib.crc32(name.encode()) % ROLE_OID_SPAN


FIRST_ROLE_OID = 100_000
ROLE_OID_SPAN = 1 << 30


def roles(session: Any) -> list[Role]:
    """Every role the catalogs show: the session's user as the bootstrap superuser (OID 10), the
    other roles CREATE ROLE stored, then the predefined roles. Without stored roles (trust
    authentication) the session user is a superuser."""
    user = session.user if session is not None else "postgres"
    server = session.server if session is not None else None
    stored = {name: (superuser, login) for name, superuser, login in server.stored_roles()} if server else {}
    superuser, login = stored.get(user, (True, True))
    found = [Role(objects.BOOTSTRAP_SUPERUSER, user, superuser, login)]
    found += [Role(_stored_oid(name), name, su, lg) for name, (su, lg) in sorted(stored.items()) if name != user]
    return [*found, *PREDEFINED]


def role_name(session: Any, oid: int) -> str | None:
    return next((role.name for role in roles(session) if role.oid == oid), None)


def _privileges(role: Role) -> dict[str, Any]:
    """A superuser as ``CREATE ROLE name SUPERUSER LOGIN`` makes one (a superuser may do all the rest)."""
    return {
        "rolsuper": role.superuser,
        "rolinherit": True,
        "rolcreaterole": False,
        "rolcreatedb": False,
        "rolcanlogin": role.login,
        "rolreplication": False,
        "rolbypassrls": False,
        "rolconnlimit": -1,
    }


def _authid(ctx: Any) -> Iterator[dict[str, Any]]:
    for role in roles(ctx.session):
        yield {"oid": role.oid, "rolname": role.name, **_privileges(role)}


def _roles(ctx: Any) -> Iterator[dict[str, Any]]:
    for role in roles(ctx.session):
        yield {"rolname": role.name, **_privileges(role), "rolpassword": "********", "oid": role.oid}


def _users(ctx: Any) -> Iterator[dict[str, Any]]:
    """pg_user and pg_shadow: the roles that can log in."""
    for role in roles(ctx.session):
        if role.login:
            yield {
                "usename": role.name,
                "usesysid": role.oid,
                "usecreatedb": False,
                "usesuper": role.superuser,
                "userepl": False,
                "usebypassrls": False,
                "passwd": "********",
            }


relation("pg_catalog", "pg_authid", _authid)
relation("pg_catalog", "pg_roles", _roles)
relation("pg_catalog", "pg_user", _users)
relation("pg_catalog", "pg_shadow", lambda ctx: ({**row, "passwd": None} for row in _users(ctx)))
relation("pg_catalog", "pg_auth_members")
relation("pg_catalog", "pg_group")
