"""Forms of the analysis pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired

from collector.analysis.recommendations import MAX_BODY, MAX_TITLE
from collector.forms import TrimmedForm
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
