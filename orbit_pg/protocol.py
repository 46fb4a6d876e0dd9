"""The per-connection state machine (PostgreSQL's ``PostgresMain`` loop) and its factory.

Bytes come in through ``dataReceived``, the message cutter yields whole messages, and
one dispatch per state answers them. Replies are collected and written once per chunk
of input. Nothing here knows SQL beyond handing text to the grammar and the executor.
"""

from __future__ import annotations

import enum
import functools
import itertools
import secrets
import time
from collections import deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import datetime, timezone
from typing import Any

from twisted.internet import tcp, threads
from twisted.internet.address import IPv4Address, IPv6Address
from twisted.internet.interfaces import IDelayedCall, IReactorThreads, IReactorTime, ITCPTransport
from twisted.internet.protocol import Protocol, ServerFactory
from twisted.logger import Logger
from twisted.python.failure import Failure

from orbit_pg import errors, interrupts, notices, types
from orbit_pg.advisory import AdvisoryLocks
from orbit_pg.auth import limits
from orbit_pg.auth import tls as tls_config
from orbit_pg.auth.methods import Authenticator, Exchange, Peer, SaslExchange
from orbit_pg.auth.privileges import Access
from orbit_pg.auth.roles import CATALOG_NAME, Roles
from orbit_pg.commit import GroupCommitter
from orbit_pg.locks import LockWait
from orbit_pg.notify import Notification, NotifyRegistry
from orbit_pg.session import Session, milliseconds
from orbit_pg.sql import ast, grammar
from orbit_pg.sql.cache import Miss, Parsed, StatementCache
from orbit_pg.sql.copy import CopyFrom, CopyTo, copy_response
from orbit_pg.sql.executor import Executor
from orbit_pg.sql.plan import Plan, Portal, PreparedStatement, Result, ResultShape
from orbit_pg.storage.base import Store
from orbit_pg.transactions import Transactions
from orbit_pg.wire import backend, constants, frontend
from orbit_pg.wire.constants import DEFAULT_MAX_MESSAGE_SIZE
from orbit_pg.wire.framing import MessageCutter

log = Logger()

# A streaming result yields to the reactor after this long, in slices of this many rows.
TURN_BUDGET = 0.005
ROWS_PER_SLICE = 256
# Command tags that end with the number of rows sent.
_COUNTED = frozenset({"SELECT", "COPY", "FETCH"})
# PostgreSQL ignores these outside COPY (left over after an error ended one).
_COPY_TRAFFIC = frozenset({constants.COPY_DATA, constants.COPY_DONE, constants.COPY_FAIL})
# Stands in the message queue for a framing error, so it is reported after what came before.
_FATAL = object()
# The read-at-once cycle (_round_at_once): the messages that follow its Bind, and its answers.
_DESCRIBE_UNNAMED_PORTAL = (constants.DESCRIBE, b"P\x00")
_EXECUTE_ALL_ROWS = (constants.EXECUTE, b"\x00\x00\x00\x00\x00")


class State(enum.Enum):
    STARTUP = "startup"  # waiting for StartupMessage (or SSLRequest / GSSENCRequest / CancelRequest)
    AUTHENTICATING = "authenticating"  # a password exchange is under way
    READY = "ready"  # authenticated; typed messages
    IN_QUERY = "in query"  # a result is streaming; new messages wait in a queue
    COPY_IN = "copy in"  # COPY FROM STDIN: CopyData until CopyDone or CopyFail
    WAITING = "waiting"  # a statement waits for a row lock; it runs again when woken
    CLOSED = "closed"


