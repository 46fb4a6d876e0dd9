"""What a statement needs to be allowed (PostgreSQL's ``ExecCheckPermissions``) and what
the session's role holds; checked each time a plan runs, since plans are shared by roles."""

from __future__ import annotations

from orbit_pg import errors
from orbit_pg.auth.roles import Role, Roles
from orbit_pg.sql import ast
from orbit_pg.sql.relation import ACTORS_NAME

INSUFFICIENT_PRIVILEGE = "42501"
_NONE: frozenset[str] = frozenset()
_SELECT = frozenset({"SELECT"})


def _reads_actors(node: ast.Node | list[ast.Node] | None) -> bool:
    return any(
        isinstance(n, ast.RangeVar) and n.name == ACTORS_NAME and n.schema in (None, "public") for n in ast.walk(node)
    )


def _reads_columns(node: object) -> bool:
    return any(isinstance(n, ast.ColumnRef) for n in ast.walk(node))


def required_privileges(stmt: ast.Node) -> frozenset[str]:
    """The table privileges on actors a statement uses: reading a column (WHERE, RETURNING,
    a right-hand side, another scan of actors) needs SELECT too, as in PostgreSQL."""
    if isinstance(stmt, ast.InsertStmt):
        needed = {"INSERT"}
        conflict = stmt.on_conflict
        if conflict is not None and conflict.action == "update":
            needed.add("UPDATE")
        if (
            _reads_actors([stmt.rows, stmt.select])
            or stmt.returning
            or (conflict is not None and _reads_columns([conflict.where, [n for _, _, n in conflict.assignments]]))
        ):
            needed.add("SELECT")
        return frozenset(needed)
    if isinstance(stmt, ast.UpdateStmt):
        reads = stmt.returning or stmt.from_tables or _reads_columns([stmt.where, [n for _, _, n in stmt.assignments]])
        return frozenset({"UPDATE"}) | (_SELECT if reads else _NONE)
    if isinstance(stmt, ast.DeleteStmt):
        reads = stmt.returning or stmt.using or _reads_columns(stmt.where)
        return frozenset({"DELETE"}) | (_SELECT if reads else _NONE)
    if isinstance(stmt, ast.SelectStmt) and _reads_actors(stmt):
        return _SELECT
    return _NONE


def permission_denied(message: str) -> errors.PgError:
    return errors.PgError(INSUFFICIENT_PRIVILEGE, message)


class Access:
    """The session's role, looked up when asked: a GRANT or REVOKE counts from the next statement."""

    def __init__(self, roles: Roles, user: str) -> None:
        self.roles = roles
        self.user = user
        # A session that began while no role existed keeps the superuser rights it was given.
        self.bootstrap = not roles

    def role(self) -> Role | None:
        return self.roles.get(self.user)

    @property
    def superuser(self) -> bool:
        if self.bootstrap or not self.roles:
            return True
        role = self.role()
        return role is not None and role.superuser

    def check_table(self, privileges: frozenset[str]) -> None:
        if self.superuser:
            return
        role = self.role()
        held = role.table_privileges if role is not None else _NONE
        if not privileges <= held:
            raise permission_denied(f"permission denied for table {ACTORS_NAME}")

    def require_superuser(self, message: str) -> None:
        if not self.superuser:
            raise permission_denied(message)
