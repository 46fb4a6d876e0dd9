"""Built-in functions: name → (result type, implementation taking the session).

Only what clients send on connect for now; the SQL issue adds the scalar and JSONB ones.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from orbit_pg import types
from orbit_pg.session import Session, version_string

Function = tuple[types.PgType, Callable[[Session], Any]]

NO_ARGUMENT_FUNCTIONS: dict[str, Function] = {
    "version": (types.TEXT, lambda s: version_string()),
    "current_database": (types.NAME, lambda s: s.database),
    "current_catalog": (types.NAME, lambda s: s.database),
    "current_schema": (types.NAME, lambda s: "public"),
    "current_user": (types.NAME, lambda s: s.user),
    "current_role": (types.NAME, lambda s: s.user),
    "user": (types.NAME, lambda s: s.user),
    "session_user": (types.NAME, lambda s: s.user),
    "pg_backend_pid": (types.INT4, lambda s: s.process_id),
}
