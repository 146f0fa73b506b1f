"""Survey links: one unguessable link per school, answering without an account, nothing
about the person stored, one answer per browser, a rate limit per link, closed at the
deadline, the flyer with its QR code."""

from __future__ import annotations

import copy
import json
import re
from datetime import datetime, time

import pytest
from sqlalchemy import select

from collector.extensions import db, limiter
from collector.models import AuditEvent, FormResponse, SurveyBallot, SurveyLink
from tests.campaigns.factories import new_campaign
from tests.conftest import login_as
from tests.schema.cases import base

USER_AGENT = "Mozilla/5.0 (Linux; Android 14; Pixel 8) ParentPhone/1.0"


def survey_document(multiple: bool = False) -> dict:
    doc = copy.deepcopy(base())
    doc.update(id="parent-poll", kind="survey", rules=[], indicators=[])
    doc["respondents"] = {
        "unit_types": ["school"],
        "anonymous": True,
        "multiple_per_browser": multiple,
    }
    doc["sections"] = [
        {
            "id": "poll",
            "title": "Опрос",
            "fields": [
                {
                    "id": "grade",
                    "type": "single_choice",
                    "label": "В каком классе учится ваш ребёнок?",
                    "required": True,
                    "options": [{"value": str(g), "label": f"{g} класс"} for g in (8, 9, 10, 11)],
                },
                {
                    "id": "organised",
                    "type": "single_choice",
                    "label": "Был ли организован выбор профиля?",
                    "required": True,
                    "options": [
                        {"value": "yes", "label": "Выбор профиля был организован"},
                        {"value": "no", "label": "Не был организован"},
                    ],
                },
                {
                    "id": "helped",
                    "type": "multiple_choice",
                    "label": "Что помогло выбрать",
                    "options": [
                        {"value": "tests", "label": "Тесты"},
                        {"value": "trips", "label": "Экскурсии"},
                    ],
                },
                {"id": "comment", "type": "text", "label": "Комментарий", "max_length": 500},
            ],
        }
    ]
    return doc


def make_survey(tree, people, *, deadline=datetime(2027, 8, 31, 23, 59), multiple=False):
    return new_campaign(
        tree,
        people,
        deadline=deadline,
        document=survey_document(multiple),
        title="Опрос родителей 2026",
        year=2026,
        opened=True,
    )


def link_of(campaign, unit) -> SurveyLink:
    return db.session.scalar(
        select(SurveyLink).where(
            SurveyLink.campaign_id == campaign.id, SurveyLink.unit_id == unit.id
        )
    )


def answers_count(campaign) -> int:
    return len(
        list(
            db.session.scalars(select(FormResponse).where(FormResponse.campaign_id == campaign.id))
        )
    )


GOOD = {"grade": "9", "organised": "yes", "comment": "Спасибо классному руководителю"}


def test_opening_gives_each_school_its_own_unguessable_link(app, tree, people):
    campaign = make_survey(tree, people)
    links = list(db.session.scalars(select(SurveyLink)))
    assert sorted(link.unit.code for link in links) == ["S-A1", "S-A2", "S-B1", "S-B2"]
    tokens = [link.token for link in links]
    assert len(set(tokens)) == 4 and all(len(t) >= 32 for t in tokens)
    assert answers_count(campaign) == 0  # surveys expect no report per school


def test_a_parent_answers_without_an_account_and_nothing_about_them_is_kept(app, tree, people):
    campaign = make_survey(tree, people)
    link = link_of(campaign, tree["school_a1"])
    parent = app.test_client()
    headers = {"User-Agent": USER_AGENT}
    page = parent.get(f"/s/{link.token}", headers=headers)
    assert page.status_code == 200
    assert "В каком классе учится ваш ребёнок?" in page.get_data(as_text=True)
    sent = parent.post(
        f"/s/{link.token}", data=GOOD, headers=headers, environ_base={"REMOTE_ADDR": "203.0.113.77"}
    )
    assert sent.status_code == 302 and sent.headers["Location"].endswith("/thanks")
    [response] = db.session.scalars(select(FormResponse))
    assert response.unit_id == tree["school_a1"].id and response.campaign_id == campaign.id
    assert response.answers == GOOD and response.status == "submitted"
    assert response.created_by is None and response.unit_report_key is None
    stored = json.dumps(
        [
            {c.name: str(getattr(row, c.name)) for c in row.__table__.columns}
            for row in [
                *db.session.scalars(select(FormResponse)),
                *db.session.scalars(select(SurveyBallot)),
                *db.session.scalars(select(AuditEvent)),
            ]
        ],
        ensure_ascii=False,
    )
    assert "203.0.113.77" not in stored and "ParentPhone" not in stored
    ballot = db.session.scalar(select(SurveyBallot))
    assert parent.get_cookie("collector_browser").value not in stored
    assert set(ballot.__table__.columns.keys()) == {"link_id", "browser_key"}
    assert response.created_at.time() == response.submitted_at.time() == time(0, 0)


