"""The SQL language, defined once, with pyparsing; parse actions build ``ast`` nodes.

Built at import time. Statement keywords are followed by ``-`` (no backtracking), so a
failure deep in a statement reports where it happened, which PostgreSQL's
``syntax error at or near`` needs.
"""

from __future__ import annotations

import re
from typing import Any

import pyparsing as pp

from orbit_pg import errors
from orbit_pg.sql import ast, lexer

pp.ParserElement.set_default_whitespace_chars(" \t\n\r\f\v")

RESERVED = frozenset(
    """all and any array as asc between by case cast collate column constraint create current_date
    current_role current_schema current_time current_timestamp current_user default delete desc distinct
    do else end except false fetch for from grant group having in inner insert intersect into is join
    leading left like limit not null nulls offset on only or order returning right select session_user set
    some table then to true union unique update user using values when where with current_catalog
    cross full natural outer lateral""".split()
)


def K(word: str) -> pp.Keyword:
    return pp.CaselessKeyword(word, ident_chars=pp.identbodychars + "$")


def _ident(s: str, loc: int, toks: pp.ParseResults) -> str:
    word = toks[0]
    if word[0] == '"':
        if len(word) == 2:
            raise pp.ParseFatalException(s, loc, "zero-length delimited identifier")
        return word[1:-1].replace('""', '"')
    lowered = word.lower()
    if lowered in RESERVED:
        raise pp.ParseException(s, loc, "reserved word")
    return lowered


UNQUOTED_IDENT = lexer.IDENTIFIER
ident = pp.Regex(rf'{UNQUOTED_IDENT}|"(?:[^"]|"")*"').set_parse_action(_ident).set_name("identifier")
# Any word, reserved or not: type names and SET values such as ON or DEFAULT-less keywords.
any_word = pp.Regex(UNQUOTED_IDENT).set_parse_action(lambda t: t[0].lower())


def _string(s: str, loc: int, toks: pp.ParseResults) -> ast.A_Const:
    return ast.A_Const(lexer.string_value(toks[0]), "string", loc)


string_literal = pp.Regex(lexer.STRING).set_parse_action(_string)


def _number(s: str, loc: int, toks: pp.ParseResults) -> ast.A_Const:
    value = lexer.number_value(toks[0])
    if value is None:
        raise errors.PgError(errors.NUMERIC_VALUE_OUT_OF_RANGE, "value overflows numeric format", position=loc + 1)
    return ast.A_Const(value, "integer" if isinstance(value, int) else "numeric", loc)


number = pp.Regex(lexer.NUMBER).set_parse_action(_number)
keyword_const = (K("true") | K("false") | K("null")).set_parse_action(
    lambda s, loc, t: ast.A_Const(None, "null", loc) if t[0] == "null" else ast.A_Const(t[0] == "true", "bool", loc)
)
param_ref = pp.Regex(r"\$\d+").set_parse_action(lambda s, loc, t: ast.ParamRef(int(t[0][1:]), loc))

LPAR, RPAR, COMMA, DOT, SEMI = map(pp.Suppress, "(),.;")

expr = pp.Forward().set_name("expression")

# A type name and where it starts: (name, loc); "[]" after it names its array type.
type_name = (
    pp.Opt(any_word + DOT).suppress() + any_word + pp.Opt(K("precision")) + pp.Opt(pp.Literal("[") + pp.Literal("]"))
).set_parse_action(lambda s, loc, t: (" ".join(w for w in t if w not in "[]") + ("[]" if t[-1] == "]" else ""), loc))

SQL_FUNCTION_KEYWORDS = (
    "current_user",
    "session_user",
    "current_role",
    "user",
    "current_schema",
    "current_catalog",
    "current_timestamp",
)
keyword_function = pp.MatchFirst([K(word) for word in SQL_FUNCTION_KEYWORDS]).set_parse_action(
    lambda s, loc, t: ast.FuncCall(t[0].lower(), [], loc, keyword=True)
)


def _name_expr(s: str, loc: int, toks: pp.ParseResults) -> ast.Node:
    if isinstance(toks[-1], ast.FuncCall):
        *names, call = toks
        # Only built-in functions exist, and they live in pg_catalog.
        call.name = ".".join(names) if len(names) == 2 and names[0] != "pg_catalog" else names[-1]
        call.loc = loc
        return call
    return ast.ColumnRef(tuple(toks), loc)


sort_by = (
    expr + pp.Opt(K("asc") | K("desc")) + pp.Opt(K("nulls").suppress() + (K("first") | K("last")))
).set_parse_action(
    lambda t: ast.SortBy(
        t[0],
        "desc" in t[1:],
        True if "first" in t[1:] else False if "last" in t[1:] else None,
    )
)
sort_clause = K("order").suppress() - K("by").suppress() - pp.Group(pp.DelimitedList(sort_by))


def _call_args(toks: pp.ParseResults) -> ast.FuncCall:
    """A call's parenthesised part (name and place filled in by ``_name_expr``)."""
    over = toks.over[0] if toks.over else None
    if toks.star:
        return ast.FuncCall("", [], 0, agg_star=True, over=over)
    return ast.FuncCall(
        "",
        list(toks.args),
        0,
        agg_distinct=toks.quantifier == "distinct",
        agg_order=list(toks.order[0]) if toks.order else [],
        over=over,
    )


window_spec = (
    K("over").suppress()
    + LPAR
    + pp.Group(pp.Opt(K("partition").suppress() - K("by").suppress() - pp.DelimitedList(expr)))
    + pp.Group(pp.Opt(sort_clause))
    + RPAR
).set_parse_action(lambda t: ast.WindowDef(list(t[0]), list(t[1][0]) if len(t[1]) else []))
call_args = (
    LPAR
    + (
        pp.Literal("*")("star")
        | pp.Opt(K("distinct") | K("all"))("quantifier")
        + pp.Group(pp.Opt(pp.DelimitedList(expr)))("args")
        + pp.Opt(pp.Group(sort_clause)("order"))
    )
    + RPAR
    + pp.Opt(pp.Group(window_spec)("over"))
).set_parse_action(_call_args)


# A name, then either a call's argument list or a qualified column's second part. A function
# with SQL's own argument syntax (below) is left to its rule, by the regex itself: one
# attempt less for every name in an expression.
_SPECIAL_CALL = r"(?!(?i:substring|trim|position|coalesce|greatest|least|nullif|left|right|extract|exists)\s*\()"
call_ident = pp.Regex(rf'{_SPECIAL_CALL}(?:{UNQUOTED_IDENT}|"(?:[^"]|"")*")').set_parse_action(_ident)
name_expr = (call_ident + pp.Opt(call_args | (DOT + ident + pp.Opt(call_args | (DOT + ident))))).set_parse_action(
    _name_expr
)

cast_function = (K("cast") + LPAR + expr + K("as").suppress() + type_name + RPAR).set_parse_action(
    lambda s, loc, t: ast.TypeCast(t[1], t[2][0], loc, t[2][1], loc)
)

