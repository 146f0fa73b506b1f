"""Survey links: finding a link by its token, whether it still takes answers, one
answer per browser, and storing an answer for the link's school. Nothing about the
person is kept: no account, no address, no user agent; the ballot that stops a second
answer from the same browser is stored apart from the answers."""

from __future__ import annotations

import enum
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Engine, Select, Table, bindparam, insert, select
from sqlalchemy.orm import Session

from collector.campaigns.lifecycle import CampaignState
from collector.entry.services import Problem, problems
from collector.models import (
    Campaign,
    CampaignDeadline,
    DeadlineExtension,
    FormResponse,
    FormVersion,
    OrgUnit,
    ResponseState,
    SurveyBallot,
    SurveyLink,
)
from collector.models.base import utcnow
from collector.publishing.versions import spec_of_id
from collector.schema.evaluate import visible_field_ids
from collector.schema.spec import FormSpec

# As long as the column that keeps it.
SUBMISSION_KEY_LENGTH = 64


class LinkState(enum.StrEnum):
    OPEN = "open"
    NOT_YET = "not_yet"  # the campaign has not been opened
    CLOSED = "closed"  # closed by the coordinator, or past the deadline


@dataclass(frozen=True)
class Survey:
    """What a survey page and an answer need of a link, as plain values."""

    link_id: int
    token: str
    campaign_id: int
    unit_id: int
    unit_name: str
    timezone: str  # the campaign's
    form_version_id: int
    spec: FormSpec
    state: LinkState
    due_at: datetime | None

    @property
    def storage_key(self) -> str:
        """Where a browser keeps what is typed on this link's page until it is sent
        (collector/static/entry.js): the link and the form version, nothing of the person."""
        return f"survey:{self.token}:{self.form_version_id}"


def _survey_query() -> Select[*tuple[Any, ...]]:
    deadline = (
        select(CampaignDeadline.due_at)
        .where(
            CampaignDeadline.campaign_id == SurveyLink.campaign_id,
            CampaignDeadline.unit_type == OrgUnit.unit_type,
        )
        .scalar_subquery()
    )
    extension = (
        select(DeadlineExtension.until)
        .where(
            DeadlineExtension.campaign_id == SurveyLink.campaign_id,
            DeadlineExtension.unit_id == SurveyLink.unit_id,
        )
        .scalar_subquery()
    )
    return (
        select(
            SurveyLink.id,
            SurveyLink.campaign_id,
            SurveyLink.unit_id,
            OrgUnit.name,
            Campaign.timezone,
            Campaign.state,
            Campaign.form_version_id,
            FormVersion.checksum,
            deadline,
            extension,
        )
        .join(OrgUnit, OrgUnit.id == SurveyLink.unit_id)
        .join(Campaign, Campaign.id == SurveyLink.campaign_id)
        .join(FormVersion, FormVersion.id == Campaign.form_version_id)
        .where(SurveyLink.token == bindparam("token"))
    )


# The table's own insert (Core), made once: the ORM's bulk path is not needed for a row
# that nothing reads back.
ANSWER_INSERT = cast(Table, FormResponse.__table__).insert()

# Built once, and columns rather than objects: this runs for every answer a parent sends
# (building the statement and four loaded objects were a third of an answer's time).
SURVEY_QUERY = _survey_query()


def find_survey(session: Session, token: str, now: datetime | None = None) -> Survey | None:
    """The link with its campaign, form version and school, and the school's deadline
    with any extension, in one query."""
    # On the connection: a select of columns needs none of the ORM's loading machinery.
    found = session.connection().execute(SURVEY_QUERY, {"token": token}).first()
    if found is None:
        return None
    (link_id, campaign_id, unit_id, unit_name, timezone, campaign_state) = tuple(found)[:6]
    (version_id, checksum, due, extended) = tuple(found)[6:]
    if due is not None and extended is not None:
        due = max(due, extended)
    if campaign_state == CampaignState.DRAFT:
        state = LinkState.NOT_YET
    elif campaign_state != CampaignState.OPEN or (due is not None and (now or utcnow()) > due):
        state = LinkState.CLOSED
    else:
        state = LinkState.OPEN
    return Survey(
        link_id=link_id,
        token=token,
        campaign_id=campaign_id,
        unit_id=unit_id,
        unit_name=unit_name,
        timezone=timezone,
        form_version_id=version_id,
        spec=spec_of_id(session, version_id, checksum),
        state=state,
        due_at=due,
    )


def browser_key(secret: str, browser_id: str, survey: Survey) -> str:
    """What is stored of a browser: a keyed hash per link, so ballots of two surveys
    cannot be matched to each other and the cookie cannot be read back from them."""
    message = f"{survey.link_id}:{browser_id}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def has_answered(session: Session, survey: Survey, key: str) -> bool:
    return (
        session.scalar(
            select(SurveyBallot.link_id).where(
                SurveyBallot.link_id == survey.link_id, SurveyBallot.browser_key == key
            )
        )
        is not None
    )


