"""What every page needs: security headers, the navigation of the user's roles, helpers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import Flask, request
from flask_babel import format_date, format_datetime, format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.wrappers import Response

from collector.auth.permissions import Action
from collector.auth.services import can_somewhere
from collector.forms import own_errors
from collector.indicators.results import at_precision
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
from collector.schema.spec import FieldSpec

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


def local_time(moment: datetime | None, timezone: str) -> str:
    """A UTC moment as the wall-clock time of a region, with the zone's name, so that a
    coordinator in Moscow and a school in Omsk read the same deadline the same way."""
    if moment is None:
        return "—"
    local = moment.astimezone(ZoneInfo(timezone))
    return f"{format_datetime(local, 'short', rebase=False)} ({timezone})"


def local_date(moment: datetime | None, timezone: str) -> str:
    """The calendar day of a UTC moment in a region's zone (a deadline's date: 30.09.2026)."""
    if moment is None:
        return "—"
    return str(format_date(moment.astimezone(ZoneInfo(timezone)).date(), "short"))


def iso_local_time(moment: str | None, timezone: str) -> str:
    """An ISO moment kept in an audit record, shown as `local_time` shows a datetime."""
    return local_time(datetime.fromisoformat(moment) if moment else None, timezone)


def answer_text(value: Any, field: FieldSpec, language: str) -> str:
    """One stored answer as a reader sees it, as its kind shows it: an option's label,
    «да»/«нет», the chosen options of a multiple choice, a table's number of rows."""
    return kind_of(field.type).display(field, value, language, _)


def indicator_value(value: float | None, unit: str | None, decimals: int | None = None) -> str:
    """An indicator's value as people read it: one decimal for a percentage, whole
    numbers as they are, other numbers with up to two decimals; with `decimals` (an
    indicator's precision), rounded so (collector.indicators.results.at_precision, as
    "met" is judged) and a percentage with exactly that many."""
    if value is None:
        return "—"
    places = (1 if unit == "%" else 2) if decimals is None else decimals
    value = at_precision(float(value), places)
    if unit == "%":
        pattern = "#,##0" + ("." + "0" * places if places else "")
    elif float(value).is_integer():
        pattern = "#,##0"
    else:
        pattern = "#,##0." + "#" * places
    return str(format_decimal(value, format=pattern))


def _security_headers(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("X-Frame-Options", "DENY")
    return response


def _no_store_behind_login(response: Response) -> Response:
    """Pages of a logged-in user, and the login pages, are kept in no cache and no
    back-button history: after logout, nobody at the same computer reads them again."""
    if request.endpoint == "static":
        return response
    if current_user.is_authenticated or (request.endpoint or "").startswith("auth."):
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
    app.add_template_filter(indicator_value, "indicator_value")
    app.add_template_global(coverage_notes, "coverage_notes")
    app.add_template_filter(answer_text, "answer_text")
    app.add_template_global(own_errors, "own_errors")

    @app.context_processor
    def navigation() -> dict[str, Any]:
        return {
            "navigation": navigation_for(current_user),
            "current_endpoint": request.endpoint,
        }
