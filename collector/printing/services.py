"""A unit report to print, for the acting user: the filled report (its stored answers)
for whoever may read it — its unit's respondents and the coordinators who review or
export it, as for its files (collector.entry.files.READERS) — and the blank form for
whoever may fill it in (the entry services' own check). Anyone else is told it does not
exist. Only unit reports print: a survey's answers are anonymous and read in aggregate,
a registry's report is its records."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from collector.auth.services import can
from collector.entry import services as entry
from collector.entry.files import READERS
from collector.errors import NotInScope
from collector.models import Campaign, FormResponse, OrgUnit, User
from collector.models.base import utcnow
from collector.printing.sheet import Section, sections
from collector.publishing.versions import spec_of
from collector.schema.spec import FormSpec


@dataclass(frozen=True)
class PrintedReport:
    spec: FormSpec
    unit: OrgUnit
    campaign: Campaign | None
    response: FormResponse | None  # None: a blank form of a report not started
    filled: bool
    sections: list[Section]
    made_at: datetime  # UTC; printed as the day it is in the campaign's time zone


def filled_report(session: Session, user: User, response_id: int, language: str) -> PrintedReport:
    """A unit report with its stored answers."""
    response = session.get(FormResponse, response_id)
    if response is None or response.unit_report_key is None:
        raise NotInScope(response_id)
    if not any(can(user, action, response.unit) for action in READERS):
        raise NotInScope(response_id)
    spec = spec_of(response.form_version)
    if spec.kind != "unit_report":
        raise NotInScope(response_id)
    campaign = session.get(Campaign, response.campaign_id) if response.campaign_id else None
    answers = dict(response.answers) if isinstance(response.answers, dict) else {}
    return PrintedReport(
        spec,
        response.unit,
        campaign,
        response,
        True,
        sections(spec, answers, language),
        utcnow(),
    )


def blank_form(session: Session, user: User, response_id: int, language: str) -> PrintedReport:
    """The blank form of a report a campaign asks of a unit."""
    return _blank(entry.open_campaign_entry(session, user, response_id), language)


def blank_form_of(
    session: Session, user: User, form_id: str, unit_id: int, language: str
) -> PrintedReport:
    """The blank form of a unit's report outside any campaign."""
    return _blank(entry.open_entry(session, user, form_id, unit_id), language)


def _blank(found: entry.Entry, language: str) -> PrintedReport:
    if found.spec.kind != "unit_report":
        raise NotInScope(found.spec.id)
    return PrintedReport(
        found.spec,
        found.unit,
        found.campaign,
        found.response,
        False,
        sections(found.spec, None, language),
        utcnow(),
    )
