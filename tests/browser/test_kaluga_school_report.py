"""A demo school fills the Kaluga monitoring report (order № 1829) in the browser, with
scripts and without: saves a draft, reloads, breaks a part ≤ total rule, sees the message
with its values kept, fixes it, fills every section, submits; the stored response holds
exactly the typed values."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from collector.extensions import db
from collector.models import FormResponse, OrgUnit
from collector.publishing.services import publish
from collector.schema import compile_text
from demo.seed import DEMO_LOGINS, seed_demo

ROOT = Path(__file__).resolve().parents[2]
PARTS = {
    "media_district",
    "media_regional",
    "psychologists_with_tools",
    "graduates_to_poo_region",
    "graduates_to_vo_region",
}


def typed_value(name: str) -> int:
    field_id = name.split("-")[0]
    return 4 if field_id in PARTS else 20 + len(name) % 7


def expected_answer(answers: dict[str, Any], name: str, value: Any) -> None:
    """Mirror what a typed input becomes in the stored answers."""
    parts = name.split("-")
    if len(parts) == 1:
        answers[name] = value
    elif len(parts) == 2:  # a grid cell: field-row__column
        row, column = parts[1].split("__")
        answers.setdefault(parts[0], {}).setdefault(row, {})[column] = value
    else:  # a table cell: field-index-column
        rows = answers.setdefault(parts[0], [])
        while len(rows) <= int(parts[1]):
            rows.append({})
        rows[int(parts[1])][parts[2]] = value


def fill_section(page, answers: dict[str, Any]) -> None:
    for radio in page.locator("input[type=radio][value=yes]").all():
        radio.check()
        answers[radio.get_attribute("name")] = True
    for box in page.locator("input[inputmode=numeric]").all():
        name = box.get_attribute("name")
        value = typed_value(name)
        box.fill(str(value))
        expected_answer(answers, name, value)


@pytest.mark.parametrize("scripts", [True, False], ids=["scripts", "no-scripts"])
def test_demo_school_fills_and_submits_the_kaluga_report(browser, server, app, scripts):
    """With scripts, and the same form with scripts disabled (every question drawn, the
    server alone checking): the same typing gives the same submitted report."""
    context = browser.new_context(
        locale="ru-RU", viewport={"width": 1280, "height": 900}, java_script_enabled=scripts
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        fill_and_submit(page, server)
    finally:
        context.close()


def fill_and_submit(page, server) -> None:
    seed_demo(db.session)
    for name in ("kaluga-1829-school.json", "kaluga-1829-municipality.json"):
        publish(db.session, compile_text((ROOT / "form_schemas" / name).read_bytes()), None)
    db.session.commit()
    login = next(item for item in DEMO_LOGINS if item.username == "school")
    school = db.session.scalar(select(OrgUnit).where(OrgUnit.code == login.unit_code))

    page.goto(server.url + "/login")
    page.get_by_label("Логин").fill(login.username)
    page.get_by_label("Пароль").fill(login.password)
    page.get_by_role("button", name="Войти").click()
    page.goto(server.url + "/entry/")
    page.get_by_text("отчёт общеобразовательной организации").click()

    # A draft, reloaded.
    page.get_by_label("Публикации в СМИ по профориентации, всего, ед.").fill("3")
    page.get_by_role("button", name="Сохранить черновик").click()
    # Reload only once the save's own page has arrived, or the reload cuts it off.
    page.get_by_text("Черновик сохранён.").wait_for()
    page.reload()
    assert page.get_by_label("Публикации в СМИ по профориентации, всего, ед.").input_value() == "3"

    # A part above its total: the message stands beside the field, the values stay.
    page.get_by_label("из них в районных СМИ, ед.").fill("5")
    page.get_by_role("button", name="Сохранить черновик").click()
    # The group's message stands once, after its last part.
    message = page.locator("#field-media_regional .invalid-feedback")
    assert "не может быть больше" in message.inner_text()
    assert page.get_by_label("из них в районных СМИ, ед.").input_value() == "5"
    assert page.get_by_label("Публикации в СМИ по профориентации, всего, ед.").input_value() == "3"

    # Every section filled, the rule fixed on the way, then submitted.
    answers: dict[str, Any] = {}
    sections = page.locator("[data-testid=outline] a")
    for index in range(sections.count()):
        link = page.locator("[data-testid=outline] a").nth(index)
        title = link.inner_text()
        link.click()
        # Each step waits for the page it caused, so no input lands on the page before.
        expect(page.locator("h2")).to_have_text(title)
        fill_section(page, answers)
        page.get_by_role("button", name="Сохранить черновик").click()
        page.get_by_text("Черновик сохранён.").wait_for()
        assert page.locator(".invalid-feedback").count() == 0
    page.get_by_role("button", name="Отправить отчёт").click()
    page.get_by_text("Отчёт отправлен.").wait_for()

    db.session.expire_all()
    response = db.session.scalar(select(FormResponse).where(FormResponse.unit_id == school.id))
    assert response.status == "submitted"
    assert response.answers == answers
