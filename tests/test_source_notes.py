"""Issue 23: the trace of a question to its document's clause («Пункт 11.1: «…»») is for
coordinators (a review, the designer's preview), never on a respondent's page: not on
a parent's survey page, a school's entry form or a registry record form."""

from __future__ import annotations

import copy
import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from markupsafe import escape
from sqlalchemy import select

from collector.designer import services as designer
from collector.extensions import db
from collector.models import FormResponse, SurveyLink
from collector.publishing.services import publish
from collector.schema import compile_document
from tests.campaigns.factories import new_campaign
from tests.conftest import login_as
from tests.registries.fixtures import CLASSES

SCHEMAS = Path(__file__).resolve().parent.parent / "form_schemas"
MARK = 'data-testid="source-note"'


def shipped(name: str) -> dict[str, Any]:
    return json.loads((SCHEMAS / name).read_text(encoding="utf-8"))


def ru(text: str | dict[str, str]) -> str:
    return text if isinstance(text, str) else text["ru"]


def notes_of(document: dict[str, Any]) -> list[str]:
    """Each field's note as a page would draw it (the quote in «», escaped as Jinja does)."""
    found = []
    for section in document["sections"]:
        for field in section["fields"]:
            source = field.get("source") or {}
            if source.get("clause") and source.get("quote"):
                found.append(f"«{escape(source['quote'])}»")
    return found


def shown_notes(page: str, notes: list[str]) -> list[str]:
    return [note for note in notes if note in page] + ([MARK] if MARK in page else [])


@pytest.fixture
def kaluga(tree, people):
    document = shipped("kaluga-1829-school.json")
    campaign = new_campaign(
        tree, people, deadline=datetime(2027, 5, 30, 23, 59), document=document, opened=True
    )
    response = db.session.scalar(
        select(FormResponse).where(
            FormResponse.campaign_id == campaign.id,
            FormResponse.unit_id == tree["school_a1"].id,
        )
    )
    return document, campaign, response


def test_a_schools_entry_form_shows_no_source_note(client, people, kaluga):
    document, _campaign, response = kaluga
    notes = notes_of(document)
    assert len(notes) > 10
    login_as(client, people["school"])
    for section in document["sections"]:
        reply = client.get(f"/entry/response/{response.id}?section={section['id']}")
        page = reply.get_data(as_text=True)
        assert reply.status_code == 200 and ru(section["title"]) in page
        assert shown_notes(page, notes) == [], section["id"]
        assert "Пункт 11." not in page


def test_a_coordinators_review_shows_the_source_notes(client, people, kaluga):
    document, campaign, response = kaluga
    login_as(client, people["municipal"])
    page = client.get(f"/campaigns/{campaign.id}/responses/{response.id}").get_data(as_text=True)
    assert MARK in page
    first = document["sections"][0]["fields"][0]["source"]
    assert f"Пункт {first['clause']}: «{escape(first['quote'])}»" in page


def test_a_parents_survey_page_shows_no_source_note(client, tree, people):
    document = shipped("tomsk-2022-parent-poll.json")
    notes = notes_of(document)
    assert notes
    campaign = new_campaign(
        tree, people, deadline=datetime(2027, 5, 30, 23, 59), document=document, opened=True
    )
    link = db.session.scalar(
        select(SurveyLink).where(
            SurveyLink.campaign_id == campaign.id, SurveyLink.unit_id == tree["school_a1"].id
        )
    )
    page = client.get(f"/s/{link.token}").get_data(as_text=True)
    assert ru(document["sections"][0]["fields"][0]["label"]) in page  # the questions are there
    assert shown_notes(page, notes) == []
    assert "Пункт " not in page


def test_a_registry_record_form_shows_no_source_note(client, people):
    document = copy.deepcopy(CLASSES)
    quote = "Наименование класса указывается по приказу о его открытии"
    document["sections"][0]["fields"][0]["source"] = {"clause": "4.3", "quote": quote}
    publish(db.session, compile_document(document), None)
    db.session.commit()
    login_as(client, people["school"])
    page = client.get("/registries/test-classes/new").get_data(as_text=True)
    assert "Наименование класса" in page
    assert quote not in page and MARK not in page


def test_the_designers_preview_shows_the_source_notes(client, tree, people):
    """The preview draws the form as respondents get it, with the clauses a coordinator
    checks it against, said to be theirs only."""
    document = shipped("kaluga-1829-school.json")
    content = json.dumps(document, ensure_ascii=False).encode()
    started = designer.start_upload(db.session, people["admin"], tree["region"], content, "k.json")
    db.session.commit()
    login_as(client, people["admin"])
    page = client.get(f"/designer/drafts/{started.id}/preview").get_data(as_text=True)
    assert MARK in page and 'data-testid="preview-sources"' in page
    assert "видят только координаторы" in page
    first = document["sections"][0]["fields"][0]["source"]
    assert f"Пункт {first['clause']}: «{escape(first['quote'])}»" in page
