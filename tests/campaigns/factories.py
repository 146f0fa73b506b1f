"""Making a campaign for a test: publish a form (the base test form by default) and let
the region's coordinator create it, Moscow time."""

from __future__ import annotations

import copy
from datetime import datetime
from typing import Any

from collector.campaigns.lifecycle import LatePolicy
from collector.campaigns.services import NewCampaign, create_campaign, open_campaign
from collector.extensions import db
from collector.models import Campaign, OrgUnit, User
from collector.publishing.services import publish
from collector.schema import compile_document
from tests.schema.cases import base


def new_campaign(
    tree: dict[str, OrgUnit],
    people: dict[str, User],
    *,
    deadline: datetime,
    policy: LatePolicy = LatePolicy.REFUSE,
    document: dict[str, Any] | None = None,
    title: str = "Мониторинг 2026",
    year: int = 2025,
    opened: bool = False,
) -> Campaign:
    tree["region"].timezone = "Europe/Moscow"
    document = document or copy.deepcopy(base())
    version = publish(db.session, compile_document(document), None).form_version
    unit_types = document["respondents"]["unit_types"]
    campaign = create_campaign(
        db.session,
        people["region"],
        NewCampaign(
            title,
            version,
            tree["region"],
            year,
            None,
            policy,
            dict.fromkeys(unit_types, deadline),
        ),
    )
    if opened:
        open_campaign(db.session, people["region"], campaign)
    db.session.commit()
    return campaign
