"""survey answers carry their page's submission key, unique per link (a retried send is
recognised, not stored twice)

Revision ID: 0012_survey_submission_key
Revises: 0011_user_sessions
Create Date: 2026-12-08 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012_survey_submission_key'
down_revision = '0011_user_sessions'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('form_response', schema=None) as batch_op:
        batch_op.add_column(sa.Column('submission_key', sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_form_response_campaign_id_unit_id_submission_key'), ['campaign_id', 'unit_id', 'submission_key'])


def downgrade():
    with op.batch_alter_table('form_response', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_form_response_campaign_id_unit_id_submission_key'), type_='unique')
        batch_op.drop_column('submission_key')
