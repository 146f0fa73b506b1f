from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField

from collector.schema.kinds import field_kinds, renderers

# How the templates draw each field type (its kind says; a macro of entry/_fields.html).
RENDERERS = renderers()
# Types whose typed value a survey keeps as a hidden input while its section is hidden.
HIDDEN_COPIES = frozenset(name for name, kind in field_kinds().items() if kind.travels_hidden)


class EntryForm(FlaskForm):
    """The base of every built data-entry form: it carries the revision the user started
    from, so a save over someone else's newer one is noticed."""

    revision = HiddenField()
