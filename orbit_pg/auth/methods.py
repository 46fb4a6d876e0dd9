"""Authentication methods: which exchange a connection goes through, and who it is afterwards.

PostgreSQL's ``auth.c``: the hba rule picks a method; password methods run an exchange of
Authentication requests and password messages before AuthenticationOk. A wrong password and
a user that does not exist fail the same way, after the same exchange (no user enumeration).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from orbit_pg import errors
from orbit_pg.auth import hba, passwords, scram
from orbit_pg.auth.roles import Role, Roles
from orbit_pg.wire import backend, frontend

INVALID_PASSWORD = "28P01"


def password_failed(user: str) -> errors.PgError:
    return errors.fatal(INVALID_PASSWORD, f'password authentication failed for user "{user}"')


@dataclass(frozen=True)
class Peer:
    """What the server knows of the other end before authentication."""

    host: str
    tls: bool = False
    certificate_hash: bytes | None = None  # tls-server-end-point data of our certificate
    client_common_name: str | None = None  # CN of a verified client certificate


class Exchange:
    """An authentication conversation: ``begin`` gives the first request, ``step`` answers each
    password message with (what to send, whether the client is now authenticated)."""

    def begin(self) -> bytes:
        raise NotImplementedError

    def step(self, body: bytes) -> tuple[bytes, bool]:
        raise NotImplementedError


class CleartextExchange(Exchange):
    def __init__(self, user: str, stored: passwords.StoredPassword | None) -> None:
        self.user = user
        self.stored = stored

    def begin(self) -> bytes:
        return backend.authentication(backend.AUTH_CLEARTEXT_PASSWORD)

    def step(self, body: bytes) -> tuple[bytes, bool]:
        password = frontend.decode_password(body)
        stored = self.stored
        if stored is not None and stored.scram is not None:
            verifier = passwords.parse_scram_verifier(stored.scram)
            assert verifier is not None
            computed = passwords.scram_verifier(password, verifier.salt, verifier.iterations)
            if passwords.constant_time_equal(computed.stored_key, verifier.stored_key):
                return b"", True
        elif stored is not None and stored.md5 is not None:
            if passwords.constant_time_equal(passwords.md5_hash(password, self.user), stored.md5):
                return b"", True
        raise password_failed(self.user)


class Md5Exchange(Exchange):
    def __init__(self, user: str, stored_md5: str | None) -> None:
        self.user = user
        self.stored_md5 = stored_md5
        self.salt = secrets.token_bytes(4)

    def begin(self) -> bytes:
        return backend.authentication(backend.AUTH_MD5_PASSWORD, self.salt)

    def step(self, body: bytes) -> tuple[bytes, bool]:
        response = frontend.decode_password(body)
        if self.stored_md5 is not None and passwords.constant_time_equal(
            response, passwords.md5_response(self.stored_md5, self.salt)
        ):
            return b"", True
        raise password_failed(self.user)


class SaslExchange(Exchange):
    """AuthenticationSASL, then SASLInitialResponse → SASLContinue, SASLResponse → SASLFinal."""

    def __init__(self, user: str, verifier: passwords.ScramVerifier | None, peer: Peer, mock_secret: bytes) -> None:
        self.user = user
        self.known = verifier is not None
        self.verifier = verifier if verifier is not None else scram.mock_verifier(user, mock_secret)
        self.peer = peer
        self.scram: scram.ScramExchange | None = None

    def begin(self) -> bytes:
        mechanisms = [scram.SCRAM_SHA_256]
        if self.peer.certificate_hash is not None:
            mechanisms.insert(0, scram.SCRAM_SHA_256_PLUS)
        return backend.authentication(backend.AUTH_SASL, b"".join(backend.cstring(m) for m in mechanisms) + b"\x00")

    def step(self, body: bytes) -> tuple[bytes, bool]:
        if self.scram is None:
            mechanism, data = frontend.decode_sasl_initial_response(body)
            offered = (
                (scram.SCRAM_SHA_256_PLUS, scram.SCRAM_SHA_256)
                if self.peer.certificate_hash
                else (scram.SCRAM_SHA_256,)
            )
            if mechanism not in offered:
                raise errors.fatal(
                    errors.PROTOCOL_VIOLATION, "client selected an invalid SASL authentication mechanism"
                )
            self.scram = scram.ScramExchange(mechanism, self.verifier, self.peer.certificate_hash)
            return backend.authentication(backend.AUTH_SASL_CONTINUE, self.scram.first(data)), False
        final = self.scram.final(body)
        if final is None or not self.known:
            raise password_failed(self.user)
        return backend.authentication(backend.AUTH_SASL_FINAL, final), True


def check_certificate(user: str, peer: Peer) -> None:
    """``cert``: the TLS handshake verified the client's certificate; its CN must be the user."""
    if peer.client_common_name is None:
        raise errors.fatal(errors.INVALID_AUTHORIZATION_SPECIFICATION, "connection requires a valid client certificate")
    if peer.client_common_name != user:
        raise errors.fatal(
            errors.INVALID_AUTHORIZATION_SPECIFICATION, f'certificate authentication failed for user "{user}"'
        )


