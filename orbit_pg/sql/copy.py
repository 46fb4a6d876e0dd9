"""COPY's data formats (text, csv, binary) as PostgreSQL 15's copyfromparse.c and copyto.c define them.

``CopyFrom`` takes CopyData payloads as they arrive, cuts them into lines (a CSV line may span
several), turns each line into a row and stages each message's rows in the transaction's write
set through the same step as INSERT; an error names the line (``COPY actors, line 17``) and
leaves nothing written, since the write set is discarded with the failed transaction.
``CopyTo`` turns result rows into CopyData messages, one per row.
"""

from __future__ import annotations

import re
import struct
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from orbit_pg import errors, types
from orbit_pg.interrupts import PAUSE
from orbit_pg.locks import LockWait

if TYPE_CHECKING:
    from orbit_pg.sql.executor import Executor

BAD_COPY_FILE_FORMAT = "22P04"
BINARY_SIGNATURE = b"PGCOPY\n\xff\r\n\x00"
_BINARY_HEADER = BINARY_SIGNATURE + struct.pack("!ii", 0, 0)
_BINARY_TRAILER = struct.pack("!h", -1)
_INT16 = struct.Struct("!h")
_INT32 = struct.Struct("!i")
_COPY_DATA = struct.Struct("!ci")
# How much of a line PostgreSQL shows in an error's CONTEXT (limit_printout_length).
_MAX_SHOWN = 100
_TEXT_ESCAPES = {"b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v"}
_TEXT_OUT = {"\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\v": "\\v", "\\": "\\\\"}


@dataclass
class CopyOptions:
    """COPY's options after PostgreSQL's checks (ProcessCopyOptions)."""

    format: str = "text"  # text, csv, binary
    header: bool = False
    delimiter: str = "\t"
    null: str = "\\N"
    quote: str = '"'
    escape: str = '"'
    force_quote: list[str] | None = None  # None: no column; ["*"]: all
    force_not_null: list[str] = field(default_factory=list)
    force_null: list[str] = field(default_factory=list)


def copy_options(given: Sequence[tuple[str, Any]]) -> CopyOptions:
    """Check COPY's options as PostgreSQL does, with its messages."""
    options = CopyOptions()
    seen: set[str] = set()
    for name, value in given:
        if name in seen:
            raise errors.PgError(errors.SYNTAX_ERROR, "conflicting or redundant options")
        seen.add(name)
        if name == "format":
            if value not in ("text", "csv", "binary"):
                raise errors.PgError(errors.INVALID_PARAMETER_VALUE, f'COPY format "{value}" not recognized')
            options.format = value
        elif name == "header":
            options.header = _boolean(name, value)
        elif name in ("delimiter", "null", "quote", "escape"):
            setattr(options, name, str(value))
        elif name in ("force_quote", "force_not_null", "force_null"):
            setattr(options, name, value)
        elif name == "encoding":
            if str(value).replace("-", "").replace("_", "").lower() not in ("utf8", "unicode"):
                raise errors.PgError(errors.FEATURE_NOT_SUPPORTED, "only UTF8 is supported in COPY")
        elif name != "freeze":
            raise errors.PgError(errors.SYNTAX_ERROR, f'option "{name}" not recognized')
    csv = options.format == "csv"
    if csv:
        if "delimiter" not in seen:
            options.delimiter = ","
        if "null" not in seen:
            options.null = ""
        if "escape" not in seen:
            options.escape = options.quote
    if options.format == "binary":
        for name in ("delimiter", "null", "header"):
            if name in seen:
                raise (
                    errors.PgError(errors.SYNTAX_ERROR, f"cannot specify {name.upper()} in BINARY mode")
                    if name != "header"
                    else errors.PgError(errors.FEATURE_NOT_SUPPORTED, "cannot specify HEADER in BINARY mode")
                )
    if len(options.delimiter) != 1:
        raise errors.PgError(errors.FEATURE_NOT_SUPPORTED, "COPY delimiter must be a single one-byte character")
    if options.delimiter in "\r\n":
        raise errors.PgError(errors.INVALID_PARAMETER_VALUE, "COPY delimiter cannot be newline or carriage return")
    if "\r" in options.null or "\n" in options.null:
        raise errors.PgError(
            errors.INVALID_PARAMETER_VALUE, "COPY null representation cannot use newline or carriage return"
        )
    if not csv:
        for name in ("quote", "escape"):
            if name in seen:
                raise errors.PgError(errors.FEATURE_NOT_SUPPORTED, f"COPY {name} available only in CSV mode")
        for name in ("force_quote", "force_not_null", "force_null"):
            if name in seen:
                raise errors.PgError(
                    errors.FEATURE_NOT_SUPPORTED, f"COPY {name.replace('_', ' ')} available only in CSV mode"
                )
    else:
        if len(options.quote) != 1:
            raise errors.PgError(errors.FEATURE_NOT_SUPPORTED, "COPY quote must be a single one-byte character")
        if len(options.escape) != 1:
            raise errors.PgError(errors.FEATURE_NOT_SUPPORTED, "COPY escape must be a single one-byte character")
        if options.delimiter == options.quote:
            raise errors.PgError(errors.INVALID_PARAMETER_VALUE, "COPY delimiter and quote must be different")
    if options.delimiter in options.null:
        raise errors.PgError(errors.INVALID_PARAMETER_VALUE, "COPY delimiter must not appear in the NULL specification")
    return options