# Functions with SQL's own argument syntax (gram.y func_expr_common_subexpr), as the calls they mean.
_FROM, _FOR = K("from").suppress(), K("for").suppress()
substring_call = (
    K("substring").suppress()
    + LPAR
    + expr
    + (
        (_FROM + expr + pp.Opt(_FOR + expr)).set_parse_action(lambda t: [list(t)])
        | (_FOR + expr + pp.Opt(_FROM + expr)).set_parse_action(
            lambda s, loc, t: [[t[1] if len(t) == 2 else ast.A_Const(1, "implied", loc), t[0]]]
        )
    )
    + RPAR
).set_parse_action(lambda s, loc, t: ast.FuncCall("substring", [t[0], *t[1]], loc, system=True)) | (
    K("substring").suppress() + LPAR + pp.Group(pp.Opt(pp.DelimitedList(expr))) + RPAR
).set_parse_action(lambda s, loc, t: ast.FuncCall("substring", list(t[0]), loc))
_TRIM_FUNCTIONS = {"both": "btrim", "leading": "ltrim", "trailing": "rtrim"}
trim_call = (
    K("trim").suppress()
    + LPAR
    - pp.Opt(K("both") | K("leading") | K("trailing"), "both")
    + (
        (expr + _FROM + pp.DelimitedList(expr)).set_parse_action(lambda t: [[*t[1:], t[0]]])
        | (_FROM + pp.DelimitedList(expr)).set_parse_action(lambda t: [list(t)])
        | pp.DelimitedList(expr).set_parse_action(lambda t: [list(t)])
    )
    + RPAR
).set_parse_action(lambda s, loc, t: ast.FuncCall(_TRIM_FUNCTIONS[t[0].lower()], list(t[1]), loc, system=True))
position_call = (K("position").suppress() + LPAR - expr + K("in").suppress() + expr + RPAR).set_parse_action(
    lambda s, loc, t: ast.FuncCall("position", [t[1], t[0]], loc, system=True)
)
# EXTRACT(field FROM x) is extract('field', x); the field may be a word or a string.
extract_call = (
    K("extract").suppress()
    + LPAR
    - (string_literal | (any_word + pp.Empty()).set_parse_action(lambda s, loc, t: ast.A_Const(t[0], "string", loc)))
    + _FROM
    + expr
    + RPAR
).set_parse_action(lambda s, loc, t: ast.FuncCall("extract", [t[0], t[1]], loc, system=True))
# COALESCE, GREATEST, LEAST and NULLIF are constructs of the grammar, not functions.
expr_list_call = (
    (K("coalesce") | K("greatest") | K("least")) + LPAR - pp.Group(pp.DelimitedList(expr)) + RPAR
).set_parse_action(lambda s, loc, t: ast.FuncCall(t[0].lower(), list(t[1]), loc))
nullif_call = (K("nullif").suppress() + LPAR - expr + COMMA + expr + RPAR).set_parse_action(
    lambda s, loc, t: ast.FuncCall("nullif", [t[0], t[1]], loc)
)
# LEFT and RIGHT are reserved as names, not as functions.
left_right_call = ((K("left") | K("right")) + LPAR + pp.Group(pp.Opt(pp.DelimitedList(expr))) + RPAR).set_parse_action(
    lambda s, loc, t: ast.FuncCall(t[0].lower(), list(t[1]), loc)
)

# Subqueries in expressions (the query rule is defined with the statements, below).
query = pp.Forward().set_name("query")
sublink = (LPAR + query + RPAR).set_parse_action(lambda s, loc, t: ast.SubLink("expr", None, None, t[0], loc))
exists_sublink = (K("exists").suppress() + LPAR - query + RPAR).set_parse_action(
    lambda s, loc, t: ast.SubLink("exists", None, None, t[0], loc)
)
array_sublink = (K("array").suppress() + LPAR - query + RPAR).set_parse_action(
    lambda s, loc, t: ast.SubLink("array", None, None, t[0], loc)
)

# CASE [arg] WHEN ... THEN ... [ELSE ...] END
case_when = (K("when") - expr + K("then").suppress() - expr).set_parse_action(
    lambda s, loc, t: ast.CaseWhen(t[1], t[2], loc)
)
case_expr = (
    K("case").suppress()
    - pp.Opt(~K("when") + expr)("arg")
    + pp.Group(pp.OneOrMore(case_when))("whens")
    + pp.Opt(K("else").suppress() - expr)("default")
    + K("end").suppress()
).set_parse_action(
    lambda s, loc, t: ast.CaseExpr(t.arg[0] if t.arg else None, list(t.whens), t.default[0] if t.default else None, loc)
)

# ARRAY[...]; inside it a bare [...] is a sub-array.
LBRACK, RBRACK = pp.Suppress("["), pp.Suppress("]")
array_body = pp.Forward()
array_body <<= (LBRACK + pp.Group(pp.Opt(pp.DelimitedList(array_body | expr))) + RBRACK).set_parse_action(
    lambda s, loc, t: ast.A_ArrayExpr(list(t[0]), loc)
)
array_expr = (K("array").suppress() + array_body).set_parse_action(
    lambda s, loc, t: ast.A_ArrayExpr(t[0].elements, loc)
)


class _Quantified(ast.Node):
    """ANY / SOME / ALL (array or subquery): only the right operand of an operator (gram.y sub_type)."""

    __slots__ = ("kind", "arg", "loc")

    def __init__(self, kind: str, arg: ast.Node, loc: int) -> None:
        self.kind, self.arg, self.loc = kind, arg, loc


quantified = ((K("any") | K("some") | K("all")) + LPAR + (query | expr) + RPAR).set_parse_action(
    lambda s, loc, t: _Quantified("op_all" if t[0].lower() == "all" else "op_any", t[1], loc)
)


class _Parenthesized:
    """A parenthesized expression, until ``_indirection`` has seen whether it is subscripted."""

    __slots__ = ("node",)

    def __init__(self, node: ast.Node) -> None:
        self.node = node


primary = (
    string_literal
    | number
    | name_expr
    | exists_sublink
    | case_expr
    | array_sublink
    | array_expr
    | quantified
    | substring_call
    | trim_call
    | position_call
    | extract_call
    | expr_list_call
    | nullif_call
    | left_right_call
    | keyword_const
    | sublink
    | (LPAR + expr + RPAR).set_parse_action(lambda t: _Parenthesized(t[0]))
    | param_ref
    | cast_function
    | (keyword_function + pp.Opt(LPAR + RPAR))
)


def _cast(s: str, loc: int, toks: pp.ParseResults) -> ast.Node:
    node = toks[0]
    for i in range(1, len(toks), 2):
        name, type_loc = toks[i + 1]
        node = ast.TypeCast(node, name, loc, type_loc, toks[i])
    return node


def _indirection(s: str, loc: int, toks: pp.ParseResults) -> ast.Node:
    first = toks[0]
    node = first.node if isinstance(first, _Parenthesized) else first
    if len(toks) == 1:
        return node
    if not isinstance(first, _Parenthesized | ast.ColumnRef | ast.ParamRef):
        # gram.y subscripts column references, parameters and parenthesized expressions only.
        raise pp.ParseFatalException(s, toks[1], "syntax error")
    return ast.A_Indirection(node, list(toks[2::2]), loc)


# Subscripts a[i] and slices a[i:j], a[:j], a[i:].
def _indices(s: str, loc: int, toks: pp.ParseResults) -> ast.A_Indices:
    parts = list(toks)
    if ":" not in parts:
        if not parts:
            raise pp.ParseException(s, loc, "empty subscript")
        return ast.A_Indices(False, None, parts[0])
    colon = parts.index(":")
    return ast.A_Indices(True, parts[0] if colon else None, parts[-1] if colon < len(parts) - 1 else None)


# The "[" is kept until _indirection has checked what it follows (a syntax error points at it).
subscript = (
    pp.Literal("[").set_parse_action(lambda s, loc, t: loc)
    + (pp.Opt(expr) + pp.Opt(pp.Literal(":") + pp.Opt(expr))).set_parse_action(_indices)
    + RBRACK
)
field_selection = pp.Literal(".").set_parse_action(lambda s, loc, t: loc) + ident
subscripted = (primary + pp.ZeroOrMore(subscript | field_selection)).set_parse_action(_indirection)

# "::" binds tightest of all operators.
cast_operator = pp.Literal("::").set_parse_action(lambda s, loc, t: loc)
cast_expr = (subscripted + pp.ZeroOrMore(cast_operator + type_name)).set_parse_action(_cast)

