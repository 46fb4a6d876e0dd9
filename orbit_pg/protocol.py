"""The per-connection state machine (PostgreSQL's ``PostgresMain`` loop) and its factory.

Bytes come in through ``dataReceived``, the message cutter yields whole messages, and
one dispatch per state answers them. Replies are collected and written once per chunk
of input. Nothing here knows SQL beyond handing text to the grammar and the executor.
"""

from __future__ import annotations

import enum
import itertools
import secrets
import shlex
import time
from collections import deque
from collections.abc import Iterator
from typing import Any

from twisted.internet.interfaces import IDelayedCall, IReactorTime
from twisted.internet.protocol import Protocol, ServerFactory
from twisted.logger import Logger
from twisted.python.failure import Failure

from orbit_pg import errors
from orbit_pg.session import Session
from orbit_pg.sql import ast, grammar
from orbit_pg.sql.executor import Executor, Result
from orbit_pg.storage.base import Store
from orbit_pg.wire import backend, constants, frontend
from orbit_pg.wire.constants import DEFAULT_MAX_MESSAGE_SIZE
from orbit_pg.wire.framing import MessageCutter

log = Logger()

# A streaming result yields to the reactor after this long, in slices of this many rows.
TURN_BUDGET = 0.005
ROWS_PER_SLICE = 256
# Stands in the message queue for a framing error, so it is reported after what came before.
_FATAL = object()


class State(enum.Enum):
    STARTUP = "startup"  # waiting for StartupMessage (or SSLRequest / GSSENCRequest / CancelRequest)
    READY = "ready"  # authenticated; typed messages
    IN_QUERY = "in query"  # a result is streaming; new messages wait in a queue
    CLOSED = "closed"


