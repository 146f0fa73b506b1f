"""Turning the new-campaign form into a campaign: the choices it offers the user (the
organisations of the coordinator's territory as a tree grouped by municipality, the
academic years), and the checks that name the field at fault (an organisation outside
the campaign's territory, a missing deadline)."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from collector.auth.permissions import Action
from collector.auth.services import can, scope_clause
from collector.campaigns.forms import CampaignForm
from collector.campaigns.lifecycle import LatePolicy
from collector.campaigns.services import CampaignError, NewCampaign, create_campaign
from collector.forms import SelectChoice
from collector.labels import ROLE_LABELS, UNIT_TYPE_LABELS
from collector.models import Campaign, FormVersion, OrgUnit, UnitType, User
from collector.models.units import IN_TREE_ORDER
from collector.publishing.versions import in_territory, offered_versions
from collector.units.services import current_academic_year

# Deadlines are asked per level of the tree; each level's date applies to these types.
LEVELS = {
    "deadline_region": (UnitType.REGION,),
    "deadline_municipalities": (UnitType.MUNICIPALITY,),
    "deadline_institutions": (
        UnitType.SCHOOL,
        UnitType.KINDERGARTEN,
        UnitType.SUPPLEMENTARY,
        UnitType.COLLEGE,
        UnitType.UNIVERSITY,
        UnitType.OTHER,
    ),
}
# At most this many organisations are listed one by one: a picker longer than that is of
# no use, and a posted list longer than that is refused.
MAX_AUDIENCE = 5000
ANSWERING_ROLES = ("school_respondent", "municipal_coordinator", "regional_coordinator")
CAMPAIGN_KINDS = ("unit_report", "survey", "registry")


def owner_choices(session: Session, user: User) -> list[OrgUnit]:
    """Regions and municipalities (city departments) where the user runs campaigns."""
    return list(
        session.scalars(
            select(OrgUnit)
            .where(
                scope_clause(user, Action.RUN_CAMPAIGNS),
                OrgUnit.unit_type.in_([UnitType.REGION.value, UnitType.MUNICIPALITY.value]),
                OrgUnit.is_active.is_(True),
            )
            .order_by(*IN_TREE_ORDER)
        )
    )


def form_choices(session: Session, user: User) -> list[FormVersion]:
    """The forms a campaign may be run with: those of the user's territory."""
    return [v for v in offered_versions(session, user) if v.kind in CAMPAIGN_KINDS]


@dataclass
class UnitGroup:
    """Organisations of one municipality (or those directly under a region) for the
    audience picker."""

    label: str
    units: list[OrgUnit] = field(default_factory=list)


def audience_choices(session: Session, user: User) -> list[UnitGroup]:
    """The organisations a campaign of the user may ask (in the user's territory, below a
    region), in tree order, grouped by their municipality: a municipality leads its own
    group; those directly under a region make one group of the region."""
    units = list(
        session.scalars(
            select(OrgUnit)
            .where(
                scope_clause(user, Action.RUN_CAMPAIGNS),
                OrgUnit.unit_type != UnitType.REGION.value,
                OrgUnit.is_active.is_(True),
            )
            .order_by(*IN_TREE_ORDER)
            .limit(MAX_AUDIENCE)
        )
    )
    municipalities = {u.id: u for u in units if u.unit_type == UnitType.MUNICIPALITY}
    groups: dict[int, UnitGroup] = {}
    for unit in units:
        ids = [int(i) for i in unit.path.strip("/").split("/")]
        head = next((i for i in ids if i in municipalities), None)
        if head is None:
            parent = unit.parent
            head, label = (parent.id, parent.name) if parent is not None else (0, "—")
        else:
            label = municipalities[head].name
        groups.setdefault(head, UnitGroup(label)).units.append(unit)
    return list(groups.values())


def year_label(year: int) -> str:
    return f"{year}/{year + 1}"


def academic_years(today_year: int | None = None) -> list[int]:
    """The academic years a campaign may describe: the current one and one either side."""
    current = today_year if today_year is not None else current_academic_year()
    return [current - 1, current, current + 1]