_SERVING = (State.STARTUP, State.AUTHENTICATING, State.READY, State.COPY_IN)


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
        # The running Query: statements still to run, and the rows streaming out now, with
        # their encoders, Execute's row limit, the command tag and what to do when done.
        self._parsed = Parsed([])
        self._statements: deque[int] = deque()  # indexes into the parsed Query
        self._rows: Iterator[Sequence[Any]] | None = None
        self._encoders: list[Callable[[Any], bytes]] = []
        self._limit: int | None = None
        self._tag = ""
        self._then: Callable[[], None] | None = None
        self._row_count = 0
        self._portal: Portal | None = None  # the portal an Execute is streaming from
        # Waiting for a group commit: replies are held, and what runs once it is durable.
        self._holding = False
        self._after_commit: Callable[[errors.PgError | None], None] | None = None
        # Whole messages not yet handled: (type or None for a startup packet, body).
        self._queued: deque[tuple[Any, Any]] = deque()
        self._producer_paused = False  # the client is not reading; stop sending
        self._reading_paused = False  # we are behind; stop reading
        self._resume_call: IDelayedCall | None = None
        self._process_call: IDelayedCall | None = None
        # LISTEN/NOTIFY: what a committing transaction publishes once durable, and the
        # NotificationResponses waiting for this connection to be between transactions.
        self._committing_notifies: tuple[list[Notification], list[tuple[bool, str | None]]] | None = None
        self._notifications: list[bytes] = []
        self._notify_call: IDelayedCall | None = None
        self._timeout_call: IDelayedCall | None = None  # statement_timeout
        self._lock_timeout_call: IDelayedCall | None = None  # lock_timeout, while advisory locks are awaited
        # COPY: how rows become messages (DataRow, or CopyData for COPY TO), the COPY FROM being
        # fed, and what runs once it is done.
        self._encode_rows: Callable[
            [Iterator[Sequence[Any]], list[Callable[[Any], bytes]], int], tuple[bytes, int, bool]
        ] = backend.data_rows
        self._copy_to: CopyTo | None = None
        self._copy_from: CopyFrom | None = None
        self._copy_then: Callable[[], None] | None = None
        # A statement parked on a row lock: the wait, its timeout, and how it fails if cancelled.
        self._wait: LockWait | None = None
        self._wait_timeout: IDelayedCall | None = None
        self._wait_failed: Callable[[errors.PgError], None] | None = None
        # Authentication: the exchange under way, the startup packet's user, database and
        # parameters, whether TLS is on, and the timers that close a silent client.
        self._exchange: Exchange | None = None
        self._login: tuple[str, str, dict[str, str]] = ("", "", {})
        self.tls = False
        self.backend = False  # past the startup packet: counts against max_connections
        self._auth_timer: IDelayedCall | None = None
        self._idle_timer: IDelayedCall | None = None

    # --- transport ----------------------------------------------------------------------

    def connectionMade(self) -> None:
        self.cutter = MessageCutter(self.factory.max_message_size)
        self.process_id, self.secret_key = self.factory.register(self)
        self.transport.registerProducer(self, True)
        if ITCPTransport.providedBy(self.transport):
            # As PostgreSQL (pq_init): an answer is sent whole at once, so Nagle's algorithm could
            # only hold back the tail of one too big for a single send until the client's ACK.
            self.transport.setTcpNoDelay(True)
        self._auth_timer = self.factory.reactor.callLater(
            self.factory.limits.authentication_timeout, self._authentication_timed_out
        )
        if len(self.factory.connections) > self.factory.limits.max_connections * 2:
            # As PostgreSQL's postmaster: too many connections even to look at the startup packet.
            self._fatal(limits.too_many_clients())

    def connectionLost(self, reason: Failure | None = None) -> None:
        # An open transaction dies with its connection; nothing of it reached the store,
        # and the rows it locked are free again.
        self._end_wait()
        if self.executor is not None:
            self.executor.abort()
        self._abandon_rows()
        for call in (
            self._resume_call,
            self._process_call,
            self._auth_timer,
            self._idle_timer,
            self._notify_call,
            self._timeout_call,
        ):
            if call is not None and call.active():
                call.cancel()
        self._queued.clear()
        self.state = State.CLOSED
        self.factory.notifications.unlisten(self, None)
        if self.session is not None:
            self.factory.advisory_locks.release(self.session, xact=None)
        self.factory.unregister(self)

    def dataReceived(self, data: bytes) -> None:
        if self.state is State.CLOSED:
            return
        if self._idle_timer is not None:
            self._cancel_idle_timer()
        try:
            self.cutter.feed(data, self._queued)
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
        # The turn's budget starts once its first message is handled: a turn of one message
        # (a Query, or an execution cut with its tail) never reads the clock.
        first, deadline = True, 0.0
        queued = self._queued
        handlers = self._handlers
        while queued and self.state in _SERVING and not self._producer_paused:
            if first:
                first = False
            elif not deadline:
                deadline = time.perf_counter() + TURN_BUDGET
            elif time.perf_counter() > deadline:
                self._process_call = self.factory.reactor.callLater(0, self._process)
                break
            msg_type, body = queued.popleft()
            state = self.state
            try:
                if msg_type is None:
                    self._startup_packet(body)
                elif msg_type is _FATAL:
                    raise body
                elif state is State.AUTHENTICATING:
                    self._password_message(msg_type, body)
                elif state is State.COPY_IN:
                    self._copy_message(msg_type, body)
                elif self.ignore_till_sync and msg_type != constants.SYNC:
                    continue  # after an extended-protocol error, PostgreSQL skips everything up to Sync
                elif msg_type in handlers:
                    try:
                        if msg_type != constants.BIND or not self._round_at_once(body):
                            handlers[msg_type](self, body)
                    except LockWait as wait:
                        # Once the lock is free the message runs again, before those behind it.
                        self._park(wait, functools.partial(queued.appendleft, (msg_type, body)), self._extended_error)
                    except errors.PgError as error:
                        if error.severity == "FATAL":
                            raise
                        self._extended_error(error)
                    except Exception:
                        log.failure("internal error in the extended query protocol")
                        self._extended_error(
                            errors.PgError(errors.INTERNAL_ERROR, "internal error; see the server log")
                        )
                elif msg_type == constants.QUERY:
                    self._simple_query(body)
                elif msg_type == constants.TERMINATE:
                    self._close()
                elif msg_type not in _COPY_TRAFFIC:  # ignored outside COPY (left over after an error)
                    raise errors.fatal(errors.PROTOCOL_VIOLATION, f"invalid frontend message type {msg_type}")
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
        if not queued and self.state is State.READY and not self._holding:
            self._start_idle_timer()

    def _send(self, data: bytes) -> None:
        self._out.append(data)

    def _flush(self) -> None:
        if self._out and not self._holding:
            out, self._out = b"".join(self._out), []
            _write_now(self.transport, out)

    def _fatal(self, error: errors.PgError) -> None:
        error.severity = "FATAL"
        log.info("closing connection {pid}: {message}", pid=self.process_id, message=error.message)
        self._send(backend.error_response(error))
        self._close()

    def _close(self) -> None:
        self.state = State.CLOSED
        self._flush()
        # Over TLS, the close_notify waits until no producer is registered (TLSMemoryBIOProtocol).
        self.transport.unregisterProducer()
        self.transport.loseConnection()

    # --- startup ------------------------------------------------------------------------

    def _startup_packet(self, body: bytes) -> None:
        code = frontend.read_startup_code(body)
        if code == constants.SSL_REQUEST_CODE and self.factory.tls is not None and not self.tls:
            self._start_tls(self.factory.tls)
            return
        if code in (constants.SSL_REQUEST_CODE, constants.GSSENC_REQUEST_CODE):
            # No TLS configured (or already on), no GSSAPI: "N" tells the client to go on as it is.
            self._send(backend.SSL_NOT_SUPPORTED)
            self.cutter.feed(b"", self._queued)
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
        if not self.factory.store.synchronous:
            params.setdefault("synchronous_commit", "off")  # the server's setting, as in postgresql.conf
        self._login = (user, database, params)
        self.factory.limits.check_backend(self.factory.backends())
        self.backend = True
        self.cutter.expect_startup = False
        self.cutter.feed(b"", self._queued)
        exchange = self.factory.authenticator.begin(self._peer(), user, database)
        if exchange is None:
            self._authenticated()
            return
        self._exchange = exchange
        self.state = State.AUTHENTICATING
        self._send(exchange.begin())

    def _peer(self) -> Peer:
        address = self.transport.getPeer()
        host = getattr(address, "host", "[local]")
        tls = self.factory.tls
        if not self.tls or tls is None:
            return Peer(host)
        return Peer(host, True, tls.certificate_hash, tls_config.client_common_name(self.transport))

    def _start_tls(self, tls: tls_config.TlsSettings) -> None:
        """SSLRequest answered "S": the handshake comes next, so bytes the client sent after its
        request were sent in clear where it asked for TLS; PostgreSQL refuses them (CVE-2021-23222)."""
        if self.cutter.buffered or self._queued:
            raise errors.fatal(errors.PROTOCOL_VIOLATION, "received unencrypted data after SSL request")
        self._send(backend.SSL_SUPPORTED)
        self._flush()
        self.transport.startTLS(tls.context_factory)
        self.tls = True

    def _password_message(self, msg_type: int, body: bytes) -> None:
        assert self._exchange is not None
        if msg_type != constants.PASSWORD_MESSAGE:
            expected = "SASL" if isinstance(self._exchange, SaslExchange) else "password"
            raise errors.fatal(errors.PROTOCOL_VIOLATION, f"expected {expected} response, got message type {msg_type}")
        reply, done = self._exchange.step(body)
        self._send(reply)
        if done:
            self._exchange = None
            self._authenticated()

    def _authenticated(self) -> None:
        """The client proved who it is: check the role, then start the session."""
        user, database, params = self._login
        role = self.factory.authenticator.authorize(user)
        access = Access(self.factory.authenticator.roles, user)
        self.factory.limits.check_reserved(self.factory.backends(), access.superuser)
        try:
            self.session = Session(user, database, params)
        except errors.PgError as error:
            raise errors.fatal(error.sqlstate, error.message) from None
        self.session.process_id = self.process_id
        self.session.backend_id = self.factory.backend_id()
        self.session.server = self.factory
        activity = self.session.activity
        if self.transport is not None:
            peer, host = self.transport.getPeer(), self.transport.getHost()
            if isinstance(peer, IPv4Address | IPv6Address):
                activity.client_addr, activity.client_port = peer.host, peer.port
            if isinstance(host, IPv4Address | IPv6Address):
                activity.server_addr, activity.server_port = host.host, host.port
        self.session.values["is_superuser"] = "on" if access.superuser else "off"
        self.session.values["max_connections"] = str(self.factory.limits.max_connections)
        self.executor = Executor(
            self.factory.store, self.session, self.factory.statement_cache.stats, access, self.factory.transactions
        )
        self.executor.notifications = self.factory.notifications
        self.session.advisory_locks = self.factory.advisory_locks
        if self._auth_timer is not None and self._auth_timer.active():
            self._auth_timer.cancel()
        self._auth_timer = None
        log.info(
            "connection authorized: user={user} database={database} tls={tls}{role}",
            user=user,
            database=database,
            tls=self.tls,
            role="" if role is not None else " (no roles defined: superuser)",
        )
        self.state = State.READY
        self._send(backend.AUTHENTICATION_OK)
        for name, value in self.session.reported():
            self._send(backend.parameter_status(name, value))
        self._send(backend.backend_key_data(self.process_id, self.secret_key))
        self._send(backend.ready_for_query(constants.TRANSACTION_IDLE))

    # --- timeouts -------------------------------------------------------------------------

    def _authentication_timed_out(self) -> None:
        """authentication_timeout: PostgreSQL closes a client that has not authenticated in
        time, without a message (it might not even have sent a whole startup packet)."""
        self._auth_timer = None
        if self.state in (State.STARTUP, State.AUTHENTICATING):
            log.info("closing connection {pid}: authentication timed out", pid=self.process_id)
            self._close()

    def _start_idle_timer(self) -> None:
        if self._idle_timer is not None:
            self._cancel_idle_timer()
        assert self.session is not None and self.executor is not None
        values = self.session.values
        idle, in_block = values["idle_session_timeout"], values["idle_in_transaction_session_timeout"]
        if not (milliseconds(idle) or milliseconds(in_block)):
            return  # both 0, the defaults: no timer to start
        in_transaction = self.executor.status != constants.TRANSACTION_IDLE
        timeout = milliseconds(in_block if in_transaction else idle)
        if timeout > 0:
            self._idle_timer = self.factory.reactor.callLater(timeout / 1000, self._idle_timed_out, in_transaction)

    def _cancel_idle_timer(self) -> None:
        if self._idle_timer is not None and self._idle_timer.active():
            self._idle_timer.cancel()
        self._idle_timer = None

    def _idle_timed_out(self, in_transaction: bool) -> None:
        self._idle_timer = None
        if self.state is not State.READY:
            return
        if in_transaction:
            self._fatal(errors.PgError("25P03", "terminating connection due to idle-in-transaction timeout"))
        else:
            self._fatal(errors.PgError("57P05", "terminating connection due to idle-session timeout"))

    # --- ready ----------------------------------------------------------------------------

    def _ready_for_query(self) -> None:
        session = self.session
        assert session is not None and self.executor is not None
        if self._timeout_call is not None:
            self._disarm_statement_timeout()
        if session.changed_reports:
            for name, value in session.take_changed_reports():
                self._send(backend.parameter_status(name, value))
        if self._notifications and session.transaction is None:
            self._out.extend(self._notifications)
            self._notifications.clear()
        status = self.executor.status
        self._out.append(backend.ready_for_query(status))
        session.activity.idle(status)

    @property
    def _executor(self) -> Executor:
        assert self.executor is not None
        return self.executor

    @property
    def _session(self) -> Session:
        assert self.session is not None
        return self.session

    # --- simple query ---------------------------------------------------------------------

    def _simple_query(self, body: bytes) -> None:
        session = self.session
        assert session is not None
        cache = self.factory.statement_cache
        reactor = self.factory.reactor
        try:
            text = frontend.decode_query(body)
            session.activity.start(text)
            found = cache.lookup(text)
            if isinstance(found, Miss):
                if found.large and IReactorThreads.providedBy(reactor):
                    # A bulk statement keeps the grammar busy for long: parse it in a worker
                    # thread, so the reactor goes on serving the other connections meanwhile.
                    self.state = State.IN_QUERY
                    parsing = threads.deferToThreadPool(reactor, reactor.getThreadPool(), grammar.parse, found.text)
                    parsing.addCallbacks(self._parsed_in_thread, self._parse_failed, callbackArgs=(found,))
                    return
                found = cache.add(found, grammar.parse(found.text))
        except errors.PgError as error:
            self._query_failed(error)
            return
        self._start_query(found)

    def _parsed_in_thread(self, statements: list[ast.Node], miss: Miss) -> None:
        if self.state is State.CLOSED:
            return
        self.state = State.READY
        self._start_query(self.factory.statement_cache.add(miss, statements))
        self._process()

    def _parse_failed(self, failure: Failure) -> None:
        if self.state is State.CLOSED:
            return
        self.state = State.READY
        error = failure.value
        if not isinstance(error, errors.PgError):
            log.failure("internal error parsing a query", failure)
            error = errors.PgError(errors.INTERNAL_ERROR, "internal error; see the server log")
        self._query_failed(error)
        self._process()

    def _start_query(self, parsed: Parsed) -> None:
        # A simple Query replaces the unnamed statement and portal, as in PostgreSQL.
        executor = self.executor
        assert executor is not None
        executor.statements.pop("", None)
        executor.portals.pop("", None)
        if not parsed.statements:
            self._send(backend.EMPTY_QUERY_RESPONSE)
        executor.implicit_block = len(parsed.statements) > 1
        self._parsed = parsed
        self._statements = deque(range(len(parsed.statements)))
        self._run_statements()

    def _run_statements(self) -> None:
        """Run the Query's statements in order; returns early while a big result streams.

        Each is analysed right before it runs (a statement may depend on the one before)."""
        executor = self.executor
        assert executor is not None
        cache = self.factory.statement_cache
        try:
            while self._statements:
                plan, literals = cache.plan(self._parsed, self._statements[0], executor)
                if plan.read_at_once is not None:
                    shape = _result_shape(plan, ())
                    rows = self._rows_at_once(plan, (), literals, shape)
                    if rows is not None:
                        self._statements.popleft()
                        self._out += (shape.row_description, rows)
                        continue
                if self._timeout_call is not None or milliseconds(executor.session.values["statement_timeout"]):
                    self._arm_statement_timeout()  # each statement of a Query gets the whole time
                result = executor.run(plan, (), literals)
                self._statements.popleft()
                if result.copy is not None:
                    self._send_notices(result)
                    if not self._start_copy(result, self._run_statements):
                        return
                    continue
                if result.fields is None:
                    # A COMMIT is reported only once its writes are durable.
                    if self._await_commit(lambda error, result=result: self._statement_committed(result, error)):
                        return
                    self._send_notices(result)
                    self._send(backend.command_complete(result.tag))
                    continue
                if result.notices or executor.session.notices:
                    self._send_notices(result)
                shape = _result_shape(plan, result.formats or ())
                self._out.append(shape.row_description)
                if not self._start_rows(iter(result.rows), shape.encoders, None, result.tag, self._run_statements):
                    return
            executor.end_of_query()
        except LockWait as wait:
            self._park(wait, self._run_statements, self._query_failed)
            return
        except errors.PgError as error:
            self._query_failed(error)
            return
        except Exception:
            log.failure("internal error running a query")
            self._query_failed(errors.PgError(errors.INTERNAL_ERROR, "internal error; see the server log"))
            return
        if not self._await_commit(self._round_committed):
            self._ready_for_query()

    # --- the read-at-once cycle ------------------------------------------------------------

    def _rows_at_once(
        self, plan: Plan, params: Sequence[Any], literals: Sequence[Any], shape: ResultShape
    ) -> bytes | None:
        """DataRows and CommandComplete of a one-key or first-of-type read (``Plan.read_at_once``)
        read at once, without a transaction (``Executor.read_at_once``); None, having changed
        nothing, when the general path must run it: in a transaction, with notices waiting, a
        statement_timeout to arm, a result format it refuses, more rows than it reads at once,
        or an error (it raises it again, where it reports it)."""
        executor = self.executor
        assert executor is not None
        encode = shape.encode_at_once  # (None for a result format it refuses)
        if encode is None or not self._alone():
            return None
        try:
            rows = executor.read_at_once(plan, params, literals, shape.as_stored)
            if rows is None:
                return None
            count = len(rows)
            return encode(rows) + backend.command_complete(f"SELECT {count}")
        except Exception:
            return None

    def _alone(self) -> bool:
        """A statement may be run at once, as in a transaction of its own: between transactions
        (``Executor.reads_alone``), with no notice waiting and no statement_timeout to arm."""
        executor = self._executor
        session = executor.session
        return executor.reads_alone() and not session.notices and not milliseconds(session.values["statement_timeout"])

    def _round_at_once(self, body: bytes) -> bool:
        """A Bind followed by Describe and Execute (all rows) of the unnamed portal and Sync, as
        libpq sends a prepared statement, of a read or write at once between transactions: answered
        at once, in the bytes the general path sends, without a portal or a trip through the
        message loop per message. False, having changed nothing, otherwise."""
        queued = self._queued
        if (
            len(queued) < 3
            or queued[0] != _DESCRIBE_UNNAMED_PORTAL
            or queued[1] != _EXECUTE_ALL_ROWS
            or queued[2][0] != constants.SYNC
        ):
            return False
        if body[:1] != b"\x00":
            return False  # a named portal
        executor = self.executor
        assert executor is not None
        # The statement, by the name after the portal's, before decoding all of Bind for it.
        name_end = body.find(b"\x00", 1)
        statement = executor.statements.get(body[1:name_end].decode("utf-8", "replace"))
        plan = None if statement is None else statement.plan
        if plan is None or (plan.read_at_once is None and not plan.write_at_once):
            return False
        param_types = plan.param_types
        try:
            values = frontend.text_bind_values(body, name_end + 1, len(param_types))
            if values is None:
                message = frontend.decode_bind(body)
                params = _bind_values(message, param_types)
                shape = _result_shape(plan, message.result_formats)
            else:
                params = [
                    pg_type.text_in(_param_text(value)) for pg_type, value in zip(param_types, values, strict=True)
                ]
                shape = _result_shape(plan, ())
        except errors.PgError:
            return False  # the general Bind reports it
        if plan.write_at_once:
            return self._write_round(plan, params, statement.literals)
        rows = self._rows_at_once(plan, params, statement.literals, shape)
        if rows is None:
            return False
        for _ in range(3):
            queued.popleft()
        self._out += (backend.BIND_COMPLETE, shape.row_description, rows)
        executor.end_of_query()  # as Sync
        self._ready_for_query()
        return True

    def _write_round(self, plan: Plan, params: Sequence[Any], literals: Sequence[Any]) -> bool:
        """``_round_at_once`` for an INSERT, UPDATE or DELETE without RETURNING (``Plan.write_at_once``):
        run in a transaction of its own (``Executor.write_at_once``) and answered, once durable, in
        the bytes the general path sends. False, having changed nothing, where the general path
        must run it: in a transaction, with notices waiting, a statement_timeout to arm, or a row
        lock to wait for. An error is raised after BindComplete and NoData, for the message loop
        to report as Execute's."""
        if not self._alone():
            return False
        executor = self._executor
        session = executor.session
        queued = self._queued
        try:
            result = executor.write_at_once(plan, params, literals)
        except Exception:
            # Execute failed: its error (reported by the caller, as Execute's) follows Bind's
            # and Describe's replies, and the Sync left in the queue ends the round.
            queued.popleft()
            queued.popleft()
            self._out += (backend.BIND_COMPLETE, backend.NO_DATA)
            raise
        if result is None:
            return False
        for _ in range(3):
            queued.popleft()
        self._out += (backend.BIND_COMPLETE, backend.NO_DATA)
        if result.notices or session.notices:
            self._send_notices(result)
        self._out.append(backend.command_complete(result.tag))
        if not self._await_commit(self._round_committed):
            self._ready_for_query()
        return True

    def _statement_committed(self, result: Result, error: errors.PgError | None) -> None:
        if error is not None:
            self._query_failed(error)
            return
        self._send_notices(result)
        self._send(backend.command_complete(result.tag))
        self._run_statements()

    def _round_committed(self, error: errors.PgError | None) -> None:
        """The end of a Query or of a Sync: its implicit transaction is durable (or failed)."""
        if error is not None:
            self._send(backend.error_response(error))
        self._ready_for_query()

    # --- group commit -----------------------------------------------------------------------

    def _await_commit(self, then: Callable[[errors.PgError | None], None]) -> bool:
        """Hand a pending commit to the group committer; True if there was one, and ``then``
        runs once it is durable. Until then nothing is sent and nothing else is handled."""
        executor = self.executor
        assert executor is not None
        if executor.pending_commit is None and executor.pending_notifies is None:
            return False  # (most statements: nothing was committed, or what was wrote nothing)
        writes = executor.take_pending_commit()
        notifies = executor.take_pending_notifies()
        if writes is None:
            if notifies is not None:
                self._publish(notifies)
            return False
        self.state = State.IN_QUERY
        self._holding = True
        self._after_commit = then
        self._committing_notifies = notifies
        durable = executor.session.values["synchronous_commit"] != "off"
        self.factory.committer.commit(writes, self._committed, durable)
        return True

    def _committed(self, error: errors.PgError | None) -> None:
        notifies, self._committing_notifies = self._committing_notifies, None
        self._executor.finish_commit(error)
        if self.state is State.CLOSED:
            return
        if error is None and notifies is not None:
            self._publish(notifies)
        self._holding = False
        self.state = State.READY
        then, self._after_commit = self._after_commit, None
        if then is not None:
            then(error)
        self._process()

    # --- LISTEN / NOTIFY ---------------------------------------------------------------------

    def _publish(self, notifies: tuple[list[Notification], list[tuple[bool, str | None]]]) -> None:
        """A committed transaction's LISTEN/UNLISTEN take effect, then its notifications go out."""
        notifications, listens = notifies
        registry = self.factory.notifications
        registry.apply(self, listens)
        registry.publish(self.process_id, notifications)

    def notification(self, process_id: int, channel: str, payload: str) -> None:
        """A notification for a channel this connection listens on: sent between transactions,
        at once if the connection is idle, else just before its next ReadyForQuery."""
        self._notifications.append(backend.notification_response(process_id, channel, payload))
        if self._notify_call is None and self.state is State.READY:
            self._notify_call = self.factory.reactor.callLater(0, self._notify_idle)

    def _notify_idle(self) -> None:
        self._notify_call = None
        session = self.session
        if self.state is not State.READY or self._queued or session is None or session.transaction is not None:
            return
        self._out.extend(self._notifications)
        self._notifications.clear()
        self._flush()

    # --- cancel and statement_timeout --------------------------------------------------------

    def interrupt(self, reason: str) -> None:
        """A cancel request or statement_timeout: the statement running now (its rows streaming
        or its pg_sleep waiting) ends with 57014; with none running, nothing happens."""
        if self.state is not State.IN_QUERY or self._holding or self._rows is None:
            return
        log.info("canceling statement on {pid}: {reason}", pid=self.process_id, reason=reason)
        if self._resume_call is not None and self._resume_call.active():
            self._resume_call.cancel()
        self._resume_call = None
        self.state = State.READY
        self._rows_failed(interrupts.query_canceled(reason))
        self._process()

    def _arm_statement_timeout(self) -> None:
        if self._timeout_call is not None:
            self._disarm_statement_timeout()
        assert self.session is not None
        limit = milliseconds(self.session.values["statement_timeout"])
        if limit > 0:
            self._timeout_call = self.factory.reactor.callLater(
                limit / 1000, self.interrupt, interrupts.STATEMENT_TIMEOUT
            )

    def _disarm_statement_timeout(self) -> None:
        if self._timeout_call is not None and self._timeout_call.active():
            self._timeout_call.cancel()
        self._timeout_call = None

    # --- waiting for a row lock -------------------------------------------------------------

    def _park(self, wait: LockWait, again: Callable[[], None], failed: Callable[[errors.PgError], None]) -> None:
        """Stop handling this connection's messages until the lock's holder lets go, then run
        the statement ``again``; the reactor serves the other connections meanwhile.
        lock_timeout (or statement_timeout, if sooner) ends the wait with an error."""
        self.state = State.WAITING
        self._wait, self._wait_failed = wait, failed
        wait.waiter.wakeup.addCallback(lambda _: self.factory.reactor.callLater(0, self._unpark, wait, again))
        session = self.session
        assert session is not None
        timeouts = []
        for name, message in (
            ("lock_timeout", "canceling statement due to lock timeout"),
            ("statement_timeout", "canceling statement due to statement timeout"),
        ):
            limit = milliseconds(session.values[name])
            if limit:
                sqlstate = "55P03" if name == "lock_timeout" else "57014"
                timeouts.append((limit, errors.PgError(sqlstate, message)))
        if timeouts:
            limit, error = min(timeouts, key=lambda t: t[0])
            self._wait_timeout = self.factory.reactor.callLater(limit / 1000, self.cancel_wait, error)

    def _unpark(self, wait: LockWait, again: Callable[[], None]) -> None:
        if self._wait is not wait or self.state is not State.WAITING:
            return  # cancelled meanwhile
        self._end_wait()
        self.state = State.READY
        again()
        self._process()

    def cancel_wait(self, error: errors.PgError) -> bool:
        """End a lock wait with ``error`` (lock_timeout, a cancel request); False if not waiting."""
        if self._wait is None or self.state is not State.WAITING:
            return False
        failed = self._wait_failed
        self._end_wait()
        self.state = State.READY
        assert failed is not None
        failed(error)
        self._process()
        return True

    def _end_wait(self) -> None:
        if self._wait is not None:
            self.factory.transactions.locks.cancel(self._wait.waiter)
        if self._wait_timeout is not None and self._wait_timeout.active():
            self._wait_timeout.cancel()
        self._wait = self._wait_timeout = self._wait_failed = None

    def _query_failed(self, error: errors.PgError) -> None:
        self._abandon_rows()
        self._executor.statement_failed()
        self._send_notices()
        self._send(backend.error_response(error))
        self._ready_for_query()

    def _send_notices(self, result: Result | None = None) -> None:
        """The notices the statement's functions raised, then the statement's own, as far as
        client_min_messages lets them through."""
        session = self._session
        pending = session.notices
        if result is not None and result.notices:
            pending = pending + result.notices
        if pending:
            session.notices = []
            for notice in notices.to_client(pending, session.values["client_min_messages"]):
                self._send(backend.notice_response(notice))

    # --- streaming rows -------------------------------------------------------------------

    def _start_rows(
        self,
        rows: Iterator[Sequence[Any]],
        encoders: list[Callable[[Any], bytes]],
        limit: int | None,
        tag: str,
        then: Callable[[], None],
    ) -> bool:
        """Send a result's rows; True if done now, False if they stream on and ``then`` runs after."""
        self._rows, self._encoders, self._limit, self._tag, self._then = rows, encoders, limit, tag, then
        self._row_count = 0
        if self._stream_rows():
            return True
        self.state = State.IN_QUERY
        return False

    def _stream_rows(self) -> bool:
        """Send DataRows for this reactor turn; True when the result (or Execute's share) is sent.

        A big result goes out in slices, yielding to the reactor between them and pausing
        while the client's socket is full, so other connections keep being served.
        """
        assert self._rows is not None and self.session is not None
        deadline = None  # read after the first slice: a short result never looks at the clock
        data_rows, rows, encoders, out, session = self._encode_rows, self._rows, self._encoders, self._out, self.session
        while True:
            limit = self._limit
            size = ROWS_PER_SLICE if limit is None else min(ROWS_PER_SLICE, limit - self._row_count)
            batch, taken, exhausted = data_rows(rows, encoders, size) if size else (b"", 0, False)
            if session.notices:  # raised while the rows were made: they go out before them
                self._send_notices()
            out.append(batch)
            self._row_count += taken
            if session.sleep_seconds or session.advisory_waits:
                self._sleep(session)
                return False
            if exhausted or (limit is not None and self._row_count >= limit):
                self._finish_rows(exhausted)
                return True
            now = time.perf_counter()
            if deadline is None:
                deadline = now + TURN_BUDGET
            if self._producer_paused or now > deadline:
                self._flush()
                if not self._producer_paused:
                    self._resume_call = self.factory.reactor.callLater(0, self._resume)
                return False

    def _sleep(self, session: Session) -> None:
        """The statement waits for the advisory locks it asked for, then for pg_sleep's time;
        it resumes after (or a cancel, a timeout ends it)."""
        self._flush()
        if session.advisory_waits:
            limit = milliseconds(session.values["lock_timeout"])
            if limit:
                self._lock_timeout_call = self.factory.reactor.callLater(
                    limit / 1000, self.interrupt, interrupts.LOCK_TIMEOUT
                )
            self.factory.advisory_locks.granted(session).addCallback(lambda _: self._locks_granted(session))
            return
        seconds, session.sleep_seconds = session.sleep_seconds, 0.0
        self._resume_call = self.factory.reactor.callLater(seconds, self._resume)

    def _locks_granted(self, session: Session) -> None:
        self._stop_lock_timeout()
        self._sleep(session)

    def _stop_lock_timeout(self) -> None:
        if self._lock_timeout_call is not None and self._lock_timeout_call.active():
            self._lock_timeout_call.cancel()
        self._lock_timeout_call = None

    def _finish_rows(self, exhausted: bool) -> None:
        tag = self._tag
        if self._portal is not None:
            if not exhausted:
                self._send(backend.PORTAL_SUSPENDED)
                self._rows = None
                return
            self._portal.rows = None
        if self._copy_to is not None:
            self._send(self._copy_to.end() + backend.COPY_DONE)
            self._end_copy()
        self._out.append(backend.command_complete(f"{tag} {self._row_count}" if tag in _COUNTED else tag))
        self._rows = None

    # --- COPY -------------------------------------------------------------------------------

    def _start_copy(self, result: Result, then: Callable[[], None]) -> bool:
        """COPY FROM STDIN waits for CopyData (False); COPY TO STDOUT streams as a result does
        (True if it is all sent now)."""
        if isinstance(result.copy, CopyFrom):
            self._send(copy_response(b"G", result.copy.options, len(result.copy.columns)))
            self._copy_from, self._copy_then = result.copy, then
            self.state = State.COPY_IN
            return False
        formatter: CopyTo = result.copy
        self._send(copy_response(b"H", formatter.options, len(formatter.names)) + formatter.start())
        self._copy_to, self._encode_rows = formatter, formatter.messages
        return self._start_rows(iter(result.rows), [], None, "COPY", then)

    def _end_copy(self) -> None:
        self._copy_to, self._copy_from, self._copy_then = None, None, None
        self._encode_rows = backend.data_rows

    def _copy_message(self, msg_type: int, body: bytes) -> None:
        """COPY FROM STDIN's sub-protocol; Flush and Sync are ignored here, as in PostgreSQL."""
        copy_from = self._copy_from
        assert copy_from is not None
        try:
            if msg_type == constants.COPY_DATA:
                copy_from.feed(body)
            elif msg_type == constants.COPY_DONE:
                count = copy_from.finish()
                then = self._copy_then
                self._end_copy()
                self.state = State.READY
                self._send(backend.command_complete(f"COPY {count}"))
                if then is not None:
                    then()
            elif msg_type == constants.COPY_FAIL:
                reason = frontend.decode_utf8(body.split(b"\x00", 1)[0])
                raise errors.PgError(interrupts.QUERY_CANCELED, f"COPY from stdin failed: {reason}")
            elif msg_type not in (constants.FLUSH, constants.SYNC):
                raise errors.PgError(
                    errors.PROTOCOL_VIOLATION, f"unexpected message type 0x{msg_type:02X} during COPY from stdin"
                )
        except LockWait as wait:
            self._park(wait, lambda: self._copy_again(msg_type), self._copy_failed)
        except errors.PgError as error:
            self._copy_failed(error)
        except Exception:
            log.failure("internal error in COPY FROM")
            self._copy_failed(errors.PgError(errors.INTERNAL_ERROR, "internal error; see the server log"))

    def _copy_again(self, msg_type: int) -> None:
        """A row lock the COPY waited for is granted: stage the waiting message's rows again
        (they are still in its buffer)."""
        self.state = State.COPY_IN
        self._copy_message(msg_type, b"")

    def _copy_failed(self, error: errors.PgError) -> None:
        self._end_copy()
        self.state = State.READY
        self._rows_failed(error)

    def _resume(self) -> None:
        self._resume_call = None
        if self.state is not State.IN_QUERY or self._producer_paused:
            return
        try:
            done = self._stream_rows()
        except Exception as exc:
            if not isinstance(exc, errors.PgError):
                log.failure("internal error streaming rows")
                exc = errors.PgError(errors.INTERNAL_ERROR, "internal error; see the server log")
            self.state = State.READY
            self._rows_failed(exc)
            done = False
        if done:
            self.state = State.READY
            then, self._then = self._then, None
            if then is not None:
                then()
        self._process()

    def _rows_failed(self, error: errors.PgError) -> None:
        """An error while rows stream (say, division by zero at row 1000) ends the statement."""
        if self._portal is None:
            self._query_failed(error)
        else:
            self._extended_error(error)

    def _abandon_rows(self) -> None:
        if self.session is not None:
            self.session.sleep_seconds = 0.0
            if self.session.advisory_waits:
                self.factory.advisory_locks.cancel_waits(self.session)
                self._stop_lock_timeout()
        if self._rows is not None:
            close = getattr(self._rows, "close", None)
            if close is not None:
                close()  # ends the scan and its snapshot
        self._rows = None
        self._then = None
        self._statements.clear()
        self._end_copy()

    # --- extended query -------------------------------------------------------------------

    def _extended_error(self, error: errors.PgError) -> None:
        """PostgreSQL's rule: report, abort the transaction, skip everything until Sync."""
        self._abandon_rows()
        self._portal = None
        self._executor.statement_failed()
        self._send_notices()
        self._send(backend.error_response(error))
        self.ignore_till_sync = True

    def _parse(self, body: bytes) -> None:
        message = frontend.decode_parse(body)
        executor = self.executor
        assert executor is not None
        executor.session.activity.start(message.query)
        if message.name and message.name in executor.statements:
            raise errors.PgError("42P05", f'prepared statement "{message.name}" already exists')
        cache = self.factory.statement_cache
        parsed = cache.parse(message.query)
        if len(parsed.statements) > 1:
            raise errors.PgError(errors.SYNTAX_ERROR, "cannot insert multiple commands into a prepared statement")
        declared = [types.BY_OID.get(oid, types.UNKNOWN) if oid else types.UNKNOWN for oid in message.param_oids]
        for oid in message.param_oids:
            if oid and oid not in types.BY_OID:
                raise errors.PgError(errors.UNDEFINED_OBJECT, f"type with OID {oid} does not exist")
        if parsed.statements:
            plan, literals = cache.plan(parsed, 0, executor, declared)
            executor.statements[message.name] = PreparedStatement(plan, literals)
        else:
            executor.statements[message.name] = PreparedStatement(None)
        self._out.append(backend.PARSE_COMPLETE)

    def _statement(self, name: str) -> PreparedStatement:
        assert self.executor is not None
        statement = self.executor.statements.get(name)
        if statement is None:
            shown = f'prepared statement "{name}"' if name else "unnamed prepared statement"
            raise errors.PgError("26000", f"{shown} does not exist")
        return statement

    def _portal_named(self, name: str) -> Portal:
        assert self.executor is not None
        portal = self.executor.portals.get(name)
        if portal is None:
            raise errors.PgError("34000", f'portal "{name}" does not exist')
        return portal

    def _check_rows_in_failed_block(self, plan: Plan | None) -> None:
        """In a failed block PostgreSQL refuses to describe anything that returns rows."""
        executor = self.executor
        assert executor is not None
        if plan is not None and plan.fields is not None and executor.session.transaction is not None:
            executor.check_not_failed(plan.ends_failed_transaction)

    def _bind(self, body: bytes) -> None:
        message = frontend.decode_bind(body)
        executor = self.executor
        assert executor is not None
        statement = executor.statements.get(message.statement) or self._statement(message.statement)
        if message.portal and message.portal in executor.portals:
            raise errors.PgError("42P03", f'cursor "{message.portal}" already exists')
        plan = statement.plan
        if plan is None:
            params = _bind_values(message, [])
            executor.portals[message.portal] = Portal(None, params, statement.literals, [], [])
        else:
            if executor.session.transaction is not None:
                executor.check_not_failed(plan.ends_failed_transaction)
            params = _bind_values(message, plan.param_types)
            shape = _result_shape(plan, message.result_formats)
            portal = Portal(plan, params, statement.literals, shape.formats, shape.encoders)
            if plan.fields is not None:
                portal.row_description = shape.row_description
            executor.portals[message.portal] = portal
        self._out.append(backend.BIND_COMPLETE)

    def _describe(self, body: bytes) -> None:
        message = frontend.decode_describe(body)
        if message.kind == "S":
            plan = self._statement(message.name).plan
            self._check_rows_in_failed_block(plan)
            self._send(backend.parameter_description([t.oid for t in plan.param_types] if plan else []))
            formats: Sequence[int] = ()
        else:
            portal = self._executor.portals.get(message.name) or self._portal_named(message.name)
            plan = portal.plan
            self._check_rows_in_failed_block(plan)
            if portal.row_description is not None:
                self._out.append(portal.row_description)
                return
            formats = portal.formats
        if plan is None or plan.fields is None:
            self._out.append(backend.NO_DATA)
        else:
            self._out.append(_result_shape(plan, formats).row_description)

    def _execute(self, body: bytes) -> None:
        message = frontend.decode_execute(body)
        executor = self.executor
        assert executor is not None
        portal = executor.portals.get(message.portal) or self._portal_named(message.portal)
        if portal.plan is None:
            self._send(backend.EMPTY_QUERY_RESPONSE)
            return
        for fmt in portal.formats:
            if fmt not in (0, 1):
                raise errors.PgError(errors.INVALID_PARAMETER_VALUE, f"unsupported format code: {fmt}")
        if self._timeout_call is None and milliseconds(executor.session.values["statement_timeout"]):
            self._arm_statement_timeout()
        if portal.result is None:
            portal.result = executor.run(portal.plan, portal.params, portal.literals)
            if portal.result.notices or executor.session.notices:
                self._send_notices(portal.result)
            if portal.result.copy is not None:
                self._portal = portal
                if self._start_copy(portal.result, self._execute_done):
                    self._portal = None
                return
            portal.rows = iter(portal.result.rows) if portal.result.fields is not None else None
            if portal.rows is None:
                tag = portal.result.tag
                if not self._await_commit(lambda error: self._portal_committed(tag, error)):
                    self._send(backend.command_complete(tag))
                return
        result = portal.result
        if portal.rows is None:
            if result.fields is None:
                raise errors.PgError("55000", f'portal "{message.portal}" cannot be run')
            self._send(backend.command_complete("SELECT 0"))
            return
        limit = message.max_rows if message.max_rows > 0 else None
        self._portal = portal
        if self._start_rows(portal.rows, portal.encoders, limit, result.tag, self._execute_done):
            self._portal = None

    def _portal_committed(self, tag: str, error: errors.PgError | None) -> None:
        if error is None:
            self._send(backend.command_complete(tag))
        else:
            self._extended_error(error)

    def _execute_done(self) -> None:
        self._portal = None

    def _close_message(self, body: bytes) -> None:
        message = frontend.decode_close(body)
        executor = self._executor
        if message.kind == "S":
            executor.statements.pop(message.name, None)
        else:
            executor.portals.pop(message.name, None)
        self._send(backend.CLOSE_COMPLETE)

    def _sync(self, body: bytes) -> None:
        """The end of an extended-protocol round: the implicit transaction ends here."""
        self.ignore_till_sync = False
        assert self.executor is not None
        self.executor.end_of_query()
        if not self._await_commit(self._round_committed):
            self._ready_for_query()

    def _flush_message(self, body: bytes) -> None:
        self._flush()

    _handlers: dict[int, Callable[[PostgresProtocol, bytes], None]] = {
        constants.PARSE: _parse,
        constants.BIND: _bind,
        constants.DESCRIBE: _describe,
        constants.EXECUTE: _execute,
        constants.CLOSE: _close_message,
        constants.SYNC: _sync,
        constants.FLUSH: _flush_message,
    }

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


