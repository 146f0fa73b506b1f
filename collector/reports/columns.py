"""Answers read as typed columns by PostgreSQL, not decoded row by row in Python (issue 22).

The answers of a campaign are one JSON document per response; the indicators read a few
paths of each. On PostgreSQL the database parses each document once (`json_to_record`) and
hands back every path the engine reads as a typed column. Only a value it cannot type
safely (text where a number belongs, a number past 10^15 or written with an exponent, a
list where text belongs, text that may hold a control character) comes back as its JSON
text, and Python reads that one value as `collector.indicators.frame` reads every value on
the row-by-row path: the two paths give the same frame and name the same refused values
(tests/reports/test_columns.py stores hostile answers and compares them).

SQLite, registries (rows are the records inside a confirmation) and forms with imported
tables keep the row-by-row path: `read_columns` says None.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy import (
    JSON,
    Boolean,
    ColumnElement,
    Float,
    Select,
    Text,
    and_,
    case,
    cast,
    column,
    func,
    literal_column,
    not_,
    true,
)
from sqlalchemy.orm import Session

from collector import json_codec
from collector.indicators.frame import ColumnPlan, column_plans, pick, table_numbers, typed_column
from collector.models import FormResponse
from collector.reports.refused import LISTED, Refused, RefusedValue, refused_value
from collector.schema.kinds import kind_of, refused_answers
from collector.schema.kinds.base import FieldKind
from collector.schema.spec import FieldSpec, FormSpec
from collector.schema.types import ValueKind

# A JSON number PostgreSQL may cast to float8 as Python reads it: plain decimal notation,
# below 10^15 (what stored_number accepts without a second look). Anything else is read by
# Python.
PLAIN_NUMBER = r"^-?[0-9]{1,15}(\.[0-9]{1,20})?$"
# JSON text that may hold a character no door accepts now (collector.schema.values'
# _CONTROL): an escaped control character, or U+007F..U+009F written as it is. Texts that
# match are read by Python, which decides.
MAYBE_CONTROL = r"\\u00[01][0-9a-fA-F]|\\u007[fF]|\\u00[89][0-9a-fA-F]|\\[bf]|" + "[\x7f-\x9f]"
# PostgreSQL cannot turn this escape into text; such a value is read by Python.
NUL_ESCAPE = "\\u0000"


@dataclass(frozen=True)
class _Read:
    """One value's columns in the select: the typed one (or None) and the JSON text of
    what only Python may read (or None)."""

    typed: str | None
    raw: str | None


def read_columns(
    session: Session, spec: FormSpec, counted: Select[Any], paths: set[str]
) -> tuple[pd.DataFrame, Refused] | None:
    """The engine's answers frame (as `answers_frame` makes it) and the refused values
    (as `find_refused` finds them) of the responses `counted` selects, read by the
    database; None where this path does not apply."""
    if session.get_bind().dialect.name != "postgresql":
        return None
    if spec.kind == "registry" or spec.imports:
        return None
    plans = column_plans(spec, paths)
    heads = sorted(
        {plan.path.split(".")[0] for plan in plans}
        | {f.id for f in spec.fields if _may_refuse(kind_of(f.type))}
    )
    whole_text = cast(FormResponse.answers, Text)
    # PostgreSQL cannot split a document holding an escaped NUL (it would turn it into
    # text): such a row is read whole by Python.
    readable = func.strpos(whole_text, NUL_ESCAPE) == 0
    document = case(
        (and_(func.json_typeof(FormResponse.answers) == "object", readable), FormResponse.answers),
        else_=literal_column("'{}'::json"),
    )
    record = (
        func.json_to_record(document)
        .table_valued(*(column(head, JSON) for head in heads))
        .render_derived(name="answers_record", with_types=True)
    )
    selected: list[Any] = [
        FormResponse.unit_id,
        FormResponse.id,
        case((not_(readable), whole_text)).label("whole"),
    ]
    names: dict[str, _Read] = {}

    def add(expression: ColumnElement[Any] | None) -> str | None:
        if expression is None:
            return None
        name = f"c{len(selected)}"
        selected.append(expression.label(name))
        return name

    for plan in plans:
        typed, raw = _expressions(plan, _value(record, plan))
        names[plan.path] = _Read(add(typed), add(raw))
    refusal_names: dict[str, str] = {}
    for field in spec.fields:
        kind = kind_of(field.type)
        if _may_refuse(kind):
            found = add(_refusal_candidate(kind, record.c[field.id]))
            if found is not None:
                refusal_names[field.id] = found
    # In the order `counted` gives (the refused values are listed in it).
    query = counted.with_only_columns(*selected).join(record, true())
    result = session.connection().execute(query)
    keys = list(result.keys())
    rows = result.all()
    by_name = {name: [row[i] for row in rows] for i, name in enumerate(keys)}
    unit_ids, response_ids = by_name[keys[0]], by_name[keys[1]]
    wholes = {
        position: _as_answers(json_codec.loads(text))
        for position, text in enumerate(by_name["whole"])
        if text is not None
    }
    data: dict[str, Any] = {"unit_id": pd.Series(unit_ids, dtype="int64")}
    for plan in plans:
        read = names[plan.path]
        data[plan.path] = _column(plan, read, by_name, wholes)
    refused = _refused(spec, response_ids, unit_ids, refusal_names, by_name, wholes)
    return pd.DataFrame(data), refused


def _as_answers(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _may_refuse(kind: FieldKind) -> bool:
    """Whether a kind can find a stored value refused (most choices cannot)."""
    own = type(kind)
    return own.refused is not FieldKind.refused or own.refused_in is not FieldKind.refused_in


def _value(record: Any, plan: ColumnPlan) -> ColumnElement[Any]:
    head, *rest = plan.path.split(".")
    value: ColumnElement[Any] = record.c[head]
    if rest and plan.kind != "list":  # a grid's cell: row, then column
        value = func.json_extract_path(value, *rest)
    return value


def _expressions(
    plan: ColumnPlan, value: ColumnElement[Any]
) -> tuple[ColumnElement[Any] | None, ColumnElement[Any] | None]:
    """(typed, raw) for one path: raw is the JSON text of a value only Python may read."""
    kind = func.json_typeof(value)
    text = cast(value, Text)
    present = and_(value.is_not(None), kind != "null")
    if plan.kind == "list":
        # Lists come as JSON text: few distinct ones in a multiple choice, decoded once each.
        return None, case((present, text))
    if plan.kind == "number":
        plain = and_(kind == "number", text.regexp_match(PLAIN_NUMBER))
        return case((plain, cast(text, Float))), case((and_(present, not_(plain)), text))
    if plan.kind == "bool":
        return case((kind == "boolean", cast(text, Boolean))), None
    plain_text = and_(kind == "string", func.strpos(text, NUL_ESCAPE) == 0)
    return (
        case((plain_text, value.op("#>>")(literal_column("'{}'")))),
        case((and_(present, not_(plain_text)), text)),
    )


def _refusal_candidate(kind: FieldKind, value: ColumnElement[Any]) -> ColumnElement[Any] | None:
    """The JSON text of a field's value that may be refused; None where none may be."""
    text = cast(value, Text)
    present = and_(value.is_not(None), func.json_typeof(value) != "null")
    if kind.value_kind == ValueKind.NUMBER:
        plain = and_(func.json_typeof(value) == "number", text.regexp_match(PLAIN_NUMBER))
        return case((and_(present, not_(plain)), text))
    if kind.value_kind in (ValueKind.TEXT, ValueKind.UNIT):
        return case((and_(present, text.regexp_match(MAYBE_CONTROL)), text))
    # Grids, tables, a person: their cells are read by the kind itself.
    return case((present, text))


