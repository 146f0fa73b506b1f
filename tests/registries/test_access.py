"""Who reaches a registry record: its unit's staff keep it, coordinators above it read
it, anyone else learns nothing of it (404); the lists and the export hold only the units
the user sees."""

from __future__ import annotations

import io

import openpyxl
import pytest

from collector.extensions import db
from collector.registries import services
from tests.conftest import login_as
from tests.registries.fixtures import passport, publish_classes

READ = {"admin": 200, "region": 200, "municipal": 200, "school": 200, "other_region": 404}
KEEP = {"admin": 302, "region": 403, "municipal": 403, "school": 302, "other_region": 404}


@pytest.fixture
def record(app, tree, people):
    kept = publish_classes()
    found = services.create_record(
        db.session, people["school"], kept, tree["school_a1"], passport("10 «А»"), True
    )
    db.session.commit()
    return found


@pytest.mark.parametrize("person", sorted(READ))
def test_a_record_page_is_read_in_scope_and_kept_by_its_staff(client, people, record, person):
    login_as(client, people[person])
    url = f"/registries/test-classes/{record.id}"
    page = client.get(url)
    assert page.status_code == READ[person]
    if READ[person] == 404:
        assert "10 «А»" not in page.get_data(as_text=True)
    else:
        # Only those who keep it see the save and archive buttons.
        keeps = KEEP[person] == 302
        assert ('data-testid="archive-record"' in page.get_data(as_text=True)) == keeps
    edit = client.post(url, data={"class_name": "10 «А» изм.", "profile": "tech", "revision": "1"})
    assert edit.status_code == KEEP[person]
    assert client.post(f"{url}/archive").status_code == KEEP[person]
    db.session.refresh(record)
    assert (record.title, record.status) == (
        ("10 «А» изм.", "archived") if KEEP[person] == 302 else ("10 «А»", "active")
    )


@pytest.mark.parametrize("person", sorted(READ))
def test_lists_and_exports_hold_only_the_visible_units(client, people, record, person):
    login_as(client, people[person])
    listed = client.get("/registries/test-classes/").get_data(as_text=True)
    assert ("10 «А»" in listed) == (READ[person] == 200)
    response = client.get("/registries/test-classes/export.xlsx")
    book = openpyxl.load_workbook(io.BytesIO(response.get_data()))
    response.close()
    names = [row[4] for row in book["Записи"].iter_rows(min_row=3, values_only=True)]
    assert names == (["10 «А»"] if READ[person] == 200 else [])
    adding = client.get("/registries/test-classes/new")
    assert adding.status_code == (200 if person in ("admin", "school") else 403)


@pytest.mark.parametrize("person", sorted(READ))
def test_the_registries_page_counts_the_visible_records(client, people, record, person):
    login_as(client, people[person])
    page = client.get("/registries/").get_data(as_text=True)
    shown = 1 if READ[person] == 200 else 0
    assert f'title="Записи">{shown}<' in page
