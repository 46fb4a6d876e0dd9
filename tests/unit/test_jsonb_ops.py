"""jsonb containment, existence, paths and edits against PostgreSQL 15's answers.

Every expectation was checked on PostgreSQL 15 (``select ...::text``); values go in and come
out as canonical jsonb text, as orbit-pg stores them.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest

from orbit_pg import jsonb, types
from orbit_pg.errors import PgError
from orbit_pg.sql import jsonb_ops


def j(text: str) -> bytes:
    return jsonb.canonical(text)


def text(value: bytes | None) -> str | None:
    return None if value is None else value.decode()


# --- values in and out -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "doc",
    [
        '{"b": 1, "a": [1.50, "x\\n\\u0001é", null, true, {}]}',
        "0",
        "-0.5",
        "100",
        '"s"',
        "[]",
        '{"": {"aa": 1, "b": 2}}',
    ],
)
def test_loads_and_dumps_round_trip_canonical_text(doc: str) -> None:
    canonical = j(doc)
    assert jsonb.dumps(jsonb.loads(canonical)) == canonical


def test_dumps_orders_keys_as_jsonb_does_and_keeps_number_scale() -> None:
    value = {"bb": Decimal("1.50"), "é": None, "a": [Decimal("-0"), True]}
    assert jsonb.dumps(value) == b'{"a": [0, true], "bb": 1.50, "\xc3\xa9": null}'


# --- -> ->> #> #>> ----------------------------------------------------------------------------------

DOC = j('{"a": {"b": [1, {"c": "x"}]}, "n": null, "s": "str", "num": 1.50}')


def test_field_and_element_access() -> None:
    assert text(jsonb_ops.object_field(DOC, "s")) == '"str"'
    assert jsonb_ops.object_field_text(DOC, "s") == "str"
    assert jsonb_ops.object_field_text(DOC, "num") == "1.50"
    assert text(jsonb_ops.object_field(DOC, "n")) == "null"
    assert jsonb_ops.object_field_text(DOC, "n") is None
    assert jsonb_ops.object_field(DOC, "missing") is None
    assert jsonb_ops.object_field_text(DOC, "a") == '{"b": [1, {"c": "x"}]}'
    assert jsonb_ops.array_element(DOC, 0) is None  # an object has no elements
    array = j('[1, "two", [3]]')
    assert text(jsonb_ops.array_element(array, -1)) == "[3]"
    assert jsonb_ops.array_element_text(array, 1) == "two"
    assert jsonb_ops.array_element(array, 3) is None
    assert jsonb_ops.array_element(array, -4) is None
    assert jsonb_ops.object_field(array, "0") is None


def test_a_raw_scalar_is_a_one_element_array_to_subscripts() -> None:
    scalar = j('"abc"')
    assert text(jsonb_ops.array_element(scalar, 0)) == '"abc"'
    assert text(jsonb_ops.array_element(scalar, -1)) == '"abc"'
    assert jsonb_ops.array_element(scalar, 1) is None
    assert jsonb_ops.object_field(scalar, "abc") is None


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        (["a", "b", "1", "c"], '"x"'),
        (["a", "b", "-1", "c"], '"x"'),
        (["a", "b", " 0"], "1"),  # strtol skips leading spaces
        (["a", "b", "+0"], "1"),
        (["a", "b", "0 "], None),  # but not trailing ones
        (["a", "b", "x"], None),
        (["a", "b", "-3"], None),
        (["a", "b", "99999999999999999999"], None),
        (["s", "x"], None),  # a scalar has no fields
        (["a", None], None),  # a NULL element is a NULL result
        ([], '{"a": {"b": [1, {"c": "x"}]}, "n": null, "s": "str", "num": 1.50}'),
        ([["a"], ["b"]], '[1, {"c": "x"}]'),  # dimensions are flattened: a, b
    ],
)
def test_extract_path(path: list, expected: str | None) -> None:
    assert text(jsonb_ops.extract_path(DOC, path)) == expected


def test_extract_path_text() -> None:
    assert jsonb_ops.extract_path_text(DOC, ["a", "b", "1", "c"]) == "x"
    assert jsonb_ops.extract_path_text(DOC, ["n"]) is None
    assert jsonb_ops.extract_path_text(j("null"), []) is None
    assert jsonb_ops.extract_path_text(j('"x"'), []) == "x"
    assert jsonb_ops.extract_path_text(j('{"a": 1}'), []) == '{"a": 1}'
    assert jsonb_ops.extract_path(j('"x"'), ["0"]) is None


# --- @> <@ ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("left", "right", "expected"),
    [
        ('{"a": 1, "b": 2}', '{"a": 1}', True),
        ('{"a": 1}', '{"a": 1, "b": 2}', False),
        ('{"a": {"b": 1, "c": 2}}', '{"a": {"b": 1}}', True),
        ('{"a": [1, 2]}', '{"a": [1]}', True),
        ('{"a": {"b": 1}}', '{"a": []}', False),
        ('{"a": "1"}', '{"a": 1}', False),
        ('{"a": null}', '{"a": null}', True),
        ("[1, 2, 3]", "[3, 1]", True),
        ("[1, 2]", "[1, 1, 1]", True),
        ("[1, 2]", "[]", True),
        ("[1, 2, 3]", "1", True),  # an array contains a raw scalar
        ("1", "[1]", False),  # a raw scalar contains no array
        ("1", "1", True),
        ("1.0", "1", True),  # numbers by value
        ("[true]", "[1]", False),  # but not booleans as numbers
        ("[1, [2, 3]]", "[[2]]", True),
        ("[[1, 2]]", "[1]", False),  # scalars only at the top level of the array
        ('[{"a": 1, "b": 2}]', '[{"a": 1}]', True),
        ("[[]]", "[{}]", False),
        ('{"a": 1}', "[]", False),
        ("[]", "{}", False),
        ("{}", "{}", True),
        ('["a"]', '"a"', True),
        ("null", "null", True),
        ("[null]", "null", True),
    ],
)
def test_containment(left: str, right: str, expected: bool) -> None:
    assert jsonb_ops.contains(j(left), j(right)) is expected
    assert jsonb_ops.contained(j(right), j(left)) is expected


# --- ? ?| ?& ---------------------------------------------------------------------------------------


def test_existence() -> None:
    doc = j('{"a": 1, "b": {"c": 2}}')
    assert jsonb_ops.exists(doc, "a") and not jsonb_ops.exists(doc, "c")
    assert jsonb_ops.exists(j('["a", "b"]'), "a")
    assert not jsonb_ops.exists(j('[["a"]]'), "a")
    assert not jsonb_ops.exists(j("[1]"), "1")  # only strings
    assert jsonb_ops.exists(j('"abc"'), "abc")
    assert jsonb_ops.exists_any(doc, ["x", "b"]) and not jsonb_ops.exists_any(doc, ["x", "y"])
    assert jsonb_ops.exists_all(doc, ["a", "b"]) and not jsonb_ops.exists_all(doc, ["a", "x"])
    assert not jsonb_ops.exists_any(doc, []) and jsonb_ops.exists_all(doc, [])
    assert jsonb_ops.exists_any(doc, [None, "a"]) and jsonb_ops.exists_all(doc, [None, "a"])
    assert not jsonb_ops.exists_all(doc, [["a"], ["x"]])


# --- || - #- --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("left", "right", "expected"),
    [
        ('{"a": 1, "b": 2}', '{"b": 3, "c": 4}', '{"a": 1, "b": 3, "c": 4}'),
        ('{"a": {"b": 1}}', '{"a": {"c": 2}}', '{"a": {"c": 2}}'),
        ("[1, 2]", "[3]", "[1, 2, 3]"),
        ('{"a": 1}', "1", '[{"a": 1}, 1]'),
        ("1", '{"a": 1}', '[1, {"a": 1}]'),
        ("1", "2", "[1, 2]"),
        ("[]", "{}", "[{}]"),
        ('{"a": 1}', "[2]", '[{"a": 1}, 2]'),
    ],
)
def test_concat(left: str, right: str, expected: str) -> None:
    assert text(jsonb_ops.concat(j(left), j(right))) == expected


def test_delete() -> None:
    assert text(jsonb_ops.delete_key(j('{"a": 1, "b": 2}'), "a")) == '{"b": 2}'
    assert text(jsonb_ops.delete_key(j('["a", "b", "a", 1]'), "a")) == '["b", 1]'
    assert text(jsonb_ops.delete_keys(j('{"a": 1, "b": 2, "c": 3}'), ["a", "c", None, "x"])) == '{"b": 2}'
    assert text(jsonb_ops.delete_index(j("[1, 2, 3]"), -1)) == "[1, 2]"
    assert text(jsonb_ops.delete_index(j("[1, 2, 3]"), 5)) == "[1, 2, 3]"
    assert text(jsonb_ops.delete_index(j("[]"), 0)) == "[]"
    assert text(jsonb_ops.delete_path(j('{"a": {"b": [1, 2, 3]}}'), ["a", "b", "-2"])) == '{"a": {"b": [1, 3]}}'
    assert text(jsonb_ops.delete_path(j('{"a": 1}'), ["x", "y"])) == '{"a": 1}'


@pytest.mark.parametrize(
    ("call", "sqlstate", "message"),
    [
        (lambda: jsonb_ops.delete_key(j("1"), "a"), "22023", "cannot delete from scalar"),
        (lambda: jsonb_ops.delete_index(j("{}"), 0), "22023", "cannot delete from object using integer index"),
        (lambda: jsonb_ops.delete_index(j('"a"'), 0), "22023", "cannot delete from scalar"),
        (lambda: jsonb_ops.delete_keys(j("{}"), [["a"]]), "2202E", "wrong number of array subscripts"),
        (lambda: jsonb_ops.delete_path(j("1"), ["a"]), "22023", "cannot delete path in scalar"),
        (lambda: jsonb_ops.delete_path(j("[1]"), ["a"]), "22P02", 'path element at position 1 is not an integer: "a"'),
        (lambda: jsonb_ops.delete_path(j('{"a": [1]}'), ["a", None]), "22004", "path element at position 2 is null"),
    ],
)
def test_delete_errors(call: Callable[[], object], sqlstate: str, message: str) -> None:
    with pytest.raises(PgError) as raised:
        call()
    assert (raised.value.sqlstate, raised.value.message) == (sqlstate, message)


# --- jsonb_set, jsonb_insert -------------------------------------------------------------------------

STATE = j('{"n": 1, "tags": ["a", "b"], "o": {"x": 1}}')


@pytest.mark.parametrize(
    ("path", "new", "create", "expected"),
    [
        (["n"], "2", True, '{"n": 2, "o": {"x": 1}, "tags": ["a", "b"]}'),
        (["new"], "true", True, '{"n": 1, "o": {"x": 1}, "new": true, "tags": ["a", "b"]}'),
        (["new"], "true", False, '{"n": 1, "o": {"x": 1}, "tags": ["a", "b"]}'),
        (["o", "y"], "2", True, '{"n": 1, "o": {"x": 1, "y": 2}, "tags": ["a", "b"]}'),
        (["tags", "0"], '"z"', True, '{"n": 1, "o": {"x": 1}, "tags": ["z", "b"]}'),
        (["tags", "9"], '"end"', True, '{"n": 1, "o": {"x": 1}, "tags": ["a", "b", "end"]}'),
        (["tags", "-9"], '"start"', True, '{"n": 1, "o": {"x": 1}, "tags": ["start", "a", "b"]}'),
        (["tags", "-1"], '"last"', True, '{"n": 1, "o": {"x": 1}, "tags": ["a", "last"]}'),
        (["missing", "deeper"], "1", True, '{"n": 1, "o": {"x": 1}, "tags": ["a", "b"]}'),
        (["n", "deeper"], "1", True, '{"n": 1, "o": {"x": 1}, "tags": ["a", "b"]}'),
        (["missing", None], "1", True, '{"n": 1, "o": {"x": 1}, "tags": ["a", "b"]}'),
        ([], "1", True, '{"n": 1, "o": {"x": 1}, "tags": ["a", "b"]}'),
    ],
)
def test_set_path(path: list, new: str, create: bool, expected: str) -> None:
    result = jsonb_ops.set_path(STATE, path, j(new), create)
    assert jsonb.dumps(jsonb.loads(result)).decode() == expected


def test_set_path_in_empty_containers() -> None:
    assert text(jsonb_ops.set_path(j("{}"), ["a"], j("1"))) == '{"a": 1}'
    assert text(jsonb_ops.set_path(j("{}"), ["a"], j("1"), create=False)) == "{}"
    assert text(jsonb_ops.set_path(j("[]"), ["5"], j("1"))) == "[1]"


@pytest.mark.parametrize(
    ("call", "sqlstate", "message"),
    [
        (lambda: jsonb_ops.set_path(j('"s"'), ["a"], j("1")), "22023", "cannot set path in scalar"),
        (
            lambda: jsonb_ops.set_path(j('{"a": {"x": 1}}'), ["a", None], j("1")),
            "22004",
            "path element at position 2 is null",
        ),
        (
            lambda: jsonb_ops.set_path(j("[1]"), ["x"], j("1")),
            "22P02",
            'path element at position 1 is not an integer: "x"',
        ),
        (
            lambda: jsonb_ops.set_path(j("[1]"), ["4294967297"], j("1")),
            "22P02",
            'path element at position 1 is not an integer: "4294967297"',
        ),
        (lambda: jsonb_ops.set_path(j("{}"), [["a"]], j("1")), "2202E", "wrong number of array subscripts"),
        (lambda: jsonb_ops.insert_path(STATE, ["n"], j("1")), "22023", "cannot replace existing key"),
    ],
)
def test_set_path_errors(call: Callable[[], object], sqlstate: str, message: str) -> None:
    with pytest.raises(PgError) as raised:
        call()
    assert (raised.value.sqlstate, raised.value.message) == (sqlstate, message)


def test_insert_path() -> None:
    assert text(jsonb_ops.insert_path(STATE, ["tags", "0"], j('"f"'))).endswith('"tags": ["f", "a", "b"]}')
    assert text(jsonb_ops.insert_path(STATE, ["tags", "0"], j('"s"'), after=True)).endswith('"tags": ["a", "s", "b"]}')
    assert text(jsonb_ops.insert_path(STATE, ["tags", "-1"], j('"x"'))).endswith('"tags": ["a", "x", "b"]}')
    assert text(jsonb_ops.insert_path(STATE, ["tags", "99"], j('"x"'))).endswith('"tags": ["a", "b", "x"]}')
    assert text(jsonb_ops.insert_path(j('{"a": [1]}'), ["a", "-5"], j("0"))) == '{"a": [0, 1]}'


# --- functions of one value, and SQL values to jsonb --------------------------------------------


def test_typeof_length_strip_nulls() -> None:
    names = [jsonb_ops.typeof(j(doc)) for doc in ("{}", "[]", "1", '"a"', "true", "null")]
    assert names == ["object", "array", "number", "string", "boolean", "null"]
    assert jsonb_ops.array_length(j("[1, [2, 3]]")) == 2
    with pytest.raises(PgError, match="cannot get array length of a non-array"):
        jsonb_ops.array_length(j("{}"))
    with pytest.raises(PgError, match="cannot get array length of a scalar"):
        jsonb_ops.array_length(j("1"))
    stripped = jsonb_ops.strip_nulls(j('{"a": null, "b": [null, {"c": null}], "d": {"e": null, "f": 1}}'))
    assert text(stripped) == '{"b": [null, {}], "d": {"f": 1}}'


@pytest.mark.parametrize(
    ("type_", "value", "expected"),
    [
        (types.INT4, 600, "600"),
        (types.NUMERIC, Decimal("1.50"), "1.50"),
        (types.NUMERIC, Decimal("NaN"), '"NaN"'),
        (types.FLOAT8, 1e300, "1" + "0" * 300),
        (types.FLOAT8, float("inf"), '"Infinity"'),
        (types.FLOAT8, -0.0, "0"),
        (types.OID, 5, '"5"'),
        (types.TEXT, 'a"b\\c\nd\x01', '"a\\"b\\\\c\\nd\\u0001"'),
        (types.BOOL, True, "true"),
        (types.JSONB, b'{"a": 1}', '{"a": 1}'),
        (types.JSON, b'{"b":1, "a":2}', '{"a": 2, "b": 1}'),
        (types.ARRAY_OF[types.INT4], [[1, 2], [3, None]], "[[1, 2], [3, null]]"),
        (types.DATE, types.DATE.text_in("2024-01-02"), '"2024-01-02"'),
        (types.TIMESTAMP, types.TIMESTAMP.text_in("2024-01-02 03:04:05.5"), '"2024-01-02T03:04:05.5"'),
        (types.TIMESTAMPTZ, types.TIMESTAMPTZ.text_in("2024-01-02 03:04:05.5+02"), '"2024-01-02T01:04:05.5+00:00"'),
        (types.BYTEA, b"\x01", '"\\\\x01"'),
    ],
)
def test_to_jsonb(type_: types.PgType, value: object, expected: str) -> None:
    assert text(jsonb_ops.to_jsonb(type_)(value)) == expected


def test_build_object_and_array() -> None:
    build = jsonb_ops.build_object([types.UNKNOWN, types.INT4, types.INT4, types.BOOL, types.BOOL, types.TEXT])
    assert text(build("a", 1, 2, True, False, None)) == '{"2": true, "a": 1, "false": null}'
    with pytest.raises(PgError, match="argument 3: key must not be null"):
        build("a", 1, None, True, False, None)
    with pytest.raises(PgError, match="key value must be scalar, not array, composite, or json"):
        jsonb_ops.build_object([types.JSONB, types.INT4])(b"{}", 1)
    with pytest.raises(PgError, match="argument list must have even number of elements"):
        jsonb_ops.build_object([types.TEXT])("a")
    assert text(jsonb_ops.build_array([types.INT4, types.TEXT, types.JSONB])(1, None, b"[]")) == "[1, null, []]"


def test_equality_compares_numbers_by_value() -> None:
    assert jsonb_ops.jsonb_eq(j('{"a": [1, {"b": 2}]}'), j('{"a": [1.0, {"b": 2.00}]}'))
    assert not jsonb_ops.jsonb_eq(j("[1, 2]"), j("[2, 1]"))
    assert not jsonb_ops.jsonb_eq(j("1"), j("[1]"))
    assert not jsonb_ops.jsonb_eq(j("true"), j("1"))


def test_deep_nesting_works_to_hundreds_of_levels_then_is_a_stack_depth_error() -> None:
    deep = j("[" * 800 + "]" * 800)
    assert jsonb_ops.contains(deep, deep) and jsonb_ops.jsonb_eq(deep, deep + b" ")
    assert jsonb_ops.strip_nulls(deep) == deep
    assert jsonb_ops.set_path(deep, ["0"], j("1")) == b"[1]"
    # PostgreSQL goes on to about 13,000 levels; Python's recursion limit stops these sooner.
    deeper = j("[" * 5000 + "]" * 5000)
    with pytest.raises(PgError) as raised:
        jsonb_ops.contains(deeper, deeper)
    assert (raised.value.sqlstate, raised.value.message) == ("54001", "stack depth limit exceeded")
