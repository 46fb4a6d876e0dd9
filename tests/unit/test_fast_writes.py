"""The shortcuts of a single-row write give what the general code gives: a jsonb text that is
already canonical is kept as written, and only such a text."""

from __future__ import annotations

import json
import random

import pytest

from orbit_pg import errors, jsonb


def general(text: str) -> bytes | tuple[str, str]:
    """What the full parser makes of ``text``: inside an array, the flat-object shortcut is not taken."""
    try:
        return jsonb.canonical(f"[{text}]")[1:-1]
    except errors.PgError as error:
        return error.sqlstate, error.message


def answer(text: str) -> bytes | tuple[str, str]:
    try:
        return jsonb.canonical(text)
    except errors.PgError as error:
        return error.sqlstate, error.message


@pytest.mark.parametrize(
    "text",
    [
        '{"balance": 5}',
        '{"a": 1, "bb": "x"}',
        '{"": null, "a": true, "b": false}',
        '{"é": "ü", "ab": -12}',
        '{"bb": 1, "a": 2}',
        '{"a": 1, "a": 2}',
        '{"a": -0}',
        '{"a": 01}',
        '{"a":1}',
        '{"a": 1 }',
        '{"a": 1.50}',
        '{"a": 1e3}',
        '{"a": 1234567890123456789012}',
        '{"a": "x\\ny"}',
        '{"a\\"": 1}',
        '{"a": [1]}',
        '{"a": {}}',
        '{"a": 1} ',
        '{"a": 1}x',
        '{"a": 1,}',
        '{"a": tru}',
    ],
)
def test_flat_object_shortcut_agrees_with_the_parser(text: str) -> None:
    assert answer(text) == general(text)


def test_random_flat_objects_agree_with_the_parser() -> None:
    rng = random.Random(8)
    keys = ["", "a", "b", "ab", "ba", "é", "a b", "\u2028", "k\\n", 'q\\"', "\\u0041", "\x7f"]
    values = ["0", "-0", "7", "-42", "10", "2.50", "1e2", "true", "false", "null", '""', '"x"', '"\\t"', '"ü"']
    for _ in range(3000):
        members = [
            f'"{rng.choice(keys)}":{rng.choice(["", " ", "  "])}{rng.choice(values)}' for _ in range(rng.randint(0, 4))
        ]
        text = "{" + rng.choice([", ", ",", " , "]).join(members) + "}"
        assert answer(text) == general(text), text
    # Whatever json.dumps prints, sorted the jsonb way or not.
    for _ in range(500):
        document = {rng.choice(keys): rng.randint(-(10**6), 10**6) for _ in range(rng.randint(1, 4))}
        text = json.dumps(document, ensure_ascii=False)
        assert answer(text) == general(text), text
