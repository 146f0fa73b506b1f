"""Plausible answers for any form, for the demo: numbers in small ranges, yes mostly,
options at random, and then every rule of the form `a <= b` or `a >= n` repaired by
drawing `a` again within its bound, so that the answers pass the form's own checks.
Deterministic for a given random generator.

Given what is known of the answering unit (its reference figures, its school type), the
counts an indicator divides by a figure are drawn as a share of that figure instead
(participants in grades 6–9: 20–90 % of the pupils of grades 6–9), and the parts an
indicator divides by another answer as a share of that answer; nothing else about the
form's fields is assumed."""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from collector.schema.evaluate import context, evaluate, failed_rules, visible_field_ids
from collector.schema.expressions import Binary, Call, Literal, Node, Reference
from collector.schema.spec import Column, FieldSpec, FormSpec, RuleSpec

PHRASES = (
    "Техническое творчество",
    "Агроэкология",
    "Волонтёрство",
    "Школьное лесничество",
    "Медиацентр",
    "Ремонт и благоустройство",
)
# A date column's cells: as many days as phrases, so that drawing one takes the same
# random numbers as drawing a phrase did (the rest of the demo's answers stay as they were).
DAYS = tuple(date(2024, 1, 15 + 2 * n).isoformat() for n in range(len(PHRASES)))
PEOPLE = (
    ("Соколова Марина Петровна", "заместитель директора"),
    ("Орлов Дмитрий Алексеевич", "педагог-психолог"),
    ("Фёдорова Елена Ивановна", "заместитель директора по ВР"),
    ("Белов Сергей Николаевич", "учитель технологии"),
)
# The share of its base an indicator's count is drawn as (a share of pupils, of projects).
SHARE = (0.2, 0.9)
Path = tuple[str, ...]


@dataclass(frozen=True)
class UnitFacts:
    """What the demo knows of the answering unit: its reference figures for the year,
    (figure, grade) -> value with grade 0 for the ungraded ones, and its school type."""

    figures: Mapping[tuple[str, int], int]
    school_type: str | None = None

    def figure(self, name: str, grades: tuple[int, ...] = ()) -> int:
        """As the indicator engine reads it: one grade, a range, or every row."""
        low, high = (grades[0], grades[-1]) if grades else (0, 99)
        return sum(v for (f, g), v in self.figures.items() if f == name and low <= g <= high)

    def teaches(self, first: int, last: int | None = None) -> bool:
        return self.figure("pupils", (first, last if last is not None else first)) > 0

    @property
    def ovz_rate(self) -> float:
        pupils = self.figure("pupils")
        return self.figure("pupils_ovz") / pupils if pupils else 0.0


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
    if column.type == "date":
        return rng.choice(DAYS)
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
        # People tick a few options, not most of them.
        chosen = rng.sample(field.options, rng.randint(1, min(3, len(field.options))))
        return [o.value for o in chosen]
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
    spec: FormSpec,
    rng: random.Random,
    as_of: date | None = None,
    *,
    scale: int = 30,
    unit: UnitFacts | None = None,
    preset: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """A full set of answers that passes the form's rules (as far as they are `a <= b`,
    `a >= n`, `p = (cell > n)`, or mend when their fields are drawn again); fields
    hidden by the answers are left out. `preset` answers are kept as given; with `unit`,
    counts follow its figures."""
    as_of = as_of or date.today()
    answers = {
        f.id: value for f in spec.fields if (value := _value(rng, f, scale, as_of)) is not None
    }
    answers.update(preset or {})
    if unit is not None:
        _fit_to_unit(spec, answers, unit, rng)
        answers.update(preset or {})  # what the caller knows stays as given
    _repair(spec, answers, rng, scale, as_of, frozenset(preset or ()))
    visible = visible_field_ids(spec, answers)
    return {k: v for k, v in answers.items() if k in visible}


def _repair(
    spec: FormSpec,
    answers: dict[str, Any],
    rng: random.Random,
    scale: int,
    as_of: date,
    kept: frozenset[str],
) -> None:
    fields = {f.id: f for f in spec.fields}
    for _attempt in range(10):
        failures = failed_rules(spec, answers)
        if not failures:
            return
        values = context(spec, answers)
        for failure in failures:
            check = failure.rule.check
            if (
                _repair_parts(failure.rule, values, answers, rng)
                or _repair_bound(check, values, answers, rng)
                or _repair_match(check, values, answers)
            ):
                continue
            # Any other rule: draw its fields again and see.
            for field_id in failure.fields:
                head = field_id.split(".")[0]
                if head in fields and head not in kept:
                    value = _value(rng, fields[head], scale, as_of)
                    if value is not None:
                        answers[head] = value


