"""The public pages carry the department's name (DEPARTMENT_NAME) in their header and
title, and the public registry table shows each record's organisation once."""

from __future__ import annotations

import re

import pytest

from collector.models import Role
from tests.registries.test_records import add, classes  # noqa: F401  (the fixture)
from tests.surveys.test_survey_links import link_of, make_survey

DEPARTMENT = "Министерство образования и науки Калужской области"
PUBLIC = "/public/registries/test-classes"


@pytest.fixture
def department(app):
    app.config["DEPARTMENT_NAME"] = DEPARTMENT
    return DEPARTMENT


def header_cells(html: str) -> list[str]:
    head = html.split('data-testid="public-records"')[1].split("</thead>")[0]
    return re.findall(r'<th data-column="([^"]+)"', head)


def row_cells(html: str) -> list[list[str]]:
    body = html.split('data-testid="public-records"')[1].split("<tbody>")[1].split("</tbody>")[0]
    return [re.findall(r"<td>(.*?)</td>", row, re.S) for row in body.split("</tr>")[:-1]]


def test_the_department_heads_the_public_registry_and_login(client, classes, department):  # noqa: F811
    for page in (PUBLIC, "/public/registries/", "/login"):
        html = client.get(page).get_data(as_text=True)
        title = html.split("<title>")[1].split("</title>")[0]
        assert title.endswith(f"· {DEPARTMENT}"), page
        assert f'data-testid="site-name">{DEPARTMENT}<' in html, page
        assert "Collector" not in html, page


def test_the_department_heads_the_survey_page(app, client, tree, people, department):
    campaign = make_survey(tree, people)
    html = client.get(f"/s/{link_of(campaign, tree['school_a1']).token}").get_data(as_text=True)
    assert f'data-testid="site-name">{DEPARTMENT}<' in html
    assert html.split("<title>")[1].split("</title>")[0].endswith(f"· {DEPARTMENT}")


def test_a_russian_default_names_the_department(app, client):
    assert app.config["DEPARTMENT_NAME"] == "Департамент образования"
    assert 'data-testid="site-name">Департамент образования<' in client.get("/login").get_data(
        as_text=True
    )


@pytest.fixture
def people(people, tree, make_user):
    """With a respondent of the second school, to keep its records."""
    return {**people, "school_a2": make_user(Role.SCHOOL_RESPONDENT, tree["school_a2"])}


def test_records_of_other_things_show_their_organisation(client, classes, tree, people):  # noqa: F811
    add(people, tree, classes, "10 «А» инженерный")
    add(people, tree, classes, "9 «Б»", school="school_a2", user="school_a2")
    html = client.get(PUBLIC).get_data(as_text=True)
    assert header_cells(html)[0] == "unit"
    assert [cells[0] for cells in row_cells(html)] == [
        tree["school_a1"].name,
        tree["school_a2"].name,
    ]


def test_records_that_name_their_organisation_do_not_repeat_it(client, classes, tree, people):  # noqa: F811
    """A registry of organisations (Tomsk's university schools: each record's name is its
    school's): the organisation is one column, not two."""
    add(people, tree, classes, tree["school_a1"].name)
    shouted = f"  {tree['school_a2'].name.upper()} "
    add(people, tree, classes, shouted, school="school_a2", user="school_a2")
    html = client.get(PUBLIC).get_data(as_text=True)
    assert "unit" not in header_cells(html)
    assert header_cells(html)[0] == "class_name"
    for cells, school in zip(row_cells(html), ("school_a1", "school_a2"), strict=True):
        named = [c for c in cells if tree[school].name.casefold() in c.casefold()]
        assert len(named) == 1, cells
