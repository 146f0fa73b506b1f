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
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

KEYWORDS = frozenset({"and", "or", "not", "true", "false", "null"})
MAX_DEPTH = 40
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
    """A syntax error, with the character offset where it was found."""

    def __init__(self, message: str, position: int) -> None:
        super().__init__(message)
        self.position = position


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


def tokenize(source: str) -> list[Token]:
    tokens: list[Token] = []
    position = 0
    while position < len(source):
        match = _TOKEN.match(source, position)
        if match is None:
            raise ExpressionError(f"unexpected character {source[position]!r}", position)
        kind = match.lastgroup or ""
        if kind != "space":
            tokens.append(Token(kind, match.group(), position))
        position = match.end()
    tokens.append(Token("end", "", len(source)))
    return tokens


class _Parser:
    def __init__(self, source: str) -> None:
        self.tokens = tokenize(source)
        self.index = 0
        self.depth = 0

    @property
    def current(self) -> Token:
        return self.tokens[self.index]

    def take(self) -> Token:
        token = self.current
        self.index += 1
        return token

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

    def or_(self) -> Node:
        node = self.and_()
        while self.accept("or"):
            node = Binary("or", node, self.and_())
        return node

    def and_(self) -> Node:
        node = self.not_()
        while self.accept("and"):
            node = Binary("and", node, self.not_())
        return node

    def not_(self) -> Node:
        if token := self.accept("not"):
            self.depth += 1
            if self.depth > MAX_DEPTH:
                raise ExpressionError("the expression nests too deeply", token.position)
            try:
                return Unary("not", self.not_())
            finally:
                self.depth -= 1
        return self.comparison()

    def comparison(self) -> Node:
        node = self.sum()
        token = self.current
        if token.kind == "op" and token.text in COMPARISONS:
            self.take()
            op = "==" if token.text == "=" else token.text
            node = Binary(op, node, self.sum())
            following = self.current
            if following.kind == "op" and following.text in COMPARISONS:
                raise ExpressionError("comparisons cannot be chained", following.position)
        return node

    def sum(self) -> Node:
        node = self.term()
        while token := self.accept("+", "-"):
            node = Binary(token.text, node, self.term())
        return node

    def term(self) -> Node:
        node = self.unary()
        while token := self.accept("*", "/"):
            node = Binary(token.text, node, self.unary())
        return node

    def unary(self) -> Node:
        # Each nesting level costs several Python frames: refuse absurd depths clearly
        # instead of running out of stack.
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise ExpressionError("the expression nests too deeply", self.current.position)
        try:
            if self.accept("-"):
                return Unary("-", self.unary())
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
                return Call(token.text, self.arguments())
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
