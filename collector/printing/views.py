"""A unit report printed for signature: the blank form (for whoever may fill it in) and
the filled report (for whoever may read it), as a print-ready page and, at the same
address ending in .pdf, as PDF."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_babel import get_locale
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from collector.extensions import db
from collector.printing import services
from collector.printing.replies import pdf_reply

# A page, a PDF, or the page saying no PDF can be made here (with its status).
Reply = str | Response | tuple[str, int]

bp = Blueprint("printing", __name__, url_prefix="/print")


@bp.before_request
@login_required
def _require_login() -> None:
    """Every page here needs a logged-in user."""


def _language() -> str:
    return str(get_locale())


def _reply(report: services.PrintedReport, pdf_name: str | None) -> Reply:
    page = render_template("printing/report.html", report=report)
    return page if pdf_name is None else pdf_reply(page, pdf_name)


@bp.get("/responses/<int:response_id>")
@bp.get("/responses/<int:response_id>.pdf", endpoint="filled_pdf", defaults={"pdf": True})
def filled(response_id: int, pdf: bool = False) -> Reply:
    report = services.filled_report(db.session(), current_user, response_id, _language())
    return _reply(report, f"report-{response_id}.pdf" if pdf else None)


@bp.get("/responses/<int:response_id>/blank")
@bp.get("/responses/<int:response_id>/blank.pdf", endpoint="blank_pdf", defaults={"pdf": True})
def blank(response_id: int, pdf: bool = False) -> Reply:
    report = services.blank_form(db.session(), current_user, response_id, _language())
    return _reply(report, f"form-{response_id}.pdf" if pdf else None)


@bp.get("/forms/<form_id>/<int:unit_id>/blank")
@bp.get(
    "/forms/<form_id>/<int:unit_id>/blank.pdf", endpoint="blank_of_unit_pdf", defaults={"pdf": True}
)
def blank_of_unit(form_id: str, unit_id: int, pdf: bool = False) -> Reply:
    report = services.blank_form_of(db.session(), current_user, form_id, unit_id, _language())
    return _reply(report, f"form-{unit_id}.pdf" if pdf else None)
