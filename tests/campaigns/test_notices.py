"""Notices on review through a real SMTP server on loopback (aiosmtpd): a reviewer's return
mails each respondent of the unit once, with the comment and a link; accepting and
reopening are told too; the job run again sends nothing more; the start page shows the
unread notices until each is marked read."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import select

from collector.campaigns.lifecycle import LatePolicy, Move
from collector.campaigns.notices import NOTICE_JOB, send_notices
from collector.campaigns.services import move_response
from collector.extensions import db
from collector.jobs.dispatch import shutdown as finish_jobs
from collector.models import FormResponse, Job, Role
from collector.models.notices import ReviewNotice
from tests.campaigns.factories import new_campaign
from tests.campaigns.test_reminders import inbox  # noqa: F401  (the SMTP server fixture)
from tests.conftest import login_as

# The mailing job runs in a worker thread on its own connection: it must see what the
# test committed.
pytestmark = pytest.mark.committed

COMMENT = "Проверьте число экскурсий в разделе 11.6"


@pytest.fixture
def submitted(app, tree, people, make_user):
    """School A1's report, submitted; A1 has two respondents with addresses, one without,
    one blocked, and School A2 one of its own."""
    people["school"].email = "director@a1.example"
    make_user(
        Role.SCHOOL_RESPONDENT, tree["school_a1"], username="deputy", email="deputy@a1.example"
    )
    make_user(Role.SCHOOL_RESPONDENT, tree["school_a1"], username="nomail")
    make_user(
        Role.SCHOOL_RESPONDENT,
        tree["school_a1"],
        username="gone",
        email="gone@a1.example",
        is_active_account=False,
    )
    make_user(Role.SCHOOL_RESPONDENT, tree["school_a2"], username="a2", email="a2@a2.example")
    campaign = new_campaign(
        tree, people, deadline=datetime(2026, 5, 30, 23, 59), policy=LatePolicy.FLAG, opened=True
    )
    response = db.session.scalars(
        select(FormResponse).filter_by(campaign_id=campaign.id, unit_id=tree["school_a1"].id)
    ).one()
    move_response(db.session, people["school"], response, Move.SAVE)
    move_response(
        db.session, people["school"], response, Move.SUBMIT, now=datetime(2026, 5, 1).astimezone()
    )
    db.session.commit()
    return campaign, response


def decide(app, client, campaign, response, move: str, comment: str = "") -> None:
    answer = client.post(
        f"/campaigns/{campaign.id}/responses/{response.id}",
        data={"move": move, "comment": comment},
    )
    assert answer.status_code == 302
    finish_jobs(app)  # the mailing job's thread has done its work


def recipients(inbox) -> list[str]:  # noqa: F811
    return sorted(address for to, _message in inbox.messages for address in to)


def test_a_return_mails_each_respondent_once_with_the_comment(
    app,
    client,
    inbox,  # noqa: F811
    submitted,
    people,
):
    campaign, response = submitted
    login_as(client, people["municipal"])
    decide(app, client, campaign, response, "return", COMMENT)

    # The director and the deputy: not the one without an address, not the blocked one,
    # not the other school's respondent, not the reviewer.
    assert recipients(inbox) == ["deputy@a1.example", "director@a1.example"]
    for _to, message in inbox.messages:
        assert message["Subject"] == "Отчёт возвращён: Мониторинг 2026"
        body = message.get_content()
        assert COMMENT in body
        assert "МКОУ «СОШ № 1»" in body
        assert f"https://collector.example/entry/response/{response.id}" in body
    jobs = list(db.session.scalars(select(Job).where(Job.kind == NOTICE_JOB)))
    assert [(job.state, job.outcome) for job in jobs] == [
        ("done", {"sent": 2, "no_address": 1, "refused": 0})
    ]
    # One notice per respondent (three active), two mailed.
    notices = list(db.session.scalars(select(ReviewNotice).order_by(ReviewNotice.id)))
    assert len(notices) == 3
    assert sum(n.mailed_at is not None for n in notices) == 2

    # The job run again (or a second run at once) sends nothing more.
    again = send_notices(db.session, app.config, response.id)
    assert (again.sent, again.no_address) == (0, 1)
    assert len(inbox.messages) == 2


def test_accepting_and_reopening_are_told_too(app, client, inbox, submitted, people):  # noqa: F811
    campaign, response = submitted
    login_as(client, people["municipal"])
    decide(app, client, campaign, response, "accept")
    decide(app, client, campaign, response, "reopen", "Ошибка в разделе 11.6")
    subjects = [message["Subject"] for _to, message in inbox.messages]
    assert subjects == [
        "Отчёт принят: Мониторинг 2026",
        "Отчёт принят: Мониторинг 2026",
        "Отчёт открыт снова: Мониторинг 2026",
        "Отчёт открыт снова: Мониторинг 2026",
    ]
    assert "Ошибка в разделе 11.6" in inbox.messages[-1][1].get_content()


def test_the_start_page_shows_unread_notices_until_marked_read(
    app,
    client,
    inbox,  # noqa: F811
    submitted,
    people,
):
    campaign, response = submitted
    login_as(client, people["municipal"])
    decide(app, client, campaign, response, "return", COMMENT)
    # The reviewer has no notice of their own decision.
    assert 'data-testid="notices"' not in client.get("/").get_data(as_text=True)

    login_as(client, people["school"])
    page = client.get("/").get_data(as_text=True)
    assert 'data-testid="notices"' in page and COMMENT in page
    assert f"/entry/response/{response.id}" in page
    notice = db.session.scalars(
        select(ReviewNotice).where(ReviewNotice.user_id == people["school"].id)
    ).one()
    # Another user cannot mark it read.
    other = app.test_client()
    login_as(other, people["municipal"])
    assert other.post(f"/notices/{notice.id}/read").status_code == 404
    assert client.post(f"/notices/{notice.id}/read").status_code == 302
    assert 'data-testid="notices"' not in client.get("/").get_data(as_text=True)


def test_a_refused_address_is_tried_again_and_the_others_go(
    app,
    client,
    inbox,  # noqa: F811
    submitted,
    people,
):
    campaign, response = submitted
    people["school"].email = "bad@a1.example"  # the test server refuses "bad@"
    db.session.commit()
    login_as(client, people["municipal"])
    decide(app, client, campaign, response, "return", COMMENT)
    assert recipients(inbox) == ["deputy@a1.example"]
    people["school"].email = "director@a1.example"
    db.session.commit()
    again = send_notices(db.session, app.config, response.id)
    assert again.sent == 1
    assert recipients(inbox) == ["deputy@a1.example", "director@a1.example"]