def _result_shape(plan: Plan, codes: Sequence[int]) -> ResultShape:
    """The result's formats, output functions and RowDescription for these result format codes
    (as a Bind or a FETCH from a binary cursor gives them), made once per plan and codes."""
    key = tuple(codes)
    shape = plan.shapes.get(key)
    if shape is None:
        fields = plan.fields or []
        # A statement without result columns ignores result formats, as PostgreSQL does.
        formats = _formats(list(codes), len(fields), "result") if fields else []
        description = backend.row_description(
            (f.name, f.table_oid, f.attnum, f.type.oid, f.type.typlen, -1, fmt)
            for f, fmt in zip(fields, formats, strict=True)
        )
        encoders = [f.type.binary_out if fmt == 1 else f.type.text_out for f, fmt in zip(fields, formats, strict=True)]
        # The whole actors row in text is its stored bytes (jsonb in binary is not).
        shape = ResultShape(formats, encoders, description, plan.stored_at_once is not None and not any(formats))
        if all(fmt in (0, 1) for fmt in formats):  # others fail at Execute: not worth keeping
            if plan.read_at_once is not None:
                shape.encode_at_once = (
                    backend.tails_encoder(len(fields)) if shape.as_stored else backend.rows_encoder(encoders)
                )
            plan.shapes[key] = shape
    return shape