# Operators, with PostgreSQL's precedence (gram.y), loosest first. Any other operator
# (||, ->, @>, ~~, ...) and OPERATOR(...) is gram.y's "Op": one level between LIKE and + and -.
_NOT_OP_CHAR = r"(?![*/<>=~!@#%^&|`?])"
PRECEDENCE = {"or": 10, "and": 20, "not": 30, "is": 40}
PRECEDENCE.update(dict.fromkeys(("=", "<>", "<", ">", "<=", ">="), 50))
# BETWEEN, IN, LIKE, ILIKE, SIMILAR (and their NOT forms) bind below every symbol operator.
PREDICATE_PRECEDENCE = 60
ESCAPE_PRECEDENCE = 65
OTHER_OPERATOR_PRECEDENCE = 70
PRECEDENCE.update({"+": 80, "-": 80, "*": 90, "/": 90, "%": 90, "^": 100})
COLLATE_PRECEDENCE = 110
UNARY_MINUS_PRECEDENCE = 120

_OP_CHARS = frozenset("~!@#^&|`?+-*/%<>=")
# An operator may end in + or - only if it holds one of these (scan.l).
_NON_SQL_OP_CHARS = frozenset("~!@#^&|`?%")
_WORD_END = r"(?![A-Za-z0-9_$])"
# Operators spelled in words; white space inside them is any.
_WORD_OPERATOR = re.compile(
    r"(?i:and|or|escape|is\s+(?:not\s+)?distinct\s+from|(?:not\s+)?(?:i?like|similar\s+to|"
    r"between(?:\s+(?:a?symmetric))?))"
    + _WORD_END
    # OPERATOR(pg_catalog.~): any operator by its qualified name, always at "Op" precedence.
    + rf'|(?i:operator)\s*\(\s*(?:(?P<schema>{UNQUOTED_IDENT}|"(?:[^"]|"")*")\s*\.\s*)?'
    + r"(?P<symbol>[~!@#^&|`?+\-*/%<>=]+)\s*\)"
)
# A_Expr kinds of the word operators, and the operator each names (gram.y's a_expr rules).
_PREDICATES = {
    "like": ("like", "~~"),
    "not like": ("like", "!~~"),
    "ilike": ("ilike", "~~*"),
    "not ilike": ("ilike", "!~~*"),
    "similar to": ("similar", "~"),
    "not similar to": ("similar", "!~"),
    "between": ("between", "between"),
    "between asymmetric": ("between", "between"),
    "not between": ("not_between", "not between"),
    "not between asymmetric": ("not_between", "not between"),
    "between symmetric": ("between_sym", "between symmetric"),
    "not between symmetric": ("not_between_sym", "not between symmetric"),
    "is distinct from": ("distinct", "="),
    "is not distinct from": ("not_distinct", "="),
}


class _Operator(pp.Token):
    """A binary operator: one spelled in words (AND, OR, LIKE, BETWEEN, ...), or one as
    PostgreSQL's lexer cuts it (scan.l): the longest run of operator characters, less any
    trailing + and - when it holds none of ~!@#^&|`?% (so ``2*-3`` and ``a->-1`` read as in
    PostgreSQL). ``=>`` is not an operator. One token for all: after every operand the
    grammar tries it once."""

    def __init__(self) -> None:
        super().__init__()
        self.set_name("operator")
        self.mayIndexError = False

    def parseImpl(self, instring: str, loc: int, do_actions: bool = True) -> tuple[int, Any]:
        word = _WORD_OPERATOR.match(instring, loc)
        if word is not None:
            if word["schema"] is not None or word["symbol"] is not None:
                schema = word["schema"]
                return word.end(), (schema and _ident(instring, loc, [schema]), word["symbol"])
            return word.end(), " ".join(word[0].lower().split())
        end = loc
        size = len(instring)
        while end < size and instring[end] in _OP_CHARS:
            end += 1
        if end - loc > 1 and instring[end - 1] in "+-" and _NON_SQL_OP_CHARS.isdisjoint(instring[loc : end - 1]):
            while end - loc > 1 and instring[end - 1] in "+-":
                end -= 1
        op = instring[loc:end]
        if not op or op == "=>":
            raise pp.ParseException(instring, loc, self.errmsg, self)
        return end, op


def _binary_op(s: str, loc: int, toks: pp.ParseResults) -> tuple[str, str, int]:
    token = toks[0]
    if isinstance(token, tuple):  # OPERATOR(schema.op)
        schema, op = token
        if schema is not None and schema != "pg_catalog":
            raise errors.PgError(errors.INVALID_SCHEMA_NAME, f'schema "{schema}" does not exist', position=loc + 1)
        return ("operator", "<>" if op == "!=" else op, loc)
    return ("binary", "<>" if token == "!=" else token, loc)


binary_op = _Operator().set_parse_action(_binary_op)
prefix_op = pp.Regex(rf"(?i:not){_WORD_END}|[-+]{_NOT_OP_CHAR}").set_parse_action(
    lambda s, loc, t: ("prefix", t[0].lower(), loc)
)
is_test = pp.Regex(r"(?i:is\s+(not\s+)?(null|true|false))" + _WORD_END).set_parse_action(
    lambda s, loc, t: ("postfix", t[0].lower().split(), loc)
)
# [NOT] IN (list) or (subquery): a postfix test whose operand is the list or the query.
in_list = (
    pp.Regex(r"(?i:(?:not\s+)?in)" + _WORD_END) + LPAR - (query | pp.Group(pp.DelimitedList(expr))) + RPAR
).set_parse_action(
    lambda s, loc, t: (
        "postfix",
        ["in", t[0].lower() != "in", t[1] if isinstance(t[1], ast.SelectStmt) else list(t[1])],
        loc,
    )
)

# COLLATE name: the name may be qualified, and its last part any word (pg_catalog.default).
collation_name = (ident + pp.ZeroOrMore(DOT + (ident | any_word))).set_parse_action(lambda t: ".".join(t))
collate_clause = (K("collate").suppress() - collation_name).set_parse_action(
    lambda s, loc, t: ("postfix", ["collate", t[0]], loc)
)
# One look ahead before trying the postfix forms: most operands have none.
_POSTFIX_START = pp.Regex(r"(?i)(?=(?:is|not|in|collate)" + _WORD_END + ")").suppress()
operand = pp.ZeroOrMore(prefix_op) + cast_expr + pp.ZeroOrMore(_POSTFIX_START + (is_test | in_list | collate_clause))


def _postfix_precedence(what: list[Any]) -> int:
    if what[0] == "in":
        return PREDICATE_PRECEDENCE
    if what[0] == "collate":
        return COLLATE_PRECEDENCE
    return PRECEDENCE["is"]


