"""campaign_data_version: how many times each campaign's responses have changed, kept by
triggers on form_response, so that a report's data stamp reads one row instead of
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

# PostgreSQL: once per statement, over the rows it changed (a bulk insert of a million
# rows counts once per campaign, not a million times on one row).
POSTGRESQL_FUNCTION = """
CREATE FUNCTION {name}() RETURNS trigger AS $$
BEGIN
    INSERT INTO campaign_data_version (campaign_id, version)
    SELECT DISTINCT campaign_id, 1 FROM ({rows}) AS changed WHERE campaign_id IS NOT NULL
    ON CONFLICT (campaign_id)
    DO UPDATE SET version = campaign_data_version.version + 1;
    RETURN NULL;
END
$$ LANGUAGE plpgsql
"""
# The rows a statement added or removed; an update's before and after (a response moved
# to another campaign counts for both).
POSTGRESQL_ROWS = {
    "count_campaign_data_change": "SELECT campaign_id FROM rows_of",
    "count_campaign_data_update": (
        "SELECT campaign_id FROM rows_of UNION SELECT campaign_id FROM rows_before"
    ),
}
POSTGRESQL_TRIGGERS = {
    "insert": "REFERENCING NEW TABLE AS rows_of",
    "update": "REFERENCING OLD TABLE AS rows_before NEW TABLE AS rows_of",
    "delete": "REFERENCING OLD TABLE AS rows_of",
}
POSTGRESQL_TRIGGER = """
CREATE TRIGGER form_response_counted_{event} AFTER {upper} ON form_response
{referencing} FOR EACH STATEMENT EXECUTE FUNCTION {function}()
"""
# SQLite has no statement triggers: once per row, in the writer's own process.
SQLITE_SIDES = {"insert": "NEW", "update": "NEW", "delete": "OLD"}
SQLITE_TRIGGER = """
CREATE TRIGGER form_response_counted_{event} AFTER {upper} ON form_response
WHEN {side}.campaign_id IS NOT NULL
BEGIN
    INSERT OR IGNORE INTO campaign_data_version (campaign_id, version)
    VALUES ({side}.campaign_id, 0);
    UPDATE campaign_data_version SET version = version + 1
    WHERE campaign_id = {side}.campaign_id;
END
"""


def upgrade():
    op.create_table(
        "campaign_data_version",
        sa.Column("campaign_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("campaign_id", name=op.f("pk_campaign_data_version")),
    )
    if op.get_bind().dialect.name == "postgresql":
        for name, rows in POSTGRESQL_ROWS.items():
            op.execute(POSTGRESQL_FUNCTION.format(name=name, rows=rows))
        for event, referencing in POSTGRESQL_TRIGGERS.items():
            function = "count_campaign_data_" + ("update" if event == "update" else "change")
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
            op.execute(f"DROP TRIGGER IF EXISTS form_response_counted_{event} ON form_response")
        for name in POSTGRESQL_ROWS:
            op.execute(f"DROP FUNCTION IF EXISTS {name}()")
    else:
        for event in [*SQLITE_SIDES, "moved"]:
            op.execute(f"DROP TRIGGER IF EXISTS form_response_counted_{event}")
    op.drop_table("campaign_data_version")
