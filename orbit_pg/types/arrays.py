"""Arrays: one implementation for every element type (array_in, array_out, array_recv, array_send)."""

from __future__ import annotations

import math
import re
import struct
from collections.abc import Callable, Mapping
from typing import Any

from orbit_pg import errors
from orbit_pg.types.base import INT32, PgType, TrailingBytes, insufficient
from orbit_pg.types.clib import INT32_RANGE, SPACE, atoi, wrap32

_MAXDIM = 6
_MAX_ARRAY_SIZE = 0x3FFFFFFF // 8
# ArrayCount's parse states
(
    _NO_LEVEL,
    _LEVEL_STARTED,
    _ELEM_STARTED,
    _ELEM_COMPLETED,
    _QUOTED_ELEM_STARTED,
    _QUOTED_ELEM_COMPLETED,
    _ELEM_DELIMITED,
    _LEVEL_COMPLETED,
    _LEVEL_DELIMITED,
) = range(9)
_NEEDS_QUOTES = re.compile(rb'[{}",\\ \t\n\r\v\f]')
_DIMENSION_CHARS = frozenset("0123456789+-")


def _malformed(text: str, detail: str | None = None) -> errors.PgError:
    return errors.PgError(errors.INVALID_TEXT_REPRESENTATION, f'malformed array literal: "{text}"', detail=detail)


def _too_many_dimensions(ndim: int) -> errors.PgError:
    return errors.PgError(
        errors.PROGRAM_LIMIT_EXCEEDED, f"number of array dimensions ({ndim}) exceeds the maximum allowed ({_MAXDIM})"
    )


def _array_count(text: str) -> list[int]:
    """ArrayCount: check braces, quotes and commas; the dimensions, or [] for an empty array."""
    nest = 0
    ndim = 1
    temp = [0] * _MAXDIM
    nelems = [1] * _MAXDIM
    nelems_last = [0] * _MAXDIM
    in_quotes = False
    empty = True
    state = _NO_LEVEL
    pos, end = 0, len(text)
    done = False
    while not done:
        item_done = False
        while not item_done:
            if state in (_ELEM_STARTED, _QUOTED_ELEM_STARTED):
                empty = False
            if pos >= end:
                raise _malformed(text, "Unexpected end of input.")
            c = text[pos]
            if c == "\\":
                if state not in (_LEVEL_STARTED, _ELEM_STARTED, _QUOTED_ELEM_STARTED, _ELEM_DELIMITED):
                    raise _malformed(text, 'Unexpected "\\" character.')
                if state != _QUOTED_ELEM_STARTED:
                    state = _ELEM_STARTED
                if pos + 1 >= end:
                    raise _malformed(text, "Unexpected end of input.")
                pos += 1
            elif c == '"':
                if state not in (_LEVEL_STARTED, _QUOTED_ELEM_STARTED, _ELEM_DELIMITED):
                    raise _malformed(text, "Unexpected array element.")
                in_quotes = not in_quotes
                state = _QUOTED_ELEM_STARTED if in_quotes else _QUOTED_ELEM_COMPLETED
            elif in_quotes:
                pass
            elif c == "{":
                if state not in (_NO_LEVEL, _LEVEL_STARTED, _LEVEL_DELIMITED):
                    raise _malformed(text, 'Unexpected "{" character.')
                state = _LEVEL_STARTED
                if nest >= _MAXDIM:
                    raise _too_many_dimensions(nest + 1)
                temp[nest] = 0
                nest += 1
                ndim = max(ndim, nest)
            elif c == "}":
                if state not in (_ELEM_STARTED, _ELEM_COMPLETED, _QUOTED_ELEM_COMPLETED, _LEVEL_COMPLETED) and not (
                    nest == 1 and state == _LEVEL_STARTED
                ):
                    raise _malformed(text, 'Unexpected "}" character.')
                state = _LEVEL_COMPLETED
                nest -= 1
                if nelems_last[nest] != 0 and nelems[nest] != nelems_last[nest]:
                    raise _malformed(text, "Multidimensional arrays must have sub-arrays with matching dimensions.")
                nelems_last[nest] = nelems[nest]
                nelems[nest] = 1
                if nest == 0:
                    done = item_done = True
                else:
                    temp[nest - 1] += 1
            elif c == ",":
                if state not in (_ELEM_STARTED, _ELEM_COMPLETED, _QUOTED_ELEM_COMPLETED, _LEVEL_COMPLETED):
                    raise _malformed(text, 'Unexpected "," character.')
                state = _LEVEL_DELIMITED if state == _LEVEL_COMPLETED else _ELEM_DELIMITED
                item_done = True
                nelems[nest - 1] += 1
            elif c not in SPACE:
                if state not in (_LEVEL_STARTED, _ELEM_STARTED, _ELEM_DELIMITED):
                    raise _malformed(text, "Unexpected array element.")
                state = _ELEM_STARTED
            if not item_done:
                pos += 1
        temp[ndim - 1] += 1
        pos += 1
    if text[pos:].strip(SPACE):
        raise _malformed(text, "Junk after closing right brace.")
    return [] if empty else temp[:ndim]


