"""Filling a unit report: drafts, section by section, conflict detection, submission."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from collector.audit import record
from collector.auth.permissions import Action
from collector.auth.services import grants_of, require
from collector.campaigns.lifecycle import (
    Actor,
    CampaignState,
    Move,
    MoveRefused,
    actor_role,
)
from collector.campaigns.services import (
    CampaignError,
    DeadlinePassed,
    effective_deadline,
    move_response,
)
from collector.errors import NotInScope
from collector.models import (
    Campaign,
    FormResponse,
    FormVersion,
    OrgUnit,
    ResponseState,
    SurveyLink,
    User,
)
from collector.models.base import utcnow
from collector.publishing.versions import in_territory, latest_versions, spec_of
from collector.schema.evaluate import failed_rules, is_answered, visible_field_ids
from collector.schema.kinds import kind_of, refused_answers
from collector.schema.spec import FormSpec, SectionSpec
from collector.schema.warnings import SoftWarning, confirm, failed_warnings


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
    """The unit reports of the units where the user holds a role that answers them, each
    unit offered the forms of its territory."""
    latest = latest_versions(session)
    found: list[Assignment] = []
    seen: set[tuple[str, int]] = set()
    for grant in user.roles:
        unit = grant.unit
        if unit is None:
            continue
        offered = in_territory(session, [unit.path], latest)
        for version, spec in ((v, spec_of(v)) for v in offered):
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
class CampaignTask:
    """A report a campaign asks of one of the user's units."""

    campaign: Campaign
    response: FormResponse
    spec: FormSpec
    due_at: datetime | None
    # Past its deadline (an extension included) and not yet sent, in an open campaign.
    overdue: bool = False

    @property
    def order(self) -> tuple[bool, bool, datetime, str, str]:
        """Open campaigns first, then the nearest deadline (none last)."""
        return (
            self.campaign.state != CampaignState.OPEN,
            self.due_at is None,
            self.due_at or datetime.max.replace(tzinfo=UTC),
            self.campaign.title,
            self.response.unit.sort_path,
        )


# The states in which a report still waits for its organisation's first sending.
NOT_SENT = (ResponseState.NOT_STARTED.value, ResponseState.DRAFT.value)


def campaign_tasks(session: Session, user: User, now: datetime | None = None) -> list[CampaignTask]:
    """The campaign reports of the units where the user holds an answering role, in
    campaigns that are open (or closed, to read what was sent): the open ones first, by
    deadline, those past it and not sent marked overdue."""
    unit_ids = {g.unit_id for g in user.roles if g.unit_id is not None}
    if not unit_ids:
        return []
    now = now or utcnow()
    rows = session.execute(
        select(FormResponse, Campaign)
        .join(Campaign, FormResponse.campaign_id == Campaign.id)
        .where(
            FormResponse.unit_id.in_(unit_ids),
            FormResponse.unit_report_key.is_not(None),
            Campaign.state.in_([CampaignState.OPEN.value, CampaignState.CLOSED.value]),
        )
        .order_by(Campaign.opened_at.desc(), FormResponse.id)
    ).all()
    grants = grants_of(user)
    tasks = []
    for response, campaign in rows:
        if Actor.RESPONDENT not in actor_role(
            grants, response.unit.path, campaign.answer_roles or None
        ):
            continue
        due = effective_deadline(session, campaign, response.unit)
        overdue = (
            campaign.state == CampaignState.OPEN
            and due is not None
            and due < now
            and response.status in NOT_SENT
        )
        tasks.append(CampaignTask(campaign, response, spec_of(response.form_version), due, overdue))
    return sorted(tasks, key=lambda task: task.order)


def survey_links_of(session: Session, user: User) -> list[SurveyLink]:
    """The survey links of the user's own units in open campaigns, to hand out."""
    unit_ids = {g.unit_id for g in user.roles if g.unit_id is not None}
    if not unit_ids:
        return []
    return list(
        session.scalars(
            select(SurveyLink)
            .join(Campaign, SurveyLink.campaign_id == Campaign.id)
            .where(SurveyLink.unit_id.in_(unit_ids), Campaign.state == CampaignState.OPEN.value)
            .order_by(Campaign.opened_at.desc())
        )
    )


