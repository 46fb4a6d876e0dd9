"""What jsonb's operators and functions do (``jsonfuncs.c``, ``jsonb_op.c``, ``jsonb_util.c``).

A jsonb value is its canonical text (bytes); these read it into Python values with
``jsonb.loads``, work on them as PostgreSQL works on its binary form, and print results
with ``jsonb.dumps``. PostgreSQL stores a top-level scalar as a one-element "raw scalar"
array, and a few operators show it (``'"a"'::jsonb -> 0`` is ``"a"``); ``_elements`` keeps
that. Paths (``text[]``) arrive as nested lists, as the array type reads them.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import ujson

from orbit_pg import errors, jsonb, types

_NOT_SCALAR_KEY = "key value must be scalar, not array, composite, or json"
# strtol's idea of a number: leading white space, a sign, digits and nothing after.
_STRTOL = re.compile(r"[ \t\n\v\f\r]*([+-]?[0-9]+)")
_INT_MIN, _INT_MAX = -(2**31), 2**31 - 1

# setPath's operations (jsonfuncs.c JB_PATH_*)
REPLACE, CREATE, DELETE, INSERT_BEFORE, INSERT_AFTER = 1, 2, 4, 8, 16
_CREATE_OR_INSERT = CREATE | INSERT_BEFORE | INSERT_AFTER


def _elements(value: Any) -> list[Any] | None:
    """An array's elements, a raw scalar as the one element it is stored as; None for an object."""
    if type(value) is list:
        return value
    if type(value) is dict:
        return None
    return [value]


def _as_text(value: Any) -> str | None:
    """JsonbValueAsText (->>, #>>): a string unquoted, JSON null as SQL NULL, others as jsonb text."""
    if value is None:
        return None
    if type(value) is str:
        return value
    return jsonb.dumps(value).decode()


def _flatten(path: list[Any]) -> list[Any]:
    """deconstruct_array: the elements of any number of dimensions, in order."""
    while path and type(path[0]) is list:
        path = [item for sub in path for item in sub]
    return path


def _scalar_equal(a: Any, b: Any) -> bool:
    """equalsJsonbScalarValue: same kind and equal (numbers by value: 1.0 equals 1)."""
    return type(a) is type(b) and a == b


