"""Building a WTForms class from a form spec through the field-type registry, and
converting between form data and stored answers. Uses WTForms only (no Flask): the caller
passes the base class (FlaskForm in the web app, for CSRF).

Required answers and cross-field rules are checked apart, on submit: a draft may be
incomplete, but a value that is typed must have the right shape.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from wtforms import (
    DateField,
    DecimalField,
    EmailField,
    FieldList,
    Form,
    FormField,
    IntegerField,
    RadioField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # new in 3.3
from wtforms.validators import Email, Length, NumberRange, Optional, StopValidation, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from collector.schema.spec import Column, FieldSpec, FormSpec, Option
from collector.schema.values import (
    DEFAULT_LONG_TEXT_LENGTH,
    DEFAULT_TEXT_LENGTH,
    clean_text,
    number_problem,
    text_problem,
)

YES_NO = (SelectChoice("yes", "Да"), SelectChoice("no", "Нет"))
MESSAGES = {
    "range": "Значение должно быть от %(min)s до %(max)s.",
    "min": "Значение должно быть не меньше %(min)s.",
    "max": "Значение должно быть не больше %(max)s.",
    "choice": "Выберите один из предложенных вариантов.",
    "length": "Не длиннее %(max)d символов.",
    "integer": "Введите целое число.",
    "number": "Введите число.",
    "date": "Введите дату в формате ДД.ММ.ГГГГ.",
}


class OneOf:
    """Like WTForms' AnyOf, for fields built with validate_choice=False (an empty radio
    group is allowed in a draft)."""

    def __init__(self, values: list[str]) -> None:
        self.values = set(values)

    def __call__(self, form: Form, field: Any) -> None:
        data = field.data if isinstance(field.data, list) else [field.data]
        if any(value not in self.values for value in data if value):
            raise ValidationError(MESSAGES["choice"])


class StorableNumber:
    """A number the engine and the spreadsheets can hold (finite, within float64's exact
    range, not too many digits), checked before any range: NaN cannot be compared."""

    def __init__(self, *, integer: bool) -> None:
        self.integer = integer

    def __call__(self, form: Form, field: Any) -> None:
        if field.data is None:
            return
        problem = number_problem(field.data, integer=self.integer)
        if problem is not None:
            raise StopValidation(problem)


class PlainText:
    """Text without control characters (tab and line breaks are fine)."""

    def __call__(self, form: Form, field: Any) -> None:
        if isinstance(field.data, str):
            problem = text_problem(field.data)
            if problem is not None:
                raise StopValidation(problem)


def _text(limit: int) -> list[Any]:
    return [Optional(), PlainText(), Length(max=limit, message=MESSAGES["length"] % {"max": limit})]


def _number(low: Decimal | None, high: Decimal | None, *, integer: bool) -> list[Any]:
    return [Optional(), StorableNumber(integer=integer), *_range(low, high)]


def _range(low: Decimal | None, high: Decimal | None) -> list[Any]:
    if low is None and high is None:
        return []
    if low is not None and high is not None:
        message = MESSAGES["range"] % {"min": low, "max": high}
    elif low is not None:
        message = MESSAGES["min"] % {"min": low}
    else:
        message = MESSAGES["max"] % {"max": high}
    return [NumberRange(min=low, max=high, message=message)]


def _choices(options: tuple[Option, ...], language: str) -> list[SelectChoice]:
    return [SelectChoice(o.value, o.label.get(language)) for o in options]


class FieldKind:
    """How one field type appears in a web form and in the stored answers."""

    def field(self, spec: FieldSpec, label: str, language: str) -> Any:
        raise NotImplementedError

    def answer(self, spec: FieldSpec, data: Any) -> Any:
        """Form data -> the JSON value stored (None when not answered)."""
        return data if data not in ("", []) else None

    def form_data(self, spec: FieldSpec, answer: Any) -> Any:
        """The stored value -> what the form field shows."""
        return answer


REGISTRY: dict[str, FieldKind] = {}


def register(*names: str) -> Callable[[type[FieldKind]], type[FieldKind]]:
    def decorate(cls: type[FieldKind]) -> type[FieldKind]:
        for name in names:
            REGISTRY[name] = cls()
        return cls

    return decorate


@register("integer")
class IntegerKind(FieldKind):
    def field(self, spec: FieldSpec, label: str, language: str) -> Any:
        return IntegerField(
            label,
            _number(spec.min, spec.max, integer=True),
            render_kw={"inputmode": "numeric"},
        )


@register("decimal", "percent")
class DecimalKind(FieldKind):
    def field(self, spec: FieldSpec, label: str, language: str) -> Any:
        low, high = spec.min, spec.max
        if spec.type == "percent":
            low = Decimal(0) if low is None else low
            high = Decimal(100) if high is None else high
        return DecimalField(
            label,
            _number(low, high, integer=False),
            places=spec.decimals,
            render_kw={"inputmode": "decimal"},
        )

    def answer(self, spec: FieldSpec, data: Any) -> Any:
        # Kept as text so that no digit is lost to binary floating point.
        return None if data is None else str(data)

    def form_data(self, spec: FieldSpec, answer: Any) -> Any:
        return _stored_decimal(answer)


def _stored_decimal(answer: Any) -> Decimal | None:
    """A stored decimal for the form to show; a value no door accepts now (NaN, digits
    past the limit, written by an older version) shows as empty, and the entry page
    names it (collector.entry.services.problems)."""
    if answer is None or isinstance(answer, bool):
        return None
    try:
        number = Decimal(str(answer)) if len(str(answer)) <= 64 else None
    except InvalidOperation:
        return None
    if number is None or number_problem(number, integer=False) is not None:
        return None
    return number


@register("yes_no")
class YesNoKind(FieldKind):
    def field(self, spec: FieldSpec, label: str, language: str) -> Any:
        return RadioField(
            label, [Optional(), OneOf(["yes", "no"])], choices=list(YES_NO), validate_choice=False
        )

    def answer(self, spec: FieldSpec, data: Any) -> Any:
        return {"yes": True, "no": False}.get(data)

    def form_data(self, spec: FieldSpec, answer: Any) -> Any:
        return None if answer is None else ("yes" if answer else "no")


@register("single_choice")
class SingleChoiceKind(FieldKind):
    def field(self, spec: FieldSpec, label: str, language: str) -> Any:
        return RadioField(
            label,
            [Optional(), OneOf([o.value for o in spec.options])],
            choices=_choices(spec.options, language),
            validate_choice=False,
        )


@register("multiple_choice")
class MultipleChoiceKind(FieldKind):
    def field(self, spec: FieldSpec, label: str, language: str) -> Any:
        return SelectMultipleField(
            label,
            [OneOf([o.value for o in spec.options])],
            choices=_choices(spec.options, language),
            validate_choice=False,
            widget=ListWidget(prefix_label=False),
            option_widget=CheckboxInput(),
        )

    def answer(self, spec: FieldSpec, data: Any) -> Any:
        # In the options' order, each once: a repeated key must not grow the answer.
        chosen = set(data or [])
        return [o.value for o in spec.options if o.value in chosen] or None


@register("rating")
class RatingKind(FieldKind):
    def _values(self, spec: FieldSpec, language: str) -> list[SelectChoice]:
        if spec.options:
            return _choices(spec.options, language)
        scale = spec.scale or {"min": 1, "max": 5}
        return [SelectChoice(str(n), str(n)) for n in range(scale["min"], scale["max"] + 1)]

    def field(self, spec: FieldSpec, label: str, language: str) -> Any:
        choices = self._values(spec, language)
        return RadioField(
            label,
            [Optional(), OneOf([c.value for c in choices])],
            choices=choices,
            validate_choice=False,
        )

    def answer(self, spec: FieldSpec, data: Any) -> Any:
        if not data:
            return None
        return data if spec.options else int(data)

    def form_data(self, spec: FieldSpec, answer: Any) -> Any:
        return None if answer is None else str(answer)


@register("text")
class TextKind(FieldKind):
    def field(self, spec: FieldSpec, label: str, language: str) -> Any:
        return StringField(label, _text(spec.max_length or DEFAULT_TEXT_LENGTH))

    def answer(self, spec: FieldSpec, data: Any) -> Any:
        return clean_text(data) or None if isinstance(data, str) else None


@register("long_text")
class LongTextKind(TextKind):
    def field(self, spec: FieldSpec, label: str, language: str) -> Any:
        return TextAreaField(label, _text(spec.max_length or DEFAULT_LONG_TEXT_LENGTH))


@register("date")
class DateKind(FieldKind):
    def field(self, spec: FieldSpec, label: str, language: str) -> Any:
        return DateField(label, [Optional()], format="%Y-%m-%d")

    def answer(self, spec: FieldSpec, data: Any) -> Any:
        return data.isoformat() if isinstance(data, date) else None

    def form_data(self, spec: FieldSpec, answer: Any) -> Any:
        return _stored_date(answer)


def _stored_date(answer: Any) -> date | None:
    try:
        return date.fromisoformat(answer) if isinstance(answer, str) and answer else None
    except ValueError:
        return None


class PersonForm(Form):
    full_name = StringField("ФИО", _text(300))
    position = StringField("Должность", _text(300))
    phone = StringField("Телефон", _text(50))
    email = EmailField("Электронная почта", [*_text(254), Email("Неверный адрес почты.")])


def _strip_record(data: dict[str, Any]) -> dict[str, Any] | None:
    record = {
        k: clean_text(v) if isinstance(v, str) else v for k, v in data.items() if k != "csrf_token"
    }
    record = {k: v for k, v in record.items() if v not in (None, "")}
    return record or None


@register("person")
class PersonKind(FieldKind):
    def field(self, spec: FieldSpec, label: str, language: str) -> Any:
        return FormField(PersonForm, label)

    def answer(self, spec: FieldSpec, data: Any) -> Any:
        return _strip_record(data or {})


def _cell_field(column: Column, language: str) -> Any:
    label = column.label.get(language)
    if column.type == "integer":
        return IntegerField(
            label,
            _number(column.min, column.max, integer=True),
            render_kw={"inputmode": "numeric"},
        )
    if column.type in ("decimal", "percent"):
        return DecimalField(label, _number(column.min, column.max, integer=False))
    if column.type == "yes_no":
        return RadioField(
            label, [Optional(), OneOf(["yes", "no"])], choices=list(YES_NO), validate_choice=False
        )
    if column.type == "single_choice":
        return RadioField(
            label,
            [Optional(), OneOf([o.value for o in column.options])],
            choices=_choices(column.options, language),
            validate_choice=False,
        )
    if column.type == "date":
        return DateField(label, [Optional()], format="%Y-%m-%d")
    return StringField(label, _text(column.max_length or DEFAULT_TEXT_LENGTH))


def _cell_answer(column: Column, data: Any) -> Any:
    if data in (None, ""):
        return None
    if isinstance(data, Decimal):
        return str(data)
    if isinstance(data, date):
        return data.isoformat()
    if column.type == "yes_no":
        return data == "yes"
    return clean_text(data) or None if isinstance(data, str) else data


def _cell_data(column: Column, answer: Any) -> Any:
    if answer is None:
        return None
    if column.type in ("decimal", "percent"):
        return _stored_decimal(answer)
    if column.type == "date":
        return _stored_date(answer)
    if column.type == "yes_no":
        return "yes" if answer else "no"
    return answer


@register("grid")
class GridKind(FieldKind):
    """Cells are named row__column in the web form and stored as {row: {column: value}}."""

    def field(self, spec: FieldSpec, label: str, language: str) -> Any:
        cells = {
            f"{row.value}__{column.id}": _cell_field(column, language)
            for row in spec.rows
            for column in spec.columns
        }
        return FormField(type(f"Grid_{spec.id}", (Form,), cells), label)

    def answer(self, spec: FieldSpec, data: Any) -> Any:
        grid: dict[str, dict[str, Any]] = {}
        for row in spec.rows:
            for column in spec.columns:
                value = _cell_answer(column, (data or {}).get(f"{row.value}__{column.id}"))
                if value is not None:
                    grid.setdefault(row.value, {})[column.id] = value
        return grid or None

    def form_data(self, spec: FieldSpec, answer: Any) -> Any:
        cells = answer or {}
        return {
            f"{row.value}__{column.id}": _cell_data(
                column, (cells.get(row.value) or {}).get(column.id)
            )
            for row in spec.rows
            for column in spec.columns
        }


@register("table")
class TableKind(FieldKind):
    """Rows of typed columns; empty rows are dropped when stored."""

    def field(self, spec: FieldSpec, label: str, language: str) -> Any:
        row_form = type(
            f"Row_{spec.id}", (Form,), {c.id: _cell_field(c, language) for c in spec.columns}
        )
        return FieldList(
            FormField(row_form),
            label,
            min_entries=max(1, spec.min_rows or 0),
            max_entries=spec.max_rows or 500,
        )

    def answer(self, spec: FieldSpec, data: Any) -> Any:
        rows = []
        for entry in data or []:
            row = {c.id: _cell_answer(c, entry.get(c.id)) for c in spec.columns}
            if any(value is not None for value in row.values()):
                rows.append({k: v for k, v in row.items() if v is not None})
        return rows or None

    def form_data(self, spec: FieldSpec, answer: Any) -> Any:
        return [{c.id: _cell_data(c, row.get(c.id)) for c in spec.columns} for row in answer or []]


@register("unit_ref")
class UnitRefKind(FieldKind):
    """The code of an org unit (the entry service checks it exists)."""

    def field(self, spec: FieldSpec, label: str, language: str) -> Any:
        return StringField(label, _text(64))

    def answer(self, spec: FieldSpec, data: Any) -> Any:
        return clean_text(data) or None if isinstance(data, str) else None


def field_label(spec: FieldSpec, language: str) -> str:
    label = spec.label.get(language)
    return f"{label}, {spec.unit}" if spec.unit else label


def _chosen(spec: FormSpec, field_ids: Collection[str] | None) -> list[FieldSpec]:
    return [f for f in spec.fields if field_ids is None or f.id in field_ids]


def build_form_class(
    spec: FormSpec,
    base: type[Form],
    language: str = "ru",
    field_ids: Collection[str] | None = None,
) -> type[Form]:
    """A form class with one field per schema field (or per chosen field, for one
    section), made in one step."""
    fields = {
        f.id: REGISTRY[f.type].field(f, field_label(f, language), language)
        for f in _chosen(spec, field_ids)
    }
    return type(f"Form_{spec.id.replace('-', '_')}_{spec.version}", (base,), fields)


def answers_from_form(
    spec: FormSpec, form: Form, field_ids: Collection[str] | None = None
) -> dict[str, Any]:
    answers = {}
    for f in _chosen(spec, field_ids):
        value = REGISTRY[f.type].answer(f, form[f.id].data)
        if value is not None:
            answers[f.id] = value
    return answers


def form_data_from_answers(
    spec: FormSpec, answers: dict[str, Any], field_ids: Collection[str] | None = None
) -> dict[str, Any]:
    return {
        f.id: REGISTRY[f.type].form_data(f, answers.get(f.id)) for f in _chosen(spec, field_ids)
    }
