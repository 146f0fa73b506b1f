"""Registry records: a school keeps its own, every save leaves a revision and an audit
event, archived records leave the lists and the public page, coordinators see their
subtree only, and the public page shows published records without private fields."""

from __future__ import annotations

import io

import openpyxl
import pytest
from sqlalchemy import select

from collector.entry.services import NotEditable
from collector.errors import ActionForbidden, NotInScope
from collector.extensions import db
from collector.models import AuditEvent, RegistryRecord
from collector.registries import services
from tests.conftest import login_as
from tests.registries.fixtures import passport, publish_classes


@pytest.fixture
def classes(app):
    return publish_classes()


def add(people, tree, kept, name, school="school_a1", user="school", published=True, **more):
    found = services.create_record(
        db.session, people[user], kept, tree[school], passport(name, **more), published
    )
    assert isinstance(found, RegistryRecord), found
    db.session.commit()
    return found


def test_a_school_adds_edits_and_archives_a_record_with_its_history(classes, tree, people):
    found = add(people, tree, classes, "10 «А» инженерный", customer="АО «ТНХК»")
    assert (found.revision, found.title, found.unit_id) == (
        1,
        "10 «А» инженерный",
        tree["school_a1"].id,
    )

    problems = services.edit_record(
        db.session,
        people["school"],
        classes,
        found,
        passport("10 «А» инженерный", pupils=27),
        True,
        1,
    )
    assert problems == []
    services.set_archived(db.session, people["school"], classes, found, True)
    db.session.commit()

    assert found.revision == 3 and not found.is_active
    assert [r.change for r in found.revisions] == ["archived", "edited", "created"]
    assert found.revisions[1].data["pupils"] == 27 and found.revisions[2].data["pupils"] == 25
    actions = db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.object_type == "registry_record")
    ).all()
    assert actions == ["registry.create", "registry.edit", "registry.archive"]
    # Archived: out of the active list and the public page, in the archive, not editable.
    assert services.records_in_scope(db.session, people["school"], classes) == []
    assert services.records_in_scope(db.session, people["school"], classes, archived=True) == [
        found
    ]
    assert services.published_records(db.session, classes) == []
    with pytest.raises(NotEditable):
        services.edit_record(db.session, people["school"], classes, found, passport("x"), True, 3)


def test_a_record_is_refused_whole_when_required_or_rules_fail(classes, tree, people):
    outcome = services.create_record(
        db.session, people["school"], classes, tree["school_a1"], {"pupils": 12}, True
    )
    assert isinstance(outcome, list)
    assert {p.field_id for p in outcome} == {"class_name", "profile"}
    assert db.session.scalar(select(RegistryRecord)) is None


def test_an_edit_from_an_older_page_is_refused(classes, tree, people):
    found = add(people, tree, classes, "10 «Б»")
    services.edit_record(
        db.session, people["school"], classes, found, passport("10 «Б» физмат"), True, 1
    )
    with pytest.raises(services.StaleRecord):
        services.edit_record(
            db.session, people["school"], classes, found, passport("10 «Б» хим"), True, 1
        )
    assert found.title == "10 «Б» физмат"


def test_only_the_units_staff_keep_its_records(classes, tree, people):
    found = add(people, tree, classes, "10 «А»")
    with pytest.raises(NotInScope):
        services.create_record(
            db.session, people["school"], classes, tree["school_a2"], passport("чужой"), True
        )
    # A coordinator sees the subtree's records but does not keep a school's registry.
    with pytest.raises(ActionForbidden):
        services.edit_record(
            db.session, people["municipal"], classes, found, passport("x"), True, 1
        )
    assert services.records_in_scope(db.session, people["municipal"], classes) == [found]
    assert services.records_in_scope(db.session, people["region"], classes) == [found]
    assert services.records_in_scope(db.session, people["other_region"], classes) == []
    assert services.holder_units(db.session, people["school"], classes) == [tree["school_a1"]]


def test_the_record_page_keeps_typed_values_when_refused(classes, tree, people, client):
    login_as(client, people["school"])
    page = client.post(
        "/registries/test-classes/new",
        data={
            "unit": tree["school_a1"].id,
            "class_name": "",
            "customer": "ООО «Сибгазстрой»",
            "pupils": "55",
            "published": "y",
        },
    )
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "ООО «Сибгазстрой»" in text and 'value="55"' in text
    assert db.session.scalar(select(RegistryRecord)) is None

    saved = client.post(
        "/registries/test-classes/new",
        data={
            "unit": tree["school_a1"].id,
            "class_name": "10 «В»",
            "profile": "science",
            "pupils": "24",
            "published": "y",
        },
    )
    assert saved.status_code == 302
    found = db.session.scalar(select(RegistryRecord))
    assert found.data == {"class_name": "10 «В»", "profile": "science", "pupils": 24}
    assert found.published is True


def test_the_public_page_lists_published_records_without_private_fields(
    classes, tree, people, client
):
    add(
        people,
        tree,
        classes,
        "10 «А» инженерный",
        customer="АО «ТНХК»",
        budget=900000,
        curator={"name": "Иванова Мария Петровна", "phone": "+7 913 000-00-00"},
    )
    add(people, tree, classes, "11 «Б» черновик", published=False)
    page = client.get("/public/registries/test-classes")  # nobody logged in
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "10 «А» инженерный" in text and "АО «ТНХК»" in text and "Технологический" in text
    assert "11 «Б» черновик" not in text
    assert "900000" not in text and "Иванова" not in text and "Финансирование" not in text
    assert (
        client.get("/registries/test-classes/").status_code == 302
    )  # the staff pages need a login


def test_the_export_holds_the_subtrees_records_and_summaries(classes, tree, people, client):
    add(people, tree, classes, "10 «А»", customer="АО «ТНХК»", pupils=25)
    add(people, tree, classes, "10 «Б»", profile="science", customer="ТГУ", pupils=20)
    add(people, tree, classes, "11 «А»", customer=" ао «тнхк» ", pupils=22)
    login_as(client, people["municipal"])
    response = client.get("/registries/test-classes/export.xlsx")
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.get_data()))
    response.close()
    records = book["Записи"]
    rows = list(records.iter_rows(min_row=3, values_only=True))
    assert sorted(r[4] for r in rows) == ["10 «А»", "10 «Б»", "11 «А»"]
    by_profile = {
        r[0]: (r[1], r[2])
        for r in book["Классы по профилям"].iter_rows(min_row=3, values_only=True)
    }
    assert by_profile == {"Технологический": (2, 47), "Естественно-научный": (1, 20)}
    by_customer = {
        r[0]: r[1] for r in book["Классы по заказчикам"].iter_rows(min_row=3, values_only=True)
    }
    # The same organisation typed with other spaces counts once; case is kept as typed.
    assert by_customer["АО «ТНХК»"] == 1 and by_customer["ТГУ"] == 1
