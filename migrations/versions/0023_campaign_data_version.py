"""campaign_data_version: a mark drawn anew at each change of a campaign's responses, kept
by triggers on form_response, so that a report's data stamp reads a few rows instead of
counting a campaign's responses on every view (issue 22)

Revision ID: 0023_campaign_data_version
Revises: 0022_figure_stamp_index
Create Date: 2026-12-06 09:05:00

"""

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = "0023_campaign_data_version"
down_revision = "0022_figure_stamp_index"
branch_labels = None
depends_on = None

# Each change draws a new mark (a random 63-bit number, never a count that could come
# back to a value a kept snapshot was stamped with, after a restore or a rollback). On
# PostgreSQL a connection marks a row of its own among SHARDS per campaign: parents'
# answers to one campaign from several workers do not wait on one row until their
# commits. Once per statement, over the rows it changed (a bulk insert of a million rows
# marks once), the campaigns in order (two statements never lock them crosswise); once
# per transaction (a row its own transaction marked already is not marked again: row by
# row inserts of a million answers in one transaction would otherwise leave a million
# versions of one row, each update walking the chain of the ones before).
SHARDS = 16
POSTGRESQL_FUNCTION = """
CREATE OR REPLACE FUNCTION {name}() RETURNS trigger AS $$
BEGIN
    INSERT INTO campaign_data_version (campaign_id, shard, mark)
    SELECT campaign_id, pg_backend_pid() % {shards}, (random() * 9.2e18)::bigint
    FROM (
        SELECT DISTINCT campaign_id FROM ({rows}) AS rows_changed
        WHERE campaign_id IS NOT NULL ORDER BY campaign_id
    ) AS changed
    ON CONFLICT (campaign_id, shard) DO UPDATE SET mark = EXCLUDED.mark
    WHERE campaign_data_version.xmin <> pg_current_xact_id()::xid;
    RETURN NULL;
END
$$ LANGUAGE plpgsql
"""
# The rows a statement added or removed; an update's before and after (a response moved
# to another campaign counts for both).
POSTGRESQL_ROWS = {
    "mark_campaign_data_change": "SELECT campaign_id FROM rows_of",
    "mark_campaign_data_update": (
        "SELECT campaign_id FROM rows_of UNION SELECT campaign_id FROM rows_before"
    ),
}
POSTGRESQL_TRIGGERS = {
    "insert": "REFERENCING NEW TABLE AS rows_of",
    "update": "REFERENCING OLD TABLE AS rows_before NEW TABLE AS rows_of",
    "delete": "REFERENCING OLD TABLE AS rows_of",
}
POSTGRESQL_TRIGGER = """
CREATE TRIGGER form_response_marked_{event} AFTER {upper} ON form_response
{referencing} FOR EACH STATEMENT EXECUTE FUNCTION {function}()
"""
# SQLite has no statement triggers (once per row, in the writer's own process) and one
# writer at a time: one row per campaign.
SQLITE_SIDES = {"insert": "NEW", "update": "NEW", "delete": "OLD"}
SQLITE_TRIGGER = """
CREATE TRIGGER form_response_marked_{event} AFTER {upper} ON form_response
WHEN {side}.campaign_id IS NOT NULL
BEGIN
    INSERT OR REPLACE INTO campaign_data_version (campaign_id, shard, mark)
    VALUES ({side}.campaign_id, 0, random());
END
"""


def upgrade():
    op.create_table(
        "campaign_data_version",
        sa.Column("campaign_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("shard", sa.SmallInteger(), autoincrement=False, nullable=False),
        sa.Column("mark", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("campaign_id", "shard", name=op.f("pk_campaign_data_version")),
    )
    if op.get_bind().dialect.name == "postgresql":
        for name, rows in POSTGRESQL_ROWS.items():
            op.execute(POSTGRESQL_FUNCTION.format(name=name, rows=rows, shards=SHARDS))
        for event, referencing in POSTGRESQL_TRIGGERS.items():
            function = "mark_campaign_data_" + ("update" if event == "update" else "change")
            op.execute(
                POSTGRESQL_TRIGGER.format(
                    event=event, upper=event.upper(), referencing=referencing, function=function
                )
            )
        return
    for event, side in SQLITE_SIDES.items():
        op.execute(SQLITE_TRIGGER.format(event=event, upper=event.upper(), side=side))
    # A response moved to another campaign counts for the one it left too.
    op.execute(
        SQLITE_TRIGGER.format(event="moved", upper="UPDATE OF campaign_id", side="OLD").replace(
            "WHEN OLD.campaign_id IS NOT NULL",
            "WHEN OLD.campaign_id IS NOT NULL AND OLD.campaign_id IS NOT NEW.campaign_id",
        )
    )


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        for event in POSTGRESQL_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS form_response_marked_{event} ON form_response")
        for name in POSTGRESQL_ROWS:
            op.execute(f"DROP FUNCTION IF EXISTS {name}()")
    else:
        for event in [*SQLITE_SIDES, "moved"]:
            op.execute(f"DROP TRIGGER IF EXISTS form_response_marked_{event}")
    op.drop_table("campaign_data_version")
