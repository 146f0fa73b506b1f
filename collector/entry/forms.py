from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField


class EntryForm(FlaskForm):
    """The base of every built data-entry form: it carries the revision the user started
    from, so a save over someone else's newer one is noticed."""

    revision = HiddenField()
