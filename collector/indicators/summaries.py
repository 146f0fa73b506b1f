"""A registry's records counted per value of a field (profile classes by profile, trials
by base organisation), with a number summed per value, for each group of units.

Pure: takes records as (group, record data) pairs and the registry's declarations."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from collector.schema.kinds import kind_of
from collector.schema.spec import FieldSpec, FormSpec, SummarySpec
from collector.schema.types import ValueKind
from collector.schema.values import stored_number


@dataclass(frozen=True)
class SummaryRow:
    group: Any  # whatever the caller groups by (a unit id, a name); None: all records
    value: str  # the field's value as shown (an option's label, a text as typed)
    records: int
    total: float | None  # the summed field over those records (None: not declared)


@dataclass(frozen=True)
class Summary:
    spec: SummarySpec
    by: FieldSpec
    rows: Sequence[SummaryRow]


NOT_GIVEN = "—"


def _values(field: FieldSpec, raw: Any, show: Callable[[Any], str]) -> list[str]:
    """The values a record counts under: each chosen option of a multiple choice."""
    if raw is None or raw == "" or raw == []:
        return [NOT_GIVEN]
    if kind_of(field.type).value_kind == ValueKind.CHOICES and isinstance(raw, list):
        return [show(item) for item in raw] or [NOT_GIVEN]
    return [show(raw)]


def _shower(field: FieldSpec, language: str, yes_no: tuple[str, str]) -> Callable[[Any], str]:
    labels = {o.value: o.label.get(language) for o in field.options}
    kind = kind_of(field.type)
    if kind.value_kind == ValueKind.BOOL:
        return lambda v: yes_no[0] if v is True else yes_no[1]
    if kind.free_text:
        # Spelling of the same organisation varies in case and spaces, not in words.
        return lambda v: " ".join(str(v).split())
    return lambda v: labels.get(str(v), str(v))


def _number(value: Any) -> float | None:
    # A stored value no door accepts now (NaN, past 2^53) is not summed.
    return stored_number(value)[0]


def summarise(
    spec: FormSpec,
    records: Iterable[tuple[Any, Mapping[str, Any]]],
    language: str = "ru",
    yes_no: tuple[str, str] = ("да", "нет"),
) -> list[Summary]:
    """Each declared summary: per (group, value) the number of records and the sum.
    Rows come by group, then by most records; "—" collects records without a value."""
    if spec.registry is None or not spec.registry.summaries:
        return []
    fields = {f.id: f for f in spec.fields}
    items = list(records)
    found = []
    for summary in spec.registry.summaries:
        by = fields[summary.by]
        show = _shower(by, language, yes_no)
        exploded = [
            (group, value, _number(data.get(summary.sum)) if summary.sum else None)
            for group, data in items
            for value in _values(by, data.get(summary.by), show)
        ]
        frame = pd.DataFrame(exploded, columns=["group", "value", "amount"])
        rows: list[SummaryRow] = []
        if not frame.empty:
            frame["group"] = frame["group"].astype("object")
            grouped = (
                frame.groupby(["group", "value"], sort=False, dropna=False)
                .agg(records=("value", "size"), total=("amount", "sum"), known=("amount", "count"))
                .reset_index()
            )
            grouped["order"] = grouped["group"].map(
                {g: n for n, g in enumerate(dict.fromkeys(frame["group"]))}
            )
            grouped = grouped.sort_values(
                ["order", "records", "value"], ascending=[True, False, True]
            )
            for row in grouped.itertuples(index=False):
                total = float(row.total) if summary.sum and row.known else None
                rows.append(SummaryRow(row.group, str(row.value), int(row.records), total))
        found.append(Summary(summary, by, rows))
    return found