def _formats(codes: list[int], count: int, what: str) -> list[int]:
    """Bind's format codes: none (all text), one for all, or one each. Each code is checked
    where it is used (a parameter at Bind, a result column at Execute), as in PostgreSQL."""
    if not codes:
        return [0] * count
    if len(codes) == 1:
        return codes * count
    if len(codes) != count:
        if what == "parameter":
            message = f"bind message has {len(codes)} parameter formats but {count} parameters"
        else:
            message = f"bind message has {len(codes)} result formats but query has {count} columns"
        raise errors.PgError(errors.PROTOCOL_VIOLATION, message)
    return codes


def _bind_values(message: frontend.Bind, param_types: list[types.PgType]) -> list[Any]:
    """Bind's parameter values from their wire forms, with PostgreSQL's CONTEXT line on a bad
    value (which, with log_parameter_max_length_on_error at its default 0, does not show it)."""
    values = message.params
    count = len(values)
    # No format codes (libpq's default) means all text.
    formats = _formats(message.param_formats, count, "parameter") if message.param_formats else None
    if count != len(param_types):
        raise errors.PgError(
            errors.PROTOCOL_VIOLATION,
            f"bind message supplies {count} parameters, "
            f'but prepared statement "{message.statement}" requires {len(param_types)}',
        )
    bound: list[Any] = []
    for index, value in enumerate(values):
        fmt = formats[index] if formats is not None else 0
        if value is None:
            bound.append(None)
            continue
        shown = False  # PostgreSQL's CONTEXT line shows " = '...'" once the value is text
        try:
            if fmt == 0:
                text = _param_text(value)
                shown = True
                bound.append(param_types[index].text_in(text))
            elif fmt == 1:
                bound.append(param_types[index].binary_in(value))
            else:
                raise errors.PgError(errors.INVALID_PARAMETER_VALUE, f"unsupported format code: {fmt}")
        except errors.PgError as error:
            if isinstance(error, types.TrailingBytes):
                error.message = f"incorrect binary data format in bind parameter {index + 1}"
            named = f'portal "{message.portal}"' if message.portal else "unnamed portal"
            line = f"{named} parameter ${index + 1}" + (" = '...'" if shown else "")
            error.context = f"{error.context}\n{line}" if error.context else line
            raise
    return bound