def _repair_parts(
    rule: RuleSpec, values: dict[str, Any], answers: dict[str, Any], rng: random.Random
) -> bool:
    """Parts of a total that exclude each other: each answered part drawn again within
    what the parts before it left of the total."""
    if not rule.parts or rule.total is None:
        return False
    total = values.get(rule.total)
    if isinstance(total, bool) or not isinstance(total, Decimal | int):
        return False
    room = max(0, int(total))
    for part in rule.parts:
        if part in answers:
            answers[part] = rng.randint(room // 3, room) if room else 0
            room -= answers[part]
    return True


def _repair_bound(
    check: Node, values: dict[str, Any], answers: dict[str, Any], rng: random.Random
) -> bool:
    """`a <= b`: `a` drawn again between a third of `b` and `b`; `a >= n`: above n."""
    if not (isinstance(check, Binary) and isinstance(check.left, Reference)):
        return False
    bound = evaluate(check.right, values)
    if isinstance(bound, bool) or not isinstance(bound, Decimal | int):
        return False
    if check.op in ("<=", "<"):
        top = max(0, int(bound) - (check.op == "<"))
        _set(answers, check.left.path, rng.randint(top // 3, top))
        return True
    if check.op in (">=", ">") and isinstance(check.right, Literal):
        _set(answers, check.left.path, int(bound) + (check.op == ">") + rng.randint(0, 5))
        return True
    return False


def _repair_match(check: Node, values: dict[str, Any], answers: dict[str, Any]) -> bool:
    """`p = (cell > n)`: the cell made to agree with p (an option ticked has pupils)."""
    if not (isinstance(check, Binary) and check.op == "=="):
        return False
    for wanted_side, compared in ((check.left, check.right), (check.right, check.left)):
        if not (
            isinstance(compared, Binary)
            and compared.op in (">", ">=")
            and isinstance(compared.left, Reference)
            and isinstance(compared.right, Literal)
            and isinstance(compared.right.value, Decimal)
        ):
            continue
        wanted = evaluate(wanted_side, values)
        if not isinstance(wanted, bool):
            return False
        limit = int(compared.right.value)
        current = _number(_get(answers, compared.left.path))
        if wanted:
            _set(answers, compared.left.path, max(current, limit + (compared.op == ">")))
        else:
            _set(answers, compared.left.path, limit - (compared.op == ">="))
        return True
    return False


# --- Counts that follow the unit's figures --------------------------------------------


def _fit_to_unit(
    spec: FormSpec, answers: dict[str, Any], unit: UnitFacts, rng: random.Random
) -> None:
    """For every indicator `sum(counts) / base * 100`: with a base of figures, the counts
    become a share of the figures (none when the unit has no such pupils); with a base of
    other answers, a share of those answers (of pupils with ОВЗ: about the unit's own
    share of them)."""
    of_figures: list[tuple[list[Path], Node]] = []
    of_answers: list[tuple[list[Path], list[Path]]] = []
    for indicator in spec.indicators:
        ratio = _ratio(indicator.formula) if indicator.computed else None
        if ratio is None:
            continue
        counts = _integer_paths(spec, ratio[0])
        if not counts:
            continue
        if figure_total(ratio[1], unit) is not None:
            of_figures.append((counts, ratio[1]))
        elif (base := _integer_paths(spec, ratio[1])) is not None:
            of_answers.append((counts, base))
    for counts, node in of_figures:
        total = figure_total(node, unit) or Decimal(0)
        _spread(answers, counts, round(float(total) * rng.uniform(*SHARE)))
    for counts, paths in of_answers:
        answered = sum(_number(_get(answers, p)) for p in paths)
        share = rng.uniform(*SHARE)
        if any("ovz" in p[0] for p in counts) and not any("ovz" in p[0] for p in paths):
            share = min(1.0, unit.ovz_rate * rng.uniform(0.5, 1.5))
        _spread(answers, counts, round(answered * share))


def _ratio(node: Node | None) -> tuple[Node, Node] | None:
    """(numerator, denominator) of `a / b * 100` (or `a / b`)."""
    if isinstance(node, Binary) and node.op == "*":
        for side, other in ((node.left, node.right), (node.right, node.left)):
            if isinstance(other, Literal) and other.value == 100:
                node = side
                break
    if isinstance(node, Binary) and node.op == "/":
        return node.left, node.right
    return None


def _integer_paths(spec: FormSpec, node: Node) -> list[Path] | None:
    """The answers `ref` or `sum(ref, …)` adds up, when each is a whole number: an
    integer field or an integer cell of a grid."""
    parts = node.args if isinstance(node, Call) and node.name == "sum" else (node,)
    fields = {f.id: f for f in spec.fields}
    paths: list[Path] = []
    for part in parts:
        if not isinstance(part, Reference) or part.path[0] not in fields:
            return None
        field = fields[part.path[0]]
        if len(part.path) == 1 and field.type == "integer" and field.max is None:
            paths.append(part.path)
        elif len(part.path) == 3 and field.type == "grid":
            column = next((c for c in field.columns if c.id == part.path[2]), None)
            if column is None or column.type != "integer" or column.max is not None:
                return None
            paths.append(part.path)
        else:
            return None
    return paths or None


def figure_total(node: Node, unit: UnitFacts) -> Decimal | None:
    """The value of a base made of the unit's figures, or None when it is something
    else (or, for sum_units(x, condition), when the unit is not one of those counted)."""
    if isinstance(node, Literal) and isinstance(node.value, Decimal):
        return node.value
    if isinstance(node, Binary) and node.op in ("+", "-"):
        left, right = figure_total(node.left, unit), figure_total(node.right, unit)
        if left is None or right is None:
            return None
        return left + right if node.op == "+" else left - right
    if not isinstance(node, Call):
        return None
    if node.name == "figure" and node.args and isinstance(node.args[0], Literal):
        grades = tuple(int(str(a.value)) for a in node.args[1:] if isinstance(a, Literal))
        return Decimal(unit.figure(str(node.args[0].value), grades))
    if node.name == "sum" and node.args:
        totals = [figure_total(a, unit) for a in node.args]
        return (
            None
            if any(t is None for t in totals)
            else sum((t or Decimal(0) for t in totals), Decimal(0))
        )
    if node.name == "sum_units" and len(node.args) == 2:
        return figure_total(node.args[0], unit) if _holds(node.args[1], unit) else None
    return None


def _holds(node: Node, unit: UnitFacts) -> bool:
    if isinstance(node, Call) and node.name == "school_type":
        return unit.school_type in {a.value for a in node.args if isinstance(a, Literal)}
    if isinstance(node, Call) and node.name == "teaches":
        grades = [int(str(a.value)) for a in node.args if isinstance(a, Literal)]
        return bool(grades) and unit.teaches(grades[0], grades[-1])
    return False


def _spread(answers: dict[str, Any], paths: list[Path], total: int) -> None:
    """Set the counts to add up to `total`, in proportion to what they were (a count
    that was 0 stays 0, unless all were)."""
    if len(paths) == 1:
        _set(answers, paths[0], total)
        return
    weights = [_number(_get(answers, p)) for p in paths]
    if not any(weights):
        weights = [1] * len(paths)
    whole = sum(weights)
    parts = [total * w // whole for w in weights]
    parts[weights.index(max(weights))] += total - sum(parts)
    for path, part in zip(paths, parts, strict=True):
        _set(answers, path, part)


def _number(value: Any) -> int:
    return int(value) if isinstance(value, int | Decimal) and not isinstance(value, bool) else 0


def _get(answers: Mapping[str, Any], path: Path) -> Any:
    value: Any = answers.get(path[0])
    for key in path[1:]:
        value = value.get(key) if isinstance(value, dict) else None
    return value


def _set(answers: dict[str, Any], path: Path, value: Any) -> None:
    """Set a field (one name) or a grid cell (field, row, column)."""
    if len(path) == 1:
        answers[path[0]] = value
        return
    grid = answers.get(path[0])
    grid = dict(grid) if isinstance(grid, dict) else {}
    row = dict(grid.get(path[1]) or {})
    row[path[2]] = value
    grid[path[1]] = row
    answers[path[0]] = grid
