"""Answers read as columns split by PostgreSQL and typed by pandas, not decoded row by row
in Python (issue 22).

The answers of a campaign are one JSON document per response; the indicators read a few
paths of each. On PostgreSQL the database parses each document once (`json_to_record`) and
hands back the JSON text of every path the engine reads, one column per path. pandas types
each column at once: a number written plainly (no exponent, below 10^15) is parsed in
bulk, a yes/no is `true` or `false`, a choice or a list is decoded once per distinct text.
Only a value that is not plain (text where a number belongs, a number past 10^15 or
written with an exponent) is decoded on its own and read as `collector.indicators.frame`
reads every value on the row-by-row path, so the two paths give the same frame and name the
same refused values (tests/reports/test_columns.py stores hostile answers and compares).

SQLite, registries (rows are the records inside a confirmation) and forms with imported
tables keep the row-by-row path: `read_columns` says None.
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import (
    JSON,
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

# A JSON number read in bulk as Python reads it: plain decimal notation below 10^15 (what
# stored_number accepts without a second look). Anything else is read by Python.
PLAIN_NUMBER = re.compile(r"-?[0-9]{1,15}(?:\.[0-9]{1,20})?")
# JSON text that may hold a character no door accepts now (collector.schema.values'
# _CONTROL): an escaped control character, or U+007F..U+009F written as it is. Texts that
# match are read by Python, which decides.
MAYBE_CONTROL = re.compile(
    r"\\u00[01][0-9a-fA-F]|\\u007[fF]|\\u00[89][0-9a-fA-F]|\\[bf]|[\x7f-\x9f]"
)
# PostgreSQL cannot split a document holding this escape (it would make it text): such a
# row is read whole by Python.
NUL_ESCAPE = "\\u0000"


def read_columns(
    session: Session, spec: FormSpec, counted: Select[Any], paths: set[str]
) -> tuple[pd.DataFrame, Refused] | None:
    """The engine's answers frame (as `answers_frame` makes it) and the refused values
    (as `find_refused` finds them) of the responses `counted` selects, in the order of
    their ids; None where this path does not apply."""
    if session.get_bind().dialect.name != "postgresql":
        return None
    if spec.kind == "registry" or spec.imports:
        return None
    plans = column_plans(spec, paths)
    refusing = [f for f in spec.fields if _may_refuse(kind_of(f.type))]
    heads = sorted({plan.path.split(".")[0] for plan in plans} | {f.id for f in refusing})
    texts: dict[str, Any] = {}

    def query(guarded: bool) -> Select[Any]:
        """The select, `guarded` against documents PostgreSQL cannot split (not an object,
        or holding an escaped NUL it would have to make text): those rows are then read
        whole by Python. The guard costs a scan of every document, so it is used only
        when the plain select has met such a row."""
        whole_text = cast(FormResponse.answers, Text)
        readable = and_(
            func.json_typeof(FormResponse.answers) == "object",
            func.strpos(whole_text, NUL_ESCAPE) == 0,
        )
        document = (
            case((readable, FormResponse.answers), else_=literal_column("'{}'::json"))
            if guarded
            else FormResponse.answers
        )
        record = (
            func.json_to_record(document)
            .table_valued(*(column(head, JSON) for head in heads))
            .render_derived(name="answers_record", with_types=True)
        )
        # The JSON text of each head, and of each grid cell the engine reads.
        texts.clear()
        texts.update({head: cast(record.c[head], Text) for head in heads})
        for plan in plans:
            head, *rest = plan.path.split(".")
            if rest and plan.kind != "list":  # a grid's cell: row, then column
                texts[plan.path] = cast(func.json_extract_path(record.c[head], *rest), Text)
        whole = case((not_(readable), whole_text)) if guarded else literal_column("NULL")
        # Unordered: pandas puts the ids in order in a fraction of the database's sort.
        return (
            counted.with_only_columns(FormResponse.unit_id, FormResponse.id, whole, *texts.values())
            .join(record, true())
            .order_by(None)
        )

    width = 3 + len(heads) + sum(1 for p in plans if "." in p.path and p.kind != "list")
    try:
        with session.begin_nested():
            read = _copied(session, query(guarded=False), width)
    except session.get_bind().dialect.loaded_dbapi.Error:
        read = _copied(session, query(guarded=True), width)
    read = read.sort_values(1, kind="stable", ignore_index=True)
    names = list(texts)
    unit_ids = read[0]
    response_ids = read[1]
    wholes = {
        int(position): _as_answers(json_codec.loads(text))
        for position, text in read[2].dropna().items()
    }
    columns = {name: read[3 + n] for n, name in enumerate(names)}
    data: dict[str, Any] = {"unit_id": unit_ids}
    for plan in plans:
        data[plan.path] = _column(
            plan, columns[plan.path.split(".")[0] if plan.kind == "list" else plan.path], wholes
        )
    refused = _refused(spec, refusing, response_ids, unit_ids, columns, wholes)
    return pd.DataFrame(data), refused


def _copied(session: Session, query: Select[Any], width: int) -> pd.DataFrame:
    """The query's rows through COPY into pandas' CSV reader (a tenth of the time of
    rows made one by one): the first two columns whole numbers, the rest text, a null
    as NaN (no JSON text is empty)."""
    connection = session.connection()
    compiled = query.compile(
        dialect=connection.dialect, compile_kwargs={"render_postcompile": True}
    )
    copied = io.BytesIO()
    cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        statement = f"COPY ({compiled}) TO STDOUT WITH (FORMAT csv)"
        with cursor.copy(statement, compiled.params) as copy:
            for block in copy:
                copied.write(block)
    finally:
        cursor.close()
    copied.seek(0)
    if not copied.getbuffer().nbytes:
        return pd.DataFrame({n: pd.Series([], dtype="object") for n in range(width)})
    return pd.read_csv(
        copied,
        header=None,
        names=list(range(width)),
        dtype={n: "int64" if n < 2 else "object" for n in range(width)},
        keep_default_na=False,
        na_values=[""],
    )


def _as_answers(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _may_refuse(kind: FieldKind) -> bool:
    """Whether a kind can find a stored value refused (most choices cannot)."""
    own = type(kind)
    return own.refused is not FieldKind.refused or own.refused_in is not FieldKind.refused_in


def _present(texts: pd.Series) -> pd.Series:
    return texts.notna() & (texts != "null")


def _plain_numbers(texts: pd.Series) -> pd.Series:
    """Whether each text is a plainly written number; checked once per distinct text."""
    return _per_distinct(texts, lambda t: PLAIN_NUMBER.fullmatch(t) is not None)


def _per_distinct(texts: pd.Series, test: Callable[[str], bool]) -> pd.Series:
    """A test of each text, made once per distinct text (answers repeat a great deal)."""
    found = {t: test(t) for t in texts.dropna().unique()}
    return texts.map(found).eq(True)


def _decoded_distinct(texts: pd.Series) -> dict[str, Any]:
    return {text: json_codec.loads(text) for text in texts.dropna().unique()}


def _column(plan: ColumnPlan, texts: pd.Series, wholes: dict[int, dict[str, Any]]) -> pd.Series:
    """One path's typed column, as `answers_frame` types it."""
    if plan.kind == "number":
        present = _present(texts)
        plain = _plain_numbers(texts)
        # Each distinct text read by the row path's own decoder (pandas' parser may round
        # the last digit otherwise), then spread over the column.
        exact = {t: float(json_codec.loads(t)) for t in texts[plain].unique()}
        numbers = texts.where(plain).map(exact).astype("float64")
        odd = present & ~plain
        if not odd.any() and not wholes:
            return numbers.reset_index(drop=True)
        values: list[Any] = [None if math.isnan(n) else float(n) for n in numbers]
        for position in odd[odd].index:
            values[position] = json_codec.loads(texts[position])
    elif plan.kind == "bool":
        flags = texts.map({"true": True, "false": False})
        if not wholes:
            return pd.Series(flags.where(flags.notna(), None), dtype="boolean")
        values = [flag if isinstance(flag, bool) else None for flag in flags]
    else:
        # Texts, choices and lists: few distinct values, each decoded and typed once,
        # then spread over the column by their codes.
        head = plan.path.split(".")[0]
        codes, distinct = pd.factorize(texts, use_na_sentinel=True)
        # What a response without the value holds (a table's column: no cells); last,
        # where the code -1 of a missing text points.
        typed_once = np.empty(len(distinct) + 1, dtype=object)
        typed_once[-1] = _typed(plan, pick({}, plan.path, plan.kind))
        for code, text in enumerate(distinct):
            typed_once[code] = (
                typed_once[-1]
                if text == "null"
                else _typed(plan, pick({head: json_codec.loads(text)}, plan.path, plan.kind))
            )
        spread = typed_once[codes]
        for position, answers in wholes.items():
            spread[position] = _typed(plan, pick(answers, plan.path, plan.kind))
        return pd.Series(spread, dtype="object")
    for position, answers in wholes.items():
        values[position] = pick(answers, plan.path, plan.kind)
    return typed_column(values, plan.kind)


