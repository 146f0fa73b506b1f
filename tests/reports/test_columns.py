"""The answers read as typed columns by the database give the same frame and name the same
refused values as the row-by-row path, for hostile stored values too (issue 22). On SQLite
the row-by-row path is the only one, and the database path says so."""

from __future__ import annotations

import copy
import random
from datetime import datetime
from typing import Any

import pandas as pd
import pytest
from sqlalchemy import insert, select

from collector.extensions import db
from collector.indicators.frame import answers_frame, column_plans
from collector.models import FormResponse
from collector.publishing.versions import spec_of
from collector.reports.columns import read_columns
from collector.reports.refused import find_refused
from tests.campaigns.factories import new_campaign
from tests.schema.cases import base

EXTRA_FIELDS = [
    {"id": "amount", "type": "decimal", "label": "Сумма", "decimals": 2},
    {"id": "note", "type": "text", "label": "Примечание"},
    {"id": "partner_unit", "type": "unit_ref", "label": "Организация"},
]

# What older versions or scripts around the doors may have stored.
HOSTILE: list[Any] = [
    None,
    0,
    -0.0,
    5,
    5.5,
    "12,5",
    "12.50",
    "1 200",
    " ",
    "",
    "abc",
    10**15,
    10**15 - 1,
    2**53,
    2**53 + 1,
    10**20,
    -(10**30),
    1e300,
    0.1,
    1.0000000000000002,
    123456789012345.678,
    True,
    False,
    [],
    ["it"],
    ["it", "med", 3],
    {"a": 1},
    {"pupils": {"count": 4}},
    {"pupils": {"count": "7"}, "parents": {"count": 10**18}},
    [{"partner": "АО «Завод»", "pupils": 3}, {"pupils": "x"}, "row"],
    "текст",
    "на\u0001жми",
    "\u0085",
    "строка\nвторая",
    "nul\u0000here",
    "\\u0001 written out",
    "school",
    "it",
]
FIELDS = ["total", "part", "has_plan", "level", "topics", "people", "deals", "amount", "note"]


def hostile_answers(rng: random.Random, *, splittable: bool) -> Any:
    """`splittable`: every document one PostgreSQL can split (an object, no escaped NUL),
    so the plain select is used; else some are not, and the guarded one reads them."""
    if not splittable and rng.random() < 0.03:
        return rng.choice([[1, 2], "text", 7])  # not even an object
    values = [v for v in HOSTILE if not (splittable and isinstance(v, str) and "\x00" in v)]
    return {f: rng.choice(values) for f in FIELDS if rng.random() < 0.8}


@pytest.mark.parametrize("splittable", [True, False])
def test_the_database_reads_the_same_columns_and_refusals_as_python(app, tree, people, splittable):
    document = copy.deepcopy(base())
    document["sections"][0]["fields"].extend(EXTRA_FIELDS)
    campaign = new_campaign(tree, people, deadline=datetime(2027, 5, 31, 23, 59), document=document)
    rng = random.Random(22)
    schools = [tree[k] for k in ("school_a1", "school_a2", "school_b1")]
    db.session.execute(
        insert(FormResponse),
        [
            {
                "form_version_id": campaign.form_version_id,
                "form_id": document["id"],
                "unit_id": schools[n % 3].id,
                "campaign_id": campaign.id,
                "status": "submitted",
                "answers": hostile_answers(rng, splittable=splittable),
                "revision": 1,
                "unit_report_key": f"k{n}",
            }
            for n in range(400)
        ],
    )
    spec = spec_of(campaign.form_version)
    counted = (
        select(FormResponse.unit_id, FormResponse.answers, FormResponse.id)
        .where(FormResponse.campaign_id == campaign.id)
        .order_by(FormResponse.id)
    )
    paths = set(FIELDS) | {"people.pupils.count", "people.parents.count", "deals.pupils"}
    paths |= {"deals.partner", "amount", "note"}
    assert {p.path for p in column_plans(spec, paths)} >= {"people.pupils.count", "deals.pupils"}
    read = read_columns(db.session(), spec, counted, paths)
    if db.engine.dialect.name == "sqlite":
        assert read is None
        return
    assert read is not None
    frame, refused = read
    rows = db.session.execute(counted).all()
    by_rows = answers_frame(
        spec, [(u, a if isinstance(a, dict) else {}) for u, a, _i in rows], paths
    )
    pd.testing.assert_frame_equal(frame, by_rows)
    expected = find_refused(spec, ((i, u, a) for u, a, i in rows))
    assert refused.total == expected.total > 0
    assert refused.listed == expected.listed
