"""«Забыли пароль?»: a link by e-mail, through a real SMTP server on loopback (aiosmtpd).
The link works once and for an hour, the answer never tells whether an account exists
(the page queues the same job either way; the job looks the account up), asking is rate
limited, and setting the password ends the user's other sessions."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from collector.auth import reset
from collector.extensions import db
from collector.jobs.dispatch import shutdown as finish_jobs
from collector.models import AuditEvent, Job, User
from collector.models.base import utcnow
from tests.campaigns.test_reminders import inbox  # noqa: F401  (the SMTP server fixture)
from tests.conftest import DEFAULT_PASSWORD, login_as

NEW_PASSWORD = "пять лисиц прыгают через забор"
SAME_ANSWER = "Если такой адрес или логин есть у учётной записи"
# The mail goes from a job's thread on its own connection: it must see what the test
# committed.
pytestmark = pytest.mark.committed


@pytest.fixture
def owner(make_user) -> User:
    return make_user(username="teacher", email="Teacher@School.example")


def ask(client, address: str):
    answer = client.post("/password/forgot", data={"address": address}, follow_redirects=True)
    finish_jobs(client.application)  # the mailing job has done its work
    return answer


def link_in(message) -> str:
    found = re.search(r"https://collector\.example(/password/reset/\S+)", message.get_content())
    assert found is not None, message.get_content()
    return found.group(1)


def events(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def test_the_login_page_offers_the_reset(client):
    page = client.get("/login").get_data(as_text=True)
    assert "Забыли пароль?" in page
    assert client.get("/password/forgot").status_code == 200


def test_the_link_works_once(client, inbox, owner, auth):  # noqa: F811
    answer = ask(client, "teacher@school.example")
    assert answer.status_code == 200 and SAME_ANSWER in answer.get_data(as_text=True)
    assert len(inbox.messages) == 1
    recipients, message = inbox.messages[0]
    assert recipients == ["Teacher@school.example"]  # the domain as e-mail reads it
    assert "teacher" in message.get_content()
    link = link_in(message)
    assert len(events("password.reset_link_sent")) == 1

    page = client.get(link)
    assert page.status_code == 200 and page.headers["Referrer-Policy"] == "no-referrer"
    done = client.post(link, data={"new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert done.status_code == 302 and done.headers["Location"].endswith("/login")
    db.session.refresh(owner)
    assert owner.check_password(NEW_PASSWORD)
    assert [e.user_id for e in events("password.reset_by_link")] == [owner.id]

    # Twice: the password changed, so the link no longer matches.
    again = client.get(link)
    assert again.status_code == 400
    assert 'data-testid="reset-link-invalid"' in again.get_data(as_text=True)
    other = "семь медведей ищут малину в лесу"
    refused = client.post(link, data={"new_password": other, "confirm": other})
    assert refused.status_code == 400
    db.session.refresh(owner)
    assert owner.check_password(NEW_PASSWORD)
    assert auth.login("teacher", NEW_PASSWORD).status_code == 302


def test_setting_the_password_ends_the_other_sessions(client, app, inbox, owner):  # noqa: F811
    elsewhere = app.test_client()
    login_as(elsewhere, owner)
    assert elsewhere.get("/").status_code == 200
    ask(client, "teacher")  # the login names the account too
    link = link_in(inbox.messages[0][1])
    client.post(link, data={"new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert elsewhere.get("/").status_code == 302


def test_the_link_expires_after_an_hour(client, inbox, owner, monkeypatch):  # noqa: F811
    ask(client, "teacher@school.example")
    link = link_in(inbox.messages[0][1])
    token = link.rsplit("/", 1)[1]
    secret = client.application.config["SECRET_KEY"]
    soon = utcnow() + timedelta(minutes=59)
    assert reset.user_for_token(db.session, token, secret, now=soon) == owner
    late = utcnow() + timedelta(minutes=61)
    assert reset.user_for_token(db.session, token, secret, now=late) is None
    monkeypatch.setattr(reset, "utcnow", lambda: late)
    assert client.get(link).status_code == 400
    posted = client.post(link, data={"new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert posted.status_code == 400
    db.session.refresh(owner)
    assert owner.check_password(DEFAULT_PASSWORD)


def test_a_token_signed_otherwise_or_tampered_does_not_pass(client, owner):
    secret = client.application.config["SECRET_KEY"]
    token = reset.reset_token(owner, secret)
    assert reset.user_for_token(db.session, token, secret) == owner
    assert reset.user_for_token(db.session, token, "another secret") is None
    assert reset.user_for_token(db.session, token[:-2] + "xx", secret) is None
    assert client.get("/password/reset/" + "a" * 2000).status_code == 400
    assert client.get("/password/reset/%00").status_code in (400, 404)


def test_an_unknown_address_gets_the_same_answer_and_no_mail(client, inbox, owner, make_user):  # noqa: F811
    make_user(username="blocked", email="blocked@school.example", is_active_account=False)
    make_user(username="nomail")
    for address in ("nobody@school.example", "blocked@school.example", "nomail", "x" * 254):
        answer = ask(client, address)
        assert answer.status_code == 200 and SAME_ANSWER in answer.get_data(as_text=True)
    assert inbox.messages == []
    assert events("password.reset_link_sent") == []


def test_bounded_input_is_said_beside_the_field(client, inbox):  # noqa: F811
    page = client.post("/password/forgot", data={"address": "x" * 255})
    assert page.status_code == 200
    assert "invalid-feedback" in page.get_data(as_text=True)
    assert inbox.messages == []


def test_a_weak_new_password_is_refused_beside_the_field(client, inbox, owner):  # noqa: F811
    ask(client, "teacher")
    link = link_in(inbox.messages[0][1])
    page = client.post(link, data={"new_password": "1234567890", "confirm": "1234567890"})
    assert page.status_code == 200
    assert "invalid-feedback" in page.get_data(as_text=True)
    db.session.refresh(owner)
    assert owner.check_password(DEFAULT_PASSWORD)


def test_a_mail_server_that_does_not_answer_changes_nothing_for_the_asker(client, app, owner):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=1)  # nothing listens there
    answer = ask(client, "teacher")
    assert answer.status_code == 200 and SAME_ANSWER in answer.get_data(as_text=True)


@pytest.mark.parametrize("app_config", [{"PASSWORD_RESET_RATE_LIMIT": "3 per minute"}])
def test_asking_is_rate_limited(client, inbox, owner):  # noqa: F811
    for address in ("a@example.org", "b@example.org", "c@example.org"):
        assert ask(client, address).status_code == 200
    assert client.post("/password/forgot", data={"address": "teacher"}).status_code == 429
    assert inbox.messages == []


def test_one_mailbox_gets_a_few_links_an_hour(client, inbox, owner):  # noqa: F811
    for _ in range(3):
        assert ask(client, "teacher").status_code == 200
    assert client.post("/password/forgot", data={"address": "Teacher "}).status_code == 429
    assert len(inbox.messages) == 3


def test_the_page_queues_the_same_job_whether_or_not_the_account_exists(client, inbox, owner):  # noqa: F811
    known = client.post("/password/forgot", data={"address": "teacher"})
    unknown = client.post("/password/forgot", data={"address": "nobody"})
    assert (known.status_code, known.headers["Location"]) == (
        unknown.status_code,
        unknown.headers["Location"],
    )
    finish_jobs(client.application)
    jobs = list(db.session.scalars(select(Job).order_by(Job.created_at)))
    # Two jobs of one kind, nobody's; once done, what was typed is not kept.
    assert [(j.kind, j.state, j.created_by, j.params) for j in jobs] == [
        ("password_reset_mail", "done", None, {}),
        ("password_reset_mail", "done", None, {}),
    ]
    assert [to for to, _message in inbox.messages] == [["Teacher@school.example"]]