def _read_array_str(text: str, whole: str, dims: list[int], parse: Callable[[str], Any]) -> list[Any]:
    """ReadArrayStr: de-quote and de-escape each element into its place, in row-major order."""
    ndim = len(dims)
    strides = [math.prod(dims[i + 1 :]) for i in range(ndim)]
    nitems = strides[0] * dims[0]
    values: list[Any] = [None] * nitems
    index = [0] * ndim
    nest = 0
    in_quotes = False
    pos, end = 0, len(text)
    done = False
    while not done:
        item: list[str] = []
        kept = 0  # characters of item before any trailing unquoted spaces
        leading_space, quoted = True, False
        offset = -1
        item_done = False
        while not item_done:
            if pos >= end:
                raise _malformed(whole)
            c = text[pos]
            pos += 1
            if c == "\\":
                if pos >= end:
                    raise _malformed(whole)
                item.append(text[pos])
                pos += 1
                leading_space, quoted = False, True
                kept = len(item)
            elif c == '"':
                in_quotes = not in_quotes
                if in_quotes:
                    leading_space = False
                else:
                    kept = len(item)
                quoted = True
            elif in_quotes:
                item.append(c)
            elif c == "{":
                if nest >= ndim:
                    raise _malformed(whole)
                nest += 1
                index[nest - 1] = 0
            elif c == "}":
                if offset == -1:
                    offset = sum(i * s for i, s in zip(index, strides, strict=True))
                index[nest - 1] = 0
                nest -= 1
                if nest == 0:
                    done = item_done = True
                else:
                    index[nest - 1] += 1
            elif c == ",":
                if offset == -1:
                    offset = sum(i * s for i, s in zip(index, strides, strict=True))
                item_done = True
                index[ndim - 1] += 1
            elif c in SPACE:
                if not leading_space:
                    item.append(c)
            else:
                item.append(c)
                leading_space = False
                kept = len(item)
        if not 0 <= offset < nitems:
            raise _malformed(whole)
        element = "".join(item[:kept])
        if quoted or not _is_null(element):
            values[offset] = parse(element)
    return values


def _check_dimensions(dims: list[int], lower_bounds: list[int]) -> int:
    """ArrayGetNItems and ArrayCheckBounds: the element count, within PostgreSQL's limits."""
    too_big = errors.PgError(
        errors.PROGRAM_LIMIT_EXCEEDED, f"array size exceeds the maximum allowed ({_MAX_ARRAY_SIZE})"
    )
    count = 1
    for dim in dims:
        count *= dim
        if dim < 0 or count not in INT32_RANGE:
            raise too_big
    if count > _MAX_ARRAY_SIZE:
        raise too_big
    for dim, lower in zip(dims, lower_bounds, strict=True):
        if dim + lower not in INT32_RANGE:
            raise errors.PgError(errors.PROGRAM_LIMIT_EXCEEDED, f"array lower bound is too large: {lower}")
    return count


