"""The start page's picture of the monitoring systems: one per source document, with
its forms, the campaigns the user sees and its registries. A system belongs to the units
that own its forms: the user sees those of its forms in the user's territory
(collector.publishing.versions.offered_versions) and a system only when some of it is
the user's (a form offered, a campaign seen)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from collector.campaigns.lifecycle import CampaignState
from collector.campaigns.queue import review_queue
from collector.campaigns.services import visible_campaigns
from collector.entry.services import CampaignTask, campaign_tasks
from collector.models import Campaign, FormVersion, ResponseState, User
from collector.publishing.versions import offered_versions

DOCUMENTS = Path(__file__).resolve().parents[2] / "form_schemas" / "sources" / "documents.json"


@dataclass
class System:
    seed: str
    short: str
    title: str
    issuer: str
    forms: list[FormVersion] = field(default_factory=list)
    campaigns: list[Campaign] = field(default_factory=list)

    @property
    def registries(self) -> list[FormVersion]:
        return [f for f in self.forms if f.kind == "registry"]

    @property
    def reports_and_surveys(self) -> list[FormVersion]:
        return [f for f in self.forms if f.kind != "registry"]


def _seed(document: dict[str, Any]) -> str | None:
    seed = document.get("source", {}).get("seed")
    return str(seed) if seed is not None else None


def systems(session: Session, user: User) -> list[System]:
    """Every source document with a form or a campaign for the user, in the documents'
    order."""
    raw = json.loads(DOCUMENTS.read_text(encoding="utf-8"))["documents"]
    found = {d["seed"]: System(d["seed"], d["short"], d["title"], d["issuer"]) for d in raw}
    for version in offered_versions(session, user):
        seed = _seed(version.document)
        if seed in found:
            found[seed].forms.append(version)
    for campaign in visible_campaigns(session, user):
        seed = _seed(campaign.form_version.document)
        if seed in found:
            found[seed].campaigns.append(campaign)
    return [s for s in found.values() if s.forms or s.campaigns]


# A report still to be done by its organisation: not sent yet, or sent back to it.
TO_DO = (ResponseState.NOT_STARTED, ResponseState.DRAFT, ResponseState.RETURNED)


def tasks_to_do(session: Session, user: User) -> list[CampaignTask]:
    """The reports the user's organisations still have to send in open campaigns, the
    nearest deadline first (as «Мои формы» lists them), overdue ones marked."""
    return [
        task
        for task in campaign_tasks(session, user)
        if task.campaign.state == CampaignState.OPEN and task.response.status in TO_DO
    ]


def waiting_for_review(session: Session, user: User) -> int:
    """How many reports wait for the user's decision."""
    return len(review_queue(session, user))