def test_one_answer_per_browser_unless_the_form_allows_more(app, tree, people):
    campaign = make_survey(tree, people)
    token = link_of(campaign, tree["school_a1"]).token
    first = app.test_client()
    first.post(f"/s/{token}", data=GOOD)
    again = first.post(f"/s/{token}", data=GOOD | {"grade": "10"})
    assert again.status_code == 200 and "уже получен" in again.get_data(as_text=True)
    assert "уже получен" in first.get(f"/s/{token}").get_data(as_text=True)
    app.test_client().post(f"/s/{token}", data=GOOD)  # another browser
    assert answers_count(campaign) == 2
    # The same browser may still answer another school's link (another survey page).
    first.post(f"/s/{link_of(campaign, tree['school_a2']).token}", data=GOOD)
    assert answers_count(campaign) == 3


def test_a_form_may_allow_several_answers_from_one_browser(app, tree, people):
    campaign = make_survey(tree, people, multiple=True)
    token = link_of(campaign, tree["school_a1"]).token
    shared = app.test_client()
    shared.post(f"/s/{token}", data=GOOD)
    shared.post(f"/s/{token}", data=GOOD)
    assert answers_count(campaign) == 2


def test_an_incomplete_answer_keeps_what_was_typed(app, tree, people):
    campaign = make_survey(tree, people)
    token = link_of(campaign, tree["school_a1"]).token
    reply = app.test_client().post(f"/s/{token}", data={"grade": "10", "comment": "Мой текст"})
    html = reply.get_data(as_text=True)
    assert reply.status_code == 200 and "Мой текст" in html
    [grade_10] = re.findall(r'<input[^>]*name="grade"[^>]*value="10"[^>]*>', html)
    assert "checked" in grade_10
    assert answers_count(campaign) == 0


def test_the_link_closes_at_the_deadline_and_says_so(app, tree, people):
    campaign = make_survey(tree, people, deadline=datetime(2026, 5, 30, 23, 59))
    token = link_of(campaign, tree["school_a1"]).token
    parent = app.test_client()
    page = parent.get(f"/s/{token}")
    assert page.status_code == 410
    assert "Опрос закрыт" in page.get_data(as_text=True)
    assert "30.05.2026" in page.get_data(as_text=True)
    assert parent.post(f"/s/{token}", data=GOOD).status_code == 410
    assert answers_count(campaign) == 0
    assert app.test_client().get("/s/not-a-real-token").status_code == 404


def test_a_rate_limit_holds_per_address_too(app, tree, people):
    app.config["SURVEY_ADDRESS_RATE_LIMIT"] = "2 per minute"
    limiter.reset()
    campaign = make_survey(tree, people, multiple=True)
    tokens = [link_of(campaign, tree[k]).token for k in ("school_a1", "school_a2", "school_b1")]
    one_address = {"REMOTE_ADDR": "198.51.100.7"}
    codes = [
        app.test_client().post(f"/s/{t}", data=GOOD, environ_base=one_address).status_code
        for t in tokens
    ]
    assert codes == [302, 302, 429]
    other = {"REMOTE_ADDR": "198.51.100.8"}
    assert (
        app.test_client().post(f"/s/{tokens[2]}", data=GOOD, environ_base=other).status_code == 302
    )