@dataclass
class Entry:
    version: FormVersion
    spec: FormSpec
    unit: OrgUnit
    response: FormResponse | None
    campaign: Campaign | None = None
    may_answer: bool = True

    @property
    def endpoint(self) -> tuple[str, dict[str, Any]]:
        """Where this report is filled in: (endpoint, its arguments)."""
        if self.campaign is not None and self.response is not None:
            return "entry.fill_response", {"response_id": self.response.id}
        return "entry.fill", {"form_id": self.spec.id, "unit_id": self.unit.id}

    @property
    def storage_key(self) -> str:
        if self.campaign is not None and self.response is not None:
            return f"collector:r{self.response.id}"
        return f"collector:{self.spec.id}:{self.unit.id}"

    @property
    def status(self) -> str:
        return self.response.status if self.response else ResponseState.NOT_STARTED.value

    @property
    def editable(self) -> bool:
        """A campaign report is edited while the campaign is open and the report is with
        the school: not once submitted (until returned) or accepted."""
        if self.campaign is None:
            return True
        return (
            self.may_answer
            and self.campaign.state == CampaignState.OPEN
            and self.status
            in (ResponseState.NOT_STARTED, ResponseState.DRAFT, ResponseState.RETURNED)
        )

    @property
    def answers(self) -> dict[str, Any]:
        return dict(self.response.answers) if self.response else {}

    @property
    def confirmations(self) -> dict[str, Any]:
        return dict(self.response.confirmations or {}) if self.response else {}

    @property
    def revision(self) -> int:
        return self.response.revision if self.response else 0

    def section(self, section_id: str | None) -> SectionSpec:
        return next((s for s in self.spec.sections if s.id == section_id), self.spec.sections[0])

    def next_section_id(self, section_id: str) -> str:
        ids = [s.id for s in self.spec.sections]
        return ids[min(ids.index(section_id) + 1, len(ids) - 1)]


def due(session: Session, entry: Entry) -> datetime | None:
    """The unit's deadline for a campaign's report, its extension included."""
    if entry.campaign is None:
        return None
    return effective_deadline(session, entry.campaign, entry.unit)


def open_entry(session: Session, user: User, form_id: str, unit_id: int) -> Entry:
    unit = session.get(OrgUnit, unit_id)
    if unit is None:
        raise NotInScope(unit_id)
    require(user, Action.FILL_REPORT, unit)
    versions = {v.form_id: v for v in latest_versions(session)}
    response = find_response(session, form_id, unit)
    # A response keeps the version it started on.
    version = response.form_version if response else versions.get(form_id)
    # A form outside the unit's territory is not offered, nor opened by its address.
    if version is None or (response is None and not in_territory(session, [unit.path], [version])):
        raise NotInScope(form_id)
    spec = spec_of(version)
    if spec.kind != "unit_report" or not answers_unit(spec, unit):
        raise NotInScope(form_id)
    return Entry(version, spec, unit, response)


def open_campaign_entry(session: Session, user: User, response_id: int) -> Entry:
    response = session.get(FormResponse, response_id)
    if response is None or response.campaign_id is None or response.unit_report_key is None:
        raise NotInScope(response_id)
    require(user, Action.FILL_REPORT, response.unit)
    campaign = session.get(Campaign, response.campaign_id)
    assert campaign is not None
    may_answer = Actor.RESPONDENT in actor_role(
        grants_of(user), response.unit.path, campaign.answer_roles or None
    )
    return Entry(
        response.form_version,
        spec_of(response.form_version),
        response.unit,
        response,
        campaign,
        may_answer,
    )


class NotEditable(ValueError):
    """The report is not with its respondents now (submitted, accepted, campaign closed)."""


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


def merged_answers(
    entry: Entry, section_answers: dict[str, Any], section_field_ids: list[str]
) -> dict[str, Any]:
    """The report's answers with one section's replaced. Answers to questions hidden now
    are kept in the draft (a changed answer may bring them back); `sent_answers` is what
    is checked, counted and submitted."""
    merged = {k: v for k, v in entry.answers.items() if k not in section_field_ids}
    merged.update(section_answers)
    return merged


def sent_answers(spec: FormSpec, answers: dict[str, Any]) -> dict[str, Any]:
    """The answers that count: those of the questions these answers show (as the browser
    reads them, collector/static/live-form.js). Hidden ones are neither checked, counted
    nor sent."""
    visible = visible_field_ids(spec, answers)
    return {k: v for k, v in answers.items() if k in visible}


def not_sent(spec: FormSpec, answers: dict[str, Any]) -> list[str]:
    """The fields whose typed answers will not be sent: their questions are hidden."""
    visible = visible_field_ids(spec, answers)
    return [f.id for f in spec.fields if f.id not in visible and is_answered(answers.get(f.id))]


