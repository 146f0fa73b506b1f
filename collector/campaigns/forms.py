"""Forms of the campaign pages."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (
    DateField,
    DateTimeLocalField,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from collector.forms import CheckboxesField, SelectChoice, TrimmedForm
from collector.routing import id_value
from collector.units.forms import FiniteDecimalField
from collector.units.tabular import TABLE_EXTENSIONS

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


def optional_id(value: object) -> int | None:
    """A select's value read as an id; empty for none (anything else: not an id)."""
    if value is None or value == "":
        return None
    if isinstance(value, int):
        return value
    return id_value(str(value))


class _Refusing:
    """A choice field whose refusal of a value not of its kind says, in the user's words,
    to choose from the list."""

    refusal: str

    def __init__(self, *args: Any, refusal: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.refusal = refusal

    def process_formdata(self, valuelist: list[Any]) -> None:
        try:
            super().process_formdata(valuelist)  # type: ignore[misc]
        except ValueError as error:
            raise ValueError(str(self.refusal)) from error


class ListedField(_Refusing, SelectField):
    """A select that refuses a value off the list with the same words."""

    def pre_validate(self, form: Any) -> None:
        try:
            super().pre_validate(form)
        except ValidationError as error:
            raise ValidationError(str(self.refusal)) from error


class ListedCheckboxesField(_Refusing, CheckboxesField):
    """Checkboxes whose refusal of a value not of their kind says to tick from the list."""


class CampaignForm(TrimmedForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=500)])
    form_version = SelectField(_l("Form"), coerce=int, validators=[DataRequired()])
    owner = SelectField(
        _l("Coordinating organisation"),
        coerce=int,
        description=_l("The region or city department whose organisations answer."),
    )
    academic_year = ListedField(
        _l("Academic year"),
        refusal=_l("Choose an academic year from the list."),
        coerce=int,
        choices=[],
        # No DataRequired: it would put «required» in place of the refusal of a value
        # off the list; a missing year is off the list too.
        description=_l("The year the figures describe: from 1 September to 31 August."),
    )
    as_of = DateField(
        _l("Data as of"),
        validators=[Optional()],
        description=_l("The date the figures describe, for example 30 April."),
    )
    late_policy = RadioField(
        _l("After the deadline"),
        choices=[
            SelectChoice("flag", _l("accept late reports and mark them late")),
            SelectChoice("refuse", _l("refuse late reports")),
        ],
        default="flag",
    )
    unit_types = CheckboxesField(_l("Organisation types that answer"), choices=[])
    subtree = ListedField(
        _l("Only within"),
        refusal=_l("Choose a territory from the list."),
        coerce=optional_id,
        choices=[],
        # Checked by the service, with a message naming the coordinator's territory.
        validate_choice=False,
        description=_l("Empty: all the coordinating organisation's subtree."),
    )
    units = ListedCheckboxesField(
        _l("Only these organisations"),
        refusal=_l("Tick organisations in the list."),
        coerce=id_value,
        choices=[],
        # Drawn from the org tree by the page; the service checks each one is in the
        # campaign's territory and says which is not.
        validate_choice=False,
        description=_l("None ticked: all organisations of the chosen types."),
    )
    answer_roles = CheckboxesField(_l("Roles that may answer"), choices=[])
    min_response_rate = FiniteDecimalField(
        _l("Warn when a survey's response rate is below, %"),
        places=1,
        validators=[Optional(), NumberRange(0, 100)],
        description=_l("Surveys only: a lower response rate is flagged as too low to rely on."),
    )
    deadline_institutions = DateTimeLocalField(
        _l("Deadline for schools and other organisations"),
        format=DATETIME_FORMAT,
        validators=[Optional()],
    )
    deadline_municipalities = DateTimeLocalField(
        _l("Deadline for municipalities"), format=DATETIME_FORMAT, validators=[Optional()]
    )
    deadline_region = DateTimeLocalField(
        _l("Deadline for the region"), format=DATETIME_FORMAT, validators=[Optional()]
    )


class ExtensionForm(TrimmedForm):
    until = DateTimeLocalField(
        _l("New deadline"), format=DATETIME_FORMAT, validators=[DataRequired()]
    )
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=2000)])


class ReviewForm(TrimmedForm):
    comment = TextAreaField(
        _l("Comment for the organisation"),
        validators=[Optional(), Length(max=5000)],
        description=_l("Needed to return or reopen a report: say what to correct."),
    )


class ConfirmForm(TrimmedForm):
    """A button that changes something: only the CSRF token."""


class TableUploadForm(FlaskForm):
    """A file for one of the form's imported tables."""

    import_id = HiddenField()
    file = FileField(
        _l("File (CSV or XLSX)"),
        validators=[
            FileRequired(_l("Choose a file.")),
            FileAllowed(list(TABLE_EXTENSIONS), _l("Only CSV and XLSX files are accepted.")),
        ],
    )
