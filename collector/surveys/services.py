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
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session, joinedload

from collector.campaigns.lifecycle import CampaignState
from collector.campaigns.services import effective_deadline
from collector.entry.services import Problem, problems
from collector.models import Campaign, FormResponse, ResponseState, SurveyBallot, SurveyLink
from collector.models.base import utcnow
from collector.publishing.versions import spec_of
from collector.schema.evaluate import visible_field_ids
from collector.schema.spec import FormSpec

# As long as the column that keeps it.
SUBMISSION_KEY_LENGTH = 64


class LinkState(enum.StrEnum):
    OPEN = "open"
    NOT_YET = "not_yet"  # the campaign has not been opened
    CLOSED = "closed"  # closed by the coordinator, or past the deadline


@dataclass
class Survey:
    link: SurveyLink
    spec: FormSpec
    state: LinkState
    due_at: datetime | None


def find_survey(session: Session, token: str, now: datetime | None = None) -> Survey | None:
    # One query for the link with its campaign, form version and school: this runs for
    # every answer a parent sends.
    link = session.scalar(
        select(SurveyLink)
        .where(SurveyLink.token == token)
        .options(
            joinedload(SurveyLink.campaign).joinedload(Campaign.form_version),
            joinedload(SurveyLink.unit),
        )
    )
    if link is None:
        return None
    campaign = link.campaign
    due = effective_deadline(session, campaign, link.unit)
    if campaign.state == CampaignState.DRAFT:
        state = LinkState.NOT_YET
    elif campaign.state != CampaignState.OPEN or (due is not None and (now or utcnow()) > due):
        state = LinkState.CLOSED
    else:
        state = LinkState.OPEN
    return Survey(link, spec_of(campaign.form_version), state, due)


def browser_key(secret: str, browser_id: str, link: SurveyLink) -> str:
    """What is stored of a browser: a keyed hash per link, so ballots of two surveys
    cannot be matched to each other and the cookie cannot be read back from them."""
    message = f"{link.id}:{browser_id}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def has_answered(session: Session, link: SurveyLink, key: str) -> bool:
    return (
        session.scalar(
            select(SurveyBallot.link_id).where(
                SurveyBallot.link_id == link.id, SurveyBallot.browser_key == key
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


def is_stored(session: Session, link: SurveyLink, submission_key: str | None) -> bool:
    """An answer sent with this key through this link is stored already (a retried send)."""
    if submission_key is None:
        return False
    found = session.scalar(
        select(FormResponse.id).where(
            FormResponse.campaign_id == link.campaign_id,
            FormResponse.unit_id == link.unit_id,
            FormResponse.submission_key == submission_key,
        )
    )
    return found is not None


def record_answer(
    session: Session,
    survey: Survey,
    answers: dict[str, Any],
    key: str | None,
    submission_key: str | None = None,
) -> list[Problem]:
    """Store one anonymous answer (problems, if it is incomplete). `key` is None when
    the form allows several answers from one browser; `submission_key` is the page's
    key, unique per link, so a retried send breaks the constraint (IntegrityError) and
    is not stored twice."""
    visible = visible_field_ids(survey.spec, answers)
    answers = {k: v for k, v in answers.items() if k in visible}
    found = problems(survey.spec, answers, for_submission=True)
    if found:
        return found
    if key is not None:
        # The ballot goes in with the answer; a second answer from the browser breaks the
        # primary key (IntegrityError), and the caller drops both (no savepoint).
        session.execute(insert(SurveyBallot).values(link_id=survey.link.id, browser_key=key))
    campaign = survey.link.campaign
    # The day only: a time to the second could be matched with a web server's log.
    now = utcnow().replace(hour=0, minute=0, second=0, microsecond=0)
    session.add(
        FormResponse(
            form_version_id=campaign.form_version_id,
            form_id=survey.spec.id,
            unit_id=survey.link.unit_id,
            campaign_id=campaign.id,
            status=ResponseState.SUBMITTED.value,
            answers=answers,
            submission_key=submission_key,
            revision=1,
            created_at=now,
            updated_at=now,
            submitted_at=now,
        )
    )
    return []
