"""A soft rule in the browser, end to end (issue 24): in a campaign of the Kaluga school
report a school types 120 excursions; the page says at once that the value is unusual
(a warning, not an error); sending the report asks to confirm it; confirmed with a
comment, the report is submitted; the municipal coordinator who reviews it sees the
confirmed warning with its comment on the review page (and the totals beside the
fields, as the school saw them)."""

from __future__ import annotations

import json
import random
from datetime import date, datetime
from pathlib import Path

from playwright.sync_api import expect
from sqlalchemy import select

from collector.entry.services import problems
from collector.extensions import db
from collector.models import FormResponse
from collector.publishing.versions import spec_of
from demo.answers import synthesise
from tests.browser.test_login_menus import log_in
from tests.campaigns.factories import new_campaign

ROOT = Path(__file__).resolve().parents[2]
COMMENT = "Учтены онлайн-экскурсии проекта «Билет в будущее»"
EXCURSIONS = "Профориентационные экскурсии на предприятия и в организации Калужской области"


def test_a_confirmed_warning_reaches_the_reviewer(page, server, tree, people):
    document = json.loads((ROOT / "form_schemas" / "kaluga-1829-school.json").read_bytes())
    campaign = new_campaign(
        tree,
        people,
        deadline=datetime(2099, 5, 15, 18, 0),
        document=document,
        title="Мониторинг профориентации",
        opened=True,
    )
    response = db.session.scalar(
        select(FormResponse).where(
            FormResponse.campaign_id == campaign.id,
            FormResponse.unit_id == tree["school_a1"].id,
        )
    )
    # Every section answered but for an ordinary count of excursions: the report could be
    # submitted as it is (nothing stands in the way).
    spec = spec_of(campaign.form_version)
    answers = synthesise(spec, random.Random(24), date(2026, 4, 30))
    answers["enterprise_excursions"] = 20
    assert problems(spec, answers, for_submission=True) == []
    response.answers = answers
    response.status = "draft"
    response.revision = 1
    db.session.commit()

    log_in(page, server.url, "school")
    page.goto(f"{server.url}/entry/response/{response.id}?section=s11_2")
    excursions = page.get_by_label(EXCURSIONS)
    excursions.fill("120")
    # At once, before any send: a yellow note, not an error.
    note = page.locator("#field-enterprise_excursions [data-testid=live-warning]")
    expect(note).to_contain_text("Больше 100 экскурсий")
    expect(page.locator("#field-enterprise_excursions [data-testid=live-rule]")).to_have_count(0)
    expect(excursions).not_to_have_attribute("aria-invalid", "true")
    with page.expect_navigation():
        page.get_by_role("button", name="Отправить отчёт").click()
    # Not submitted: the warning asks to be confirmed.
    expect(page.get_by_test_id("status")).not_to_have_text("отправлен")
    expect(page.get_by_test_id("warning-summary")).to_contain_text("Больше 100 экскурсий")
    box = page.locator("#field-enterprise_excursions [data-testid=warning]")
    box.get_by_label("Значение верное").check()
    box.get_by_label("Комментарий").fill(COMMENT)
    with page.expect_navigation():
        page.get_by_role("button", name="Отправить отчёт").click()
    expect(page.get_by_test_id("status")).to_have_text("отправлен")
    with page.expect_navigation():
        page.get_by_role("button", name="Выйти").click()

    db.session.expire_all()
    assert response.status == "submitted"
    assert response.answers["enterprise_excursions"] == 120
    assert response.confirmations["excursions_unusual"]["comment"] == COMMENT

    # The municipal coordinator reviews it.
    log_in(page, server.url, "mun")
    page.goto(f"{server.url}/campaigns/{campaign.id}/responses/{response.id}")
    confirmed = page.get_by_test_id("confirmed-warnings")
    expect(confirmed).to_contain_text(EXCURSIONS)
    expect(confirmed).to_contain_text("Больше 100 экскурсий на предприятия за год")
    expect(confirmed).to_contain_text(f"«{COMMENT}»")
    expect(page.get_by_role("button", name="Принять")).to_be_visible()
    # The grid's total beside it, as the school's page showed it.
    events = answers["experience_events"]
    total = sum(events[row]["count"] for row in events if "count" in events[row])
    expect(page.locator('[data-derived="experience_events.count"]')).to_have_text(
        f"Всего (Количество, ед.): {total}"
    )
