"""The expression grammar: precedence, literals, references, errors with positions."""

from __future__ import annotations

from decimal import Decimal

import pytest

from collector.schema.expressions import (
    Binary,
    Call,
    ExpressionError,
    Literal,
    Reference,
    Unary,
    parse,
    references,
)


def test_precedence_and_associativity():
    tree = parse("a + b * c - d")
    assert tree == Binary(
        "-",
        Binary("+", Reference(("a",)), Binary("*", Reference(("b",)), Reference(("c",)))),
        Reference(("d",)),
    )


def test_logic_binds_looser_than_comparison():
    tree = parse("not a > 1 and b = 'да' or c")
    assert isinstance(tree, Binary) and tree.op == "or"
    left = tree.left
    assert isinstance(left, Binary) and left.op == "and"
    assert left.left == Unary("not", Binary(">", Reference(("a",)), Literal(Decimal(1))))
    assert left.right == Binary("==", Reference(("b",)), Literal("да"))


def test_literals_and_dotted_references():
    assert parse('"кавычка \\" внутри"') == Literal('кавычка " внутри')
    assert parse("2.50") == Literal(Decimal("2.50"))
    assert parse("null") == Literal(None)
    assert parse("people.pupils.count") == Reference(("people", "pupils", "count"))
    assert parse("figure('pupils', 6, 9)") == Call(
        "figure", (Literal("pupils"), Literal(Decimal(6)), Literal(Decimal(9)))
    )


def test_references_are_listed_in_order():
    tree = parse("sum(t.c) / total > share(x)")
    assert [r.dotted for r in references(tree)] == ["t.c", "total", "x"]


@pytest.mark.parametrize(
    ("source", "position"),
    [
        ("", 0),
        ("a +", 3),
        ("a < b < c", 6),
        ("(a", 2),
        ("a $ b", 2),
        ("f(a,)", 4),
        ("a.", 2),
        ("and", 0),
    ],
)
def test_syntax_errors_carry_their_position(source, position):
    with pytest.raises(ExpressionError) as caught:
        parse(source)
    assert caught.value.position == position
