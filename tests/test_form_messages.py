"""Issue 23: a refused save speaks the user's language and says each problem once, naming
the field by its label (a grid's or a table's cell by its row and column), never by an
id, with a summary at the top. The Kaluga school form, as a school types into it."""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from collector.extensions import db
from collector.models import FormResponse
from tests.campaigns.factories import new_campaign
from tests.conftest import login_as

KALUGA = Path(__file__).resolve().parent.parent / "form_schemas" / "kaluga-1829-school.json"
FEEDBACK = re.compile(r'<div (?:id="[^"]*" )?class="invalid-feedback[^"]*">(.*?)</div>', re.S)


@pytest.fixture
def response_url(client, tree, people):
    document = json.loads(KALUGA.read_text(encoding="utf-8"))
    campaign = new_campaign(
        tree, people, deadline=datetime(2027, 5, 30, 23, 59), document=document, opened=True
    )
    response = db.session.scalar(
        select(FormResponse).where(
            FormResponse.campaign_id == campaign.id,
            FormResponse.unit_id == tree["school_a1"].id,
        )
    )
    login_as(client, people["school"])
    return f"/entry/response/{response.id}"


def save(client, url, section, **values):
    data = {"section": section, "revision": "0", "action": "save", **values}
    reply = client.post(url, data=data)
    assert reply.status_code == 200  # refused: the page again, nothing saved
    page = reply.get_data(as_text=True)
    summary = page[page.index('data-testid="error-summary"') : page.index('data-testid="outline"')]
    items = [
        " ".join(re.sub(r"<[^>]+>", "", li).split())
        for li in re.findall(r"<li>(.*?)</li>", summary, re.S)
    ]
    return page, [m.strip() for m in FEEDBACK.findall(page)], items


def test_numbers_typed_wrong_get_one_russian_message_each(client, response_url):
    page, messages, summary = save(
        client,
        response_url,
        "s11_1",
        **{
            "experience_events-municipal__count": "1e5",
            "experience_events-school__count": "-3",
            "mentors": "2.5",
            "media_total": "12 шт.",
            "media_district": "1 200",  # a number as people write it: accepted
        },
    )
    whole = "Введите целое число, только цифры, например 12."
    assert sorted(messages) == sorted([whole, whole, whole, "Введите значение не меньше 0."])
    # No id of a field or a cell, no English, no range check of a value that is not there.
    # What a reader sees: not the attributes, nor the data the page's script reads.
    shown = re.sub(r'(?<![\w-])(name|id|for|href|aria-describedby|data-[a-z-]+)="[^"]*"', "", page)
    shown = re.sub(r'<script type="application/json"[^>]*>.*?</script>', "", shown, flags=re.S)
    assert "municipal__count" not in shown and "experience_events" not in shown
    assert not any(re.search(r"[A-Za-z]{3,}", m) for m in messages)
    assert len(summary) == 4
    grid = "Мероприятия (семинары, конференции, мастер-классы и другие)"
    assert any(
        s.startswith(grid)
        and "строка «Муниципальный уровень», столбец «Количество, ед.»: " + whole in s
        for s in summary
    ), summary
    assert any(s.startswith("Педагоги-наставники (тьюторы)") and s.endswith(whole) for s in summary)
    assert any(s.startswith("Публикации в СМИ по профориентации, всего") for s in summary)
    db.session.expire_all()
    assert db.session.scalar(
        select(FormResponse.answers).where(FormResponse.id == int(response_url.rsplit("/", 1)[1]))
    ) in ({}, None)


def test_a_table_cell_too_long_is_said_in_russian_with_its_row_and_column(client, response_url):
    _page, messages, summary = save(
        client,
        response_url,
        "s11_5",
        **{"labour_associations-0-direction": "Я" * 5000, "labour_associations-0-count": "2"},
    )
    assert len(messages) == 1 and re.fullmatch(r"Введите не больше \d+ символов\.", messages[0])
    assert summary == [
        "Трудовые объединения школьников по направлениям деятельности: строка 1, столбец "
        f"«{_column_label('labour_associations', 'direction')}»: {messages[0]}"
    ]


def test_in_english_the_same_messages_are_english(client, response_url):
    client.get("/language/en")
    _page, messages, _summary = save(
        client, response_url, "s11_1", **{"experience_events-municipal__count": "2.5"}
    )
    assert messages == ["Enter a whole number, digits only, for example 12."]


def _column_label(field_id: str, column_id: str) -> str:
    document = json.loads(KALUGA.read_text(encoding="utf-8"))
    for section in document["sections"]:
        for field in section["fields"]:
            if field["id"] == field_id:
                return next(c["label"] for c in field["columns"] if c["id"] == column_id)
    raise KeyError(field_id)


def test_the_summary_of_an_app_form_links_each_problem_to_its_field(client, people):
    """The same summary on the app's own forms (a new user here): each entry is the
    field's label, linked to its control, and the message."""
    login_as(client, people["admin"])
    page = client.post(
        "/users/new", data={"username": "", "full_name": "Петрова Анна", "password": "x"}
    ).get_data(as_text=True)
    box = page[page.index('data-testid="error-summary"') :]
    box = box[: box.index("</div>")]
    entries = re.findall(r'<li><a href="#([^"]+)">([^<]+)</a>: ([^<]+)</li>', box)
    assert entries, box
    for anchor, label, _message in entries:
        assert f'<label class="form-label" for="{anchor}">{label}</label>' in page
    assert "username" in [anchor for anchor, _label, _message in entries]
