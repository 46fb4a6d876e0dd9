"""The transport and per-connection state machine (PostgreSQL's ``PostgresMain`` loop).

Bytes come in through ``dataReceived``, the message cutter yields whole messages, and
one dispatch per state answers them. Replies are collected and written once per chunk
of input. Nothing here knows SQL beyond handing text to the grammar and the executor.
"""

from __future__ import annotations

import enum
import shlex
from typing import TYPE_CHECKING

from twisted.internet.protocol import Protocol
from twisted.logger import Logger
from twisted.python.failure import Failure

from orbit_pg import errors
from orbit_pg.session import Session
from orbit_pg.sql import grammar
from orbit_pg.sql.executor import Executor, Result
from orbit_pg.wire import backend, constants, frontend
from orbit_pg.wire.framing import MessageCutter

if TYPE_CHECKING:
    from orbit_pg.service import PostgresServerFactory

log = Logger()


class State(enum.Enum):
    STARTUP = "startup"  # waiting for StartupMessage (or SSLRequest / GSSENCRequest / CancelRequest)
    READY = "ready"  # authenticated; typed messages
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

    # --- transport ----------------------------------------------------------------------

    def connectionMade(self) -> None:
        self.cutter = MessageCutter(self.factory.max_message_size)
        self.process_id, self.secret_key = self.factory.register(self)

    def connectionLost(self, reason: Failure | None = None) -> None:
        # An open transaction dies with its connection; nothing of it reached the store.
        if self.session is not None:
            self.session.transaction = None
        self.state = State.CLOSED
        self.factory.unregister(self)

    def dataReceived(self, data: bytes) -> None:
        if self.state is State.CLOSED:
            return
        try:
            for msg_type, body in self.cutter.feed(data):
                if msg_type is None:
                    self._startup_packet(body)
                else:
                    self._message(msg_type, body)
                if self.state is State.CLOSED:
                    break
        except errors.PgError as error:
            self._fatal(error)
        self._flush()

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
        self.state = State.READY
        self._send(backend.AUTHENTICATION_OK)
        for name, value in self.session.reported():
            self._send(backend.parameter_status(name, value))
        self._send(backend.backend_key_data(self.process_id, self.secret_key))
        self._send(backend.ready_for_query(constants.TRANSACTION_IDLE))

    # --- ready ----------------------------------------------------------------------------

    def _message(self, msg_type: int, body: bytes) -> None:
        if msg_type == constants.QUERY:
            self._simple_query(body)
        elif msg_type == constants.TERMINATE:
            self._close()
        elif msg_type == constants.SYNC:
            self.ignore_till_sync = False
            self._ready_for_query()
        elif msg_type in constants.EXTENDED_QUERY_MESSAGES or msg_type == constants.FUNCTION_CALL:
            if msg_type == constants.FLUSH or self.ignore_till_sync:
                return
            self.ignore_till_sync = True
            self._send(
                backend.error_response(
                    errors.PgError(errors.FEATURE_NOT_SUPPORTED, "the extended query protocol is not supported yet")
                )
            )
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
        executor = self.executor
        try:
            text = frontend.decode_query(body)
            statements = grammar.parse(text)
            if not statements:
                self._send(backend.EMPTY_QUERY_RESPONSE)
            for statement in statements:
                self._send_result(executor.execute(statement))
            executor.end_of_query()
        except errors.PgError as error:
            executor.statement_failed()
            self._send(backend.error_response(error))
        except Exception:
            log.failure("internal error running a query")
            executor.statement_failed()
            self._send(
                backend.error_response(errors.PgError(errors.INTERNAL_ERROR, "internal error; see the server log"))
            )
        self._ready_for_query()

    def _send_result(self, result: Result) -> None:
        for notice in result.notices:
            self._send(backend.notice_response(notice))
        if result.fields is not None:
            self._send(
                backend.row_description(
                    (f.name, f.table_oid, f.attnum, f.type.oid, f.type.typlen, -1, 0) for f in result.fields
                )
            )
            data_row = backend.data_row
            self._send(b"".join(data_row(row) for row in result.rows))
        self._send(backend.command_complete(result.tag))


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
