"""Issue 19: a school that answered but has no reference figures is left out of a share
over them at every level, and the report page and the export say so (the engine's side
is checked by hand in tests/worked_examples/omsk-2023-school-report.json)."""

from __future__ import annotations

import csv
import io

import pytest

from collector.extensions import db
from collector.models import ReferenceFigure
from tests.conftest import login_as
from tests.reports.fixtures import answered_campaign, report_form
from tests.reports.test_exports import export_file
from tests.reports.test_report_views import cell

# (has a plan, trained, total, status): all accepted; school_b2 has no pupils on record.
REPORTS = {
    "school_a1": (True, 30, 100, "accepted"),
    "school_a2": (False, 10, 50, "accepted"),
    "school_b1": (True, 45, 60, "accepted"),
    "school_b2": (False, 40, 40, "accepted"),
}
PUPILS = {"school_a1": 100, "school_a2": 50, "school_b1": 60}


@pytest.fixture
def campaign(app, tree, people):
    document = report_form()
    document["indicators"].append(
        {
            "id": "trained_of_pupils",
            "title": "Доля прошедших пробы от численности обучающихся",
            "unit": "%",
            "formula": 'sum(trained) / figure("pupils") * 100',
            "source": {"document": "Приказ № 1829", "clause": "п. 11"},
        }
    )
    made = answered_campaign(tree, people, document, REPORTS)
    for key, pupils in PUPILS.items():
        db.session.add(
            ReferenceFigure(
                unit_id=tree[key].id,
                academic_year=made.academic_year,
                figure="pupils",
                grade=None,
                value=pupils,
            )
        )
    db.session.commit()
    return made


def test_the_report_leaves_out_the_school_without_figures_and_says_so(
    client, tree, people, campaign
):
    login_as(client, people["region"])
    html = client.get(f"/reports/campaigns/{campaign.id}").get_data(as_text=True)
    # (30 + 10 + 45) of (100 + 50 + 60) pupils; school_b2's 40 trained are not added to a
    # denominator without its pupils (that would read 125 / 210).
    assert float(cell(html, "data-indicator", "trained_of_pupils")) == pytest.approx(85 / 210 * 100)
    row = html.split('data-indicator="trained_of_pupils"')[1].split("</tr>")[0]
    assert "нет численности у 1 организации: не учтена" in row
    # A share that reads no figure counts every school: (30 + 10 + 45 + 40) / 250.
    assert float(cell(html, "data-indicator", "trained_share")) == pytest.approx(125 / 250 * 100)
    plain = html.split('data-indicator="trained_share"')[1].split("</tr>")[0]
    assert "нет численности" not in plain

    school = client.get(f"/reports/campaigns/{campaign.id}?unit={tree['school_b2'].id}").get_data(
        as_text=True
    )
    assert cell(school, "data-indicator", "trained_of_pupils") == ""


# A job runs in a worker thread of its own, on its own connection: it must see the committed data.
@pytest.mark.committed
def test_the_indicators_export_names_the_school_without_figures(client, people, campaign):
    login_as(client, people["region"])
    content = export_file(client, campaign, "indicators")
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))
    region = next(r for r in rows if r[0] == "trained_of_pupils" and r[3] == "Регион")
    assert region[5].startswith("40,47")  # 85 / 210 * 100
    assert region[6] == "нет численности у 1 организации: не учтена"
    plain = next(r for r in rows if r[0] == "trained_share" and r[3] == "Регион")
    assert plain[6] == ""
