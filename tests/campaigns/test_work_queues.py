"""Work queues (issue 23): a school's reports by deadline with the overdue ones marked,
a reviewer's queue of the reports waiting for a decision with «Следующий» after each,
and the review page showing the latest decision's comment as the latest, the history
newest first and folded."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from collector.campaigns.lifecycle import LatePolicy, Move
from collector.campaigns.queue import next_waiting, review_queue
from collector.campaigns.services import move_response
from collector.entry.services import campaign_tasks
from collector.extensions import db
from collector.models import FormResponse, Role
from tests.campaigns.factories import new_campaign
from tests.conftest import login_as


def response_of(campaign, unit) -> FormResponse:
    return db.session.scalar(
        select(FormResponse).where(
            FormResponse.campaign_id == campaign.id, FormResponse.unit_id == unit.id
        )
    )


def submit(campaign, unit, user) -> FormResponse:
    """The school saves a draft and sends it (on time, the flag policy either way)."""
    response = response_of(campaign, unit)
    response.status = "draft"
    move_response(db.session, user, response, Move.SUBMIT)
    db.session.commit()
    return response


def task_ids(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'data-task="(\d+)"', html)]


def test_a_schools_tasks_come_by_deadline_and_the_passed_one_says_overdue_with_its_date(
    client, tree, people
):
    # Made in a scrambled order, so that the list's order is the deadlines'.
    later = new_campaign(
        tree, people, deadline=datetime(2099, 3, 1, 18, 0), title="Весна", opened=True
    )
    passed = new_campaign(
        tree,
        people,
        deadline=datetime(2026, 9, 30, 23, 59),
        title="Осень",
        policy=LatePolicy.FLAG,
        opened=True,
    )
    sooner = new_campaign(
        tree, people, deadline=datetime(2099, 1, 15, 18, 0), title="Зима", opened=True
    )
    school = tree["school_a1"]
    expected = [response_of(c, school).id for c in (passed, sooner, later)]

    # On 5 December 2026 the report due on 30 September, not started, is overdue.
    tasks = campaign_tasks(db.session, people["school"], now=datetime(2026, 12, 5, 9, tzinfo=UTC))
    assert [t.response.id for t in tasks] == expected
    assert [t.overdue for t in tasks] == [True, False, False]
    # Before its deadline (in Moscow time: 30.09 23:59 is 20:59 UTC) it is not.
    on_the_day = campaign_tasks(
        db.session, people["school"], now=datetime(2026, 9, 30, 20, 0, tzinfo=UTC)
    )
    assert [t.overdue for t in on_the_day] == [False, False, False]

    login_as(client, people["school"])
    for url in ("/entry/", "/"):
        html = client.get(url).get_data(as_text=True)
        assert task_ids(html) == expected, url
        overdue = html.split(f'data-task="{expected[0]}"')[1].split("</a>")[0]
        assert "просрочено: срок был 30.09.2026" in overdue
        assert "не начат" in overdue
        assert html.count('data-testid="overdue"') == 1


def test_a_sent_report_past_its_deadline_is_not_overdue(client, tree, people):
    campaign = new_campaign(
        tree,
        people,
        deadline=datetime(2026, 9, 30, 23, 59),
        policy=LatePolicy.FLAG,
        opened=True,
    )
    submit(campaign, tree["school_a1"], people["school"])
    [task] = campaign_tasks(db.session, people["school"], now=datetime(2026, 12, 5, tzinfo=UTC))
    assert task.response.status == "submitted" and not task.overdue
    login_as(client, people["school"])
    assert 'data-testid="overdue"' not in client.get("/entry/").get_data(as_text=True)


@pytest.fixture
def round_(app, tree, people, make_user):
    """An open campaign over the four schools of region 1: S-A1, S-A2 (of the municipality
    M-A) and S-B1 sent, S-A2 then accepted, S-B2 not started; and another region's
    campaign with its school's report sent."""
    deadline = datetime.now(UTC).replace(tzinfo=None) + timedelta(days=30)
    campaign = new_campaign(tree, people, deadline=deadline, opened=True)
    schools = {
        key: people["school"]
        if key == "school_a1"
        else make_user(Role.SCHOOL_RESPONDENT, tree[key])
        for key in ("school_a1", "school_a2", "school_b1")
    }
    sent = {key: submit(campaign, tree[key], user) for key, user in schools.items()}
    move_response(db.session, people["municipal"], sent["school_a2"], Move.ACCEPT)
    db.session.commit()
    return campaign, sent


