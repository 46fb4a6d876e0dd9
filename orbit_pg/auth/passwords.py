"""Stored password forms, as PostgreSQL keeps them in ``pg_authid.rolpassword``.

A SCRAM-SHA-256 verifier (``SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>``, RFC 5803)
and an MD5 hash (``md5`` + md5(password + user)); the plain password is never stored.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import stringprep
import unicodedata
from dataclasses import dataclass

SCRAM_ITERATIONS = 4096  # PostgreSQL's scram_iterations default
SCRAM_SALT_LENGTH = 16
SCRAM_PREFIX = "SCRAM-SHA-256$"
MD5_PREFIX = "md5"


def _hmac(key: bytes, data: bytes) -> bytes:
    return hmac.new(key, data, hashlib.sha256).digest()


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def saslprep(password: str) -> str:
    """RFC 4013 SASLprep as PostgreSQL's pg_saslprep applies it: a password that is not valid
    SASLprep input is used as it is, so any password still works."""
    mapped = "".join(" " if stringprep.in_table_c12(c) else c for c in password if not stringprep.in_table_b1(c))
    normalized = unicodedata.normalize("NFKC", mapped)
    prohibited = (
        stringprep.in_table_c12,
        stringprep.in_table_c21_c22,
        stringprep.in_table_c3,
        stringprep.in_table_c4,
        stringprep.in_table_c5,
        stringprep.in_table_c6,
        stringprep.in_table_c7,
        stringprep.in_table_c8,
        stringprep.in_table_c9,
        stringprep.in_table_a1,
    )
    if any(check(c) for c in normalized for check in prohibited):
        return password
    if any(stringprep.in_table_d1(c) for c in normalized):
        if not (stringprep.in_table_d1(normalized[0]) and stringprep.in_table_d1(normalized[-1])):
            return password
        if any(stringprep.in_table_d2(c) for c in normalized):
            return password
    return normalized


@dataclass(frozen=True)
class ScramVerifier:
    iterations: int
    salt: bytes
    stored_key: bytes
    server_key: bytes

    def encode(self) -> str:
        return f"{SCRAM_PREFIX}{self.iterations}:{_b64(self.salt)}${_b64(self.stored_key)}:{_b64(self.server_key)}"


def salted_password(password: str, salt: bytes, iterations: int) -> bytes:
    return hashlib.pbkdf2_hmac("sha256", saslprep(password).encode(), salt, iterations)


def scram_verifier(password: str, salt: bytes | None = None, iterations: int = SCRAM_ITERATIONS) -> ScramVerifier:
    salt = secrets.token_bytes(SCRAM_SALT_LENGTH) if salt is None else salt
    salted = salted_password(password, salt, iterations)
    stored_key = hashlib.sha256(_hmac(salted, b"Client Key")).digest()
    return ScramVerifier(iterations, salt, stored_key, _hmac(salted, b"Server Key"))


def parse_scram_verifier(text: str) -> ScramVerifier | None:
    """The verifier in ``text``, or None when it is not one (PostgreSQL's parse_scram_secret)."""
    if not text.startswith(SCRAM_PREFIX):
        return None
    try:
        params, keys = text[len(SCRAM_PREFIX) :].split("$")
        iterations, salt = params.split(":")
        stored_key, server_key = keys.split(":")
        verifier = ScramVerifier(
            int(iterations),
            base64.b64decode(salt, validate=True),
            base64.b64decode(stored_key, validate=True),
            base64.b64decode(server_key, validate=True),
        )
    except ValueError:
        return None
    if verifier.iterations < 1 or len(verifier.stored_key) != 32 or len(verifier.server_key) != 32:
        return None
    return verifier


def md5_hash(password: str, user: str) -> str:
    return MD5_PREFIX + hashlib.md5((password + user).encode()).hexdigest()


def is_md5_hash(text: str) -> bool:
    return len(text) == 35 and text.startswith(MD5_PREFIX) and all(c in "0123456789abcdef" for c in text[3:])


def md5_response(stored: str, salt: bytes) -> str:
    """What a client holding the password answers to AuthenticationMD5Password(salt)."""
    return MD5_PREFIX + hashlib.md5(stored[len(MD5_PREFIX) :].encode() + salt).hexdigest()


@dataclass(frozen=True)
class StoredPassword:
    """A role's password as kept: a SCRAM verifier, an MD5 hash, or both (a password given in
    clear gives both, so either method works; a pre-hashed one keeps just its own form)."""

    scram: str | None = None
    md5: str | None = None


def store_password(password: str, user: str) -> StoredPassword:
    """CREATE/ALTER ROLE ... PASSWORD: hashed forms are kept as given, as PostgreSQL does."""
    if parse_scram_verifier(password) is not None:
        return StoredPassword(scram=password)
    if is_md5_hash(password):
        return StoredPassword(md5=password)
    return StoredPassword(scram=scram_verifier(password).encode(), md5=md5_hash(password, user))


def constant_time_equal(a: bytes | str, b: bytes | str) -> bool:
    return hmac.compare_digest(a if isinstance(a, bytes) else a.encode(), b if isinstance(b, bytes) else b.encode())
