"""`flask campaigns remind` against a real SMTP server on loopback (aiosmtpd): each
reminder arrives once, only for units that have not submitted, before and after the
deadline."""

from __future__ import annotations

import copy
import socket
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller

from collector.campaigns.lifecycle import LatePolicy, Move
from collector.campaigns.reminders import AFTER, before_kind, reminder_kind, send_reminders
from collector.campaigns.services import (
    extend_deadline,
    move_response,
)
from collector.extensions import db
from collector.models import FormResponse
from tests.campaigns.factories import new_campaign
from tests.schema.cases import base

DEADLINE_UTC = datetime(2026, 5, 30, 20, 59, tzinfo=UTC)  # 23:59 in Moscow


class Inbox:
    def __init__(self) -> None:
        self.messages: list = []

    async def handle_RCPT(self, server, session, envelope, address, options):  # noqa: N802
        if address.startswith("bad@"):
            return "550 5.1.1 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        message = message_from_bytes(envelope.content, policy=policy.default)
        self.messages.append((list(envelope.rcpt_tos), message))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def inbox(app):
    handler = Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    app.config.update(
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=controller.port,
        MAIL_SENDER="Мониторинг <monitoring@kaluga.example>",
        PUBLIC_BASE_URL="https://collector.example",
    )
    yield handler
    controller.stop()


@pytest.fixture
def campaign(app, tree, people):
    for key in ("school_a1", "school_a2", "school_b1"):
        tree[key].contact_email = f"{key}@school.example"
    tree["school_b2"].contact_email = None  # no address: reported, not sent
    db.session.commit()
    made = new_campaign(
        tree, people, deadline=datetime(2026, 5, 30, 23, 59), policy=LatePolicy.FLAG, opened=True
    )
    return made


def submit(campaign, unit, user):
    response = db.session.query(FormResponse).filter_by(campaign_id=campaign.id, unit_id=unit.id)
    response = response.one()
    move_response(db.session, user, response, Move.SAVE)
    move_response(db.session, user, response, Move.SUBMIT, now=DEADLINE_UTC - timedelta(days=5))
    db.session.commit()


def recipients(inbox) -> list[str]:
    return sorted(address for to, _message in inbox.messages for address in to)


def test_which_reminder_is_due():
    due = DEADLINE_UTC
    assert reminder_kind(due - timedelta(days=4), due, (3,)) is None
    assert reminder_kind(due - timedelta(days=3), due, (3,)) == before_kind(3)
    assert reminder_kind(due - timedelta(hours=1), due, (7, 1)) == before_kind(1)
    assert reminder_kind(due, due, (3,)) == before_kind(3)
    assert reminder_kind(due + timedelta(seconds=1), due, (3,)) == AFTER


def test_reminders_arrive_once_and_only_for_units_that_have_not_submitted(
    app, inbox, campaign, tree, people
):
    submit(campaign, tree["school_a1"], people["school"])
    before = DEADLINE_UTC - timedelta(days=2)
    result = send_reminders(db.session, app.config, now=before)
    assert recipients(inbox) == [
        "school_a2@school.example",
        "school_b1@school.example",
    ]
    assert [r.unit.code for r in result.no_address] == ["S-B2"]
    _to, message = inbox.messages[0]
    assert message["Subject"].startswith("Напоминание")
    body = message.get_content()
    assert "30.05.2026 23:59" in body and "Europe/Moscow" in body
    assert "https://collector.example/entry/response/" in body

    # The same run again, or an hour later: nothing new.
    send_reminders(db.session, app.config, now=before)
    send_reminders(db.session, app.config, now=before + timedelta(hours=1))
    assert len(inbox.messages) == 2

    # After the deadline: one more each, once.
    after = DEADLINE_UTC + timedelta(hours=1)
    send_reminders(db.session, app.config, now=after)
    send_reminders(db.session, app.config, now=after + timedelta(days=1))
    assert len(inbox.messages) == 4
    assert inbox.messages[-1][1]["Subject"].startswith("Срок")


