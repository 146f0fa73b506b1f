"""What a field kind is. Each kind of question (a whole number, a single choice, a grid…)
is one class in one module of this package that knows everything about it: the schema keys
it needs and allows, the value it gives expressions, its web-form field and how form data
becomes the stored answer and back, its bounds for stored values, its spreadsheet columns,
how a cell of an uploaded table is read, how an answer reads on a page, and the totals
shown beside it (`derived`). Callers ask the registry (`collector.schema.kinds`); nothing
else branches on a type's name.

Pure: WTForms, no Flask. Texts a user reads are marked for translation here and
translated by the page that shows them (`Translate`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any, ClassVar, Protocol

from wtforms import Form, StringField
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # new in 3.3
from wtforms.form import BaseForm
from wtforms.meta import DefaultMeta
from wtforms.validators import Optional, StopValidation, ValidationError

from collector.marks import mark_for_translation
from collector.schema.expressions import Call, Node, Reference
from collector.schema.spec import Column, FieldSpec, Option, Text
from collector.schema.types import COMMON_KEYS, ValueKind
from collector.schema.values import (
    DEFAULT_TEXT_LENGTH,
    RefusedAnswer,
    clean_text,
    number_problem,
    stored_number,
    text_problem,
)

# A value in an exported spreadsheet cell (collector.exporters.contract.Cell).
Cell = str | int | float | bool | date | None
Answers = Mapping[str, Any]

# Messages of the web form's checks, marked for translation: a check raises them through
# the field's gettext (`field.gettext`), which the web app's forms (collector.forms) give
# the user's language, its own catalogue first and then WTForms' own.
MESSAGES = {
    "range": mark_for_translation("Enter a value from %(min)s to %(max)s."),
    "min": mark_for_translation("Enter a value no less than %(min)s."),
    "max": mark_for_translation("Enter a value no more than %(max)s."),
    "choice": mark_for_translation("Choose one of the options offered."),
    "length": mark_for_translation("Enter at most %(max)d characters."),
}
# A refused stored value in a number column (the workbooks are Russian, as their headers).
REFUSED_CELL = "«%s» — вне допустимого, не учтено"


class Translate(Protocol):
    """gettext as Flask-Babel gives it: a message marked here, with its values."""

    def __call__(self, string: str, **variables: Any) -> str: ...


@dataclass(frozen=True)
class ExportColumn:
    """One spreadsheet column of a field: its title, its cell kind ("text", "integer",
    "number", "bool": collector.exporters.contract.Column.kind) and how a response's
    answers give its cell."""

    title: str
    kind: str
    read: Callable[[Answers], Cell]


@dataclass(frozen=True)
class Derived:
    """A value worked out from the answers and shown beside a field as the user types (a
    grid's totals, a table column's sum, what is left of a total after its parts), by the
    server for the page as stored and by the page's script after (collector.schema.derived).
    `terms`: its numbers, named, as expressions of the form's grammar; `text`: a message
    marked for translation naming them (%(value)s) and the `labels` (%(name)s)."""

    key: str
    field_id: str
    text: str
    terms: tuple[tuple[str, Node], ...]
    labels: tuple[tuple[str, Text], ...] = ()


# A total of a grid's row or column, of a table's column.
TOTAL_TEXT = mark_for_translation("Total (%(name)s): %(value)s")


def summed(*paths: tuple[str, ...]) -> Node:
    """sum(a, b, …) of the references."""
    return Call("sum", tuple(Reference(path) for path in paths))


@dataclass(frozen=True)
class CellProblem:
    """Why a cell of an uploaded table is not a value of its column: a message marked for
    translation and the values it names."""

    message: str
    values: Mapping[str, object] = field(default_factory=dict)


class OneOf:
    """Like WTForms' AnyOf, for fields built with validate_choice=False (an empty radio
    group is allowed in a draft)."""

    def __init__(self, values: list[str]) -> None:
        self.values = set(values)

    def __call__(self, form: Form, field: Any) -> None:
        data = field.data if isinstance(field.data, list) else [field.data]
        if any(value not in self.values for value in data if value):
            raise ValidationError(field.gettext(MESSAGES["choice"]))


class StorableNumber:
    """A number the engine and the spreadsheets can hold (finite, within float64's exact
    range, not too many digits), checked before any range: NaN cannot be compared."""

    def __init__(self, *, integer: bool) -> None:
        self.integer = integer

    def __call__(self, form: Form, field: Any) -> None:
        if field.process_errors:
            # Not read as a number: its field said why; one message per problem (no range
            # check of a value that is not there).
            raise StopValidation()
        if field.data is None:
            return
        problem = number_problem(field.data, integer=self.integer)
        if problem is not None:
            raise StopValidation(problem.text(field.gettext))


class PlainText:
    """Text without control characters (tab and line breaks are fine)."""

    def __call__(self, form: Form, field: Any) -> None:
        if isinstance(field.data, str):
            problem = text_problem(field.data)
            if problem is not None:
                raise StopValidation(problem.text(field.gettext))


class MaxLength:
    """At most `limit` characters, said in the user's language."""

    def __init__(self, limit: int) -> None:
        self.limit = limit

    def __call__(self, form: Form, field: Any) -> None:
        if isinstance(field.data, str) and len(field.data) > self.limit:
            raise StopValidation(field.gettext(MESSAGES["length"]) % {"max": self.limit})


