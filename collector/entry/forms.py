from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField

# How the template draws each field type; types not named use the plain control.
RENDERERS = {
    "yes_no": "choice",
    "single_choice": "choice",
    "rating": "choice",
    "multiple_choice": "choice",
    "person": "person",
    "grid": "grid",
    "table": "table",
}


class EntryForm(FlaskForm):
    """The base of every built data-entry form: it carries the revision the user started
    from, so a save over someone else's newer one is noticed."""

    revision = HiddenField()
