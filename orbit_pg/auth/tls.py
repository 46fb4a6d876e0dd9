"""TLS for the SSLRequest upgrade: the server certificate and key (and CA for client
certificates) turned into Twisted's context factory, plus what channel binding needs."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from OpenSSL import crypto
from twisted.internet import ssl

# ALPN protocol name PostgreSQL 17 registered (clients that send ALPN offer this).
ALPN_POSTGRESQL = b"postgresql"


@dataclass(frozen=True)
class TlsSettings:
    context_factory: Any  # twisted.internet.ssl.CertificateOptions
    certificate_hash: bytes  # tls-server-end-point channel binding data (RFC 5929)
    client_certificates: bool  # a CA was given: client certificates are asked for and verified


def certificate_hash(certificate: x509.Certificate) -> bytes:
    """RFC 5929: the certificate hashed with its signature's hash, SHA-256 where that is MD5 or SHA-1."""
    try:
        algorithm = certificate.signature_hash_algorithm
    except Exception:  # noqa: BLE001 - algorithms without a separate hash (Ed25519)
        algorithm = None
    if algorithm is None or isinstance(algorithm, hashes.MD5 | hashes.SHA1):
        algorithm = hashes.SHA256()
    digest = hashes.Hash(algorithm)
    digest.update(certificate.public_bytes(serialization.Encoding.DER))
    return digest.finalize()


def load(cert_path: str | Path, key_path: str | Path, ca_path: str | Path | None = None) -> TlsSettings:
    """Read the PEM files (the certificate file may carry intermediates after the server's)."""
    chain = x509.load_pem_x509_certificates(Path(cert_path).read_bytes())
    key = serialization.load_pem_private_key(Path(key_path).read_bytes(), password=None)
    authorities = x509.load_pem_x509_certificates(Path(ca_path).read_bytes()) if ca_path else []
    options = ssl.CertificateOptions(
        privateKey=crypto.PKey.from_cryptography_key(key),  # type: ignore[arg-type]
        certificate=crypto.X509.from_cryptography(chain[0]),
        extraCertChain=[crypto.X509.from_cryptography(c) for c in chain[1:]],
        verify=bool(authorities),
        caCerts=[crypto.X509.from_cryptography(c) for c in authorities] or None,
        requireCertificate=False,
        raiseMinimumTo=ssl.TLSVersion.TLSv1_2,
        acceptableProtocols=[ALPN_POSTGRESQL],
    )
    return TlsSettings(options, certificate_hash(chain[0]), bool(authorities))


def client_common_name(transport: Any) -> str | None:
    """The CN of the certificate the client presented (verified against the CA), if any."""
    get_certificate = getattr(transport, "getPeerCertificate", None)
    certificate = get_certificate() if get_certificate is not None else None
    if certificate is None:
        return None
    common_name: str | None = certificate.get_subject().commonName
    return common_name
