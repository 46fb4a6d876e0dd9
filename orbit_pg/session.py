"""What a connection holds: its run-time parameters and its transaction.

Parameter names, defaults and which ones are reported with ParameterStatus (GUC_REPORT)
follow PostgreSQL 15; values are kept as the text ``SHOW`` prints.
"""

from __future__ import annotations

import functools
import re
import time
import zoneinfo
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Protocol

from orbit_pg import __version__, errors, notices
from orbit_pg.locks import Owner
from orbit_pg.storage.base import Snapshot
from orbit_pg.storage.writeset import WriteSet

SERVER_VERSION = "15.0"


@dataclass(frozen=True)
class Setting:
    name: str  # PostgreSQL's spelling, e.g. "DateStyle"
    default: str
    description: str
    kind: str = "string"  # string, bool, int, ms (time), kb (memory), readonly
    report: bool = False


_SETTINGS = [
    Setting("application_name", "", "Sets the application name to be reported in statistics and logs.", report=True),
    Setting("bytea_output", "hex", "Sets the output format for bytea."),
    Setting("client_encoding", "UTF8", "Sets the client's character set encoding.", report=True),
    Setting("client_min_messages", "notice", "Sets the message levels that are sent to the client."),
    Setting("DateStyle", "ISO, MDY", "Sets the display format for date and time values.", report=True),
    Setting("default_table_access_method", "heap", "Sets the default table access method for new tables."),
    Setting(
        "default_transaction_isolation",
        "read committed",
        "Sets the transaction isolation level of each new transaction.",
        "isolation",
    ),
    Setting(
        "default_transaction_deferrable",
        "off",
        "Sets the default deferrable status of new transactions.",
        "bool",
    ),
    Setting(
        "default_transaction_read_only", "off", "Sets the default read-only status of new transactions.", "bool", True
    ),
    Setting("extra_float_digits", "1", "Sets the number of digits displayed for floating-point values.", "int"),
    Setting(
        "idle_in_transaction_session_timeout",
        "0",
        "Sets the maximum allowed idle time between queries, when in a transaction.",
        "ms",
    ),
    Setting(
        "idle_session_timeout",
        "0",
        "Sets the maximum allowed idle time between queries, when not in a transaction.",
        "ms",
    ),
    Setting("in_hot_standby", "off", "Shows whether hot standby is currently active.", "readonly", True),
    Setting("integer_datetimes", "on", "Shows whether datetimes are integer based.", "readonly", True),
    Setting("IntervalStyle", "postgres", "Sets the display format for interval values.", report=True),
    Setting("is_superuser", "on", "Shows whether the current user is a superuser.", "readonly", True),
    Setting("lc_collate", "C", "Shows the collation order locale.", "readonly"),
    Setting("lc_ctype", "C", "Shows the character classification and case conversion locale.", "readonly"),
    Setting("lc_messages", "C", "Sets the language in which messages are displayed."),
    Setting("lc_monetary", "C", "Sets the locale for formatting monetary amounts."),
    Setting("lc_numeric", "C", "Sets the locale for formatting numbers."),
    Setting("lc_time", "C", "Sets the locale for formatting date and time values."),
    Setting("lock_timeout", "0", "Sets the maximum allowed duration of any wait for a lock.", "ms"),
    Setting("max_connections", "100", "Sets the maximum number of concurrent connections.", "readonly"),
    Setting("max_identifier_length", "63", "Shows the maximum identifier length.", "readonly"),
    Setting("search_path", '"$user", public', "Sets the schema search order for names that are not schema-qualified."),
    Setting("server_encoding", "UTF8", "Shows the server (database) character set encoding.", "readonly", True),
    Setting("server_version", SERVER_VERSION, "Shows the server version.", "readonly", True),
    Setting("server_version_num", "150000", "Shows the server version as an integer.", "readonly"),
    Setting("session_authorization", "", "Sets the session user name.", "readonly", True),
    Setting("standard_conforming_strings", "on", "Causes '...' strings to treat backslashes literally.", "bool", True),
    Setting("statement_timeout", "0", "Sets the maximum allowed duration of any statement.", "ms"),
    Setting("synchronous_commit", "on", "Sets the current transaction's synchronization level."),
    Setting("TimeZone", "Etc/UTC", "Sets the time zone for displaying and interpreting time stamps.", report=True),
    Setting("timezone_abbreviations", "Default", "Selects a file of time zone abbreviations."),
    Setting(
        "transaction_deferrable",
        "off",
        "Whether to defer a read-only serializable transaction until it can be executed with no possible "
        "serialization failures.",
        "bool",
    ),
    Setting("transaction_isolation", "read committed", "Sets the current transaction's isolation level.", "isolation"),
    Setting("transaction_read_only", "off", "Sets the current transaction's read-only status.", "bool"),
    Setting("work_mem", "4MB", "Sets the maximum memory to be used for query workspaces.", "kb"),
]
SETTINGS: dict[str, Setting] = {s.name.lower(): s for s in _SETTINGS}

