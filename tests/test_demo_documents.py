"""The demo's last two systems: the city of Nevinnomyssk with its April–May monitoring,
its satisfaction surveys and the September graduates' monitoring; the Tomsk concept of
2016 with its registries (records with a history, one archived per registry), the
confirmation of profile classes and its school and city reports. Every system of the
five documents has a campaign with answers, reachable from the start page."""

from __future__ import annotations

from collections import Counter

import pytest
from sqlalchemy import select

from collector.auth.services import authenticate
from collector.campaigns.completeness import DONE
from collector.campaigns.services import visible_campaigns
from collector.demo import nevinnomyssk, tomsk
from collector.demo.tomsk2016 import PLAN
from collector.entry.services import problems, spec_of
from collector.extensions import db
from collector.main.services import systems
from collector.models import Campaign, FormResponse, RegistryRecord
from collector.reports.services import Basis, campaign_report
from tests.conftest import login_as
from tests.test_demo_seed import FORMS, by_code, count, publish_forms, seed, units_by_type

ALL_FORMS = tuple(p.stem for p in sorted(FORMS.glob("*.json")) if p.name != "meta-schema.json")


@pytest.fixture
def demo(app):
    publish_forms(*ALL_FORMS)
    return seed()


def campaigns_of(prefix: str) -> dict[str, Campaign]:
    return {
        c.form_version.form_id: c
        for c in db.session.scalars(select(Campaign).order_by(Campaign.id))
        if c.form_version.form_id.startswith(prefix)
    }


def responses(campaign: Campaign) -> list[FormResponse]:
    return list(
        db.session.scalars(select(FormResponse).where(FormResponse.campaign_id == campaign.id))
    )


def test_nevinnomyssk_is_a_city_running_its_monitorings(demo):
    city = by_code(nevinnomyssk.CITY_CODE)
    assert (city.unit_type, city.parent.name) == ("municipality", "Ставропольский край")
    assert units_by_type(nevinnomyssk.REGION_CODE) == {
        "region": 1,
        "municipality": 1,
        "school": len(nevinnomyssk.demo_schools()),
    }
    found = campaigns_of("nevinnomyssk-")
    assert set(found) == {
        "nevinnomyssk-2020-school-monitoring",
        "nevinnomyssk-2020-graduate-employment",
        "nevinnomyssk-2020-pupil-satisfaction",
        "nevinnomyssk-2020-parent-satisfaction",
    }
    coordinator = authenticate(db.session, "nevinnomyssk", "demo-nevinnomyssk-2026")
    assert {c.id for c in visible_campaigns(db.session, coordinator)} == {
        c.id for c in found.values()
    }
    for form_id, campaign in found.items():
        assert campaign.owner_unit_id == city.id
        spec = spec_of(campaign.form_version)
        answers = responses(campaign)
        if spec.kind == "survey":
            assert len(answers) >= 100
            continue
        states = Counter(r.status for r in answers)
        assert sum(states[s] for s in DONE) >= 0.6 * len(answers), states
        for response in answers:
            if response.status in DONE:
                assert problems(spec, response.answers, for_submission=True) == [], form_id
        report = campaign_report(db.session, coordinator, campaign, Basis.SUBMITTED, stored=False)
        values = [report.value(i.id, city.id) for i in spec.computed_indicators]
        assert all(v is not None and v.status == "ok" for v in values), form_id
        shares = [
            v.value for i, v in zip(spec.computed_indicators, values, strict=True) if i.unit == "%"
        ]
        assert all(0 <= s <= 100 for s in shares), form_id


def test_tomsk_2016_registries_have_records_with_their_history(demo):
    city = by_code(tomsk.CITY_CODE)
    for form_id in PLAN:
        records = list(
            db.session.scalars(select(RegistryRecord).where(RegistryRecord.form_id == form_id))
        )
        assert records, form_id
        assert all(r.unit.path.startswith(city.path) for r in records)
        if len(records) > 2:
            assert sum(r.status == "archived" for r in records) == 1, form_id
            assert any(r.revision == 2 and r.revisions[0].change == "edited" for r in records)
        assert all(r.revisions[-1].change == "created" for r in records)
    # Profile classes are senior grades: no basic school keeps one.
    classes = db.session.scalars(
        select(RegistryRecord).where(RegistryRecord.form_id.like("tomsk-2016-classes-%"))
    )
    assert not [r for r in classes if "ООШ" in r.unit.name]


def test_tomsk_2016_campaigns_confirm_the_classes_and_report(demo, client):
    found = campaigns_of("tomsk-2016-")
    assert set(found) == {
        "tomsk-2016-classes-employers",
        "tomsk-2016-school-report",
        "tomsk-2016-city-report",
    }
    confirmation = found["tomsk-2016-classes-employers"]
    confirmed = [r for r in responses(confirmation) if r.status in DONE]
    assert len(confirmed) >= 0.7 * len(responses(confirmation))
    kept = {r.unit_id: len(r.answers["records"]) for r in confirmed}
    active = Counter(
        r.unit_id
        for r in db.session.scalars(
            select(RegistryRecord).where(
                RegistryRecord.form_id == "tomsk-2016-classes-employers",
                RegistryRecord.status == "active",
            )
        )
    )
    # Each confirmation holds the school's active classes; most schools have none.
    assert all(kept[unit] == active.get(unit, 0) for unit in kept)
    assert 0 < sum(kept.values()) and list(kept.values()).count(0) > len(kept) / 2
    coordinator = authenticate(db.session, "tomsk", "demo-tomsk-2026")
    report = campaign_report(db.session, coordinator, confirmation, Basis.SUBMITTED, stored=False)
    city = by_code(tomsk.CITY_CODE)
    assert report.value("classes", city.id).value == sum(kept.values())
    # The report's rows the document only announces say so.
    login_as(client, coordinator)
    school_report = found["tomsk-2016-school-report"]
    page = client.get(f"/reports/campaigns/{school_report.id}").get_data(as_text=True)
    assert page.count('data-status="not_defined"') == 3  # 5.2, 6.3, 7.1


def test_the_start_page_shows_all_five_systems(demo, client):
    admin = authenticate(db.session, "admin", "demo-admin-2026")
    shown = systems(db.session, admin)
    assert [s.seed for s in shown] == ["000", "001", "002", "003", "004"]
    assert all(s.campaigns for s in shown)
    assert len(next(s for s in shown if s.seed == "000").registries) == len(PLAN)
    login_as(client, admin)
    page = client.get("/").get_data(as_text=True)
    for system in shown:
        assert f'data-system="{system.seed}"' in page
    assert count(Campaign) == sum(len(s.campaigns) for s in shown)