def _boolean(name: str, value: Any) -> bool:
    if value is True or value is None:
        return True
    word = str(value).lower()
    if word in ("true", "on", "1"):
        return True
    if word in ("false", "off", "0"):
        return False
    raise errors.PgError(errors.INVALID_PARAMETER_VALUE, f"{name} requires a Boolean value")


def copy_data(payload: bytes) -> bytes:
    return _COPY_DATA.pack(b"d", len(payload) + 4) + payload


def copy_response(kind: bytes, options: CopyOptions, columns: int) -> bytes:
    """CopyInResponse (G) or CopyOutResponse (H): overall format, then each column's."""
    fmt = 1 if options.format == "binary" else 0
    body = struct.pack("!bh", fmt, columns) + _INT16.pack(fmt) * columns
    return _COPY_DATA.pack(kind, len(body) + 4) + body


def _shown(text: str) -> str:
    return text if len(text) <= _MAX_SHOWN else text[:_MAX_SHOWN] + "..."


# --- COPY FROM ------------------------------------------------------------------------------


@dataclass
class CopyColumn:
    name: str
    index: int  # in the table's row
    type: types.PgType


class CopyFrom:
    """A COPY FROM STDIN in progress: feed it CopyData payloads, then ``finish``."""

    def __init__(self, executor: Executor, columns: list[CopyColumn], options: CopyOptions, width: int) -> None:
        self.executor = executor
        self.columns = columns
        self.options = options
        self.width = width  # the table's column count
        self.count = 0
        self.line = 0  # the current line number (the last physical line of a CSV record), for CONTEXT
        self._line_text: str | None = None
        self._column: str | None = None
        self._value: str | None = None
        self._buffer = b""
        self._done = False  # the end-of-data marker was seen
        self._binary_started = False
        self._skip_header = options.header
        self.csv = options.format == "csv"
        self.binary = options.format == "binary"
        self.force_not_null = set(options.force_not_null)
        self.force_null = set(options.force_null)

    # The protocol calls feed / finish; both raise PgError with PostgreSQL's CONTEXT.

    def feed(self, data: bytes) -> None:
        try:
            if self.binary:
                self._buffer += data
                rows = self._binary_rows(final=False)
            else:
                self._buffer += data
                rows = self._text_rows(final=False)
            self._stage(rows)
        except errors.PgError as error:
            raise self._with_context(error) from None

    def finish(self) -> int:
        try:
            rows = self._binary_rows(final=True) if self.binary else self._text_rows(final=True)
            self._stage(rows)
        except errors.PgError as error:
            raise self._with_context(error) from None
        return self.count

    def _stage(self, rows: Iterator[list[Any]]) -> None:
        def changes() -> Iterator[tuple[None, tuple[Any, ...]]]:
            for values in rows:
                self._column = None
                yield None, tuple(values)

        parsed = (self._buffer, self.line, self._skip_header, self._done, self._binary_started)
        try:
            self.count += self.executor._stage(changes())
        except LockWait:
            # It waits for a row lock, then stages this message's rows again: parse them afresh.
            self._buffer, self.line, self._skip_header, self._done, self._binary_started = parsed
            raise

    def _with_context(self, error: errors.PgError) -> errors.PgError:
        table = "actors"
        if self._column is not None and self._value is not None:
            line = f'COPY {table}, line {self.line}, column {self._column}: "{_shown(self._value)}"'
        elif self._column is not None:
            line = f"COPY {table}, line {self.line}, column {self._column}: null input"
        elif self._line_text is not None and error.sqlstate != errors.UNIQUE_VIOLATION:
            # PostgreSQL finds a duplicate key when it flushes buffered rows: the line is gone by then.
            line = f'COPY {table}, line {self.line}: "{_shown(self._line_text)}"'
        else:
            line = f"COPY {table}, line {self.line}"
        error.context = f"{error.context}\n{line}" if error.context else line
        return error

    # --- text and csv

    def _lines(self, final: bool) -> Iterator[str]:
        """Whole lines from the buffer (for CSV, a quoted field may hold line breaks)."""
        buffer = self._buffer
        start = 0
        while not self._done:
            end = self._line_end(buffer, start)
            if end < 0:
                break
            raw = buffer[start:end]
            start = end + 1
            if raw.endswith(b"\r"):
                raw = raw[:-1]
            yield self._decode(raw)
        rest = buffer[start:]
        if final and rest and not self._done:
            self._buffer = b""
            yield self._decode(rest[:-1] if rest.endswith(b"\r") else rest)
            return
        self._buffer = rest

    def _line_end(self, buffer: bytes, start: int) -> int:
        end = buffer.find(b"\n", start)
        if not self.csv or end < 0:
            return end
        quote = self.options.quote.encode()
        # Inside an open quote the line goes on: count quotes (escapes inside quotes are quote chars
        # too when ESCAPE equals QUOTE; another escape char only ever precedes a quote or itself).
        escape = self.options.escape.encode()
        while True:
            segment = buffer[start:end]
            if escape != quote:
                segment = segment.replace(escape + escape, b"").replace(escape + quote, b"")
            if segment.count(quote) % 2 == 0:
                return end
            end = buffer.find(b"\n", end + 1)
            if end < 0:
                return -1

    def _decode(self, raw: bytes) -> str:
        self.line += 1 + raw.count(b"\n")  # a CSV line may span several
        try:
            return raw.decode()
        except UnicodeDecodeError as exc:
            bad = raw[exc.start : exc.start + 2]
            shown = " ".join(f"0x{b:02x}" for b in bad)
            raise errors.PgError(
                errors.CHARACTER_NOT_IN_REPERTOIRE, f'invalid byte sequence for encoding "UTF8": {shown}'
            ) from None

    def _text_rows(self, final: bool) -> Iterator[list[Any]]:
        for line in self._lines(final):
            self._line_text = line
            if self._skip_header:
                self._skip_header = False
                continue
            if line == "\\.":
                self._done = True
                return
            fields = self._csv_fields(line) if self.csv else self._text_fields(line)
            yield self._row(fields, line)
        self._line_text = None

    def _text_fields(self, line: str) -> list[str | None]:
        """CopyReadAttributesText: NULL is the raw field equal to the null string; then backslash escapes."""
        null = self.options.null
        delimiter = self.options.delimiter
        if "\\" not in line:
            return [None if f == null else f for f in line.split(delimiter)]
        fields: list[str | None] = []
        parts: list[str] = []
        raw_start = i = 0
        size = len(line)
        while i < size:
            c = line[i]
            if c == delimiter:
                fields.append(None if line[raw_start:i] == null else "".join(parts))
                parts = []
                i += 1
                raw_start = i
            elif c == "\\" and i + 1 < size:
                value, i = _text_escape(line, i + 1)
                parts.append(value)
            else:
                parts.append(c)
                i += 1
        fields.append(None if line[raw_start:] == null else "".join(parts))
        return fields

    def _csv_fields(self, line: str) -> list[str | None]:
        """CopyReadAttributesCSV: quoted parts, escapes inside quotes; an unquoted null string is NULL."""
        options = self.options
        delimiter, quote, escape, null = options.delimiter, options.quote, options.escape, options.null
        fields: list[str | None] = []
        i, size = 0, len(line)
        while True:
            parts: list[str] = []
            quoted = False
            start = i
            while i < size:
                c = line[i]
                if c == delimiter:
                    break
                if c == quote:
                    quoted = True
                    i += 1
                    while True:
                        if i >= size:
                            raise errors.PgError(BAD_COPY_FILE_FORMAT, "unterminated CSV quoted field")
                        c = line[i]
                        if (
                            c == escape
                            and i + 1 < size
                            and line[i + 1] in (quote, escape)
                            and (escape != quote or line[i + 1] == quote)
                        ):
                            parts.append(line[i + 1])
                            i += 2
                            continue
                        if c == quote:
                            i += 1
                            break
                        parts.append(c)
                        i += 1
                    continue
                parts.append(c)
                i += 1
            value = "".join(parts)
            column = self.columns[len(fields)].name if len(fields) < len(self.columns) else None
            if not quoted and line[start:i] == null and column not in self.force_not_null:
                fields.append(None)
            elif quoted and value == null and column in self.force_null:
                fields.append(None)
            else:
                fields.append(value)
            if i >= size:
                return fields
            i += 1

    def _row(self, fields: list[str | None], line: str) -> list[Any]:
        columns = self.columns
        if len(fields) > len(columns):
            raise errors.PgError(BAD_COPY_FILE_FORMAT, "extra data after last expected column")
        if len(fields) < len(columns) and not (len(columns) == 0 and fields == [""]):
            raise errors.PgError(BAD_COPY_FILE_FORMAT, f'missing data for column "{columns[len(fields)].name}"')
        values: list[Any] = [None] * self.width
        for column, text in zip(columns, fields, strict=False):
            if text is None:
                continue
            if column.type is types.TEXT:
                values[column.index] = text
                continue
            self._column, self._value = column.name, text
            values[column.index] = column.type.text_in(text)
        self._column = self._value = None
        return values

    # --- binary

    def _binary_rows(self, final: bool) -> Iterator[list[Any]]:
        buffer = self._buffer
        pos = 0
        size = len(buffer)
        if not self._binary_started:
            if size < len(_BINARY_HEADER):
                if final:
                    raise errors.PgError(BAD_COPY_FILE_FORMAT, "COPY file signature not recognized")
                return
            if buffer[: len(BINARY_SIGNATURE)] != BINARY_SIGNATURE:
                raise errors.PgError(BAD_COPY_FILE_FORMAT, "COPY file signature not recognized")
            (extension,) = _INT32.unpack_from(buffer, len(BINARY_SIGNATURE) + 4)
            pos = len(_BINARY_HEADER) + extension
            self._binary_started = True
        columns = self.columns
        while not self._done and pos + 2 <= size:
            (count,) = _INT16.unpack_from(buffer, pos)
            if count == -1:
                self._done = True
                pos += 2
                break
            end = pos + 2
            lengths = []
            for _ in range(max(count, 0)):
                if end + 4 > size:
                    break
                (length,) = _INT32.unpack_from(buffer, end)
                end += 4 + max(length, 0)
                lengths.append(length)
            if len(lengths) < count or end > size:
                break  # the tuple is not all here yet
            self.line += 1
            self._line_text = None
            if count != len(columns):
                raise errors.PgError(BAD_COPY_FILE_FORMAT, f"row field count is {count}, expected {len(columns)}")
            values: list[Any] = [None] * self.width
            at = pos + 2
            for column, length in zip(columns, lengths, strict=True):
                at += 4
                if length < 0:
                    continue
                self._column, self._value = column.name, None
                try:
                    values[column.index] = column.type.binary_in(bytes(buffer[at : at + length]))
                except types.TrailingBytes:
                    raise errors.PgError(errors.INVALID_BINARY_REPRESENTATION, "incorrect binary data format") from None
                at += length
            self._column = None
            pos = end
            yield values
        self._buffer = buffer[pos:]
        if final and not self._done and (self._buffer or not self._binary_started):
            raise errors.PgError(BAD_COPY_FILE_FORMAT, "unexpected EOF in COPY data")