class PostgresProtocol(Protocol):
    factory: PostgresServerFactory

    def __init__(self) -> None:
        self.state = State.STARTUP
        self.session: Session | None = None
        self.executor: Executor | None = None
        self.process_id = 0
        self.secret_key = 0
        # Set after an error in the extended protocol: skip messages until Sync.
        self.ignore_till_sync = False
        self._out: list[bytes] = []
        # The running Query: statements still to run, and the result whose rows are streaming.
        self._statements: deque[ast.Node] = deque()
        self._result: Result | None = None
        self._rows: Iterator[list[bytes | None]] | None = None
        self._row_count = 0
        # Whole messages not yet handled: (type or None for a startup packet, body).
        self._queued: deque[tuple[Any, Any]] = deque()
        self._producer_paused = False  # the client is not reading; stop sending
        self._reading_paused = False  # we are behind; stop reading
        self._resume_call: IDelayedCall | None = None
        self._process_call: IDelayedCall | None = None

    # --- transport ----------------------------------------------------------------------

    def connectionMade(self) -> None:
        self.cutter = MessageCutter(self.factory.max_message_size)
        self.process_id, self.secret_key = self.factory.register(self)
        self.transport.registerProducer(self, True)

    def connectionLost(self, reason: Failure | None = None) -> None:
        # An open transaction dies with its connection; nothing of it reached the store.
        if self.session is not None:
            self.session.transaction = None
        self._abandon_rows()
        for call in (self._resume_call, self._process_call):
            if call is not None and call.active():
                call.cancel()
        self._queued.clear()
        self.state = State.CLOSED
        self.factory.unregister(self)

    def dataReceived(self, data: bytes) -> None:
        if self.state is State.CLOSED:
            return
        try:
            self._queued.extend(self.cutter.feed(data))
        except errors.PgError as error:
            # Messages before the bad one are still answered, as PostgreSQL would.
            self._queued.append((_FATAL, error))
        self._process()

    def _process(self) -> None:
        """Handle queued messages for one slice of reactor time, in order.

        Like PostgreSQL blocking in send(), a connection whose client does not read its
        answers stops being served until it does; and while messages wait, reading from
        the socket pauses, so nobody can make the server buffer without bound.
        """
        self._process_call = None
        deadline = time.perf_counter() + TURN_BUDGET
        queued = self._queued
        while queued and self.state in (State.STARTUP, State.READY) and not self._producer_paused:
            if time.perf_counter() > deadline:
                self._process_call = self.factory.reactor.callLater(0, self._process)
                break
            msg_type, body = queued.popleft()
            try:
                if msg_type is None:
                    self._startup_packet(body)
                elif msg_type is _FATAL:
                    raise body
                else:
                    self._message(msg_type, body)
            except errors.PgError as error:
                self._fatal(error)
        self._flush()
        if self.state is State.CLOSED:
            return
        if queued and not self._reading_paused:
            self._reading_paused = True
            self.transport.pauseProducing()
        elif not queued and self._reading_paused:
            self._reading_paused = False
            self.transport.resumeProducing()

    def _send(self, data: bytes) -> None:
        self._out.append(data)

    def _flush(self) -> None:
        if self._out:
            out, self._out = b"".join(self._out), []
            self.transport.write(out)

    def _fatal(self, error: errors.PgError) -> None:
        error.severity = "FATAL"
        log.info("closing connection {pid}: {message}", pid=self.process_id, message=error.message)
        self._send(backend.error_response(error))
        self._close()

    def _close(self) -> None:
        self.state = State.CLOSED
        self._flush()
        self.transport.loseConnection()

    # --- startup ------------------------------------------------------------------------

    def _startup_packet(self, body: bytes) -> None:
        code = frontend.read_startup_code(body)
        if code in (constants.SSL_REQUEST_CODE, constants.GSSENC_REQUEST_CODE):
            # TLS and GSSAPI encryption come later; "N" tells the client to go on in clear.
            self._send(backend.SSL_NOT_SUPPORTED)
            self._queued.extend(self.cutter.feed(b""))
            return
        if code == constants.CANCEL_REQUEST_CODE:
            request = frontend.decode_cancel(body)
            self.factory.cancel(request.process_id, request.secret_key)
            self._close()
            return
        major, minor = code >> 16, code & 0xFFFF
        if major != 3:
            raise errors.fatal(
                errors.FEATURE_NOT_SUPPORTED,
                f"unsupported frontend protocol {major}.{minor}: server supports 3.0 to 3.0",
            )
        startup = frontend.decode_startup(body)
        params = dict(startup.parameters)
        protocol_options = sorted(name for name in params if name.startswith("_pq_."))
        for name in protocol_options:
            del params[name]
        if minor > 0 or protocol_options:
            self._send(backend.negotiate_protocol_version(constants.PROTOCOL_3_0, protocol_options))
        user = params.pop("user", "")
        if not user:
            raise errors.fatal(
                errors.INVALID_AUTHORIZATION_SPECIFICATION, "no PostgreSQL user name specified in startup packet"
            )
        database = params.pop("database", "") or user
        params.update(_command_line_options(params.pop("options", "")))
        params.pop("replication", None)
        try:
            self.session = Session(user, database, params)
        except errors.PgError as error:
            raise errors.fatal(error.sqlstate, error.message) from None
        self.session.process_id = self.process_id
        self.executor = Executor(self.factory.store, self.session)
        self.cutter.expect_startup = False
        self._queued.extend(self.cutter.feed(b""))
        self.state = State.READY
        self._send(backend.AUTHENTICATION_OK)
        for name, value in self.session.reported():
            self._send(backend.parameter_status(name, value))
        self._send(backend.backend_key_data(self.process_id, self.secret_key))
        self._send(backend.ready_for_query(constants.TRANSACTION_IDLE))

    # --- ready ----------------------------------------------------------------------------

    def _message(self, msg_type: int, body: bytes) -> None:
        if self.ignore_till_sync and msg_type != constants.SYNC:
            return  # after an extended-protocol error, PostgreSQL skips everything up to Sync
        if msg_type == constants.QUERY:
            self._simple_query(body)
        elif msg_type == constants.TERMINATE:
            self._close()
        elif msg_type == constants.SYNC:
            self.ignore_till_sync = False
            self._ready_for_query()
        elif msg_type in constants.EXTENDED_QUERY_MESSAGES or msg_type == constants.FUNCTION_CALL:
            if msg_type == constants.FLUSH:
                return
            self.ignore_till_sync = True
            assert self.executor is not None
            self.executor.statement_failed()
            error = errors.PgError(errors.FEATURE_NOT_SUPPORTED, "the extended query protocol is not supported yet")
            self._send(backend.error_response(error))
        elif msg_type in (constants.COPY_DATA, constants.COPY_DONE, constants.COPY_FAIL):
            return  # PostgreSQL ignores COPY traffic outside COPY (left over after an error)
        else:
            raise errors.fatal(errors.PROTOCOL_VIOLATION, f"invalid frontend message type {msg_type}")

    def _ready_for_query(self) -> None:
        assert self.session is not None and self.executor is not None
        for name, value in self.session.take_changed_reports():
            self._send(backend.parameter_status(name, value))
        self._send(backend.ready_for_query(self.executor.status))

    def _simple_query(self, body: bytes) -> None:
        assert self.executor is not None
        try:
            text = frontend.decode_query(body)
            statements = grammar.parse(text)
        except errors.PgError as error:
            self._query_failed(error)
            return
        if not statements:
            self._send(backend.EMPTY_QUERY_RESPONSE)
        self._statements = deque(statements)
        self.state = State.IN_QUERY
        self._run_statements()

    def _run_statements(self) -> None:
        """Run the Query's statements in order; returns early while a big result streams."""
        assert self.executor is not None
        try:
            while True:
                if self._rows is not None:
                    if not self._stream_rows():
                        return
                if not self._statements:
                    break
                result = self.executor.execute(self._statements.popleft())
                for notice in result.notices:
                    self._send(backend.notice_response(notice))
                if result.fields is None:
                    self._send(backend.command_complete(result.tag))
                    continue
                self._send(backend.row_description(_field_descriptions(result)))
                self._result, self._rows, self._row_count = result, iter(result.rows), 0
            self.executor.end_of_query()
        except errors.PgError as error:
            self._query_failed(error)
        except Exception:
            log.failure("internal error running a query")
            self._query_failed(errors.PgError(errors.INTERNAL_ERROR, "internal error; see the server log"))
        else:
            self._ready_for_query()
        self._query_done()

    def _stream_rows(self) -> bool:
        """Send DataRows for this reactor turn; True when the result is complete.

        A big result goes out in slices, yielding to the reactor between them and
        pausing while the client's socket is full, so other connections keep being served.
        """
        assert self._rows is not None and self._result is not None
        deadline = time.perf_counter() + TURN_BUDGET
        data_row, rows, out = backend.data_row, self._rows, self._out
        while True:
            batch = [data_row(row) for row in itertools.islice(rows, ROWS_PER_SLICE)]
            out.append(b"".join(batch))
            self._row_count += len(batch)
            if len(batch) < ROWS_PER_SLICE:
                tag = self._result.tag
                self._send(backend.command_complete(f"{tag} {self._row_count}" if tag == "SELECT" else tag))
                self._result = self._rows = None
                return True
            if self._producer_paused or time.perf_counter() > deadline:
                self._flush()
                if not self._producer_paused:
                    self._resume_call = self.factory.reactor.callLater(0, self._resume)
                return False

    def _resume(self) -> None:
        self._resume_call = None
        if self.state is State.IN_QUERY and not self._producer_paused:
            self._run_statements()
            self._process()

    def _query_failed(self, error: errors.PgError) -> None:
        assert self.executor is not None
        self._abandon_rows()
        self.executor.statement_failed()
        self._send(backend.error_response(error))
        self._ready_for_query()

    def _abandon_rows(self) -> None:
        if self._rows is not None:
            close = getattr(self._rows, "close", None)
            if close is not None:
                close()  # ends the scan and its snapshot
        self._result = self._rows = None
        self._statements.clear()

    def _query_done(self) -> None:
        if self.state is State.IN_QUERY:
            self.state = State.READY

    # --- IPushProducer: the transport says when the client is not reading ------------------

    def pauseProducing(self) -> None:
        self._producer_paused = True

    def resumeProducing(self) -> None:
        self._producer_paused = False
        if self.state is State.IN_QUERY:
            if self._resume_call is None:
                self._resume_call = self.factory.reactor.callLater(0, self._resume)
        elif self._process_call is None and self.state is not State.CLOSED:
            self._process_call = self.factory.reactor.callLater(0, self._process)

    def stopProducing(self) -> None:
        self._abandon_rows()


