"""responses keep the warnings their respondents confirmed, each with its comment (soft
rules): form_response.confirmations, by rule id

Revision ID: 0015_response_confirmations
Revises: 0014_unit_sort_path
Create Date: 2026-12-09 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0015_response_confirmations'
down_revision = '0014_unit_sort_path'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('form_response', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('confirmations', sa.JSON(), server_default=sa.text("'{}'"), nullable=False)
        )


def downgrade():
    with op.batch_alter_table('form_response', schema=None) as batch_op:
        batch_op.drop_column('confirmations')
