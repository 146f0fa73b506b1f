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
from collector.models import FormResponse, OrgUnit, UnitType
from collector.models.units import IN_TREE_ORDER, in_tree_order
from collector.natural import natural_key, natural_text
from collector.units import services as unit_services
from collector.units.tree import move_unit
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


def test_the_natural_text_compares_as_the_key_does():
    names = ["СОШ № 20", "СОШ № 2", "сош № 10", "СОШ №1", "СОШ № 18", "Школа1", "Школа 1"]
    by_text = sorted(names, key=natural_text)
    assert by_text == sorted(names, key=natural_key)
    assert natural_text("Ёлка  № 7") == "елка № 000000000007"
    # Longer numbers than the padding still compare as numbers.
    assert sorted(["№ 1000000000000", "№ 999999999999", "№ 10000000000000"], key=natural_text) == [
        "№ 999999999999",
        "№ 1000000000000",
        "№ 10000000000000",
    ]


# --- the order the database keeps ---------------------------------------------------------

MADE = ["СОШ № 20", "СОШ № 2", "СОШ № 10", "СОШ № 1", "СОШ № 18"]
COUNTED = ["СОШ № 1", "СОШ № 2", "СОШ № 10", "СОШ № 18", "СОШ № 20"]


def names_in_sql_order(parent: OrgUnit) -> list[str]:
    """The names of `parent`'s subtree as the database orders them (read afresh)."""
    db.session.expire_all()
    query = select(OrgUnit.name).where(parent.subtree_clause()).order_by(*IN_TREE_ORDER)
    return list(db.session.scalars(query))


def test_the_database_orders_units_naturally(tree, make_unit):
    district = make_unit(UnitType.MUNICIPALITY, tree["region"], name="Город Калуга", code="M-K")
    for n, name in enumerate(MADE):
        make_unit(UnitType.SCHOOL, district, name=name, code=f"S-K{n}")
    assert sorted(MADE) != COUNTED
    assert names_in_sql_order(district) == ["Город Калуга", *COUNTED]
    # By the stored column alone, as an index on it reads.
    alone = select(OrgUnit.name).where(OrgUnit.parent_id == district.id).order_by(OrgUnit.sort_path)
    assert list(db.session.scalars(alone)) == COUNTED
    # A list sorted here agrees with the database.
    units = list(db.session.scalars(select(OrgUnit).where(tree["region"].subtree_clause())))
    region_order = names_in_sql_order(tree["region"])
    assert [u.name for u in in_tree_order(units)] == region_order
    assert region_order == [
        "Калужская область",
        "Бабынинский район",
        "МКОУ «СОШ № 1»",
        "МКОУ «СОШ № 2»",
        "Город Калуга",
        *COUNTED,
        "Город Обнинск",
        "МБОУ «Гимназия № 2»",
        "МБОУ «Лицей № 1»",
    ]


def test_a_rename_moves_the_unit_and_its_subtree(tree, make_unit, people):
    nine = make_unit(UnitType.MUNICIPALITY, tree["region"], name="Район 9", code="M-9")
    ten = make_unit(UnitType.MUNICIPALITY, tree["region"], name="Район 10", code="M-10")
    schools = [make_unit(UnitType.SCHOOL, nine, name=f"Школа {n}", code=f"S-9-{n}") for n in (2, 1)]
    make_unit(UnitType.SCHOOL, ten, name="Школа 3", code="S-10-3")
    before = names_in_sql_order(tree["region"])
    assert before.index("Район 9") < before.index("Район 10")
    assert before[before.index("Район 9") :][:3] == ["Район 9", "Школа 1", "Школа 2"]

    assert all(s.sort_path.startswith(nine.sort_path) for s in schools)  # loaded
    data = unit_services.UnitData(code="M-9", name="Район 11")
    unit_services.update_unit(db.session, people["admin"], nine, data, None)
    db.session.flush()
    # The renamed unit's schools, loaded, carry their new place too.
    assert all(s.sort_path.startswith(nine.sort_path) for s in schools)
    db.session.commit()
    after = names_in_sql_order(tree["region"])
    assert after[after.index("Район 10") :][:5] == [
        "Район 10",
        "Школа 3",
        "Район 11",
        "Школа 1",
        "Школа 2",
    ]

    # A rename by hand (an import sets the name) is kept the same way.
    school = db.session.get(OrgUnit, schools[1].id)
    assert school is not None
    school.name = "Школа 30"
    db.session.commit()
    assert names_in_sql_order(nine) == ["Район 11", "Школа 2", "Школа 30"]


def test_a_move_takes_the_subtree_to_its_new_place(tree, make_unit):
    district = make_unit(UnitType.MUNICIPALITY, tree["region"], name="Город Калуга", code="M-K")
    make_unit(UnitType.SCHOOL, district, name="СОШ № 10", code="S-K10")
    moved = db.session.get(OrgUnit, tree["school_a2"].id)
    assert moved is not None
    move_unit(db.session, moved, district)
    db.session.commit()
    assert names_in_sql_order(district) == ["Город Калуга", "МКОУ «СОШ № 2»", "СОШ № 10"]
    assert names_in_sql_order(tree["mun_a"]) == ["Бабынинский район", "МКОУ «СОШ № 1»"]


def test_a_page_of_children_is_read_in_order(tree, make_unit, monkeypatch):
    monkeypatch.setattr(unit_services, "PAGE_SIZE", 2)
    district = make_unit(UnitType.MUNICIPALITY, tree["region"], name="Город Калуга", code="M-K")
    for n, name in enumerate(MADE):
        make_unit(UnitType.SCHOOL, district, name=name, code=f"S-K{n}")
    pages = [unit_services.children_of(db.session, district, page=n) for n in (1, 2, 3)]
    assert [[u.name for u in rows] for rows, _total in pages] == [
        COUNTED[0:2],
        COUNTED[2:4],
        COUNTED[4:],
    ]
    assert {total for _rows, total in pages} == {5}
    found, total = unit_services.children_of(db.session, tree["region"], "сош", page=2)
    assert total == 7 and [u.name for u in found] == ["СОШ № 1", "СОШ № 2"]


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
