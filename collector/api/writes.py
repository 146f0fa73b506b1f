"""Writing a unit report through the API: the answers sent are checked by the page's own
form (built from the schema, posted as a browser would post it, so the same checks and
the same words), then saved and submitted by the data-entry services (the same rules,
permissions, deadlines and audit records as the page). A refused write raises
WriteRefused with a message per field path; the caller stores nothing then.

An Idempotency-Key makes a write safe to retry: the answer given is kept per token and
key with the request's hash, and given again for the same request."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from collector.api.forms import ApiEntryForm
from collector.api.problems import FieldError
from collector.campaigns.services import unit_report
from collector.entry import services as entry
from collector.errors import NotInScope
from collector.forms import typed_problems
from collector.models import Campaign, FormResponse, IdempotentRequest, OrgUnit, User
from collector.schema.formbuild import (
    answers_from_form,
    build_form_class,
    form_data_from_answers,
    posted_data,
)
from collector.schema.spec import FormSpec

# How deep a sent answer may nest (a table's rows of cells: answers → field → row → cell).
MAX_DEPTH = 4
MAX_KEY_LENGTH = 100


@dataclass
class WriteRefused(Exception):
    """Nothing is written: why, as problem details (status, detail, field errors)."""

    status: int
    detail: str
    errors: list[FieldError] = field(default_factory=list)


@dataclass(frozen=True)
class Written:
    response: FormResponse
    # What stands in the way of submitting (a draft is saved with them, as on the page).
    problems: list[FieldError]


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def _kept(given: Any, stored: Any) -> bool:
    """Whether the form kept what was sent: an answer of the field's kind comes back as
    it went (a number as a number, a yes/no as a boolean, a grid as its cells); text may
    be tidied (blanks trimmed, a date read) but stays text."""
    if _empty(given):
        return True
    if stored is None:
        return False
    if isinstance(given, bool) or isinstance(stored, bool):
        return type(given) is type(stored) and given == stored
    if isinstance(given, int | float) and isinstance(stored, int | float):
        return bool(given == stored)
    if isinstance(given, str) and isinstance(stored, str):
        return True
    if isinstance(given, Mapping) and isinstance(stored, Mapping):
        return all(_kept(value, stored.get(key)) for key, value in given.items())
    if isinstance(given, list) and isinstance(stored, list):
        if all(not isinstance(v, Mapping | list) for v in given):
            return sorted(map(str, given)) == sorted(map(str, stored))
        kept = [row for row in given if not _empty(row)]
        return len(kept) == len(stored) and all(map(_kept, kept, stored))
    return False


def _depth(value: Any) -> int:
    if isinstance(value, Mapping):
        return 1 + max((_depth(v) for v in value.values()), default=0)
    if isinstance(value, list):
        return 1 + max((_depth(v) for v in value), default=0)
    return 0


def checked_answers(spec: FormSpec, answers: Mapping[str, Any], language: str) -> dict[str, Any]:
    """The answers as the page would store them, or WriteRefused naming each refused one
    (body.answers.<field>) with the page's message. A null answer clears the field."""
    known = {f.id for f in spec.fields}
    errors = [
        FieldError(f"body.answers.{key}", _("There is no such question in this form."))
        for key in answers
        if key not in known
    ]
    errors += [
        FieldError(f"body.answers.{key}", _("The answer is nested too deeply."))
        for key, value in answers.items()
        if key in known and _depth(value) > MAX_DEPTH
    ]
    if errors:
        raise WriteRefused(422, _("Some answers are not accepted."), errors)
    ids = [f.id for f in spec.fields if f.id in answers]
    if not ids:
        return {}
    form_class = build_form_class(spec, ApiEntryForm, language, ids)
    try:
        drawn = form_class(formdata=None, data=form_data_from_answers(spec, dict(answers), ids))
        posted = form_class(formdata=posted_data(drawn))
    except (TypeError, ValueError, AttributeError, KeyError):
        posted = None
    if posted is None:
        errors = [
            FieldError(f"body.answers.{i}", _("The value is not one this question takes."))
            for i in ids
        ]
        raise WriteRefused(422, _("Some answers are not accepted."), errors)
    if not posted.validate():
        errors = [
            FieldError(f"body.answers.{field_id}", message)
            for field_id, message in typed_problems(spec, posted, ids, language)
        ]
        raise WriteRefused(422, _("Some answers are not accepted."), errors)
    stored = answers_from_form(spec, posted, ids)
    errors = [
        FieldError(f"body.answers.{i}", _("The value is not one this question takes."))
        for i in ids
        if not _kept(answers[i], stored.get(i))
    ]
    if errors:
        raise WriteRefused(422, _("Some answers are not accepted."), errors)
    return stored


