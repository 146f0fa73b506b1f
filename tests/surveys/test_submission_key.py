"""A survey page's submission key: a send retried after its first try was stored (the reply
lost on the way) is recognised and answered as the first time, never stored twice."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select, update

from collector.extensions import db
from collector.models import CampaignDeadline, FormResponse
from collector.models.base import utcnow
from tests.surveys.test_survey_links import GOOD, answers_count, link_of, make_survey


def page_key(client, token: str) -> str:
    html = client.get(f"/s/{token}").get_data(as_text=True)
    [key] = re.findall(r'name="submission_key" value="([^"]+)"', html)
    return key


def test_each_page_shown_gets_its_own_random_key(app, tree, people):
    campaign = make_survey(tree, people, multiple=True)
    token = link_of(campaign, tree["school_a1"]).token
    browser = app.test_client()
    keys = {page_key(browser, token) for _ in range(3)}
    assert len(keys) == 3 and all(len(k) >= 32 for k in keys)


def test_a_retried_send_is_answered_as_taken_and_stored_once(app, tree, people):
    campaign = make_survey(tree, people, multiple=True)
    token = link_of(campaign, tree["school_a1"]).token
    browser = app.test_client()
    sent = GOOD | {"submission_key": page_key(browser, token)}
    first = browser.post(f"/s/{token}", data=sent)
    retried = browser.post(f"/s/{token}", data=sent)
    assert first.status_code == retried.status_code == 302
    assert first.headers["Location"] == retried.headers["Location"]
    assert retried.headers["Location"].endswith(f"/s/{token}/thanks")
    [stored] = db.session.scalars(select(FormResponse))
    assert stored.answers == GOOD and stored.submission_key == sent["submission_key"]
    # A new page is a new answer: several from one browser are allowed here.
    browser.post(f"/s/{token}", data=GOOD | {"submission_key": page_key(browser, token)})
    assert answers_count(campaign) == 2


def test_one_answer_per_browser_a_retry_is_thanked_not_told_it_was_sent_before(app, tree, people):
    campaign = make_survey(tree, people)
    token = link_of(campaign, tree["school_a1"]).token
    browser = app.test_client()
    sent = GOOD | {"submission_key": page_key(browser, token)}
    assert browser.post(f"/s/{token}", data=sent).status_code == 302
    retried = browser.post(f"/s/{token}", data=sent)
    assert retried.status_code == 302 and retried.headers["Location"].endswith("/thanks")
    # Another send from this browser (another page) is still a second answer, refused.
    again = browser.post(f"/s/{token}", data=GOOD | {"submission_key": "another-page"})
    assert again.status_code == 200 and "уже получен" in again.get_data(as_text=True)
    assert answers_count(campaign) == 1


def test_a_retry_arriving_after_the_deadline_was_taken_in_time(app, tree, people):
    campaign = make_survey(tree, people, multiple=True)
    token = link_of(campaign, tree["school_a1"]).token
    browser = app.test_client()
    sent = GOOD | {"submission_key": page_key(browser, token)}
    late_page = GOOD | {"submission_key": page_key(browser, token)}
    assert browser.post(f"/s/{token}", data=sent).status_code == 302
    db.session.execute(
        update(CampaignDeadline)
        .where(CampaignDeadline.campaign_id == campaign.id)
        .values(due_at=utcnow() - timedelta(minutes=1))
    )
    db.session.commit()
    retried = browser.post(f"/s/{token}", data=sent)
    assert retried.status_code == 302 and retried.headers["Location"].endswith("/thanks")
    # A page never sent before the deadline is late: the link is closed.
    assert browser.post(f"/s/{token}", data=late_page).status_code == 410
    assert answers_count(campaign) == 1


def test_the_key_is_per_link_and_a_send_without_one_is_still_taken(app, tree, people):
    campaign = make_survey(tree, people, multiple=True)
    first = link_of(campaign, tree["school_a1"]).token
    second = link_of(campaign, tree["school_a2"]).token
    browser = app.test_client()
    for token in (first, second):
        assert (
            browser.post(f"/s/{token}", data=GOOD | {"submission_key": "same"}).status_code == 302
        )
    # A page shown before keys existed, or a key no page makes: taken, without a key.
    for key in (None, "x" * 65):
        data = GOOD if key is None else GOOD | {"submission_key": key}
        assert browser.post(f"/s/{first}", data=data).status_code == 302
    assert answers_count(campaign) == 4
    keys = sorted(str(k) for k in db.session.scalars(select(FormResponse.submission_key)))
    assert keys == ["None", "None", "same", "same"]


def test_a_page_shown_again_with_errors_keeps_its_key(app, tree, people):
    campaign = make_survey(tree, people, multiple=True)
    token = link_of(campaign, tree["school_a1"]).token
    browser = app.test_client()
    key = page_key(browser, token)
    reply = browser.post(f"/s/{token}", data={"comment": "Мой текст", "submission_key": key})
    assert f'name="submission_key" value="{key}"' in reply.get_data(as_text=True)
    assert answers_count(campaign) == 0
