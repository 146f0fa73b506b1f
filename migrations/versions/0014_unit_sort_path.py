"""units keep their place in the tree's natural order (numbers in names as numbers) as
text the database sorts and pages by: org_unit.sort_path, filled for every unit

Revision ID: 0014_unit_sort_path
Revises: 0013_form_owners
Create Date: 2026-12-08 12:00:00.000000

"""

import re

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0014_unit_sort_path"
down_revision = "0013_form_owners"
branch_labels = None
depends_on = None

SortPathString = sa.String(length=1000).with_variant(
    sa.String(length=1000, collation="C"), "postgresql"
)

# The rule as of this revision (collector.natural.natural_text and
# collector.models.units.sort_segment), copied so that this revision computes what it
# computed when it was written; tests/test_migrations.py checks the two agree.
_NUMBER = re.compile(r"[0-9]+")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_TYPES = (
    "region",
    "municipality",
    "school",
    "kindergarten",
    "supplementary",
    "college",
    "university",
    "other",
)


def _number(match):
    digits = match.group().lstrip("0") or "0"
    if len(digits) <= 12:
        return digits.zfill(12)
    return f":{len(digits):03d}{digits}"


def _natural_text(text):
    folded = _CONTROL.sub("", " ".join(text.split()).casefold().replace("ё", "е"))
    return _NUMBER.sub(_number, folded)


def _segment(unit_type, name, code):
    rank = _TYPES.index(unit_type) if unit_type in _TYPES else len(_TYPES)
    code_text = "".join(c for c in code if c > "\x1f")
    return f"{rank:02d}{_natural_text(name)[:200]}\x1f{code_text}\x1f"


def upgrade():
    # Added with an empty default, so that SQLite adds it in place (a batch copy of
    # org_unit would drop a table other tables refer to), then filled.
    with op.batch_alter_table("org_unit", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("sort_path", SortPathString, nullable=False, server_default="")
        )

    connection = op.get_bind()
    unit = sa.table(
        "org_unit",
        sa.column("id", sa.Integer),
        sa.column("parent_id", sa.Integer),
        sa.column("unit_type", sa.String),
        sa.column("code", sa.String),
        sa.column("name", sa.String),
        sa.column("depth", sa.Integer),
        sa.column("sort_path", sa.String),
    )
    rows = connection.execute(
        sa.select(unit.c.id, unit.c.parent_id, unit.c.unit_type, unit.c.code, unit.c.name).order_by(
            unit.c.depth, unit.c.id
        )
    ).all()
    sort_paths = {}
    for id_, parent_id, unit_type, code, name in rows:
        sort_paths[id_] = sort_paths.get(parent_id, "") + _segment(unit_type, name, code)
    if sort_paths:
        connection.execute(
            unit.update()
            .where(unit.c.id == sa.bindparam("unit_id"))
            .values(sort_path=sa.bindparam("value")),
            [{"unit_id": id_, "value": value} for id_, value in sort_paths.items()],
        )

    with op.batch_alter_table("org_unit", schema=None) as batch_op:
        batch_op.drop_index("ix_org_unit_parent_name")
        batch_op.create_index(
            "ix_org_unit_parent_sort_path", ["parent_id", "sort_path"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_org_unit_sort_path"), ["sort_path"], unique=False)


def downgrade():
    with op.batch_alter_table("org_unit", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_org_unit_sort_path"))
        batch_op.drop_index("ix_org_unit_parent_sort_path")
        batch_op.create_index("ix_org_unit_parent_name", ["parent_id", "name"], unique=False)
        batch_op.drop_column("sort_path")
