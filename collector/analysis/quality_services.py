"""The data-quality view of a campaign for a territory, for the acting user: the unit
reports within the territory that the user reviews, read for the pure computation of
quality.py (timeliness, completeness, confirmed warnings, values far from peers or from
the unit's own report at the last campaign of the form)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from collector.analysis.compute import LEAST_PEERS
from collector.analysis.quality import Far, Fences, QualityRow, Timeliness, UnitData, quality
from collector.analysis.services import analysis_root, earlier_campaigns
from collector.campaigns import services as campaigns
from collector.campaigns.completeness import DONE
from collector.exporters.tables import Sheet, tables_xlsx
from collector.formats import moment_text
from collector.models import Campaign, DeadlineExtension, FormResponse, OrgUnit, User
from collector.models.base import utcnow
from collector.models.units import in_tree_order, subtree_clause, subtrees_clause
from collector.publishing.versions import spec_of
from collector.schema.evaluate import is_answered, visible_field_ids
from collector.schema.kinds.base import kind_of
from collector.schema.spec import FieldSpec, FormSpec, Text
from collector.schema.types import ValueKind


@dataclass(frozen=True)
class QualityLine:
    unit: OrgUnit
    response: FormResponse
    due_at: datetime | None
    submitted_at: datetime | None  # when handed in (None: not yet)
    row: QualityRow


@dataclass(frozen=True)
class QualityView:
    campaign: Campaign
    root: OrgUnit
    lines: list[QualityLine]
    questions: list[FieldSpec]  # the numeric questions judged
    fences: dict[str, Fences]
    last: Campaign | None  # the campaign compared with
    rule_messages: dict[str, Text]  # rule id -> its message, in the form's languages
    now: datetime

    @property
    def summary(self) -> dict[str, int]:
        """How many reports are late, overdue, incomplete, with confirmed warnings, with
        values far from peers or from their last year."""
        rows = [line.row for line in self.lines]
        return {
            "reports": len(rows),
            "late": sum(r.timeliness == Timeliness.LATE for r in rows),
            "overdue": sum(r.timeliness == Timeliness.OVERDUE for r in rows),
            "incomplete": sum(r.completeness is not None and r.completeness < 1 for r in rows),
            "confirmed": sum(bool(r.confirmed) for r in rows),
            "far": sum(bool(r.far) for r in rows),
        }


def numeric_questions(spec: FormSpec) -> list[FieldSpec]:
    found = []
    for section in spec.sections:
        for question in section.fields:
            try:
                kind = kind_of(question.type)
            except KeyError:
                continue
            if kind.value_kind == ValueKind.NUMBER:
                found.append(question)
    return found


def number(value: Any) -> float | None:
    """A stored answer as a number, or None (stored data read defensively)."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal | str):
        return None
    try:
        found = float(value)
    except (ValueError, OverflowError):  # an integer past float's range too
        return None
    return found if found == found and abs(found) != float("inf") else None


def numbers(answers: Any, questions: list[str], shown: set[str] | None = None) -> dict[str, float]:
    if not isinstance(answers, dict):
        return {}
    found = {}
    for question in questions:
        if shown is not None and question not in shown:
            continue
        value = number(answers.get(question))
        if value is not None:
            found[question] = value
    return found


def _responses(
    session: Session, campaign: Campaign, root: OrgUnit, scopes: list[str]
) -> list[tuple[FormResponse, OrgUnit]]:
    rows = session.execute(
        select(FormResponse, OrgUnit)
        .join(OrgUnit, FormResponse.unit_id == OrgUnit.id)
        .where(
            FormResponse.campaign_id == campaign.id,
            FormResponse.unit_report_key.is_not(None),
            subtree_clause(root.path),
            subtrees_clause(scopes),
        )
    ).all()
    return [(response, unit) for response, unit in rows]


def _due_dates(session: Session, campaign: Campaign, units: list[OrgUnit]) -> dict[int, Any]:
    """Each unit's effective deadline (its level's, or its extension if later)."""
    extended = {
        e.unit_id: e.until
        for e in session.scalars(
            select(DeadlineExtension).where(DeadlineExtension.campaign_id == campaign.id)
        )
    }
    found = {}
    for unit in units:
        due = campaigns.deadline_for(campaign, unit)
        until = extended.get(unit.id)
        found[unit.id] = max(due, until) if due is not None and until is not None else due
    return found