_OCTAL = re.compile(r"[0-7]{1,3}")
_HEX = re.compile(r"x([0-9a-fA-F]{1,2})")


def _text_escape(line: str, at: int) -> tuple[str, int]:
    """The backslash sequence at ``at`` (after the backslash): \\b \\f \\n \\r \\t \\v, octal, \\x hex,
    else the character itself; returns it and where the text goes on."""
    char = line[at]
    if char in _TEXT_ESCAPES:
        return _TEXT_ESCAPES[char], at + 1
    octal = _OCTAL.match(line, at)
    if octal is not None:
        return chr(int(octal.group(0), 8) & 0xFF), octal.end()
    hexadecimal = _HEX.match(line, at)
    if hexadecimal is not None:
        return chr(int(hexadecimal.group(1), 16)), hexadecimal.end()
    return char, at + 1


# --- COPY TO --------------------------------------------------------------------------------


class CopyTo:
    """Formats result rows as COPY data; ``message`` makes one CopyData message per row."""

    def __init__(self, names: list[str], column_types: list[types.PgType], options: CopyOptions) -> None:
        self.names = names
        self.types = column_types
        self.options = options
        self.binary = options.format == "binary"
        self.csv = options.format == "csv"
        force = options.force_quote
        self.force = [True] * len(names) if force == ["*"] else [name in (force or ()) for name in names]
        delim = options.delimiter
        self._text_special = re.compile("[\\\\\x00-\x1f" + re.escape(delim) + "]")
        self._csv_special = re.compile("[" + re.escape(delim + options.quote) + "\r\n]")
        # str.translate's table: a control character is escaped by its letter
        self._out = str.maketrans({delim: "\\" + delim, **_TEXT_OUT})
        self._prefix = b""  # the binary header goes out with the first row, as PostgreSQL sends it

    def start(self) -> bytes:
        """What goes out right after CopyOutResponse: the binary header, or a header line."""
        if self.binary:
            self._prefix = _BINARY_HEADER
            return b""
        if self.options.header:
            return copy_data(self._line(self.names, header=True))
        return b""

    def end(self) -> bytes:
        """What goes before CopyDone: the binary trailer."""
        if not self.binary:
            return b""
        prefix, self._prefix = self._prefix, b""
        return copy_data(prefix + _BINARY_TRAILER)

    def messages(
        self, rows: Iterator[Sequence[Any]], encoders: Sequence[Callable[[Any], bytes]], count: int
    ) -> tuple[bytes, int, bool]:
        """``backend.data_rows`` for COPY TO STDOUT: up to ``count`` CopyData rows, stopping early
        at a ``PAUSE``; (the messages, how many rows, whether ``rows`` ran out). The columns'
        own output functions stand for ``encoders``."""
        out: list[bytes] = []
        for row in rows:
            if row is PAUSE:
                return b"".join(out), len(out), False
            out.append(self._message(row))
            if len(out) == count:
                return b"".join(out), count, False
        return b"".join(out), len(out), True

    def _message(self, row: Sequence[Any]) -> bytes:
        if self.binary:
            parts = [self._prefix, _INT16.pack(len(row))]
            self._prefix = b""
            for value, column_type in zip(row, self.types, strict=True):
                if value is None:
                    parts.append(_INT32.pack(-1))
                else:
                    data = column_type.binary_out(value)
                    parts.append(_INT32.pack(len(data)))
                    parts.append(data)
            return copy_data(b"".join(parts))
        texts = [None if v is None else t.text_out(v).decode() for v, t in zip(row, self.types, strict=True)]
        return copy_data(self._line(texts))

    def _line(self, texts: Sequence[str | None], header: bool = False) -> bytes:
        options = self.options
        out = []
        for i, text in enumerate(texts):
            if text is None:
                out.append(options.null)
            elif self.csv:
                out.append(self._csv(text, self.force[i] and not header, i == 0 and len(texts) == 1))
            elif self._text_special.search(text):
                out.append(text.translate(self._out))
            else:
                out.append(text)
        return (options.delimiter.join(out) + "\n").encode()

    def _csv(self, text: str, force: bool, alone: bool) -> str:
        """CopyAttributeOutCSV: quoted when asked, when it looks like NULL or \\., or holds a special character."""
        options = self.options
        if not (force or text == options.null or self._csv_special.search(text) or (alone and text == "\\.")):
            return text
        quote, escape = options.quote, options.escape
        if escape != quote:  # escape the escapes first, so that those added before quotes stay single
            text = text.replace(escape, escape + escape)
        return quote + text.replace(quote, escape + quote) + quote