def test_a_rate_limit_holds_per_link(app, tree, people):
    app.config["SURVEY_RATE_LIMIT"] = "3 per minute"
    limiter.reset()
    campaign = make_survey(tree, people, multiple=True)
    token = link_of(campaign, tree["school_a1"]).token
    # Empty or rejected posts do not use up the link's allowance.
    for _ in range(5):
        assert app.test_client().post(f"/s/{token}", data={}).status_code == 200
    replies = [app.test_client().post(f"/s/{token}", data=GOOD) for _ in range(4)]
    assert [r.status_code for r in replies] == [302, 302, 302, 429]
    # The refusal says when to come back (the limit's window); no reply carries the
    # limiter's own headers, each of which costs the store a round trip.
    assert 1 <= int(replies[-1].headers["Retry-After"]) <= 60  # when the oldest leaves
    assert not any(k.lower().startswith("x-ratelimit") for r in replies for k in r.headers.keys())
    # Another school's link is counted apart.
    other = link_of(campaign, tree["school_a2"]).token
    assert app.test_client().post(f"/s/{other}", data=GOOD).status_code == 302
    assert answers_count(campaign) == 4


@pytest.mark.parametrize(("person", "allowed"), [("school", True), ("municipal", True)])
def test_the_school_and_its_coordinators_print_the_flyer(
    app, client, tree, people, person, allowed
):
    campaign = make_survey(tree, people)
    link = link_of(campaign, tree["school_a1"])
    login_as(client, people[person])
    page = client.get(f"/campaigns/{campaign.id}/links/{link.id}/flyer")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "<svg" in html and f"/s/{link.token}" in html
    assert tree["school_a1"].name in html


def test_another_school_cannot_print_the_flyer_or_see_the_link(
    app, client, tree, people, make_user
):
    campaign = make_survey(tree, people)
    link = link_of(campaign, tree["school_a1"])
    login_as(client, make_user("school_respondent", tree["school_a2"]))
    page = client.get(f"/campaigns/{campaign.id}/links/{link.id}/flyer")
    assert page.status_code in (403, 404) and link.token not in page.get_data(as_text=True)
    assert link.token not in client.get("/entry/").get_data(as_text=True)


def test_the_campaign_page_counts_answers_per_school(app, client, tree, people):
    campaign = make_survey(tree, people)
    token = link_of(campaign, tree["school_a1"]).token
    app.test_client().post(f"/s/{token}", data=GOOD)
    app.test_client().post(f"/s/{token}", data=GOOD)
    login_as(client, people["municipal"])
    html = client.get(f"/campaigns/{campaign.id}").get_data(as_text=True)
    table = html.split('data-testid="survey-links"')[1].split("</table>")[0]
    assert tree["school_a1"].name in table and tree["school_b1"].name not in table
    row = table.split(tree["school_a1"].name)[1].split("</tr>")[0]
    assert '<td class="text-end">2</td>' in row


def test_a_single_survey_answer_cannot_be_opened_or_reviewed(app, client, tree, people):
    campaign = make_survey(tree, people)
    app.test_client().post(f"/s/{link_of(campaign, tree['school_a1']).token}", data=GOOD)
    answer = db.session.scalar(select(FormResponse))
    login_as(client, people["region"])
    url = f"/campaigns/{campaign.id}/responses/{answer.id}"
    assert client.get(url).status_code == 404
    assert client.post(url, data={"move": "return", "comment": "?"}).status_code == 404
    db.session.expire_all()
    assert db.session.get(FormResponse, answer.id).status == "submitted"


def test_an_answer_refused_by_one_window_counts_in_none(app, tree, people):
    app.config["SURVEY_RATE_LIMIT"] = "3 per minute"
    app.config["SURVEY_ADDRESS_RATE_LIMIT"] = "2 per minute"
    limiter.reset()
    campaign = make_survey(tree, people, multiple=True)
    token = link_of(campaign, tree["school_a1"]).token
    first, second = ({"REMOTE_ADDR": a} for a in ("198.51.100.7", "198.51.100.8"))
    codes = [
        app.test_client().post(f"/s/{token}", data=GOOD, environ_base=first).status_code
        for _ in range(3)
    ]
    assert codes == [302, 302, 429]
    # The address's window refused the third; the link's still has room for one more.
    replies = [
        app.test_client().post(f"/s/{token}", data=GOOD, environ_base=second) for _ in range(2)
    ]
    assert [r.status_code for r in replies] == [302, 429]
    assert answers_count(campaign) == 3
