"""The small expression language shared by visibility conditions, cross-field rules and
indicator formulas. It is tokenised and parsed here into a tree, then type-checked against
the form's fields; nothing is ever handed to `eval`.

    expr  := or
    or    := and ("or" and)*
    and   := not ("and" not)*
    not   := "not" not | cmp
    cmp   := sum (("=" | "==" | "!=" | "<" | "<=" | ">" | ">=") sum)?
    sum   := term (("+" | "-") term)*
    term  := unary (("*" | "/") unary)*
    unary := "-" unary | atom
    atom  := NUMBER | STRING | "true" | "false" | "null"
           | NAME ("." NAME)*            a field, a grid cell (grid.row.column)
           | NAME "(" [expr ("," expr)*] ")"   a function
           | "(" expr ")"

An expression is bounded before anything walks it: at most MAX_LENGTH characters and
MAX_TOKENS tokens (`expression_too_long`), and a tree at most MAX_DEPTH levels high
(`expression_too_deep`). The parser reads a chain `a + b + …` in a loop, but the tree it
builds is as high as the chain is long, and every walker of a tree (type checks, the
evaluators, the indicator engine, comparing two trees) recurses once per level: the height
bound is what keeps all of them far from Python's recursion limit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

KEYWORDS = frozenset({"and", "or", "not", "true", "false", "null"})
# The meta-schema's maxLength of an expression; the longest of the seeds is 405 characters.
MAX_LENGTH = 2000
# Names, numbers, strings and operators; the seeds use at most 86.
MAX_TOKENS = 500
# Levels of the tree (a chain of n operators is n levels; parentheses, "not" and "-" nest
# too); the seeds reach 9.
MAX_DEPTH = 50
SYNTAX = "expression_syntax"
TOO_LONG = "expression_too_long"
TOO_DEEP = "expression_too_deep"
COMPARISONS = frozenset({"=", "==", "!=", "<", "<=", ">", ">="})

_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<number>\d+(?:\.\d+)?)
  | (?P<string>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<op><=|>=|==|!=|[-+*/()<>=,.])
    """,
    re.VERBOSE,
)


class ExpressionError(ValueError):
    """An expression refused, with the character offset where it was found and the
    compiler's code: a syntax error, or an expression past the bounds above."""

    def __init__(self, message: str, position: int, code: str = SYNTAX) -> None:
        super().__init__(message)
        self.position = position
        self.code = code


def _too_deep(position: int) -> ExpressionError:
    return ExpressionError(
        f"the expression nests more than {MAX_DEPTH} levels deep (each operator of a chain "
        "is a level): group a long chain in parentheses or use sum(…)",
        position,
        TOO_DEEP,
    )


@dataclass(frozen=True)
class Token:
    kind: str  # number, string, name, op, end
    text: str
    position: int


@dataclass(frozen=True)
class Literal:
    value: Decimal | str | bool | None


@dataclass(frozen=True)
class Reference:
    path: tuple[str, ...]  # ("field",) or ("grid", "row", "column")

    @property
    def dotted(self) -> str:
        return ".".join(self.path)


@dataclass(frozen=True)
class Unary:
    op: str  # "-" or "not"
    operand: Node


@dataclass(frozen=True)
class Binary:
    op: str
    left: Node
    right: Node


@dataclass(frozen=True)
class Call:
    name: str
    args: tuple[Node, ...]


Node = Literal | Reference | Unary | Binary | Call

# What may make a value fractional even when every count and sum under it is whole.
FRACTIONAL_OPERATORS = frozenset({"/"})
FRACTIONAL_CALLS = frozenset({"mean", "share"})


def may_be_fractional(node: Node) -> bool:
    """Whether the expression divides or averages anywhere (a count or a sum of counts
    does neither)."""
    if isinstance(node, Binary):
        return (
            node.op in FRACTIONAL_OPERATORS
            or may_be_fractional(node.left)
            or may_be_fractional(node.right)
        )
    if isinstance(node, Unary):
        return may_be_fractional(node.operand)
    if isinstance(node, Call):
        return node.name in FRACTIONAL_CALLS or any(may_be_fractional(a) for a in node.args)
    if isinstance(node, Literal):
        return isinstance(node.value, Decimal) and node.value != node.value.to_integral_value()
    return False


