"""What every page needs: security headers, the navigation of the user's roles, helpers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from flask import Flask, request, session
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.wrappers import Response

from collector.auth.permissions import Action
from collector.auth.services import can_somewhere
from collector.formats import (
    count_text,
    date_text,
    indicator_value,
    iso_local_time,
    local_date,
    local_time,
    moment_text,
    with_unit,
)
from collector.forms import control_attributes, error_ids, own_errors
from collector.labels import (
    audit_label,
    campaign_state_label,
    coverage_notes,
    job_state_label,
    role_label,
    status_badge,
    status_label,
    unit_type_label,
)
from collector.schema.kinds import kind_of
from collector.schema.kinds.files import file_rules
from collector.schema.spec import FieldSpec
from collector.schema.types import ValueKind

# Everything is served from this origin: no CDN, no web fonts from elsewhere.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    label: Any
    action: Action | None = None


NAVIGATION = (
    NavItem("main.home", _l("Home")),
    NavItem("entry.index", _l("My forms"), Action.FILL_REPORT),
    NavItem("campaigns.index", _l("Campaigns"), Action.REVIEW_REPORTS),
    NavItem("registries.index", _l("Registries"), Action.VIEW_UNIT),
    NavItem("designer.index", _l("Form designer"), Action.DESIGN_FORMS),
    NavItem("units.index", _l("Organisations"), Action.VIEW_UNIT),
    NavItem("units.import_units_page", _l("Import"), Action.IMPORT_UNITS),
    NavItem("users.index", _l("Users"), Action.MANAGE_USERS),
)


def navigation_for(user: Any) -> list[NavItem]:
    if not user.is_authenticated:
        return []
    return [item for item in NAVIGATION if item.action is None or can_somewhere(user, item.action)]


def answer_text(value: Any, field: FieldSpec, language: str) -> str:
    """One stored answer as a reader sees it, as its kind shows it: an option's label,
    «да»/«нет», the chosen options of a multiple choice, a table's number of rows; a
    day as the interface language writes days."""
    kind = kind_of(field.type)
    if kind.value_kind == ValueKind.DATE and isinstance(value, str) and value:
        try:
            return date_text(date.fromisoformat(value[:10]))
        except ValueError:
            pass  # a stored text that is not a day: as the kind shows it
    return kind.display(field, value, language, _)


def _security_headers(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("X-Frame-Options", "DENY")
    return response


def _no_store_behind_login(response: Response) -> Response:
    """Pages of a logged-in user, and the login pages, are kept in no cache and no
    back-button history: after logout, nobody at the same computer reads them again."""
    if request.endpoint in ("static", "department_logo"):
        return response
    # A survey page is never kept either (it carries its send's key and a CSRF token),
    # and whether someone is logged in is not looked up for a parent's answer.
    if request.blueprint == "surveys":
        response.headers["Cache-Control"] = "no-store"
        return response
    # Whether someone is logged in is read from the session cookie, not from the user's
    # record: a view's commit has expired it, and a database that stopped answering since
    # would fail the page after its work was done.
    if "_user_id" in session or (request.endpoint or "").startswith("auth."):
        response.headers["Cache-Control"] = "no-store"
    return response


def init_app(app: Flask) -> None:
    app.after_request(_security_headers)
    app.after_request(_no_store_behind_login)
    app.add_template_filter(role_label, "role_label")
    app.add_template_filter(unit_type_label, "unit_type_label")
    app.add_template_filter(status_label, "status_label")
    app.add_template_filter(audit_label, "audit_label")
    app.add_template_filter(job_state_label, "job_state_label")
    app.add_template_filter(status_badge, "status_badge")
    app.add_template_filter(campaign_state_label, "campaign_state_label")
    app.add_template_filter(local_time, "local_time")
    app.add_template_filter(iso_local_time, "iso_local_time")
    app.add_template_filter(local_date, "local_date")
    app.add_template_filter(date_text, "date_text")
    app.add_template_filter(moment_text, "moment_text")
    app.add_template_filter(indicator_value, "indicator_value")
    app.add_template_filter(with_unit, "with_unit")
    app.add_template_filter(count_text, "count")
    app.add_template_global(coverage_notes, "coverage_notes")
    app.add_template_filter(answer_text, "answer_text")
    app.add_template_global(own_errors, "own_errors")
    app.add_template_global(error_ids, "error_ids")
    app.add_template_global(control_attributes, "control_attributes")
    app.add_template_global(file_rules, "file_rules")

    @app.context_processor
    def navigation() -> dict[str, Any]:
        return {
            "navigation": navigation_for(current_user),
            "current_endpoint": request.endpoint,
        }
