"""review_notice: a reviewer's decision told to each respondent of the unit, once
(unique per decision and recipient), mailed and read; stored_file: files attached to
answers of file questions (the bytes in FILE_FOLDER)

Revision ID: 0018_notices_files
Revises: 0017_cycle
Create Date: 2026-12-05 22:45:03.818301

"""

from alembic import op
import sqlalchemy as sa

from collector.models.base import UTCDateTime


# revision identifiers, used by Alembic.
revision = "0018_notices_files"
down_revision = "0017_cycle"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "review_notice",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("decision_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("response_id", sa.Integer(), nullable=False),
        sa.Column("move", sa.String(length=16), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("mailed_at", UTCDateTime(), nullable=True),
        sa.Column("read_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["decision_id"],
            ["audit_event.id"],
            name=op.f("fk_review_notice_decision_id_audit_event"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["response_id"],
            ["form_response.id"],
            name=op.f("fk_review_notice_response_id_form_response"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_review_notice_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_notice")),
        sa.UniqueConstraint(
            "decision_id", "user_id", name=op.f("uq_review_notice_decision_id_user_id")
        ),
    )
    with op.batch_alter_table("review_notice", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_review_notice_response_id"), ["response_id"], unique=False
        )
        batch_op.create_index("ix_review_notice_user_unread", ["user_id", "read_at"], unique=False)

    op.create_table(
        "stored_file",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("form_id", sa.String(length=64), nullable=False),
        sa.Column("field_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("type", sa.String(length=16), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["user_account.id"],
            name=op.f("fk_stored_file_created_by_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["org_unit.id"], name=op.f("fk_stored_file_unit_id_org_unit")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stored_file")),
    )
    with op.batch_alter_table("stored_file", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_stored_file_unit_id"), ["unit_id"], unique=False)


def downgrade():
    with op.batch_alter_table("stored_file", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_stored_file_unit_id"))
    op.drop_table("stored_file")
    with op.batch_alter_table("review_notice", schema=None) as batch_op:
        batch_op.drop_index("ix_review_notice_user_unread")
        batch_op.drop_index(batch_op.f("ix_review_notice_response_id"))

    op.drop_table("review_notice")
