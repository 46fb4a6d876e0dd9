"""jsonb input and PostgreSQL 15's canonical jsonb text.

``canonical`` validates JSON text the way ``jsonb_in`` does (src/common/jsonapi.c) and
returns what ``jsonb_out`` would print (src/backend/utils/adt/jsonb.c): keys ordered by
length then bytes, the last duplicate kept, numbers as ``numeric`` prints them, strings
re-escaped by ``escape_json``.  Errors carry PostgreSQL's sqlstate, message, detail and
``JSON data, line N: ...`` context, so a client cannot tell the difference.

The parser is one iterative pass over the UTF-8 bytes: a compiled regex matches each
valid token (a comma with the token after it, a key with its colon), and only an
invalid token or a string with escapes drops to slower code.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from json.encoder import encode_basestring
from typing import Any

from orbit_pg.errors import (
    CHARACTER_NOT_IN_REPERTOIRE,
    INVALID_TEXT_REPRESENTATION,
    NUMERIC_VALUE_OUT_OF_RANGE,
    STATEMENT_TOO_COMPLEX,
    UNTRANSLATABLE_CHARACTER,
    PgError,
)

__all__ = ["MAX_DEPTH", "canonical", "dumps", "loads", "stack_depth_exceeded"]

MAX_DEPTH = 13_000
"""Deepest container nesting accepted.  PostgreSQL stops at its 2 MB ``max_stack_depth``,
which on 15.18 x86-64 is about 13,100 nested objects or 14,500 nested arrays."""

# Limits of numeric's storage format (src/backend/utils/adt/numeric.c).
_DSCALE_MAX = 0x3FFF  # digits after the decimal point
_LEAD_MAX = 4 * 0x7FFF + 3  # exponent of the first digit, from weight <= 32767
_EXPONENT_LIMIT = 0x7FFFFFFF // 2  # numeric_in refuses |exponent| >= INT_MAX / 2
_LONG_NUMBER = 16_384  # a plain number shorter than this always fits

# One _TOKEN match is an optional comma (group 1), an optional key and colon (group 2),
# then one token; fewer matches per document is most of the speed.  Token kinds are the
# group numbers; a key found where no key may go is looked at again as a string value.
(
    _KEY,
    _OPEN_ARRAY,
    _OPEN_OBJECT,
    _CLOSE_ARRAY,
    _CLOSE_OBJECT,
    _COMMA,
    _COLON,
    _STRING,
    _NUMBER,
    _EXP_NUMBER,
    _LITERAL,
    _END,
    _ESCAPED_STRING,  # not in _TOKEN: _lex_fallback decodes these
) = range(2, 15)

_TOKEN = re.compile(
    rb"""
    [ \t\n\r]* (?: (,) [ \t\n\r]* )?
    (?: ("[^"\\\x00-\x1f]*") [ \t\n\r]* : [ \t\n\r]* )?
    (?: (\[) | (\{) | (\]) | (\}) | (,) | (:)
      | ("[^"\\\x00-\x1f]*")
      # A number is followed by "." only when it has a fraction: "1." is one bad token.
      | (-?(?:0|[1-9][0-9]*)(?:\.[0-9]+|(?!\.)))           (?![A-Za-z0-9_\x80-\xff])
      | (-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?[eE][+-]?[0-9]+)  (?![A-Za-z0-9_\x80-\xff])
      | (true|false|null)                                   (?![A-Za-z0-9_\x80-\xff])
      | (\Z)
    )""",
    re.VERBOSE,
)
_WHITESPACE = re.compile(rb"[ \t\n\r]*")
# One member of a flat object as jsonb_out prints it: a key and a string, integer or literal
# that print as written, then ", " or the object's end.
_CANONICAL_MEMBER = re.compile(
    rb'"([^"\\\x00-\x1f]*)": (?:"[^"\\\x00-\x1f]*"|-?[1-9][0-9]{0,14}|0|true|false|null)(, |\}\Z)'
)
# The extent json_lex_number gives a bad number, and json_lex a bad word: a run of
# JSON_ALPHANUMERIC_CHAR sticks to the token.
_NUMBER_EXTENT = re.compile(rb"-?(?:0|[1-9][0-9]*)?(?:\.[0-9]*)?(?:[eE][+-]?[0-9]*)?[A-Za-z0-9_\x80-\xff]*")
_WORD = re.compile(rb"[A-Za-z0-9_\x80-\xff]*")
_NUMBER_PARTS = re.compile(rb"(-?)([0-9]+)(?:\.([0-9]+))?(?:[eE]([+-]?)([0-9]+))?")
_PLAIN_CHARS = re.compile(rb'[^"\\\x00-\x1f]*')
_HEX = frozenset(b"0123456789abcdefABCDEF")
_SIMPLE_ESCAPES = {
    ord('"'): b'"',
    ord("\\"): b"\\",
    ord("/"): b"/",
    ord("b"): b"\b",
    ord("f"): b"\f",
    ord("n"): b"\n",
    ord("r"): b"\r",
    ord("t"): b"\t",
}
_NEEDS_ESCAPE = re.compile(rb'[\x00-\x1f"\\]')
_ESCAPES = {bytes([c]): b"\\u%04x" % c for c in range(0x20)} | {
    b"\b": b"\\b",
    b"\f": b"\\f",
    b"\n": b"\\n",
    b"\r": b"\\r",
    b"\t": b"\\t",
    b'"': b'\\"',
    b"\\": b"\\\\",
}

# Parser states, named after jsonapi.c's JsonParseContext; the key states come last.
(
    _VALUE,
    _ARRAY_START,
    _ARRAY_NEXT,
    _OBJECT_LABEL,
    _OBJECT_NEXT,
    _END_STATE,
    _OBJECT_START,
    _OBJECT_COMMA,
) = range(8)
_VALUES = frozenset({_OPEN_ARRAY, _OPEN_OBJECT, _KEY, _STRING, _ESCAPED_STRING, _NUMBER, _EXP_NUMBER, _LITERAL})
_KEYS = frozenset({_STRING, _ESCAPED_STRING})
_EXPECTED = (
    _VALUES,
    _VALUES | {_CLOSE_ARRAY},
    frozenset({_COMMA, _CLOSE_ARRAY}),
    frozenset({_COLON}),
    frozenset({_COMMA, _CLOSE_OBJECT}),
    frozenset({_END}),
    _KEYS | {_CLOSE_OBJECT},
    _KEYS,
)
# json_errdetail's text for a wrong token in each state; "[" then a bad token says
# "Expected JSON value" in PostgreSQL 15, not "Expected array element".
_UNEXPECTED = (
    'Expected JSON value, but found "%s".',
    'Expected JSON value, but found "%s".',
    'Expected "," or "]", but found "%s".',
    'Expected ":", but found "%s".',
    'Expected "," or "}", but found "%s".',
    'Expected end of input, but found "%s".',
    'Expected string or "}", but found "%s".',
    'Expected string, but found "%s".',
)

# What a container holds while open: array items, or object members by sort key.
_Container = list[bytes] | dict[tuple[int, bytes], bytes] | None


def _is_canonical_flat_object(data: bytes) -> bool:
    """Whether ``data`` is a flat object jsonb_out would print exactly so: plain members, keys in
    jsonb's order (length, then bytes) without duplicates, one space after each colon and comma.
    A state written whole, as an actor's write is, is often this already; parsing it is then
    the only work, and one match per member is the cheapest parse."""
    pos, last = 1, (-1, b"")
    match = _CANONICAL_MEMBER.match
    while True:
        member = match(data, pos)
        if member is None:
            return False
        key = member[1]
        order = (len(key), key)
        if order <= last:
            return False
        if member[2] == b"}":
            return True
        last, pos = order, member.end()


def canonical(text: str) -> bytes:
    """Return ``text::jsonb::text`` as PostgreSQL 15 prints it, UTF-8 encoded.

    Raises PgError with PostgreSQL's fields when jsonb_in would reject ``text``.
    """
    try:
        data = text.encode()
    except UnicodeEncodeError as exc:
        raise _invalid_encoding(text[exc.start].encode("utf-8", "surrogatepass")) from None
    if b"\x00" in data:
        raise _invalid_encoding(b"\x00")
    if data[:2] == b'{"' and _is_canonical_flat_object(data):
        return data
    match = _TOKEN.match
    expected = _EXPECTED
    # The enclosing containers, each with the key it is waiting to fill.
    stack: list[tuple[_Container, tuple[int, bytes], bytes]] = []
    cur: _Container = None
    # Object members sort by (length, bytes) of the decoded key (lengthCompareJsonbString).
    key = (0, b"")
    key_out = out = b""
    state = _VALUE
    pos = 0
    while True:
        m = match(data, pos)
        if m is None:
            start, pos, decoded, out = _lex_fallback(data, pos)
            kind = _ESCAPED_STRING
        else:
            kind = m.lastindex
            pos = m.end()
            if m[1] is not None:  # a comma, then the token
                if state == _ARRAY_NEXT:
                    state = _VALUE
                elif state == _OBJECT_NEXT:
                    state = _OBJECT_COMMA
                else:
                    raise _unexpected(data, state, _COMMA, m.start(1), m.end(1))
            if m[2] is not None:  # a key and its colon
                if state >= _OBJECT_START:
                    key_out = m[2]
                    key = (len(key_out) - 2, key_out[1:-1])
                    state = _VALUE
                else:  # a string value here; the colon is the next token
                    kind = _KEY
                    pos = m.end(_KEY)
        if kind not in expected[state]:
            raise _unexpected(data, state, kind, start if m is None else m.start(kind), pos)
        if kind == _STRING or kind == _KEY:
            out = m[kind]
            if state >= _OBJECT_START:
                key, key_out, state = (len(out) - 2, out[1:-1]), out, _OBJECT_LABEL
                continue
        elif kind == _NUMBER:
            out = m[kind]
            if (out[0] == 0x2D and not out.strip(b"-0.")) or len(out) >= _LONG_NUMBER:
                out = _numeric_out(data, pos, out)
        elif kind == _LITERAL:
            out = m[kind]
        elif kind == _OPEN_OBJECT or kind == _OPEN_ARRAY:
            if len(stack) >= MAX_DEPTH:
                raise stack_depth_exceeded()
            stack.append((cur, key, key_out))
            if kind == _OPEN_OBJECT:
                cur, state = {}, _OBJECT_START
            else:
                cur, state = [], _ARRAY_START
            continue
        elif kind == _CLOSE_OBJECT:
            out = b"{" + b", ".join([member for _, member in sorted(cur.items())]) + b"}"
            cur, key, key_out = stack.pop()
        elif kind == _CLOSE_ARRAY:
            out = b"[" + b", ".join(cur) + b"]"
            cur, key, key_out = stack.pop()
        elif kind == _COMMA:
            state = _VALUE if type(cur) is list else _OBJECT_COMMA
            continue
        elif kind == _COLON:
            state = _VALUE
            continue
        elif kind == _EXP_NUMBER:
            out = _numeric_out(data, pos, m[kind])
        elif kind == _ESCAPED_STRING:
            if state >= _OBJECT_START:
                key, key_out, state = (len(decoded), decoded), out, _OBJECT_LABEL
                continue
        else:  # _END, only expected after the top-level value
            return out
        # A value is complete: hand it to its container.
        if cur is None:
            state = _END_STATE
        elif type(cur) is list:
            cur.append(out)
            state = _ARRAY_NEXT
        else:
            cur[key] = key_out + b": " + out
            state = _OBJECT_NEXT


def _numeric_out(data: bytes, pos: int, token: bytes) -> bytes:
    """Print a JSON number as numeric_out would: exact digits, no exponent, scale kept."""
    sign, int_part, frac, exp_sign, exp_digits = _NUMBER_PARTS.fullmatch(token).groups()
    frac = frac or b""
    exponent = 0
    if exp_digits:
        exp_digits = exp_digits.lstrip(b"0") or b"0"
        if len(exp_digits) > 10 or int(exp_digits) >= _EXPONENT_LIMIT:
            raise _numeric_overflow(data, pos)
        exponent = -int(exp_digits) if exp_sign == b"-" else int(exp_digits)
    digits = (int_part + frac).lstrip(b"0")
    scale = len(frac) - exponent  # value = digits * 10 ** -scale
    if scale > _DSCALE_MAX or (digits and len(digits) - 1 - scale > _LEAD_MAX):
        raise _numeric_overflow(data, pos)
    if not digits:  # numeric has no negative zero, and zero has no weight to overflow
        return b"0." + b"0" * scale if scale > 0 else b"0"
    if scale <= 0:
        return sign + digits + b"0" * -scale
    digits = digits.rjust(scale + 1, b"0")
    return sign + digits[:-scale] + b"." + digits[-scale:]


def _lex_fallback(data: bytes, pos: int) -> tuple[int, int, bytes, bytes]:
    """Lex the token _TOKEN refused: a string with escapes, or raise jsonb_in's error.

    Returns the token's start and end, the decoded string and its jsonb text.
    """
    start = _WHITESPACE.match(data, pos).end()
    first = data[start]
    if first == 0x22:
        return _lex_string(data, start)
    if first == 0x2D or 0x30 <= first <= 0x39:
        end = _NUMBER_EXTENT.match(data, start).end()
    else:
        # A lone character that cannot start a token is a token of its own.
        end = max(_WORD.match(data, start).end(), start + 1)
    raise _syntax_error(data, start, end, f'Token "{_text(data[start:end])}" is invalid.')


def _lex_string(data: bytes, start: int) -> tuple[int, int, bytes, bytes]:
    """Decode a string with escapes, failing where and how json_lex_string fails."""
    parts: list[bytes] = []
    high = -1  # a pending high surrogate
    pos = start + 1
    size = len(data)
    while True:
        plain_end = _PLAIN_CHARS.match(data, pos).end()
        if plain_end > pos:
            if high >= 0:
                raise _surrogate_error(data, start, _char_end(data, pos), low=True)
            parts.append(data[pos:plain_end])
            pos = plain_end
        if pos >= size:
            raise _syntax_error(data, start, size, f'Token "{_text(data[start:])}" is invalid.')
        char = data[pos]
        if char == 0x22:
            break
        if char < 0x20:
            raise _syntax_error(data, start, pos, f"Character with value 0x{char:02x} must be escaped.")
        pos += 1  # past the backslash
        if pos >= size:
            raise _syntax_error(data, start, size, f'Token "{_text(data[start:])}" is invalid.')
        char = data[pos]
        if char == 0x75:  # \uXXXX
            hex_start = pos + 1
            pos = hex_start + 4
            for i in range(hex_start, pos):
                if i >= size:
                    raise _syntax_error(data, start, size, f'Token "{_text(data[start:])}" is invalid.')
                if data[i] not in _HEX:
                    raise _syntax_error(
                        data,
                        start,
                        _char_end(data, i),
                        '"\\u" must be followed by four hexadecimal digits.',
                    )
            code = int(data[hex_start:pos], 16)
            if 0xD800 <= code <= 0xDBFF:
                if high >= 0:
                    raise _surrogate_error(data, start, pos, low=False)
                high = code
                continue
            if 0xDC00 <= code <= 0xDFFF:
                if high < 0:
                    raise _surrogate_error(data, start, pos, low=True)
                code = 0x10000 + ((high & 0x3FF) << 10) + (code & 0x3FF)
                high = -1
            elif high >= 0:
                raise _surrogate_error(data, start, pos, low=True)
            if code == 0:
                raise _json_error(
                    data,
                    start,
                    pos,
                    "\\u0000 cannot be converted to text.",
                    UNTRANSLATABLE_CHARACTER,
                    "unsupported Unicode escape sequence",
                )
            parts.append(chr(code).encode())
            continue
        end = _char_end(data, pos)
        if high >= 0:
            raise _surrogate_error(data, start, end, low=True)
        escaped = _SIMPLE_ESCAPES.get(char)
        if escaped is None:
            raise _syntax_error(
                data,
                start,
                end,
                f'Escape sequence "\\{_text(data[pos:end])}" is invalid.',
            )
        parts.append(escaped)
        pos = end
    if high >= 0:
        raise _surrogate_error(data, start, pos + 1, low=True)
    decoded = b"".join(parts)
    return (
        start,
        pos + 1,
        decoded,
        b'"' + _NEEDS_ESCAPE.sub(_escape_char, decoded) + b'"',
    )


def _escape_char(m: re.Match[bytes]) -> bytes:
    """escape_json's spelling of one character."""
    return _ESCAPES[m.group()]


def _char_end(data: bytes, pos: int) -> int:
    """End of the UTF-8 character at ``pos`` (pg_encoding_mblen); ``data`` is valid UTF-8."""
    lead = data[pos]
    return pos + (1 if lead < 0xC0 else 2 if lead < 0xE0 else 3 if lead < 0xF0 else 4)


def _text(raw: bytes) -> str:
    """Input bytes for a message; slices always fall on character boundaries."""
    return raw.decode()


def _unexpected(data: bytes, state: int, kind: int, start: int, end: int) -> PgError:
    """report_parse_error: the token is valid but the grammar does not allow it here."""
    if kind == _END:
        return _syntax_error(data, start, end, "The input string ended unexpectedly.")
    return _syntax_error(data, start, end, _UNEXPECTED[state] % _text(data[start:end]))


def _surrogate_error(data: bytes, start: int, end: int, *, low: bool) -> PgError:
    """The two surrogate-pair errors of json_lex_string."""
    if low:
        return _syntax_error(data, start, end, "Unicode low surrogate must follow a high surrogate.")
    return _syntax_error(data, start, end, "Unicode high surrogate must not follow a high surrogate.")


def _syntax_error(data: bytes, start: int, end: int, detail: str) -> PgError:
    """json_errsave_error's common case, 22P02."""
    return _json_error(
        data,
        start,
        end,
        detail,
        INVALID_TEXT_REPRESENTATION,
        "invalid input syntax for type json",
    )


def _json_error(data: bytes, start: int, end: int, detail: str, sqlstate: str, message: str) -> PgError:
    """An error in the token starting at ``start``, with report_json_context's context.

    The context shows the token's line up to ``end``, cut to under 50 bytes with a
    "..." prefix, and a "..." suffix when the line goes on.
    """
    line_start = data.rfind(b"\n", 0, start) + 1
    line = data.count(b"\n", 0, start) + 1
    shown = line_start
    while end - shown >= 50:
        shown = _char_end(data, shown)
    if shown - line_start <= 3:
        shown = line_start
    prefix = "..." if shown > line_start else ""
    suffix = "..." if end < len(data) and data[end] not in b"\n\r" else ""
    context = f"JSON data, line {line}: {prefix}{_text(data[shown:end])}{suffix}"
    return PgError(sqlstate, message, detail=detail, context=context)


def _numeric_overflow(data: bytes, pos: int) -> PgError:
    """numeric_in's overflow, raised only once the next token has lexed cleanly.

    PostgreSQL lexes the token after a scalar before converting the scalar, so a bad
    next token wins; this error has no JSON context.
    """
    if _TOKEN.match(data, pos) is None:
        _lex_fallback(data, pos)
    return PgError(NUMERIC_VALUE_OUT_OF_RANGE, "value overflows numeric format")


def stack_depth_exceeded() -> PgError:
    """check_stack_depth's error when containers nest deeper than MAX_DEPTH."""
    return PgError(
        STATEMENT_TOO_COMPLEX,
        "stack depth limit exceeded",
        hint='Increase the configuration parameter "max_stack_depth" (currently 2048kB), '
        "after ensuring the platform's stack depth limit is adequate.",
    )


def _invalid_encoding(char: bytes) -> PgError:
    """What PostgreSQL says on receiving text that is not UTF-8 (lone surrogates, NUL)."""
    shown = " ".join(f"0x{b:02x}" for b in char)
    return PgError(
        CHARACTER_NOT_IN_REPERTOIRE,
        f'invalid byte sequence for encoding "UTF8": {shown}',
    )


# --- values ------------------------------------------------------------------------------
# Operators and functions work on Python values: dict, list, str, Decimal (every number,
# so that 1 and 1.0 compare equal and print as written), bool and None. Strings print as
# escape_json writes them, which is what Python's encoder does (\u00XX in lower case for
# other control characters, everything else as is). Both directions recurse once per
# level: a document nested deeper than Python's recursion limit is "stack depth limit
# exceeded" here, where PostgreSQL goes on to its 13,000.

_DECODER = json.JSONDecoder(parse_float=Decimal, parse_int=Decimal)


def loads(data: bytes) -> Any:
    """The value of canonical jsonb text (which ``json`` reads as is: no NaN, no duplicate keys)."""
    try:
        return _DECODER.decode(data.decode())
    except RecursionError:
        raise stack_depth_exceeded() from None


def key_order(key: str) -> tuple[int, str]:
    """lengthCompareJsonbString: by UTF-8 length, then bytes (code point order is byte order)."""
    return (len(key.encode()), key)


def _dump(value: Any, out: list[str]) -> None:
    """Append the text of ``value``; one Python frame per level of nesting (no comprehensions)."""
    kind = type(value)
    if kind is str:
        out.append(encode_basestring(value))
    elif kind is Decimal:
        text = format(value, "f")
        out.append(text[1:] if text[0] == "-" and not value else text)  # numeric has no negative zero
    elif kind is dict:
        out.append("{")
        separator = ""
        for key in sorted(value, key=key_order):
            out.append(separator)
            out.append(encode_basestring(key))
            out.append(": ")
            _dump(value[key], out)
            separator = ", "
        out.append("}")
    elif kind is list:
        out.append("[")
        separator = ""
        for item in value:
            out.append(separator)
            _dump(item, out)
            separator = ", "
        out.append("]")
    elif value is None:
        out.append("null")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    else:
        raise TypeError(f"not a jsonb value: {value!r}")


def dumps(value: Any) -> bytes:
    """Canonical jsonb text of a value, as ``canonical`` prints it: keys in jsonb order."""
    out: list[str] = []
    try:
        _dump(value, out)
    except RecursionError:
        raise stack_depth_exceeded() from None
    return "".join(out).encode()
