"""Filling a unit report: drafts, section by section, conflict detection, submission."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from collector.audit import record
from collector.auth.permissions import Action
from collector.auth.services import require
from collector.errors import NotInScope
from collector.models import FormResponse, FormVersion, OrgUnit, ResponseStatus, User
from collector.models.base import utcnow
from collector.schema import compile_document
from collector.schema.evaluate import failed_rules, is_answered, visible_field_ids
from collector.schema.spec import FormSpec, SectionSpec

# Published versions never change, so each is compiled once per process.
_SPECS: dict[tuple[int, str], FormSpec] = {}


def spec_of(version: FormVersion) -> FormSpec:
    key = (version.id, version.checksum)
    if key not in _SPECS:
        _SPECS[key] = compile_document(version.document).spec
    return _SPECS[key]


def latest_versions(session: Session) -> list[FormVersion]:
    newest = (
        select(FormVersion.form_id, func.max(FormVersion.version).label("version"))
        .group_by(FormVersion.form_id)
        .subquery()
    )
    return list(
        session.scalars(
            select(FormVersion)
            .join(
                newest,
                (FormVersion.form_id == newest.c.form_id)
                & (FormVersion.version == newest.c.version),
            )
            .order_by(FormVersion.title)
        )
    )


def answers_unit(spec: FormSpec, unit: OrgUnit, role: str | None = None) -> bool:
    return unit.unit_type in spec.unit_types and (
        role is None or not spec.roles or role in spec.roles
    )


@dataclass
class Assignment:
    version: FormVersion
    spec: FormSpec
    unit: OrgUnit
    response: FormResponse | None


def assignments(session: Session, user: User) -> list[Assignment]:
    """The unit reports of the units where the user holds a role that answers them."""
    versions = [(v, spec_of(v)) for v in latest_versions(session)]
    found: list[Assignment] = []
    seen: set[tuple[str, int]] = set()
    for grant in user.roles:
        unit = grant.unit
        if unit is None:
            continue
        for version, spec in versions:
            key = (version.form_id, unit.id)
            if (
                spec.kind != "unit_report"
                or key in seen
                or not answers_unit(spec, unit, grant.role)
            ):
                continue
            seen.add(key)
            found.append(Assignment(version, spec, unit, find_response(session, spec.id, unit)))
    return found


def report_key(form_id: str, unit: OrgUnit) -> str:
    return f"{form_id}:{unit.id}"


def find_response(session: Session, form_id: str, unit: OrgUnit) -> FormResponse | None:
    return session.scalar(
        select(FormResponse).where(FormResponse.unit_report_key == report_key(form_id, unit))
    )


@dataclass
class Entry:
    version: FormVersion
    spec: FormSpec
    unit: OrgUnit
    response: FormResponse | None

    @property
    def answers(self) -> dict[str, Any]:
        return dict(self.response.answers) if self.response else {}

    @property
    def revision(self) -> int:
        return self.response.revision if self.response else 0

    def section(self, section_id: str | None) -> SectionSpec:
        return next((s for s in self.spec.sections if s.id == section_id), self.spec.sections[0])

    def next_section_id(self, section_id: str) -> str:
        ids = [s.id for s in self.spec.sections]
        return ids[min(ids.index(section_id) + 1, len(ids) - 1)]


def open_entry(session: Session, user: User, form_id: str, unit_id: int) -> Entry:
    unit = session.get(OrgUnit, unit_id)
    if unit is None:
        raise NotInScope(unit_id)
    require(user, Action.FILL_REPORT, unit)
    versions = {v.form_id: v for v in latest_versions(session)}
    response = find_response(session, form_id, unit)
    # A response keeps the version it started on.
    version = response.form_version if response else versions.get(form_id)
    if version is None:
        raise NotInScope(form_id)
    spec = spec_of(version)
    if spec.kind != "unit_report" or not answers_unit(spec, unit):
        raise NotInScope(form_id)
    return Entry(version, spec, unit, response)


@dataclass
class Conflict:
    """Someone saved since this user loaded the page: nothing was written."""

    by: str
    at: datetime
    theirs: dict[str, Any]
    differing: list[str] = field(default_factory=list)


def _who(session: Session, user_id: int | None) -> str:
    user = session.get(User, user_id) if user_id else None
    return user.full_name if user else "—"


def save_section(
    session: Session,
    user: User,
    entry: Entry,
    section_answers: dict[str, Any],
    section_field_ids: list[str],
    base_revision: int,
) -> Conflict | None:
    """Merge one section's answers into the response. Hidden fields are dropped, as the
    schema says they are neither validated nor stored."""
    response = entry.response
    merged = {k: v for k, v in entry.answers.items() if k not in section_field_ids}
    merged.update(section_answers)
    visible = visible_field_ids(entry.spec, merged)
    merged = {k: v for k, v in merged.items() if k in visible}
    if response is not None and merged == response.answers:
        # Nothing changed (a double click, a repeated request): nothing to write, and no
        # conflict even from an older page.
        return None
    if response is not None and response.revision != base_revision:
        theirs = dict(response.answers)
        differing = [f for f in section_field_ids if theirs.get(f) != section_answers.get(f)]
        return Conflict(_who(session, response.updated_by), response.updated_at, theirs, differing)
    now = utcnow()
    if response is None:
        response = FormResponse(
            form_version_id=entry.version.id,
            form_id=entry.spec.id,
            unit_id=entry.unit.id,
            unit_report_key=report_key(entry.spec.id, entry.unit),
            answers=merged,
            revision=1,
            created_by=user.id,
            updated_by=user.id,
            updated_at=now,
        )
        session.add(response)
        try:
            session.flush()
        except IntegrityError:
            # Another first save won the race: it is their version now.
            session.rollback()
            current = find_response(session, entry.spec.id, entry.unit)
            assert current is not None
            return Conflict(
                _who(session, current.updated_by),
                current.updated_at,
                dict(current.answers),
                list(section_field_ids),
            )
        entry.response = response
    else:
        response.answers = merged
        response.revision += 1
        response.updated_by, response.updated_at = user.id, now
        if response.status == ResponseStatus.SUBMITTED:
            response.status = ResponseStatus.DRAFT.value  # a change needs a new submission
            response.submitted_at = None
    record(
        session,
        user,
        "response.save",
        response,
        revision=response.revision,
        fields=sorted(section_answers),
    )
    return None


def unknown_unit_codes(session: Session, spec: FormSpec, answers: dict[str, Any]) -> list[str]:
    """The unit_ref fields among `answers` whose code names no org unit."""
    refs = {f.id: answers[f.id] for f in spec.fields if f.type == "unit_ref" and f.id in answers}
    if not refs:
        return []
    known = set(session.scalars(select(OrgUnit.code).where(OrgUnit.code.in_(refs.values()))))
    return [field_id for field_id, code in refs.items() if code not in known]


@dataclass(frozen=True)
class Problem:
    section_id: str
    field_id: str
    message: str


def problems(spec: FormSpec, answers: dict[str, Any], *, for_submission: bool) -> list[Problem]:
    """Rules that fail, and (for submission) required visible fields left empty."""
    section_of = {f.id: s.id for s in spec.sections for f in s.fields}
    found: list[Problem] = []
    if for_submission:
        visible = visible_field_ids(spec, answers)
        found += [
            Problem(section_of[f.id], f.id, _("An answer is required."))
            for f in spec.fields
            if f.required and f.id in visible and not is_answered(answers.get(f.id))
        ]
    for failure in failed_rules(spec, answers):
        for field_id in failure.fields:
            head = field_id.split(".")[0]
            found.append(
                Problem(section_of.get(head, spec.sections[0].id), head, str(failure.rule.message))
            )
    return found


def submit(session: Session, user: User, entry: Entry, base_revision: int) -> list[Problem]:
    """Submit when complete; a repeated submit of the same revision changes nothing."""
    response = entry.response
    if response is None:
        return problems(entry.spec, {}, for_submission=True)
    if response.status == ResponseStatus.SUBMITTED and response.revision == base_revision:
        return []
    found = problems(entry.spec, dict(response.answers), for_submission=True)
    if found:
        return found
    response.status = ResponseStatus.SUBMITTED.value
    response.submitted_at = utcnow()
    record(session, user, "response.submit", response, revision=response.revision)
    return []


@dataclass
class Outcome:
    conflict: Conflict | None
    problems: list[Problem]


def save_and_check(
    session: Session,
    user: User,
    entry: Entry,
    section_answers: dict[str, Any],
    section_field_ids: list[str],
    *,
    base_revision: int,
    submitting: bool,
) -> Outcome:
    """Save one section, then report the rules it breaks, or (on submit) everything that
    stands in the way of submitting; submit when nothing does."""
    conflict = save_section(session, user, entry, section_answers, section_field_ids, base_revision)
    if conflict is not None:
        return Outcome(conflict, [])
    if submitting:
        return Outcome(None, submit(session, user, entry, entry.revision))
    return Outcome(None, problems(entry.spec, entry.answers, for_submission=False))


def progress(spec: FormSpec, answers: dict[str, Any]) -> dict[str, tuple[int, int]]:
    """Per section: answered and shown fields."""
    visible = visible_field_ids(spec, answers)
    return {
        s.id: (
            sum(1 for f in s.fields if f.id in visible and is_answered(answers.get(f.id))),
            sum(1 for f in s.fields if f.id in visible),
        )
        for s in spec.sections
    }
