from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # new in 3.3
from wtforms.validators import DataRequired, Length

from collector.api.tokens import EXPIRY_DAYS, MAX_NAME_LENGTH
from collector.forms import SchemaForm
from collector.models import TokenScope


class NewTokenForm(FlaskForm):
    name = StringField(
        _l("Name"),
        validators=[DataRequired(), Length(max=MAX_NAME_LENGTH)],
        description=_l("What the token is for: the script or system that will use it."),
    )
    scope = SelectField(
        _l("Access"),
        choices=[
            SelectChoice(TokenScope.READ.value, _l("Read only")),
            SelectChoice(TokenScope.WRITE.value, _l("Read and write")),
        ],
        default=TokenScope.READ.value,
    )
    days = SelectField(
        _l("Valid for"),
        choices=[SelectChoice(str(d), _l("%(n)d days", n=d)) for d in EXPIRY_DAYS],
        default="90",
    )


class ApiEntryForm(SchemaForm):
    """The base of a report's form built for an API write: the page's checks and their
    messages, without the page's CSRF token (the API authenticates by bearer token)."""

    class Meta:
        csrf = False
