"""Choosing who answers a new campaign from the org tree, and its academic year from a
list (issue 23): the page offers the coordinator's organisations grouped by municipality
and three academic years; the posted ids make the campaign's list of units; a unit
outside the territory is refused beside the field, everything typed kept."""

from __future__ import annotations

import copy
import re

import pytest
from sqlalchemy import func, select

from collector.campaigns.creation import MAX_AUDIENCE, academic_years
from collector.extensions import db
from collector.models import Campaign, FormResponse
from collector.publishing.services import publish
from collector.schema import compile_document
from collector.units.services import current_academic_year
from tests.conftest import login_as
from tests.schema.cases import base


@pytest.fixture
def version(app):
    return publish(db.session, compile_document(copy.deepcopy(base())), None).form_version


def posted(version, owner, **changes) -> dict[str, object]:
    data: dict[str, object] = {
        "title": "Мониторинг профориентации 2026",
        "form_version": str(version.id),
        "owner": str(owner.id),
        "academic_year": str(current_academic_year()),
        "late_policy": "flag",
        "deadline_institutions": "2026-05-30T23:59",
    }
    return data | changes


def groups(html: str) -> dict[str, list[str]]:
    """The picker as {group label: [unit ids]}."""
    found: dict[str, list[str]] = {}
    for chunk in html.split('<details class="mb-1" data-unit-group')[1:]:
        label = chunk.split("<summary>", 1)[1].split(" <span", 1)[0]
        found[label] = re.findall(r'name="units" value="(\d+)"', chunk.split("</details>")[0])
    return found


def test_the_page_offers_the_territorys_units_by_municipality_and_three_years(
    client, tree, people, version
):
    login_as(client, people["region"])
    html = client.get("/campaigns/new").get_data(as_text=True)
    ids = {key: str(unit.id) for key, unit in tree.items()}
    assert groups(html) == {
        "Бабынинский район": [ids["mun_a"], ids["school_a1"], ids["school_a2"]],
        "Город Обнинск": [ids["mun_b"], ids["school_b2"], ids["school_b1"]],
    }
    assert ids["other_school"] not in re.findall(r'name="units" value="(\d+)"', html)
    assert 'name="unit_codes"' not in html and 'name="subtree_code"' not in html
    # The filter box is hidden until the script shows it; the script is this site's own.
    assert re.search(r'<input type="search"[^>]*data-unit-filter hidden', html, re.S)
    assert 'src="/static/unit-picker.js"' in html
    year = current_academic_year()
    options = re.findall(
        r'<option ([^>]*)value="(\d+)">([^<]*)</option>',
        html.split('name="academic_year"')[1].split("</select>")[0],
    )
    assert [(value, label) for _, value, label in options] == [
        (str(y), f"{y}/{y + 1}") for y in (year - 1, year, year + 1)
    ]
    assert [value for attrs, value, _ in options if "selected" in attrs] == [str(year)]


def test_academic_years_are_the_current_one_and_one_either_side():
    assert academic_years(2026) == [2025, 2026, 2027]


def test_the_ticked_units_are_exactly_who_answers(client, tree, people, version):
    login_as(client, people["region"])
    chosen = [tree["school_a2"], tree["school_b1"]]
    reply = client.post(
        "/campaigns/new",
        data=posted(
            version,
            tree["region"],
            units=[str(u.id) for u in chosen],
            academic_year=str(current_academic_year() + 1),
        ),
    )
    assert reply.status_code == 302
    made = db.session.scalar(select(Campaign))
    assert made.unit_list == [u.id for u in chosen]
    assert made.academic_year == current_academic_year() + 1
    client.post(f"/campaigns/{made.id}/state", data={"to": "open"})
    answering = {r.unit_id for r in db.session.scalars(select(FormResponse))}
    assert answering == {u.id for u in chosen}


def test_a_unit_outside_the_territory_is_refused_beside_the_field_and_all_typed_is_kept(
    client, tree, people, version
):
    login_as(client, people["region"])
    reply = client.post(
        "/campaigns/new",
        data=posted(
            version,
            tree["region"],
            title="Мониторинг с чужой школой",
            units=[str(tree["school_a1"].id), str(tree["other_school"].id)],
        ),
    )
    html = reply.get_data(as_text=True)
    assert reply.status_code == 200
    error = html.split('data-testid="units-error"')[1].split("</div>")[0]
    assert "Калужская область" in error and tree["other_school"].name in error
    assert tree["school_a1"].name not in error
    assert 'value="Мониторинг с чужой школой"' in html
    assert f'id="unit-{tree["school_a1"].id}" checked' in html
    assert 'value="2026-05-30T23:59"' in html
    assert db.session.scalar(select(func.count()).select_from(Campaign)) == 0


def test_a_unit_outside_the_chosen_municipality_is_refused(client, tree, people, version):
    login_as(client, people["region"])
    reply = client.post(
        "/campaigns/new",
        data=posted(
            version,
            tree["region"],
            subtree=str(tree["mun_a"].id),
            units=[str(tree["school_a1"].id), str(tree["school_b1"].id)],
        ),
    )
    html = reply.get_data(as_text=True)
    error = html.split('data-testid="units-error"')[1].split("</div>")[0]
    assert "Бабынинский район" in error and tree["school_b1"].name in error
    assert db.session.scalar(select(func.count()).select_from(Campaign)) == 0


def test_a_municipality_of_another_region_is_not_a_subtree(
    client, tree, people, version, make_unit
):
    far = make_unit("municipality", tree["other_region"], name="Томский район", code="M-T")
    login_as(client, people["region"])
    reply = client.post("/campaigns/new", data=posted(version, tree["region"], subtree=str(far.id)))
    assert reply.status_code == 200
    assert "Выберите часть территории «Калужская область»." in reply.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Campaign)) == 0


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("academic_year", "1999", "Выберите учебный год из списка."),
        ("academic_year", "2026/2027", "Выберите учебный год из списка."),
        ("units", "S-A1", "Отметьте организации в списке."),
        ("subtree", "M-A", "Выберите территорию из списка."),
    ],
)
def test_a_year_off_the_list_or_a_value_that_is_no_id_is_refused_in_plain_russian(
    client, tree, people, version, field, value, message
):
    login_as(client, people["region"])
    reply = client.post("/campaigns/new", data=posted(version, tree["region"], **{field: value}))
    html = reply.get_data(as_text=True)
    assert reply.status_code == 200
    feedback = re.findall(r'class="invalid-feedback[^"]*"[^>]*>([^<]+)<', html)
    assert feedback == [message]
    assert 'value="Мониторинг профориентации 2026"' in html
    assert db.session.scalar(select(func.count()).select_from(Campaign)) == 0


def test_more_units_than_the_bound_are_refused(client, tree, people, version):
    login_as(client, people["region"])
    many = [str(tree["school_a1"].id + n) for n in range(MAX_AUDIENCE + 1)]
    reply = client.post("/campaigns/new", data=posted(version, tree["region"], units=many))
    error = reply.get_data(as_text=True).split('data-testid="units-error"')[1].split("</div>")[0]
    assert str(MAX_AUDIENCE) in error
    assert db.session.scalar(select(func.count()).select_from(Campaign)) == 0