def campaign_quality(
    session: Session,
    user: User,
    campaign: Campaign,
    unit_id: int | None = None,
    now: datetime | None = None,
) -> QualityView:
    """The quality of the reports under the territory `unit_id` (see analysis_root)."""
    root = analysis_root(session, user, campaign, unit_id)
    now = now or utcnow()
    scopes = campaigns.review_scopes(user, campaign)
    spec = spec_of(campaign.form_version)
    questions = numeric_questions(spec)
    ids = [q.id for q in questions]
    found = _responses(session, campaign, root, scopes) if scopes else []
    waves = earlier_campaigns(session, user, campaign)
    last = waves[-1] if waves else None
    before: dict[int, dict[str, float]] = {}
    if last is not None:
        for response, _unit in _responses(session, last, root, campaigns.review_scopes(user, last)):
            if response.status in DONE:
                before[response.unit_id] = numbers(response.answers, ids)
    due = _due_dates(session, campaign, [unit for _, unit in found])
    data = []
    for response, unit in found:
        answers = response.answers if isinstance(response.answers, dict) else {}
        handed = response.status in DONE
        shown = visible_field_ids(spec, answers)
        confirmations = response.confirmations if isinstance(response.confirmations, dict) else {}
        data.append(
            UnitData(
                unit_id=unit.id,
                due_at=due.get(unit.id),
                handed=handed,
                submitted_at=response.submitted_at if handed else None,
                asked=len(shown),
                answered=sum(1 for q in shown if is_answered(answers.get(q))),
                confirmed=tuple(sorted(str(k) for k in confirmations)),
                values=numbers(answers, ids, shown) if handed else {},
                last=before.get(unit.id, {}),
            )
        )
    rows, fences = quality(data, ids, now)
    lines = in_tree_order(
        [
            QualityLine(unit, response, due.get(unit.id), item.submitted_at, row)
            for (response, unit), item, row in zip(found, data, rows, strict=True)
        ],
        lambda line: line.unit,
    )
    return QualityView(
        campaign,
        root,
        lines,
        questions,
        fences,
        last,
        {r.id: r.message for r in spec.rules},
        now,
    )


TIMELINESS = {
    Timeliness.ON_TIME: _l("on time"),
    Timeliness.LATE: _l("late"),
    Timeliness.OVERDUE: _l("not handed in, overdue"),
    Timeliness.WAITING: _l("not handed in yet"),
    Timeliness.UNKNOWN: _l("handed in, time not recorded"),
}
WHY = {Far.PEERS: _l("far from peers"), Far.LAST_YEAR: _l("far from its last year")}


def rule_text() -> str:
    """The rules the view applies, as the page and the workbook state them."""
    return _(
        "Far from peers: outside Q1 − 1.5·IQR … Q3 + 1.5·IQR of the territory's reports "
        "that answered the question (quartiles by linear interpolation; judged among %(n)d "
        "reports or more, where Q3 > Q1). Far from its last year: more than twice last "
        "year's value or less than half of it (last year's value above 0).",
        n=LEAST_PEERS,
    )


def hours(late: timedelta | None) -> float | None:
    return None if late is None else round(late.total_seconds() / 3600, 1)


def quality_workbook(view: QualityView, language: str) -> bytes:
    """The quality view as a workbook: a row per unit's report, and a sheet of far values."""
    titles = {q.id: q.label.get(language) for q in view.questions}
    zone = view.campaign.timezone
    rows = [
        [
            line.unit.code,
            line.unit.name,
            moment_text(line.due_at, zone) if line.due_at else None,
            moment_text(line.submitted_at, zone) if line.submitted_at else None,
            str(TIMELINESS[line.row.timeliness]),
            hours(line.row.late_by),
            None if line.row.completeness is None else round(100 * line.row.completeness, 1),
            "; ".join(line.row.confirmed),
            len(line.row.far),
        ]
        for line in view.lines
    ]
    far_rows = [
        [
            line.unit.code,
            line.unit.name,
            titles.get(far.question, far.question),
            far.value,
            str(WHY[far.why]),
            far.low,
            far.high,
            far.last,
        ]
        for line in view.lines
        for far in line.row.far
    ]
    last = view.last.title if view.last else _("no earlier campaign of the form")
    return tables_xlsx(
        [
            Sheet(
                _("Data quality"),
                [
                    _("Code"),
                    _("Organisation"),
                    _("Deadline"),
                    _("Handed in"),
                    _("Timeliness"),
                    _("Late by, hours"),
                    _("Share of questions answered"),
                    _("Confirmed warnings"),
                    _("Far values"),
                ],
                rows,
                note=f"{view.campaign.title} · {view.root.name} ({zone})",
            ),
            Sheet(
                _("Far values"),
                [
                    _("Code"),
                    _("Organisation"),
                    _("Question"),
                    _("Value"),
                    _("Why"),
                    _("Lower fence"),
                    _("Upper fence"),
                    _("Last year"),
                ],
                far_rows,
                note=f"{rule_text()} {_('Compared with: %(title)s.', title=last)}",
            ),
        ]
    )
