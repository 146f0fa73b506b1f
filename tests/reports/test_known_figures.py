"""Issue 28: a share over a sum of figures (Omsk 5.7: pupils with ОВЗ + disabled
children) is over the figures a school recorded, and the report page and the export
name the ones missing. Worked out by hand."""

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

# (has a plan, trained, total, status): all accepted.
REPORTS = {
    "school_a1": (True, 30, 100, "accepted"),
    "school_a2": (False, 10, 50, "accepted"),
    "school_b1": (True, 45, 60, "accepted"),
    "school_b2": (False, 40, 40, "accepted"),
}
# a1 recorded both figures, a2 only pupils with ОВЗ, b1 only disabled children, b2 none.
FIGURES = {
    "school_a1": {"pupils_ovz": 60, "pupils_disabled": 40},
    "school_a2": {"pupils_ovz": 50},
    "school_b1": {"pupils_disabled": 60},
}


@pytest.fixture
def campaign(app, tree, people):
    document = report_form()
    document["indicators"].append(
        {
            "id": "trained_of_special",
            "title": "Доля прошедших пробы от обучающихся с ОВЗ и детей-инвалидов",
            "unit": "%",
            "formula": 'sum(trained) / (figure("pupils_ovz") + figure("pupils_disabled")) * 100',
            "source": {"document": "Приказ № 50", "clause": "приложение № 2, строка 5.7"},
        }
    )
    made = answered_campaign(tree, people, document, REPORTS)
    for key, figures in FIGURES.items():
        for figure, value in figures.items():
            db.session.add(
                ReferenceFigure(
                    unit_id=tree[key].id,
                    academic_year=made.academic_year,
                    figure=figure,
                    grade=None,
                    value=value,
                )
            )
    db.session.commit()
    return made


def _notes(html: str) -> list[str]:
    row = html.split('data-indicator="trained_of_special"')[1].split("</tr>")[0]
    return [
        part.split(">", 1)[1].split("</div>")[0]
        for part in row.split('data-testid="coverage-note"')[1:]
    ]


def test_the_report_counts_the_figures_recorded_and_names_the_rest(client, tree, people, campaign):
    login_as(client, people["region"])
    html = client.get(f"/reports/campaigns/{campaign.id}").get_data(as_text=True)
    # b2 recorded neither figure: left out. (30 + 10 + 45) / ((60 + 50) + (40 + 60)) * 100
    # = 85 / 210 * 100 = 40.47…
    assert float(cell(html, "data-indicator", "trained_of_special")) == pytest.approx(8500 / 210)
    assert _notes(html) == [
        "нет численности у 1 организации: не учтена",
        "по указанной численности; не указана: Обучающиеся с ОВЗ, Дети-инвалиды",
    ]

    school = client.get(f"/reports/campaigns/{campaign.id}?unit={tree['school_a2'].id}").get_data(
        as_text=True
    )
    # a2: 10 / 50 * 100 = 20, over its pupils with ОВЗ.
    assert float(cell(school, "data-indicator", "trained_of_special")) == pytest.approx(20.0)
    assert _notes(school) == ["по указанной численности; не указана: Дети-инвалиды"]

    whole = client.get(f"/reports/campaigns/{campaign.id}?unit={tree['school_a1'].id}").get_data(
        as_text=True
    )
    # a1: 30 / (60 + 40) * 100 = 30, nothing missing.
    assert float(cell(whole, "data-indicator", "trained_of_special")) == pytest.approx(30.0)
    assert _notes(whole) == []


# A job runs in a worker thread of its own, on its own connection: it must see the committed data.
@pytest.mark.committed
def test_the_indicators_export_names_the_missing_figures(client, people, campaign):
    login_as(client, people["region"])
    content = export_file(client, campaign, "indicators")
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))
    region = next(r for r in rows if r[0] == "trained_of_special" and r[3] == "Регион")
    assert region[5].startswith("40,47")  # 85 / 210 * 100
    assert region[6] == (
        "нет численности у 1 организации: не учтена; "
        "по указанной численности; не указана: Обучающиеся с ОВЗ, Дети-инвалиды"
    )