def _param_text(value: bytes) -> str:
    """A parameter's text form, which ends at a NUL, as PostgreSQL reads it (a C string)."""
    return frontend.decode_utf8(value.partition(b"\x00")[0])


def _split_options(options: str) -> list[str]:
    """PostgreSQL's pg_split_opts: words split at white space, a backslash keeps the next
    character (quotes mean nothing, so an unbalanced one is just a character)."""
    words: list[str] = []
    word: list[str] | None = None
    escaped = False
    for char in options:
        if escaped or char == "\\" or not char.isspace():
            word = word if word is not None else []
            if escaped or char != "\\":
                word.append(char)
            escaped = not escaped and char == "\\"
        elif word is not None:
            words.append("".join(word))
            word = None
    if word is not None:
        words.append("".join(word))
    return words


def _command_line_options(options: str) -> dict[str, str]:
    """The startup ``options`` parameter: ``-c name=value`` and ``--name=value`` pairs."""
    settings: dict[str, str] = {}
    words = _split_options(options)
    i = 0
    while i < len(words):
        word = words[i]
        if word == "-c" and i + 1 < len(words):
            i += 1
            word = words[i]
        elif word.startswith("-c"):
            word = word[2:]
        elif word.startswith("--"):
            word = word[2:]
        name, sep, value = word.partition("=")
        if sep:
            settings[name.replace("-", "_")] = value
        i += 1
    return settings