def fill_choices(session: Session, user: User, form: CampaignForm) -> None:
    versions = form_choices(session, user)
    form.form_version.choices = [SelectChoice(v.id, f"{v.title} (v{v.version})") for v in versions]
    owners = owner_choices(session, user)
    form.owner.choices = [SelectChoice(u.id, u.name) for u in owners]
    form.academic_year.choices = [SelectChoice(y, year_label(y)) for y in academic_years()]
    form.subtree.choices = [SelectChoice("", _("All of the coordinating organisation"))] + [
        SelectChoice(u.id, u.name) for u in owners if u.unit_type == UnitType.MUNICIPALITY
    ]
    form.unit_types.choices = [SelectChoice(t.value, UNIT_TYPE_LABELS[t.value]) for t in UnitType]
    form.answer_roles.choices = [SelectChoice(r, ROLE_LABELS[r]) for r in ANSWERING_ROLES]
    if not form.is_submitted() and form.academic_year.data is None:
        form.academic_year.data = current_academic_year()


def _check_units(
    session: Session, form: CampaignForm, within: OrgUnit, unit_types: list[str]
) -> list[OrgUnit] | None:
    """The ticked organisations, or None with the message beside the field when one is
    unknown, outside `within` or of a type that does not answer."""
    ids = list(dict.fromkeys(form.units.data or []))
    if not ids:
        return None
    if len(ids) > MAX_AUDIENCE:
        form.units.errors = [
            _("Choose at most %(n)d organisations, or a whole territory.", n=MAX_AUDIENCE)
        ]
        return None
    found = {u.id: u for u in session.scalars(select(OrgUnit).where(OrgUnit.id.in_(ids)))}
    outside = [
        found[i].name if i in found else str(i)
        for i in ids
        if i not in found or not found[i].path.startswith(within.path)
    ]
    if outside:
        form.units.errors = [
            _(
                "These organisations are not in %(territory)s: %(names)s.",
                territory=within.name,
                names=", ".join(outside[:20]),
            )
        ]
        return None
    wrong_type = [found[i].name for i in ids if found[i].unit_type not in unit_types]
    if wrong_type:
        form.units.errors = [
            _(
                "These organisations do not answer this form: %(names)s.",
                names=", ".join(wrong_type[:20]),
            )
        ]
        return None
    return [found[i] for i in ids]


def create_from_form(session: Session, user: User, form: CampaignForm) -> Campaign | None:
    """The campaign, or None with the errors put on the form's fields."""
    version = session.get(FormVersion, form.form_version.data)
    owner = session.get(OrgUnit, form.owner.data)
    if version is None or owner is None or not can(user, Action.RUN_CAMPAIGNS, owner):
        form.owner.errors = [_("Choose an organisation you coordinate.")]
        return None
    if not in_territory(session, [owner.path], [version]):
        form.form_version.errors = [_("This form belongs to another territory.")]
        return None
    form_types = list(version.document["respondents"]["unit_types"])
    unit_types = list(form.unit_types.data or []) or form_types
    stray = [t for t in unit_types if t not in form_types]
    if stray:
        form.unit_types.errors = [
            _(
                "This form is not answered by: %(types)s.",
                types=", ".join(str(UNIT_TYPE_LABELS[t]) for t in stray),
            )
        ]
    subtree = None
    if form.subtree.data is not None:
        subtree = session.get(OrgUnit, form.subtree.data)
        if subtree is None or not subtree.path.startswith(owner.path):
            form.subtree.errors = [_("Choose a part of %(territory)s.", territory=owner.name)]
            subtree = None
    unit_list = None
    if not form.subtree.errors:
        unit_list = _check_units(session, form, subtree or owner, unit_types)
    deadlines = {}
    for field_name, level_types in LEVELS.items():
        field = getattr(form, field_name)
        needed = [t.value for t in level_types if t.value in unit_types]
        if needed and field.data is None:
            field.errors = [_("A deadline is needed for the organisations of this level.")]
        for unit_type in needed:
            if field.data is not None:
                deadlines[unit_type] = field.data
    if any(f.errors for f in form):
        return None
    try:
        return create_campaign(
            session,
            user,
            NewCampaign(
                title=form.title.data or "",
                form_version=version,
                owner_unit=owner,
                academic_year=form.academic_year.data or current_academic_year(),
                as_of=form.as_of.data,
                late_policy=LatePolicy(form.late_policy.data),
                deadlines=deadlines,
                unit_types=unit_types,
                subtree_unit=subtree,
                unit_list=unit_list,
                answer_roles=list(form.answer_roles.data or []),
                min_response_rate=float(form.min_response_rate.data)
                if form.min_response_rate.data is not None
                else None,
            ),
        )
    except CampaignError as error:
        form.form_version.errors = [str(error)]
        return None
