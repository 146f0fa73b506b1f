"""Issue 23, done when: every respondent page of every shipped form (form_schemas/*.json)
is read and none carries a trace to the document (a clause's quote, how an indicator is
read, a formula). Those are for coordinators; a school or a parent sees its questions.

A unit report is read section by section as its unit's respondent fills it in a campaign,
a survey as a parent opens its link, a registry as a school (or a municipality, whose
registry it is) opens a new record, the list of its records and the list of registries."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from markupsafe import escape
from sqlalchemy import select

from collector.extensions import db
from collector.models import FormResponse, SurveyLink
from collector.publishing.services import publish
from collector.schema import compile_document
from tests.campaigns.factories import new_campaign
from tests.conftest import login_as

SCHEMAS = Path(__file__).resolve().parent.parent / "form_schemas"
SHIPPED = sorted(p.name for p in SCHEMAS.glob("*.json") if p.name != "meta-schema.json")
# What a page shows of a trace, whatever the text: the note's mark and its Russian lead-in.
MARKS = ('data-testid="source-note"', "source-note", "Пункт ")
# Keys whose texts are coordinators' only, wherever they stand in a schema.
TRACE_KEYS = ("source", "interpretation", "formula", "note")


def shipped(name: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((SCHEMAS / name).read_text(encoding="utf-8"))
    return document


def ru(text: str | dict[str, str]) -> str:
    return text if isinstance(text, str) else text["ru"]


def _texts(node: Any) -> Iterator[str]:
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for value in node.values():
            yield from _texts(value)
    elif isinstance(node, list):
        for value in node:
            yield from _texts(value)


def traces(document: dict[str, Any]) -> list[str]:
    """Every text of the schema under a trace key (quotes, readings, formulas, notes),
    long enough to be told apart (a clause number such as «11.1» is caught by MARKS)."""
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "source" and isinstance(value, dict):
                    # The document's name is the system's, said on the start page; its
                    # clause and the clause's words are the trace.
                    cited = [value.get("clause", ""), value.get("quote", "")]
                    found.extend(t for t in cited if len(t) >= 12)
                elif key in TRACE_KEYS:
                    found.extend(t for t in _texts(value) if len(t) >= 12)
                else:
                    walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(document)
    return found


def respondent_texts(document: dict[str, Any]) -> list[str]:
    """What the form itself says to its respondents (titles, questions, options, help,
    rule messages): a quote that is word for word one of these is the question itself."""
    asked = {k: v for k, v in document.items() if k not in ("indicators", "imports")}
    stripped: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key not in TRACE_KEYS:
                    walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)
        elif isinstance(node, str):
            stripped.append(node)

    walk(asked)
    return stripped


def leaks(page: str, document: dict[str, Any]) -> list[str]:
    asked = respondent_texts(document)
    shown = [
        trace
        for trace in traces(document)
        if str(escape(trace)) in page and not any(trace in text for text in asked)
    ]
    return shown + [mark for mark in MARKS if mark in page]


def test_the_traces_are_found_in_the_shipped_forms():
    """The needles are there to find: every shipped form carries traces, and a page
    drawn with its notes (the coordinator's review) is caught by `leaks`."""
    for name in SHIPPED:
        assert traces(shipped(name)), name
    document = shipped("kaluga-1829-school.json")
    first = document["sections"][0]["fields"][0]["source"]
    drawn = f'<div data-testid="source-note">Пункт {first["clause"]}: «{escape(first["quote"])}»'
    assert leaks(drawn, document) == [str(first["quote"]), *MARKS]


def _respondent(tree, people, unit_type: str) -> tuple[Any, Any]:
    if unit_type == "school":
        return tree["school_a1"], people["school"]
    return tree["mun_a"], people["municipal"]


def _pages_of_a_unit_report(client, tree, people, document) -> list[str]:
    unit, user = _respondent(tree, people, document["respondents"]["unit_types"][0])
    campaign = new_campaign(
        tree, people, deadline=datetime(2027, 5, 30, 23, 59), document=document, opened=True
    )
    response = db.session.scalar(
        select(FormResponse).where(
            FormResponse.campaign_id == campaign.id, FormResponse.unit_id == unit.id
        )
    )
    assert response is not None
    login_as(client, user)
    pages = [client.get("/").get_data(as_text=True), client.get("/entry/").get_data(as_text=True)]
    for section in document["sections"]:
        reply = client.get(f"/entry/response/{response.id}?section={section['id']}")
        assert reply.status_code == 200, section["id"]
        pages.append(reply.get_data(as_text=True))
        assert escape(ru(section["title"])) in pages[-1]
    return pages


def _pages_of_a_survey(client, tree, people, document) -> list[str]:
    campaign = new_campaign(
        tree, people, deadline=datetime(2027, 5, 30, 23, 59), document=document, opened=True
    )
    link = db.session.scalar(
        select(SurveyLink).where(
            SurveyLink.campaign_id == campaign.id, SurveyLink.unit_id == tree["school_a1"].id
        )
    )
    assert link is not None
    reply = client.get(f"/s/{link.token}")
    assert reply.status_code == 200
    page = reply.get_data(as_text=True)
    for section in document["sections"]:
        for field in section["fields"]:
            assert escape(ru(field["label"])) in page, field["id"]  # every question is drawn
    return [page]


def _pages_of_a_registry(client, tree, people, document) -> list[str]:
    _unit, user = _respondent(tree, people, document["respondents"]["unit_types"][0])
    publish(db.session, compile_document(document), None)
    db.session.commit()
    login_as(client, user)
    pages = []
    paths = [f"/registries/{document['id']}/new"]
    if user is people["school"]:
        # The lists are a coordinator's pages too (where they show the registry's clause):
        # a school's are read, a municipality's record form alone.
        paths = ["/registries/", f"/registries/{document['id']}/", *paths]
    for path in paths:
        reply = client.get(path)
        assert reply.status_code == 200, path
        pages.append(reply.get_data(as_text=True))
    first = ru(document["sections"][0]["fields"][0]["label"])
    assert escape(first) in pages[-1]  # the record form's questions are there
    return pages


READERS = {
    "unit_report": _pages_of_a_unit_report,
    "survey": _pages_of_a_survey,
    "registry": _pages_of_a_registry,
}


@pytest.mark.parametrize("name", SHIPPED)
def test_no_respondent_page_of_a_shipped_form_shows_its_sources(client, tree, people, name):
    document = shipped(name)
    pages = READERS[document["kind"]](client, tree, people, document)
    for page in pages:
        assert leaks(page, document) == []


def test_a_coordinator_reads_a_registrys_clause_where_a_school_does_not(client, people):
    document = shipped("tomsk-2016-programmes.json")
    clause = document["source"]["clause"]
    publish(db.session, compile_document(document), None)
    db.session.commit()
    for person, shown in (("region", True), ("municipal", True), ("school", False)):
        login_as(client, people[person])
        for path in ("/registries/", f"/registries/{document['id']}/"):
            page = client.get(path).get_data(as_text=True)
            assert escape(ru(document["title"])) in page
            assert (str(escape(clause)) in page) is shown, (person, path)
