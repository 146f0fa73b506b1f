"""What a survey's report page shows below its indicators: participation, the units
below and their response rates, answers by respondent group and by question, answers in
their own words, and its companion survey's figures beside its own."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any, SupportsInt, cast

from sqlalchemy.orm import Session

from collector.indicators.engine import Participation
from collector.indicators.questions import AnswerCounts
from collector.models import Campaign, OrgUnit, User
from collector.models.units import UnitLike
from collector.reports import joint, questions
from collector.reports.jobs import too_large_to_compute_now
from collector.reports.questions import Breakdown, QuestionTable
from collector.reports.services import (
    CategoryRow,
    Report,
    by_category,
    campaign_report,
    data_stamp,
    level_of,
)
from collector.reports.texts import TextAnswer, text_answers, text_fields
from collector.reports.unit_pages import UnitPage
from collector.schema.spec import FormSpec, IndicatorSpec


@dataclass(frozen=True)
class Together:
    """The companion survey's figures beside this one's and the two together."""

    choices: list[Campaign]
    companion: Campaign | None
    indicators: list[IndicatorSpec] = field(default_factory=list)
    rows: list[joint.JointRow] = field(default_factory=list)
    # Too many answers to compute while the user waits: its own page computes it.
    waiting: bool = False


@dataclass(frozen=True)
class UnitParticipation:
    unit: UnitLike
    participation: Participation
    low: bool  # below the campaign's least response rate


@dataclass(frozen=True)
class Question:
    """One question's answers as a table, and its chart."""

    table: QuestionTable
    min_group: int

    @cached_property
    def chart(self) -> dict[str, Any]:
        # Drawn when shown: of the page of units shown, not of every unit below.
        return self.table.chart(self.min_group)


@dataclass(frozen=True)
class SurveyPart:
    """What a survey's page shows beyond the indicators."""

    participation: Participation | None
    # The respondent groups whose headcount is not known, left out of the rate (labels).
    missing_groups: list[str]
    low_response: bool
    participation_below: list[UnitParticipation]
    categories: list[CategoryRow]
    # Fewer respondents than the smallest group: no distributions and no texts.
    hidden_distributions: bool
    questions: list[Question]
    breakdown_choices: list[Breakdown]
    by: Breakdown | None
    has_text_fields: bool
    texts: list[TextAnswer]
    together: Together | None


@dataclass(frozen=True)
class SurveyChoices:
    """What the request asks of a survey's part of the page."""

    by: str | None  # how the answers by question are broken down
    together_id: int | None  # the companion survey's campaign
    search: str  # in the answers in their own words
    language: str


def survey_part(
    session: Session,
    user: User,
    report: Report,
    root: OrgUnit,
    choices: SurveyChoices,
    inline_limit: int,
) -> SurveyPart:
    campaign, language = report.campaign, choices.language
    participation = report.participation(root.id)
    hidden = bool(participation and participation.responses < report.spec.min_group_size)
    breakdown_choices = questions.breakdowns(report, root)
    by = next(
        (b for b in breakdown_choices if b.value == choices.by),
        breakdown_choices[0] if breakdown_choices else None,
    )
    least = report.spec.min_group_size
    shown = (
        []
        if hidden
        else [
            Question(table, least)
            for table in questions.kept_question_tables(report, root, by, language)[0]
        ]
    )
    below = report.participation_under(root) if level_of(root) != "school" else []
    return SurveyPart(
        participation=participation,
        missing_groups=group_labels(
            report.spec, participation.missing if participation else (), language
        ),
        low_response=participation is not None and _low(campaign, participation),
        participation_below=[
            UnitParticipation(report.units[p.group], p, _low(campaign, p)) for p in below
        ],
        categories=report.remember(
            ("categories", root.id, language), lambda: by_category(report, root, language)
        ),
        hidden_distributions=hidden,
        questions=shown,
        breakdown_choices=breakdown_choices,
        by=by,
        has_text_fields=bool(text_fields(report.spec)),
        texts=[] if hidden else _texts(session, report, root, language, choices.search),
        together=_together(session, user, report, root, choices.together_id, inline_limit),
    )


def _texts(
    session: Session, report: Report, root: OrgUnit, language: str, search: str
) -> list[TextAnswer]:
    """The newest free-text answers; without a search they are kept with the figures
    (finding them may read every answer of a large survey)."""
    if search.strip():
        return text_answers(session, report, root, language, search)
    return report.remember(
        ("texts", root.id, language), lambda: text_answers(session, report, root, language)
    )


def row_unit(row: tuple[str, AnswerCounts]) -> int:
    """The unit of a question table's row by unit: its key is the unit's id."""
    return int(cast(SupportsInt, row[1].key))


def survey_on_page(part: SurveyPart, units: UnitPage) -> SurveyPart:
    """The survey's lists of units below cut to the page of units: new tables and
    parts, the kept ones (shared by every page and the export) are left whole."""
    questions_shown = part.questions
    if part.by == Breakdown.UNIT:
        questions_shown = [
            Question(
                replace(q.table, rows=units.of(q.table.rows, row_unit)),
                q.min_group,
            )
            for q in part.questions
        ]
    together = part.together
    if together is not None and together.rows:
        together = replace(
            together, rows=together.rows[:1] + units.of(together.rows[1:], lambda r: r.unit.id)
        )
    return replace(
        part,
        participation_below=units.of(part.participation_below, lambda row: row.unit.id),
        questions=questions_shown,
        together=together,
    )


def group_labels(spec: FormSpec, values: Sequence[str], language: str) -> list[str]:
    """Respondent groups (option values of the category field) as their labels."""
    if not values or spec.category_field is None:
        return list(values)
    labels = {o.value: o.label.get(language) for o in spec.field(spec.category_field).options}
    return [labels.get(value, value) for value in values]


def _low(campaign: Campaign, participation: Participation) -> bool:
    """A response rate below the campaign's least."""
    rate, least = participation.rate, campaign.min_response_rate
    return least is not None and rate is not None and rate < least


def _together(
    session: Session,
    user: User,
    report: Report,
    root: OrgUnit,
    wanted: int | None,
    inline_limit: int,
) -> Together | None:
    """The companion survey's figures, when the form names a companion; the user may
    pick which of its campaigns."""
    form_id = report.spec.reported_with
    if form_id is None:
        return None
    choices = joint.companions(session, user, report.campaign, form_id)
    companion = next((c for c in choices if c.id == wanted), choices[0] if choices else None)
    if companion is None:
        return Together([], None)
    stamp = data_stamp(session, companion)
    if too_large_to_compute_now(session, user, companion, report.basis, inline_limit, stamp):
        # Its own report page computes it as a job; this page does not wait for it.
        return Together(choices, companion, waiting=True)
    other = campaign_report(session, user, companion, report.basis, stamp=stamp)
    indicators = joint.joint_indicators(report, other, level_of(root))
    return Together(
        choices, companion, indicators, joint.joint_rows(report, other, root, indicators)
    )
