"""canonical() against PostgreSQL 15's jsonb_in and jsonb_out.

Every expectation in OUTPUTS and ERRORS was produced by PostgreSQL 15.18 with
``select $1::text::jsonb::text`` on a throwaway cluster (UTF8, C locale); the fields
compared are sqlstate, message, detail and context.  No server is needed to run them.
"""

from __future__ import annotations

import pytest

from orbit_pg.errors import PgError
from orbit_pg.jsonb import MAX_DEPTH, canonical

OUTPUTS = [
    # objects: keys by length then bytes, the last duplicate wins, ": " and ", "
    ('{"b": 1, "a": 2}', '{"a": 2, "b": 1}'),
    ('{"aa": 1, "b": 2, "": 3}', '{"": 3, "b": 2, "aa": 1}'),
    ('{"x": {"bb": 1, "a": []}, "": null}', '{"": null, "x": {"a": [], "bb": 1}}'),
    ('{"b": 1, "a": 2, "B": 3, "_": 4}', '{"B": 3, "_": 4, "a": 2, "b": 1}'),
    ('{"é": 1, "ab": 2, "abc": 3, "z": 4}', '{"z": 4, "ab": 2, "é": 1, "abc": 3}'),
    ('{"\\u00e9": 1, "ab": 2, "\\u0061": 3}', '{"a": 3, "ab": 2, "é": 1}'),
    ('{"a": 1, "a": 2}', '{"a": 2}'),
    ('{"a": [1], "b": {"c": 1, "c": [true]}, "a": {}}', '{"a": {}, "b": {"c": [true]}}'),
    ('{"a":1,"b":[1,2,{}],"c":{}}', '{"a": 1, "b": [1, 2, {}], "c": {}}'),
    (' \t\n\r{ "a" :\n[ ] ,"b"\t:\r{}} \n', '{"a": [], "b": {}}'),
    ("[]", "[]"),
    ("{}", "{}"),
    ("[[], {}, [[]], [{}]]", "[[], {}, [[]], [{}]]"),
    ('[1, "a", true, false, null]', '[1, "a", true, false, null]'),
    ('[{"bb": 1, "a": 2}, {"d": 3, "c": 4}]', '[{"a": 2, "bb": 1}, {"c": 4, "d": 3}]'),
    ('{"😀": 1, "€": 2, "é": 3, "ab": 4}', '{"ab": 4, "é": 3, "€": 2, "😀": 1}'),
    # scalars at the top level
    ('"a"', '"a"'),
    ("1", "1"),
    ("true", "true"),
    ("false", "false"),
    ("null", "null"),
    ('  "x"\n', '"x"'),
    # numbers as numeric prints them: exact, never an exponent, scale kept
    ("1e2", "100"),
    ("1E+2", "100"),
    ("1.5e300", "15" + "0" * 299),
    ("2.50e1", "25.0"),
    ("0.0001e-2", "0.000001"),
    ("-0", "0"),
    ("-0.0", "0.0"),
    ("-0e5", "0"),
    ("0e-3", "0.000"),
    ("-0.00e-2", "0.0000"),
    ("9223372036854775808", "9223372036854775808"),
    ("-123456789012345678901234567890", "-123456789012345678901234567890"),
    ("1.30", "1.30"),
    ("10e-1", "1.0"),
    ("100e-5", "0.00100"),
    ("12345678901234567890e-10", "1234567890.1234567890"),
    ("-1.0E-2", "-0.010"),
    ("1e-0", "1"),
    ("-12.340e1", "-123.40"),
    ("1e00000000000000000002", "100"),
    ("[1e2, -0, 1.5, -7]", "[100, 0, 1.5, -7]"),
    ("1e-16383", "0." + "0" * 16382 + "1"),
    ("1e131071", "1" + "0" * 131071),
    ("0e1073741822", "0"),
    # strings: escapes decoded, then escape_json's escapes
    ('"\\u00e9"', '"é"'),
    ('"\\u00E9\\u00e9"', '"éé"'),
    ('"\\ud83d\\ude00"', '"😀"'),
    ('"\\/ /"', '"/ /"'),
    ('"\\b\\f\\n\\r\\t\\"\\\\"', '"\\b\\f\\n\\r\\t\\"\\\\"'),
    ('"\\u0001\\u001F\\u0009\\u000a"', '"\\u0001\\u001f\\t\\n"'),
    ('"\\u007f \\u2028 \\uffff"', '"\x7f \u2028 \uffff"'),
    ('"é € 😀"', '"é € 😀"'),
    ('{"k\\"ey": "v\\\\al"}', '{"k\\"ey": "v\\\\al"}'),
]
ERRORS = [
    # lexer and grammar errors: the token, and the line up to its end
    ("x", ("22P02", "invalid input syntax for type json", 'Token "x" is invalid.', "JSON data, line 1: x")),
    (
        "",
        ("22P02", "invalid input syntax for type json", "The input string ended unexpectedly.", "JSON data, line 1: "),
    ),
    (
        "  ",
        (
            "22P02",
            "invalid input syntax for type json",
            "The input string ended unexpectedly.",
            "JSON data, line 1:   ",
        ),
    ),
    (
        "[1,",
        (
            "22P02",
            "invalid input syntax for type json",
            "The input string ended unexpectedly.",
            "JSON data, line 1: [1,",
        ),
    ),
    (
        '{"a"',
        (
            "22P02",
            "invalid input syntax for type json",
            "The input string ended unexpectedly.",
            'JSON data, line 1: {"a"',
        ),
    ),
    (
        '{"a":',
        (
            "22P02",
            "invalid input syntax for type json",
            "The input string ended unexpectedly.",
            'JSON data, line 1: {"a":',
        ),
    ),
    (
        "[",
        ("22P02", "invalid input syntax for type json", "The input string ended unexpectedly.", "JSON data, line 1: ["),
    ),
    (
        '{"a" 1}',
        ("22P02", "invalid input syntax for type json", 'Expected ":", but found "1".', 'JSON data, line 1: {"a" 1...'),
    ),
    (
        '{"a",1}',
        ("22P02", "invalid input syntax for type json", 'Expected ":", but found ",".', 'JSON data, line 1: {"a",...'),
    ),
    (
        "[1 2]",
        (
            "22P02",
            "invalid input syntax for type json",
            'Expected "," or "]", but found "2".',
            "JSON data, line 1: [1 2...",
        ),
    ),
    (
        "{1}",
        (
            "22P02",
            "invalid input syntax for type json",
            'Expected string or "}", but found "1".',
            "JSON data, line 1: {1...",
        ),
    ),
    (
        '{,"a": 1}',
        (
            "22P02",
            "invalid input syntax for type json",
            'Expected string or "}", but found ",".',
            "JSON data, line 1: {,...",
        ),
    ),
    (
        '{"a":1,}',
        (
            "22P02",
            "invalid input syntax for type json",
            'Expected string, but found "}".',
            'JSON data, line 1: {"a":1,}',
        ),
    ),
    (
        "[,",
        ("22P02", "invalid input syntax for type json", 'Expected JSON value, but found ",".', "JSON data, line 1: [,"),
    ),
    (
        "[}",
        ("22P02", "invalid input syntax for type json", 'Expected JSON value, but found "}".', "JSON data, line 1: [}"),
    ),
    (
        "[1,]",
        (
            "22P02",
            "invalid input syntax for type json",
            'Expected JSON value, but found "]".',
            "JSON data, line 1: [1,]",
        ),
    ),
    (
        "[1,,2]",
        (
            "22P02",
            "invalid input syntax for type json",
            'Expected JSON value, but found ",".',
            "JSON data, line 1: [1,,...",
        ),
    ),
    (
        '{"a":1 "b":2}',
        (
            "22P02",
            "invalid input syntax for type json",
            'Expected "," or "}", but found ""b"".',
            'JSON data, line 1: {"a":1 "b"...',
        ),
    ),
    (
        '["a": 1]',
        (
            "22P02",
            "invalid input syntax for type json",
            'Expected "," or "]", but found ":".',
            'JSON data, line 1: ["a":...',
        ),
    ),
    (
        '{"a": "b": 1}',
        (
            "22P02",
            "invalid input syntax for type json",
            'Expected "," or "}", but found ":".',
            'JSON data, line 1: {"a": "b":...',
        ),
    ),
    (
        '{"a": 1]',
        (
            "22P02",
            "invalid input syntax for type json",
            'Expected "," or "}", but found "]".',
            'JSON data, line 1: {"a": 1]',
        ),
    ),
    (
        "1 2",
        (
            "22P02",
            "invalid input syntax for type json",
            'Expected end of input, but found "2".',
            "JSON data, line 1: 1 2",
        ),
    ),
    (
        '"a" "b"',
        (
            "22P02",
            "invalid input syntax for type json",
            'Expected end of input, but found ""b"".',
            'JSON data, line 1: "a" "b"',
        ),
    ),
    ("1 x", ("22P02", "invalid input syntax for type json", 'Token "x" is invalid.', "JSON data, line 1: 1 x")),
    ("01", ("22P02", "invalid input syntax for type json", 'Token "01" is invalid.', "JSON data, line 1: 01")),
    ("1.", ("22P02", "invalid input syntax for type json", 'Token "1." is invalid.', "JSON data, line 1: 1.")),
    ("1.e5", ("22P02", "invalid input syntax for type json", 'Token "1.e5" is invalid.', "JSON data, line 1: 1.e5")),
    ("-", ("22P02", "invalid input syntax for type json", 'Token "-" is invalid.', "JSON data, line 1: -")),
    ("-.5", ("22P02", "invalid input syntax for type json", 'Token "-.5" is invalid.', "JSON data, line 1: -.5")),
    ("1e+-", ("22P02", "invalid input syntax for type json", 'Token "1e+" is invalid.', "JSON data, line 1: 1e+...")),
    ("1.5.3", ("22P02", "invalid input syntax for type json", 'Token "." is invalid.', "JSON data, line 1: 1.5....")),
    (".5", ("22P02", "invalid input syntax for type json", 'Token "." is invalid.', "JSON data, line 1: ....")),
    ("tru", ("22P02", "invalid input syntax for type json", 'Token "tru" is invalid.', "JSON data, line 1: tru")),
    ("truex", ("22P02", "invalid input syntax for type json", 'Token "truex" is invalid.', "JSON data, line 1: truex")),
    ("NaN", ("22P02", "invalid input syntax for type json", 'Token "NaN" is invalid.', "JSON data, line 1: NaN")),
    ("+1", ("22P02", "invalid input syntax for type json", 'Token "+" is invalid.', "JSON data, line 1: +...")),
    ("'a'", ("22P02", "invalid input syntax for type json", 'Token "\'" is invalid.', "JSON data, line 1: '...")),
    ("é", ("22P02", "invalid input syntax for type json", 'Token "é" is invalid.', "JSON data, line 1: é")),
    (
        "[tru€]",
        ("22P02", "invalid input syntax for type json", 'Token "tru€" is invalid.', "JSON data, line 1: [tru€..."),
    ),
    # string errors
    (
        '"ab\\q"',
        (
            "22P02",
            "invalid input syntax for type json",
            'Escape sequence "\\q" is invalid.',
            'JSON data, line 1: "ab\\q...',
        ),
    ),
    (
        '"\\é"',
        (
            "22P02",
            "invalid input syntax for type json",
            'Escape sequence "\\é" is invalid.',
            'JSON data, line 1: "\\é...',
        ),
    ),
    (
        '"\\u12x4"',
        (
            "22P02",
            "invalid input syntax for type json",
            '"\\u" must be followed by four hexadecimal digits.',
            'JSON data, line 1: "\\u12x...',
        ),
    ),
    (
        '"a\nb"',
        (
            "22P02",
            "invalid input syntax for type json",
            "Character with value 0x0a must be escaped.",
            'JSON data, line 1: "a',
        ),
    ),
    (
        '"a\tb"',
        (
            "22P02",
            "invalid input syntax for type json",
            "Character with value 0x09 must be escaped.",
            'JSON data, line 1: "a...',
        ),
    ),
    ('"abc', ("22P02", "invalid input syntax for type json", 'Token ""abc" is invalid.', 'JSON data, line 1: "abc')),
    (
        '"abc\\',
        ("22P02", "invalid input syntax for type json", 'Token ""abc\\" is invalid.', 'JSON data, line 1: "abc\\'),
    ),
    (
        '"\\u12',
        ("22P02", "invalid input syntax for type json", 'Token ""\\u12" is invalid.', 'JSON data, line 1: "\\u12'),
    ),
    (
        '"\\u0000"',
        (
            "22P05",
            "unsupported Unicode escape sequence",
            "\\u0000 cannot be converted to text.",
            'JSON data, line 1: "\\u0000...',
        ),
    ),
    (
        '[1,\n"\\u0000"]',
        (
            "22P05",
            "unsupported Unicode escape sequence",
            "\\u0000 cannot be converted to text.",
            'JSON data, line 2: "\\u0000...',
        ),
    ),
    (
        '"\\ud800"',
        (
            "22P02",
            "invalid input syntax for type json",
            "Unicode low surrogate must follow a high surrogate.",
            'JSON data, line 1: "\\ud800"',
        ),
    ),
    (
        '"\\udc00"',
        (
            "22P02",
            "invalid input syntax for type json",
            "Unicode low surrogate must follow a high surrogate.",
            'JSON data, line 1: "\\udc00...',
        ),
    ),
    (
        '"\\ud800\\ud800"',
        (
            "22P02",
            "invalid input syntax for type json",
            "Unicode high surrogate must not follow a high surrogate.",
            'JSON data, line 1: "\\ud800\\ud800...',
        ),
    ),
    (
        '"\\ud800x"',
        (
            "22P02",
            "invalid input syntax for type json",
            "Unicode low surrogate must follow a high surrogate.",
            'JSON data, line 1: "\\ud800x...',
        ),
    ),
    (
        '"\\ud800\\u0041"',
        (
            "22P02",
            "invalid input syntax for type json",
            "Unicode low surrogate must follow a high surrogate.",
            'JSON data, line 1: "\\ud800\\u0041...',
        ),
    ),
    # long lines are cut to under 50 bytes; \r does not start a line
    (
        "[" + ", ".join(map(str, range(1, 21))) + ", x]",
        (
            "22P02",
            "invalid input syntax for type json",
            'Token "x" is invalid.',
            "JSON data, line 1: ... 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, x...",
        ),
    ),
    (
        '"' + "a" * 49 + '\\q"',
        (
            "22P02",
            "invalid input syntax for type json",
            'Escape sequence "\\q" is invalid.',
            'JSON data, line 1: "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\\q...',
        ),
    ),
    (
        '"' + "a" * 50 + '\\q"',
        (
            "22P02",
            "invalid input syntax for type json",
            'Escape sequence "\\q" is invalid.',
            "JSON data, line 1: ...aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\\q...",
        ),
    ),
    (
        '"' + "é" * 40 + '\\q"',
        (
            "22P02",
            "invalid input syntax for type json",
            'Escape sequence "\\q" is invalid.',
            "JSON data, line 1: ...ééééééééééééééééééééééé\\q...",
        ),
    ),
    ("[1,\n\n  x", ("22P02", "invalid input syntax for type json", 'Token "x" is invalid.', "JSON data, line 3:   x")),
    ("[1,\r\n  x", ("22P02", "invalid input syntax for type json", 'Token "x" is invalid.', "JSON data, line 2:   x")),
    (
        "[1,\r  x",
        ("22P02", "invalid input syntax for type json", 'Token "x" is invalid.', "JSON data, line 1: [1,\r  x"),
    ),
    (
        '{"a":\n1 2}',
        (
            "22P02",
            "invalid input syntax for type json",
            'Expected "," or "}", but found "2".',
            "JSON data, line 2: 1 2...",
        ),
    ),
    # numeric's limits, checked only after the next token lexes
    ("[1e-99999 2]", ("22003", "value overflows numeric format", None, None)),
    (
        "[1e-99999 x]",
        ("22P02", "invalid input syntax for type json", 'Token "x" is invalid.', "JSON data, line 1: [1e-99999 x..."),
    ),
    ("1e131072", ("22003", "value overflows numeric format", None, None)),
    ("1e-16384", ("22003", "value overflows numeric format", None, None)),
    ("0e1073741823", ("22003", "value overflows numeric format", None, None)),
    # nesting deeper than PostgreSQL's stack allows
    ("[" * 20000 + "]" * 20000, ("54001", "stack depth limit exceeded", None, None)),
    ('{"a":' * 20000 + "1" + "}" * 20000, ("54001", "stack depth limit exceeded", None, None)),
]


