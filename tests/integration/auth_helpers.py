"""Helpers for the authentication tests: a server with roles and access rules, a test CA,
and a TCP proxy that records every byte between a client and the server."""

from __future__ import annotations

import datetime
import ipaddress
import shutil
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from orbit_pg.testing import LOCALHOST, OrbitServer

PSQL = Path("/usr/lib/postgresql/15/bin/psql")


def psql_path() -> str | None:
    return str(PSQL) if PSQL.exists() else shutil.which("psql")


def admin(data_dir: Path, *args: str, password: str | None = None) -> None:
    """Run ``orbitpg-admin`` (as ``python -m orbit_pg.admin``), feeding the password on stdin."""
    command = [sys.executable, "-m", "orbit_pg.admin", "-d", str(data_dir), *args]
    if password is not None:
        command.append("--password-stdin")
    subprocess.run(command, input=(password or "") + "\n", text=True, check=True, timeout=30)


@contextmanager
def server_with_rules(tmp_path: Path, rules: str, *extra: str) -> Iterator[OrbitServer]:
    """orbit-pg on a data directory in ``tmp_path`` with these hba rules (roles added before)."""
    hba = tmp_path / "hba.conf"
    hba.write_text(rules)
    with OrbitServer(tmp_path / "data", ["--hba", str(hba), *extra]) as server:
        yield server


@dataclass(frozen=True)
class TlsFiles:
    ca: Path
    cert: Path
    key: Path
    client_cert: Path
    client_key: Path


def make_tls_files(directory: Path, client_name: str = "alice") -> TlsFiles:
    """A CA, a server certificate for localhost / 127.0.0.1 it signed, and a client certificate."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    now = datetime.datetime.now(datetime.timezone.utc)

    def name(common_name: str) -> x509.Name:
        return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])

    def key_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
        return key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )

    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = (
        x509.CertificateBuilder()
        .subject_name(name("orbit-pg test CA"))
        .issuer_name(name("orbit-pg test CA"))
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .sign(ca_key, hashes.SHA256())
    )

    def issue(common_name: str, server: bool) -> tuple[bytes, bytes]:
        key = ec.generate_private_key(ec.SECP256R1())
        builder = (
            x509.CertificateBuilder()
            .subject_name(name(common_name))
            .issuer_name(ca.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=30))
            # RFC 5280's key identifiers: Python 3.13's default context verifies strictly (VERIFY_X509_STRICT).
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        )
        if server:
            builder = builder.add_extension(
                x509.SubjectAlternativeName(
                    [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address(LOCALHOST))]
                ),
                critical=False,
            )
        cert = builder.sign(ca_key, hashes.SHA256())
        return cert.public_bytes(serialization.Encoding.PEM), key_pem(key)

    files = TlsFiles(*(directory / n for n in ("ca.crt", "server.crt", "server.key", "client.crt", "client.key")))
    files.ca.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    cert, key = issue("localhost", server=True)
    files.cert.write_bytes(cert)
    files.key.write_bytes(key)
    cert, key = issue(client_name, server=False)
    files.client_cert.write_bytes(cert)
    files.client_key.write_bytes(key)
    for path in (files.key, files.client_key):
        path.chmod(0o600)  # libpq refuses a client key others can read
    return files


class RecordingProxy:
    """Listens on a port and relays each connection to the server, keeping every byte in both directions."""

    def __init__(self, port: int) -> None:
        self.target = port
        self.listener = socket.create_server((LOCALHOST, 0))
        self.port = self.listener.getsockname()[1]
        self.recorded = bytearray()
        self._lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            upstream = socket.create_connection((LOCALHOST, self.target))
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                with self._lock:
                    self.recorded += data
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def close(self) -> None:
        self.listener.close()
