"""Issue 23: units come in the tree's order everywhere, numbers inside names compared as
numbers («СОШ № 1, СОШ № 18, СОШ № 20», where text order gives 18, 1, 20 because «»»
follows «8»), districts in one order on the pages, the lists, the campaign form and the
workbooks."""

from __future__ import annotations

import io
from datetime import datetime

import openpyxl
import pytest
from sqlalchemy import select

from collector.extensions import db
from collector.models import FormResponse, UnitType
from collector.natural import natural_key
from tests.campaigns.factories import new_campaign
from tests.conftest import login_as
from tests.reports.fixtures import report_form
from tests.reports.test_exports import export_file, workbook_of

# Made in this order, so that neither the ids (the path) nor the text give the right one.
SCHOOLS = ["МБОУ «СОШ № 20»", "МБОУ «СОШ № 18»", "МБОУ «СОШ № 1»"]
NATURAL = ["МБОУ «СОШ № 1»", "МБОУ «СОШ № 18»", "МБОУ «СОШ № 20»"]
# The tree's districts: «Бабынинский район», «Город Обнинск», and one made last.
DISTRICTS = ["Бабынинский район", "Город Калуга", "Город Обнинск"]


def in_order(text: str, names: list[str]) -> list[str]:
    """`names` in the order they first appear in `text` (each must appear)."""
    positions = {name: text.find(name) for name in names}
    assert all(p >= 0 for p in positions.values()), positions
    return sorted(names, key=positions.__getitem__)


# --- the key ---------------------------------------------------------------------------


def test_numbers_inside_names_compare_as_numbers():
    assert sorted(SCHOOLS) != NATURAL  # the text order is wrong, as the issue says
    assert sorted(SCHOOLS, key=natural_key) == NATURAL
    assert sorted(["Школа 10", "школа 9", "Школа 9а", "Школа 100"], key=natural_key) == [
        "школа 9",
        "Школа 9а",
        "Школа 10",
        "Школа 100",
    ]


def test_case_yo_and_spaces_do_not_change_the_order():
    names = ["Ёлкинская СОШ", "Ежовская СОШ", "ёмкинская СОШ", "Жуковская  СОШ", "Яблоновская"]
    assert sorted(names, key=natural_key) == [
        "Ежовская СОШ",
        "Ёлкинская СОШ",
        "ёмкинская СОШ",
        "Жуковская  СОШ",
        "Яблоновская",
    ]
    # Names the key takes as equal still come in one fixed order.
    assert sorted(["СОШ 1", "сош 1", "СОШ  1"], key=natural_key) == sorted(
        ["СОШ  1", "сош 1", "СОШ 1"], key=natural_key
    )


# --- pages, lists and workbooks ----------------------------------------------------------


@pytest.fixture
def world(tree, make_unit):
    """The tree with a district made last and three schools in it made out of order."""
    kaluga = make_unit(UnitType.MUNICIPALITY, tree["region"], name="Город Калуга", code="M-K")
    schools = [
        make_unit(UnitType.SCHOOL, kaluga, name=name, code=f"S-K{n}")
        for n, name in enumerate(SCHOOLS)
    ]
    return {**tree, "kaluga": kaluga, "schools": schools}


def test_a_districts_page_lists_its_schools_in_natural_order(client, people, world):
    login_as(client, people["admin"])
    page = client.get(f"/units/{world['kaluga'].id}").get_data(as_text=True)
    assert in_order(page, SCHOOLS) == NATURAL
    region = client.get(f"/units/{world['region'].id}").get_data(as_text=True)
    assert in_order(region, DISTRICTS) == DISTRICTS
    found = client.get(f"/units/{world['region'].id}?q=СОШ").get_data(as_text=True)
    # A search lists the hits in the tree's order: Babynino's schools, then Kaluga's.
    assert in_order(found, ["МКОУ «СОШ № 2»", *SCHOOLS]) == ["МКОУ «СОШ № 2»", *NATURAL]


def test_the_campaign_page_the_not_submitted_list_and_the_form_share_the_order(
    client, people, world
):
    campaign = new_campaign(world, people, deadline=datetime(2026, 5, 30, 23, 59), opened=True)
    login_as(client, people["region"])
    page = client.get(f"/campaigns/{campaign.id}").get_data(as_text=True)
    assert in_order(page, DISTRICTS) == DISTRICTS
    district = client.get(f"/campaigns/{campaign.id}?unit={world['kaluga'].id}")
    assert in_order(district.get_data(as_text=True), SCHOOLS) == NATURAL

    reply = client.get(f"/campaigns/{campaign.id}/not-submitted.xlsx")
    rows = list(openpyxl.load_workbook(io.BytesIO(reply.data)).active.iter_rows(values_only=True))
    listed = [(row[2], row[1]) for row in rows[2:]]
    assert listed == [
        ("Бабынинский район", "МКОУ «СОШ № 1»"),
        ("Бабынинский район", "МКОУ «СОШ № 2»"),
        *(("Город Калуга", name) for name in NATURAL),
        ("Город Обнинск", "МБОУ «Гимназия № 2»"),
        ("Город Обнинск", "МБОУ «Лицей № 1»"),
    ]

    form = client.get("/campaigns/new").get_data(as_text=True)
    assert in_order(form, ["Калужская область", *DISTRICTS]) == ["Калужская область", *DISTRICTS]


# A job runs in a worker thread of its own, on its own connection: it must see the data.
@pytest.mark.committed
def test_the_workbook_lists_units_in_the_same_order(client, people, world):
    campaign = new_campaign(
        world,
        people,
        deadline=datetime(2026, 5, 30, 23, 59),
        document=report_form(),
        opened=True,
    )
    for response in db.session.scalars(
        select(FormResponse).where(FormResponse.campaign_id == campaign.id)
    ):
        response.answers = {"has_plan": True, "trained": 5, "total": 10}
        response.status = "accepted"
    db.session.commit()
    login_as(client, people["region"])
    book = workbook_of(export_file(client, campaign))
    schools = [
        "МКОУ «СОШ № 1»",
        "МКОУ «СОШ № 2»",
        *NATURAL,
        "МБОУ «Гимназия № 2»",
        "МБОУ «Лицей № 1»",
    ]
    sheets = {
        name: list(book[name].iter_rows(min_row=3, values_only=True)) for name in book.sheetnames
    }
    assert [row[1] for row in sheets["Полнота сдачи"]] == schools
    assert [row[1] for row in sheets["Основное"]] == schools  # the form's one section
    indicators = sheets["Показатели"]
    share = [row[4] for row in indicators if row[0] == "trained_share"]
    assert share == ["Калужская область", *DISTRICTS, *schools]