def _write_now(transport: Any, data: bytes) -> None:
    """Send at once on a plain TCP connection with nothing queued before ``data``.

    Twisted's ``write`` only queues: it registers the socket for writability (an epoll_ctl),
    sends on the next reactor turn and unregisters it (another epoll_ctl) — on every
    ReadyForQuery cycle, where one ``send`` almost always takes the whole answer. What the
    socket does not take, and everything on a TLS connection or behind queued bytes, goes
    through ``write`` as before, so order and backpressure are Twisted's."""
    if (
        isinstance(transport, tcp.Connection)
        and not transport.TLS
        and transport.connected
        and not transport.disconnecting
        and len(transport.dataBuffer) == transport.offset
        and not transport._tempDataLen
    ):
        try:
            sent = transport.socket.send(data)
        except OSError:
            sent = 0  # would block, or the connection is going: write() and the reactor deal with it
        data = data[sent:]
    if data:
        transport.write(data)


class PostgresServerFactory(ServerFactory):
    """Makes one ``PostgresProtocol`` per connection, all sharing one store."""

    protocol = PostgresProtocol

    def __init__(
        self,
        store: Store,
        max_message_size: int = DEFAULT_MAX_MESSAGE_SIZE,
        reactor: IReactorTime | None = None,
        *,
        authenticator: Authenticator | None = None,
        tls: tls_config.TlsSettings | None = None,
        connection_limits: limits.Limits | None = None,
        commit_group_size: int = 0,
    ) -> None:
        if reactor is None:
            from twisted.internet import reactor as default_reactor

            reactor = default_reactor
        self.reactor = reactor
        self.store = store
        self.statement_cache = StatementCache()
        self.committer = GroupCommitter(store, reactor, commit_group_size)
        self.transactions = Transactions(store.temp_dir)
        self.max_message_size = max_message_size
        self.connections: dict[int, PostgresProtocol] = {}
        self.notifications = NotifyRegistry()
        self.advisory_locks = AdvisoryLocks()
        # Who may connect and how (default: loopback only; trust until a role exists).
        self.authenticator = authenticator or Authenticator(Roles(store.catalog(CATALOG_NAME)))
        self.tls = tls
        self.limits = connection_limits or limits.Limits()
        self.started = datetime.now(timezone.utc)  # pg_postmaster_start_time

    def backends(self) -> int:
        """Connections past their startup packet: what max_connections counts."""
        return sum(1 for connection in self.connections.values() if connection.backend)

    def sessions(self) -> Iterator[Session]:
        """The sessions of the connections past startup (pg_stat_activity's rows)."""
        return (c.session for c in list(self.connections.values()) if c.session is not None)

    def relation_sizes(self) -> Mapping[str, int]:
        return self.store.relation_sizes()

    def stored_roles(self) -> list[tuple[str, bool, bool]]:
        """(name, superuser, can log in) of each stored role; none while authentication is trust."""
        return [(role.name, role.superuser, role.login) for role in self.authenticator.roles]

    def backend_id(self) -> int:
        """The lowest free backend slot: PostgreSQL's ProcState gives 1 and 2 to its background
        processes, so client backends start at 3 (pg_locks.virtualtransaction shows it)."""
        taken = {session.backend_id for session in self.sessions()}
        return next(slot for slot in itertools.count(3) if slot not in taken)

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
        """A CancelRequest: with the right key, what runs on that connection stops with 57014 (a lock
        wait, a result streaming, a pg_sleep); a wrong key is ignored."""
        target = self.connections.get(process_id)
        if target is None or target.secret_key != secret_key:
            log.info("cancel request for unknown backend {pid}", pid=process_id)
            return
        if not target.cancel_wait(interrupts.query_canceled(interrupts.USER_REQUEST)):
            target.interrupt(interrupts.USER_REQUEST)
