"""Turning the new-campaign form into a campaign: the choices it offers the user, and
the checks that name the field at fault (an unknown code, a missing deadline)."""

from __future__ import annotations

import re

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


def fill_choices(session: Session, user: User, form: CampaignForm) -> None:
    versions = form_choices(session, user)
    form.form_version.choices = [SelectChoice(v.id, f"{v.title} (v{v.version})") for v in versions]
    form.owner.choices = [SelectChoice(u.id, u.name) for u in owner_choices(session, user)]
    form.unit_types.choices = [SelectChoice(t.value, UNIT_TYPE_LABELS[t.value]) for t in UnitType]
    form.answer_roles.choices = [SelectChoice(r, ROLE_LABELS[r]) for r in ANSWERING_ROLES]
    if not form.is_submitted() and form.academic_year.data is None:
        form.academic_year.data = current_academic_year()


def _codes(text: str) -> list[str]:
    return [code for code in re.split(r"[\s,;]+", text) if code]


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
    if form.subtree_code.data:
        subtree = session.scalar(select(OrgUnit).where(OrgUnit.code == form.subtree_code.data))
        if subtree is None or not subtree.path.startswith(owner.path):
            form.subtree_code.errors = [_("No organisation with this code under the coordinator.")]
    unit_list = None
    if form.unit_codes.data:
        codes = _codes(form.unit_codes.data)
        found = {u.code: u for u in session.scalars(select(OrgUnit).where(OrgUnit.code.in_(codes)))}
        wrong = [
            c
            for c in codes
            if c not in found
            or not found[c].path.startswith((subtree or owner).path)
            or found[c].unit_type not in unit_types
        ]
        if wrong:
            form.unit_codes.errors = [
                _(
                    "These codes name no organisation of the chosen types here: %(codes)s.",
                    codes=", ".join(wrong[:20]),
                )
            ]
        unit_list = [found[c] for c in codes if c in found]
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
