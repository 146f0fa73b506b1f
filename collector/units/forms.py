from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (
    BooleanField,
    DecimalField,
    EmailField,
    IntegerField,
    SelectField,
    StringField,
)
from wtforms.validators import AnyOf, DataRequired, Email, Length, NumberRange, Optional

from collector.forms import SelectChoice, TrimmedForm
from collector.labels import UNIT_TYPE_LABELS
from collector.models import UnitType
from collector.unit_catalog import FIGURE_KINDS, SCHOOL_TYPES, column_name
from collector.units.tabular import TABLE_EXTENSIONS

# ASCII digits only, at most 15 of them: int() also reads Arabic-Indic and full-width
# digits, and WTForms' NumberRange calls math.isnan, which a 400-digit integer overflows
# (an OverflowError, a 500) before any range is checked.
_WHOLE_NUMBER = re.compile(r"[+-]?[0-9]{1,15}")
_DECIMAL_NUMBER = re.compile(r"[+-]?(?:[0-9]{1,15}(?:\.[0-9]{0,15})?|\.[0-9]{1,15})")


def _typed(valuelist: list[Any]) -> str | None:
    if not valuelist or valuelist[0] is None:
        return None
    text = str(valuelist[0]).strip()
    return text or None


class WholeNumberField(IntegerField):
    """An IntegerField that reads a whole number of at most 15 ASCII digits; anything
    else is the field's usual "not a valid integer" message, never an exception."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        text = _typed(valuelist)
        if text is not None and not _WHOLE_NUMBER.fullmatch(text):
            self.data = None
            raise ValueError(self.gettext("Not a valid integer value."))
        super().process_formdata(valuelist)


class FiniteDecimalField(DecimalField):
    """A DecimalField that reads a plain finite decimal of at most 15 + 15 ASCII digits:
    Decimal() takes "sNaN" (math.isnan then raises), "Infinity" and "1e999999999" (which
    the field cannot round when the page is shown again)."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        text = _typed(valuelist)
        if text is not None and not _DECIMAL_NUMBER.fullmatch(text):
            self.data = None
            raise ValueError(self.gettext("Not a valid decimal value."))
        super().process_formdata(valuelist)
        if isinstance(self.data, Decimal) and not self.data.is_finite():
            self.data = None
            raise ValueError(self.gettext("Not a valid decimal value."))


class UnitForm(TrimmedForm):
    name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=500)])
    short_name = StringField(_l("Short name"), validators=[Optional(), Length(max=200)])
    code = StringField(
        _l("Code"),
        validators=[DataRequired(), Length(max=64)],
        description=_l("A stable code that imports use to find the organisation."),
    )
    timezone = StringField(
        _l("Time zone"),
        validators=[Optional(), Length(max=64)],
        description=_l("For example Europe/Moscow or Asia/Tomsk; empty means as above."),
    )
    address = StringField(_l("Address"), validators=[Optional(), Length(max=500)])
    contact_name = StringField(
        _l("Contact person"),
        validators=[Optional(), Length(max=300)],
        description=_l("Who answers for the organisation's reports; reminders go to them."),
    )
    contact_email = EmailField(
        _l("Contact e-mail"), validators=[Optional(), Email(), Length(max=254)]
    )
    contact_phone = StringField(_l("Contact phone"), validators=[Optional(), Length(max=64)])
    school_type = SelectField(
        _l("School type"),
        choices=[],
        # A unit without a type (None, or the field not sent) is the empty choice.
        validate_choice=False,
        validators=[Optional(), AnyOf(list(SCHOOL_TYPES))],
        description=_l("For a school: indicators count adaptive and boarding schools apart."),
    )
    is_active = BooleanField(_l("Active"), default=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.school_type.choices = [SelectChoice("", "—")] + [
            SelectChoice(t.key, t.label_ru) for t in SCHOOL_TYPES.values()
        ]


class NewUnitForm(UnitForm):
    unit_type = SelectField(_l("Type"), choices=[])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.unit_type.choices = [
            SelectChoice(t.value, UNIT_TYPE_LABELS[t.value]) for t in UnitType
        ]


class EditUnitForm(UnitForm):
    parent_code = StringField(
        _l("Code of the parent organisation"),
        validators=[Optional(), Length(max=64)],
        description=_l("Change it to move the organisation with everything below it."),
    )


class ImportForm(FlaskForm):
    kind = SelectField(
        _l("What the file holds"),
        choices=[
            SelectChoice("units", _l("Organisations")),
            SelectChoice("figures", _l("Reference figures")),
        ],
    )
    file = FileField(
        _l("File (CSV or XLSX)"),
        validators=[
            FileRequired(_l("Choose a file.")),
            FileAllowed(list(TABLE_EXTENSIONS), _l("Only CSV and XLSX files are accepted.")),
        ],
    )
    dry_run = BooleanField(_l("Only check, do not import"))


def figures_form_class() -> type[FlaskForm]:
    """One optional non-negative integer field per figure column, built once."""
    fields: dict[str, Any] = {}
    for kind in FIGURE_KINDS.values():
        for grade in kind.grades or (0,):
            name = column_name(kind.key, grade)
            fields[name] = WholeNumberField(
                name,
                validators=[
                    Optional(),
                    NumberRange(min=0, max=1_000_000, message=_l("Enter a whole number ≥ 0.")),
                ],
                render_kw={"inputmode": "numeric"},
            )
    return type("FiguresForm", (FlaskForm,), fields)


FiguresForm = figures_form_class()