def new_submission_key() -> str:
    """The key a survey page is shown with and sends back: random, made per page shown
    (not per browser or session), so it says nothing of who sent the answer."""
    return secrets.token_urlsafe(24)


def submission_key_of(sent: str | None) -> str | None:
    """The key a send carries, if it is one this page could have made (else none: a page
    shown before keys existed, or a script)."""
    if sent and len(sent) <= SUBMISSION_KEY_LENGTH and sent.isascii():
        return sent
    return None


def is_stored(session: Session, survey: Survey, submission_key: str | None) -> bool:
    """An answer sent with this key through this link is stored already (a retried send)."""
    if submission_key is None:
        return False
    found = session.scalar(
        select(FormResponse.id).where(
            FormResponse.campaign_id == survey.campaign_id,
            FormResponse.unit_id == survey.unit_id,
            FormResponse.submission_key == submission_key,
        )
    )
    return found is not None


def statements_commit_alone(session: Session) -> None:
    """On PostgreSQL, the session's statements each commit on their own (the driver's
    autocommit), for a request whose every write is one statement: a survey page or an
    answer. psycopg sends BEGIN and COMMIT as round trips of their own, so an answer
    took four to the database where it needs two (the link's lookup, the insert).
    Only before the session's first statement, and only on the app's engine (a test's
    session joined to an outer transaction keeps it); SQLite has no round trips to save.
    The pool sets the connection back to transactions when it is returned."""
    bind = session.get_bind()
    if isinstance(bind, Engine) and bind.dialect.name == "postgresql":
        if not session.in_transaction():
            session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})


def answer_problems(
    survey: Survey, answers: dict[str, Any], visible: set[str] | None = None
) -> tuple[dict[str, Any], list[Problem]]:
    """The answers to send (those to questions shown) and what refuses them, if
    anything. `visible`: visible_field_ids of exactly these answers, when the caller has
    it (the busiest request of a deadline need not work it out thrice)."""
    visible = visible_field_ids(survey.spec, answers) if visible is None else visible
    sent = {k: v for k, v in answers.items() if k in visible}
    found = problems(
        survey.spec,
        sent,
        for_submission=True,
        visible=visible if len(sent) == len(answers) else None,
    )
    return sent, found


def store_answer(
    session: Session,
    survey: Survey,
    sent: dict[str, Any],
    key: str | None,
    submission_key: str | None = None,
) -> None:
    """Store one anonymous answer, checked by `answer_problems`, in one statement.
    `key` is None when the form allows several answers from one browser, else the
    browser's ballot, which goes in with the answer: a second answer from the browser
    breaks the ballot's primary key (IntegrityError) and neither row is stored.
    `submission_key` is the page's key, unique per link, so a retried send breaks the
    constraint too and is not stored twice."""
    # The day only: a time to the second could be matched with a web server's log.
    now = utcnow().replace(hour=0, minute=0, second=0, microsecond=0)
    # Every column given: the columns' own defaults are not applied to an insert
    # carrying a CTE.
    row = {
        "form_version_id": survey.form_version_id,
        "form_id": survey.spec.id,
        "unit_id": survey.unit_id,
        "campaign_id": survey.campaign_id,
        "status": ResponseState.SUBMITTED.value,
        "answers": sent,
        "confirmations": {},
        "late": False,
        "submission_key": submission_key,
        "revision": 1,
        "created_at": now,
        "updated_at": now,
        "submitted_at": now,
    }
    # A plain insert: nothing reads the new row back (the unit of work's bookkeeping
    # was a third of an answer's time on the server).
    connection = session.connection()
    if key is None:
        connection.execute(ANSWER_INSERT, row)
        return
    ballot = insert(SurveyBallot).values(link_id=survey.link_id, browser_key=key)
    if connection.dialect.name == "postgresql":
        # Both rows in one statement, so that it is atomic where each statement commits
        # alone (statements_commit_alone).
        connection.execute(ANSWER_INSERT.add_cte(ballot.cte("ballot")), row)
    else:
        connection.execute(ballot)
        connection.execute(ANSWER_INSERT, row)


@dataclass(frozen=True)
class Progress:
    """How far a respondent is: the questions answered among those the answers so far
    ask (a question a condition hides counts in neither)."""

    answered: int
    total: int


def progress(spec: FormSpec, typed: dict[str, Any], visible: set[str]) -> Progress:
    asked = [f.id for f in spec.fields if f.id in visible]
    return Progress(
        sum(1 for field_id in asked if typed.get(field_id) not in (None, "", [], {})),
        len(asked),
    )