class InRange:
    """A number within the schema's bounds, said in the user's language."""

    def __init__(self, low: Decimal | None, high: Decimal | None) -> None:
        self.low, self.high = low, high

    def __call__(self, form: Form, field: Any) -> None:
        value = field.data
        if value is None:
            return
        low, high = self.low, self.high
        if (low is None or value >= low) and (high is None or value <= high):
            return
        if low is not None and high is not None:
            message = field.gettext(MESSAGES["range"]) % {"min": low, "max": high}
        elif low is not None:
            message = field.gettext(MESSAGES["min"]) % {"min": low}
        else:
            message = field.gettext(MESSAGES["max"]) % {"max": high}
        raise StopValidation(message)


def text_checks(limit: int) -> list[Any]:
    return [Optional(), PlainText(), MaxLength(limit)]


def number_checks(low: Decimal | None, high: Decimal | None, *, integer: bool) -> list[Any]:
    checks: list[Any] = [Optional(), StorableNumber(integer=integer)]
    return checks if low is None and high is None else [*checks, InRange(low, high)]


class SubformMeta(DefaultMeta):
    """The meta of a form inside a field (a grid's cells, a table's row, a person's parts):
    its messages in the language of the form it is part of (WTForms passes it as
    `_parent_form`), not WTForms' untranslated English."""

    _parent_form: BaseForm | None = None

    def get_translations(self, form: BaseForm) -> Any:
        parent = self._parent_form
        if parent is not None:
            return parent.meta.get_translations(parent)
        return super().get_translations(form)


class Subform(Form):
    """The base of the forms inside a field."""

    Meta = SubformMeta


def choices(options: tuple[Option, ...], language: str) -> list[SelectChoice]:
    return [SelectChoice(o.value, o.label.get(language)) for o in options]


def stored_decimal(answer: Any) -> Decimal | None:
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


def stored_date(answer: Any) -> date | None:
    try:
        return date.fromisoformat(answer) if isinstance(answer, str) and answer else None
    except ValueError:
        return None


def number_cell(value: Any) -> Cell:
    """A stored number as a cell; one no door accepts now (NaN, past 2^53, written by an
    older version) is named in words instead, as the report names it."""
    number, refused = stored_number(value)
    if refused:
        return refused_cell(value)
    if number is None:
        return None
    return int(number) if number.is_integer() else number


def refused_cell(value: Any) -> str:
    return REFUSED_CELL % RefusedAnswer(("",), value).shown()


def option_labels(options: tuple[Option, ...], language: str) -> dict[str, str]:
    return {o.value: o.label.get(language) for o in options}


def problem(message: str, **values: object) -> CellProblem:
    return CellProblem(message, values)


