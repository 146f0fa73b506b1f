"""the JSON API's writes: api_idempotent_request keeps each write taken with an
Idempotency-Key (per token and key: the request's hash and the answer given)

Revision ID: 0017_api_writes
Revises: 0016_api_tokens
Create Date: 2026-12-05 23:00:00.000000

"""

from alembic import op
import sqlalchemy as sa

from collector.models.base import UTCDateTime


# revision identifiers, used by Alembic.
revision = "0017_api_writes"
down_revision = "0016_api_tokens"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "api_idempotent_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.Column("request_hash", sa.String(length=64), nullable=False),
        sa.Column("status", sa.Integer(), nullable=False),
        sa.Column("answer", sa.JSON(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["token_id"],
            ["api_token.id"],
            name=op.f("fk_api_idempotent_request_token_id_api_token"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_idempotent_request")),
        sa.UniqueConstraint(
            "token_id", "key", name=op.f("uq_api_idempotent_request_token_id_key")
        ),
    )


def downgrade():
    op.drop_table("api_idempotent_request")