def already_submitted(
    entry: Entry, section_answers: dict[str, Any], section_field_ids: list[str]
) -> bool:
    """A submit sent again after it was taken (its reply never reached the browser): the
    report is submitted and holds exactly what this send carries."""
    response = entry.response
    return (
        response is not None
        and response.status in (ResponseState.SUBMITTED, ResponseState.RESUBMITTED)
        and sent_answers(entry.spec, merged_answers(entry, section_answers, section_field_ids))
        == response.answers
    )


def save_section(
    session: Session,
    user: User,
    entry: Entry,
    section_answers: dict[str, Any],
    section_field_ids: list[str],
    base_revision: int,
    confirmations: dict[str, str | None] | None = None,
) -> Conflict | None:
    """Merge one section's answers into the response. Answers to hidden questions stay
    in the draft until the report is submitted (`submit` drops them). `confirmations`:
    the section's warning boxes, by rule id: the comment when ticked, else None."""
    if not entry.editable:
        raise NotEditable(entry.status)
    response = entry.response
    merged = merged_answers(entry, section_answers, section_field_ids)
    before = dict(response.answers) if response is not None else {}
    now = utcnow()
    confirmed = confirm(
        entry.confirmations,
        entry.spec,
        sent_answers(entry.spec, merged),
        confirmations or {},
        by=user.id,
        at=now.isoformat(),
    )
    if (
        response is not None
        and confirmed == (response.confirmations or {})
        and (
            merged == response.answers
            or (
                response.status in (ResponseState.SUBMITTED, ResponseState.RESUBMITTED)
                and sent_answers(entry.spec, merged) == response.answers
            )
        )
    ):
        # Nothing changed (a double click, a repeated request): nothing to write, and no
        # conflict even from an older page.
        return None
    if response is not None and response.revision != base_revision:
        theirs = dict(response.answers)
        differing = [f for f in section_field_ids if theirs.get(f) != section_answers.get(f)]
        return Conflict(_who(session, response.updated_by), response.updated_at, theirs, differing)
    if response is None:
        response = FormResponse(
            form_version_id=entry.version.id,
            form_id=entry.spec.id,
            unit_id=entry.unit.id,
            unit_report_key=report_key(entry.spec.id, entry.unit),
            answers=merged,
            confirmations=confirmed,
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
        response.confirmations = confirmed
        response.revision += 1
        response.updated_by, response.updated_at = user.id, now
        if entry.campaign is None and response.status == ResponseState.SUBMITTED:
            response.status = ResponseState.DRAFT.value  # a change needs a new submission
            response.submitted_at = None
        elif response.status == ResponseState.NOT_STARTED:
            response.status = ResponseState.DRAFT.value
    record(
        session,
        user,
        "response.save",
        response,
        revision=response.revision,
        changes={
            key: [before.get(key), merged.get(key)]
            for key in sorted(set(before) | set(merged))
            if before.get(key) != merged.get(key)
        },
        confirmed=sorted(confirmed),
    )
    return None


def unknown_unit_codes(session: Session, spec: FormSpec, answers: dict[str, Any]) -> list[str]:
    """The unit_ref fields among `answers` whose code names no org unit."""
    refs = {
        f.id: answers[f.id] for f in spec.fields if kind_of(f.type).names_unit and f.id in answers
    }
    if not refs:
        return []
    known = set(session.scalars(select(OrgUnit.code).where(OrgUnit.code.in_(refs.values()))))
    return [field_id for field_id, code in refs.items() if code not in known]


@dataclass(frozen=True)
class Problem:
    section_id: str
    # Empty for a problem of the whole report (a passed deadline).
    field_id: str
    message: str
    # A warning (soft rule) not confirmed yet: its rule's id.
    warning_rule: str = ""


def problems(
    spec: FormSpec,
    answers: dict[str, Any],
    *,
    for_submission: bool,
    confirmations: dict[str, Any] | None = None,
    visible: set[str] | None = None,
) -> list[Problem]:
    """Rules that fail, warnings not confirmed with a comment, and (for submission)
    required visible fields left empty; only the answers that are sent are read (not
    those of hidden questions)."""
    section_of = {f.id: s.id for s in spec.sections for f in s.fields}
    found: list[Problem] = []
    # `visible`: visible_field_ids of exactly these answers, when the caller has it.
    visible = visible_field_ids(spec, answers) if visible is None else visible
    sent = {k: v for k, v in answers.items() if k in visible}
    # What is shown for the answers sent is what was shown, unless one was left out.
    shown = visible if len(sent) == len(answers) else None
    answers = sent
    if for_submission:
        found += [
            Problem(section_of[f.id], f.id, _("An answer is required."))
            for f in spec.fields
            if f.required and f.id in visible and not is_answered(answers.get(f.id))
        ]
    for refused in refused_answers(spec, answers):
        # Let in by an older version: not counted anywhere; the user sees and corrects it.
        found.append(
            Problem(
                section_of.get(refused.field_id, spec.sections[0].id),
                refused.field_id,
                _(
                    "The saved value «%(value)s» is out of the allowed range and is not"
                    " counted: type it again.",
                    value=refused.shown(),
                ),
            )
        )
    for failure in failed_rules(spec, answers, shown):
        if failure.rule.warning:
            continue
        for field_id in failure.fields:
            head = field_id.split(".")[0]
            found.append(
                Problem(section_of.get(head, spec.sections[0].id), head, str(failure.rule.message))
            )
    for warning in failed_warnings(spec, answers, confirmations or {}):
        if not warning.confirmed:
            section_id = section_of.get(warning.field_id, spec.sections[0].id)
            message = str(warning.rule.message)
            found.append(Problem(section_id, warning.field_id, message, warning.rule.id))
    return found


def submit(session: Session, user: User, entry: Entry, base_revision: int) -> list[Problem]:
    """Submit when complete; a repeated submit of the same revision changes nothing."""
    response = entry.response
    if response is None:
        return problems(entry.spec, {}, for_submission=True)
    if (
        response.status in (ResponseState.SUBMITTED, ResponseState.RESUBMITTED)
        and response.revision == base_revision
    ):
        return []
    found = problems(
        entry.spec,
        dict(response.answers),
        for_submission=True,
        confirmations=entry.confirmations,
    )
    if found:
        return found
    if entry.campaign is not None:
        try:
            move_response(session, user, response, Move.SUBMIT)
        except DeadlinePassed:
            return [Problem(entry.spec.sections[0].id, "", _("The deadline has passed."))]
        except (CampaignError, MoveRefused):
            message = _("The report cannot be submitted now.")
            return [Problem(entry.spec.sections[0].id, "", message)]
        _drop_hidden(session, user, entry.spec, response)
        return []
    response.status = ResponseState.SUBMITTED.value
    response.submitted_at = utcnow()
    record(session, user, "response.submit", response, revision=response.revision)
    _drop_hidden(session, user, entry.spec, response)
    return []


def _drop_hidden(session: Session, user: User, spec: FormSpec, response: FormResponse) -> None:
    """On submission: the answers to hidden questions, kept while a draft, are dropped, so
    that a sent report never holds them (reports and indicators read sent ones only)."""
    sent = sent_answers(spec, dict(response.answers))
    # Only the confirmations of warnings that still stand go with the report.
    standing = {w.rule.id for w in failed_warnings(spec, sent, response.confirmations or {})}
    response.confirmations = {
        k: v for k, v in (response.confirmations or {}).items() if k in standing
    }
    if sent == response.answers:
        return
    dropped = {k: [v, None] for k, v in sorted(response.answers.items()) if k not in sent}
    response.answers = sent
    response.revision += 1
    record(session, user, "response.save", response, revision=response.revision, changes=dropped)


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
    confirmations: dict[str, str | None] | None = None,
) -> Outcome:
    """Save one section, then report the rules it breaks, or (on submit) everything that
    stands in the way of submitting; submit when nothing does."""
    conflict = save_section(
        session, user, entry, section_answers, section_field_ids, base_revision, confirmations
    )
    if conflict is not None:
        return Outcome(conflict, [])
    if submitting:
        return Outcome(None, submit(session, user, entry, entry.revision))
    found = problems(
        entry.spec, entry.answers, for_submission=False, confirmations=entry.confirmations
    )
    return Outcome(None, found)


def page_warnings(entry: Entry, section: SectionSpec) -> list[SoftWarning]:
    """The warnings that stand for the stored answers beside this section's fields."""
    ids = {f.id for f in section.fields}
    answers = sent_answers(entry.spec, entry.answers)
    return [
        w for w in failed_warnings(entry.spec, answers, entry.confirmations) if w.field_id in ids
    ]


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