class _Operators:
    """Precedence climbing over the flat operand/operator sequence the grammar matched.

    One flat sequence is several times faster in pyparsing than a rule per precedence
    level; the tree it builds is the same.
    """

    def __init__(self, text: str, tokens: list) -> None:
        self.text = text
        self.tokens = tokens
        self.i = 0

    def _syntax_error(self, loc: int) -> pp.ParseFatalException:
        return pp.ParseFatalException(self.text, loc, "syntax error")

    def _precedence(self, kind: str, op: Any) -> int:
        if kind == "postfix":
            return _postfix_precedence(op)
        if kind == "operator":
            return OTHER_OPERATOR_PRECEDENCE
        if op in _PREDICATES:
            return PRECEDENCE["is"] if op.startswith("is ") else PREDICATE_PRECEDENCE
        if op == "escape":
            return ESCAPE_PRECEDENCE
        return PRECEDENCE.get(op, OTHER_OPERATOR_PRECEDENCE)

    def _operand(self, min_precedence: int) -> ast.Node:
        """The next operand: a quantified ANY/ALL (array) only where an operator's right side is."""
        if isinstance(self.tokens[self.i], _Quantified):
            raise self._syntax_error(self.tokens[self.i].loc)
        return self.parse(min_precedence)

    def _next_is(self, op: str) -> bool:
        return self.i < len(self.tokens) and isinstance(self.tokens[self.i], tuple) and self.tokens[self.i][1] == op

    def parse(self, min_precedence: int) -> ast.Node:
        token = self.tokens[self.i]
        self.i += 1
        if isinstance(token, tuple) and token[0] == "prefix":
            _, op, loc = token
            if op == "not":
                left: ast.Node = ast.BoolExpr("not", [self._operand(PRECEDENCE["not"])], loc)
            else:
                left = ast.A_Expr(op, None, self._operand(UNARY_MINUS_PRECEDENCE), loc)
        elif isinstance(token, _Quantified):
            raise self._syntax_error(token.loc)
        else:
            left = token
        while self.i < len(self.tokens):
            kind, op, loc = self.tokens[self.i]
            precedence = self._precedence(kind, op)
            if precedence < min_precedence:
                break
            self.i += 1
            if kind == "postfix":
                left = self._postfix(left, op, loc)
            elif op in ("and", "or"):
                right = self._operand(precedence + 1)
                args = left.args if isinstance(left, ast.BoolExpr) and left.op == op else [left]
                left = ast.BoolExpr(op, [*args, right], getattr(args[0], "loc", loc))
            elif op in _PREDICATES:
                left = self._predicate(left, op, loc, precedence)
            elif op == "escape":
                raise self._syntax_error(loc)
            elif isinstance(self.tokens[self.i], _Quantified):
                quantified = self.tokens[self.i]
                self.i += 1
                if isinstance(quantified.arg, ast.SelectStmt):
                    kind = "all" if quantified.kind == "op_all" else "any"
                    left = ast.SubLink(kind, left, op, quantified.arg, loc)
                else:
                    left = ast.A_Expr(op, left, quantified.arg, loc, kind=quantified.kind)
            else:
                left = ast.A_Expr(op, left, self._operand(precedence + 1), loc)
        return left

    def _postfix(self, left: ast.Node, what: list[Any], loc: int) -> ast.Node:
        if what[0] == "in" and isinstance(what[2], ast.SelectStmt):
            # x IN (SELECT ...) is x = ANY (SELECT ...); NOT IN is its negation (gram.y).
            sublink = ast.SubLink("any", left, "=", what[2], loc)
            return ast.BoolExpr("not", [sublink], loc) if what[1] else sublink
        if what[0] == "in":
            return ast.A_Expr("<>" if what[1] else "=", left, what[2], loc, kind="in")
        if what[0] == "collate":
            return ast.CollateClause(left, what[1], loc)
        negated = len(what) == 3
        if what[-1] == "null":
            return ast.NullTest(left, negated, loc)
        return ast.BooleanTest(left, what[-1] == "true", negated, loc)

    def _predicate(self, left: ast.Node, word: str, loc: int, precedence: int) -> ast.Node:
        kind, op = _PREDICATES[word]
        if kind in ("distinct", "not_distinct"):
            return ast.A_Expr(op, left, self._operand(precedence + 1), loc, kind=kind)
        if kind in ("like", "ilike") and isinstance(self.tokens[self.i], _Quantified):
            quantified = self.tokens[self.i]
            self.i += 1
            return ast.A_Expr(op, left, quantified.arg, loc, kind=quantified.kind)
        if kind in ("like", "ilike", "similar"):
            pattern = self._operand(ESCAPE_PRECEDENCE + 1)
            escape = None
            if self._next_is("escape"):
                self.i += 1
                escape = self._operand(ESCAPE_PRECEDENCE + 1)
            return ast.A_Expr(op, left, pattern, loc, kind=kind, escape=escape)
        low = self._operand(precedence + 1)
        if not self._next_is("and"):
            raise self._syntax_error(self.tokens[self.i][2] if self.i < len(self.tokens) else len(self.text))
        self.i += 1
        high = self._operand(precedence + 1)
        return ast.A_Expr(op, left, [low, high], loc, kind=kind)


expr <<= (operand + pp.ZeroOrMore(binary_op - operand)).set_parse_action(
    lambda s, loc, t: t[0] if len(t) == 1 else _Operators(s, list(t)).parse(0)
)

# --- statements -------------------------------------------------------------------------

alias = pp.Opt(K("as")).suppress() + ident
table_ref = (ident + pp.Opt(DOT + ident)).set_parse_action(
    lambda s, loc, t: ast.RangeVar(t[0] if len(t) == 2 else None, t[-1], None, loc)
)
column_aliases = pp.Group(LPAR - pp.DelimitedList(ident) + RPAR)


def _with_alias(toks: pp.ParseResults) -> ast.RangeVar:
    table = toks[0]
    if len(toks) > 1:
        table.alias = toks[1]
    return table


aliased_table = (table_ref + pp.Opt(alias)).set_parse_action(_with_alias)

star = pp.Literal("*").set_parse_action(lambda s, loc, t: ast.A_Star(loc))
# rel.*: the relation's columns, as a ColumnRef ending in A_Star (as gram.y's indirection).
qualified_star = (ident + DOT + pp.Literal("*")).set_parse_action(lambda s, loc, t: ast.ColumnRef((t[0], "*"), loc))
# After AS a select-list alias may be any word, reserved or not (gram.y's ColLabel).
target_alias = (K("as").suppress() + (ident | any_word)) | ident
target = star.copy().add_parse_action(lambda s, loc, t: ast.ResTarget(t[0], None, loc)) | (
    (qualified_star | expr) + pp.Opt(target_alias)
).set_parse_action(lambda s, loc, t: ast.ResTarget(t[0], t[1] if len(t) > 1 else None, loc))
where_clause = K("where").suppress() - expr

# FROM: relations, subqueries and joins (gram.y table_ref, joined_table).
from_item = pp.Forward().set_name("FROM item")


def _subselect(s: str, loc: int, toks: pp.ParseResults) -> ast.RangeSubselect:
    return ast.RangeSubselect(toks[0], toks[1] if len(toks) > 1 else None, list(toks[2]) if len(toks) > 2 else [], loc)


range_subselect = (LPAR + query + RPAR + pp.Opt(alias + pp.Opt(column_aliases))).set_parse_action(_subselect)


def _range_function(s: str, loc: int, toks: pp.ParseResults) -> ast.RangeFunction:
    if not isinstance(toks[0], ast.FuncCall):
        raise pp.ParseException(s, loc, "not a function")
    return ast.RangeFunction(toks[0], toks[1] if len(toks) > 1 else None, list(toks[2]) if len(toks) > 2 else [], loc)


# A set-returning function in FROM: generate_series(1, 3) AS s(n).
range_function = (name_expr + pp.Opt(alias + pp.Opt(column_aliases))).set_parse_action(_range_function)
table_primary = range_subselect | (LPAR + from_item + RPAR) | range_function | aliased_table
_OUTER = pp.Opt(K("outer")).suppress()
join_type = (
    K("inner").set_parse_action(lambda: "inner")
    | (K("left") + _OUTER).set_parse_action(lambda: "left")
    | (K("right") + _OUTER).set_parse_action(lambda: "right")
    | (K("full") + _OUTER).set_parse_action(lambda: "full")
)
using_columns = pp.Group(
    LPAR - pp.DelimitedList((ident + pp.Empty()).set_parse_action(lambda s, loc, t: (t[0], loc))) + RPAR
)
join_clause = (
    ((K("cross") + K("join")).suppress() - table_primary).set_parse_action(
        lambda s, loc, t: ast.JoinExpr("cross", None, t[0], loc=loc)
    )
    | (K("natural").suppress() - pp.Opt(join_type, "inner") + K("join").suppress() - table_primary).set_parse_action(
        lambda s, loc, t: ast.JoinExpr(t[0], None, t[1], natural=True, loc=loc)
    )
    | (
        pp.Opt(join_type, "inner")
        + K("join").suppress()
        - table_primary
        + (K("on").suppress() - expr | K("using").suppress() - using_columns)
    ).set_parse_action(
        lambda s, loc, t: ast.JoinExpr(
            t[0],
            None,
            t[1],
            None if isinstance(t[2], pp.ParseResults) else t[2],
            [tuple(u) for u in t[2]] if isinstance(t[2], pp.ParseResults) else None,
            loc=loc,
        )
    )
)


