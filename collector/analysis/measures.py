"""The register of measures and managerial decisions taken on a campaign's analysis, and
their effect at the next campaign of the form. The acting user is an argument."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from collector import audit
from collector.analysis.effect import EffectRow, effect
from collector.analysis.services import analysis_root, complete_groups, per_unit
from collector.auth.permissions import Action
from collector.auth.services import can
from collector.campaigns import services as campaigns
from collector.errors import ActionForbidden, NotInScope
from collector.exporters.tables import Sheet, tables_xlsx
from collector.models import Campaign, Measure, MeasureState, OrgUnit, User
from collector.models.units import tree_key
from collector.publishing.versions import spec_of
from collector.reports.services import Basis, campaign_report, child_level
from collector.schema.spec import IndicatorSpec, Option, Text

MAX_TEXT = 500
# A form that lists no kinds of measures: one kind for any.
ANY_KIND = Option("other", Text("Иная мера", "Other measure"))
STATE_LABELS = {
    MeasureState.PLANNED: _l("planned"),
    MeasureState.IN_PROGRESS: _l("in progress"),
    MeasureState.DONE: _l("done"),
    MeasureState.CANCELLED: _l("cancelled"),
}


class MeasureRefused(ValueError):
    """What was typed cannot be kept (said beside the field)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class MeasureInput:
    kind: str
    title: str
    responsible_unit_id: int | None
    starts_on: date | None
    ends_on: date | None
    unit_ids: list[int]
    indicators: list[str]
    act: str
    status: str = MeasureState.PLANNED


@dataclass(frozen=True)
class Choices:
    """What a measure of the campaign for the territory may name."""

    root: OrgUnit
    kinds: tuple[Option, ...]
    units: list[OrgUnit]  # the units below the territory (units concerned)
    responsible: list[OrgUnit]  # the territory and the units below it
    indicators: list[IndicatorSpec]


@dataclass(frozen=True)
class MeasureEffect:
    measure: Measure
    next_campaign: Campaign | None
    rows: list[EffectRow] = field(default_factory=list)


def _units_below(session: Session, campaign: Campaign, root: OrgUnit) -> list[OrgUnit]:
    level = child_level(root)
    found = session.scalars(
        select(OrgUnit).where(
            OrgUnit.path.startswith(root.path), OrgUnit.id != root.id, OrgUnit.is_active
        )
    )
    wanted = {"municipality"} if level == "municipality" else None
    return sorted(
        (
            u
            for u in found
            if (u.unit_type in wanted if wanted else u.unit_type not in ("region", "municipality"))
        ),
        key=tree_key,
    )


def choices(session: Session, user: User, campaign: Campaign, unit_id: int | None) -> Choices:
    root = analysis_root(session, user, campaign, unit_id)
    spec = spec_of(campaign.form_version)
    units = _units_below(session, campaign, root) if root.unit_type != "school" else []
    return Choices(
        root,
        spec.measure_kinds or (ANY_KIND,),
        units,
        [root, *units],
        list(spec.computed_indicators),
    )


def may_keep(user: User, root: OrgUnit) -> bool:
    """The territory's coordinators keep its register."""
    return root.unit_type != "school" and can(user, Action.REVIEW_REPORTS, root)


def add_measure(
    session: Session, user: User, campaign: Campaign, unit_id: int | None, data: MeasureInput
) -> Measure:
    allowed = choices(session, user, campaign, unit_id)
    if not may_keep(user, allowed.root):
        raise ActionForbidden(Action.REVIEW_REPORTS)
    if data.kind not in {k.value for k in allowed.kinds}:
        raise MeasureRefused("kind", _("Choose a kind from the list."))
    title, act = data.title.strip(), data.act.strip()
    if not title:
        raise MeasureRefused("title", _("Say what was decided."))
    for name, text in (("title", title), ("act", act)):
        if len(text) > MAX_TEXT:
            raise MeasureRefused(name, _("At most %(n)d characters.", n=MAX_TEXT))
    responsible = {u.id for u in allowed.responsible}
    if data.responsible_unit_id is not None and data.responsible_unit_id not in responsible:
        raise MeasureRefused("responsible_unit_id", _("Choose a unit from the list."))
    if data.starts_on and data.ends_on and data.ends_on < data.starts_on:
        raise MeasureRefused("ends_on", _("The end comes before the start."))
    concerned = {u.id for u in allowed.units}
    if not data.unit_ids or not set(data.unit_ids) <= concerned:
        raise MeasureRefused("unit_ids", _("Choose the units concerned from the list."))
    indicators = {i.id for i in allowed.indicators}
    if not data.indicators or not set(data.indicators) <= indicators:
        raise MeasureRefused("indicators", _("Choose the indicators aimed at from the list."))
    if data.status not in set(MeasureState):
        raise MeasureRefused("status", _("Choose a status from the list."))
    order = {u.id: n for n, u in enumerate(allowed.units)}
    measure = Measure(
        campaign_id=campaign.id,
        territory_id=allowed.root.id,
        kind=data.kind,
        title=title,
        responsible_unit_id=data.responsible_unit_id,
        starts_on=data.starts_on,
        ends_on=data.ends_on,
        unit_ids=sorted(set(data.unit_ids), key=order.__getitem__),
        indicators=[i.id for i in allowed.indicators if i.id in set(data.indicators)],
        act=act,
        status=data.status,
        created_by=user.id,
    )
    session.add(measure)
    session.flush()
    audit.record(session, user, "measure.create", measure, campaign_id=campaign.id)
    return measure


