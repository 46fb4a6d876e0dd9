"""json_build_object and json_build_array: the json type's text, as PostgreSQL's json.c writes it.

Unlike jsonb, json keeps what it is given: keys in call order (duplicates too), ``"key" : value``
with spaces around the colon, and each value as datum_to_json prints it (a number's own text, an
array as array_to_json's ``[1,2]``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from json.encoder import encode_basestring
from typing import Any

from orbit_pg import errors, types
from orbit_pg.sql import jsonb_ops

ToJson = Callable[[Any], str]

# json_categorize_type's JSONTYPE_NUMERIC: these types alone print as JSON numbers.
_NUMBERS = frozenset((types.INT2, types.INT4, types.INT8, types.FLOAT4, types.FLOAT8, types.NUMERIC))


def datum_to_json(type_: types.PgType) -> ToJson:
    """How a value of ``type_`` reads inside json."""
    if type_ is types.JSON or type_ is types.JSONB:
        return lambda value: value.decode()
    if type_ is types.BOOL:
        return lambda value: "true" if value else "false"
    if type_ in _NUMBERS:
        out = type_.text_out

        def number(value: Any) -> str:
            text = out(value).decode()
            return text if jsonb_ops._JSON_NUMBER.fullmatch(text) else encode_basestring(text)

        return number
    if type_.element is not None:
        element = datum_to_json(type_.element)

        def array(value: list[Any]) -> str:
            items = ("null" if v is None else array(v) if type(v) is list else element(v) for v in value)
            return "[" + ",".join(items) + "]"

        return array
    convert = jsonb_ops.converter(type_)
    return lambda value: encode_basestring(convert(value))


def _key(type_: types.PgType, number: int) -> ToJson:
    """An object key: a scalar's text, always quoted."""
    if type_.element is not None or type_ is types.JSON or type_ is types.JSONB:

        def refuse(value: Any) -> str:
            raise errors.PgError(
                errors.INVALID_PARAMETER_VALUE, "key value must be scalar, not array, composite, or json"
            )

        return refuse
    if type_ is types.BOOL:
        return lambda value: '"true"' if value else '"false"'
    out = type_.text_out
    return lambda value: encode_basestring(out(value).decode())


def build_object(arg_types: Sequence[types.PgType]) -> Callable[..., bytes]:
    """json_build_object(VARIADIC "any"): alternating keys (never NULL) and values."""
    if len(arg_types) % 2:
        return jsonb_ops.odd_arguments("json_build_object")
    pairs = [(_key(arg_types[i], i + 1), datum_to_json(arg_types[i + 1]), i + 1) for i in range(0, len(arg_types), 2)]

    def build(*args: Any) -> bytes:
        members = []
        for (key_of, value_of, number), key, value in zip(pairs, args[::2], args[1::2], strict=True):
            if key is None:
                message = f"argument {number} cannot be null"
                raise errors.PgError(errors.INVALID_PARAMETER_VALUE, message, hint="Object keys should be text.")
            members.append(key_of(key) + " : " + ("null" if value is None else value_of(value)))
        return ("{" + ", ".join(members) + "}").encode()

    return build


def build_array(arg_types: Sequence[types.PgType]) -> Callable[..., bytes]:
    """json_build_array(VARIADIC "any")."""
    converters = [datum_to_json(t) for t in arg_types]

    def build(*args: Any) -> bytes:
        items = ("null" if v is None else convert(v) for convert, v in zip(converters, args, strict=True))
        return ("[" + ", ".join(items) + "]").encode()

    return build
