"""Forms of the analysis pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, StringField, TextAreaField
from wtforms.validators import DataRequired, Optional

from collector.analysis.measures import MAX_TEXT
from collector.analysis.recommendations import MAX_BODY, MAX_TITLE
from collector.campaigns.forms import ListedCheckboxesField, ListedField, optional_id
from collector.forms import TrimmedForm
from collector.routing import id_value
from collector.schema.kinds.base import MaxLength


class ActionForm(FlaskForm):
    """A button's form: its CSRF token (which action comes with the button)."""


class RecommendationForm(TrimmedForm):
    title = StringField(
        _l("Title"),
        validators=[DataRequired(_l("Give the recommendation a title.")), MaxLength(MAX_TITLE)],
    )
    body = TextAreaField(
        _l("Recommendation"),
        validators=[DataRequired(_l("Write the recommendation.")), MaxLength(MAX_BODY)],
        render_kw={"rows": 14},
    )


class MeasureForm(TrimmedForm):
    """A measure of the register; the lists come from the form and the territory
    (collector.analysis.measures.choices), and the service checks each value again."""

    kind = ListedField(
        _l("Kind"), refusal=_l("Choose a kind from the list."), choices=[], validate_choice=False
    )
    title = StringField(
        _l("What was decided"),
        validators=[DataRequired(_l("Say what was decided.")), MaxLength(MAX_TEXT)],
    )
    responsible_unit_id = ListedField(
        _l("Responsible"),
        refusal=_l("Choose a unit from the list."),
        coerce=optional_id,
        choices=[],
        validate_choice=False,
    )
    starts_on = DateField(_l("From"), validators=[Optional()])
    ends_on = DateField(_l("To"), validators=[Optional()])
    unit_ids = ListedCheckboxesField(
        _l("Units concerned"),
        refusal=_l("Choose the units concerned from the list."),
        coerce=id_value,
        choices=[],
        validate_choice=False,
    )
    indicators = ListedCheckboxesField(
        _l("Indicators aimed at"),
        refusal=_l("Choose the indicators aimed at from the list."),
        choices=[],
        validate_choice=False,
    )
    act = StringField(
        _l("Recorded by (order, protocol)"),
        validators=[MaxLength(MAX_TEXT)],
        description=_l("For example: приказ от 20.08.2025 № 512."),
    )
    status = ListedField(
        _l("Status"),
        refusal=_l("Choose a status from the list."),
        choices=[],
        validate_choice=False,
    )


class StatusForm(FlaskForm):
    status = ListedField(
        _l("Status"),
        refusal=_l("Choose a status from the list."),
        choices=[],
        validate_choice=False,
    )