def _joins(s: str, loc: int, toks: pp.ParseResults) -> ast.Node:
    """Joins associate to the left."""
    node = toks[0]
    for join in toks[1:]:
        join.larg = node
        node = join
    return node


from_item <<= (table_primary + pp.ZeroOrMore(join_clause)).set_parse_action(_joins)
from_clause = K("from").suppress() - pp.Group(pp.DelimitedList(from_item))


def _select(s: str, loc: int, toks: pp.ParseResults) -> ast.SelectStmt:
    distinct = None
    if toks.distinct:
        distinct = list(toks.distinct[1]) if len(toks.distinct) > 1 else []
    return ast.SelectStmt(
        list(toks.targets),
        list(toks.from_clause[0]) if toks.from_clause else [],
        toks.where[0] if toks.where else None,
        distinct=distinct,
        group_by=list(toks.group_by) if toks.group_by else [],
        having=toks.having[0] if toks.having else None,
        loc=loc,
    )


distinct_clause = K("distinct") + pp.Opt(K("on").suppress() - LPAR + pp.Group(pp.DelimitedList(expr)) + RPAR)
simple_select = (
    K("select").suppress()
    - pp.Opt(pp.Group(distinct_clause)("distinct") | K("all").suppress())
    + pp.Group(pp.DelimitedList(target))("targets")
    + pp.Opt(from_clause("from_clause"))
    + pp.Opt(pp.Group(where_clause)("where"))
    + pp.Opt(K("group").suppress() - K("by").suppress() - pp.Group(pp.DelimitedList(expr))("group_by"))
    + pp.Opt(K("having").suppress() - pp.Group(expr)("having"))
).set_parse_action(_select)
values_clause = (
    K("values").suppress() - pp.Group(pp.DelimitedList(pp.Group(LPAR - pp.DelimitedList(expr) + RPAR)))
).set_parse_action(lambda s, loc, t: ast.SelectStmt([], [], None, values_lists=[list(r) for r in t[0]], loc=loc))
select_primary = simple_select | values_clause | (LPAR + query + RPAR)


def _set_operations(s: str, loc: int, toks: pp.ParseResults) -> ast.SelectStmt:
    node = toks[0]
    for i in range(1, len(toks), 3):
        op, quantifier, right = toks[i], toks[i + 1], toks[i + 2]
        node = ast.SelectStmt([], [], None, op=op.lower(), all=quantifier == "all", larg=node, rarg=right, loc=loc)
    return node


_SET_QUANTIFIER = pp.Opt(K("all") | K("distinct"), "")
select_term = (select_primary + pp.ZeroOrMore(K("intersect") + _SET_QUANTIFIER + select_primary)).set_parse_action(
    _set_operations
)
select_body = (
    select_term + pp.ZeroOrMore((K("union") | K("except")) + _SET_QUANTIFIER + select_term)
).set_parse_action(_set_operations)
cte = (ident + pp.Opt(column_aliases) + K("as").suppress() + LPAR - query + RPAR).set_parse_action(
    lambda s, loc, t: ast.CommonTableExpr(t[0], list(t[1]) if len(t) == 3 else [], t[-1], loc)
)


def _with_clause(toks: pp.ParseResults) -> list[pp.ParseResults]:
    ctes = toks[-1]
    for cte in ctes:
        cte.recursive = len(toks) == 2
    return [ctes]


with_clause = (K("with").suppress() - pp.Opt(K("recursive")) + pp.Group(pp.DelimitedList(cte))).set_parse_action(
    _with_clause
)
locking_clause = (
    K("for").suppress()
    - (
        K("update").set_parse_action(lambda: "update")
        | (K("no") - K("key") - K("update")).set_parse_action(lambda: "no key update")
        | K("share").set_parse_action(lambda: "share")
        | (K("key") - K("share")).set_parse_action(lambda: "key share")
    )
    + pp.Opt(
        K("nowait").set_parse_action(lambda: "nowait")
        | (K("skip") - K("locked")).set_parse_action(lambda: "skip locked")
    )
).set_parse_action(lambda t: ast.LockingClause(*t))


_ROWS = (K("row") | K("rows")).suppress()
limit_clause = K("limit").suppress() - pp.Group(expr | K("all").suppress())("limit") | (
    K("fetch").suppress()
    - (K("first") | K("next")).suppress()
    + pp.Group(pp.Opt(~_ROWS + expr, default=ast.A_Const(1, "implied", 0)))("limit")
    + _ROWS
    + K("only").suppress()
)
offset_clause = K("offset").suppress() - pp.Group(expr)("offset") + pp.Opt(_ROWS)


def _query(s: str, loc: int, toks: pp.ParseResults) -> ast.SelectStmt:
    stmt = toks.body
    if toks.ctes:
        if stmt.with_clause:
            raise pp.ParseFatalException(s, loc, "multiple WITH clauses not allowed")
        stmt.with_clause = list(toks.ctes)
    if toks.locking:
        stmt.locking = toks.locking[0]
    if toks.sort or toks.limit or toks.offset:
        if stmt.sort and toks.sort or stmt.limit is not None and toks.limit or stmt.offset is not None and toks.offset:
            # (SELECT ... LIMIT 1) LIMIT 2: the outer clauses apply to the parenthesised query's result.
            stmt = ast.SelectStmt(
                [ast.ResTarget(ast.A_Star(loc), None, loc)], [ast.RangeSubselect(stmt, None, [], loc)], None, loc=loc
            )
        stmt.sort = list(toks.sort[0]) if toks.sort else stmt.sort
        stmt.limit = toks.limit[0] if toks.limit else stmt.limit
        stmt.offset = toks.offset[0] if toks.offset else stmt.offset
    return stmt


query <<= (
    pp.Opt(with_clause("ctes"))
    + select_body("body")
    + pp.Opt(sort_clause("sort"))
    + pp.Opt(limit_clause + pp.Opt(offset_clause) | offset_clause + pp.Opt(limit_clause))
    + pp.Opt(pp.Group(locking_clause)("locking"))
).set_parse_action(_query)
select_stmt = query

located_ident = (ident + pp.Empty()).set_parse_action(lambda s, loc, t: (t[0], loc))
# Bulk loads send long VALUES lists of plain literals: one regex tries a literal that ends
# the item before the whole expression grammar does.
_PLAIN_LITERAL = re.compile(
    rf"(?:(?P<string>{string_literal.pattern})|(?P<number>{number.pattern})|(?P<word>(?i:true|false|null)))"
    r"(?![A-Za-z0-9_$])(?=\s*[,)])"
)


def _plain_literal(s: str, loc: int, toks: pp.ParseResults) -> ast.A_Const:
    if toks.get("string") is not None:
        return _string(s, loc, toks)
    if toks.get("number") is not None:
        return _number(s, loc, toks)
    word = toks[0].lower()
    return ast.A_Const(None, "null", loc) if word == "null" else ast.A_Const(word == "true", "bool", loc)


set_to_default = K("default").set_parse_action(lambda s, loc, t: ast.SetToDefault(loc))
value_item = pp.Regex(_PLAIN_LITERAL).set_parse_action(_plain_literal) | set_to_default | expr
values_row = pp.Group(LPAR - pp.DelimitedList(value_item) + RPAR)
returning_clause = K("returning").suppress() - pp.DelimitedList(target)
assignment = (located_ident + pp.Suppress("=") - (set_to_default | expr)).set_parse_action(
    lambda t: (t[0][0], t[0][1], t[1])
)

