"""The report page's download buttons: a form, for its CSRF token."""

from __future__ import annotations

from flask_wtf import FlaskForm


class ExportForm(FlaskForm):
    """Starts an export job (which table, and which reports count, come with the button)."""