ISOLATION_LEVELS = ("serializable", "repeatable read", "read committed", "read uncommitted")
# Characteristics of the current transaction: set afresh from their defaults when one starts.
TRANSACTION_MODES = {
    "transaction_isolation": "default_transaction_isolation",
    "transaction_read_only": "default_transaction_read_only",
    "transaction_deferrable": "default_transaction_deferrable",
}
_SYNCHRONOUS_COMMIT = {"local", "remote_write", "remote_apply", "on", "off", "true", "false", "yes", "no", "1", "0"}
_BOOL_WORDS = {"on": "on", "off": "off", "true": "on", "false": "off", "yes": "on", "no": "off", "1": "on", "0": "off"}
_TIME_UNITS = [("d", 86_400_000), ("h", 3_600_000), ("min", 60_000), ("s", 1000), ("ms", 1)]
_MEMORY_UNITS = [("TB", 1 << 30), ("GB", 1 << 20), ("MB", 1 << 10), ("kB", 1)]
_UNIT_VALUE = re.compile(r"\s*(-?\d+)\s*([A-Za-z]*)\s*$")
# Keyed by PostgreSQL's clean_encoding_name: lower case, letters and digits only ('utf-8' → utf8).
_ENCODINGS = {"utf8": "UTF8", "unicode": "UTF8", "sqlascii": "SQL_ASCII"}


def _format_units(amount: int, units: list[tuple[str, int]]) -> str:
    """PostgreSQL prints a unit setting in the largest unit that divides it exactly."""
    if amount == 0:
        return "0"
    for unit, size in units:
        if amount % size == 0:
            return f"{amount // size}{unit}"
    return str(amount)


def normalize(setting: Setting, value: str) -> str:
    """Check a value for a known setting and return the text SHOW prints for it."""

    def invalid(choices: Sequence[str] | None = None) -> errors.PgError:
        return errors.PgError(
            errors.INVALID_PARAMETER_VALUE,
            f'invalid value for parameter "{setting.name}": "{value}"',
            hint=None if choices is None else f"Available values: {', '.join(choices)}.",
        )

    if setting.kind == "bool":
        word = _BOOL_WORDS.get(value.strip().lower())
        if word is None:
            raise errors.PgError(errors.INVALID_PARAMETER_VALUE, f'parameter "{setting.name}" requires a Boolean value')
        return word
    if setting.kind == "isolation":
        level = value.strip().lower()
        if level not in ISOLATION_LEVELS:
            raise invalid(ISOLATION_LEVELS)
        return level
    if setting.kind == "int":
        try:
            return str(int(value))
        except ValueError:
            raise errors.PgError(
                errors.INVALID_PARAMETER_VALUE, f'invalid value for parameter "{setting.name}": "{value}"'
            ) from None
    if setting.kind in ("ms", "kb"):
        units = _TIME_UNITS if setting.kind == "ms" else _MEMORY_UNITS
        match = _UNIT_VALUE.match(value)
        sizes = dict(units)
        if not match or (match.group(2) and match.group(2) not in sizes):
            raise invalid()
        return _format_units(int(match.group(1)) * sizes.get(match.group(2), 1), units)
    lowered = setting.name.lower()
    if lowered == "synchronous_commit":
        word = value.strip().lower()
        if word not in _SYNCHRONOUS_COMMIT:
            raise invalid(("local", "remote_write", "remote_apply", "on", "off"))
        return _BOOL_WORDS.get(word, word)
    if lowered == "client_min_messages":
        return notices.client_min_messages(value)
    if lowered == "client_encoding":
        encoding = _ENCODINGS.get("".join(c for c in value.lower() if c.isalnum()))
        if encoding is None:
            raise invalid()
        return encoding
    if lowered == "timezone":
        try:
            zoneinfo.ZoneInfo(value)
        except (ValueError, zoneinfo.ZoneInfoNotFoundError):
            raise invalid() from None
        return value
    return value


@functools.lru_cache(maxsize=256)
def milliseconds(text: str) -> int:
    """A time setting's value (as SHOW prints it, say "1min") in milliseconds; remembered, as
    the timeouts are read at every statement and ReadyForQuery."""
    match = _UNIT_VALUE.match(text)
    assert match is not None, text
    return int(match.group(1)) * dict(_TIME_UNITS).get(match.group(2), 1)


def setting_text(values: list[tuple[str, str]], setting: Setting | None) -> str:
    """Join SET's value list as PostgreSQL does: items ", "-separated, words as written."""
    if setting is not None and setting.name == "search_path":
        return ", ".join(
            v if kind == "word" and re.fullmatch(r"[a-z_][a-z0-9_$]*", v) else _quote_ident(v) for kind, v in values
        )
    return ", ".join(v for _, v in values)