# ON CONFLICT: an inference specification or a constraint name, then the action.
# PostgreSQL reports a column of the inference specification at its opening parenthesis.
conflict_target = (LPAR - pp.DelimitedList(ident) + RPAR).set_parse_action(
    lambda s, loc, t: [("columns", [(name, loc) for name in t])]
) | (K("on").suppress() + K("constraint").suppress() - located_ident).set_parse_action(lambda t: [("constraint", t[0])])
conflict_action = (K("do").suppress() + K("nothing").suppress()).set_parse_action(lambda: [("nothing", [], None)]) | (
    K("do").suppress()
    + K("update").suppress()
    - K("set").suppress()
    - pp.Group(pp.DelimitedList(assignment))
    + pp.Opt(where_clause)
).set_parse_action(lambda t: [("update", list(t[0]), t[1] if len(t) > 1 else None)])


def _on_conflict(s: str, loc: int, toks: pp.ParseResults) -> ast.OnConflictClause:
    target = toks[0] if len(toks) == 2 else (None, None)
    action, assignments, where = toks[-1]
    return ast.OnConflictClause(
        action,
        target[1] if target[0] == "columns" else None,
        target[1] if target[0] == "constraint" else None,
        assignments,
        where,
        loc,
    )


on_conflict = (
    K("on").suppress() + K("conflict").suppress() - pp.Opt(conflict_target) + conflict_action
).set_parse_action(_on_conflict)


def _insert(toks: pp.ParseResults) -> ast.InsertStmt:
    return ast.InsertStmt(
        toks[0],
        list(toks.columns[0]) if toks.columns else None,
        [list(r) for r in toks.rows] if toks.rows else None,
        toks.select[0] if toks.select else None,
        toks.on_conflict[0] if toks.on_conflict else None,
        list(toks.returning) if toks.returning else [],
    )


insert_stmt = (
    K("insert").suppress()
    - K("into").suppress()
    + (table_ref + pp.Opt(K("as").suppress() - ident)).set_parse_action(_with_alias)
    + pp.Opt(pp.Group(LPAR - pp.DelimitedList(located_ident) + RPAR))("columns")
    + (
        (K("default") + K("values")).suppress()
        | (K("values").suppress() - pp.Group(pp.DelimitedList(values_row))("rows"))
        | pp.Group(select_stmt)("select")
    )
    + pp.Opt(pp.Group(on_conflict)("on_conflict"))
    + pp.Opt(pp.Group(returning_clause)("returning"))
).set_parse_action(_insert)

# UPDATE ... FROM and DELETE ... USING take FROM items: relations, subqueries, joins.
from_list = pp.Group(pp.DelimitedList(from_item))
update_stmt = (
    K("update").suppress()
    - (table_ref + pp.Opt(pp.Opt(K("as")).suppress() + ~K("set") + ident)).set_parse_action(_with_alias)
    + K("set").suppress()
    - pp.Group(pp.DelimitedList(assignment))("assignments")
    + pp.Opt(K("from").suppress() - from_list("from_tables"))
    + pp.Opt(pp.Group(where_clause)("where"))
    + pp.Opt(pp.Group(returning_clause)("returning"))
).set_parse_action(
    lambda t: ast.UpdateStmt(
        t[0],
        list(t.assignments),
        t.where[0] if t.where else None,
        list(t.from_tables) if t.from_tables else [],
        list(t.returning) if t.returning else [],
    )
)

delete_stmt = (
    K("delete").suppress()
    - K("from").suppress()
    + aliased_table
    + pp.Opt(K("using").suppress() - from_list("using"))
    + pp.Opt(pp.Group(where_clause)("where"))
    + pp.Opt(pp.Group(returning_clause)("returning"))
).set_parse_action(
    lambda t: ast.DeleteStmt(
        t[0],
        t.where[0] if t.where else None,
        list(t.using) if t.using else [],
        list(t.returning) if t.returning else [],
    )
)

# SET/SHOW/RESET: names may be dotted (custom options); values are words, strings or numbers.
var_name = pp.Combine(any_word + pp.ZeroOrMore("." + any_word)) | ident
signed_number = (pp.Opt(pp.Literal("-")) + number).set_parse_action(
    # The sign's position: a negative SET value is not the lexer's literal, so its value stays in the shape.
    lambda s, loc, t: ast.A_Const(-t[1].value, t[1].kind, loc) if len(t) == 2 else t[0]
)
var_value = (
    string_literal
    | signed_number
    | pp.Regex(UNQUOTED_IDENT + r'|"(?:[^"]|"")*"').set_parse_action(
        lambda s, loc, t: ast.A_Const(t[0][1:-1].replace('""', '"') if t[0][0] == '"' else t[0].lower(), "word", loc)
    )
)
set_rest = (
    (
        K("time").suppress() + K("zone").suppress() - (K("local").set_parse_action(lambda: None) | var_value)
    ).set_parse_action(lambda t: ast.VariableSetStmt("timezone", None if t[0] is None else [t[0]], False))
    | (K("names").suppress() - var_value).set_parse_action(
        lambda t: ast.VariableSetStmt("client_encoding", [t[0]], False)
    )
    | (
        var_name
        + (K("to") | "=").suppress()
        - (K("default").set_parse_action(lambda: None) | pp.Group(pp.DelimitedList(var_value)))
    ).set_parse_action(lambda t: ast.VariableSetStmt(t[0], None if t[1] is None else list(t[1]), False))
)
set_stmt = (K("set").suppress() - pp.Opt(K("session") | K("local")) + set_rest).set_parse_action(
    lambda t: _set_scope(t)
)


def _set_scope(toks: pp.ParseResults) -> ast.VariableSetStmt:
    stmt = toks[-1]
    stmt.is_local = len(toks) == 2 and toks[0] == "local"
    return stmt


show_name = (
    (K("time").suppress() + K("zone").suppress()).set_parse_action(lambda: "timezone")
    | (K("transaction") + K("isolation") + K("level")).set_parse_action(lambda: "transaction_isolation")
    | (K("session") + K("authorization")).set_parse_action(lambda: "session_authorization")
    | K("all")
    | var_name
)
show_stmt = (K("show").suppress() - show_name).set_parse_action(lambda t: ast.VariableShowStmt(t[0]))
reset_stmt = (K("reset").suppress() - show_name).set_parse_action(
    lambda t: ast.VariableSetStmt(None if t[0] == "all" else t[0], None, False, reset=True)
)