def _column(
    plan: ColumnPlan,
    read: _Read,
    by_name: dict[str, list[Any]],
    wholes: dict[int, dict[str, Any]],
) -> pd.Series:
    count = len(by_name["whole"])
    typed = by_name[read.typed] if read.typed else [None] * count
    raw = by_name[read.raw] if read.raw else [None] * count
    if plan.kind == "list":
        decoded = _decoded_distinct(raw)
        head = plan.path.split(".")[0]
        values: list[Any] = [
            pick({} if r is None else {head: decoded[r]}, plan.path, plan.kind) for r in raw
        ]
        for position, answers in wholes.items():
            values[position] = pick(answers, plan.path, plan.kind)
        if plan.numeric_cells:
            values = [table_numbers(cells) for cells in values]
        return typed_column(values, "list")
    if not wholes and not any(r is not None for r in raw):
        if plan.kind == "number":
            return pd.Series([math.nan if t is None else t for t in typed], dtype="float64")
        if plan.kind == "bool":
            return pd.Series(typed, dtype="boolean")
        return pd.Series(typed, dtype="object")
    # The few values Python reads, as the row-by-row path reads every one.
    merged = [t if r is None else json_codec.loads(r) for t, r in zip(typed, raw, strict=True)]
    for position, answers in wholes.items():
        merged[position] = pick(answers, plan.path, plan.kind)
    return typed_column(merged, plan.kind)


def _decoded_distinct(raw: Sequence[str | None]) -> dict[str, Any]:
    return {text: json_codec.loads(text) for text in set(raw) if text is not None}


def _refused(
    spec: FormSpec,
    response_ids: list[int],
    unit_ids: list[int],
    refusal_names: dict[str, str],
    by_name: dict[str, list[Any]],
    wholes: dict[int, dict[str, Any]],
) -> Refused:
    fields: dict[str, FieldSpec] = {f.id: f for f in spec.fields}
    order = {f.id: n for n, f in enumerate(spec.fields)}
    found: list[tuple[int, int, RefusedValue]] = []
    total = 0
    for field_id, name in refusal_names.items():
        field = fields[field_id]
        kind = kind_of(field.type)
        for position, text in enumerate(by_name[name]):
            if text is None:
                continue
            for refused in kind.refused_in(field, json_codec.loads(text)):
                total += 1
                value = refused_value(response_ids[position], unit_ids[position], refused)
                found.append((position, order[field_id], value))
    for position, answers in wholes.items():
        for refused in refused_answers(spec, answers):
            total += 1
            value = refused_value(response_ids[position], unit_ids[position], refused)
            found.append((position, order[refused.field_id], value))
    found.sort(key=lambda item: (item[0], item[1]))
    return Refused(total, tuple(value for _p, _o, value in found[:LISTED]))
