"""Where webhook events come from: the audit records the services leave for every change
(collector.audit.record). When a transaction that holds such records commits, a delivery
is made for each webhook whose territory the event lies in, in the same transaction (an
event rolled back is never told), and a job is started to send them once it commits."""

from __future__ import annotations

import json
import logging
import secrets
from typing import Any

from redis.exceptions import RedisError
from sqlalchemy import event, select
from sqlalchemy.orm import Session, UOWTransaction

from collector.auth.permissions import Action
from collector.auth.services import can
from collector.models import (
    AuditEvent,
    Campaign,
    FormResponse,
    Job,
    JobState,
    OrgUnit,
    Webhook,
    WebhookDelivery,
)
from collector.models.base import utcnow
from collector.webhooks.delivery import WEBHOOK_JOB

logger = logging.getLogger(__name__)

EVENT_OF_ACTION = {
    "response.submit": "report.submitted",
    "response.return": "report.returned",
    "response.accept": "report.accepted",
    "campaign.open": "campaign.opened",
    "campaign.closed": "campaign.closed",
    "export.ready": "export.ready",
    "import.refused": "import.refused",
}
_SEEN = "webhook_events"
_JOB = "webhook_job"


def _unit(unit: OrgUnit) -> dict[str, Any]:
    return {"id": unit.id, "code": unit.code, "name": unit.name, "unit_type": unit.unit_type}


def _noticed(session: Session, _context: UOWTransaction) -> None:
    for obj in session.new:
        if isinstance(obj, AuditEvent) and obj.action in EVENT_OF_ACTION:
            session.info.setdefault(_SEEN, []).append(obj)


def _refused_import(session: Session, audit: AuditEvent) -> tuple[dict[str, Any], list[str]]:
    """What a refused import tells (no row of the file: the job's outcome has them, for
    whoever may see the job), and the units whose territory it lies in."""
    details = audit.details
    units = [session.get(OrgUnit, i) for i in details.get("units", []) if isinstance(i, int)]
    job_id = details.get("job")
    data = {
        "kind": details.get("kind"),
        "job": job_id,
        "status": f"/api/v1/jobs/{job_id}" if isinstance(job_id, str) else None,
        "filename": details.get("filename"),
        "errors": details.get("errors"),
        "campaign": details.get("campaign"),
        "table": details.get("table"),
    }
    return data, [unit.path for unit in units if unit is not None]


def _event_of(session: Session, audit: AuditEvent) -> tuple[dict[str, Any], list[str], bool] | None:
    """(data, the paths of the units it lies at, whether a hook's unit may hold such a
    path or lie inside it)."""
    if audit.action == "import.refused":
        data, paths = _refused_import(session, audit)
        return data, paths, False
    if audit.action == "export.ready":
        root = session.get(OrgUnit, audit.details.get("unit"))
        job_id = audit.details.get("job")
        if root is None or not isinstance(job_id, str):
            return None
        data = {
            "campaign": audit.object_id,
            "job": job_id,
            "unit": _unit(root),
            "table": audit.details.get("table"),
            "download": f"/api/v1/jobs/{job_id}/file",
        }
        return data, [root.path], False
    if audit.object_type == FormResponse.__tablename__:
        response = session.get(FormResponse, audit.object_id)
        if response is None or response.campaign_id is None:
            return None
        data = {
            "campaign": response.campaign_id,
            "response": response.id,
            "unit": _unit(response.unit),
            "status": audit.details.get("after", response.status),
            "comment": audit.details.get("comment"),
        }
        return data, [response.unit.path], False
    if audit.object_type == Campaign.__tablename__:
        campaign = session.get(Campaign, audit.object_id)
        if campaign is None:
            return None
        root = campaign.subtree_unit or campaign.owner_unit
        data = {
            "campaign": campaign.id,
            "title": campaign.title,
            "state": campaign.state,
            "owner": _unit(campaign.owner_unit),
        }
        return data, [root.path], True
    return None


def _needs(name: str, data: dict[str, Any]) -> Action:
    """What a hook's owner must be allowed at its unit to be told of the event."""
    if name == "export.ready":
        return Action.EXPORT  # those who may export (and so fetch) it
    if name == "import.refused":
        return Action.RUN_CAMPAIGNS if data.get("kind") == "table" else Action.IMPORT_UNITS
    return Action.REVIEW_REPORTS


def _may_be_told(hook: Webhook, action: Action) -> bool:
    """Whether the hook's owner may still read the event: an active account (its roles
    outlive a deactivation) allowed the action at the hook's unit."""
    return hook.owner.is_active and can(hook.owner, action, hook.unit)


def _deliveries(session: Session, audits: list[AuditEvent]) -> int:
    hooks = list(session.scalars(select(Webhook).where(Webhook.active.is_(True))))
    if not hooks:
        return 0
    made = 0
    now = utcnow()
    for audit in audits:
        found = _event_of(session, audit)
        if found is None:
            continue
        data, paths, overlapping = found
        name = EVENT_OF_ACTION[audit.action]
        body = json.dumps(
            {"event": name, "occurred_at": (audit.at or now).isoformat(), "data": data},
            ensure_ascii=False,
        )
        for hook in hooks:
            inside = any(path.startswith(hook.unit.path) for path in paths)
            around = overlapping and any(hook.unit.path.startswith(path) for path in paths)
            if not (inside or around):
                continue
            if name not in hook.events or not _may_be_told(hook, _needs(name, data)):
                continue
            session.add(
                WebhookDelivery(
                    webhook_id=hook.id,
                    event=name,
                    body=body,
                    state="pending",
                    next_attempt_at=now,
                    attempts=[],
                )
            )
            made += 1
    return made


def _before_commit(session: Session) -> None:
    if session.new:
        session.flush()  # audit records added since the last flush are noticed
    audits: list[AuditEvent] = session.info.pop(_SEEN, [])
    if audits and _deliveries(session, audits):
        send_after_commit(session)


def send_after_commit(session: Session) -> None:
    """A job sends what is due once this transaction commits (unless one is waiting to
    start: it will find these too). One already running may have looked for what is due
    before these were made, so another is started; the two never post the same delivery
    (delivery._claimed)."""
    if _JOB in session.info:
        return
    waiting = session.scalar(
        select(Job.id).where(Job.dedupe_key == WEBHOOK_JOB, Job.state == JobState.QUEUED.value)
    )
    if waiting is not None:
        return
    job = Job(
        id=secrets.token_hex(16),
        kind=WEBHOOK_JOB,
        params={},
        dedupe_key=WEBHOOK_JOB,
        title="Webhook deliveries",
        progress={},
        state=JobState.QUEUED.value,
    )
    session.add(job)
    session.flush()
    session.info[_JOB] = job.id


def _after_commit(session: Session) -> None:
    job_id = session.info.pop(_JOB, None)
    if job_id is None:
        return
    from collector.jobs.dispatch import dispatcher

    try:
        dispatcher().submit(job_id)
    except RedisError:
        # The job stays queued; the sweep fails it and `flask webhooks deliver` (cron)
        # sends what waits.
        logger.exception("webhook deliveries (job %s) could not be queued", job_id)


def _forget(session: Session, *_args: Any) -> None:
    session.info.pop(_SEEN, None)
    session.info.pop(_JOB, None)


def listen() -> None:
    """Installs the listeners on every session (once per process)."""
    if event.contains(Session, "after_flush", _noticed):
        return
    event.listen(Session, "after_flush", _noticed)
    event.listen(Session, "before_commit", _before_commit)
    event.listen(Session, "after_commit", _after_commit)
    event.listen(Session, "after_rollback", _forget)
