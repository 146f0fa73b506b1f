"""Plausible answers for any form, for the demo: numbers in small ranges, yes mostly,
options at random, and then every rule of the form `a <= b` or `a >= n` repaired by
drawing `a` again within its bound, so that the answers pass the form's own checks.
Deterministic for a given random generator."""

from __future__ import annotations

import random
from datetime import date
from decimal import Decimal
from typing import Any

from collector.schema.evaluate import context, evaluate, failed_rules, visible_field_ids
from collector.schema.expressions import Binary, Literal, Reference
from collector.schema.spec import Column, FieldSpec, FormSpec

PHRASES = (
    "Техническое творчество",
    "Агроэкология",
    "Волонтёрство",
    "Школьное лесничество",
    "Медиацентр",
    "Ремонт и благоустройство",
)
PEOPLE = (
    ("Соколова Марина Петровна", "заместитель директора"),
    ("Орлов Дмитрий Алексеевич", "педагог-психолог"),
    ("Фёдорова Елена Ивановна", "заместитель директора по ВР"),
    ("Белов Сергей Николаевич", "учитель технологии"),
)


def _integer(rng: random.Random, low: Decimal | None, high: Decimal | None, scale: int) -> int:
    bottom = int(low) if low is not None else 0
    top = int(high) if high is not None else bottom + scale
    return rng.randint(bottom, max(bottom, min(top, bottom + scale)))


def _cell(rng: random.Random, column: Column, scale: int) -> Any:
    if column.type == "integer":
        return _integer(rng, column.min, column.max, scale)
    if column.type == "decimal":
        return str(Decimal(rng.randint(0, scale * 100)) / 100)
    if column.type == "yes_no":
        return rng.random() < 0.7
    if column.options:
        return rng.choice(column.options).value
    return rng.choice(PHRASES)


def _value(rng: random.Random, field: FieldSpec, scale: int, as_of: date) -> Any:
    kind = field.type
    if kind == "integer":
        return _integer(rng, field.min, field.max, scale)
    if kind == "decimal":
        return str(Decimal(rng.randint(0, scale * 100)) / 100)
    if kind == "yes_no":
        return rng.random() < 0.75
    if kind in ("single_choice", "rating") and field.options:
        return rng.choice(field.options).value
    if kind == "multiple_choice":
        return [o.value for o in rng.sample(field.options, rng.randint(1, len(field.options)))]
    if kind == "grid":
        return {
            row.value: {c.id: _cell(rng, c, scale) for c in field.columns} for row in field.rows
        }
    if kind == "table":
        rows = rng.randint(field.min_rows or 1, min(field.max_rows or 3, 3))
        return [{c.id: _cell(rng, c, scale) for c in field.columns} for _ in range(rows)]
    if kind == "date":
        return as_of.isoformat()
    if kind == "person":
        name, position = rng.choice(PEOPLE)
        return {"full_name": name, "position": position, "phone": "+7 4842 55-00-00"}
    if kind in ("text", "long_text"):
        return rng.choice(PHRASES) if field.required else None
    return None


def synthesise(
    spec: FormSpec, rng: random.Random, *, scale: int = 30, as_of: date | None = None
) -> dict[str, Any]:
    """A full set of answers that passes the form's rules (as far as they are `a <= b`
    or `a >= n`); fields hidden by the answers are left out."""
    as_of = as_of or date.today()
    answers = {
        f.id: value for f in spec.fields if (value := _value(rng, f, scale, as_of)) is not None
    }
    for _attempt in range(10):
        failures = failed_rules(spec, answers)
        if not failures:
            break
        values = context(spec, answers)
        for failure in failures:
            check = failure.rule.check
            if not (isinstance(check, Binary) and isinstance(check.left, Reference)):
                continue
            target = check.left.path[0]
            bound = evaluate(check.right, values)
            if isinstance(bound, bool) or not isinstance(bound, Decimal | int):
                continue
            if check.op in ("<=", "<"):
                answers[target] = rng.randint(0, max(0, int(bound) - (check.op == "<")))
            elif check.op in (">=", ">") and isinstance(check.right, Literal):
                answers[target] = int(bound) + (check.op == ">") + rng.randint(0, 5)
    visible = visible_field_ids(spec, answers)
    return {k: v for k, v in answers.items() if k in visible}
