"""Recommendations after a campaign: the form's declared recommendations proposed to the
units its analysis finds missing, drafted per unit, edited and sent by a coordinator of the
territory, and acknowledged by the unit's own people. The acting user is an argument."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from collector import audit
from collector.analysis.compute import Reason, proposed_to
from collector.analysis.mailing import record_mail
from collector.analysis.services import Analysis, campaign_analysis
from collector.auth.permissions import Action
from collector.auth.services import can
from collector.errors import ActionForbidden, NotInScope
from collector.models import Campaign, OrgUnit, Recommendation, RecommendationState, User
from collector.models.base import utcnow
from collector.models.units import UnitLike, in_tree_order
from collector.reports.services import Basis
from collector.schema.spec import RecommendationSpec

MAX_TITLE = 500
MAX_BODY = 20_000


class RecommendationRefused(ValueError):
    """What a coordinator typed cannot be kept (said beside the field)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class Proposal:
    """What a unit's misses propose: the form's recommendations and the misses behind them."""

    unit: UnitLike
    recommendations: list[RecommendationSpec]
    misses: list[tuple[str, tuple[Reason, ...]]]


def proposals(analysis: Analysis) -> list[Proposal]:
    """Per unit of the analysis proposed anything, in the tree's order."""
    spec_recommendations = analysis.spec.recommendations
    found: dict[int, Proposal] = {}
    units_by_id = {u.id: u for u in analysis.units}
    for recommendation in spec_recommendations:
        units = proposed_to(recommendation.indicators, recommendation.when, analysis.results)
        for unit_id, misses in units.items():
            proposal = found.setdefault(unit_id, Proposal(units_by_id[unit_id], [], []))
            proposal.recommendations.append(recommendation)
            proposal.misses.extend(m for m in misses if m not in proposal.misses)
    return in_tree_order(found.values(), lambda p: p.unit)


def may_send(user: User, territory: OrgUnit) -> bool:
    """A coordinator who reviews the territory's reports sends its recommendations (to the
    units below it; a school has none)."""
    return territory.unit_type != "school" and can(user, Action.REVIEW_REPORTS, territory)


def make_drafts(
    session: Session,
    user: User,
    campaign: Campaign,
    unit_id: int | None = None,
    basis: Basis = Basis.ACCEPTED,
) -> list[Recommendation]:
    """A draft for each unit the analysis proposes anything to and that has none yet for
    this campaign; returns the new drafts."""
    analysis = campaign_analysis(session, user, campaign, unit_id, basis)
    if not may_send(user, analysis.root):
        raise ActionForbidden(Action.REVIEW_REPORTS)
    existing = set(
        session.scalars(
            select(Recommendation.unit_id).where(Recommendation.campaign_id == campaign.id)
        )
    )
    made = []
    for proposal in proposals(analysis):
        if proposal.unit.id in existing:
            continue
        draft = Recommendation(
            campaign_id=campaign.id,
            unit_id=proposal.unit.id,
            territory_id=analysis.root.id,
            title=_("Recommendations after «%(title)s»", title=campaign.title)[:MAX_TITLE],
            body="\n\n".join(f"{r.title.ru}\n{r.text.ru}" for r in proposal.recommendations)[
                :MAX_BODY
            ],
            proposed=[r.id for r in proposal.recommendations],
            misses=[[indicator, list(reasons)] for indicator, reasons in proposal.misses],
            status=RecommendationState.DRAFT,
            created_by=user.id,
        )
        session.add(draft)
        made.append(draft)
    session.flush()
    for draft in made:
        audit.record(session, user, "recommendation.draft", draft, unit_id=draft.unit_id)
    return made


def of_territory(
    session: Session, user: User, campaign: Campaign, territory: OrgUnit
) -> list[Recommendation]:
    """The campaign's recommendations to units within the territory, in the tree's order."""
    found = session.scalars(
        select(Recommendation)
        .join(OrgUnit, Recommendation.unit_id == OrgUnit.id)
        .where(
            Recommendation.campaign_id == campaign.id,
            OrgUnit.path.startswith(territory.path),
        )
    )
    return in_tree_order(
        [r for r in found if can(user, Action.REVIEW_REPORTS, r.unit)], lambda r: r.unit
    )


def is_recipient(user: User, recommendation: Recommendation) -> bool:
    """The unit's own people: a role on the recipient unit itself."""
    return any(role.unit_id == recommendation.unit_id for role in user.roles)


