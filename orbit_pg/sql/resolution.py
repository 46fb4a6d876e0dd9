"""Which of several overloads a call means: PostgreSQL's rules (``parse_func.c``
``func_select_candidate``, ``parse_oper.c``, ``parse_coerce.c`` ``select_common_type``), over
orbit-pg's types.

Candidates are argument type tuples. PostgreSQL's catalog also has overloads on types orbit-pg
does not implement (ranges, geometry, bit strings, ``json`` operators); their stand-ins here take
part in the choice, so an ambiguous call stays ambiguous, and only a call that picks one
fails (FEATURE_NOT_SUPPORTED).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from orbit_pg import errors, types

CAST_HINT = "You might need to add explicit type casts."


def _no_conversion(value: Any) -> Any:
    raise errors.PgError(errors.FEATURE_NOT_SUPPORTED, "values of this type are not supported")


def _stand_in(oid: int, name: str, category: str, element: types.PgType | None = None) -> types.PgType:
    conversion = _no_conversion
    return types.PgType(oid, name, name, -1, category, conversion, conversion, conversion, conversion, element)


# Pseudo-types: what polymorphic and VARIADIC "any" parameters accept.
ANY = _stand_in(2276, '"any"', "P")
ANYELEMENT = _stand_in(2283, "anyelement", "P")
ANYARRAY = _stand_in(2277, "anyarray", "P")
ANYNONARRAY = _stand_in(2776, "anynonarray", "P")
ANYRANGE = _stand_in(3831, "anyrange", "P")
ANYMULTIRANGE = _stand_in(4537, "anymultirange", "P")
POLYMORPHIC = (ANYELEMENT, ANYARRAY, ANYNONARRAY, ANYRANGE, ANYMULTIRANGE)

# Types PostgreSQL has and orbit-pg does not, for their overloads' sake.
BIT = _stand_in(1560, "bit", "V")
TSVECTOR = _stand_in(3614, "tsvector", "U")
TSQUERY = _stand_in(3615, "tsquery", "U")
ACLITEM = _stand_in(1033, "aclitem", "U")
ACLITEM_ARRAY = _stand_in(1034, "aclitem[]", "A", ACLITEM)
POINT, LSEG, PATH, BOX, POLYGON, LINE, CIRCLE = (
    _stand_in(oid, name, "G")
    for oid, name in (
        (600, "point"),
        (601, "lseg"),
        (602, "path"),
        (603, "box"),
        (604, "polygon"),
        (628, "line"),
        (718, "circle"),
    )
)

# pg_cast entries with castcontext 'i' between orbit-pg's types.
_IMPLICIT: dict[types.PgType, frozenset[types.PgType]] = {
    source: frozenset(targets)
    for source, targets in (
        (types.INT2, (types.INT4, types.INT8, types.FLOAT4, types.FLOAT8, types.NUMERIC, types.OID)),
        (types.INT4, (types.INT8, types.FLOAT4, types.FLOAT8, types.NUMERIC, types.OID)),
        (types.INT8, (types.FLOAT4, types.FLOAT8, types.NUMERIC, types.OID)),
        (types.NUMERIC, (types.FLOAT4, types.FLOAT8)),
        (types.FLOAT4, (types.FLOAT8,)),
        (types.TEXT, (types.BPCHAR, types.VARCHAR, types.NAME)),
        (types.VARCHAR, (types.TEXT, types.BPCHAR, types.NAME)),
        (types.BPCHAR, (types.TEXT, types.VARCHAR, types.NAME)),
        (types.NAME, (types.TEXT,)),
        (types.CHAR, (types.TEXT,)),
        (types.DATE, (types.TIMESTAMP, types.TIMESTAMPTZ)),
        (types.TIMESTAMP, (types.TIMESTAMPTZ,)),
    )
}
# oid and the integers convert implicitly to the OID alias types (regclass, ...), and those to oid.
for _source in (types.INT2, types.INT4, types.INT8, types.OID):
    _IMPLICIT[_source] = _IMPLICIT.get(_source, frozenset()) | frozenset(types.OID_ALIASES)
for _alias in types.OID_ALIASES:
    _IMPLICIT[_alias] = frozenset((types.OID,))
_PREFERRED = frozenset((types.BOOL, types.TEXT, types.OID, types.FLOAT8, types.TIMESTAMPTZ, types.INTERVAL))


def is_preferred(type_: types.PgType) -> bool:
    return type_ in _PREFERRED


def can_coerce(source: types.PgType, target: types.PgType) -> bool:
    """can_coerce_type with COERCION_IMPLICIT: unknown goes anywhere, polymorphics take their kind."""
    if source is target or source is types.UNKNOWN or target is ANY:
        return True
    if target is ANYELEMENT:
        return source.category != "P"
    if target is ANYARRAY:
        return source.element is not None
    if target is ANYNONARRAY:
        return source.element is None and source.category != "P"
    if source.element is not None and target.element is not None and source.category == target.category == "A":
        return source.element is not types.UNKNOWN and can_coerce(source.element, target.element)
    return target in _IMPLICIT.get(source, ())


def polymorphic_element(params: Sequence[types.PgType], arg_types: Sequence[types.PgType]) -> Any:
    """The element type anyarray and anyelement parameters stand for in this call
    (enforce_generic_type_consistency): None when no argument decides it, False when the
    arguments disagree."""
    element = None
    for param, arg in zip(params, arg_types, strict=True):
        if param is ANYARRAY and arg.element is not None:
            found = arg.element
        elif param is ANYELEMENT and arg is not types.UNKNOWN:
            found = arg
        else:
            continue
        if element is not None and found is not element:
            return False
        element = found
    return element


def select(candidates: Sequence[Sequence[types.PgType]], arg_types: Sequence[types.PgType]) -> list[int]:
    """The candidates a call with ``arg_types`` may mean: one is the choice, none means no
    function (or operator) matches, several that the call is ambiguous."""
    for i, candidate in enumerate(candidates):
        if tuple(candidate) == tuple(arg_types):
            return [i]
    matching = [
        i
        for i, candidate in enumerate(candidates)
        if all(can_coerce(a, t) for a, t in zip(arg_types, candidate, strict=True))
        and polymorphic_element(candidate, arg_types) is not False
    ]
    if len(matching) <= 1:
        return matching
    return _select_candidate(candidates, matching, list(arg_types))


def _keep_best(indexes: list[int], score: Any) -> list[int]:
    scores = {i: score(i) for i in indexes}
    best = max(scores.values())
    return [i for i in indexes if scores[i] == best]


def _select_candidate(
    candidates: Sequence[Sequence[types.PgType]], indexes: list[int], args: list[types.PgType]
) -> list[int]:
    """func_select_candidate's heuristics, in its order; several left means ambiguous."""
    unknown = types.UNKNOWN
    known = [i for i, a in enumerate(args) if a is not unknown]
    # Most exact matches on the known arguments.
    indexes = _keep_best(indexes, lambda c: sum(candidates[c][i] is args[i] for i in known))
    if len(indexes) == 1:
        return indexes
    # Then most exact-or-preferred matches where a conversion is needed.
    indexes = _keep_best(
        indexes,
        lambda c: sum(
            candidates[c][i] is args[i]
            or (is_preferred(candidates[c][i]) and candidates[c][i].category == args[i].category)
            for i in known
        ),
    )
    if len(indexes) == 1:
        return indexes
    unknowns = [i for i, a in enumerate(args) if a is unknown]
    if not unknowns:
        return indexes
    # A category for each unknown argument: string if any candidate takes one, else the only one.
    resolved = True
    wanted: dict[int, tuple[str, bool]] = {}
    for position in unknowns:
        category, preferred, conflict = None, False, False
        for c in indexes:
            current = candidates[c][position]
            if category is None:
                category, preferred = current.category, is_preferred(current)
            elif current.category == category:
                preferred = preferred or is_preferred(current)
            elif current.category == "S":
                category, preferred = "S", is_preferred(current)
            else:
                conflict = True
        if conflict and category != "S":
            resolved = False
            break
        wanted[position] = (category, preferred)
    if resolved:
        kept = [
            c
            for c in indexes
            if all(
                candidates[c][p].category == category and (not preferred or is_preferred(candidates[c][p]))
                for p, (category, preferred) in wanted.items()
            )
        ]
        if len(kept) == 1:
            return kept
        if kept:
            indexes = kept
    # Last: all known arguments of one type, and the unknowns taken to be of that type too.
    known_types = {args[i] for i in known}
    if len(known_types) == 1:
        (only,) = known_types
        matching = [c for c in indexes if all(can_coerce(only, t) for t in candidates[c])]
        if len(matching) == 1:
            return matching
    return indexes


