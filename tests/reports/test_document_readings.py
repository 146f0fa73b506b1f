"""What a report says about the document behind each indicator: how a defect was read,
the document's own values for earlier years beside this campaign's, and an indicator the
document declares but nobody here computes. The workbook's sources sheet carries the same."""

from __future__ import annotations

import pytest

from tests.conftest import login_as
from tests.reports.fixtures import answered_campaign, report_form
from tests.reports.test_exports import export_file, workbook_of
from tests.reports.test_report_views import cell

READING = "Знак деления в формуле пропущен: считаем Чпд / Чобщ × 100."


def form() -> dict:
    doc = report_form()
    doc["indicators"][0].update(
        code="1.1",
        history={"2019": 73, "2020": 85, "2021": 85},
        interpretation={"ru": READING, "en": "The division sign is missing."},
    )
    doc["indicators"].append(
        {
            "id": "shnor_again",
            "code": "7.1",
            "title": "Доля ОО, не вошедших в перечень ШНОР повторно",
            "not_calculated": "Не рассчитывается муниципалитетом: перечень ведёт регион",
            "source": {"document": "Распоряжение № 1067", "clause": "таблица 6, 7.1"},
        }
    )
    doc["indicators"].append(
        {
            "id": "road_map",
            "code": "7.2",
            "title": "Перечень ключевых показателей дорожной карты",
            "not_defined": "Строка объявляет перечень показателей, но не приводит его",
            "source": {"document": "Концепция 2016", "clause": "5.2, строка 7.2"},
        }
    )
    return doc


@pytest.fixture
def campaign(app, tree, people):
    return answered_campaign(tree, people, form())


def test_the_report_shows_the_reading_the_series_and_what_is_not_calculated(
    client, tree, people, campaign
):
    login_as(client, people["region"])
    html = client.get(f"/reports/campaigns/{campaign.id}").get_data(as_text=True)
    assert READING in html.split('data-indicator="plan_share"')[1].split("</tr>")[0]
    row = html.split('data-indicator="shnor_again"')[1].split("</tr>")[0]
    assert 'data-status="not_calculated"' in row and "перечень ведёт регион" in row
    announced = html.split('data-indicator="road_map"')[1].split("</tr>")[0]
    assert 'data-status="not_defined"' in announced
    assert "Не определён документом" in announced and "не приводит его" in announced
    series = html.split('data-testid="history"')[1].split("</table>")[0]
    # The document's 2019/20–2021/22 values, then this campaign's (2025/26): 2 of 3 plans.
    assert [s.split('"')[0] for s in series.split('data-year="')[1:]] == [
        "2019",
        "2020",
        "2021",
        "2025",
    ]
    assert ">73,0<" in series and ">85,0<" in series
    assert float(cell(series, "data-indicator", "plan_share")) == pytest.approx(200 / 3)
    # Earlier years are the whole territory's: a municipality's page has no series.
    below = client.get(f"/reports/campaigns/{campaign.id}?unit={tree['mun_a'].id}")
    assert 'data-testid="history"' not in below.get_data(as_text=True)


# A job runs in a worker thread of its own, on its own connection: it must see the committed data.
@pytest.mark.committed
def test_the_workbook_lists_the_sources_and_readings(client, people, campaign):
    login_as(client, people["region"])
    book = workbook_of(export_file(client, campaign))
    sheet = book["Источники"]
    rows = {r[0]: r for r in sheet.iter_rows(min_row=3, values_only=True)}
    assert rows["1.1"][3] == "share(has_plan)" and rows["1.1"][8] == READING
    assert rows["1.1"][4] == "2025/2026: 60"
    assert rows["7.1"][3].startswith("не рассчитывается: Не рассчитывается муниципалитетом")
    assert rows["7.2"][3] == (
        "не определён документом: Строка объявляет перечень показателей, но не приводит его"
    )
