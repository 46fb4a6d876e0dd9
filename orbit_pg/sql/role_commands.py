"""Plans for CREATE/ALTER/DROP ROLE and GRANT/REVOKE on the actors table.

Role changes are written to the catalog when the statement runs, not at COMMIT: unlike
PostgreSQL they are not undone by ROLLBACK (see docs/security.md)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from orbit_pg import errors, types
from orbit_pg.auth import passwords
from orbit_pg.auth.privileges import Access
from orbit_pg.auth.roles import TABLE_PRIVILEGES, Role, undefined_role
from orbit_pg.sql import ast, relation
from orbit_pg.sql.expressions import Compiler, Context, Eval, Params, Scope, coerce
from orbit_pg.sql.plan import Result, Runner

if TYPE_CHECKING:
    from orbit_pg.sql.executor import Executor

# Table privileges PostgreSQL knows; only TABLE_PRIVILEGES are ever checked here.
ACCEPTED_PRIVILEGES = frozenset(TABLE_PRIVILEGES) | {"TRUNCATE", "REFERENCES", "TRIGGER"}
_RESERVED = "42939"  # reserved_name
_OBJECT_IN_USE = "55006"


def _access(executor: Executor) -> Access:
    if executor.access is None:
        raise errors.PgError(errors.FEATURE_NOT_SUPPORTED, "roles are not available here")
    return executor.access


def _result(tag: str, notices: list[errors.PgError] | None = None) -> Result:

    return Result(tag, notices=notices or [])


def _options(options: list[tuple[str, Any]], params: Params) -> tuple[dict[str, bool], Eval | None, bool]:
    """Flags set, the password's value (read when the plan runs), and whether PASSWORD was given."""
    flags: dict[str, bool] = {}
    password: Eval | None = None
    has_password = False
    seen = set()
    for name, value in options:
        if name in seen:
            raise errors.PgError(errors.SYNTAX_ERROR, "conflicting or redundant options")
        seen.add(name)
        if name == "password":
            has_password = True
            if value is not None:
                password = coerce(Compiler(Scope(), params).compile(value), types.TEXT, value.loc).fn
        else:
            flags[name] = value
    return flags, password, has_password


def _stored(password: Eval | None, ctx: Context, user: str, notices: list[errors.PgError]) -> passwords.StoredPassword:
    text = password(None, ctx) if password is not None else None
    if text == "":
        notices.append(
            errors.PgError("00000", "empty string is not a valid password, clearing password", severity="NOTICE")
        )
        text = None
    return passwords.StoredPassword() if text is None else passwords.store_password(text, user)


def _check_name(name: str) -> None:
    if name in ("public", "none"):
        raise errors.PgError(_RESERVED, f'role name "{name}" is reserved')
    if name.startswith("pg_"):
        raise errors.PgError(
            _RESERVED, f'role name "{name}" is reserved', detail='Role names starting with "pg_" are reserved.'
        )


def plan_create_role(stmt: ast.CreateRoleStmt, params: Params) -> tuple[None, Runner]:
    flags, password, _ = _options(stmt.options, params)

    def run(executor: Executor, ctx: Context) -> Result:
        access = _access(executor)
        access.require_superuser("permission denied to create role")
        _check_name(stmt.name)
        notices: list[errors.PgError] = []
        access.roles.create(
            Role(
                stmt.name,
                superuser=flags.get("superuser", False),
                login=flags.get("login", stmt.is_user),
                password=_stored(password, ctx, stmt.name, notices),
            )
        )
        return _result("CREATE ROLE", notices)

    return None, run


def plan_alter_role(stmt: ast.AlterRoleStmt, params: Params) -> tuple[None, Runner]:
    flags, password, has_password = _options(stmt.options, params)

    def run(executor: Executor, ctx: Context) -> Result:
        access = _access(executor)
        own_password = stmt.name == access.user and not flags
        if not own_password:
            access.require_superuser("permission denied")
        role = access.roles.get(stmt.name)
        if role is None:
            raise undefined_role(stmt.name)
        changes: dict[str, Any] = {k: v for k, v in flags.items() if k in ("superuser", "login")}
        notices: list[errors.PgError] = []
        if has_password:
            changes["password"] = _stored(password, ctx, stmt.name, notices)
        access.roles.update(stmt.name, **changes)
        return _result("ALTER ROLE", notices)

    return None, run


def plan_drop_role(stmt: ast.DropRoleStmt, params: Params) -> tuple[None, Runner]:
    def run(executor: Executor, ctx: Context) -> Result:
        access = _access(executor)
        access.require_superuser("permission denied to drop role")
        notices = []
        for name in stmt.names:
            role = access.roles.get(name)
            if role is None:
                if not stmt.missing_ok:
                    raise undefined_role(name)
                notices.append(errors.PgError("00000", f'role "{name}" does not exist, skipping', severity="NOTICE"))
                continue
            if name == access.user:
                raise errors.PgError(_OBJECT_IN_USE, "current user cannot be dropped")
            if role.table_privileges:
                raise errors.PgError(
                    "2BP01",
                    f'role "{name}" cannot be dropped because some objects depend on it',
                    detail="privileges for table actors",
                )
            access.roles.drop(name)
        return _result("DROP ROLE", notices)

    return None, run


def plan_grant(stmt: ast.GrantStmt, params: Params) -> tuple[None, Runner]:
    for table in stmt.objects:
        try:
            relation.resolve(table)
        except errors.PgError as error:
            error.position = None  # PostgreSQL's GRANT names the relation without a position
            raise
    privileges = frozenset(TABLE_PRIVILEGES if stmt.privileges is None else stmt.privileges)
    tag = "GRANT" if stmt.is_grant else "REVOKE"

    def run(executor: Executor, ctx: Context) -> Result:
        access = _access(executor)
        roles = [access.roles.get(name) for name in stmt.grantees]
        for name, role in zip(stmt.grantees, roles, strict=True):
            if role is None:
                raise undefined_role(name)
        unknown = sorted(privileges - ACCEPTED_PRIVILEGES)
        if unknown:
            raise errors.PgError(errors.SYNTAX_ERROR, f'unrecognized privilege type "{unknown[0].lower()}"')
        if not access.superuser:
            # Only the owner (the bootstrap superuser) holds the grant option on actors.
            if stmt.is_grant:
                warning = errors.PgError("01007", 'no privileges were granted for "actors"', severity="WARNING")
            else:
                warning = errors.PgError("01006", 'no privileges could be revoked for "actors"', severity="WARNING")
            return _result(tag, [warning])
        for role in roles:
            assert role is not None
            held = role.table_privileges | privileges if stmt.is_grant else role.table_privileges - privileges
            access.roles.update(role.name, table_privileges=held)
        return _result(tag)

    return None, run


PLANNERS: dict[type, Callable[[Any, Params], tuple[None, Runner]]] = {
    ast.CreateRoleStmt: plan_create_role,
    ast.AlterRoleStmt: plan_alter_role,
    ast.DropRoleStmt: plan_drop_role,
    ast.GrantStmt: plan_grant,
}
