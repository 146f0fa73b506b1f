"""A small but complete world for the route fuzz test, built with the real services:
a region → municipality → school tree (tests/conftest.py), a user of each role, an open
unit-report campaign with a saved and a submitted answer, an open survey with an
anonymous answer, a registry with a record, a designer draft and a finished job."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask import Flask
from sqlalchemy import select

from collector.api.tokens import create_token
from collector.audit import record as audit_record
from collector.extensions import db
from collector.models import (
    FormResponse,
    FormVersion,
    Job,
    OrgUnit,
    RegistryRecord,
    TokenScope,
    User,
    Webhook,
    WebhookDelivery,
)
from collector.models.base import utcnow
from collector.models.cycle import Measure, Recommendation, RecommendationState
from collector.models.notices import ReviewNotice
from collector.registries import services as registries
from tests.campaigns.factories import new_campaign
from tests.conftest import login_as
from tests.designer.fixtures import add, start
from tests.registries.fixtures import passport, publish_classes
from tests.surveys.test_survey_links import GOOD, link_of, survey_document

FUTURE = datetime(2027, 5, 30, 18, 0)


@dataclass
class World:
    people: dict[str, User]
    # URL parameter name -> the values a rule's parameter of that name is tried with.
    parameters: dict[str, list[Any]] = field(default_factory=dict)


def response_of(campaign_id: int, unit: OrgUnit) -> FormResponse:
    found = db.session.scalar(
        select(FormResponse).where(
            FormResponse.campaign_id == campaign_id, FormResponse.unit_id == unit.id
        )
    )
    assert found is not None
    return found


def build_world(
    app: Flask, tree: dict[str, OrgUnit], people: dict[str, User], make_user: Any
) -> World:
    people = dict(people)
    people["school_a2"] = make_user("school_respondent", tree["school_a2"], username="school2")

    report = new_campaign(tree, people, deadline=FUTURE, opened=True)
    report_id = report.id
    version = db.session.scalar(select(FormVersion).where(FormVersion.form_id == "test-form"))
    assert version is not None
    client = app.test_client()
    # A1 saves a draft answer; A2 submits one (the reviewer's page needs a submitted one).
    saved = response_of(report_id, tree["school_a1"])
    login_as(client, people["school"])
    reply = client.post(
        f"/entry/response/{saved.id}",
        data={"total": "10", "part": "4", "revision": "0", "action": "save"},
    )
    assert reply.status_code in (200, 302), reply.status_code
    submitted = response_of(report_id, tree["school_a2"])
    client = app.test_client()
    login_as(client, people["school_a2"])
    for revision, action in (("0", "save"), ("1", "submit")):
        client.post(
            f"/entry/response/{submitted.id}",
            data={"total": "12", "part": "5", "revision": revision, "action": action},
        )
    db.session.expire_all()
    assert response_of(report_id, tree["school_a2"]).status == "submitted"

    survey = new_campaign(
        tree,
        people,
        deadline=FUTURE,
        document=survey_document(),
        title="Опрос родителей 2026",
        year=2026,
        opened=True,
    )
    token = link_of(survey, tree["school_a1"]).token
    reply = app.test_client().post(f"/s/{token}", data=GOOD)
    assert reply.status_code in (200, 302), reply.status_code

    registry = publish_classes()
    record = registries.create_record(
        db.session,
        people["school"],
        registry,
        tree["school_a1"],
        passport("10 «А» инженерный", customer="АО «ТНХК»"),
        True,
    )
    assert isinstance(record, RegistryRecord), record
    db.session.commit()

    designer = app.test_client()
    login_as(designer, people["region"])
    draft_id = start(designer, tree["region"], "fuzz-poll")
    add(designer, draft_id, "field", section="0", type="integer")

    job = Job(
        id=uuid.uuid4().hex,
        kind="export",
        state="done",
        title="Выгрузка",
        created_by=people["region"].id,
        scope_unit_id=tree["region"].id,
        finished_at=utcnow(),
        progress={"done": 1, "total": 1},
    )
    db.session.add(job)
    db.session.commit()

    # A notice of a decision about A2's report for its respondent (marking it read is
    # the respondent's own).
    decision = audit_record(db.session, people["municipal"], "response.return", submitted)
    db.session.flush()
    notice = ReviewNotice(
        decision_id=decision.id,
        user_id=people["school_a2"].id,
        response_id=submitted.id,
        move="return",
        comment="Проверьте раздел 1",
    )
    db.session.add(notice)
    db.session.commit()

    school = people["school"]
    api_token = create_token(db.session(), school, "fuzz", TokenScope.WRITE, 30).token
    hook = Webhook(
        owner_id=people["region"].id,
        unit_id=tree["region"].id,
        url="https://example.org/hook",
        secret="0" * 64,
        events=["report.submitted"],
        active=False,  # paused: the fuzzed routes never post anywhere
    )
    db.session.add(hook)
    db.session.flush()
    delivery = WebhookDelivery(webhook_id=hook.id, event="report.submitted", body="{}")
    db.session.add(delivery)
    # A recommendation sent to school A1 and a measure of the region (analysis).
    recommendation = Recommendation(
        campaign_id=report_id,
        unit_id=tree["school_a1"].id,
        territory_id=tree["region"].id,
        title="Рекомендация",
        body="Провести профориентационные экскурсии.",
        status=RecommendationState.SENT,
        sent_at=utcnow(),
    )
    measure = Measure(
        campaign_id=report_id,
        territory_id=tree["region"].id,
        kind="other",
        title="Семинар для педагогов",
    )
    db.session.add_all([recommendation, measure])
    db.session.commit()
    return World(
        people=people,
        parameters={
            "campaign_id": [report_id, survey.id],
            "response_id": [saved.id, submitted.id],
            "unit_id": [tree["school_a1"].id, tree["mun_a"].id],
            "draft_id": [draft_id],
            "version_id": [version.id],
            "form_id": ["test-form", "test-classes", "parent-poll"],
            "record_id": [record.id],
            "token": [token],
            "user_id": [school.id],
            "assignment_id": [school.roles[0].id],
            "job_id": [job.id],
            "token_id": [api_token.id],
            "notice_id": [notice.id],
            "file_id": ["0" * 32],  # no such file: not found for everyone
            "hook_id": [hook.id],
            "recommendation_id": [recommendation.id],
            "measure_id": [measure.id],
            "delivery_id": [delivery.id],
            # An imported table's id (the API's upload: a session cookie is no credential
            # there, so every body is a 401; tests/api/test_imports.py posts files).
            "import_id": ["vpr"],
        },
    )
