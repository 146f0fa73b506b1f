"""response_stamp_index: form_response (campaign_id, updated_at), so a report's data
stamp (how many responses, the last save) is read from an index alone

Revision ID: 0021_response_stamp_index
Revises: 0020_recommendation_mail
Create Date: 2026-12-06 05:30:00

"""

from alembic import op


# revision identifiers, used by Alembic.
revision = "0021_response_stamp_index"
down_revision = "0020_recommendation_mail"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("form_response", schema=None) as batch_op:
        batch_op.create_index(
            "ix_form_response_campaign_id_updated_at",
            ["campaign_id", "updated_at"],
            unique=False,
        )


def downgrade():
    with op.batch_alter_table("form_response", schema=None) as batch_op:
        batch_op.drop_index("ix_form_response_campaign_id_updated_at")
