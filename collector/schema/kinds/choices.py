"""Choices: yes or no, one option, several options, a rating on a scale. Stored as the
option's code (yes/no as true/false, several as a list in the options' order)."""

from __future__ import annotations

from typing import Any

from wtforms import RadioField, SelectMultipleField
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # new in 3.3
from wtforms.validators import Optional
from wtforms.widgets import CheckboxInput, ListWidget

from collector.marks import mark_for_translation
from collector.schema.kinds.base import (
    Cell,
    CellProblem,
    ExportColumn,
    FieldKind,
    OneOf,
    Translate,
    choices,
    number_cell,
    option_labels,
    problem,
)
from collector.schema.spec import Column, FieldSpec, Option
from collector.schema.types import ValueKind

YES_NO = (SelectChoice("yes", "Да"), SelectChoice("no", "Нет"))
TRUE_WORDS = frozenset({"да", "yes", "true", "1", "+", "д"})
FALSE_WORDS = frozenset({"нет", "no", "false", "0", "-", "н"})


def _radio(label: str, values: list[SelectChoice]) -> Any:
    return RadioField(
        label,
        [Optional(), OneOf([c.value for c in values])],
        choices=values,
        validate_choice=False,
    )


class YesNoKind(FieldKind):
    name = "yes_no"
    label = mark_for_translation("Yes / no")
    groups_records = True
    value_kind = ValueKind.BOOL
    in_tables = True
    renderer = "choice"
    reader = "yes_no"
    counted_by_option = True
    cell_kind = "bool"

    def field(self, spec: FieldSpec, label: str, language: str) -> Any:
        return _radio(label, list(YES_NO))

    def answer(self, spec: FieldSpec, data: Any) -> Any:
        return {"yes": True, "no": False}.get(data)

    def form_data(self, spec: FieldSpec, answer: Any) -> Any:
        return None if answer is None else ("yes" if answer else "no")

    def cell_field(self, column: Column, language: str) -> Any:
        return _radio(column.label.get(language), list(YES_NO))

    def cell_answer(self, column: Column, data: Any) -> Any:
        return None if data in (None, "") else data == "yes"

    def cell_data(self, column: Column, answer: Any) -> Any:
        return None if answer is None else ("yes" if answer else "no")

    def cell_value(self, value: Any) -> Cell:
        return value if value is None or isinstance(value, bool) else str(value)

    def parse_cell(self, column: Column, text: str) -> tuple[Any, CellProblem | None]:
        word = text.strip().lower()
        if word in TRUE_WORDS:
            return True, None
        if word in FALSE_WORDS:
            return False, None
        return None, problem(mark_for_translation("write «да» or «нет», not «%(text)s»"), text=text)

    def display(self, spec: FieldSpec, value: Any, language: str, translate: Translate) -> str:
        if isinstance(value, bool):
            return translate(mark_for_translation("yes") if value else mark_for_translation("no"))
        return super().display(spec, value, language, translate)


class SingleChoiceKind(FieldKind):
    name = "single_choice"
    starter = {"options": [{"value": "1", "label": "Вариант 1"}]}
    label = mark_for_translation("Single choice")
    groups_records = True
    value_kind = ValueKind.CHOICE
    needs = frozenset({"options"})
    in_tables = True
    column_needs = frozenset({"options"})
    renderer = "choice"
    reader = "choice"
    counted_by_option = True

    def field(self, spec: FieldSpec, label: str, language: str) -> Any:
        return _radio(label, choices(spec.options, language))

    def cell_field(self, column: Column, language: str) -> Any:
        return _radio(column.label.get(language), choices(column.options, language))

    def export_columns(self, spec: FieldSpec, label: str, language: str) -> list[ExportColumn]:
        return [_labelled(spec, label, language)]

    def row_column(self, column: Column, label: str, language: str) -> ExportColumn:
        labels = option_labels(column.options, language)
        cid = column.id

        def read(row: Any) -> Cell:
            value = row.get(cid)
            return None if value is None else labels.get(str(value), str(value))

        return ExportColumn(label, "text", read)

    def parse_cell(self, column: Column, text: str) -> tuple[Any, CellProblem | None]:
        return _option_of(column.options, text)


