"""The start page shows each monitoring system (one per source document) with its forms,
the campaigns the user sees and its registries."""

from __future__ import annotations

from datetime import datetime

from tests.campaigns.factories import new_campaign
from tests.conftest import login_as
from tests.registries.fixtures import publish_classes
from tests.reports.fixtures import report_form


def test_the_start_page_leads_to_each_systems_campaigns_and_registries(client, tree, people):
    publish_classes()  # seed 000: the Tomsk concept of 2016
    document = report_form()
    document["source"]["seed"] = "004"  # Kaluga's order
    campaign = new_campaign(
        tree, people, deadline=datetime(2026, 12, 1, 18, 0), document=document, opened=True
    )
    login_as(client, people["region"])
    page = client.get("/").get_data(as_text=True)
    tomsk = page[page.index('data-system="000"') :]
    kaluga = page[page.index('data-system="004"') :]
    assert "/registries/test-classes/" in tomsk and "/public/registries/test-classes" in tomsk
    assert f"/campaigns/{campaign.id}" in kaluga and f"/reports/campaigns/{campaign.id}" in kaluga
    # A system with no published form is not shown; another region's campaigns are not.
    assert 'data-system="001"' not in page
    login_as(client, people["other_region"])
    other = client.get("/").get_data(as_text=True)
    assert f"/campaigns/{campaign.id}" not in other and 'data-system="000"' in other
