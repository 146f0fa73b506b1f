"""A unit report's form as printed: every section and question, blank or with the stored
answers, each question drawn as its kind's renderer draws it in data entry ("plain",
"choice", "grid", "table", "person", "file": collector.schema.kinds). The values are
read through the kinds (their web-form field for the options, their spreadsheet columns
for the cells), never by branching on a type's name; stored values are read defensively
(a value no door accepts now is named as the workbook names it)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from flask_babel import format_decimal
from flask_babel import gettext as _
from wtforms import Form, TextAreaField

from collector.formats import date_text
from collector.schema.evaluate import visible_field_ids
from collector.schema.formbuild import build_form_class, form_data_from_answers
from collector.schema.kinds import kind_of
from collector.schema.kinds.base import Cell
from collector.schema.spec import FieldSpec, FormSpec

# Empty rows a blank form leaves for a repeating table (within its declared bounds).
BLANK_TABLE_ROWS = 4


@dataclass(frozen=True)
class Question:
    """One question as printed; what it holds depends on `renderer`."""

    field_id: str
    label: str
    unit: str | None
    help: str | None
    renderer: str
    applies: bool = True  # False: the answers given hide it (a filled report only)
    conditional: bool = False  # asked only for some answers to others (visible_if)
    text: str = ""  # plain, file: the answer as read ("" when blank)
    multiline: bool = False  # plain: a long text's box
    options: tuple[tuple[str, bool], ...] = ()  # choice: (label, chosen)
    parts: tuple[tuple[str, str], ...] = ()  # person: (part's label, value)
    columns: tuple[str, ...] = ()  # grid, table: the headers
    rows: tuple[
        tuple[str, tuple[str, ...]], ...
    ] = ()  # grid: (row's label, cells); table: (№, cells)


@dataclass(frozen=True)
class Section:
    title: str
    help: str | None
    questions: tuple[Question, ...]
    conditional: bool = False  # asked only for some answers to others (visible_if)


def cell_text(cell: Cell) -> str:
    """A spreadsheet cell of an answer as a printed page writes it."""
    if cell is None:
        return ""
    if isinstance(cell, bool):
        return _("yes") if cell else _("no")
    if isinstance(cell, date):
        return date_text(cell)
    if isinstance(cell, int | float):
        return str(format_decimal(cell, format="#,##0.##########"))
    return cell


def sections(spec: FormSpec, answers: Mapping[str, Any] | None, language: str) -> list[Section]:
    """Every section and question of `spec`; with `answers` (a report's stored ones), each
    question holds its answer, and one the answers hide says it does not apply."""
    stored = dict(answers or {})
    # The web form's fields give a choice's options and a person's parts; a grid's and a
    # table's cells are read through their spreadsheet columns, which take any stored
    # shape (the form's data of a table written around the doors would not).
    drawn = [f.id for f in spec.fields if kind_of(f.type).renderer in ("choice", "person")]
    form_class = build_form_class(spec, Form, language)
    form = form_class(formdata=None, data=form_data_from_answers(spec, stored, drawn))
    visible = visible_field_ids(spec, stored) if answers is not None else None
    printed = []
    for section in spec.sections:
        questions = []
        for field in section.fields:
            applies = visible is None or field.id in visible
            shown = stored if answers is not None and applies else None
            questions.append(_question(field, form[field.id], shown, language, applies))
        printed.append(
            Section(
                section.title.get(language),
                section.help.get(language) if section.help else None,
                tuple(questions),
                section.visible_if is not None,
            )
        )
    return printed


def _question(
    field: FieldSpec, bound: Any, answers: dict[str, Any] | None, language: str, applies: bool
) -> Question:
    kind = kind_of(field.type)
    label = field.label.get(language)
    base = Question(
        field.id,
        label,
        field.unit,
        field.help.get(language) if field.help else None,
        kind.renderer,
        applies,
        field.visible_if is not None,
    )
    filled = answers is not None
    if kind.renderer == "choice":
        options = tuple(
            (str(choice.label), filled and bool(choice.selected)) for choice in bound.iter_choices()
        )
        return replace(base, options=options)
    if kind.renderer == "person":
        parts = tuple((_(sub.label.text), str(sub.data or "") if filled else "") for sub in bound)
        return replace(base, parts=parts)
    if kind.renderer == "grid":
        rows = _grid(field, answers, language)
        return replace(base, columns=_headers(field, language), rows=rows)
    if kind.renderer == "table":
        rows = _table(field, answers, language)
        return replace(base, columns=_headers(field, language), rows=rows)
    text = ""
    if answers is not None:
        [first, *_others] = kind.export_columns(field, label, language)
        text = cell_text(first.read(answers))
    return replace(base, text=text, multiline=isinstance(bound, TextAreaField))


def _headers(field: FieldSpec, language: str) -> tuple[str, ...]:
    """The columns' labels, as data entry heads them."""
    return tuple(c.label.get(language) for c in field.columns)


def _grid(
    field: FieldSpec, answers: dict[str, Any] | None, language: str
) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Each row's label and its cells, in the columns' order (the grid's spreadsheet
    columns run row by row)."""
    width = len(field.columns)
    cells = (
        [
            cell_text(c.read(answers))
            for c in kind_of(field.type).export_columns(field, "", language)
        ]
        if answers is not None
        else [""] * (width * len(field.rows))
    )
    return tuple(
        (row.label.get(language), tuple(cells[i * width : (i + 1) * width]))
        for i, row in enumerate(field.rows)
    )


def _table(
    field: FieldSpec, answers: dict[str, Any] | None, language: str
) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """The stored rows, numbered; a blank form's empty rows."""
    kind = kind_of(field.type)
    if answers is None:
        count = max(field.min_rows or 0, BLANK_TABLE_ROWS)
        if field.max_rows:
            count = min(count, field.max_rows)
        return tuple((str(n), ("",) * len(field.columns)) for n in range(1, count + 1))
    columns = kind.row_columns(field, language)
    return tuple(
        (str(n), tuple(cell_text(c.read(row)) for c in columns))
        for n, row in enumerate(kind.stored_rows(answers.get(field.id)), start=1)
    )