def _labelled(spec: FieldSpec, label: str, language: str) -> ExportColumn:
    """A column showing the chosen option's label."""
    labels = option_labels(spec.options, language)
    fid = spec.id

    def read(answers: Any) -> Cell:
        value = answers.get(fid)
        return None if value is None else labels.get(str(value), str(value))

    return ExportColumn(label, "text", read)


def _option_of(options: tuple[Option, ...], text: str) -> tuple[Any, CellProblem | None]:
    for option in options:
        if text in (option.value, option.label.ru, option.label.en):
            return option.value, None
    known = ", ".join(o.label.ru for o in options)
    return None, problem(
        mark_for_translation("«%(text)s» is not one of: %(known)s"), text=text, known=known
    )


class MultipleChoiceKind(FieldKind):
    name = "multiple_choice"
    starter = {"options": [{"value": "1", "label": "Вариант 1"}]}
    label = mark_for_translation("Multiple choice")
    groups_records = True
    value_kind = ValueKind.CHOICES
    needs = frozenset({"options"})
    renderer = "choice"
    reader = "choices"
    counted_by_option = True

    def field(self, spec: FieldSpec, label: str, language: str) -> Any:
        return SelectMultipleField(
            label,
            [OneOf([o.value for o in spec.options])],
            choices=choices(spec.options, language),
            validate_choice=False,
            widget=ListWidget(prefix_label=False),
            option_widget=CheckboxInput(),
        )

    def answer(self, spec: FieldSpec, data: Any) -> Any:
        # In the options' order, each once: a repeated key must not grow the answer.
        chosen = set(data or [])
        return [o.value for o in spec.options if o.value in chosen] or None

    def export_columns(self, spec: FieldSpec, label: str, language: str) -> list[ExportColumn]:
        return [
            ExportColumn(f"{label}: {option.label.get(language)}", "bool", _ticked(spec.id, option))
            for option in spec.options
        ]

    def display(self, spec: FieldSpec, value: Any, language: str, translate: Translate) -> str:
        if isinstance(value, list) and value:
            labels = option_labels(spec.options, language)
            return ", ".join(labels.get(str(v), str(v)) for v in value)
        return super().display(spec, value, language, translate)


def _ticked(field_id: str, option: Option) -> Any:
    def read(answers: Any) -> Cell:
        chosen = answers.get(field_id)
        return option.value in chosen if isinstance(chosen, list) else None

    return read


class RatingKind(FieldKind):
    name = "rating"
    starter = {"scale": {"min": 1, "max": 5}}
    label = mark_for_translation("Rating scale")
    value_kind = ValueKind.NUMBER
    allows = frozenset({"scale", "options"})
    needs_one_of = frozenset({"scale", "options"})
    renderer = "choice"
    counted_by_option = True
    graded = True

    def _values(self, spec: FieldSpec, language: str) -> list[SelectChoice]:
        if spec.options:
            return choices(spec.options, language)
        scale = spec.scale or {"min": 1, "max": 5}
        return [SelectChoice(str(n), str(n)) for n in range(scale["min"], scale["max"] + 1)]

    def field(self, spec: FieldSpec, label: str, language: str) -> Any:
        return _radio(label, self._values(spec, language))

    def live(self, spec: FieldSpec) -> dict[str, Any]:
        # A point of a numeric scale is stored as a number; a verbal option as its code.
        return {"reader": "choice" if spec.options else "number_choice"}

    def answer(self, spec: FieldSpec, data: Any) -> Any:
        if not data:
            return None
        return data if spec.options else int(data)

    def form_data(self, spec: FieldSpec, answer: Any) -> Any:
        return None if answer is None else str(answer)

    def export_columns(self, spec: FieldSpec, label: str, language: str) -> list[ExportColumn]:
        if spec.options:
            return [_labelled(spec, label, language)]
        fid = spec.id
        return [ExportColumn(label, "integer", lambda a: number_cell(a.get(fid)))]