def _typed(plan: ColumnPlan, value: Any) -> Any:
    """A text's or a list's value as `answers_frame` holds it (typed_column's rules)."""
    if plan.kind == "list":
        if plan.numeric_cells:
            value = table_numbers(value)
        return value if isinstance(value, list) else None
    return None if value is None else str(value)


def _candidates(kind: FieldKind, texts: pd.Series) -> pd.Series:
    """Which stored values of a field may be refused (the rest cannot be)."""
    present = _present(texts)
    if kind.value_kind == ValueKind.NUMBER:
        return present & ~_plain_numbers(texts)
    if kind.value_kind in (ValueKind.TEXT, ValueKind.UNIT):
        return present & _per_distinct(texts, lambda t: MAYBE_CONTROL.search(t) is not None)
    # Grids, tables, a person: their cells are read by the kind itself.
    return present


def _refused(
    spec: FormSpec,
    refusing: Sequence[FieldSpec],
    response_ids: pd.Series,
    unit_ids: pd.Series,
    columns: dict[str, pd.Series],
    wholes: dict[int, dict[str, Any]],
) -> Refused:
    order = {f.id: n for n, f in enumerate(spec.fields)}
    found: list[tuple[int, int, RefusedValue]] = []
    total = 0
    for field in refusing:
        kind = kind_of(field.type)
        texts = columns[field.id]
        candidates = _candidates(kind, texts)
        for position in candidates[candidates].index:
            for refused in kind.refused_in(field, json_codec.loads(texts[position])):
                total += 1
                value = refused_value(int(response_ids[position]), int(unit_ids[position]), refused)
                found.append((position, order[field.id], value))
    for position, answers in wholes.items():
        for refused in refused_answers(spec, answers):
            total += 1
            value = refused_value(int(response_ids[position]), int(unit_ids[position]), refused)
            found.append((position, order[refused.field_id], value))
    found.sort(key=lambda item: (item[0], item[1]))
    return Refused(total, tuple(value for _p, _o, value in found[:LISTED]))
