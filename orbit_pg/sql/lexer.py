"""The SQL lexer's one job: find literals and comments, in one compiled-regex pass.

It never decides what a statement means — the grammar does. It gives the grammar the
literal patterns and their decoding (so both read a literal the same way), blanks
comments for the grammar, and cuts a text into a *shape* (the text with every literal
replaced by a slot) plus the literal values, so that texts differing only in literals
share one parse and one plan.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

# (Unrolled: a run of ordinary characters at a time, not one alternation per character.)
STRING = (
    r"[eE]'[^'\\]*(?:(?:''|\\.)[^'\\]*)*'|'[^']*(?:''[^']*)*'"
    r"|\$(?P<tag>[A-Za-z_][A-Za-z0-9_]*)?\$(?s:.*?)\$(?P=tag)?\$"
)
NUMBER = r"(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?"
IDENTIFIER = r"[A-Za-z_\u0080-\uffff][A-Za-z0-9_$\u0080-\uffff]*"

_TOKENS = re.compile(
    rf"""(?P<space>\s+)
    |(?P<comment>--[^\n\r]*|/\*(?s:.*?)\*/)
    |(?P<string>{STRING})
    |(?P<ident>{IDENTIFIER}|"(?:[^"]|"")*"|\$\d+)
    |(?P<number>{NUMBER})
    |(?P<other>.)""",
    re.X | re.S,
)

# A run of tokens that stand for themselves in a shape: identifiers (not an E that starts an
# E'' string), quoted identifiers, parameters, and punctuation that starts no literal, comment
# or white space, with single spaces between them (a shape folds white space to one space).
# ``shape`` copies such a run in one step instead of token by token; where the run stops,
# the token alternation above decides, so both cut every text the same way.
_PLAIN_TOKEN = (
    rf"""(?:(?!\s|[eE]'){IDENTIFIER}|"(?:[^"]|"")*"|\$\d+"""
    r"""|[^\s'"$0-9.\-/A-Za-z_\u0080-\uffff]|-(?!-)|/(?!\*)|\.(?!\d))"""
)
_PLAIN_RUN = re.compile(rf"{_PLAIN_TOKEN}(?:\x20?{_PLAIN_TOKEN})*", re.S)

_E_ESCAPES = re.compile(r"\\(x[0-9A-Fa-f]{1,2}|u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|[0-7]{1,3}|.)", re.S)
_SIMPLE_ESCAPES = {"b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}

INT4_RANGE = range(-(2**31), 2**31)
INT8_RANGE = range(-(2**63), 2**63)


def _unescape(match: re.Match[str]) -> str:
    esc = match.group(1)
    if esc[0] in "xuU":
        return chr(int(esc[1:], 16))
    if esc[0].isdigit():
        return chr(int(esc, 8) & 0xFF)
    return _SIMPLE_ESCAPES.get(esc, esc)


def string_value(text: str) -> str:
    """The value of a string literal token: '...', E'...' or $tag$...$tag$."""
    if text[0] == "$":
        tag_end = text.index("$", 1) + 1
        return text[tag_end : len(text) - tag_end]
    if text[0] in "eE":
        return _E_ESCAPES.sub(_unescape, text[2:-1].replace("''", "'"))
    return text[1:-1].replace("''", "'")


# numeric's limits (numeric.c's NUMERIC_WEIGHT_MAX and NUMERIC_DSCALE_MAX in decimal digits).
_NUMERIC_INTEGER_DIGITS = 131072
_NUMERIC_SCALE = 16383


def number_value(text: str) -> int | Decimal | None:
    """An integer token is an int (its type depends on its size); anything else, or an integer
    past bigint's 19 digits, is numeric. None: past numeric's range (PostgreSQL's 22003 "value
    overflows numeric format", which the grammar raises where the literal stands)."""
    if text.isdigit() and len(text) <= 19:
        return int(text)
    try:
        value = Decimal(text)
    except InvalidOperation:  # an exponent past what Decimal can hold
        return None
    if value.adjusted() >= _NUMERIC_INTEGER_DIGITS or -int(value.as_tuple().exponent) > _NUMERIC_SCALE:
        return None
    return value


def _blank(match: re.Match[str]) -> str:
    comment = match.group("comment")
    return match.group(0) if comment is None else re.sub(r"[^\n]", " ", comment)


def blank_comments(text: str) -> str:
    """Comments become blanks of the same length: positions stay true for error reports."""
    if "--" not in text and "/*" not in text:
        return text
    return _TOKENS.sub(_blank, text)


@dataclass(slots=True)
class Shape:
    """A text cut into its shape and its literals.

    ``key`` is the text with each literal replaced by a marker of its kind (string, int4,
    int8 or numeric: an integer's type depends on its size) and comments and runs of white
    space folded; ``values`` and ``positions`` (0-based offsets in the text) are by slot.
    """

    key: str
    values: list[str | int | Decimal]
    positions: list[int]


_MARKERS = {"string": "\x00s", "int4": "\x00i", "int8": "\x00l", "numeric": "\x00n"}
_STRING_MARKER = _MARKERS["string"]


# What lies between two literals, then the literal: white space and plain tokens in one match
# (a greedy run that never starts a literal or a comment), so a statement costs one match per
# literal. Anything else (a comment, a lone quote or $) stops the run short of the next
# literal, and the text is cut token by token instead.
_SEGMENT = re.compile(rf"(\s*(?:{_PLAIN_TOKEN}\s*)*)(?:(?P<string>{STRING})|(?P<number>{NUMBER}))?", re.S)
_SPACE = re.compile(r"\s+")


def shape(text: str) -> Shape | None:
    """Cut ``text``; None when it holds something the lexer does not handle alike the grammar
    (a nested block comment, a number past numeric's range), so the caller parses it directly."""
    return _shape_by_quotes(text) or _shape_by_segments(text)


# What a piece of text between string literals may hold for ``_shape_by_quotes``: printable
# ASCII with single spaces and no digit (a number, or part of an identifier), $, ", \ or comment.
_PLAIN_CHARACTERS = re.compile(r"[ !#%&()*+,\-./:;<=>?@A-Z\[\]^_`a-z{|}~]*")


def _shape_by_quotes(text: str) -> Shape | None:
    """The shape of a text whose only literals are plain '...' strings, cut at its quotes by
    ``str.split`` (a third of the regex pass's time: most simple queries, pgbench's and ORMs'
    point reads and writes, look like this); None, for ``_shape_by_segments``, otherwise.

    Between the quotes, the pieces at odd places are the strings' values and the others the
    text around them, kept whole only if it needs no folding and holds no other literal; an
    empty piece inside (a doubled quote) or one ending in E (an E'' string) is left alone."""
    pieces = text.split("'")
    last = len(pieces) - 1
    if last & 1:
        return None  # an unterminated string: the grammar reports it
    around = pieces[::2]
    # ("|" is plain and makes no "--", "/*" or double space with its neighbours.)
    plain = "|".join(around)
    if (
        _PLAIN_CHARACTERS.fullmatch(plain) is None
        or "--" in plain
        or "/*" in plain
        or "  " in plain
        or (last and around[0][-1:] in ("e", "E"))
    ):
        return None
    for piece in around[1:-1]:
        if not piece or piece[-1] in "eE":
            return None
    values = pieces[1::2]
    positions: list[int] = []
    offset = -1
    for index in range(1, last, 2):
        offset += len(pieces[index - 1]) + 1
        positions.append(offset)
        offset += len(pieces[index]) + 1
    return Shape(_STRING_MARKER.join(pieces[::2]).strip(" "), values, positions)


def _shape_by_segments(text: str) -> Shape | None:
    """``shape`` one literal at a time (one regex match each), for any text."""
    parts: list[str] = []
    values: list[str | int | Decimal] = []
    positions: list[int] = []
    segment_at = _SEGMENT.match
    pos, end = 0, len(text)
    while pos < end:
        match = segment_at(text, pos)
        assert match is not None  # every part is optional
        plain = match.group(1)
        if "  " in plain or not plain.isprintable():
            if '"' in plain or not plain.isascii():
                # White space inside a quoted identifier is part of its name, and past ASCII
                # it can be part of an identifier (PostgreSQL takes any high-bit character as
                # a letter): only the tokens tell what to fold.
                return _shape_by_tokens(text)
            plain = _SPACE.sub(" ", plain)
        parts.append(plain)
        kind = match.lastgroup
        if kind == "string":
            values.append(string_value(match.group(kind)))
            parts.append(_MARKERS["string"])
        elif kind == "number":
            value = number_value(match.group(kind))
            if value is None:
                return None  # the grammar reports it, with its position
            values.append(value)
            parts.append(_number_marker(value))
        elif match.end() < end:
            return _shape_by_tokens(text)
        else:
            break
        positions.append(match.start(kind))
        pos = match.end()
    return Shape("".join(parts).strip(" "), values, positions)


def _number_marker(value: int | Decimal) -> str:
    """An integer literal's type depends on its size, as in PostgreSQL's scanner."""
    if isinstance(value, Decimal) or value not in INT8_RANGE:
        return _MARKERS["numeric"]
    return _MARKERS["int4" if value in INT4_RANGE else "int8"]


def _shape_by_tokens(text: str) -> Shape | None:
    """``shape`` one token at a time (runs of plain tokens in one step), for any text."""
    parts: list[str] = []
    values: list[str | int | Decimal] = []
    positions: list[int] = []
    plain_run = _PLAIN_RUN.match
    token_at = _TOKENS.match
    pos, end = 0, len(text)
    while pos < end:
        run = plain_run(text, pos)
        if run is not None:
            parts.append(run.group())
            pos = run.end()
            continue
        match = token_at(text, pos)
        assert match is not None  # "other" takes any character
        pos = match.end()
        kind = match.lastgroup
        if kind == "space" or kind == "comment":
            if kind == "comment" and "/*" in match.group()[2:]:
                return None
            if parts and parts[-1] != " ":
                parts.append(" ")
            continue
        token = match.group()
        if kind == "string":
            values.append(string_value(token))
            parts.append(_MARKERS["string"])
        elif kind == "number":
            value = number_value(token)
            if value is None:
                return None  # the grammar reports it, with its position
            values.append(value)
            parts.append(_number_marker(value))
        else:
            parts.append(token)
            continue
        positions.append(match.start())
    if parts and parts[-1] == " ":
        parts.pop()
    return Shape("".join(parts), values, positions)