transaction_word = pp.Opt(K("work") | K("transaction")).suppress()
isolation_level = (
    K("isolation").suppress()
    - K("level").suppress()
    - ((K("read") + (K("uncommitted") | K("committed"))) | (K("repeatable") - K("read")) | K("serializable"))
).set_parse_action(lambda t: ("transaction_isolation", " ".join(t)))
transaction_mode = (
    isolation_level
    | (K("read") + K("only")).set_parse_action(lambda: ("transaction_read_only", "on"))
    | (K("read") + K("write")).set_parse_action(lambda: ("transaction_read_only", "off"))
    | (K("not") + K("deferrable")).set_parse_action(lambda: ("transaction_deferrable", "off"))
    | K("deferrable").set_parse_action(lambda: ("transaction_deferrable", "on"))
)
# Modes are separated by commas or by nothing, as in gram.y's transaction_mode_list.
transaction_modes = pp.Group(pp.Opt(transaction_mode + pp.ZeroOrMore(pp.Opt(COMMA) + transaction_mode)))
chain = pp.Opt(K("and").suppress() - (K("no") + K("chain") | K("chain"))).set_parse_action(
    lambda t: len(t) == 1 and t[0] == "chain"
)
transaction_stmt = (
    (K("begin").suppress() + transaction_word + transaction_modes).set_parse_action(
        lambda t: ast.TransactionStmt("begin", list(t[0]))
    )
    | (K("start").suppress() - K("transaction").suppress() + transaction_modes).set_parse_action(
        lambda t: ast.TransactionStmt("start", list(t[0]))
    )
    | ((K("commit") | K("end")).suppress() + transaction_word + chain).set_parse_action(
        lambda t: ast.TransactionStmt("commit", chain=t[0])
    )
    | (
        (K("rollback") | K("abort")).suppress()
        + transaction_word
        + K("to").suppress()
        - pp.Opt(K("savepoint")).suppress()
        + ident
    ).set_parse_action(lambda t: ast.TransactionStmt("rollback_to", savepoint=t[0]))
    | ((K("rollback") | K("abort")).suppress() + transaction_word + chain).set_parse_action(
        lambda t: ast.TransactionStmt("rollback", chain=t[0])
    )
    | (K("savepoint").suppress() - ident).set_parse_action(lambda t: ast.TransactionStmt("savepoint", savepoint=t[0]))
    | (K("release").suppress() + (K("savepoint").suppress() + ident | ident)).set_parse_action(
        lambda t: ast.TransactionStmt("release", savepoint=t[0])
    )
)
set_transaction_stmt = (K("set").suppress() + K("transaction").suppress() + transaction_modes).set_parse_action(
    lambda t: ast.TransactionModesStmt(list(t[0]), False)
) | (
    K("set").suppress()
    + K("session").suppress()
    + K("characteristics").suppress()
    - K("as").suppress()
    - K("transaction").suppress()
    - transaction_modes
).set_parse_action(lambda t: ast.TransactionModesStmt(list(t[0]), True))

explain_stmt = (K("explain").suppress() - query).set_parse_action(lambda s, loc, t: ast.ExplainStmt(t[0], loc))

# Prepared statements in SQL share their names with the protocol's (Parse) statements.


def _with_modify(toks: pp.ParseResults) -> ast.Node:
    stmt = toks[-1]
    if len(toks) == 2:
        stmt.with_clause = list(toks[0])
    return stmt


# WITH before INSERT, UPDATE or DELETE: CTEs their queries may read.
modify_stmt = (pp.Opt(with_clause) + (insert_stmt | update_stmt | delete_stmt)).set_parse_action(_with_modify)
preparable = select_stmt | modify_stmt
prepare_stmt = (
    K("prepare").suppress()
    - located_ident
    + pp.Opt(pp.Group(LPAR - pp.DelimitedList(type_name) + RPAR))("types")
    + K("as").suppress()
    - preparable
).set_parse_action(lambda t: ast.PrepareStmt(t[0][0], list(t.types[0]) if t.types else [], t[-1], t[0][1]))
execute_stmt = (
    K("execute").suppress() - located_ident + pp.Opt(pp.Group(LPAR - pp.DelimitedList(expr) + RPAR))("args")
).set_parse_action(lambda t: ast.ExecuteStmt(t[0][0], list(t.args[0]) if t.args else [], t[0][1]))
deallocate_stmt = (
    K("deallocate").suppress() - pp.Opt(K("prepare")).suppress() + (K("all").set_parse_action(lambda: [None]) | ident)
).set_parse_action(lambda t: ast.DeallocateStmt(t[0]))
discard_stmt = (
    K("discard").suppress() - (K("all") | K("plans") | K("sequences") | K("temporary") | K("temp"))
).set_parse_action(lambda t: ast.DiscardStmt("temp" if t[0] == "temporary" else t[0]))

listen_stmt = (K("listen").suppress() - ident).set_parse_action(lambda t: ast.ListenStmt(t[0]))
all_channels = pp.Literal("*").set_parse_action(lambda: [None])
unlisten_stmt = (K("unlisten").suppress() - (all_channels | ident)).set_parse_action(lambda t: ast.UnlistenStmt(t[0]))
notify_stmt = (K("notify").suppress() - ident + pp.Opt(COMMA - string_literal)).set_parse_action(
    lambda t: ast.NotifyStmt(t[0], t[1] if len(t) > 1 else None)
)

# COPY: the options list of PostgreSQL 9.0+, and the older syntax psql's \\copy passes on.
copy_name_list = pp.Group(LPAR - pp.DelimitedList(ident) + RPAR).set_parse_action(lambda t: [list(t[0])])
copy_all = pp.Literal("*").set_parse_action(lambda: [["*"]])
copy_value = string_literal | signed_number | copy_all | copy_name_list | any_word
copy_generic_option = (any_word + pp.Opt(copy_value, True)).set_parse_action(lambda t: [(t[0], t[1])])
_AS = pp.Opt(K("as")).suppress()
copy_legacy_option = (
    K("binary").set_parse_action(lambda: [("format", "binary")])
    | K("csv").set_parse_action(lambda: [("format", "csv")])
    | K("header").set_parse_action(lambda: [("header", True)])
    | ((K("delimiter") | K("null") | K("quote") | K("escape") | K("encoding")) + _AS - string_literal).set_parse_action(
        lambda t: [(t[0].lower(), t[1])]
    )
    | (K("force").suppress() + K("quote").suppress() - (copy_all | pp.Group(pp.DelimitedList(ident)))).set_parse_action(
        lambda t: [("force_quote", list(t[0]))]
    )
    | (
        K("force").suppress() + K("not").suppress() - K("null").suppress() - pp.Group(pp.DelimitedList(ident))
    ).set_parse_action(lambda t: [("force_not_null", list(t[0]))])
)
copy_options = pp.Opt(K("with")).suppress() + pp.Opt(
    (LPAR + pp.DelimitedList(copy_generic_option) + RPAR) | pp.OneOrMore(copy_legacy_option)
)
copy_target = (
    K("stdin").set_parse_action(lambda: [None]) | K("stdout").set_parse_action(lambda: [None]) | string_literal
)


def _copy(s: str, loc: int, toks: pp.ParseResults) -> ast.CopyStmt:
    source = toks[0]
    is_query = not isinstance(source, ast.RangeVar)
    return ast.CopyStmt(
        None if is_query else source,
        source if is_query else None,
        list(toks.columns[0]) if toks.columns else None,
        toks.direction == "from",
        toks.target[0],
        list(toks.options),
        loc,
    )


copy_columns = pp.Group(LPAR - pp.DelimitedList(located_ident) + RPAR)
copy_stmt = (
    K("copy").suppress()
    - ((LPAR + select_stmt + RPAR) | table_ref + pp.Opt(copy_columns)("columns"))
    + (K("from") | K("to"))("direction").set_parse_action(lambda t: t[0].lower())
    - pp.Group(copy_target)("target")
    + pp.Group(copy_options)("options")
).set_parse_action(_copy)

close_stmt = (K("close").suppress() - (K("all").set_parse_action(lambda: [None]) | ident)).set_parse_action(
    lambda t: ast.ClosePortalStmt(t[0])
)
# DECLARE / FETCH / MOVE (PostgreSQL's DeclareCursorStmt and fetch_args).
no_scroll = (K("no") + K("scroll")).set_parse_action(lambda: "no scroll")
cursor_option = (K("binary") | K("insensitive") | K("asensitive") | K("scroll") | no_scroll).add_parse_action(
    lambda t: t[0].lower()
)
declare_stmt = (
    K("declare").suppress()
    - ident
    + pp.Group(pp.ZeroOrMore(cursor_option))
    + K("cursor").suppress()
    + pp.Opt((K("with") | K("without")) + K("hold").suppress())("hold")
    + K("for").suppress()
    + select_stmt
).set_parse_action(
    lambda s, loc, t: ast.DeclareCursorStmt(t[0], list(t[1]), t.hold != "" and t.hold[0].lower() == "with", t[-1], loc)
)


