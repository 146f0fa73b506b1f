"""Checks an expression tree against the form's fields: every id exists and every operator
and function gets values of a fitting kind."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from collector.schema.errors import Issue
from collector.schema.expressions import Binary, Call, Literal, Node, Reference, Unary
from collector.schema.types import ValueKind
from collector.unit_catalog import FIGURE_KINDS, SCHOOL_TYPES

K = ValueKind
AGGREGATES = frozenset({"sum", "count", "min", "max"})
# What is known of a unit apart from its answers: usable per response and over units.
UNIT_FUNCTIONS = frozenset({"figure", "teaches", "school_type"})
UNIT_AGGREGATES = frozenset({"count_units", "sum_units"})
INDICATOR_ONLY = frozenset({"share", "count_if", "mean"}) | UNIT_FUNCTIONS | UNIT_AGGREGATES
FUNCTIONS = AGGREGATES | INDICATOR_ONLY | {"selected"}


# Calls that speak of a whole group (a school's, a municipality's, a region's responses).
GROUP_AGGREGATES = AGGREGATES | {"count_if", "share", "mean", "count_units", "sum_units"}


def _calls(node: Node) -> list[Call]:
    if isinstance(node, Call):
        return [node, *(c for a in node.args for c in _calls(a))]
    if isinstance(node, Unary):
        return _calls(node.operand)
    if isinstance(node, Binary):
        return _calls(node.left) + _calls(node.right)
    return []


def speaks_of_groups(node: Node) -> bool:
    """True when the expression aggregates over a group (so it is evaluated per group,
    not per unit): a bare figure() alone does not make it so."""
    return any(c.name in GROUP_AGGREGATES for c in _calls(node))


def bare_unit_calls(node: Node, inside: bool = False) -> list[str]:
    """teaches()/school_type() outside every group aggregate: in a group expression they
    would have no unit to speak of."""
    if isinstance(node, Call):
        found = [node.name] if node.name in ("teaches", "school_type") and not inside else []
        inner = inside or node.name in GROUP_AGGREGATES
        return found + [n for a in node.args for n in bare_unit_calls(a, inner)]
    if isinstance(node, Unary):
        return bare_unit_calls(node.operand, inside)
    if isinstance(node, Binary):
        return bare_unit_calls(node.left, inside) + bare_unit_calls(node.right, inside)
    return []


@dataclass(frozen=True)
class Symbol:
    kind: ValueKind
    options: frozenset[str] | None = None
    # A table column: a list of values, usable only inside an aggregate.
    column_of_table: bool = False


@dataclass
class Checker:
    symbols: Mapping[str, Symbol]
    path: str
    indicator: bool = False
    issues: list[Issue] = field(default_factory=list)

    def fail(self, code: str, message: str) -> ValueKind:
        self.issues.append(Issue(self.path, code, message))
        return K.ANY

    def check(self, node: Node, inside_aggregate: bool = False) -> ValueKind:
        if isinstance(node, Literal):
            return self.literal(node)
        if isinstance(node, Reference):
            return self.reference(node, inside_aggregate)
        if isinstance(node, Unary):
            return self.unary(node)
        if isinstance(node, Binary):
            return self.binary(node)
        return self.call(node)

    @staticmethod
    def literal(node: Literal) -> ValueKind:
        if node.value is None:
            return K.NULL
        if isinstance(node.value, bool):
            return K.BOOL
        if isinstance(node.value, Decimal):
            return K.NUMBER
        return K.TEXT

    def reference(self, node: Reference, inside_aggregate: bool) -> ValueKind:
        symbol = self.symbols.get(node.dotted)
        if symbol is None:
            return self.fail("unknown_reference", f"no field, cell or column {node.dotted!r}")
        if symbol.column_of_table and not inside_aggregate:
            return self.fail(
                "type_mismatch", f"table column {node.dotted!r} needs sum/count/min/max around it"
            )
        if symbol.kind in (K.GRID, K.TABLE, K.RECORD) and not inside_aggregate:
            return self.fail(
                "type_mismatch", f"{node.dotted!r} is a {symbol.kind}; use its cells or count()"
            )
        return symbol.kind

    def expect(self, node: Node, wanted: set[ValueKind], what: str) -> ValueKind:
        kind = self.check(node)
        if kind not in wanted | {K.ANY, K.NULL}:
            return self.fail(
                "type_mismatch", f"{what} needs {' or '.join(sorted(wanted))}, got {kind}"
            )
        return kind

    def unary(self, node: Unary) -> ValueKind:
        if node.op == "not":
            self.expect(node.operand, {K.BOOL}, "'not'")
            return K.BOOL
        self.expect(node.operand, {K.NUMBER}, "'-'")
        return K.NUMBER

    def binary(self, node: Binary) -> ValueKind:
        if node.op in ("and", "or"):
            self.expect(node.left, {K.BOOL}, f"'{node.op}'")
            self.expect(node.right, {K.BOOL}, f"'{node.op}'")
            return K.BOOL
        if node.op in ("+", "-", "*", "/"):
            self.expect(node.left, {K.NUMBER}, f"'{node.op}'")
            self.expect(node.right, {K.NUMBER}, f"'{node.op}'")
            return K.NUMBER
        if node.op in ("<", "<=", ">", ">="):
            left = self.expect(node.left, {K.NUMBER, K.DATE}, f"'{node.op}'")
            right = self.expect(node.right, {K.NUMBER, K.DATE}, f"'{node.op}'")
            if K.ANY not in (left, right) and K.NULL not in (left, right) and left != right:
                self.fail("type_mismatch", f"'{node.op}' compares {left} with {right}")
            return K.BOOL
        return self.equality(node)

    def equality(self, node: Binary) -> ValueKind:
        left, right = self.check(node.left), self.check(node.right)
        kinds = {left, right}
        if K.ANY in kinds or K.NULL in kinds or left == right:
            pass
        elif kinds == {K.CHOICE, K.TEXT}:
            choice, literal = (
                (node.left, node.right) if left == K.CHOICE else (node.right, node.left)
            )
            self.check_option(choice, literal)
        else:
            self.fail("type_mismatch", f"'{node.op}' compares {left} with {right}")
        return K.BOOL

    def check_option(self, choice: Node, literal: Node) -> None:
        if not (isinstance(choice, Reference) and isinstance(literal, Literal)):
            return
        symbol = self.symbols.get(choice.dotted)
        if symbol and symbol.options is not None and literal.value not in symbol.options:
            self.fail("unknown_option", f"{choice.dotted!r} has no option {literal.value!r}")

    def call(self, node: Call) -> ValueKind:
        if node.name not in FUNCTIONS:
            return self.fail("unknown_function", f"no function {node.name!r}")
        if node.name in INDICATOR_ONLY and not self.indicator:
            return self.fail("function_not_allowed", f"{node.name}() is only for indicators")
        handler = getattr(self, f"call_{node.name}", None)
        if handler is not None:
            result: ValueKind = handler(node)
            return result
        return self.aggregate(node)

    def arity(self, node: Call, low: int, high: int) -> bool:
        if not low <= len(node.args) <= high:
            self.fail(
                "function_arity",
                f"{node.name}() takes {low}–{high} arguments, got {len(node.args)}",
            )
            return False
        return True

    def aggregate(self, node: Call) -> ValueKind:
        if not self.arity(node, 1, 100):
            return K.NUMBER
        for arg in node.args:
            kind = self.check(arg, inside_aggregate=True)
            if node.name == "count":
                continue
            if kind not in (K.NUMBER, K.ANY, K.NULL):
                self.fail("type_mismatch", f"{node.name}() needs numbers, got {kind}")
        return K.NUMBER

    def call_selected(self, node: Call) -> ValueKind:
        if self.arity(node, 2, 2):
            kind = self.check(node.args[0])
            if kind not in (K.CHOICES, K.ANY):
                self.fail("type_mismatch", f"selected() needs a multiple choice, got {kind}")
            value = node.args[1]
            if not (isinstance(value, Literal) and isinstance(value.value, str)):
                self.fail("type_mismatch", "selected() needs an option value in quotes")
            elif isinstance(node.args[0], Reference):
                symbol = self.symbols.get(node.args[0].dotted)
                if symbol and symbol.options is not None and value.value not in symbol.options:
                    self.fail(
                        "unknown_option", f"{node.args[0].dotted!r} has no option {value.value!r}"
                    )
        return K.BOOL

    def call_share(self, node: Call) -> ValueKind:
        if self.arity(node, 1, 1):
            self.expect(node.args[0], {K.BOOL}, "share()")
        return K.NUMBER

    def call_count_if(self, node: Call) -> ValueKind:
        if self.arity(node, 1, 1):
            self.expect(node.args[0], {K.BOOL}, "count_if()")
        return K.NUMBER

    def call_mean(self, node: Call) -> ValueKind:
        if self.arity(node, 1, 1):
            self.expect(node.args[0], {K.NUMBER}, "mean()")
        return K.NUMBER

    def call_teaches(self, node: Call) -> ValueKind:
        if self.arity(node, 1, 2):
            self.grades(node, node.args)
        return K.BOOL

    def call_school_type(self, node: Call) -> ValueKind:
        if not self.arity(node, 1, 20):
            return K.BOOL
        for arg in node.args:
            if not (isinstance(arg, Literal) and isinstance(arg.value, str)):
                self.fail("type_mismatch", "school_type() needs school types in quotes")
            elif arg.value not in SCHOOL_TYPES:
                known = ", ".join(SCHOOL_TYPES)
                self.fail("unknown_school_type", f"no school type {arg.value!r} (known: {known})")
        return K.BOOL

    def unit_expression(self, node: Node) -> None:
        """count_units()/sum_units() read each expected unit, answered or not: only
        literals, operators and the unit functions."""
        if isinstance(node, Reference) or (
            isinstance(node, Call) and node.name not in UNIT_FUNCTIONS
        ):
            name = node.dotted if isinstance(node, Reference) else f"{node.name}()"
            self.fail(
                "not_a_unit_expression",
                f"{name} is not known of a unit that did not answer; use figure(), "
                "teaches() or school_type()",
            )
            return
        if isinstance(node, Unary):
            self.unit_expression(node.operand)
        elif isinstance(node, Binary):
            self.unit_expression(node.left)
            self.unit_expression(node.right)

    def call_count_units(self, node: Call) -> ValueKind:
        if self.arity(node, 0, 1) and node.args:
            self.expect(node.args[0], {K.BOOL}, "count_units()")
            self.unit_expression(node.args[0])
        return K.NUMBER

    def call_sum_units(self, node: Call) -> ValueKind:
        if self.arity(node, 2, 2):
            self.expect(node.args[0], {K.NUMBER}, "sum_units()")
            self.expect(node.args[1], {K.BOOL}, "sum_units() condition")
            self.unit_expression(node.args[0])
            self.unit_expression(node.args[1])
        return K.NUMBER

    def grades(self, node: Call, grades: tuple[Node, ...] | list[Node]) -> None:
        numbers = [g.value for g in grades if isinstance(g, Literal)]
        if len(numbers) == 2 and all(isinstance(n, Decimal) for n in numbers):
            if numbers[0] > numbers[1]:  # type: ignore[operator]
                self.fail("type_mismatch", f"{node.name}() grades run from low to high")
        for grade in grades:
            if not (
                isinstance(grade, Literal)
                and isinstance(grade.value, Decimal)
                and grade.value == int(grade.value)
                and 1 <= grade.value <= 12
            ):
                self.fail("type_mismatch", f"{node.name}() grades are whole numbers 1–12")

    def call_figure(self, node: Call) -> ValueKind:
        if not self.arity(node, 1, 3):
            return K.NUMBER
        key, *grades = node.args
        if not (isinstance(key, Literal) and isinstance(key.value, str)):
            self.fail("type_mismatch", "figure() needs a figure name in quotes")
        elif key.value not in FIGURE_KINDS:
            self.fail("unknown_figure", f"no reference figure {key.value!r}")
        self.grades(node, grades)
        return K.NUMBER
