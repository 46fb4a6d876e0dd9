"""Host-based access rules, a subset of PostgreSQL's ``pg_hba.conf``: first match wins.

One rule a line, ``#`` starts a comment, fields separated by white space::

    # TYPE     DATABASE   USER        ADDRESS         METHOD
    hostssl    all        all         0.0.0.0/0       scram-sha-256
    host       actors     alice,bob   10.0.0.0/8      md5
    host       all        all         127.0.0.1/32    trust
    hostnossl  all        all         all             reject

TYPE is ``host`` (with or without TLS), ``hostssl`` (TLS only), ``hostnossl`` (without TLS) or
``local`` (Unix-domain sockets: accepted, but orbit-pg listens on TCP only, so it never matches).
DATABASE and USER are ``all`` or comma-separated names (DATABASE also ``sameuser``); ADDRESS is
``all``, a CIDR block, or one address; METHOD is ``trust``, ``reject``, ``scram-sha-256``,
``md5``, ``password`` or ``cert`` (a client certificate whose CN is the user name).
"""

from __future__ import annotations

import ipaddress
import shlex
from dataclasses import dataclass
from pathlib import Path

from orbit_pg import errors

CONNECTION_TYPES = ("local", "host", "hostssl", "hostnossl")
METHODS = ("trust", "reject", "scram-sha-256", "md5", "password", "cert")
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class HbaError(ValueError):
    """A rule the server cannot use: it refuses to start, naming the line."""


@dataclass(frozen=True)
class Rule:
    connection_type: str
    databases: frozenset[str]  # empty: all
    users: frozenset[str]  # empty: all
    network: Network | None  # None: all addresses
    method: str
    line: int = 0
    same_user: bool = False

    def matches(self, host: str, user: str, database: str, tls: bool) -> bool:
        if self.connection_type == "local":
            return False
        if self.connection_type == "hostssl" and not tls:
            return False
        if self.connection_type == "hostnossl" and tls:
            return False
        if self.network is not None:
            address = _address(host)
            if address is None or address.version != self.network.version or address not in self.network:
                return False
        if (self.databases or self.same_user) and not (
            database in self.databases or (self.same_user and database == user)
        ):
            return False
        return not self.users or user in self.users


def _address(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        address = ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _names(field: str) -> tuple[frozenset[str], bool]:
    names = {name for name in field.split(",") if name}
    same_user = "sameuser" in names
    if "all" in names:
        return frozenset(), False
    return frozenset(names - {"sameuser"}), same_user


def parse_rules(text: str) -> list[Rule]:
    rules = []
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        try:
            fields = shlex.split(line)
        except ValueError as exc:
            raise HbaError(f"line {number}: {exc}") from None
        connection_type = fields[0]
        if connection_type not in CONNECTION_TYPES:
            raise HbaError(f'line {number}: invalid connection type "{connection_type}"')
        expected = 4 if connection_type == "local" else 5
        if len(fields) != expected:
            raise HbaError(f"line {number}: expected {expected} fields (options are not supported), got {len(fields)}")
        databases, same_user = _names(fields[1])
        users, _ = _names(fields[2])
        network = None
        if connection_type != "local" and fields[3] != "all":
            try:
                network = ipaddress.ip_network(fields[3], strict=False)
            except ValueError:
                raise HbaError(f'line {number}: invalid IP address "{fields[3]}"') from None
        method = fields[-1]
        if method not in METHODS:
            raise HbaError(f'line {number}: invalid authentication method "{method}"')
        rules.append(Rule(connection_type, databases, users, network, method, number, same_user))
    return rules


def load_rules(path: str | Path) -> list[Rule]:
    try:
        return parse_rules(Path(path).read_text())
    except OSError as exc:
        raise HbaError(f"could not read {path}: {exc.strerror}") from None


# With no file: loopback only. The method is decided per connection (see methods.default_method).
DEFAULT_METHOD = "default"
LOOPBACK_RULES = [
    Rule("host", frozenset(), frozenset(), ipaddress.ip_network("127.0.0.0/8"), DEFAULT_METHOD),
    Rule("host", frozenset(), frozenset(), ipaddress.ip_network("::1/128"), DEFAULT_METHOD),
]


def _where(host: str, user: str, database: str, tls: bool) -> str:
    return f'host "{host}", user "{user}", database "{database}", {"SSL encryption" if tls else "no encryption"}'


def find_method(rules: list[Rule], host: str, user: str, database: str, tls: bool) -> str:
    """The first matching rule's method; no match or ``reject`` is PostgreSQL's FATAL 28000."""
    for rule in rules:
        if rule.matches(host, user, database, tls):
            if rule.method == "reject":
                raise errors.fatal(
                    errors.INVALID_AUTHORIZATION_SPECIFICATION,
                    f"pg_hba.conf rejects connection for {_where(host, user, database, tls)}",
                )
            return rule.method
    raise errors.fatal(
        errors.INVALID_AUTHORIZATION_SPECIFICATION,
        f"no pg_hba.conf entry for {_where(host, user, database, tls)}",
    )