def _signed_count(s: str, loc: int, toks: pp.ParseResults) -> ast.A_Const:
    """SignedIconst: an integer with an optional sign (a sign makes it a value the shape keeps)."""
    value = toks[-1]
    if value.kind != "integer":
        raise pp.ParseException(s, value.loc, "integer expected")
    return value if len(toks) == 1 else ast.A_Const(-value.value if toks[0] == "-" else value.value, "integer", loc)


def _implied(count: int) -> Any:
    return lambda s, loc, t: [ast.A_Const(count, "implied", loc)]


fetch_count = (pp.Opt(pp.one_of("+ -")) + number).set_parse_action(_signed_count)
fetch_all = K("all").set_parse_action(lambda: [None])
_count_or_all = fetch_all | fetch_count | pp.Empty().set_parse_action(_implied(1))
fetch_direction = (
    (K("next") + pp.Empty().set_parse_action(_implied(1)))
    | (K("prior").set_parse_action(lambda: "backward") + pp.Empty().set_parse_action(_implied(1)))
    | (K("first").set_parse_action(lambda: "absolute") + pp.Empty().set_parse_action(_implied(1)))
    | (K("last").set_parse_action(lambda: "absolute") + pp.Empty().set_parse_action(_implied(-1)))
    | ((K("absolute") | K("relative")) + fetch_count)
    | ((K("forward") | K("backward")) + _count_or_all)
    | (pp.Empty().set_parse_action(lambda: "forward") + (fetch_all | fetch_count))
)
from_in = (K("from") | K("in")).suppress()
# A direction word right before the end is the cursor's name (FETCH next), as bison's lookahead decides.
bare_cursor = (
    pp.Empty().set_parse_action(lambda: "forward")
    + pp.Empty().set_parse_action(_implied(1))
    + pp.Opt(from_in)
    + ident
    + pp.FollowedBy(pp.StringEnd() | ";")
)
fetch_args = bare_cursor | (fetch_direction + pp.Opt(from_in) + ident)


def _fetch(toks: pp.ParseResults) -> ast.FetchStmt:
    command, direction, how_many, name = toks
    direction = direction.lower()
    return ast.FetchStmt("forward" if direction == "next" else direction, how_many, name, command == "move")


fetch_stmt = ((K("fetch") | K("move")).add_parse_action(lambda t: t[0].lower()) - fetch_args).set_parse_action(_fetch)

# Roles and table privileges (CREATE/ALTER/DROP ROLE, GRANT/REVOKE).
_role_flag = (
    K("superuser")
    | K("nosuperuser")
    | K("login")
    | K("nologin")
    | K("createdb")
    | K("nocreatedb")
    | K("createrole")
    | K("nocreaterole")
    | K("inherit")
    | K("noinherit")
).set_parse_action(lambda t: (t[0].lower().removeprefix("no"), not t[0].lower().startswith("no")))
role_option = _role_flag | (
    K("password").suppress() - (string_literal | K("null").set_parse_action(lambda: [None]))
).set_parse_action(lambda t: ("password", t[0]))
role_options = pp.Opt(K("with")).suppress() + pp.Group(pp.ZeroOrMore(pp.Group(role_option)))
role_word = K("role") | K("user")
create_role_stmt = (K("create").suppress() + role_word - ident + role_options).set_parse_action(
    lambda t: ast.CreateRoleStmt(t[1], [tuple(o[0]) for o in t[2]], t[0] == "user")
)
alter_role_stmt = (K("alter").suppress() + role_word.suppress() - ident + role_options).set_parse_action(
    lambda t: ast.AlterRoleStmt(t[0], [tuple(o[0]) for o in t[1]])
)
drop_role_stmt = (
    K("drop").suppress() + role_word.suppress() - pp.Opt(K("if") + K("exists"))("missing_ok") + pp.DelimitedList(ident)
).set_parse_action(lambda t: ast.DropRoleStmt([n for n in t if n not in ("if", "exists")], bool(t.missing_ok)))
# Any word is a privilege to the grammar; GRANT checks the names after the grantees, as PostgreSQL does.
_privileges = (K("all") + pp.Opt(K("privileges"))).set_parse_action(lambda: [None]) | pp.Group(
    pp.DelimitedList(any_word.copy().add_parse_action(lambda t: t[0].upper()))
)


def _grant(is_grant: bool, toks: pp.ParseResults) -> ast.GrantStmt:
    privileges = None if toks[0] is None else list(toks[0])
    return ast.GrantStmt(is_grant, privileges, list(toks[1]), list(toks[2]))


grant_stmt = (
    K("grant").suppress()
    - _privileges
    + K("on").suppress()
    + pp.Opt(K("table")).suppress()
    + pp.Group(pp.DelimitedList(table_ref))
    + K("to").suppress()
    + pp.Group(pp.DelimitedList(ident))
).set_parse_action(lambda t: _grant(True, t))
revoke_stmt = (
    K("revoke").suppress()
    - _privileges
    + K("on").suppress()
    + pp.Opt(K("table")).suppress()
    + pp.Group(pp.DelimitedList(table_ref))
    + K("from").suppress()
    + pp.Group(pp.DelimitedList(ident))
).set_parse_action(lambda t: _grant(False, t))
role_stmt = create_role_stmt | alter_role_stmt | drop_role_stmt | grant_stmt | revoke_stmt

statement = (
    select_stmt
    | modify_stmt
    | set_transaction_stmt
    | set_stmt
    | show_stmt
    | reset_stmt
    | transaction_stmt
    | prepare_stmt
    | execute_stmt
    | deallocate_stmt
    | discard_stmt
    | listen_stmt
    | unlisten_stmt
    | notify_stmt
    | copy_stmt
    | close_stmt
    | declare_stmt
    | fetch_stmt
    | role_stmt
    | explain_stmt
)
script = pp.Opt(statement) + pp.ZeroOrMore(SEMI + pp.Opt(statement)) + pp.StringEnd()
script.parse_with_tabs()

# What PostgreSQL's lexer would call the next token, for "syntax error at or near".
_TOKEN = re.compile(
    r"""\s*(?:--[^\n]*\n?\s*|/\*.*?\*/\s*)*(?P<tok>[eE]?'(?:[^']|'')*'?|"(?:[^"]|"")*"?|"""
    r"""[A-Za-z_\u0080-\uffff][A-Za-z0-9_$\u0080-\uffff]*|\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+|"""
    r"""::|[-+*/<>=~!@#%^&|`?]+|.)?""",
    re.S,
)


def parse(text: str) -> list[ast.Node]:
    """Parse a whole Query string; a syntax error anywhere means nothing runs (as in PostgreSQL)."""
    try:
        return list(script.parse_string(lexer.blank_comments(text), parse_all=True))
    except pp.ParseBaseException as exc:
        raise _syntax_error(text, exc) from None


def _syntax_error(text: str, exc: pp.ParseBaseException) -> errors.PgError:
    if exc.msg == "zero-length delimited identifier":
        return errors.PgError(
            errors.SYNTAX_ERROR, 'zero-length delimited identifier at or near """"', position=exc.loc + 1
        )
    match = _TOKEN.match(text, exc.loc)
    token = match.group("tok") if match else None
    if not token:
        return errors.PgError(errors.SYNTAX_ERROR, "syntax error at end of input", position=len(text) + 1)
    if token[0] == "'" and (len(token) == 1 or token[-1] != "'"):
        return errors.PgError(
            errors.SYNTAX_ERROR,
            "unterminated quoted string at or near " + _quote(token),
            position=match.start("tok") + 1,
        )
    return errors.PgError(
        errors.SYNTAX_ERROR, f"syntax error at or near {_quote(token)}", position=match.start("tok") + 1
    )


def _quote(token: str) -> str:
    return '"' + token + '"'
