"""A sent recommendation by e-mail, and the dates the form sets for the recommendations as
deadlines of the campaign with reminders to its coordinators — through a real SMTP server
on loopback (aiosmtpd, the fixture of the reports' reminders).

The two campaigns of tests/analysis/fixtures.py: the municipality's analysis proposes a
recommendation to S-A2, the region's to M-A (see test_recommendations.py). The form sets
prepared by 1 August and sent by 15 August; the 2025/2026 campaign's deadlines are the end
of those days in Moscow: 2026-08-01 20:59 and 2026-08-15 20:59 UTC."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from collector.analysis import recommendations as recs
from collector.analysis.deadlines import send_coordinator_reminders, step_deadlines
from collector.analysis.mailing import MAIL_JOB, send_mail
from collector.extensions import db
from collector.jobs.dispatch import shutdown as finish_jobs
from collector.models import Job, RecommendationMail, ReminderSent, Role
from tests.analysis.fixtures import two_years, with_recommendations
from tests.campaigns.test_reminders import inbox  # noqa: F401  (the SMTP server fixture)
from tests.conftest import login_as

TEXT = "Утвердить план профориентационной работы до 1 сентября."


def dated() -> dict:
    document = with_recommendations()
    document["recommendation_deadlines"] = {
        "prepared": {"date": "08-01", "source": {"clause": "12"}},
        "sent": {"date": "08-15", "source": {"clause": "14"}},
    }
    return document


@pytest.fixture
def waves(app, tree, people):
    return two_years(tree, people, dated())


@pytest.mark.committed
def test_a_sent_recommendation_is_mailed_to_each_recipient_once(
    app,
    client,
    inbox,  # noqa: F811
    tree,
    people,
    make_user,
    waves,
):
    _before, now = waves
    a2 = tree["school_a2"]
    director = make_user(Role.SCHOOL_RESPONDENT, a2, username="a2dir", email="dir@a2.example")
    make_user(Role.SCHOOL_RESPONDENT, a2, username="a2head", email="head@a2.example")
    make_user(Role.SCHOOL_RESPONDENT, a2, username="a2nomail")
    make_user(
        Role.SCHOOL_RESPONDENT,
        a2,
        username="a2gone",
        email="gone@a2.example",
        is_active_account=False,
    )
    make_user(Role.SCHOOL_RESPONDENT, tree["school_a1"], username="a1", email="a1@a1.example")
    [draft] = recs.make_drafts(db.session, people["municipal"], now)
    db.session.commit()
    login_as(client, people["municipal"])
    sent = client.post(
        f"/analysis/recommendations/{draft.id}",
        data={"title": "Рекомендации по итогам мониторинга", "body": TEXT, "action": "send"},
    )
    assert sent.status_code == 302
    finish_jobs(app)
    # The two active recipients with addresses: not the one without, not the blocked one,
    # not another school's respondent, not the sender.
    assert sorted(a for to, _m in inbox.messages for a in to) == [
        "dir@a2.example",
        "head@a2.example",
    ]
    for _to, message in inbox.messages:
        assert message["Subject"] == "Рекомендации: Мониторинг 2026"
        body = message.get_content()
        assert "Рекомендации по итогам мониторинга" in body and TEXT in body
        assert f"https://collector.example/analysis/recommendations/{draft.id}" in body
        assert a2.name in body and tree["mun_a"].name in body
    jobs = list(db.session.scalars(select(Job).where(Job.kind == MAIL_JOB)))
    assert [(job.state, job.outcome) for job in jobs] == [
        ("done", {"sent": 2, "no_address": 1, "refused": 0})
    ]
    rows = list(db.session.scalars(select(RecommendationMail)))
    assert len(rows) == 3 and sum(r.mailed_at is not None for r in rows) == 2
    # Run again: nothing more.
    again = send_mail(db.session, app.config, draft.id)
    assert (again.sent, again.no_address) == (0, 1) and len(inbox.messages) == 2
    # And on the recipient's start page.
    login_as(client, director)
    home = client.get("/").get_data(as_text=True)
    assert "Рекомендации по итогам мониторинга" in home.split('data-testid="my-recommendations"')[1]


def test_the_dates_set_are_deadlines_of_the_campaign(client, people, waves):
    before, now = waves
    assert [(d.step, d.due_at, d.clause) for d in step_deadlines(now)] == [
        ("prepared", datetime(2026, 8, 1, 20, 59, tzinfo=UTC), "12"),
        ("sent", datetime(2026, 8, 15, 20, 59, tzinfo=UTC), "14"),
    ]
    assert step_deadlines(before)[0].due_at == datetime(2025, 8, 1, 20, 59, tzinfo=UTC)
    login_as(client, people["region"])
    page = client.get(f"/analysis/campaigns/{now.id}/recommendations").get_data(as_text=True)
    shown = page.split('data-testid="recommendation-deadlines"')[1].split("</ul>")[0]
    assert 'data-step="prepared"' in shown and "01.08.2026" in shown
    assert 'data-step="sent"' in shown and "15.08.2026" in shown


def remind(app, when: datetime):
    return send_coordinator_reminders(db.session, app.config, now=when, days_before=(3,))


def test_coordinators_are_reminded_while_something_is_to_do(
    app,
    inbox,  # noqa: F811
    people,
    waves,
):
    _before, now = waves
    people["region"].email = "region@kaluga.example"
    db.session.commit()
    # 30 July, 00:00 in Moscow: three days before 1 August 23:59 have begun, nothing is
    # prepared. (Last year's campaign passed its dates a year ago: not reminded.)
    run = remind(app, datetime(2026, 7, 29, 21, 0, tzinfo=UTC))
    assert [(r.campaign.id, r.stored_kind) for r in run.sent] == [(now.id, "prep:before:3")]
    [(to, message)] = inbox.messages
    assert to == ["region@kaluga.example"]
    assert message["Subject"] == "Срок рекомендаций: Мониторинг 2026"
    body = message.get_content()
    assert "01.08.2026 23:59" in body and "Europe/Moscow" in body
    assert f"/analysis/campaigns/{now.id}/recommendations" in body
    # The same reminder is never sent twice.
    assert remind(app, datetime(2026, 7, 30, 9, 0, tzinfo=UTC)).sent == []
    # Prepared (a draft to M-A): no "prepared" reminder after 1 August; sending is due.
    [draft] = recs.make_drafts(db.session, people["region"], now)
    db.session.commit()
    assert remind(app, datetime(2026, 8, 2, 9, 0, tzinfo=UTC)).sent == []
    run = remind(app, datetime(2026, 8, 13, 9, 0, tzinfo=UTC))
    assert [r.stored_kind for r in run.sent] == ["sent:before:3"]
    assert "не отправлено черновиков: 1" in inbox.messages[-1][1].get_content()
    # Once after the date, while the draft waits; not again.
    assert [r.stored_kind for r in remind(app, datetime(2026, 8, 16, tzinfo=UTC)).sent] == [
        "sent:after"
    ]
    assert remind(app, datetime(2026, 8, 17, tzinfo=UTC)).sent == []
    assert len(inbox.messages) == 3
    kinds = db.session.scalars(select(ReminderSent.kind).order_by(ReminderSent.id)).all()
    assert kinds == ["prep:before:3", "sent:before:3", "sent:after"]
    recs.send(db.session, people["region"], draft)
    db.session.commit()


def test_nothing_to_do_and_long_past_dates_are_not_reminded(app, inbox, people, waves):  # noqa: F811
    _before, now = waves
    people["region"].email = "region@kaluga.example"
    [draft] = recs.make_drafts(db.session, people["region"], now)
    recs.send(db.session, people["region"], draft)
    db.session.commit()
    # All sent: nothing before 15 August; a month and more after a date: nothing either.
    assert remind(app, datetime(2026, 8, 13, 9, 0, tzinfo=UTC)).sent == []
    db.session.delete(draft)
    db.session.commit()
    assert remind(app, datetime(2026, 9, 20, tzinfo=UTC)).sent == []
    assert inbox.messages == []
    result = app.test_cli_runner().invoke(args=["recommendations", "remind", "--dry-run"])
    assert result.exit_code == 0 and result.output.endswith("reminders due.\n")


def test_an_account_closed_after_the_sending_is_mailed_nothing(app, tree, people, make_user, waves):
    """The rows are written as the recommendation is sent; the mail goes later. A recipient
    blocked in between gets nothing (no SMTP connection is even made: nobody to mail)."""
    _before, now = waves
    director = make_user(
        Role.SCHOOL_RESPONDENT, tree["school_a2"], username="a2dir", email="dir@a2.example"
    )
    [draft] = recs.make_drafts(db.session, people["municipal"], now)
    recs.send(db.session, people["municipal"], draft)
    db.session.commit()
    assert [row.user_id for row in db.session.scalars(select(RecommendationMail))] == [director.id]
    director.is_active_account = False
    db.session.commit()
    run = send_mail(db.session, app.config, draft.id)
    assert (run.sent, run.no_address, run.refused) == (0, 1, 0)
    assert db.session.scalar(select(RecommendationMail.mailed_at)) is None
