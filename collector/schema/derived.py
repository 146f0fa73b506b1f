"""Values worked out from the answers and shown beside the fields: totals and remainders.

The schema declares no derived value of its own; they follow from what it declares:
each field kind says what it adds up (`FieldKind.derived`: a grid's column totals over
its rows and row totals over its number columns, a table's column sums), and a group of
parts of a total (a rule with `parts` and `total`) shows what is left of the total after
its parts («осталось 1 из 3»: total − the sum of the answered parts).

Each is a few expressions of the form's grammar: the server works them out here for the
page as stored (a page without scripts shows them so), and the page's script
(collector/static/expressions.js: `derivedValues`) works out the same trees from the JSON
block (collector.schema.live) as the user types. Both read the answers the server keeps
(those of visible questions), with the hidden values of the fields hidden for sure, as
the rules read them. Nothing here is stored or counted: indicators compute from the
answers. Pure: no Flask.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from collector.marks import mark_for_translation
from collector.schema.evaluate import context, evaluate, visible_field_ids
from collector.schema.expressions import Binary, Call, Literal, Reference
from collector.schema.kinds import kind_of
from collector.schema.kinds.base import Derived, Translate
from collector.schema.spec import FormSpec

# What is left of a group's total after its parts.
LEFT_TEXT = mark_for_translation("Left: %(left)s of %(total)s")


def derived(spec: FormSpec) -> list[Derived]:
    """The form's derived values: its fields' (in their order), then its groups'."""
    found: list[Derived] = []
    for field in spec.fields:
        found += kind_of(field.type).derived(field)
    for rule in spec.rules:
        if rule.parts and rule.total is not None:
            parts = Call(
                "sum", (*(Reference(tuple(p.split("."))) for p in rule.parts), Literal(Decimal(0)))
            )
            total = Reference(tuple(rule.total.split(".")))
            left = Binary("-", total, parts)
            head = rule.parts[-1].split(".")[0]
            found.append(
                Derived(f"rule.{rule.id}", head, LEFT_TEXT, (("left", left), ("total", total)))
            )
    return found


def derived_values(
    spec: FormSpec, answers: Mapping[str, Any]
) -> dict[str, dict[str, Decimal] | None]:
    """Per derived value (by key): its numbers by name, or None when one is unknown (a
    total not answered). The answers of hidden questions are not read."""
    items = derived(spec)
    if not items:
        return {}
    visible = visible_field_ids(spec, answers)
    values = context(spec, {k: v for k, v in answers.items() if k in visible})
    found: dict[str, dict[str, Decimal] | None] = {}
    for item in items:
        numbers = {name: evaluate(tree, values) for name, tree in item.terms}
        known = all(isinstance(n, Decimal) and n.is_finite() for n in numbers.values())
        found[item.key] = numbers if known else None
    return found


def decimal_mark(language: str) -> str:
    """How the page writes a number's fraction: «2,5» in Russian."""
    return "," if language == "ru" else "."


def shown_number(value: Decimal, mark: str) -> str:
    """A number as the page shows it, digit for digit as the script writes it."""
    return format(value, "f").replace(".", mark)


@dataclass(frozen=True)
class Line:
    """A derived value on a page: `template` for the script (its numbers as {name}),
    `text` as worked out for the answers given (None: not known, the line is hidden)."""

    key: str
    template: str
    text: str | None


def lines(
    spec: FormSpec, answers: Mapping[str, Any], language: str, translate: Translate
) -> dict[str, list[Line]]:
    """Per field id, the lines shown beside it."""
    values = derived_values(spec, answers)
    mark = decimal_mark(language)
    found: dict[str, list[Line]] = {}
    for item in derived(spec):
        labels = {name: text.get(language) for name, text in item.labels}
        template = translate(item.text, **labels, **{name: f"{{{name}}}" for name, _ in item.terms})
        numbers = values[item.key]
        text = (
            None
            if numbers is None
            else translate(
                item.text, **labels, **{n: shown_number(v, mark) for n, v in numbers.items()}
            )
        )
        found.setdefault(item.field_id, []).append(Line(item.key, template, text))
    return found