def _nest(flat: list[Any], dims: list[int]) -> list[Any]:
    for dim in reversed(dims[1:]):
        flat = [flat[i : i + dim] for i in range(0, len(flat), dim)]
    return flat


def _array_dims(value: list[Any]) -> list[int]:
    """The dimensions of nested lists, following first elements; [] when there are no elements."""
    dims = []
    while isinstance(value, list):
        if not value:
            return []
        dims.append(len(value))
        value = value[0]
    return dims


def _flatten(value: list[Any], ndim: int) -> list[Any]:
    for _ in range(ndim - 1):
        value = [x for sub in value for x in sub]
    return value


def _is_null(element: str) -> bool:
    """An unquoted NULL, in any case (pg_strcasecmp is ASCII-only)."""
    return len(element) == 4 and element.isascii() and element.upper() == "NULL"


# One dimension of plain elements: nothing to unquote, unescape or trim, so split it.
_SIMPLE_ARRAY = re.compile(r'\{([^{}",\\ \t\n\r\v\f]+(?:,[^{}",\\ \t\n\r\v\f]+)*)\}')


def _array_in(element: PgType) -> Callable[[str], list[Any]]:
    def parse(text: str) -> list[Any]:
        """array_in: optional [lower:upper] dimensions and "=", then braces checked before any element."""
        simple = _SIMPLE_ARRAY.fullmatch(text)
        if simple is not None:
            return [None if _is_null(item) else element.text_in(item) for item in simple[1].split(",")]
        pos, end = 0, len(text)
        dims: list[int] = []
        lower_bounds: list[int] = []
        while True:
            while pos < end and text[pos] in SPACE:
                pos += 1
            if pos >= end or text[pos] != "[":
                break
            pos += 1
            if len(dims) >= _MAXDIM:
                raise _too_many_dimensions(len(dims) + 1)
            stop = pos
            while stop < end and text[stop] in _DIMENSION_CHARS:
                stop += 1
            if stop == pos:
                raise _malformed(text, '"[" must introduce explicitly-specified array dimensions.')
            lower = 1
            if stop < end and text[stop] == ":":
                lower = atoi(text[pos:stop])
                pos = stop = stop + 1
                while stop < end and text[stop] in _DIMENSION_CHARS:
                    stop += 1
                if stop == pos:
                    raise _malformed(text, "Missing array dimension value.")
            if stop >= end or text[stop] != "]":
                raise _malformed(text, 'Missing "]" after array dimensions.')
            upper = atoi(text[pos:stop])
            pos = stop + 1
            if upper < lower:
                raise errors.PgError(errors.ARRAY_SUBSCRIPT_ERROR, "upper bound cannot be less than lower bound")
            dims.append(wrap32(upper - lower + 1))
            lower_bounds.append(lower)
        if not dims:
            if pos >= end or text[pos] != "{":
                raise _malformed(text, 'Array value must start with "{" or dimension information.')
            dims = _array_count(text[pos:])
            lower_bounds = [1] * len(dims)
        else:
            if not text.startswith("=", pos):
                raise _malformed(text, 'Missing "=" after array dimensions.')
            pos += 1
            while pos < end and text[pos] in SPACE:
                pos += 1
            if pos >= end or text[pos] != "{":
                raise _malformed(text, 'Array contents must start with "{".')
            if _array_count(text[pos:]) != dims:
                raise _malformed(text, "Specified array dimensions do not match array contents.")
        if not dims or not _check_dimensions(dims, lower_bounds):
            return []
        return _nest(_read_array_str(text[pos:], text, dims, element.text_in), dims)

    return parse


def _quote(text: bytes) -> bytes:
    """array_out's quoting: empty, NULL, or holding braces, quotes, commas, backslashes or spaces."""
    if text and _NEEDS_QUOTES.search(text) is None and text.upper() != b"NULL":
        return text
    return b'"' + text.replace(b"\\", b"\\\\").replace(b'"', b'\\"') + b'"'


