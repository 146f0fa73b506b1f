"""figure_stamp_index: reference_figure (academic_year, id), so a report's data stamp
(how many figures of the year, the last one added) is read from an index alone

Revision ID: 0022_figure_stamp_index
Revises: 0021_response_stamp_index
Create Date: 2026-12-06 08:30:00

"""

from alembic import op


# revision identifiers, used by Alembic.
revision = "0022_figure_stamp_index"
down_revision = "0021_response_stamp_index"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("reference_figure", schema=None) as batch_op:
        batch_op.create_index("ix_reference_figure_year_id", ["academic_year", "id"], unique=False)


def downgrade():
    with op.batch_alter_table("reference_figure", schema=None) as batch_op:
        batch_op.drop_index("ix_reference_figure_year_id")