class Authenticator:
    """Shared by all connections: the hba rules and the roles."""

    def __init__(self, roles: Roles, rules: list[hba.Rule] | None = None, cleartext_without_tls: bool = False) -> None:
        self.roles = roles
        self.rules = rules if rules is not None else hba.LOOPBACK_RULES
        self.cleartext_without_tls = cleartext_without_tls
        # Keys the made-up SCRAM salts of unknown users: the same name always gets the same salt.
        self.mock_secret = secrets.token_bytes(32)

    def describe(self) -> str:
        """The log line about the access rules in force."""
        if self.rules is hba.LOOPBACK_RULES:
            state = "trust (no roles are defined)" if not self.roles else "scram-sha-256 (roles are defined)"
            return f"no --hba file: accepting connections from loopback only, method {state}"
        return f"{len(self.rules)} access rules from the --hba file"

    def begin(self, peer: Peer, user: str, database: str) -> Exchange | None:
        """The exchange this connection must go through; None means it is trusted as it is."""
        self.roles.reload()
        method = hba.find_method(self.rules, peer.host, user, database, peer.tls)
        if method == hba.DEFAULT_METHOD:
            method = "scram-sha-256" if self.roles else "trust"
        if method == "trust":
            return None
        if method == "cert":
            check_certificate(user, peer)
            return None
        role = self.roles.get(user)
        stored = role.password if role is not None else None
        if method == "password":
            if not peer.tls and not self.cleartext_without_tls:
                raise errors.fatal(
                    errors.INVALID_AUTHORIZATION_SPECIFICATION,
                    "password authentication in clear text requires an SSL connection",
                    hint="Connect with TLS, or use scram-sha-256 in the --hba file.",
                )
            return CleartextExchange(user, stored)
        verifier = passwords.parse_scram_verifier(stored.scram) if stored and stored.scram else None
        if method == "md5" and verifier is None:
            return Md5Exchange(user, stored.md5 if stored else None)
        # md5 with a SCRAM verifier upgrades to SCRAM, as PostgreSQL does.
        return SaslExchange(user, verifier, peer, self.mock_secret)

    def authorize(self, user: str) -> Role | None:
        """After authentication: the role the session runs as (None: no roles exist, so a
        superuser as before roles existed); a missing role or one without LOGIN cannot connect."""
        if not self.roles:
            return None
        role = self.roles.get(user)
        if role is None:
            raise errors.fatal(errors.INVALID_AUTHORIZATION_SPECIFICATION, f'role "{user}" does not exist')
        if not role.login:
            raise errors.fatal(errors.INVALID_AUTHORIZATION_SPECIFICATION, f'role "{user}" is not permitted to log in')
        return role