def _depth_guarded(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Recursion as deep as a document nests: too deep is PostgreSQL's stack depth error."""

    @functools.wraps(fn)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except RecursionError:
            raise jsonb.stack_depth_exceeded() from None

    return guarded


def equal(a: Any, b: Any) -> bool:
    """jsonb = jsonb (compareJsonbContainers): deep equality, numbers by value."""
    if type(a) is not type(b):
        return False
    if type(a) is dict:
        if a.keys() != b.keys():
            return False
        for key, value in a.items():
            if not equal(value, b[key]):
                return False
        return True
    if type(a) is list:
        if len(a) != len(b):
            return False
        for x, y in zip(a, b, strict=True):
            if not equal(x, y):
                return False
        return True
    return a == b


@_depth_guarded
def jsonb_eq(a: bytes, b: bytes) -> bool:
    return a == b or equal(jsonb.loads(a), jsonb.loads(b))


def jsonb_ne(a: bytes, b: bytes) -> bool:
    return not jsonb_eq(a, b)


# --- -> ->> #> #>> --------------------------------------------------------------------------


_MISSING = object()  # the key is not there (or the document is no object)
_EXACT = object()  # the value needs the exact decoder
_QUICK_SCALARS = frozenset((str, int, bool, type(None)))


def _quick_field(doc: bytes, key: str) -> Any:
    """The value of ``key`` in an object, read with ujson where that is exact, else _EXACT.

    -> and ->> run once per row of a scan, and the Decimal-keeping decoder is most of their
    time. Canonical jsonb text without a "." holds no fraction (numeric prints no exponent),
    and ujson reads integers of any size exactly, so a scalar found there is the same value.
    """
    if b"." in doc:
        return _EXACT
    try:
        value = ujson.loads(doc)
    except ValueError:  # an integer longer than Python converts: the exact decoder decides
        return _EXACT
    if type(value) is not dict:
        return _MISSING
    field = value.get(key, _MISSING)
    return field if field is _MISSING or type(field) in _QUICK_SCALARS else _EXACT


def object_field(doc: bytes, key: str) -> bytes | None:
    """jsonb -> text: a key of an object; NULL for anything else."""
    field = _quick_field(doc, key)
    if field is _MISSING:
        return None
    if field is not _EXACT:
        return str(field).encode() if type(field) is int else jsonb.dumps(field)
    value = jsonb.loads(doc)
    if type(value) is not dict or key not in value:
        return None
    return jsonb.dumps(value[key])


def object_field_text(doc: bytes, key: str) -> str | None:
    field = _quick_field(doc, key)
    if field is _MISSING:
        return None
    if field is not _EXACT:
        return str(field) if type(field) is int else _as_text(field)
    value = jsonb.loads(doc)
    if type(value) is not dict:
        return None
    return _as_text(value.get(key))


def _element(doc: bytes, index: int) -> tuple[bool, Any]:
    """jsonb_array_element: negative indexes count from the end; a raw scalar is element 0."""
    items = _elements(jsonb.loads(doc))
    if items is None:
        return False, None
    if index < 0:
        index += len(items)
    if not 0 <= index < len(items):
        return False, None
    return True, items[index]


def array_element(doc: bytes, index: int) -> bytes | None:
    found, value = _element(doc, index)
    return jsonb.dumps(value) if found else None


def array_element_text(doc: bytes, index: int) -> str | None:
    found, value = _element(doc, index)
    return _as_text(value) if found else None


def _path_index(text: str) -> int | None:
    """get_jsonb_path_all's array subscript: a strtol number within int, else no element."""
    match = _STRTOL.fullmatch(text)
    if match is None:
        return None
    index = int(match[1])
    return index if _INT_MIN <= index <= _INT_MAX else None


def _extract(doc: bytes, path: list[Any]) -> tuple[bool, Any]:
    """get_jsonb_path_all: follow keys and subscripts; (False, None) where the path leads nowhere."""
    path = _flatten(path)
    if None in path:
        return False, None
    value = jsonb.loads(doc)
    for step in path:
        if type(value) is dict:
            if step not in value:
                return False, None
            value = value[step]
        elif type(value) is list:
            index = _path_index(step)
            if index is None:
                return False, None
            if index < 0:
                if index == _INT_MIN or -index > len(value):
                    return False, None
                index += len(value)
            if index >= len(value):
                return False, None
            value = value[index]
        else:
            return False, None
    return True, value


def extract_path(doc: bytes, path: list[Any]) -> bytes | None:
    """jsonb #> text[] and jsonb_extract_path."""
    found, value = _extract(doc, path)
    return jsonb.dumps(value) if found else None


def extract_path_text(doc: bytes, path: list[Any]) -> str | None:
    """jsonb #>> text[] and jsonb_extract_path_text."""
    found, value = _extract(doc, path)
    return _as_text(value) if found else None


# --- @> <@ ? ?| ?& ------------------------------------------------------------------------------


def _contains(value: Any, other: Any) -> bool:
    """JsonbDeepContains: every pair of an object and every element of an array found in ``value``."""
    if type(other) is dict:
        if type(value) is not dict or len(value) < len(other):
            return False
        for key, wanted in other.items():
            if key not in value:
                return False
            have = value[key]
            if type(wanted) in (dict, list):
                if type(have) is not type(wanted) or not _contains(have, wanted):
                    return False
            elif not _scalar_equal(have, wanted):
                return False
        return True
    if type(value) is dict:
        return False
    # Both arrays (raw scalars included): a raw scalar contains no real array.
    if type(value) is not list and type(other) is list:
        return False
    items = _elements(value)
    for wanted in _elements(other):
        if type(wanted) in (dict, list):
            for item in items:
                if type(item) is type(wanted) and _contains(item, wanted):
                    break
            else:
                return False
        else:
            for item in items:
                if _scalar_equal(item, wanted):
                    break
            else:
                return False
    return True


@_depth_guarded
def contains(doc: bytes, other: bytes) -> bool:
    """jsonb @> jsonb."""
    return _contains(jsonb.loads(doc), jsonb.loads(other))


@_depth_guarded
def contained(doc: bytes, other: bytes) -> bool:
    """jsonb <@ jsonb."""
    return _contains(jsonb.loads(other), jsonb.loads(doc))


def _has(value: Any, key: str) -> bool:
    """A top-level key of an object, or a string element of an array (or raw scalar)."""
    if type(value) is dict:
        return key in value
    return any(type(item) is str and item == key for item in _elements(value))


def exists(doc: bytes, key: str) -> bool:
    """jsonb ? text."""
    return _has(jsonb.loads(doc), key)


def exists_any(doc: bytes, keys: list[Any]) -> bool:
    """jsonb ?| text[]: NULL elements are skipped."""
    value = jsonb.loads(doc)
    return any(key is not None and _has(value, key) for key in _flatten(keys))


def exists_all(doc: bytes, keys: list[Any]) -> bool:
    """jsonb ?& text[]: NULL elements are skipped, so no keys at all is true."""
    value = jsonb.loads(doc)
    return all(key is None or _has(value, key) for key in _flatten(keys))


# --- || - #- ---------------------------------------------------------------------------------


def concat(doc: bytes, other: bytes) -> bytes:
    """jsonb || jsonb (IteratorConcat): objects merge (the right wins), otherwise arrays join,
    a scalar or an object counting as a one-element array."""
    left, right = jsonb.loads(doc), jsonb.loads(other)
    if type(left) is dict and type(right) is dict:
        return jsonb.dumps(left | right)
    left_items = [left] if type(left) is dict else _elements(left)
    right_items = [right] if type(right) is dict else _elements(right)
    return jsonb.dumps(left_items + right_items)


def _scalar_error(message: str) -> errors.PgError:
    return errors.PgError(errors.INVALID_PARAMETER_VALUE, message)


def _check_path_array(path: list[Any]) -> None:
    if path and type(path[0]) is list:
        raise errors.PgError(errors.ARRAY_SUBSCRIPT_ERROR, "wrong number of array subscripts")


def delete_key(doc: bytes, key: str) -> bytes:
    """jsonb - text: the key of an object, or every string element equal to it of an array."""
    value = jsonb.loads(doc)
    if type(value) not in (dict, list):
        raise _scalar_error("cannot delete from scalar")
    if type(value) is dict:
        if key not in value:
            return doc
        del value[key]
        return jsonb.dumps(value)
    return jsonb.dumps([item for item in value if not (type(item) is str and item == key)])


def delete_keys(doc: bytes, keys: list[Any]) -> bytes:
    """jsonb - text[]: as jsonb - text for each (non-NULL) element."""
    _check_path_array(keys)
    value = jsonb.loads(doc)
    if type(value) not in (dict, list):
        raise _scalar_error("cannot delete from scalar")
    drop = {key for key in keys if key is not None}
    if not value or not drop:
        return doc
    if type(value) is dict:
        return jsonb.dumps({k: v for k, v in value.items() if k not in drop})
    return jsonb.dumps([item for item in value if not (type(item) is str and item in drop)])


def delete_index(doc: bytes, index: int) -> bytes:
    """jsonb - integer: an array element, counted from the end when negative; out of range, nothing."""
    value = jsonb.loads(doc)
    if type(value) is dict:
        raise _scalar_error("cannot delete from object using integer index")
    if type(value) is not list:
        raise _scalar_error("cannot delete from scalar")
    if index < 0:
        index += len(value)
    if not 0 <= index < len(value):
        return doc
    del value[index]
    return jsonb.dumps(value)


def _set_path(value: Any, path: list[Any], level: int, new: Any, op: int) -> Any:
    """setPath: the value with the element at ``path[level:]`` replaced, inserted or deleted."""
    if path[level] is None:
        raise errors.PgError(errors.NULL_VALUE_NOT_ALLOWED, f"path element at position {level + 1} is null")
    if type(value) is dict:
        return _set_path_object(value, path, level, new, op)
    if type(value) is list:
        return _set_path_array(value, path, level, new, op)
    return value  # a scalar on the way: nothing to follow


def _set_path_object(value: dict[str, Any], path: list[Any], level: int, new: Any, op: int) -> dict[str, Any]:
    key = path[level]
    last = level == len(path) - 1
    if key in value:
        if not last:
            value[key] = _set_path(value[key], path, level + 1, new, op)
        elif op & (INSERT_BEFORE | INSERT_AFTER):
            raise errors.PgError(
                errors.INVALID_PARAMETER_VALUE,
                "cannot replace existing key",
                hint="Try using the function jsonb_set to replace key value.",
            )
        elif op & DELETE:
            del value[key]
        else:
            value[key] = new
    elif last and op & _CREATE_OR_INSERT:
        value[key] = new
    return value


def _set_path_array(value: list[Any], path: list[Any], level: int, new: Any, op: int) -> list[Any]:
    text = path[level]
    match = _STRTOL.fullmatch(text)
    if match is None or not _INT_MIN <= int(match[1]) <= _INT_MAX:
        raise errors.PgError(
            errors.INVALID_TEXT_REPRESENTATION, f'path element at position {level + 1} is not an integer: "{text}"'
        )
    index = int(match[1])
    count = len(value)
    last = level == len(path) - 1
    if index < 0:
        index = _INT_MIN if -index > count else count + index
    if index > count:
        index = count
    result: list[Any] = []
    done = False
    if (index == _INT_MIN or count == 0) and last and op & _CREATE_OR_INSERT:
        result.append(new)
        done = True
    for i, item in enumerate(value):
        if i != index:
            result.append(item)
            continue
        done = True
        if not last:
            result.append(_set_path(item, path, level + 1, new, op))
            continue
        if op & (INSERT_BEFORE | CREATE):
            result.append(new)
        if op & (INSERT_BEFORE | INSERT_AFTER):
            result.append(item)
        if op & (INSERT_AFTER | REPLACE):
            result.append(new)
    if not done and last and op & _CREATE_OR_INSERT:
        result.append(new)
    return result


def _scalar_root(value: Any) -> bool:
    return type(value) not in (dict, list)


@_depth_guarded
def set_path(doc: bytes, path: list[Any], new: bytes, create: bool = True) -> bytes:
    """jsonb_set(jsonb, text[], jsonb, create_if_missing)."""
    _check_path_array(path)
    value = jsonb.loads(doc)
    if _scalar_root(value):
        raise _scalar_error("cannot set path in scalar")
    if (not value and not create) or not path:
        return doc
    return jsonb.dumps(_set_path(value, path, 0, jsonb.loads(new), CREATE if create else REPLACE))


@_depth_guarded
def insert_path(doc: bytes, path: list[Any], new: bytes, after: bool = False) -> bytes:
    """jsonb_insert(jsonb, text[], jsonb, insert_after)."""
    _check_path_array(path)
    value = jsonb.loads(doc)
    if _scalar_root(value):
        raise _scalar_error("cannot set path in scalar")
    if not path:
        return doc
    return jsonb.dumps(_set_path(value, path, 0, jsonb.loads(new), INSERT_AFTER if after else INSERT_BEFORE))


@_depth_guarded
def delete_path(doc: bytes, path: list[Any]) -> bytes:
    """jsonb #- text[]."""
    _check_path_array(path)
    value = jsonb.loads(doc)
    if _scalar_root(value):
        raise _scalar_error("cannot delete path in scalar")
    if not value or not path:
        return doc
    return jsonb.dumps(_set_path(value, path, 0, None, DELETE))


# --- functions on one value ---------------------------------------------------------------------

_TYPE_NAMES = {dict: "object", list: "array", str: "string", Decimal: "number", bool: "boolean", type(None): "null"}


def typeof(doc: bytes) -> str:
    """jsonb_typeof."""
    return _TYPE_NAMES[type(jsonb.loads(doc))]


def array_length(doc: bytes) -> int:
    """jsonb_array_length."""
    value = jsonb.loads(doc)
    if type(value) is dict:
        raise _scalar_error("cannot get array length of a non-array")
    if type(value) is not list:
        raise _scalar_error("cannot get array length of a scalar")
    return len(value)


def _strip_nulls(value: Any) -> Any:
    if type(value) is dict:
        stripped = {}
        for key, item in value.items():
            if item is not None:
                stripped[key] = _strip_nulls(item)
        return stripped
    if type(value) is list:
        items = []
        for item in value:
            items.append(_strip_nulls(item))
        return items
    return value


@_depth_guarded
def strip_nulls(doc: bytes) -> bytes:
    """jsonb_strip_nulls: object fields whose value is null, at any depth; array elements stay."""
    return jsonb.dumps(_strip_nulls(jsonb.loads(doc)))


# jsonb_typeof's names in the casts' messages (JsonbTypeName), "numeric" for numbers.
_CAST_NAMES = {dict: "object", list: "array", str: "string", Decimal: "numeric", bool: "boolean", type(None): "null"}


def scalar(doc: bytes, wanted: type, target: str) -> Any:
    """A jsonb scalar for a cast to a number or boolean type (jsonb_numeric, jsonb_bool...)."""
    value = jsonb.loads(doc)
    if type(value) is not wanted:
        raise _scalar_error(f"cannot cast jsonb {_CAST_NAMES[type(value)]} to type {target}")
    return value


# --- SQL values to jsonb (datum_to_jsonb) ----------------------------------------------------------

Converter = Callable[[Any], Any]

_JSON_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?")
_TZ_OFFSET = re.compile(r"([+-]\d\d)(?::(\d\d))?(:\d\d)?$")


def _number(out: Callable[[Any], bytes]) -> Converter:
    """A number is a JSON number when its text is one (not NaN or Infinity, which become strings)."""

    def convert(value: Any) -> Any:
        text = out(value).decode()
        if _JSON_NUMBER.fullmatch(text):
            return jsonb.loads(jsonb.canonical(text))
        return text

    return convert


def _xsd_timestamp(out: Callable[[Any], bytes], with_zone: bool) -> Converter:
    """JsonEncodeDateTime: ISO 8601 with a "T", and a time zone offset with its minutes."""

    def convert(value: Any) -> str:
        text = out(value).decode()
        if not isinstance(value, datetime):
            return text  # infinity, or beyond what datetime holds
        text = text.replace(" ", "T", 1)
        if with_zone:
            text = _TZ_OFFSET.sub(lambda m: m[1] + ":" + (m[2] or "00") + (m[3] or ""), text)
        return text

    return convert


def converter(type_: types.PgType) -> Converter:
    """How datum_to_jsonb turns a value of ``type_`` into a jsonb value."""
    if type_ is types.JSONB:
        return jsonb.loads
    if type_ is types.JSON:
        return lambda value: jsonb.loads(jsonb.canonical(value.decode()))
    if type_ is types.BOOL:
        return bool
    if type_.category == "N" and type_ is not types.OID:
        return _number(type_.text_out)
    if type_.category in ("S", "X"):
        return str
    if type_ is types.TIMESTAMP or type_ is types.TIMESTAMPTZ:
        return _xsd_timestamp(type_.text_out, type_ is types.TIMESTAMPTZ)
    if type_ is types.DATE:
        out = type_.text_out
        return lambda value: value.isoformat() if type(value) is date else out(value).decode()
    if type_.element is not None:
        convert_element = converter(type_.element)

        def convert_array(value: list[Any]) -> list[Any]:
            return [
                None if item is None else convert_array(item) if type(item) is list else convert_element(item)
                for item in value
            ]

        return convert_array
    out = type_.text_out
    return lambda value: out(value).decode()


def key_converter(type_: types.PgType) -> Converter:
    """A jsonb_build_object key: a scalar's text (booleans as true/false); not an array or json."""
    if type_.element is not None or type_ is types.JSON or type_ is types.JSONB:
        return _refuse_key
    if type_ is types.BOOL:
        return lambda value: "true" if value else "false"
    if type_.category in ("S", "X"):
        return str
    if type_.category == "N":
        out = type_.text_out
        return lambda value: out(value).decode()
    return converter(type_)


def _refuse_key(value: Any) -> str:
    raise errors.PgError(errors.INVALID_PARAMETER_VALUE, _NOT_SCALAR_KEY)


def to_jsonb(type_: types.PgType) -> Callable[[Any], bytes]:
    """to_jsonb(anyelement)."""
    if type_ is types.JSONB:
        return lambda value: value
    convert = converter(type_)
    return lambda value: jsonb.dumps(convert(value))


def odd_arguments(function: str) -> Callable[..., bytes]:
    """json[b]_build_object called with an odd number of arguments: it fails when run, as PostgreSQL's."""

    def odd(*args: Any) -> bytes:
        raise errors.PgError(
            errors.INVALID_PARAMETER_VALUE,
            "argument list must have even number of elements",
            hint=f"The arguments of {function}() must consist of alternating keys and values.",
        )

    return odd


def build_object(arg_types: list[types.PgType]) -> Callable[..., bytes]:
    """jsonb_build_object(VARIADIC "any"): alternating keys and values; keys never NULL."""
    if len(arg_types) % 2:
        return odd_arguments("jsonb_build_object")
    pairs = [(key_converter(arg_types[i]), converter(arg_types[i + 1]), i + 1) for i in range(0, len(arg_types), 2)]

    def build(*args: Any) -> bytes:
        result: dict[str, Any] = {}
        for (key_of, value_of, number), key, value in zip(pairs, args[::2], args[1::2], strict=True):
            if key is None:
                raise errors.PgError(errors.INVALID_PARAMETER_VALUE, f"argument {number}: key must not be null")
            result[key_of(key)] = None if value is None else value_of(value)
        return jsonb.dumps(result)

    return build


def build_array(arg_types: list[types.PgType]) -> Callable[..., bytes]:
    """jsonb_build_array(VARIADIC "any")."""
    converters = [converter(t) for t in arg_types]

    def build(*args: Any) -> bytes:
        return jsonb.dumps(
            [None if value is None else convert(value) for convert, value in zip(converters, args, strict=True)]
        )

    return build


# --- ordering -----------------------------------------------------------------------------------

# jbvType's order, which compareJsonbContainers falls back on between kinds of values.
_KIND_ORDER = {type(None): 0, str: 1, Decimal: 2, bool: 3, list: 4, dict: 5}


def _compare(a: Any, b: Any) -> int:
    """compareJsonbContainers below the top level: kind, then length, then members in order
    (an object's pairs in jsonb's key order, key before value)."""
    kind_a, kind_b = _KIND_ORDER[type(a)], _KIND_ORDER[type(b)]
    if kind_a != kind_b:
        return -1 if kind_a < kind_b else 1
    if kind_a == 4:
        if len(a) != len(b):
            return -1 if len(a) < len(b) else 1
        for x, y in zip(a, b, strict=True):
            result = _compare(x, y)
            if result:
                return result
        return 0
    if kind_a == 5:
        if len(a) != len(b):
            return -1 if len(a) < len(b) else 1
        for key_a, key_b in zip(sorted(a, key=jsonb.key_order), sorted(b, key=jsonb.key_order), strict=True):
            if key_a != key_b:
                return -1 if key_a < key_b else 1
            result = _compare(a[key_a], b[key_b])
            if result:
                return result
        return 0
    return -1 if a < b else 1 if a > b else 0


@_depth_guarded
def compare(a: Any, b: Any) -> int:
    """jsonb_cmp on two loaded documents. A top-level scalar is stored as a one-element array
    that is less than any real array of one element or more, yet greater than an empty one
    (PostgreSQL keeps this quirk: an empty top-level array sorts below null)."""
    scalar_a, scalar_b = type(a) not in (list, dict), type(b) not in (list, dict)
    if scalar_a and type(b) is list:
        return 1 if not b else -1
    if scalar_b and type(a) is list:
        return -1 if not a else 1
    if scalar_a != scalar_b:
        return -1 if scalar_a else 1  # a raw scalar (an array) below an object
    return _compare(a, b)


class SortKey:
    """A jsonb value as ORDER BY, min/max and < see it: loaded once, compared with ``compare``."""

    __slots__ = ("value",)

    def __init__(self, doc: bytes) -> None:
        self.value = jsonb.loads(doc)

    def __lt__(self, other: SortKey) -> bool:
        return compare(self.value, other.value) < 0

    def __gt__(self, other: SortKey) -> bool:
        return compare(self.value, other.value) > 0

    def __le__(self, other: SortKey) -> bool:
        return compare(self.value, other.value) <= 0

    def __ge__(self, other: SortKey) -> bool:
        return compare(self.value, other.value) >= 0

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SortKey) and compare(self.value, other.value) == 0

    def __hash__(self) -> int:
        return hash(jsonb.dumps(self.value))
