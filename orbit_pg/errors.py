"""One error type for everything a client should see as an ErrorResponse.

Errors are raised anywhere (grammar, executor, store, protocol) and turned into an
ErrorResponse in exactly one place, the protocol, as PostgreSQL's ``ereport`` does.
SQLSTATE names follow PostgreSQL's ``src/backend/utils/errcodes.txt``.
"""

from __future__ import annotations

# SQLSTATEs (errcodes.txt names, lower-cased)
PROTOCOL_VIOLATION = "08P01"
FEATURE_NOT_SUPPORTED = "0A000"
INVALID_PARAMETER_VALUE = "22023"
DIVISION_BY_ZERO = "22012"
NUMERIC_VALUE_OUT_OF_RANGE = "22003"
INVALID_TEXT_REPRESENTATION = "22P02"
INVALID_BINARY_REPRESENTATION = "22P03"
INVALID_DATETIME_FORMAT = "22007"
DATETIME_FIELD_OVERFLOW = "22008"  # also DATETIME_VALUE_OUT_OF_RANGE
INVALID_TIME_ZONE_DISPLACEMENT_VALUE = "22009"
INTERVAL_FIELD_OVERFLOW = "22015"
ARRAY_SUBSCRIPT_ERROR = "2202E"
INVALID_REGULAR_EXPRESSION = "2201B"
DATA_EXCEPTION = "22000"
INVALID_ESCAPE_SEQUENCE = "22025"
INVALID_USE_OF_ESCAPE_CHARACTER = "2200C"
UNTRANSLATABLE_CHARACTER = "22P05"
CHARACTER_NOT_IN_REPERTOIRE = "22021"
NOT_NULL_VIOLATION = "23502"
UNIQUE_VIOLATION = "23505"
ACTIVE_SQL_TRANSACTION = "25001"
NO_ACTIVE_SQL_TRANSACTION = "25P01"
IN_FAILED_SQL_TRANSACTION = "25P02"
INVALID_AUTHORIZATION_SPECIFICATION = "28000"
SYNTAX_ERROR = "42601"
NAME_TOO_LONG = "42622"
UNDEFINED_COLUMN = "42703"
UNDEFINED_TABLE = "42P01"
UNDEFINED_FUNCTION = "42883"
UNDEFINED_OBJECT = "42704"
INVALID_SCHEMA_NAME = "3F000"
WRONG_OBJECT_TYPE = "42809"
DATATYPE_MISMATCH = "42804"
PROGRAM_LIMIT_EXCEEDED = "54000"
STATEMENT_TOO_COMPLEX = "54001"
INVALID_ARGUMENT_FOR_POWER_FUNCTION = "2201F"
INDETERMINATE_DATATYPE = "42P18"
SUBSTRING_ERROR = "22011"
NULL_VALUE_NOT_ALLOWED = "22004"
AMBIGUOUS_FUNCTION = "42725"
CANNOT_COERCE = "42846"
INTERNAL_ERROR = "XX000"


class PgError(Exception):
    """An error with PostgreSQL's fields; ``position`` is 1-based in characters, like errposition."""

    def __init__(
        self,
        sqlstate: str,
        message: str,
        *,
        severity: str = "ERROR",
        detail: str | None = None,
        hint: str | None = None,
        position: int | None = None,
        context: str | None = None,
        schema: str | None = None,
        table: str | None = None,
        column: str | None = None,
        constraint: str | None = None,
        datatype: str | None = None,
    ) -> None:
        super().__init__(message)
        self.sqlstate = sqlstate
        self.message = message
        self.severity = severity
        self.detail = detail
        self.hint = hint
        self.position = position
        self.context = context
        self.schema = schema
        self.table = table
        self.column = column
        self.constraint = constraint
        self.datatype = datatype

    def __repr__(self) -> str:
        return f"PgError({self.sqlstate!r}, {self.message!r})"


def deadlock_detected(cycle: list[tuple[int, str, int]]) -> PgError:
    """40P01 for a wait cycle of row or advisory locks: (waiting pid, what it waits for, blocking
    pid) per member, worded as PostgreSQL's DeadLockReport."""
    detail = "\n".join(f"Process {pid} waits for {what}; blocked by process {blocker}." for pid, what, blocker in cycle)
    return PgError("40P01", "deadlock detected", detail=detail, hint="See server log for query details.")


def fatal(sqlstate: str, message: str, **fields: str | None) -> PgError:
    """A FATAL error: the protocol sends it and then closes the connection."""
    return PgError(sqlstate, message, severity="FATAL", **fields)
