"""Pattern matching: LIKE / ILIKE (``like.c``), SIMILAR TO (``similar_escape``) and POSIX
regular expressions (``regexp.c``), on Python's ``re``.

PostgreSQL's regular expressions are Henry Spencer's ARE flavour; Python's ``re`` shares most
of it. The differences a pattern can show are translated here (``[[:alpha:]]`` classes,
``\\m \\M \\y \\Y`` word boundaries, ``$`` only at the very end); what ``re`` cannot do (for
example ARE's ``***=`` director) fails as an invalid regular expression. Case-insensitive
matching folds ASCII letters only, as the C collation does. Compiled patterns are cached by
their text, so a plan compiles a pattern once however many rows it matches.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable

from orbit_pg import errors

# --- LIKE ---------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=256)
def _like_regex(pattern: str, ignore_case: bool) -> re.Pattern[str]:
    """MatchText: % any run, _ any character, backslash takes the next character literally."""
    out = []
    chars = iter(pattern)
    for char in chars:
        if char == "%":
            out.append(".*")
        elif char == "_":
            out.append(".")
        elif char == "\\":
            following = next(chars, None)
            if following is None:
                raise errors.PgError(errors.INVALID_ESCAPE_SEQUENCE, "LIKE pattern must not end with escape character")
            out.append(re.escape(following))
        else:
            out.append(re.escape(char))
    return re.compile("".join(out), re.S | (re.I | re.A if ignore_case else 0))


def like(text: str, pattern: str) -> bool:
    return _like_regex(pattern, False).fullmatch(text) is not None


def not_like(text: str, pattern: str) -> bool:
    return _like_regex(pattern, False).fullmatch(text) is None


def ilike(text: str, pattern: str) -> bool:
    return _like_regex(pattern, True).fullmatch(text) is not None


def not_ilike(text: str, pattern: str) -> bool:
    return _like_regex(pattern, True).fullmatch(text) is None


def like_bytes(data: bytes, pattern: bytes) -> bool:
    return like(data.decode("latin-1"), pattern.decode("latin-1"))


def not_like_bytes(data: bytes, pattern: bytes) -> bool:
    return not like_bytes(data, pattern)


def _escape_character(escape: str) -> str:
    if len(escape) > 1:
        raise errors.PgError(
            errors.INVALID_ESCAPE_SEQUENCE,
            "invalid escape string",
            hint="Escape string must be empty or one character.",
        )
    return escape


def like_escape(pattern: str, escape: str) -> str:
    """``x LIKE p ESCAPE e`` is ``x LIKE like_escape(p, e)``: the pattern with backslash as its
    escape; an empty escape means none."""
    escape = _escape_character(escape)
    if escape == "\\":
        return pattern
    out = []
    chars = iter(pattern)
    for char in chars:
        if escape and char == escape:
            following = next(chars, None)
            if following is None:
                raise errors.PgError(errors.INVALID_ESCAPE_SEQUENCE, "LIKE pattern must not end with escape character")
            out.append("\\" + following)
        elif char == "\\":
            out.append("\\\\")
        else:
            out.append(char)
    return "".join(out)


# --- SIMILAR TO -------------------------------------------------------------------------------


def similar_to_escape(pattern: str, escape: str | None = "\\") -> str:
    """similar_escape: a SIMILAR TO pattern as the POSIX regular expression that matches the
    same whole strings (``%`` and ``_`` become ``.*`` and ``.``; ``.`` is literal)."""
    escape = "" if escape is None else _escape_character(escape)
    out = ["^(?:"]
    in_brackets = False
    chars = iter(pattern)
    for char in chars:
        if escape and char == escape:
            following = next(chars, None)
            if following is None:
                break  # a trailing escape escapes nothing
            out.append("\\" + following)
        elif in_brackets:
            if char == "]":
                in_brackets = False
            out.append("\\\\" if char == "\\" else char)
        elif char == "[":
            in_brackets = True
            out.append(char)
        elif char == "%":
            out.append(".*")
        elif char == "_":
            out.append(".")
        elif char in ".^$":
            out.append("\\" + char)
        elif char == "\\":
            out.append("\\\\")
        else:
            out.append(char)
    out.append(")$")
    return "".join(out)


# --- POSIX regular expressions ------------------------------------------------------------------

_CLASSES = {
    "alpha": "a-zA-Z",
    "digit": "0-9",
    "alnum": "a-zA-Z0-9",
    "upper": "A-Z",
    "lower": "a-z",
    "space": " \\t\\n\\r\\f\\v",
    "blank": " \\t",
    "punct": "!-/:-@\\[-`{-~",
    "xdigit": "0-9A-Fa-f",
    "word": "a-zA-Z0-9_",
    "cntrl": "\\x00-\\x1f\\x7f",
    "print": " -~",
    "graph": "!-~",
}
_ESCAPES = {"m": r"\b(?=\w)", "M": r"\b(?<=\w)", "y": r"\b", "Y": r"\B", "A": r"\A", "Z": r"\Z"}
_BOUND = re.compile(r"\{\d+(?:,\d*)?\}")
# Python's messages for what PostgreSQL's regcomp reports, as PostgreSQL words it.
_MESSAGES = (
    ("missing ), unterminated subpattern", "parentheses () not balanced"),
    ("unbalanced parenthesis", "parentheses () not balanced"),
    ("unterminated character set", "brackets [] not balanced"),
    ("nothing to repeat", "quantifier operand invalid"),
    ("multiple repeat", "quantifier operand invalid"),
    ("bad escape", "invalid escape \\ sequence"),
    ("bad character range", "invalid character range"),
)


def _translate(pattern: str) -> str:
    """An ARE as the Python regular expression that matches the same."""
    out = []
    i, size = 0, len(pattern)
    in_brackets = bracket_start = False
    while i < size:
        char = pattern[i]
        if char == "\\" and i + 1 < size:
            following = pattern[i + 1]
            out.append(_ESCAPES.get(following, char + following) if not in_brackets else char + following)
            i += 2
            continue
        if in_brackets:
            if pattern.startswith("[:", i):
                end = pattern.find(":]", i + 2)
                name = pattern[i + 2 : end] if end > 0 else ""
                if name not in _CLASSES:
                    raise _invalid("invalid character class")
                out.append(_CLASSES[name])
                i = end + 2
                continue
            if char == "]" and not bracket_start:
                in_brackets = False
            elif char == "[":
                char = "\\["
            bracket_start = bracket_start and char == "^"
            out.append(char)
        elif char == "[":
            in_brackets, bracket_start = True, True
            out.append(char)
        elif char == "$":
            out.append(r"\Z")
        elif char == "{" and pattern[i + 1 : i + 2].isdigit():
            # A bound; "{" before anything else is itself.
            bound = _BOUND.match(pattern, i)
            if bound is None:
                raise _invalid("braces {} not balanced" if "}" not in pattern[i:] else "invalid repetition count(s)")
            out.append(bound[0])
            i = bound.end()
            continue
        elif char == "{":
            out.append("\\{")
        else:
            out.append(char)
        i += 1
    return "".join(out)


def _invalid(message: str) -> errors.PgError:
    return errors.PgError(errors.INVALID_REGULAR_EXPRESSION, f"invalid regular expression: {message}")


@functools.lru_cache(maxsize=256)
def compile_regex(pattern: str, ignore_case: bool = False) -> re.Pattern[str]:
    """RE_compile_and_cache: the pattern compiled once; a bad one is 2201B."""
    try:
        return re.compile(_translate(pattern), re.S | (re.I | re.A if ignore_case else 0))
    except re.error as error:
        message = next((pg for py, pg in _MESSAGES if error.msg.startswith(py)), error.msg)
        raise _invalid(message) from None


def regex_match(text: str, pattern: str) -> bool:
    return compile_regex(pattern).search(text) is not None


def regex_not_match(text: str, pattern: str) -> bool:
    return compile_regex(pattern).search(text) is None


def regex_imatch(text: str, pattern: str) -> bool:
    return compile_regex(pattern, True).search(text) is not None


def regex_not_imatch(text: str, pattern: str) -> bool:
    return compile_regex(pattern, True).search(text) is None


# --- regexp functions -----------------------------------------------------------------------------

_REPLACEMENT = re.compile(r"\\([0-9&\\])")


def _flags(flags: str) -> tuple[bool, bool]:
    """parse_re_flags: (case-insensitive, global); 'c' undoes an earlier 'i'."""
    ignore_case = global_ = False
    for flag in flags:
        if flag == "i":
            ignore_case = True
        elif flag == "c":
            ignore_case = False
        elif flag == "g":
            global_ = True
        elif flag not in "npwxqbe":
            raise errors.PgError(errors.INVALID_PARAMETER_VALUE, f'invalid regular expression option: "{flag}"')
    return ignore_case, global_


def _expand(replacement: str) -> Callable[[re.Match[str]], str]:
    """A replacement text: \\1 .. \\9 a group, \\& the whole match, \\\\ a backslash."""

    def expand(match: re.Match[str]) -> str:
        def part(token: re.Match[str]) -> str:
            char = token[1]
            if char == "\\":
                return "\\"
            if char == "&" or char == "0":
                return match[0]
            index = int(char)
            return (match[index] or "") if index <= (match.re.groups) else ""

        return _REPLACEMENT.sub(part, replacement)

    return expand


def regexp_replace(text: str, pattern: str, replacement: str, flags: str = "") -> str:
    ignore_case, global_ = _flags(flags)
    return compile_regex(pattern, ignore_case).sub(_expand(replacement), text, count=0 if global_ else 1)


def regexp_match(text: str, pattern: str, flags: str = "") -> list[str | None] | None:
    """The first match: its groups, or the whole match when the pattern has none."""
    ignore_case, global_ = _flags(flags)
    if global_:
        raise errors.PgError(
            errors.INVALID_PARAMETER_VALUE,
            'regexp_match() does not support the "global" option',
            hint="Use the regexp_matches function instead.",
        )
    match = compile_regex(pattern, ignore_case).search(text)
    if match is None:
        return None
    return list(match.groups()) if match.re.groups else [match[0]]


def regexp_like(text: str, pattern: str, flags: str = "") -> bool:
    ignore_case, global_ = _flags(flags)
    if global_:
        raise errors.PgError(errors.INVALID_PARAMETER_VALUE, 'regexp_like() does not support the "global" option')
    return compile_regex(pattern, ignore_case).search(text) is not None
