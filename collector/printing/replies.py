"""A print-ready page sent as PDF: the one way every printed document becomes one
(collector.printing.pdf makes it, reading only this app's static files)."""

from __future__ import annotations

from pathlib import Path

from flask import current_app, render_template, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from collector.printing.pdf import PdfUnavailable, pdf_of

UNAVAILABLE = 503


def pdf_content(page: str) -> bytes:
    """The PDF of a page of this app (PdfUnavailable without WeasyPrint's libraries)."""
    folder = current_app.static_folder
    assert folder is not None  # the app serves its static files
    return pdf_of(page, Path(folder), url_for("static", filename=""))


def unavailable_message() -> str:
    return _(
        "A PDF cannot be made on this server now (its libraries are missing): print the "
        "page from the browser, or ask the administrators."
    )


def pdf_reply(page: str, name: str) -> Response | tuple[str, int]:
    """The page as a PDF shown in the browser, saved under `name` (ASCII)."""
    try:
        content = pdf_content(page)
    except PdfUnavailable as missing:
        current_app.logger.error("no PDF: %s", missing)
        title = _("The service is briefly unavailable")
        message = unavailable_message()
        return render_template(
            "error.html", code=UNAVAILABLE, title=title, message=message
        ), UNAVAILABLE
    return Response(
        content,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{name}"'},
    )