def _quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


@dataclass
class Savepoint:
    """What ROLLBACK TO restores: the write set (its undo mark), settings and locks as they
    were; cursors declared since are closed (``cursors``: those that existed)."""

    name: str
    writes: int
    values: dict[str, str]
    settings: tuple[dict[str, str | None], dict[str, str | None], set[str]]
    locks: int
    advisory: int  # transaction-level advisory locks taken before (len of session.advisory_xact)
    cursors: tuple[Any, ...]


@dataclass(slots=True)
class Transaction:
    """A transaction's private write set, applied to the store in one write at COMMIT."""

    # Made by the first write (``Transactions.write_set``): most transactions only read.
    writes: WriteSet | None = None
    explicit: bool = False  # inside BEGIN ... COMMIT
    failed: bool = False  # an error happened inside an explicit block
    started: datetime | None = None  # now(): taken when the transaction first asks for it
    # NOTIFY's (channel, payload) pairs in order, duplicates folded; LISTEN (True, channel) and
    # UNLISTEN (False, channel or None for *): all take effect at commit.
    notifies: dict[tuple[str, str], None] = field(default_factory=dict)
    listens: list[tuple[bool, str | None]] = field(default_factory=list)
    # Several statements of one simple Query: PostgreSQL's implicit transaction block.
    implicit_block: bool = False
    owner: Owner = field(default_factory=lambda: Owner(0))  # in the lock table
    # REPEATABLE READ and SERIALIZABLE read from one snapshot, taken by the first query;
    # ``snapshot_seq`` is the last commit it sees (for first-committer-wins).
    snapshot_taken: bool = False
    snapshot: Snapshot | None = None
    snapshot_seq: int = 0
    savepoints: list[Savepoint] = field(default_factory=list)
    # Undo for SET: each setting's value before the transaction changed it, the values
    # plain SET gave (they outlive COMMIT), and the settings whose last SET was LOCAL.
    prior: dict[str, str | None] = field(default_factory=dict)
    session_set: dict[str, str | None] = field(default_factory=dict)
    local: set[str] = field(default_factory=set)
    xid: int | None = None  # txid_current(): taken when the transaction first asks for it


# ReadyForQuery's status → pg_stat_activity.state between statements
_IDLE_STATES = {b"I": "idle", b"T": "idle in transaction", b"E": "idle in transaction (aborted)"}


@dataclass
class Activity:
    """What pg_stat_activity shows of a connection (PostgreSQL's PgBackendStatus)."""

    backend_start: datetime = field(default_factory=lambda: datetime.now(timezone.utc))
    client_addr: str | None = None
    client_port: int | None = None
    server_addr: str | None = None
    server_port: int | None = None
    state: str = "idle"
    query: str = ""
    # Seconds since the epoch: taken at every statement and every ReadyForQuery, where a
    # float is cheap and a datetime is not; pg_stat_activity reads them as timestamptz.
    query_started: float | None = None
    xact_started: float | None = None
    state_changed: float | None = None

    @property
    def query_start(self) -> datetime | None:
        return _moment(self.query_started)

    @property
    def xact_start(self) -> datetime | None:
        return _moment(self.xact_started)

    @property
    def state_change(self) -> datetime | None:
        return _moment(self.state_changed)

    def start(self, query: str) -> None:
        """A statement arrives: the connection is active (and in a transaction from now on)."""
        now = time.time()
        if self.xact_started is None:
            self.xact_started = now
        self.state, self.query, self.query_started, self.state_changed = "active", query, now, now

    def idle(self, status: bytes) -> None:
        """ReadyForQuery was sent with ``status`` (I, T or E)."""
        self.state = _IDLE_STATES[status]
        self.state_changed = time.time()
        if status == b"I":
            self.xact_started = None


def _moment(seconds: float | None) -> datetime | None:
    return None if seconds is None else datetime.fromtimestamp(seconds, timezone.utc)


class Server(Protocol):
    """What a session may know of the server it runs in (the catalogs show it)."""

    started: datetime

    def sessions(self) -> Iterable[Session]:
        """The sessions of every live connection."""
        ...

    def relation_sizes(self) -> Mapping[str, int]:
        """Bytes on disk of the table and of each index, by relation name."""
        ...

    def stored_roles(self) -> Iterable[tuple[str, bool, bool]]:
        """(name, superuser, can log in) of each role CREATE ROLE made."""
        ...