def tokenize(source: str) -> list[Token]:
    if len(source) > MAX_LENGTH:
        raise ExpressionError(
            f"the expression is {len(source)} characters long; at most {MAX_LENGTH}",
            MAX_LENGTH,
            TOO_LONG,
        )
    tokens: list[Token] = []
    position = 0
    while position < len(source):
        match = _TOKEN.match(source, position)
        if match is None:
            raise ExpressionError(f"unexpected character {source[position]!r}", position)
        kind = match.lastgroup or ""
        if kind != "space":
            if len(tokens) == MAX_TOKENS:
                raise ExpressionError(
                    f"the expression has more than {MAX_TOKENS} names, numbers and "
                    "operators; split it",
                    position,
                    TOO_LONG,
                )
            tokens.append(Token(kind, match.group(), position))
        position = match.end()
    tokens.append(Token("end", "", len(source)))
    return tokens


class _Parser:
    def __init__(self, source: str) -> None:
        self.tokens = tokenize(source)
        self.index = 0
        # Nesting of the parser's own recursion (parentheses, "not", "-").
        self.depth = 0
        # The height of each node built (by id: the tree keeps every node alive).
        self.heights: dict[int, int] = {}

    @property
    def current(self) -> Token:
        return self.tokens[self.index]

    def take(self) -> Token:
        token = self.current
        self.index += 1
        return token

    def built(self, node: Node, position: int, *children: Node) -> Node:
        """A node made of `children`, refused when the tree grows past MAX_DEPTH."""
        height = 1 + max((self.heights.get(id(child), 1) for child in children), default=0)
        if height > MAX_DEPTH:
            raise _too_deep(position)
        self.heights[id(node)] = height
        return node

    def nest(self, position: int) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise _too_deep(position)

    def accept(self, *texts: str) -> Token | None:
        token = self.current
        if token.kind in ("op", "name") and token.text in texts:
            return self.take()
        return None

    def expect(self, text: str) -> Token:
        token = self.accept(text)
        if token is None:
            found = self.current.text or "end of expression"
            raise ExpressionError(f"expected {text!r}, found {found!r}", self.current.position)
        return token

    def parse(self) -> Node:
        if self.current.kind == "end":
            raise ExpressionError("the expression is empty", 0)
        node = self.or_()
        if self.current.kind != "end":
            raise ExpressionError(f"unexpected {self.current.text!r}", self.current.position)
        return node

    def binary(self, token: Token, op: str, left: Node, right: Node) -> Node:
        return self.built(Binary(op, left, right), token.position, left, right)

    def or_(self) -> Node:
        node = self.and_()
        while token := self.accept("or"):
            node = self.binary(token, "or", node, self.and_())
        return node

    def and_(self) -> Node:
        node = self.not_()
        while token := self.accept("and"):
            node = self.binary(token, "and", node, self.not_())
        return node

    def not_(self) -> Node:
        if token := self.accept("not"):
            self.nest(token.position)
            try:
                operand = self.not_()
                return self.built(Unary("not", operand), token.position, operand)
            finally:
                self.depth -= 1
        return self.comparison()

    def comparison(self) -> Node:
        node = self.sum()
        token = self.current
        if token.kind == "op" and token.text in COMPARISONS:
            self.take()
            op = "==" if token.text == "=" else token.text
            node = self.binary(token, op, node, self.sum())
            following = self.current
            if following.kind == "op" and following.text in COMPARISONS:
                raise ExpressionError("comparisons cannot be chained", following.position)
        return node

    def sum(self) -> Node:
        node = self.term()
        while token := self.accept("+", "-"):
            node = self.binary(token, token.text, node, self.term())
        return node

    def term(self) -> Node:
        node = self.unary()
        while token := self.accept("*", "/"):
            node = self.binary(token, token.text, node, self.unary())
        return node

    def unary(self) -> Node:
        # Each nesting level costs several Python frames: refuse absurd depths clearly
        # instead of running out of stack.
        self.nest(self.current.position)
        try:
            if token := self.accept("-"):
                operand = self.unary()
                return self.built(Unary("-", operand), token.position, operand)
            return self.atom()
        finally:
            self.depth -= 1

    def atom(self) -> Node:
        token = self.take()
        if token.kind == "number":
            return Literal(Decimal(token.text))
        if token.kind == "string":
            body = token.text[1:-1]
            return Literal(re.sub(r"\\(.)", r"\1", body))
        if token.kind == "op" and token.text == "(":
            node = self.or_()
            self.expect(")")
            return node
        if token.kind == "name":
            if token.text in ("true", "false"):
                return Literal(token.text == "true")
            if token.text == "null":
                return Literal(None)
            if token.text in KEYWORDS:
                raise ExpressionError(f"unexpected {token.text!r}", token.position)
            if self.accept("("):
                args = self.arguments()
                return self.built(Call(token.text, args), token.position, *args)
            path = [token.text]
            while self.accept("."):
                part = self.take()
                if part.kind != "name":
                    raise ExpressionError("expected a name after '.'", part.position)
                path.append(part.text)
            return Reference(tuple(path))
        found = token.text or "end of expression"
        raise ExpressionError(f"unexpected {found!r}", token.position)

    def arguments(self) -> tuple[Node, ...]:
        args: list[Node] = []
        if self.accept(")"):
            return ()
        while True:
            args.append(self.or_())
            if self.accept(")"):
                return tuple(args)
            self.expect(",")