def get_measure(session: Session, user: User, measure_id: int) -> Measure:
    found = session.get(Measure, measure_id)
    if found is None or not can(user, Action.REVIEW_REPORTS, found.territory):
        raise NotInScope(measure_id)
    return found


def set_status(session: Session, user: User, measure: Measure, status: str) -> None:
    if not may_keep(user, measure.territory):
        raise ActionForbidden(Action.REVIEW_REPORTS)
    if status not in set(MeasureState):
        raise MeasureRefused("status", _("Choose a status from the list."))
    measure.status = status
    audit.record(session, user, "measure.status", measure, status=status)


def register(session: Session, user: User, campaign: Campaign, root: OrgUnit) -> list[Measure]:
    """The measures of the campaign decided within the territory (its own and below)."""
    found = session.scalars(
        select(Measure)
        .join(OrgUnit, Measure.territory_id == OrgUnit.id)
        .where(Measure.campaign_id == campaign.id, OrgUnit.path.startswith(root.path))
        .order_by(Measure.id)
    )
    return [m for m in found if can(user, Action.REVIEW_REPORTS, m.territory)]


def next_campaign(session: Session, user: User, campaign: Campaign) -> Campaign | None:
    """The first campaign of the same form after this one that the user sees."""
    form_id = campaign.form_version.form_id
    later = [
        c
        for c in campaigns.visible_campaigns(session, user)
        if c.form_version.form_id == form_id
        and c.id != campaign.id
        and (c.academic_year, c.created_at) > (campaign.academic_year, campaign.created_at)
    ]
    return min(later, key=lambda c: (c.academic_year, c.created_at, c.id), default=None)


def effects(
    session: Session,
    user: User,
    campaign: Campaign,
    measures: list[Measure],
    basis: Basis = Basis.ACCEPTED,
) -> list[MeasureEffect]:
    """Each measure's effect at the next campaign of the form (none yet: no rows)."""
    following = next_campaign(session, user, campaign)
    if following is None or not measures:
        return [MeasureEffect(m, None) for m in measures]
    before_report = campaign_report(session, user, campaign, basis)
    after_report = campaign_report(session, user, following, basis)
    decimals = {i.id: i.precision for i in before_report.spec.computed_indicators}
    found = []
    for measure in measures:
        territory = measure.territory
        level = child_level(territory)
        before, after = per_unit(before_report, level), per_unit(after_report, level)
        units = [
            u.id
            for u in _units_below(session, campaign, territory)
            if before_report.visible(u.id) or after_report.visible(u.id)
        ]
        concerned = [u for u in units if u in set(measure.unit_ids)]
        others = [u for u in units if u not in set(measure.unit_ids)]
        rows = [
            effect(
                indicator,
                decimals.get(indicator, 2),
                concerned,
                others,
                {g: v.value for g, v in before.by(indicator, level).items()},
                {g: v.value for g, v in after.by(indicator, level).items()},
                complete_groups(before, indicator, level)
                & complete_groups(after, indicator, level),
            )
            for indicator in measure.indicators
        ]
        found.append(MeasureEffect(measure, following, rows))
    return found


def register_workbook(
    session: Session, user: User, campaign: Campaign, root: OrgUnit, language: str
) -> bytes:
    """The register and the effect table as a workbook (two sheets)."""
    measures = register(session, user, campaign, root)
    spec = spec_of(campaign.form_version)
    kinds = {k.value: k.label.get(language) for k in spec.measure_kinds or (ANY_KIND,)}
    titles = {i.id: i.title.get(language) for i in spec.indicators}
    names = {
        u.id: u.name
        for u in session.scalars(
            select(OrgUnit).where(OrgUnit.id.in_({i for m in measures for i in m.unit_ids}))
        )
    }
    register_rows = [
        [
            m.id,
            kinds.get(m.kind, m.kind),
            m.title,
            m.responsible_unit.name if m.responsible_unit else None,
            m.starts_on,
            m.ends_on,
            "; ".join(names.get(i, str(i)) for i in m.unit_ids),
            "; ".join(titles.get(i, i) for i in m.indicators),
            m.act,
            str(STATE_LABELS.get(MeasureState(m.status), m.status)),
        ]
        for m in measures
    ]
    effect_rows = [
        [
            found.measure.id,
            found.measure.title,
            titles.get(row.indicator, row.indicator),
            row.concerned.change,
            f"{row.concerned.covered} / {row.concerned.total}",
            row.others.change,
            f"{row.others.covered} / {row.others.total}",
            row.difference,
        ]
        for found in effects(session, user, campaign, measures)
        for row in found.rows
    ]
    following = next_campaign(session, user, campaign)
    return tables_xlsx(
        [
            Sheet(
                _("Measures"),
                [
                    "№",
                    _("Kind"),
                    _("What was decided"),
                    _("Responsible"),
                    _("From"),
                    _("To"),
                    _("Units concerned"),
                    _("Indicators aimed at"),
                    _("Recorded by (order, protocol)"),
                    _("Status"),
                ],
                register_rows,
                note=f"{campaign.title} · {root.name}",
            ),
            Sheet(
                _("Effect"),
                [
                    "№",
                    _("What was decided"),
                    _("Indicator"),
                    _("Change, units concerned"),
                    _("Covered, units concerned"),
                    _("Change, other units"),
                    _("Covered, other units"),
                    _("Difference"),
                ],
                effect_rows,
                note=_("%(before)s → %(after)s", before=campaign.title, after=following.title)
                if following
                else _("No later campaign of the form yet."),
            ),
        ]
    )
