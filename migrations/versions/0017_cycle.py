"""after the analysis: recommendation (one unit's after one campaign: draft, sent,
acknowledged) and measure (the register of measures and decisions, with the units and
indicators they aim at)

Revision ID: 0017_cycle
Revises: 0016_api_tokens
Create Date: 2026-12-05 22:56:22.547078

"""

import sqlalchemy as sa
from alembic import op

from collector.models.base import UTCDateTime

# revision identifiers, used by Alembic.
revision = "0017_cycle"
down_revision = "0016_api_tokens"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "measure",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("territory_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("responsible_unit_id", sa.Integer(), nullable=True),
        sa.Column("starts_on", sa.Date(), nullable=True),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("unit_ids", sa.JSON(), nullable=False),
        sa.Column("indicators", sa.JSON(), nullable=False),
        sa.Column("act", sa.String(length=500), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "status IN ('planned', 'in_progress', 'done', 'cancelled')",
            name=op.f("ck_measure_status"),
        ),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaign.id"],
            name=op.f("fk_measure_campaign_id_campaign"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["user_account.id"],
            name=op.f("fk_measure_created_by_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["responsible_unit_id"],
            ["org_unit.id"],
            name=op.f("fk_measure_responsible_unit_id_org_unit"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["territory_id"],
            ["org_unit.id"],
            name=op.f("fk_measure_territory_id_org_unit"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_measure")),
    )
    with op.batch_alter_table("measure", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_measure_campaign_id"), ["campaign_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_measure_territory_id"), ["territory_id"], unique=False)

    op.create_table(
        "recommendation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("territory_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("proposed", sa.JSON(), nullable=False),
        sa.Column("misses", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("sent_at", UTCDateTime(), nullable=True),
        sa.Column("sent_by", sa.Integer(), nullable=True),
        sa.Column("acknowledged_at", UTCDateTime(), nullable=True),
        sa.Column("acknowledged_by", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "status IN ('draft', 'sent', 'acknowledged')", name=op.f("ck_recommendation_status")
        ),
        sa.ForeignKeyConstraint(
            ["acknowledged_by"],
            ["user_account.id"],
            name=op.f("fk_recommendation_acknowledged_by_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaign.id"],
            name=op.f("fk_recommendation_campaign_id_campaign"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["user_account.id"],
            name=op.f("fk_recommendation_created_by_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["sent_by"],
            ["user_account.id"],
            name=op.f("fk_recommendation_sent_by_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["territory_id"],
            ["org_unit.id"],
            name=op.f("fk_recommendation_territory_id_org_unit"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"],
            ["org_unit.id"],
            name=op.f("fk_recommendation_unit_id_org_unit"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recommendation")),
        sa.UniqueConstraint(
            "campaign_id", "unit_id", name=op.f("uq_recommendation_campaign_id_unit_id")
        ),
    )
    with op.batch_alter_table("recommendation", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_recommendation_campaign_id"), ["campaign_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_recommendation_unit_id"), ["unit_id"], unique=False)


def downgrade():
    with op.batch_alter_table("recommendation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_recommendation_unit_id"))
        batch_op.drop_index(batch_op.f("ix_recommendation_campaign_id"))

    op.drop_table("recommendation")
    with op.batch_alter_table("measure", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_measure_territory_id"))
        batch_op.drop_index(batch_op.f("ix_measure_campaign_id"))

    op.drop_table("measure")
