"""What array expressions and functions do (``arrayfuncs.c``, ``array_userfuncs.c``), on arrays
as the type registry holds them: nested Python lists, one level per dimension, NULL as None.

Arrays here always start at index 1 (lower bounds other than 1 are not kept).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from orbit_pg import errors

_MAXDIM = 6


def dims(array: list[Any]) -> list[int]:
    """The length of each dimension ([] for an empty array)."""
    shape = []
    level: Any = array
    while type(level) is list and level:
        shape.append(len(level))
        level = level[0]
    return shape


def flatten(array: list[Any]) -> list[Any]:
    """The elements in storage order, whatever the dimensions."""
    while array and type(array[0]) is list:
        array = [item for sub in array for item in sub]
    return array


def stack(subarrays: list[Any]) -> list[Any]:
    """ARRAY[sub, ...] of arrays: one more dimension; NULL sub-arrays are left out, and the
    others must have the same dimensions."""
    present = [sub for sub in subarrays if sub is not None]
    nonempty = [sub for sub in present if sub]
    if not nonempty:
        return []
    shape = dims(nonempty[0])
    if len(nonempty) != len(present) or any(dims(sub) != shape for sub in nonempty):
        raise errors.PgError(
            errors.ARRAY_SUBSCRIPT_ERROR, "multidimensional arrays must have array expressions with matching dimensions"
        )
    if len(shape) + 1 > _MAXDIM:
        raise errors.PgError(
            errors.PROGRAM_LIMIT_EXCEEDED,
            f"number of array dimensions ({len(shape) + 1}) exceeds the maximum allowed ({_MAXDIM})",
        )
    return nonempty


def element(array: list[Any], subscripts: list[int | None], lower: int = 1) -> Any:
    """array[i][j]...: NULL when a subscript is NULL or out of range, or their number is not
    the array's number of dimensions. ``lower`` is the first subscript (1, or 0 for int2vector)."""
    if len(subscripts) != len(dims(array)):
        return None
    value: Any = array
    for subscript in subscripts:
        if subscript is None or not lower <= subscript < lower + len(value):
            return None
        value = value[subscript - lower]
    return value


def slice_(array: list[Any], limits: list[tuple[int | None, int | None]], lower: int = 1) -> list[Any]:
    """array[a:b][c:d]...: each range clipped to the array; an empty range gives '{}'. A
    missing bound is the dimension's own."""
    shape = dims(array)
    if len(limits) > len(shape):
        return []
    limits = limits + [(None, None)] * (len(shape) - len(limits))
    ranges = []
    for (low, high), size in zip(limits, shape, strict=True):
        start = 0 if low is None else max(low - lower, 0)
        stop = size if high is None else min(high - lower + 1, size)
        if start >= stop:
            return []
        ranges.append((start, stop))

    def cut(level: list[Any], depth: int) -> list[Any]:
        start, stop = ranges[depth]
        if depth == len(ranges) - 1:
            return level[start:stop]
        return [cut(sub, depth + 1) for sub in level[start:stop]]

    return cut(array, 0)


def sort_key(element_key: Callable[[Any], Any] | None) -> Callable[[list[Any]], Any]:
    """btarraycmp's order: elements in storage order (NULL above every value), then the
    number of elements, then the number of dimensions, then their lengths."""

    def key(array: list[Any]) -> Any:
        items = flatten(array)
        shape = dims(array)
        if element_key is None:
            elements = tuple((1, None) if v is None else (0, v) for v in items)
        else:
            elements = tuple((1, None) if v is None else (0, element_key(v)) for v in items)
        return _ArrayKey(elements, len(items), len(shape), tuple(shape))

    return key


@functools.total_ordering
class _ArrayKey:
    """Compares element by element first, so a longer array with a smaller element sorts first."""

    __slots__ = ("elements", "count", "ndim", "shape")

    def __init__(self, elements: tuple[Any, ...], count: int, ndim: int, shape: tuple[int, ...]) -> None:
        self.elements, self.count, self.ndim, self.shape = elements, count, ndim, shape

    def _tuple(self, length: int) -> tuple[Any, ...]:
        return (self.elements[:length], self.count, self.ndim, self.shape)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _ArrayKey) and self._tuple(self.count) == other._tuple(other.count)

    def __lt__(self, other: _ArrayKey) -> bool:
        common = min(self.count, other.count)
        return self._tuple(common) < other._tuple(common)

    def __hash__(self) -> int:
        return hash(self._tuple(self.count))


def contains(array: list[Any], other: list[Any]) -> bool:
    """anyarray @> anyarray: every element of ``other`` is in ``array`` (NULL matches nothing)."""
    present = [item for item in flatten(array) if item is not None]
    return all(item is not None and item in present for item in flatten(other))


def contained(array: list[Any], other: list[Any]) -> bool:
    return contains(other, array)


