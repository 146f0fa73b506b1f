"""Forms of the campaign pages."""

from __future__ import annotations

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
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from collector.forms import CheckboxesField, SelectChoice, TrimmedForm
from collector.units.forms import FiniteDecimalField, WholeNumberField

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


class CampaignForm(TrimmedForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=500)])
    form_version = SelectField(_l("Form"), coerce=int, validators=[DataRequired()])
    owner = SelectField(
        _l("Coordinating organisation"),
        coerce=int,
        description=_l("The region or city department whose organisations answer."),
    )
    academic_year = WholeNumberField(
        _l("Academic year (its first calendar year)"),
        validators=[DataRequired(), NumberRange(2000, 2100)],
        description=_l("2025 for the 2025/2026 academic year."),
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
    subtree_code = StringField(
        _l("Only within (code of an organisation)"),
        validators=[Optional(), Length(max=64)],
        description=_l("Empty: all the coordinating organisation's subtree."),
    )
    unit_codes = TextAreaField(
        _l("Only these organisations (codes)"),
        validators=[Optional(), Length(max=100_000)],
        description=_l("One code per line, or separated by commas; empty: all of the types."),
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
            FileAllowed(["csv", "xlsx"], _l("Only CSV and XLSX files are accepted.")),
        ],
    )