def signature(name: str, arg_types: Sequence[types.PgType]) -> str:
    return f"{name}({', '.join(t.name for t in arg_types)})"


def no_function(name: str, arg_types: Sequence[types.PgType], loc: int) -> errors.PgError:
    return errors.PgError(
        errors.UNDEFINED_FUNCTION,
        f"function {signature(name, arg_types)} does not exist",
        hint="No function matches the given name and argument types. " + CAST_HINT,
        position=loc + 1,
    )


def ambiguous_function(name: str, arg_types: Sequence[types.PgType], loc: int) -> errors.PgError:
    return errors.PgError(
        errors.AMBIGUOUS_FUNCTION,
        f"function {signature(name, arg_types)} is not unique",
        hint="Could not choose a best candidate function. " + CAST_HINT,
        position=loc + 1,
    )


def _operator_text(op: str, left: types.PgType | None, right: types.PgType) -> str:
    return f"{left.name} {op} {right.name}" if left is not None else f"{op} {right.name}"


def no_operator(op: str, left: types.PgType | None, right: types.PgType, loc: int) -> errors.PgError:
    """op_error's "does not exist"; a prefix operator's hint speaks of one argument."""
    hint = (
        "No operator matches the given name and argument types. " + CAST_HINT
        if left is not None
        else "No operator matches the given name and argument type. You might need to add an explicit type cast."
    )
    return errors.PgError(
        errors.UNDEFINED_FUNCTION,
        f"operator does not exist: {_operator_text(op, left, right)}",
        hint=hint,
        position=loc + 1,
    )


