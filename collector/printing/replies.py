"""A print-ready page sent as PDF: the one way every printed document becomes one
(collector.printing.pdf makes it, reading only this app's static files)."""

from __future__ import annotations

from pathlib import Path

from flask import current_app, url_for
from werkzeug.wrappers import Response

from collector.printing.pdf import pdf_of


def pdf_reply(page: str, name: str) -> Response:
    """The page as a PDF shown in the browser, saved under `name` (ASCII)."""
    folder = current_app.static_folder
    assert folder is not None  # the app serves its static files
    content = pdf_of(page, Path(folder), url_for("static", filename=""))
    return Response(
        content,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{name}"'},
    )