def parse(source: str) -> Node:
    """Parse an expression into its tree; raises ExpressionError."""
    return _Parser(source).parse()


def references(node: Node) -> list[Reference]:
    """Every field reference in the tree, in order of appearance."""
    if isinstance(node, Reference):
        return [node]
    if isinstance(node, Unary):
        return references(node.operand)
    if isinstance(node, Binary):
        return references(node.left) + references(node.right)
    if isinstance(node, Call):
        return [ref for arg in node.args for ref in references(arg)]
    return []


def calls_of(node: Node, name: str, skipping: frozenset[str] = frozenset()) -> list[Call]:
    """Every call of the function `name` in the tree, in order of appearance; the
    arguments of the functions named in `skipping` are not searched."""
    if isinstance(node, Call):
        if node.name in skipping:
            return []
        found = [node] if node.name == name else []
        return found + [call for arg in node.args for call in calls_of(arg, name, skipping)]
    if isinstance(node, Unary):
        return calls_of(node.operand, name, skipping)
    if isinstance(node, Binary):
        return calls_of(node.left, name, skipping) + calls_of(node.right, name, skipping)
    return []


# A tree as JSON, for the browser's evaluator (collector/static/expressions.js), which
# reads exactly these shapes: numbers travel as text so that no digit is lost.
JsonTree = dict[str, "JsonTree | list[JsonTree] | str | bool | None"]


def to_json(node: Node) -> JsonTree:
    """The tree as plain JSON: {"num": "12.5"}, {"str": …}, {"bool": …}, {"null": None},
    {"ref": "grid.row.column"}, {"unary": "-" | "not", "a": …},
    {"binary": op, "l": …, "r": …}, {"call": name, "args": […]}."""
    if isinstance(node, Literal):
        value = node.value
        if isinstance(value, bool):
            return {"bool": value}
        if isinstance(value, Decimal):
            return {"num": str(value)}
        if isinstance(value, str):
            return {"str": value}
        return {"null": None}
    if isinstance(node, Reference):
        return {"ref": node.dotted}
    if isinstance(node, Unary):
        return {"unary": node.op, "a": to_json(node.operand)}
    if isinstance(node, Binary):
        return {"binary": node.op, "l": to_json(node.left), "r": to_json(node.right)}
    return {"call": node.name, "args": [to_json(arg) for arg in node.args]}
