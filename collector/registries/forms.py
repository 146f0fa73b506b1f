"""The record form's own fields; the passport's fields are built from the schema."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, SelectField
from wtforms.validators import InputRequired

from collector.forms import SchemaForm


class RecordForm(SchemaForm):
    """The base of every built record form: the revision the page was loaded at (a save
    over someone else's newer one is refused), and whether the record is public."""

    revision = HiddenField()
    published = BooleanField(_l("Publish on the public page"))


class NewRecordForm(RecordForm):
    # Checked against the units offered by the view, with a message of its own.
    unit = SelectField(
        _l("Organisation"), coerce=int, validators=[InputRequired()], validate_choice=False
    )


class ConfirmForm(FlaskForm):
    """A campaign's confirmation of a unit's records (the button carries the CSRF token)."""
