"""Issue 23: a refused save of a registry record says so at the top, one entry per
problem, each naming its field by its label and linking to it (the focus goes there,
static/accessibility.js), with the same message as beside the field."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from collector.extensions import db
from collector.models import RegistryRecord
from collector.publishing.services import publish
from collector.schema import compile_document
from tests.conftest import login_as
from tests.registries.fixtures import classes_document, publish_classes
from tests.registries.test_records import add


@pytest.fixture
def classes(app):
    return publish_classes()


def summary(page: str) -> list[tuple[str, str, str]]:
    """(anchor, label, message) of each entry of the summary on top."""
    box = re.search(r'(?s)<div [^>]*data-testid="error-summary".*?</div>', page)
    assert box is not None, "no summary"
    assert "data-error-summary" in box.group(0) and 'tabindex="-1"' in box.group(0)
    return re.findall(r'<li><a href="#([^"]+)">([^<]+)</a>: ([^<]+)</li>', box.group(0))


def beside(page: str, field_id: str) -> list[str]:
    block = page[page.index(f'id="field-{field_id}"') :]
    ends = [block.find(mark, 10) for mark in ('class="mb-4 entry-field"', "</fieldset>")]
    block = block[: min(end for end in ends if end > 0)]
    return re.findall(r'class="invalid-feedback[^"]*"[^>]*>([^<]+)<', block)


def post(client, tree, **values):
    data = {"unit": tree["school_a1"].id, "published": "y", **values}
    return client.post("/registries/test-classes/new", data=data).get_data(as_text=True)


def test_a_value_out_of_range_is_named_by_its_label(classes, tree, people, client):
    login_as(client, people["school"])
    page = post(client, tree, class_name="10 «А»", profile="tech", pupils="55")
    # pupils: min 0, max 40 in the registry's schema.
    assert summary(page) == [
        ("field-pupils", "Контингент обучающихся", "Введите значение от 0 до 40.")
    ]
    assert beside(page, "pupils") == ["Введите значение от 0 до 40."]
    assert 'value="10 «А»"' in page  # nothing typed is lost
    assert db.session.scalar(select(RegistryRecord)) is None


def test_required_answers_left_empty_are_each_listed(classes, tree, people, client):
    login_as(client, people["school"])
    page = post(client, tree, class_name="", customer="ООО «Сибгазстрой»", pupils="24")
    entries = summary(page)
    assert [(anchor, label) for anchor, label, _message in entries] == [
        ("field-class_name", "Наименование класса"),
        ("field-profile", "Профиль программы"),
    ]
    for anchor, _label, message in entries:
        assert beside(page, anchor.removeprefix("field-")) == [message]
    assert "ООО «Сибгазстрой»" in page


def test_an_edit_refused_has_its_summary_too(classes, tree, people, client):
    found = add(people, tree, classes, "10 «Б»")
    login_as(client, people["school"])
    page = client.post(
        f"/registries/test-classes/{found.id}",
        data={
            "revision": str(found.revision),
            "class_name": "10 «Б»",
            "profile": "tech",
            "pupils": "-3",
        },
    ).get_data(as_text=True)
    assert summary(page) == [
        ("field-pupils", "Контингент обучающихся", "Введите значение от 0 до 40.")
    ]


def test_no_summary_on_a_page_opened_or_saved(classes, tree, people, client):
    login_as(client, people["school"])
    assert 'data-testid="error-summary"' not in client.get("/registries/test-classes/new").get_data(
        as_text=True
    )
    saved = client.post(
        "/registries/test-classes/new",
        data={"unit": tree["school_a1"].id, "class_name": "10 «В»", "profile": "science"},
    )
    assert saved.status_code == 302


def test_a_required_grid_left_empty_is_said_beside_it_and_on_top(app, tree, people, client):
    """A rule's message about a grid (a form of cells) stands as the grid's own message."""
    document = classes_document()
    document["id"] = "test-grid-classes"
    document["sections"][0]["fields"].append(
        {
            "id": "hours",
            "type": "grid",
            "label": "Часы по предметам",
            "required": True,
            "rows": [{"id": "math", "label": "Математика"}, {"id": "physics", "label": "Физика"}],
            "columns": [{"id": "count", "type": "integer", "label": "Часов"}],
        }
    )
    publish(db.session, compile_document(document), None)
    db.session.commit()
    login_as(client, people["school"])
    page = client.post(
        "/registries/test-grid-classes/new",
        data={"unit": tree["school_a1"].id, "class_name": "10 «Г»", "profile": "tech"},
    ).get_data(as_text=True)
    entries = summary(page)
    assert [(anchor, label) for anchor, label, _message in entries] == [
        ("field-hours", "Часы по предметам")
    ]
    assert beside(page, "hours") == [entries[0][2]]
    assert db.session.scalar(select(RegistryRecord)) is None
