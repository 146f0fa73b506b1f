"""Issue 23, done when: a Kaluga school, a Tomsk school and the Omsk coordinator log in to
the demo region (every shipped form published, five monitoring systems, four territories)
and find on each page (the start page, «Мои формы», a new campaign, registries, reports)
only their own territory's systems, forms, campaigns and registries.

What each link or choice on a page belongs to is read from the database: a form by its
id's document (its owner since the demo), a campaign by its form, a system by its seed."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from collector.extensions import db
from collector.models import Campaign, FormResponse, FormVersion
from tests.browser.demo_world import load_demo, log_in_as

SCHEMAS = Path(__file__).resolve().parents[2] / "form_schemas"
# Each document's forms are named after it (demo.seed.FORM_OWNERS gives them their owner).
TERRITORY_OF_PREFIX = {
    "kaluga-": "kaluga",
    "tomsk-": "tomsk",
    "omsk-": "omsk",
    "nevinnomyssk-": "nevinnomyssk",
}
# How each territory is named on a page: another's name must not be there.
NAMES = {
    "kaluga": re.compile(r"Калуг|Калужск|Обнинск"),
    "tomsk": re.compile(r"Томск"),
    "omsk": re.compile(r"(?<![Тт])Омск"),
    "nevinnomyssk": re.compile(r"Невинномысск"),
}
PEOPLE = {
    # login: territory, the systems (seeds) its start page shows
    "school": ("kaluga", {"004"}),
    "tomsk-g6": ("tomsk", {"000", "002"}),
    "omsk": ("omsk", {"003"}),
}


def territory_of_form(form_id: str) -> str:
    return next(t for prefix, t in TERRITORY_OF_PREFIX.items() if form_id.startswith(prefix))


def territory_of_seed() -> dict[str, str]:
    seeds = {}
    for path in SCHEMAS.glob("*.json"):
        document = json.loads(path.read_text(encoding="utf-8"))
        if "kind" in document:
            seeds[document["source"]["seed"]] = territory_of_form(document["id"])
    return seeds


def campaign_form(campaign_id: int) -> str:
    campaign = db.session.get(Campaign, campaign_id)
    assert campaign is not None, campaign_id
    return campaign.form_version.form_id


def response_form(response_id: int) -> str:
    response = db.session.get(FormResponse, response_id)
    assert response is not None, response_id
    return response.form_id


def version_form(version_id: int) -> str:
    return db.session.scalar(select(FormVersion.form_id).where(FormVersion.id == version_id))


def forms_linked(page) -> dict[str, set[str]]:
    """The forms each kind of link on the page leads to (by their form ids)."""
    hrefs = page.locator("main a[href]").evaluate_all(
        "links => links.map(a => new URL(a.href).pathname)"
    )
    found: dict[str, set[str]] = {"campaigns": set(), "reports": set(), "registries": set()}
    for href in hrefs:
        if m := re.fullmatch(r"/(?:campaigns|reports/campaigns)/(\d+)(?:/.*)?", href):
            found["campaigns"].add(campaign_form(int(m.group(1))))
        elif m := re.fullmatch(r"/entry/response/(\d+)", href):
            found["reports"].add(response_form(int(m.group(1))))
        elif m := re.fullmatch(r"/entry/([a-z0-9-]+)/\d+", href):
            found["reports"].add(m.group(1))
        elif m := re.fullmatch(r"/(?:public/)?registries/([a-z0-9-]+)/(?:.*)", href):
            found["registries"].add(m.group(1))
    return found


def territories(form_ids: set[str]) -> set[str]:
    return {territory_of_form(f) for f in form_ids}


def others_named(page, own: str) -> list[str]:
    text = page.locator("main").inner_text()
    return [t for t, name in NAMES.items() if t != own and name.search(text)]


@pytest.fixture
def demo(app):
    load_demo()


def test_each_person_is_shown_only_their_territorys_material(page, server, demo):
    seeds = territory_of_seed()
    for login, (own, systems) in PEOPLE.items():
        log_in_as(page, server.url, login)
        seen: dict[str, set[str]] = {"campaigns": set(), "reports": set(), "registries": set()}

        # The start page: its systems, and whatever its cards and tasks link to.
        shown = set(page.locator("[data-system]").evaluate_all("s => s.map(e => e.dataset.system)"))
        assert shown == systems, login
        assert {seeds[s] for s in shown} == {own}
        for kind, forms in forms_linked(page).items():
            seen[kind] |= forms
        assert others_named(page, own) == [], (login, "/")

        # «Мои формы»: tasks, surveys to hand out and forms outside campaigns.
        page.goto(server.url + "/entry/")
        if login != "omsk":  # the city's own report is its municipal coordinator's
            assert page.locator("[data-testid=tasks] a, [data-testid=assignments] a").count()
        for kind, forms in forms_linked(page).items():
            seen[kind] |= forms
        assert others_named(page, own) == [], (login, "/entry/")

        # Registries: the list and each one offered.
        page.goto(server.url + "/registries/")
        listed = set(
            page.locator("[data-registry]").evaluate_all("r => r.map(e => e.dataset.registry)")
        )
        seen["registries"] |= listed
        if own == "kaluga":  # Kaluga keeps none: it is told so, not that none exists
            assert listed == set()
            expect(page.get_by_test_id("no-registries")).to_have_text(
                "На вашей территории не ведётся ни одного реестра."
            )
        assert others_named(page, own) == [], (login, "/registries/")
        for form_id in sorted(listed):
            page.goto(f"{server.url}/registries/{form_id}/")
            assert others_named(page, own) == [], (login, form_id)

        if login == "omsk":
            # A new campaign offers the city's forms for the city's units only.
            page.goto(server.url + "/campaigns/new")
            offered = page.locator("select[name=form_version] option").evaluate_all(
                "o => o.map(e => e.value).filter(Boolean)"
            )
            assert offered, "no form offered"
            seen["campaigns"] |= {version_form(int(v)) for v in offered}
            owners = page.locator("select[name=owner] option").all_inner_texts()
            assert owners == ["Городской округ «Город Омск»"]
            assert others_named(page, own) == [], (login, "/campaigns/new")
            # Campaigns, the review queue and each campaign's report.
            for path in ("/campaigns/", "/campaigns/queue"):
                page.goto(server.url + path)
                for kind, forms in forms_linked(page).items():
                    seen[kind] |= forms
                assert others_named(page, own) == [], (login, path)
            campaigns = db.session.scalars(select(Campaign.id).order_by(Campaign.id)).all()
            reports = [c for c in campaigns if territory_of_form(campaign_form(c)) == own]
            assert reports
            for campaign_id in reports:
                page.goto(f"{server.url}/reports/campaigns/{campaign_id}")
                page.wait_for_selector("h1")
                assert others_named(page, own) == [], (login, campaign_id)
        else:
            # A school runs no campaign.
            assert page.goto(server.url + "/campaigns/new").status == 403

        assert seen["reports"] or seen["campaigns"], login
        for kind, forms in seen.items():
            assert territories(forms) <= {own}, (login, kind, forms)
