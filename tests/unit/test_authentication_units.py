"""Authentication pieces without sockets: stored password forms, access rules, startup options,
and the SCRAM exchange through the protocol harness (with scramp as the client)."""

from __future__ import annotations

import ipaddress
import struct

import pytest
import scramp
from protocol_harness import Connection, error_fields, startup, typed

from orbit_pg import errors
from orbit_pg.auth import hba, passwords
from orbit_pg.auth.roles import CATALOG_NAME, Role, Roles
from orbit_pg.protocol import PostgresServerFactory, _command_line_options


def test_scram_verifier_round_trips_and_checks_a_password() -> None:
    verifier = passwords.scram_verifier("pencil", salt=b"0123456789abcdef", iterations=4096)
    text = verifier.encode()
    assert text.startswith("SCRAM-SHA-256$4096:MDEyMzQ1Njc4OWFiY2RlZg==$")
    assert passwords.parse_scram_verifier(text) == verifier
    assert passwords.parse_scram_verifier("SCRAM-SHA-256$x") is None


def test_stored_forms() -> None:
    stored = passwords.store_password("secret", "alice")
    assert stored.md5 == "md5" + __import__("hashlib").md5(b"secretalice").hexdigest()
    assert stored.scram is not None and "secret" not in stored.scram
    # Already hashed, as psql's \password sends it: kept as given.
    assert passwords.store_password(stored.scram, "alice") == passwords.StoredPassword(scram=stored.scram)
    assert passwords.store_password(stored.md5, "alice") == passwords.StoredPassword(md5=stored.md5)


def test_saslprep_maps_spaces_and_keeps_what_it_cannot_prepare() -> None:
    assert passwords.saslprep("a\u00a0b\u00adc") == "a bc"
    assert passwords.saslprep("\u0007bell") == "\u0007bell"


RULES = """
# comment
hostssl  actors      alice,bob  10.0.0.0/8      scram-sha-256
host     sameuser    all        127.0.0.1/32    md5   # trailing comment
hostnossl all        all        ::1/128         trust
host     all         all        all             reject
local    all         all                        trust
"""


def test_hba_first_match_wins() -> None:
    rules = hba.parse_rules(RULES)
    assert [r.line for r in rules] == [3, 4, 5, 6, 7]
    assert rules[0].network == ipaddress.ip_network("10.0.0.0/8")
    assert hba.find_method(rules, "10.1.2.3", "alice", "actors", tls=True) == "scram-sha-256"
    assert hba.find_method(rules, "127.0.0.1", "carol", "carol", tls=False) == "md5"
    assert hba.find_method(rules, "::ffff:127.0.0.1", "carol", "carol", tls=False) == "md5"
    assert hba.find_method(rules, "::1", "x", "y", tls=False) == "trust"
    with pytest.raises(errors.PgError) as caught:
        hba.find_method(rules, "10.1.2.3", "alice", "actors", tls=False)
    assert caught.value.sqlstate == "28000"
    assert caught.value.message == (
        'pg_hba.conf rejects connection for host "10.1.2.3", user "alice", database "actors", no encryption'
    )
    with pytest.raises(errors.PgError, match='no pg_hba.conf entry for host "1.2.3.4", user "a", database "b", SSL'):
        hba.find_method(rules[:3], "1.2.3.4", "a", "b", tls=True)


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("hots all all all trust", 'invalid connection type "hots"'),
        ("host all all 10.0.0.300/8 trust", 'invalid IP address "10.0.0.300/8"'),
        ("host all all all ident", 'invalid authentication method "ident"'),
        ("host all all all", "expected 5 fields"),
    ],
)
def test_hba_errors_name_the_line(line: str, message: str) -> None:
    with pytest.raises(hba.HbaError, match=f"line 2: {message}"):
        hba.parse_rules("# first\n" + line)


def test_startup_options_split_as_postgresql_does() -> None:
    """pg_split_opts: backslash escapes, quotes are plain characters (an unbalanced one crashed shlex)."""
    assert _command_line_options(r"-c search_path=a\ b --DateStyle=ISO -cwork_mem=1MB") == {
        "search_path": "a b",
        "DateStyle": "ISO",
        "work_mem": "1MB",
    }
    assert _command_line_options("-c x='y") == {"x": "'y"}


@pytest.fixture
def scram_factory(factory: PostgresServerFactory) -> PostgresServerFactory:
    Roles(factory.store.catalog(CATALOG_NAME)).create(
        Role("alice", login=True, password=passwords.store_password("pencil", "alice"))
    )
    return factory


def _sasl_initial(mechanism: str, data: str) -> bytes:
    payload = data.encode()
    return typed(b"p", mechanism.encode() + b"\x00" + struct.pack("!i", len(payload)) + payload)


def _scram_login(factory: PostgresServerFactory, user: str, password: str) -> list[tuple[str, bytes]]:
    conn = Connection(factory)
    replies = conn.send(startup(user=user, database="actors"))
    assert replies[0][0] == "R" and struct.unpack("!i", replies[0][1][:4])[0] == 10
    assert replies[0][1][4:] == b"SCRAM-SHA-256\x00\x00"  # no -PLUS without TLS
    client = scramp.ScramClient(["SCRAM-SHA-256"], user, password)
    replies = conn.send(_sasl_initial("SCRAM-SHA-256", client.get_client_first()))
    assert struct.unpack("!i", replies[0][1][:4])[0] == 11
    client.set_server_first(replies[0][1][4:].decode())
    replies = conn.send(typed(b"p", client.get_client_final().encode()))
    if replies[0][0] == "R":
        client.set_server_final(replies[0][1][4:].decode())  # raises if the server's signature is wrong
    return replies


def test_scram_exchange(scram_factory: PostgresServerFactory) -> None:
    replies = _scram_login(scram_factory, "alice", "pencil")
    assert [t for t, _ in replies][:2] == ["R", "R"]
    assert replies[1][1] == b"\x00\x00\x00\x00"  # AuthenticationOk after SASLFinal
    assert replies[-1] == ("Z", b"I")


@pytest.mark.parametrize(("user", "password"), [("alice", "wrong"), ("nobody", "pencil")])
def test_scram_failure_is_the_same_for_a_wrong_password_and_an_unknown_user(
    scram_factory: PostgresServerFactory, user: str, password: str
) -> None:
    (reply,) = _scram_login(scram_factory, user, password)
    fields = error_fields(reply[1])
    assert (fields["S"], fields["C"], fields["M"]) == (
        "FATAL",
        "28P01",
        f'password authentication failed for user "{user}"',
    )


def test_a_message_other_than_a_password_during_authentication(scram_factory: PostgresServerFactory) -> None:
    conn = Connection(scram_factory)
    conn.send(startup(user="alice", database="actors"))
    (reply,) = conn.send(typed(b"Q", b"SELECT 1\x00"))
    assert error_fields(reply[1])["M"] == "expected SASL response, got message type 81"