_FRAME_KINDS = {
    ValueKind.NUMBER: "number",
    ValueKind.BOOL: "bool",
    ValueKind.CHOICES: "list",
    ValueKind.TABLE: "list",  # its rows: count() counts them
}


class FieldKind:
    """A kind of question. Subclasses set the class attributes and override what differs;
    the defaults are those of a plain text-like answer."""

    name: ClassVar[str]
    # What the designer calls it (marked for translation; translated where shown).
    label: ClassVar[str]
    value_kind: ClassVar[ValueKind]
    needs: ClassVar[frozenset[str]] = frozenset()
    allows: ClassVar[frozenset[str]] = frozenset()
    # Needs one of these keys (rating: a numeric scale or verbal options).
    needs_one_of: ClassVar[frozenset[str]] = frozenset()
    # May be a column of a table or an imported table; of a grid (whose cells are summed).
    in_tables: ClassVar[bool] = False
    in_grids: ClassVar[bool] = False
    # Keys a column of this kind needs (a single-choice column: its options).
    column_needs: ClassVar[frozenset[str]] = frozenset()
    # How data entry draws it: the `input` macro of templates/kinds/<renderer>.html.
    renderer: ClassVar[str] = "plain"
    # How the browser reads its value from the form as the user types, for conditions
    # and rules (a reader of collector/static/live-form.js: "text", "integer", "decimal",
    # "yes_no", "choice", "choices", "date", "person"; a grid or a table says more in
    # `live`).
    reader: ClassVar[str] = "text"
    # Counted per option in a survey's distribution of answers.
    counted_by_option: ClassVar[bool] = False
    # A free-text answer (read, searched and summed up by its spelling on report pages).
    free_text: ClassVar[bool] = False
    # Names an org unit by its code (the entry service checks it exists).
    names_unit: ClassVar[bool] = False
    # Answered only in a unit report's data entry (a file: a survey's anonymous answer or
    # a registry's record has no place to keep it).
    unit_reports_only: ClassVar[bool] = False
    # Never on a registry's public page, whatever the schema says (a person's contacts).
    private: ClassVar[bool] = False
    # Its options are points of one scale (charted in a graded palette).
    graded: ClassVar[bool] = False
    # The keys a new question of this kind starts with in the designer (the least the
    # meta-schema accepts), and the type of a column added to it.
    starter: ClassVar[Mapping[str, Any]] = {}
    new_column_type: ClassVar[str | None] = None
    # In a registry: a record's title may be it; a summary may group records by it (a
    # few values), or sum it.
    titles_records: ClassVar[bool] = False
    groups_records: ClassVar[bool] = False
    sums_records: ClassVar[bool] = False

    @property
    def allowed_keys(self) -> frozenset[str]:
        return COMMON_KEYS | self.needs | self.allows | self.needs_one_of

    @property
    def frame_kind(self) -> str:
        """How the indicator engine holds its values: "number", "bool", "list" or "text"."""
        return _FRAME_KINDS.get(self.value_kind, "text")

    # The web form -------------------------------------------------------------------

    def field(self, spec: FieldSpec, label: str, language: str) -> Any:
        return StringField(label, text_checks(spec.max_length or DEFAULT_TEXT_LENGTH))

    def answer(self, spec: FieldSpec, data: Any) -> Any:
        """Form data -> the JSON value stored (None when not answered)."""
        return data if data not in ("", []) else None

    def form_data(self, spec: FieldSpec, answer: Any) -> Any:
        """The stored value -> what the form field shows."""
        return answer

    def live(self, spec: FieldSpec) -> dict[str, Any]:
        """What the browser needs to read the field's value from the form (its inputs
        are named as WTForms names them: the field's id; a grid's cells id-row__column;
        a table's cells id-N-column)."""
        return {"reader": self.reader}

    def derived(self, spec: FieldSpec) -> tuple[Derived, ...]:
        """The values worked out from its answer and shown beside it (a grid's totals)."""
        return ()

    # As a column of a grid or a table ------------------------------------------------

    def cell_field(self, column: Column, language: str) -> Any:
        label = column.label.get(language)
        return StringField(label, text_checks(column.max_length or DEFAULT_TEXT_LENGTH))

    def cell_answer(self, column: Column, data: Any) -> Any:
        """A cell's form data -> the value stored in the grid or table."""
        if data in (None, ""):
            return None
        if isinstance(data, Decimal):
            return str(data)
        if isinstance(data, date):
            return data.isoformat()
        return clean_text(data) or None if isinstance(data, str) else data

    def cell_data(self, column: Column, answer: Any) -> Any:
        return answer

    # Stored values, read defensively ---------------------------------------------------

    def refused(self, value: Any) -> bool:
        """Whether a stored value is one no door accepts now (written by an older version
        or around the doors): it is not counted, and the report names it."""
        return False

    def refused_in(self, spec: FieldSpec, value: Any) -> list[RefusedAnswer]:
        return [RefusedAnswer((spec.id,), value)] if self.refused(value) else []

    def readable(self, value: Any) -> Any:
        """A stored value as expressions read it: a number no door accepts now (NaN, past
        2^53) is missing, as the indicator engine reads it."""
        if self.value_kind == ValueKind.NUMBER and value is not None and self.refused(value):
            return None
        return value

    def context(self, spec: FieldSpec, answer: Any) -> dict[str, Any]:
        """Dotted names below the field's own that expressions read (a grid's cells)."""
        return {}

    # Spreadsheets ------------------------------------------------------------------------

    cell_kind: ClassVar[str] = "text"

    def export_columns(self, spec: FieldSpec, label: str, language: str) -> list[ExportColumn]:
        fid = spec.id
        return [ExportColumn(label, self.cell_kind, lambda a: self.cell_value(a.get(fid)))]

    def row_columns(self, spec: FieldSpec, language: str) -> list[ExportColumn]:
        """The columns of the field's own rows sheet, each read from one stored row (a
        repeating table's: collector.schema.kinds.table); none for a field whose answer
        fits its columns of the answers sheet."""
        return []

    def stored_rows(self, value: Any) -> list[dict[str, Any]]:
        """The rows of a stored answer that has a rows sheet, in their order."""
        return []

    def row_column(self, column: Column, label: str, language: str) -> ExportColumn:
        """A table's column on the table's rows sheet, read from one stored row, in its
        type (a date as a date, an option by its label)."""
        cid = column.id
        return ExportColumn(label, self.cell_kind, lambda row: self.cell_value(row.get(cid)))

    def cell_value(self, value: Any) -> Cell:
        """A stored value (of the field, or of a grid's or table's cell) as a cell."""
        return value if value is None or isinstance(value, bool) else str(value)

    def parse_cell(self, column: Column, text: str) -> tuple[Any, CellProblem | None]:
        """The value of an uploaded table's cell for the column, or why it is not one."""
        limit = column.max_length or DEFAULT_TEXT_LENGTH
        if len(text) > limit:
            return None, problem(
                mark_for_translation("longer than %(limit)s characters"), limit=limit
            )
        return text, None

    # Pages --------------------------------------------------------------------------------

    def display(self, spec: FieldSpec, value: Any, language: str, translate: Translate) -> str:
        """One stored answer as a reader sees it ("—" when there is none)."""
        if value is None or value == "" or value == []:
            return "—"
        return option_labels(spec.options, language).get(str(value), str(value))


_REGISTRY: dict[str, FieldKind] = {}


def register(kind: FieldKind) -> FieldKind:
    """Adds a kind to the registry (collector.schema.kinds registers the built-in ones;
    a test may add its own)."""
    if kind.name in _REGISTRY and type(_REGISTRY[kind.name]) is not type(kind):
        raise ValueError(f"a field kind named {kind.name!r} is registered already")
    _REGISTRY[kind.name] = kind
    return kind


def unregister(name: str) -> None:
    _REGISTRY.pop(name, None)


def kind_of(name: str) -> FieldKind:
    """The kind of a field or a column type (KeyError for a type no kind has)."""
    return _REGISTRY[name]


def registered() -> dict[str, FieldKind]:
    return dict(_REGISTRY)
