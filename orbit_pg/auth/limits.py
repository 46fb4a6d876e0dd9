"""Connection limits, as PostgreSQL's ``max_connections``, ``superuser_reserved_connections``
and ``authentication_timeout``."""

from __future__ import annotations

from dataclasses import dataclass

from orbit_pg import errors

TOO_MANY_CONNECTIONS = "53300"


def too_many_clients() -> errors.PgError:
    return errors.fatal(TOO_MANY_CONNECTIONS, "sorry, too many clients already")


@dataclass
class Limits:
    max_connections: int = 100
    superuser_reserved_connections: int = 3
    authentication_timeout: float = 60.0  # seconds from connecting to AuthenticationOk

    def check_backend(self, backends: int) -> None:
        """At the startup packet; ``backends``: the connections already past theirs."""
        if backends >= self.max_connections:
            raise too_many_clients()

    def check_reserved(self, backends: int, superuser: bool) -> None:
        """After authentication (``backends`` counts this one): the last slots are kept for superusers."""
        if not superuser and self.max_connections - backends < self.superuser_reserved_connections:
            raise errors.fatal(
                TOO_MANY_CONNECTIONS,
                "remaining connection slots are reserved for non-replication superuser connections",
            )
