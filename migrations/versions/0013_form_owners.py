"""every form belongs to a unit's territory where one can be told: published versions
without an owner are given one (index on form_version.owner_unit_id)

Revision ID: 0013_form_owners
Revises: 0012_survey_submission_key
Create Date: 2026-12-10 09:00:00.000000

A form's versions without an owner are given, in this order:
1. the owner of the newest owned version of the same form (a form belongs to one unit);
2. else the unit whose campaigns ran it: the nearest region or municipality at or above
   every campaign's owner unit;
3. else, for a registry, the nearest region or municipality at or above every unit that
   keeps records in it.
A form none of these names (loaded from a file, never used) stays without an owner: the
whole installation's, offered to everyone, until `flask schemas load --owner CODE` gives it
to a unit. The downgrade keeps the owners (they cannot be told from those set by hand).
"""
from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0013_form_owners'
down_revision = '0012_survey_submission_key'
branch_labels = None
depends_on = None

form_version = sa.table(
    "form_version",
    sa.column("id", sa.Integer),
    sa.column("form_id", sa.String),
    sa.column("version", sa.Integer),
    sa.column("owner_unit_id", sa.Integer),
)
org_unit = sa.table(
    "org_unit", sa.column("id", sa.Integer), sa.column("path", sa.String), sa.column("unit_type", sa.String)
)
campaign = sa.table(
    "campaign", sa.column("form_version_id", sa.Integer), sa.column("owner_unit_id", sa.Integer)
)
registry_record = sa.table(
    "registry_record", sa.column("form_id", sa.String), sa.column("unit_id", sa.Integer)
)

# The units a form can belong to: a region, a municipality (a city's department).
OWNING_TYPES = ("region", "municipality")


def _common_ancestor(connection: sa.Connection, unit_ids: Iterable[int]) -> int | None:
    """The nearest region or municipality at or above all these units, or None."""
    ids = set(unit_ids)
    if not ids:
        return None
    paths = connection.execute(sa.select(org_unit.c.path).where(org_unit.c.id.in_(ids))).scalars()
    chains = [[int(p) for p in path.strip("/").split("/") if p] for path in paths]
    if not chains:
        return None
    common: list[int] = []
    for step in zip(*chains):
        if len(set(step)) != 1:
            break
        common.append(step[0])
    if not common:
        return None
    types = {
        unit_id: unit_type
        for unit_id, unit_type in connection.execute(
            sa.select(org_unit.c.id, org_unit.c.unit_type).where(org_unit.c.id.in_(common))
        )
    }
    return next((i for i in reversed(common) if types.get(i) in OWNING_TYPES), None)


def backfill(connection: sa.Connection) -> dict[str, int]:
    """Give owners to the versions without one; returns form id -> the owner given."""
    rows = connection.execute(
        sa.select(
            form_version.c.id, form_version.c.form_id, form_version.c.version,
            form_version.c.owner_unit_id,
        ).order_by(form_version.c.form_id, form_version.c.version.desc())
    ).all()
    forms: dict[str, list[sa.Row]] = {}
    for row in rows:
        forms.setdefault(row.form_id, []).append(row)
    given: dict[str, int] = {}
    for form_id, versions in forms.items():
        if all(v.owner_unit_id is not None for v in versions):
            continue
        owner = next((v.owner_unit_id for v in versions if v.owner_unit_id is not None), None)
        if owner is None:
            owner = _common_ancestor(
                connection,
                connection.execute(
                    sa.select(campaign.c.owner_unit_id).where(
                        campaign.c.form_version_id.in_([v.id for v in versions])
                    )
                ).scalars(),
            )
        if owner is None:
            owner = _common_ancestor(
                connection,
                connection.execute(
                    sa.select(registry_record.c.unit_id).where(registry_record.c.form_id == form_id)
                ).scalars(),
            )
        if owner is None:
            continue
        connection.execute(
            sa.update(form_version)
            .where(form_version.c.form_id == form_id, form_version.c.owner_unit_id.is_(None))
            .values(owner_unit_id=owner)
        )
        given[form_id] = owner
    return given


def upgrade():
    with op.batch_alter_table('form_version', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_form_version_owner_unit_id'), ['owner_unit_id'], unique=False)
    backfill(op.get_bind())


def downgrade():
    with op.batch_alter_table('form_version', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_form_version_owner_unit_id'))