def _array_out(element: PgType) -> Callable[[list[Any]], bytes]:
    out = element.text_out

    def text(value: list[Any], depth: int) -> bytes:
        if depth == 1:
            return b"{" + b",".join([b"NULL" if x is None else _quote(out(x)) for x in value]) + b"}"
        return b"{" + b",".join([text(x, depth - 1) for x in value]) + b"}"

    def text_out(value: list[Any]) -> bytes:
        ndim = len(_array_dims(value))
        return text(value, ndim) if ndim else b"{}"

    return text_out


def _array_send(element: PgType) -> Callable[[list[Any]], bytes]:
    send = element.binary_out

    def binary_out(value: list[Any]) -> bytes:
        dims = _array_dims(value)
        items = _flatten(value, len(dims)) if dims else []
        has_null = any(x is None for x in items)
        parts = [
            struct.pack(f"!iiI{2 * len(dims)}i", len(dims), has_null, element.oid, *(n for d in dims for n in (d, 1)))
        ]
        for x in items:
            if x is None:
                parts.append(b"\xff\xff\xff\xff")
            else:
                data = send(x)
                parts.append(INT32.pack(len(data)) + data)
        return b"".join(parts)

    return binary_out


def _array_recv(element: PgType, by_oid: Mapping[int, PgType]) -> Callable[[bytes], list[Any]]:
    receive = element.binary_in

    def int32_at(data: bytes, pos: int) -> int:
        if pos + 4 > len(data):
            raise insufficient()
        return INT32.unpack_from(data, pos)[0]

    def binary_in(data: bytes) -> list[Any]:
        """array_recv: header checks, then each element through the element type's receive function."""
        ndim = int32_at(data, 0)
        if ndim < 0:
            raise errors.PgError(errors.INVALID_BINARY_REPRESENTATION, f"invalid number of dimensions: {ndim}")
        if ndim > _MAXDIM:
            raise _too_many_dimensions(ndim)
        if int32_at(data, 4) not in (0, 1):
            raise errors.PgError(errors.INVALID_BINARY_REPRESENTATION, "invalid array flags")
        element_oid = int32_at(data, 8) & 0xFFFFFFFF
        if element_oid != element.oid and element_oid < 10000:
            named = by_oid.get(element_oid)
            raise errors.PgError(
                errors.DATATYPE_MISMATCH,
                f"binary data has array element type {element_oid} ({named.name if named else '???'}) "
                f"instead of expected {element.oid} ({element.name})",
            )
        dims = [int32_at(data, 12 + 8 * i) for i in range(ndim)]
        lower_bounds = [int32_at(data, 16 + 8 * i) for i in range(ndim)]
        pos = 12 + 8 * ndim
        values: list[Any] = []
        count = _check_dimensions(dims, lower_bounds) if dims else 0
        for number in range(1, count + 1):
            length = int32_at(data, pos)
            pos += 4
            if length < -1 or length > len(data) - pos:
                raise errors.PgError(errors.INVALID_BINARY_REPRESENTATION, "insufficient data left in message")
            if length == -1:
                values.append(None)
                continue
            try:
                values.append(receive(data[pos : pos + length]))
            except TrailingBytes:
                raise errors.PgError(
                    errors.INVALID_BINARY_REPRESENTATION, f"improper binary format in array element {number}"
                ) from None
            pos += length
        if pos != len(data):
            raise TrailingBytes()
        return _nest(values, dims) if values else []

    return binary_in


def array_type(oid: int, element: PgType, by_oid: Mapping[int, PgType]) -> PgType:
    """The array type of ``element`` (pg_type.typarray); ``by_oid`` names a wrong element type in array_recv."""
    return PgType(
        oid,
        "_" + element.typname,
        element.name + "[]",
        -1,
        "A",
        _array_out(element),
        _array_in(element),
        _array_send(element),
        _array_recv(element, by_oid),
        element,
    )