def test_an_extension_is_a_new_deadline_to_remind_of(app, inbox, campaign, tree, people):
    after = DEADLINE_UTC + timedelta(hours=1)
    send_reminders(db.session, app.config, now=after)
    assert len(inbox.messages) == 3
    extend_deadline(
        db.session,
        people["region"],
        campaign,
        tree["school_a2"],
        datetime(2026, 6, 5, 18, 0),
        "Карантин",
    )
    db.session.commit()
    send_reminders(db.session, app.config, now=datetime(2026, 6, 3, 12, 0, tzinfo=UTC))
    assert len(inbox.messages) == 4
    assert inbox.messages[-1][0] == ["school_a2@school.example"]
    assert inbox.messages[-1][1]["Subject"].startswith("Напоминание")


def test_the_command_line_dry_run_sends_nothing(app, inbox, campaign):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["campaigns", "remind", "--dry-run", "--days-before", "3650"])
    assert result.exit_code == 0, result.output
    assert "S-A1" in result.output and "No e-mail address: S-B2" in result.output
    assert inbox.messages == []


def test_a_refused_address_holds_up_no_one_and_is_tried_again(app, inbox, campaign, tree):
    tree["school_a1"].contact_email = "bad@school.example"
    tree["school_a2"].contact_email = "a2@school.example; deputy@school.example"
    db.session.commit()
    before = DEADLINE_UTC - timedelta(days=1)
    first = send_reminders(db.session, app.config, now=before)
    assert [r.unit.code for r, _reason in first.failed] == ["S-A1"]
    assert recipients(inbox) == [
        "a2@school.example",
        "deputy@school.example",
        "school_b1@school.example",
    ]
    second = send_reminders(db.session, app.config, now=before)
    assert [r.unit.code for r, _reason in second.failed] == ["S-A1"]
    assert len(inbox.messages) == 2  # the others are not sent again


def test_nothing_is_asked_after_a_deadline_that_refuses_late_reports(app, inbox, campaign):
    campaign.late_policy = LatePolicy.REFUSE.value
    db.session.commit()
    result = send_reminders(db.session, app.config, now=DEADLINE_UTC + timedelta(hours=1))
    assert result.sent == [] and inbox.messages == []


def test_a_municipal_report_reminds_the_municipal_coordinator(app, inbox, tree, people):
    people["municipal"].email = "coordinator@babynino.example"
    db.session.commit()
    document = copy.deepcopy(base())
    document["id"] = "municipal-report"
    document["respondents"] = {"unit_types": ["municipality"], "roles": ["municipal_coordinator"]}
    new_campaign(
        tree, people, deadline=datetime(2026, 5, 30, 23, 59), document=document, opened=True
    )
    result = send_reminders(db.session, app.config, now=DEADLINE_UTC - timedelta(days=1))
    assert [r.unit.code for r in result.sent] == ["M-A"]
    assert [r.unit.code for r in result.no_address] == ["M-B"]
    assert recipients(inbox) == ["coordinator@babynino.example"]


# A job runs in a worker thread of its own, on its own connection: it must see the committed data.
@pytest.mark.committed
def test_a_coordinator_sends_the_due_reminders_from_the_campaign_page(
    app, client, inbox, campaign, people
):
    from tests.conftest import login_as
    from tests.test_import_entry_points import imported

    login_as(client, people["municipal"])
    assert client.post(f"/campaigns/{campaign.id}/remind").status_code in (403, 404)
    login_as(client, people["region"])
    page = imported(client, client.post(f"/campaigns/{campaign.id}/remind"))
    # Run now (after the deadline in May 2026): one overdue notice per school with an address.
    assert "Отправлено напоминаний: 3." in page
    assert len(inbox.messages) == 3
    again = imported(client, client.post(f"/campaigns/{campaign.id}/remind"))
    assert "Отправлено напоминаний: 0." in again and len(inbox.messages) == 3