def overlap(array: list[Any], other: list[Any]) -> bool:
    """anyarray && anyarray: some element (not NULL) in both."""
    present = [item for item in flatten(array) if item is not None]
    return any(item is not None and item in present for item in flatten(other))


# --- functions --------------------------------------------------------------------------------


def array_length(array: list[Any], dimension: int) -> int | None:
    shape = dims(array)
    return shape[dimension - 1] if 1 <= dimension <= len(shape) else None


def array_lower(array: list[Any], dimension: int) -> int | None:
    return 1 if 1 <= dimension <= len(dims(array)) else None


def array_ndims(array: list[Any]) -> int | None:
    return len(dims(array)) or None


def array_dims(array: list[Any]) -> str | None:
    shape = dims(array)
    return "".join(f"[1:{size}]" for size in shape) if shape else None


def cardinality(array: list[Any]) -> int:
    return len(flatten(array))


def array_to_string(out: Callable[[Any], str]) -> Callable[..., str]:
    """array_to_string(array, delimiter [, null_string]): NULL elements are skipped unless
    null_string is given."""

    def to_string(array: list[Any], delimiter: str, null_string: str | None = None) -> str:
        parts = []
        for item in flatten(array):
            if item is None:
                if null_string is not None:
                    parts.append(null_string)
            else:
                parts.append(out(item))
        return delimiter.join(parts)

    return to_string


def string_to_array(text: str, delimiter: str | None, null_string: str | None = None) -> list[Any]:
    """string_to_array: a NULL delimiter splits into characters, an empty one gives the whole
    string; fields equal to null_string are NULL."""
    if not text:
        return []
    if delimiter is None:
        fields: list[Any] = list(text)
    elif delimiter == "":
        fields = [text]
    else:
        fields = text.split(delimiter)
    if null_string is not None:
        fields = [None if field == null_string else field for field in fields]
    return fields


def array_position(array: list[Any], value: Any, start: int | None = None) -> int | None:
    """The first position (from ``start``) holding a value not distinct from ``value``."""
    if array and type(array[0]) is list:
        raise errors.PgError(
            errors.FEATURE_NOT_SUPPORTED, "searching for elements in multidimensional arrays is not supported"
        )
    begin = 1 if start is None else max(start, 1)
    for index in range(begin - 1, len(array)):
        if array[index] == value and (array[index] is None) == (value is None):
            return index + 1
    return None


def array_positions(array: list[Any], value: Any) -> list[int]:
    if array and type(array[0]) is list:
        raise errors.PgError(
            errors.FEATURE_NOT_SUPPORTED, "searching for elements in multidimensional arrays is not supported"
        )
    return [i + 1 for i, item in enumerate(array) if item == value and (item is None) == (value is None)]


def array_cat(left: list[Any] | None, right: list[Any] | None) -> list[Any] | None:
    """array_cat: NULL or empty sides give the other; equal dimensions append along the first;
    an array one dimension smaller is appended (or prepended) as an element."""
    if left is None or not left:
        return right
    if right is None or not right:
        return left
    left_dims, right_dims = dims(left), dims(right)
    if left_dims == right_dims or (len(left_dims) == len(right_dims) and left_dims[1:] == right_dims[1:]):
        return left + right
    if len(left_dims) == len(right_dims) + 1 and left_dims[1:] == right_dims:
        return [*left, right]
    if len(right_dims) == len(left_dims) + 1 and right_dims[1:] == left_dims:
        return [left, *right]
    raise errors.PgError(
        errors.ARRAY_SUBSCRIPT_ERROR,
        "cannot concatenate incompatible arrays",
        detail="Arrays with differing element dimensions are not compatible for concatenation.",
    )


def array_append(array: list[Any] | None, value: Any) -> list[Any]:
    if array and type(array[0]) is list:
        raise errors.PgError(errors.DATA_EXCEPTION, "argument must be empty or one-dimensional array")
    return [*(array or []), value]


def array_prepend(value: Any, array: list[Any] | None) -> list[Any]:
    if array and type(array[0]) is list:
        raise errors.PgError(errors.DATA_EXCEPTION, "argument must be empty or one-dimensional array")
    return [value, *(array or [])]


def array_remove(array: list[Any], value: Any) -> list[Any]:
    if array and type(array[0]) is list:
        raise errors.PgError(
            errors.FEATURE_NOT_SUPPORTED, "removing elements from multidimensional arrays is not supported"
        )
    return [item for item in array if not (item == value and (item is None) == (value is None))]


def array_replace(array: list[Any], old: Any, new: Any) -> list[Any]:
    def each(level: list[Any]) -> list[Any]:
        return [
            each(item) if type(item) is list else new if item == old and (item is None) == (old is None) else item
            for item in level
        ]

    return each(array)