def ambiguous_operator(op: str, left: types.PgType | None, right: types.PgType, loc: int) -> errors.PgError:
    return errors.PgError(
        errors.AMBIGUOUS_FUNCTION,
        f"operator is not unique: {_operator_text(op, left, right)}",
        hint="Could not choose a best candidate operator. " + CAST_HINT,
        position=loc + 1,
    )


def common_type(items: Sequence[tuple[types.PgType, int]], context: str) -> types.PgType:
    """select_common_type: the type CASE, COALESCE, GREATEST... give their arguments; ``items``
    are (type, leftmost location). Unknowns follow the others; all unknown is text."""
    current, _ = items[0]
    preferred = is_preferred(current)
    for type_, loc in items[1:]:
        if type_ is types.UNKNOWN or type_ is current:
            continue
        if current is types.UNKNOWN:
            current, preferred = type_, is_preferred(type_)
        elif type_.category != current.category:
            raise errors.PgError(
                errors.DATATYPE_MISMATCH,
                f"{context} types {current.name} and {type_.name} cannot be matched",
                position=loc + 1,
            )
        elif not preferred and can_coerce(current, type_) and not can_coerce(type_, current):
            current, preferred = type_, is_preferred(type_)
    return types.TEXT if current is types.UNKNOWN else current