class Session:
    """Per-connection state: startup parameters, SET values and the open transaction."""

    def __init__(self, user: str, database: str, startup: dict[str, str]) -> None:
        self.user = user
        self.database = database
        self.startup = startup
        self.process_id = 0
        # pg_locks' virtualtransaction: the backend's slot and its local transaction number
        # (transactions begun so far, counting the one that ran the startup).
        self.backend_id = 0
        self.local_xid = 1
        # pg_sleep: how long the running statement waits after its current slice (orbit_pg.interrupts).
        self.sleep_seconds = 0.0
        # The server's advisory locks (orbit_pg.advisory), set by the protocol, and the requests
        # of the running statement that wait for one (the protocol resumes it once all are granted).
        self.advisory_locks: Any = None
        self.advisory_waits: list[Any] = []
        # Each transaction-level advisory lock taken, in order: ROLLBACK TO gives back the later ones.
        self.advisory_xact: list[tuple[Any, str]] = []
        # Notices a function raised while the statement runs (a WARNING), for the protocol to send.
        self.notices: list[errors.PgError] = []
        self.server: Server | None = None
        self.activity = Activity()
        self.values: dict[str, str] = {}
        self.reset_all()
        self.transaction: Transaction | None = None
        self.changed_reports: list[str] = []

    def reset_all(self) -> None:
        """Back to the startup state: defaults overridden by what the client sent at startup."""
        self.values = {name: s.default for name, s in SETTINGS.items()}
        self.values["session_authorization"] = self.user
        for name, value in self.startup.items():
            self._apply_startup(name, value)

    def reset_settings(self) -> None:
        """RESET ALL: every changeable setting back to its startup value, reported as SET would."""
        for name in list(self.values):
            setting = SETTINGS.get(name)
            # (Transaction modes are not RESET ALL's, as GUC_NO_RESET_ALL says.)
            if setting is not None and setting.kind != "readonly" and name not in TRANSACTION_MODES:
                self.set(name, None)

    def _apply_startup(self, name: str, value: str) -> None:
        key = name.lower()
        setting = SETTINGS.get(key)
        if setting is None:
            self.values[key] = value  # kept for SHOW, as the issue asks of other startup parameters
            return
        if setting.kind != "readonly":
            self.values[key] = normalize(setting, value)

    def show(self, name: str) -> str:
        key = name.lower()
        if key in self.values:
            return self.values[key]
        raise errors.PgError(errors.UNDEFINED_OBJECT, f'unrecognized configuration parameter "{name}"')

    def set(self, name: str, value: str | None, local: bool = False) -> None:
        """SET [LOCAL] name = value; ``None`` is DEFAULT / RESET. Records reported settings that
        changed, and what the open transaction must undo if it rolls back (or, for LOCAL, ends)."""
        key = name.lower()
        setting = SETTINGS.get(key)
        new: str | None
        if setting is None:
            if "." not in key:
                raise errors.PgError(errors.UNDEFINED_OBJECT, f'unrecognized configuration parameter "{name}"')
            new = value  # a custom option; RESET removes it
        elif setting.kind == "readonly":
            raise errors.PgError("55P02", f'parameter "{key}" cannot be changed')
        else:
            new = self.startup_value(setting) if value is None else normalize(setting, value)
        txn = self.transaction
        if txn is not None and key not in TRANSACTION_MODES:
            txn.prior.setdefault(key, self.values.get(key))
            if local:
                txn.local.add(key)
            else:
                txn.local.discard(key)
                txn.session_set[key] = new
        self.assign(key, new)

    def assign(self, key: str, value: str | None) -> None:
        """Change a setting's value (None removes a custom option), reporting it if it is
        reported and changed."""
        if value != self.values.get(key) and key in SETTINGS and SETTINGS[key].report:
            self.changed_reports.append(key)
        if value is None:
            self.values.pop(key, None)
        else:
            self.values[key] = value

    def end_settings(self, txn: Transaction, commit: bool) -> None:
        """The transaction ends: a rollback undoes its SETs, a commit only its SET LOCALs."""
        for key, prior in txn.prior.items():
            if not commit:
                self.assign(key, prior)
            elif key in txn.local:
                self.assign(key, txn.session_set.get(key, prior))

    def startup_value(self, setting: Setting) -> str:
        for name, value in self.startup.items():
            if name.lower() == setting.name.lower() and setting.kind != "readonly":
                return normalize(setting, value)
        return setting.default

    def reported(self) -> list[tuple[str, str]]:
        """The ParameterStatus pairs PostgreSQL sends at startup."""
        return [(s.name, self.values[key]) for key, s in SETTINGS.items() if s.report]

    def take_changed_reports(self) -> list[tuple[str, str]]:
        if not self.changed_reports:
            return []
        changed, self.changed_reports = self.changed_reports, []
        return [(SETTINGS[key].name, self.values[key]) for key in dict.fromkeys(changed)]


def version_string() -> str:
    return f"PostgreSQL {SERVER_VERSION} (orbit-pg {__version__}) on x86_64-pc-linux-gnu, compiled by CPython, 64-bit"