def _problem_paths(found: list[entry.Problem]) -> list[FieldError]:
    paths = []
    for problem in found:
        if problem.warning_rule:
            path = f"body.confirmations.{problem.warning_rule}"
        elif problem.field_id:
            path = f"body.answers.{problem.field_id}"
        else:
            path = "body"
        paths.append(FieldError(path, problem.message))
    return paths


def open_report(session: Session, user: User, campaign_id: int, unit_id: int) -> entry.Entry:
    """The unit's report in the campaign, opened as its page opens it (the same
    permission checks: another unit's is not found, a reader's is forbidden)."""
    campaign = session.get(Campaign, campaign_id)
    unit = session.get(OrgUnit, unit_id)
    if campaign is None or unit is None:
        raise NotInScope(campaign_id)
    response = unit_report(session, campaign, unit)
    if response is None:
        raise NotInScope(unit_id)
    found = entry.open_campaign_entry(session, user, response.id)
    if found.spec.kind != "unit_report":
        raise NotInScope(unit_id)
    return found


def write_report(
    session: Session,
    user: User,
    campaign_id: int,
    unit_id: int,
    answers: Mapping[str, Any],
    *,
    submit: bool,
    language: str,
    revision: int | None = None,
    confirmations: Mapping[str, str] | None = None,
) -> Written:
    """Save the answers sent into the unit's report (fields not sent keep theirs), and
    submit it when asked. WriteRefused when anything stands in the way; then the caller
    rolls back (a refused submit keeps no draft either)."""
    report = open_report(session, user, campaign_id, unit_id)
    stored = checked_answers(report.spec, answers, language)
    ids = [f.id for f in report.spec.fields if f.id in answers]
    unknown = entry.unknown_unit_codes(session, report.spec, stored)
    if unknown:
        errors = [
            FieldError(f"body.answers.{i}", _("No organisation has this code.")) for i in unknown
        ]
        raise WriteRefused(422, _("Some answers are not accepted."), errors)
    if not report.editable:
        if submit and entry.already_submitted(report, stored, ids):
            assert report.response is not None
            return Written(report.response, [])  # sent again after it was taken
        raise WriteRefused(409, _("This report cannot be changed now."))
    rules = {r.id for r in report.spec.rules if r.warning}
    errors = [
        FieldError(f"body.confirmations.{key}", _("There is no such warning in this form."))
        for key in confirmations or {}
        if key not in rules
    ]
    if errors:
        raise WriteRefused(422, _("Some answers are not accepted."), errors)
    outcome = entry.save_and_check(
        session,
        user,
        report,
        stored,
        ids,
        base_revision=report.revision if revision is None else revision,
        submitting=submit,
        confirmations=dict(confirmations or {}) or None,
    )
    if outcome.conflict is not None:
        raise WriteRefused(
            409,
            _(
                "%(who)s saved this report since revision %(revision)d; read it again.",
                who=outcome.conflict.by,
                revision=revision or 0,
            ),
        )
    assert report.response is not None
    if submit and outcome.problems:
        raise WriteRefused(422, _("The report is not submitted."), _problem_paths(outcome.problems))
    return Written(report.response, _problem_paths(outcome.problems))


# --- idempotency --------------------------------------------------------------------------


def request_hash(method: str, path: str, body: Any) -> str:
    text = json.dumps([method, path, body], sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def stored_request(session: Session, token_id: int, key: str) -> IdempotentRequest | None:
    return session.scalar(
        select(IdempotentRequest).where(
            IdempotentRequest.token_id == token_id, IdempotentRequest.key == key
        )
    )


def keep_request(
    session: Session, token_id: int, key: str, digest: str, status: int, answer: dict[str, Any]
) -> None:
    session.add(
        IdempotentRequest(
            token_id=token_id, key=key, request_hash=digest, status=status, answer=answer
        )
    )