def _field_descriptions(result: Result) -> Iterator[tuple[str, int, int, int, int, int, int]]:
    assert result.fields is not None
    for f in result.fields:
        yield f.name, f.table_oid, f.attnum, f.type.oid, f.type.typlen, -1, 0


def _command_line_options(options: str) -> dict[str, str]:
    """The startup ``options`` parameter: ``-c name=value`` and ``--name=value`` pairs."""
    settings: dict[str, str] = {}
    words = shlex.split(options.replace("\\ ", "\0"))
    i = 0
    while i < len(words):
        word = words[i].replace("\0", " ")
        if word == "-c" and i + 1 < len(words):
            i += 1
            word = words[i].replace("\0", " ")
        elif word.startswith("-c"):
            word = word[2:]
        elif word.startswith("--"):
            word = word[2:]
        name, sep, value = word.partition("=")
        if sep:
            settings[name.replace("-", "_")] = value
        i += 1
    return settings


class PostgresServerFactory(ServerFactory):
    """Makes one ``PostgresProtocol`` per connection, all sharing one store."""

    protocol = PostgresProtocol

    def __init__(
        self, store: Store, max_message_size: int = DEFAULT_MAX_MESSAGE_SIZE, reactor: IReactorTime | None = None
    ) -> None:
        if reactor is None:
            from twisted.internet import reactor as default_reactor

            reactor = default_reactor
        self.reactor = reactor
        self.store = store
        self.max_message_size = max_message_size
        self.connections: dict[int, PostgresProtocol] = {}

    def register(self, connection: PostgresProtocol) -> tuple[int, int]:
        """A process id (unique among live connections) and a secret, for BackendKeyData."""
        while True:
            process_id = secrets.randbelow(2**31 - 2) + 1
            if process_id not in self.connections:
                break
        self.connections[process_id] = connection
        return process_id, secrets.randbits(32) - 2**31

    def unregister(self, connection: PostgresProtocol) -> None:
        self.connections.pop(connection.process_id, None)

    def cancel(self, process_id: int, secret_key: int) -> None:
        """A CancelRequest: nothing runs across reactor turns yet, so there is nothing to stop."""
        target = self.connections.get(process_id)
        if target is None or target.secret_key != secret_key:
            log.info("cancel request for unknown backend {pid}", pid=process_id)
