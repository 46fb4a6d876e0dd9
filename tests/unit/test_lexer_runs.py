"""The lexer copies runs of plain tokens in one step; it cuts every text as going token by token
does (the reference below, the lexer's own token pattern applied one token at a time)."""

from __future__ import annotations

import random
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest

from orbit_pg.sql import lexer

CORPUS = Path(__file__).parents[1] / "integration" / "data" / "compare"


def token_by_token(text: str) -> lexer.Shape | None:
    parts: list[str] = []
    values: list[str | int | Decimal] = []
    positions: list[int] = []
    for match in lexer._TOKENS.finditer(text):
        kind, token = match.lastgroup, match.group()
        if kind in ("space", "comment"):
            if kind == "comment" and "/*" in token[2:]:
                return None
            if parts and parts[-1] != " ":
                parts.append(" ")
            continue
        if kind == "string":
            values.append(lexer.string_value(token))
            parts.append("\x00s")
        elif kind == "number":
            value = lexer.number_value(token)
            if value is None:
                return None
            values.append(value)
            if isinstance(value, Decimal) or value not in lexer.INT8_RANGE:
                parts.append("\x00n")
            else:
                parts.append("\x00i" if value in lexer.INT4_RANGE else "\x00l")
        else:
            parts.append(token)
            continue
        positions.append(match.start())
    if parts and parts[-1] == " ":
        parts.pop()
    return lexer.Shape("".join(parts), values, positions)


def test_every_corpus_statement_is_cut_as_token_by_token() -> None:
    texts = [
        line
        for path in sorted(CORPUS.glob("*.sql"))
        for line in path.read_text().splitlines()
        if line.strip() and not line.startswith("--")
    ]
    assert len(texts) > 500
    for text in texts:
        assert lexer.shape(text) == token_by_token(text), text


PIECES = [
    "SELECT",
    " ",
    "  ",
    "\t",
    "\n",
    "\u00a0",
    "\u2028",
    "x",
    "e",
    "E",
    "é",
    "abc1",
    "a$b",
    "_",
    "'s'",
    "''",
    "'it''s'",
    "'{\"k\":  1}'",
    "E'\\n'",
    "e'",
    "'",
    '"Q"',
    '"a""b"',
    '"',
    "$1",
    "$12",
    "$$d$$",
    "$t$x$t$",
    "$",
    "1",
    "12.5",
    ".5",
    "1e3",
    "1.",
    "99999999999",
    "99999999999999999999",
    "-",
    "--c\n",
    "/",
    "/* c */",
    "/* /* */ */",
    "*",
    ".",
    ",",
    "(",
    ")",
    "=",
    "||",
    "::",
    ";",
    "&",
    "U&",
    "\U0001f600",
    "[",
    "]",
    "->>",
    "<>",
    "@",
]


def cut(shape: Callable[[str], lexer.Shape | None], text: str) -> lexer.Shape | None | type[Exception]:
    """The shape, or the kind of exception (a number too large for Decimal raises, either way)."""
    try:
        return shape(text)
    except Exception as exc:
        return type(exc)


@pytest.mark.parametrize("seed", range(20))
def test_random_texts_are_cut_as_token_by_token(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(500):
        text = "".join(rng.choice(PIECES) for _ in range(rng.randint(0, 25)))
        assert cut(lexer.shape, text) == cut(token_by_token, text), repr(text)


QUOTED = ["'", "''", "'x'", "'it''s'", "' a  b '", "'1'", "'--'", "'$$'", "'\n'"]
AROUND = [" ", "  ", "a", "e", "E", "x1", "1", ".", "-", "--", "/", "*", "/*", "=", ";", "|", "\t", '"', "$1", "U&"]
AROUND += ["é"]


@pytest.mark.parametrize("seed", range(20))
def test_texts_cut_at_their_quotes_are_cut_as_by_segments(seed: int) -> None:
    """``str.split`` at the quotes answers only what it can cut alike: the rest falls through."""
    rng = random.Random(seed)
    answered = 0
    for _ in range(500):
        text = "".join(rng.choice(QUOTED if rng.random() < 0.3 else AROUND) for _ in range(rng.randint(0, 12)))
        quick = lexer._shape_by_quotes(text)
        if quick is not None:
            answered += 1
            assert quick == lexer._shape_by_segments(text) == token_by_token(text), repr(text)
    assert answered > 50


@pytest.mark.parametrize(
    "text",
    [
        "SELECT * FROM actors WHERE actor_id = 'user:12345';",
        "UPDATE actors SET state = '{\"balance\": 5}' WHERE actor_id = 'user:1'",
        "INSERT INTO actors (actor_id, actor_type, state) VALUES ('k-1-2', 'new', '{\"balance\": 0}')",
        "SELECT 'a''' FROM t",  # a doubled quote falls through
        "SELECT E'\\n'",  # so does an E'' string
        "SELECT * FROM t LIMIT 10",  # and a number
    ],
)
def test_point_reads_and_writes_are_cut_at_their_quotes(text: str) -> None:
    expected_quick = "''" not in text and "E'" not in text and "10" not in text
    assert (lexer._shape_by_quotes(text) is not None) == expected_quick
    assert lexer.shape(text) == token_by_token(text)
