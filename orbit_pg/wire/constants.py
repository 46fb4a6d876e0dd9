"""Protocol constants from PostgreSQL's protocol chapter (``Message Formats``)."""

from __future__ import annotations

PROTOCOL_3_0 = 196608  # 3 << 16
SSL_REQUEST_CODE = 80877103
GSSENC_REQUEST_CODE = 80877104
CANCEL_REQUEST_CODE = 80877102

# PostgreSQL refuses startup packets longer than this (MAX_STARTUP_PACKET_LENGTH).
MAX_STARTUP_PACKET_LENGTH = 10000
DEFAULT_MAX_MESSAGE_SIZE = 64 * 1024 * 1024

# Frontend message type bytes.
QUERY = ord("Q")
TERMINATE = ord("X")
PARSE = ord("P")
BIND = ord("B")
DESCRIBE = ord("D")
EXECUTE = ord("E")
SYNC = ord("S")
FLUSH = ord("H")
CLOSE = ord("C")
COPY_DATA = ord("d")
COPY_DONE = ord("c")
COPY_FAIL = ord("f")
FUNCTION_CALL = ord("F")
PASSWORD_MESSAGE = ord("p")

EXTENDED_QUERY_MESSAGES = frozenset({PARSE, BIND, DESCRIBE, EXECUTE, CLOSE, FLUSH})

# ReadyForQuery transaction status indicators.
TRANSACTION_IDLE = b"I"
TRANSACTION_BLOCK = b"T"
TRANSACTION_FAILED = b"E"
