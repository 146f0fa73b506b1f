"""recommendation_mail: a sent recommendation e-mailed to each of its recipients once
(unique per recommendation and user; claimed before the message goes)

Revision ID: 0020_recommendation_mail
Revises: 0019_api_writes
Create Date: 2026-12-06 02:20:00

"""

from alembic import op
import sqlalchemy as sa

from collector.models.base import UTCDateTime


# revision identifiers, used by Alembic.
revision = "0020_recommendation_mail"
down_revision = "0019_api_writes"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "recommendation_mail",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("recommendation_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("mailed_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["recommendation_id"],
            ["recommendation.id"],
            name=op.f("fk_recommendation_mail_recommendation_id_recommendation"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_recommendation_mail_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recommendation_mail")),
        sa.UniqueConstraint(
            "recommendation_id",
            "user_id",
            name=op.f("uq_recommendation_mail_recommendation_id_user_id"),
        ),
    )
    with op.batch_alter_table("recommendation_mail", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_recommendation_mail_recommendation_id"),
            ["recommendation_id"],
            unique=False,
        )


def downgrade():
    with op.batch_alter_table("recommendation_mail", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_recommendation_mail_recommendation_id"))
    op.drop_table("recommendation_mail")