def _fields(text: str) -> tuple[str, str, str | None, str | None]:
    with pytest.raises(PgError) as info:
        canonical(text)
    error = info.value
    return error.sqlstate, error.message, error.detail, error.context


@pytest.mark.parametrize(("text", "expected"), OUTPUTS)
def test_canonical_text_matches_postgresql(text: str, expected: str) -> None:
    assert canonical(text) == expected.encode()


@pytest.mark.parametrize(("text", "fields"), ERRORS)
def test_errors_match_postgresql(text: str, fields: tuple[str, str, str | None, str | None]) -> None:
    assert _fields(text) == fields


@pytest.mark.parametrize("text", [expected for _, expected in OUTPUTS])
def test_canonical_text_reads_back_unchanged(text: str) -> None:
    assert canonical(text) == text.encode()


def test_stack_depth_error_has_postgresql_hint() -> None:
    with pytest.raises(PgError) as info:
        canonical("[" * (MAX_DEPTH + 1))
    assert info.value.hint == (
        'Increase the configuration parameter "max_stack_depth" (currently 2048kB), '
        "after ensuring the platform's stack depth limit is adequate."
    )


def test_deep_nesting_needs_no_recursion() -> None:
    assert canonical("[" * MAX_DEPTH + "]" * MAX_DEPTH) == b"[" * MAX_DEPTH + b"]" * MAX_DEPTH
    assert canonical('{"a":' * 10_000 + "1" + "}" * 10_000) == b'{"a": ' * 10_000 + b"1" + b"}" * 10_000
    assert _fields("[" * 1_000_000)[0] == "54001"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('"\ud800"', 'invalid byte sequence for encoding "UTF8": 0xed 0xa0 0x80'),
        ('{"a\x00": 1}', 'invalid byte sequence for encoding "UTF8": 0x00'),
    ],
)
def test_text_postgresql_could_not_receive(text: str, message: str) -> None:
    # A lone surrogate or a NUL never reaches jsonb_in: PostgreSQL refuses such text first.
    assert _fields(text) == ("22021", message, None, None)