def get_recommendation(session: Session, user: User, recommendation_id: int) -> Recommendation:
    """A recommendation its sender's coordinators may see, or (once sent) its recipients."""
    found = session.get(Recommendation, recommendation_id)
    if found is None:
        raise NotInScope(recommendation_id)
    if can(user, Action.REVIEW_REPORTS, found.territory):
        return found
    if found.status != RecommendationState.DRAFT and is_recipient(user, found):
        return found
    raise NotInScope(recommendation_id)


def _editable(user: User, recommendation: Recommendation) -> None:
    if not may_send(user, recommendation.territory):
        raise ActionForbidden(Action.REVIEW_REPORTS)
    if recommendation.status != RecommendationState.DRAFT:
        raise RecommendationRefused("body", _("A sent recommendation is not changed."))


def edit(
    session: Session, user: User, recommendation: Recommendation, title: str, body: str
) -> None:
    _editable(user, recommendation)
    title, body = title.strip(), body.strip()
    if not title:
        raise RecommendationRefused("title", _("Give the recommendation a title."))
    if len(title) > MAX_TITLE:
        raise RecommendationRefused("title", _("At most %(n)d characters.", n=MAX_TITLE))
    if not body:
        raise RecommendationRefused("body", _("Write the recommendation."))
    if len(body) > MAX_BODY:
        raise RecommendationRefused("body", _("At most %(n)d characters.", n=MAX_BODY))
    recommendation.title, recommendation.body = title, body
    audit.record(session, user, "recommendation.edit", recommendation)


def send(session: Session, user: User, recommendation: Recommendation) -> None:
    """Send a draft. Sent only if it is still a draft in the database: of two sendings at
    once (a double click) the second waits for the first's row and is refused, instead of
    recording its recipients' mail again."""
    _editable(user, recommendation)
    session.flush()  # a draft just made has its id
    now = utcnow()
    sending = session.execute(
        update(Recommendation)
        .where(
            Recommendation.id == recommendation.id,
            Recommendation.status == RecommendationState.DRAFT,
        )
        .values(status=RecommendationState.SENT, sent_at=now, sent_by=user.id)
        .execution_options(synchronize_session=False)
    )
    if not getattr(sending, "rowcount", 0):
        raise RecommendationRefused("body", _("A sent recommendation is not changed."))
    recommendation.status = RecommendationState.SENT
    recommendation.sent_at = now
    recommendation.sent_by = user.id
    audit.record(session, user, "recommendation.send", recommendation)
    record_mail(session, recommendation)


def acknowledge(session: Session, user: User, recommendation: Recommendation) -> None:
    if not is_recipient(user, recommendation) or recommendation.status == RecommendationState.DRAFT:
        raise ActionForbidden(Action.VIEW_UNIT)
    if recommendation.status == RecommendationState.ACKNOWLEDGED:
        return
    recommendation.status = RecommendationState.ACKNOWLEDGED
    recommendation.acknowledged_at = utcnow()
    recommendation.acknowledged_by = user.id
    audit.record(session, user, "recommendation.acknowledge", recommendation)


def inbox(session: Session, user: User) -> list[Recommendation]:
    """The recommendations sent to the user's own units, the unacknowledged first."""
    unit_ids = [role.unit_id for role in user.roles if role.unit_id is not None]
    if not unit_ids:
        return []
    found = session.scalars(
        select(Recommendation)
        .where(
            Recommendation.unit_id.in_(unit_ids),
            Recommendation.status != RecommendationState.DRAFT,
        )
        .order_by(Recommendation.sent_at.desc(), Recommendation.id.desc())
    )
    return sorted(found, key=lambda r: r.status == RecommendationState.ACKNOWLEDGED)


def stored_misses(recommendation: Recommendation) -> list[tuple[str, list[str]]]:
    """The misses that proposed it, as stored ([indicator, [reasons]] each), read
    defensively: an entry of another shape is left out, a reason kept as text."""
    stored = recommendation.misses if isinstance(recommendation.misses, list) else []
    found = []
    for entry in stored:
        if isinstance(entry, list | tuple) and len(entry) == 2 and isinstance(entry[0], str):
            reasons = entry[1] if isinstance(entry[1], list) else []
            found.append((entry[0], [str(r) for r in reasons]))
    return found
