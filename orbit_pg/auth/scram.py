"""The server side of a SCRAM-SHA-256 exchange (RFC 5802/7677) as PostgreSQL runs it
(``auth-scram.c``): the user name in the SCRAM messages is ignored (the startup packet's is
used), and channel binding is ``tls-server-end-point``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets

from orbit_pg import errors
from orbit_pg.auth.passwords import SCRAM_ITERATIONS, SCRAM_SALT_LENGTH, ScramVerifier

SCRAM_SHA_256 = "SCRAM-SHA-256"
SCRAM_SHA_256_PLUS = "SCRAM-SHA-256-PLUS"
CHANNEL_BINDING_TYPE = "tls-server-end-point"
_NONCE_BYTES = 18  # SCRAM_RAW_NONCE_LEN


def _malformed(detail: str) -> errors.PgError:
    return errors.fatal(errors.PROTOCOL_VIOLATION, "malformed SCRAM message", detail=detail)


def mock_verifier(user: str, secret: bytes) -> ScramVerifier:
    """For a user that does not exist or has no SCRAM secret: an exchange that looks the same
    (a salt that stays the same per name) and then fails, so nobody learns which names exist."""
    salt = hmac.new(secret, user.encode(), hashlib.sha256).digest()[:SCRAM_SALT_LENGTH]
    return ScramVerifier(SCRAM_ITERATIONS, salt, secrets.token_bytes(32), secrets.token_bytes(32))


class ScramExchange:
    """One SCRAM exchange: ``first`` answers the client-first-message, ``final`` the
    client-final-message; ``final`` returns the server-final-message only if the proof holds."""

    def __init__(self, mechanism: str, verifier: ScramVerifier, certificate_hash: bytes | None) -> None:
        self.mechanism = mechanism
        self.verifier = verifier
        # tls-server-end-point's data: the hash of our certificate, when TLS is on.
        self.certificate_hash = certificate_hash
        self._gs2_header = ""
        self._client_first_bare = ""
        self._server_first = ""
        self._nonce = ""

    def first(self, message: bytes) -> bytes:
        text = _ascii(message)
        flag, _, rest = text.partition(",")
        if flag.startswith("p="):
            if flag[2:] != CHANNEL_BINDING_TYPE:
                raise errors.fatal(errors.PROTOCOL_VIOLATION, f'unsupported SCRAM channel-binding type "{flag[2:]}"')
            if self.mechanism != SCRAM_SHA_256_PLUS:
                raise _malformed(
                    "The client selected SCRAM-SHA-256 without channel binding, but the SCRAM message "
                    "includes channel binding data."
                )
        elif flag in ("n", "y"):
            if self.mechanism == SCRAM_SHA_256_PLUS:
                raise _malformed(
                    "The client selected SCRAM-SHA-256-PLUS, but the SCRAM message does not include "
                    "channel binding data."
                )
            if flag == "y" and self.certificate_hash is not None:
                raise errors.fatal(
                    errors.INVALID_AUTHORIZATION_SPECIFICATION,
                    "SCRAM channel binding negotiation error",
                    detail="The client supports SCRAM channel binding but thinks the server does not.  "
                    "However, this server does support channel binding.",
                )
        else:
            raise _malformed(f'Unexpected channel-binding flag "{flag[:1]}".')
        authzid, sep, bare = rest.partition(",")
        if not sep:
            raise _malformed("Comma expected, but found end of string.")
        if authzid:
            raise errors.fatal(
                errors.FEATURE_NOT_SUPPORTED, "client uses authorization identity, but it is not supported"
            )
        self._gs2_header = f"{flag},,"
        attributes = bare.split(",")
        if bare.startswith("m="):
            raise errors.fatal(errors.FEATURE_NOT_SUPPORTED, "client requires an unsupported SCRAM extension")
        if len(attributes) < 2 or not attributes[0].startswith("n=") or not attributes[1].startswith("r="):
            raise _malformed("Expected attributes n= and r=.")
        client_nonce = attributes[1][2:]
        if not client_nonce or any(not 0x21 <= ord(c) <= 0x7E or c == "," for c in client_nonce):
            raise _malformed("The client nonce is not valid.")
        self._client_first_bare = bare
        self._nonce = client_nonce + base64.b64encode(secrets.token_bytes(_NONCE_BYTES)).decode()
        salt = base64.b64encode(self.verifier.salt).decode()
        self._server_first = f"r={self._nonce},s={salt},i={self.verifier.iterations}"
        return self._server_first.encode()

    def final(self, message: bytes) -> bytes | None:
        """The server-final-message, or None when the proof is wrong (the password, or no such user)."""
        text = _ascii(message)
        without_proof, sep, proof_text = text.rpartition(",p=")
        if not sep:
            raise _malformed("Could not find proof in client-final-message.")
        attributes = without_proof.split(",")
        if len(attributes) < 2 or not attributes[0].startswith("c=") or not attributes[1].startswith("r="):
            raise _malformed("Expected attributes c= and r=.")
        binding = _b64decode(attributes[0][2:], "Invalid channel-binding data.")
        expected = self._gs2_header.encode()
        if self._gs2_header.startswith("p="):
            assert self.certificate_hash is not None
            if binding != expected + self.certificate_hash:
                raise errors.fatal(errors.INVALID_AUTHORIZATION_SPECIFICATION, "SCRAM channel binding check failed")
        elif binding != expected:
            raise errors.fatal(
                errors.PROTOCOL_VIOLATION, "unexpected SCRAM channel-binding attribute in client-final-message"
            )
        if attributes[1][2:] != self._nonce:
            raise _malformed("Nonce does not match.")
        proof = _b64decode(proof_text, "Malformed proof in client-final-message.")
        if len(proof) != 32:
            raise _malformed("Malformed proof in client-final-message.")
        auth_message = f"{self._client_first_bare},{self._server_first},{without_proof}".encode()
        signature = hmac.new(self.verifier.stored_key, auth_message, hashlib.sha256).digest()
        client_key = bytes(a ^ b for a, b in zip(proof, signature, strict=True))
        if not hmac.compare_digest(hashlib.sha256(client_key).digest(), self.verifier.stored_key):
            return None
        server_signature = hmac.new(self.verifier.server_key, auth_message, hashlib.sha256).digest()
        return b"v=" + base64.b64encode(server_signature)


def _ascii(message: bytes) -> str:
    try:
        return message.decode("ascii")
    except UnicodeDecodeError:
        raise _malformed("The message contains characters that are not printable ASCII.") from None


def _b64decode(text: str, detail: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise _malformed(detail) from None
