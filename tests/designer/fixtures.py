"""Helpers for the designer tests: start a draft, add elements and save element forms
through the HTTP endpoints, as the editor's pages post them; and small published forms."""

from __future__ import annotations

import copy
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import func, select

from collector.extensions import db
from collector.models import AuditEvent, FormDraft, FormVersion, OrgUnit
from collector.publishing.services import publish
from collector.schema import compile_document


def draft(draft_id: int) -> FormDraft:
    """The draft as stored now (the session's copy refreshed)."""
    db.session.expire_all()
    found = db.session.get(FormDraft, draft_id)
    assert found is not None
    return found


def draft_id_of(response: Any) -> int:
    """The draft a start (new, upload, copy, revise) redirected to."""
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    location = response.headers["Location"]
    assert "/designer/drafts/" in location, location
    return int(location.split("/designer/drafts/")[1].split("?")[0].split("/")[0])


def start(
    client: FlaskClient,
    unit: OrgUnit | None,
    form_id: str,
    title: str = "Опрос о профориентации",
    kind: str = "survey",
) -> int:
    response = client.post(
        "/designer/new",
        data={
            "unit": "" if unit is None else str(unit.id),
            "id": form_id,
            "title": title,
            "kind": kind,
        },
    )
    return draft_id_of(response)


def add(client: FlaskClient, draft_id: int, what: str, **extra: Any) -> str:
    """Add an element; returns the element key the editor went to."""
    data = {"what": what, "revision": str(draft(draft_id).revision), **extra}
    response = client.post(f"/designer/drafts/{draft_id}/add", data=data)
    assert response.status_code == 302
    return response.headers["Location"].split("element=")[1]


def save(client: FlaskClient, draft_id: int, key: str, data: dict[str, Any]) -> Any:
    """Post an element's form with the draft's current revision."""
    body = {"revision": str(draft(draft_id).revision), "action": "save", **data}
    return client.post(f"/designer/drafts/{draft_id}?element={key}", data=body)


def options(*items: tuple[str, str, str]) -> dict[str, str]:
    """Option rows as the field form posts them: (original code, code, Russian label)."""
    data = {}
    for n, (original, value, label) in enumerate(items):
        data[f"options-{n}-original"] = original
        data[f"options-{n}-value"] = value
        data[f"options-{n}-label_ru"] = label
    return data


def count_events(action: str) -> int:
    return (
        db.session.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.action == action)) or 0
    )


def versions(form_id: str) -> list[FormVersion]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(FormVersion).where(FormVersion.form_id == form_id).order_by(FormVersion.version)
        )
    )


# A small unit report: a choice, a number, and a question the next version drops.
REPORT: dict[str, Any] = {
    "id": "career-report",
    "version": 1,
    "kind": "unit_report",
    "title": "Отчёт о профориентации",
    "respondents": {"unit_types": ["school"]},
    "source": {},
    "sections": [
        {
            "id": "main",
            "title": "Основное",
            "fields": [
                {
                    "id": "has_plan",
                    "type": "single_choice",
                    "label": "Есть ли план профориентации?",
                    "options": [
                        {"value": "yes", "label": "Есть"},
                        {"value": "no", "label": "Нет"},
                        {"value": "draft", "label": "В работе"},
                    ],
                },
                {"id": "events", "type": "integer", "label": "Мероприятий за год"},
                {"id": "old_note", "type": "text", "label": "Примечание"},
            ],
        }
    ],
}


def publish_report(owner: OrgUnit | None, document: dict[str, Any] | None = None) -> FormVersion:
    """Publish a form as `flask schemas load` does, owned by `owner` (None: admins only)."""
    compiled = compile_document(copy.deepcopy(document or REPORT))
    version = publish(db.session, compiled, None).form_version
    version.owner_unit_id = owner.id if owner is not None else None
    db.session.commit()
    return version
