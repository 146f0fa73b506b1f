"""Evaluating expressions over one response's answers: visibility and cross-field rules.

A missing answer is None and spreads: `part <= total` with no total is None, "cannot
tell", so a rule only fails on a definite False. Indicator functions (share, mean, figure)
work over many responses and belong to the indicator engine, not here.

The same evaluation defines what the indicator engine computes per response, vectorised
(collector.indicators.rows.RowEvaluator; tests/schema/test_evaluators_agree.py holds the
two together), with one documented difference: in an indicator, `=` and `!=` with a
missing side are unknown too (`share(choice = "yes")` counts among those who answered),
where a rule or a condition reads them as a definite answer (an empty field is not "yes").
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from collector.schema.expressions import (
    Binary,
    Call,
    Literal,
    Node,
    Reference,
    Unary,
    references,
)
from collector.schema.kinds import kind_of
from collector.schema.spec import FormSpec, RuleSpec
from collector.schema.values import finite_decimal, stored_number

Value = Any
Answers = Mapping[str, Any]

COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}
ARITHMETIC: dict[str, Callable[[Decimal, Decimal], Decimal]] = {
    "+": operator.add,
    "-": operator.sub,
    "*": operator.mul,
}


def _number(value: Value) -> Decimal | None:
    """A value as a number, or None (unknown): a stored value no door accepts now
    (NaN, past 2^53, …) is unknown too, never an error. A literal or a value computed
    here is a number already: bounding it again would make `a * b` unknown wherever the
    product passes 10^17, where the indicator engine (float64) has its value."""
    if isinstance(value, Decimal):
        return value if value.is_finite() else None
    if value is None or isinstance(value, bool) or isinstance(value, list | dict):
        return None
    if stored_number(value)[0] is None:
        # What the indicator engine reads as missing (past 10^15 as text, past 2^53).
        return None
    return finite_decimal(str(value))


def _date(value: str) -> date | None:
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def context(spec: FormSpec, answers: Answers) -> dict[str, Value]:
    """Dotted names -> values, as expressions see them: the answers, and the declared
    value of each field hidden by a definitely false condition (hidden_values)."""
    return _with_hidden_values(spec, _typed(spec, answers))


def _with_hidden_values(spec: FormSpec, typed: dict[str, Value]) -> dict[str, Value]:
    values = dict(typed)
    values.update(hidden_values(spec, typed))
    return values


def _typed(spec: FormSpec, answers: Answers) -> dict[str, Value]:
    """The answers as expressions see them, nothing added."""
    values: dict[str, Value] = {}
    for field in spec.fields:
        kind = kind_of(field.type)
        answer = answers.get(field.id)
        values[field.id] = kind.readable(answer)
        values.update(kind.context(field, answer))
    return values


def hidden_conditions(spec: FormSpec) -> dict[str, tuple[Node, ...]]:
    """Per field declaring a `hidden_value`: the conditions that hide it (its section's
    visible_if and its own)."""
    return {
        field.id: tuple(c for c in (section.visible_if, field.visible_if) if c is not None)
        for section in spec.sections
        for field in section.fields
        if field.hidden_value is not None
    }


def hidden_values(spec: FormSpec, values: Mapping[str, Value]) -> dict[str, Decimal]:
    """The declared `hidden_value` of each field one of whose conditions is definitely
    false for these answers (a part of a zero total is 0), whatever is stored for it.
    The conditions are read from the answers alone and as an indicator reads them (a
    missing answer compared is unknown, and hides nothing for sure): the engine reads
    them so too (collector.indicators.rows.with_hidden_values)."""
    found: dict[str, Decimal] = {}
    for field_id, conditions in hidden_conditions(spec).items():
        if any(evaluate(c, values, indicator=True) is False for c in conditions):
            hidden = spec.field(field_id).hidden_value
            assert hidden is not None
            found[field_id] = hidden
    return found


def _flatten(values: list[Value]) -> list[Value]:
    flat: list[Value] = []
    for value in values:
        flat.extend(value if isinstance(value, list) else [value])
    return flat


def _answered(value: Value) -> bool:
    return value not in (None, "", [], {})


def evaluate(node: Node, values: Mapping[str, Value], *, indicator: bool = False) -> Value:
    """The expression's value for one response; `indicator`: as inside an indicator's
    group function (a missing side of `=` or `!=` gives unknown, see above)."""
    if isinstance(node, Literal):
        return node.value
    if isinstance(node, Reference):
        return values.get(node.dotted)
    if isinstance(node, Unary):
        operand = evaluate(node.operand, values, indicator=indicator)
        if operand is None:
            return None
        if node.op == "not":
            return not operand
        number = _number(operand)
        return None if number is None else -number
    if isinstance(node, Binary):
        return _binary(node, values, indicator)
    return _call(node, values, indicator)


def _binary(node: Binary, values: Mapping[str, Value], indicator: bool) -> Value:
    left = evaluate(node.left, values, indicator=indicator)
    if node.op in ("and", "or"):
        right = evaluate(node.right, values, indicator=indicator)
        # Three-valued logic: False and unknown is False; True or unknown is True.
        if node.op == "and":
            if left is False or right is False:
                return False
            return None if left is None or right is None else True
        if left is True or right is True:
            return True
        return None if left is None or right is None else False
    right = evaluate(node.right, values, indicator=indicator)
    if node.op in ("==", "!="):
        if left is None or right is None:
            if indicator:
                return None
            equal = left is None and right is None
        elif (
            # Two texts compare as texts ("1.0" is not "1"); numbers of a number field
            # reach here typed (FieldKind.readable), so a decimal's "12.50" equals 12.5.
            not (isinstance(left, str) and isinstance(right, str))
            and _number(left) is not None
            and _number(right) is not None
        ):
            equal = _number(left) == _number(right)
        else:
            equal = left == right
        return equal if node.op == "==" else not equal
    if left is None or right is None:
        return None
    if isinstance(left, str) and isinstance(right, str) and node.op in COMPARE:
        # Dates are stored as ISO text and compare as dates; other text cannot compare.
        first, second = _date(left), _date(right)
        return None if first is None or second is None else COMPARE[node.op](first, second)
    a, b = _number(left), _number(right)
    if a is None or b is None:
        return None
    if node.op in COMPARE:
        return COMPARE[node.op](a, b)
    if node.op == "/":
        return None if b == 0 else a / b
    return ARITHMETIC[node.op](a, b)


def _call(node: Call, values: Mapping[str, Value], indicator: bool) -> Value:
    args = [evaluate(arg, values, indicator=indicator) for arg in node.args]
    if node.name == "selected":
        chosen, option = args
        return None if chosen is None else option in chosen
    flat = _flatten(args)
    if node.name == "count":
        return Decimal(sum(1 for value in flat if _answered(value)))
    numbers = [n for n in (_number(v) for v in flat) if n is not None]
    if node.name == "sum":
        return sum(numbers, Decimal(0)) if numbers else None
    if node.name == "min":
        return min(numbers) if numbers else None
    if node.name == "max":
        return max(numbers) if numbers else None
    raise ValueError(f"{node.name}() is evaluated by the indicator engine")


@dataclass(frozen=True)
class RuleFailure:
    rule: RuleSpec
    fields: tuple[str, ...]


def visible_field_ids(spec: FormSpec, answers: Answers) -> set[str]:
    """Fields shown for these answers: a condition that is not definitely true hides.
    What is shown depends on what was typed, not on hidden values."""
    return _visible(spec, _typed(spec, answers))


def _visible(spec: FormSpec, values: Mapping[str, Value]) -> set[str]:
    visible: set[str] = set()
    for section in spec.sections:
        if section.visible_if is not None and evaluate(section.visible_if, values) is not True:
            continue
        visible.update(
            f.id
            for f in section.fields
            if f.visible_if is None or evaluate(f.visible_if, values) is True
        )
    return visible


def rule_fields(rule: RuleSpec) -> tuple[str, ...]:
    """The fields a failed rule's message goes beside: its own list, or without one the
    first field it names."""
    return rule.fields or tuple(r.path[0] for r in references(rule.check))[:1]


def failed_rules(
    spec: FormSpec, answers: Answers, shown: set[str] | None = None
) -> list[RuleFailure]:
    """Rules definitely broken by these answers, but for a rule whose fields are all
    hidden: nobody is asked them, and a hidden value read in their place (a part of a
    zero total is 0) must not refuse what the respondent cannot see."""
    # The answers typed once for both: what is shown, and what the checks read.
    typed = _typed(spec, answers)
    values = _with_hidden_values(spec, typed)
    # `shown`: visible_field_ids of exactly these answers, when the caller has it.
    shown = _visible(spec, typed) if shown is None else shown
    failures = []
    for rule in spec.rules:
        fields = rule_fields(rule)
        if fields and not any(f.split(".")[0] in shown for f in fields):
            continue
        if evaluate(rule.check, values) is False:
            failures.append(RuleFailure(rule, fields))
    return failures


def is_answered(value: Value) -> bool:
    return _answered(value)