def test_the_review_queue_holds_exactly_the_sent_reports_in_scope(client, tree, people, round_):
    campaign, sent = round_
    municipal = review_queue(db.session, people["municipal"])
    assert [w.response.id for w in municipal] == [sent["school_a1"].id]
    region = review_queue(db.session, people["region"])
    assert [w.response.id for w in region] == [sent["school_a1"].id, sent["school_b1"].id]
    assert review_queue(db.session, people["other_region"]) == []
    assert review_queue(db.session, people["school"]) == []

    login_as(client, people["municipal"])
    home = client.get("/").get_data(as_text=True)
    banner = home.split('data-testid="waiting-for-review"')[1].split("</div>")[0]
    assert "<strong>1</strong>" in banner and "/campaigns/queue" in banner
    html = client.get("/campaigns/queue").get_data(as_text=True)
    listed = [int(i) for i in re.findall(r'data-response="(\d+)"', html)]
    assert listed == [sent["school_a1"].id]
    assert f'/campaigns/{campaign.id}/responses/{sent["school_a1"].id}"' in html

    login_as(client, people["school"])
    assert 'data-testid="waiting-for-review"' not in client.get("/").get_data(as_text=True)
    assert client.get("/campaigns/queue").status_code in (403, 404)


def test_after_a_decision_the_next_waiting_report_of_the_campaign_is_offered(
    client, tree, people, round_
):
    campaign, sent = round_
    first, second = sent["school_a1"], sent["school_b1"]
    region = people["region"]
    assert next_waiting(db.session, region, campaign, first).response.id == second.id
    # Past the end the queue starts again, never with the report itself.
    assert next_waiting(db.session, region, campaign, second).response.id == first.id

    login_as(client, region)
    url = f"/campaigns/{campaign.id}/responses/{first.id}"
    reply = client.post(url, data={"move": "accept", "comment": ""})
    assert reply.status_code == 302 and reply.headers["Location"].endswith(url)
    page = client.get(url).get_data(as_text=True)
    offered = page.split('data-testid="next-waiting"')[1].split("</p>")[0]
    assert f"/campaigns/{campaign.id}/responses/{second.id}" in offered
    assert "Следующий" in offered

    client.post(
        f"/campaigns/{campaign.id}/responses/{second.id}",
        data={"move": "return", "comment": "Уточните цифры"},
    )
    page = client.get(f"/campaigns/{campaign.id}/responses/{second.id}").get_data(as_text=True)
    assert 'data-testid="next-waiting"' not in page  # nothing waits any more
    assert review_queue(db.session, region) == []


def test_after_accepting_the_old_return_comment_is_history_not_the_latest(
    client, tree, people, round_
):
    campaign, sent = round_
    response = sent["school_a1"]
    municipal = people["municipal"]
    move_response(db.session, municipal, response, Move.RETURN, "Уточните число участников")
    move_response(db.session, people["school"], response, Move.SUBMIT)
    db.session.commit()

    login_as(client, municipal)
    url = f"/campaigns/{campaign.id}/responses/{response.id}"
    before = client.get(url).get_data(as_text=True)
    latest = before.split('data-testid="latest-decision"')[1].split("</section>")[0]
    assert "Возвращён на доработку" in latest
    assert "Уточните число участников" in latest.split('data-testid="review-comment"')[1]

    client.post(url, data={"move": "accept", "comment": ""})
    db.session.expire_all()
    assert db.session.get(FormResponse, response.id).review_comment is None
    page = client.get(url).get_data(as_text=True)
    decision = page.split('data-testid="latest-decision"')[1].split("</section>")[0]
    assert "Принят" in decision and municipal.full_name in decision
    assert "Уточните число участников" not in decision
    assert 'data-testid="review-comment"' not in page
    # The return and its comment are in the history, newest first, with date and author.
    trail = page.split('data-testid="audit-trail"')[1].split("</aside>")[0]
    actions = re.findall(r'data-action="([a-z.]+)"', trail)
    assert actions[0] == "response.accept"
    assert actions.index("response.return") > actions.index("response.accept")
    returned = trail.split('data-action="response.return"')[1].split("</li>")[0]
    assert "«Уточните число участников»" in returned and municipal.full_name in returned
    # Older entries beyond the first three are folded.
    assert len(actions) > 3 and 'data-testid="older-history"' in trail
    places = [m.start() for m in re.finditer("data-action=", trail)]
    folded = trail.index('data-testid="older-history"')
    assert places[2] < folded < places[3]
