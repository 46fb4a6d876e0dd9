"""Roles (PostgreSQL's ``pg_authid``) and their privileges on the actors table (its ACL).

Kept in the LMDB environment's ``pg_authid`` catalog, one JSON record per role, and held in
memory as well: a privilege check runs with every statement and must cost a dict lookup.
With no role at all, the server behaves as before roles existed: everyone is a superuser.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field, replace

from orbit_pg import errors
from orbit_pg.auth.passwords import StoredPassword
from orbit_pg.storage.base import Catalog

# The privileges a table has, in the order PostgreSQL's GRANT ALL names them.
TABLE_PRIVILEGES = ("SELECT", "INSERT", "UPDATE", "DELETE")
CATALOG_NAME = "pg_authid"


@dataclass(frozen=True)
class Role:
    name: str
    superuser: bool = False
    login: bool = False
    password: StoredPassword = field(default_factory=StoredPassword)
    table_privileges: frozenset[str] = frozenset()  # on actors

    def encode(self) -> bytes:
        record = asdict(self)
        record["table_privileges"] = sorted(self.table_privileges)
        return json.dumps(record).encode()

    @classmethod
    def decode(cls, data: bytes) -> Role:
        record = json.loads(data)
        record["password"] = StoredPassword(**record["password"])
        record["table_privileges"] = frozenset(record["table_privileges"])
        return cls(**record)


def undefined_role(name: str) -> errors.PgError:
    return errors.PgError(errors.UNDEFINED_OBJECT, f'role "{name}" does not exist')


class Roles:
    """Every role, read once at start and written through on each change."""

    def __init__(self, catalog: Catalog) -> None:
        self._catalog = catalog
        self._roles: dict[str, Role] = {}
        self.reload()

    def reload(self) -> None:
        """Read the catalog again: ``orbitpg-admin`` may have changed it from another process."""
        self._roles = {name: Role.decode(data) for name, data in self._catalog.items()}

    def __bool__(self) -> bool:
        return bool(self._roles)

    def get(self, name: str) -> Role | None:
        return self._roles.get(name)

    def __iter__(self) -> Iterator[Role]:
        return iter(list(self._roles.values()))

    def create(self, role: Role) -> None:
        if role.name in self._roles:
            raise errors.PgError("42710", f'role "{role.name}" already exists')
        self.put(role)

    def put(self, role: Role) -> None:
        self._catalog.put(role.name, role.encode())
        self._roles[role.name] = role

    def update(self, name: str, **changes: object) -> Role:
        role = self._roles.get(name)
        if role is None:
            raise undefined_role(name)
        role = replace(role, **changes)  # type: ignore[arg-type]
        self.put(role)
        return role

    def drop(self, name: str) -> None:
        if name not in self._roles:
            raise undefined_role(name)
        self._catalog.delete(name)
        del self._roles[name]
