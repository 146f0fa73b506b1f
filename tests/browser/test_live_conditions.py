"""Conditions and rules as the user types (issue 24): in the Kaluga school report an
answer «нет» hides the questions that depend on it at once, «да» brings them back with
what was typed, and the page says which typed answers will not be sent; a part greater
than its total shows the rule's message before saving. On the Tomsk parent poll's survey
page the follow-up question appears without a round trip, and with scripts off the same
page still asks for it after a send and takes the answer."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from playwright.sync_api import expect
from sqlalchemy import select

from collector.extensions import db
from collector.models import FormResponse
from collector.publishing.services import publish
from collector.schema import compile_text
from demo.seed import DEMO_LOGINS, seed_demo
from tests.campaigns.factories import new_campaign
from tests.surveys.test_survey_links import link_of

ROOT = Path(__file__).resolve().parents[2]
ORGANISED = "Выбор предпрофиля/профиля обучения был организован"
HELPED = "Что помогло вам и ребёнку сделать выбор?"


def open_kaluga_report(page, server) -> None:
    seed_demo(db.session)
    for name in ("kaluga-1829-school.json", "kaluga-1829-municipality.json"):
        publish(db.session, compile_text((ROOT / "form_schemas" / name).read_bytes()), None)
    db.session.commit()
    login = next(item for item in DEMO_LOGINS if item.username == "school")
    page.goto(server.url + "/login")
    page.get_by_label("Логин").fill(login.username)
    page.get_by_label("Пароль").fill(login.password)
    page.get_by_role("button", name="Войти").click()
    page.goto(server.url + "/entry/")
    page.get_by_text("отчёт общеобразовательной организации").click()


def test_kaluga_report_hides_and_brings_back_as_typed(page, server, app):
    open_kaluga_report(page, server)

    # Parts greater than their total together: the group's message (after its last
    # part), before any save.
    total = page.get_by_label("Публикации в СМИ по профориентации, всего, ед.")
    district = page.get_by_label("из них в районных СМИ, ед.")
    expect(district).to_be_hidden()  # no total yet: the part is not asked
    total.fill("3")
    expect(district).to_be_visible()
    page.get_by_label("из них в региональных СМИ, ед.").fill("1")
    district.fill("5")
    rule = page.locator("#field-media_regional [data-testid=live-rule]")
    expect(rule).to_contain_text("не может быть больше")
    district.fill("2")  # 2 + 1 of 3
    expect(rule).to_have_count(0)
    district.fill("5")
    expect(rule).to_have_count(1)

    # «нет» hides the table of labour associations, «да» brings it back as typed.
    page.locator("[data-testid=outline] a", has_text="11.5.").click()
    expect(page.locator("h2")).to_contain_text("11.5.")
    question = page.locator("#field-has_labour_associations")
    table = page.locator("#field-labour_associations")
    expect(table).to_be_hidden()
    question.get_by_label("Да").check()
    expect(table).to_be_visible()
    page.locator("[name=labour_associations-0-direction]").fill("Столярное дело")
    page.locator("[name=labour_associations-0-count]").fill("2")
    notice = page.get_by_test_id("hidden-answers")
    expect(notice).to_be_hidden()
    question.get_by_label("Нет").check()
    expect(table).to_be_hidden()
    expect(notice).to_be_visible()
    expect(notice).to_contain_text("Трудовые объединения школьников по направлениям")
    question.get_by_label("Да").check()
    expect(table).to_be_visible()
    expect(notice).to_be_hidden()
    expect(page.locator("[name=labour_associations-0-direction]")).to_have_value("Столярное дело")
    expect(page.locator("[name=labour_associations-0-count]")).to_have_value("2")


def poll_link(tree, people) -> str:
    document = json.loads((ROOT / "form_schemas" / "tomsk-2022-parent-poll.json").read_bytes())
    campaign = new_campaign(
        tree,
        people,
        deadline=datetime(2027, 8, 31, 23, 59),
        document=document,
        title="Опрос родителей",
        year=2026,
        opened=True,
    )
    return link_of(campaign, tree["school_a1"]).token


def test_parent_poll_asks_its_follow_up_at_once(browser, server, tree, people):
    token = poll_link(tree, people)
    context = browser.new_context(locale="ru-RU")
    page = context.new_page()
    page.set_default_timeout(10_000)
    requests: list[str] = []
    try:
        page.goto(f"{server.url}/s/{token}")
        page.on("request", lambda request: requests.append(request.method))
        helped = page.get_by_role("group", name=HELPED)
        expect(helped).to_be_hidden()
        page.get_by_label("9 класс").check()
        page.get_by_label(ORGANISED).check()
        # Shown by the page itself: nothing was sent.
        expect(helped).to_be_visible()
        assert requests == []
        # The poll's rule, before sending: «nothing» goes alone.
        helped.get_by_label("Профориентационная диагностика (тестирование) ребёнка").check()
        helped.get_by_label("Ничего из перечисленного").check()
        expect(page.get_by_test_id("live-rule")).to_contain_text("Ничего из перечисленного")
        helped.get_by_label("Ничего из перечисленного").uncheck()
        expect(page.get_by_test_id("live-rule")).to_have_count(0)
        with page.expect_navigation():
            page.get_by_role("button", name="Отправить").click()
        expect(page.get_by_test_id("thanks")).to_contain_text("Спасибо")
    finally:
        context.close()
    db.session.expire_all()
    [answer] = db.session.scalars(select(FormResponse))
    assert answer.answers == {
        "grade": "9",
        "profile_choice": "organised",
        "helped": ["diagnostics"],
    }


def test_parent_poll_without_scripts_asks_after_a_send(browser, server, tree, people):
    token = poll_link(tree, people)
    context = browser.new_context(locale="ru-RU", java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        page.goto(f"{server.url}/s/{token}")
        helped = page.get_by_role("group", name=HELPED)
        page.get_by_label("9 класс").check()
        page.get_by_label(ORGANISED).check()
        expect(helped).to_be_hidden()
        with page.expect_navigation():
            page.get_by_role("button", name="Отправить").click()
        expect(page.get_by_test_id("more-questions")).to_be_visible()
        expect(helped).to_be_visible()
        assert page.get_by_label(ORGANISED).is_checked()
        helped.get_by_label("Профориентационная диагностика (тестирование) ребёнка").check()
        with page.expect_navigation():
            page.get_by_role("button", name="Отправить").click()
        expect(page.get_by_test_id("thanks")).to_contain_text("Спасибо")
    finally:
        context.close()
    db.session.expire_all()
    [answer] = db.session.scalars(select(FormResponse))
    assert answer.answers == {
        "grade": "9",
        "profile_choice": "organised",
        "helped": ["diagnostics"],
    }


def test_kaluga_report_totals_follow_the_typing(page, server, app):
    """Totals and what is left of a total change as the user types, the same as the
    server writes them after a save; a live rule message is linked to its field."""
    open_kaluga_report(page, server)
    grid_total = page.locator('[data-derived="experience_events.count"]')
    expect(grid_total).to_be_hidden()  # nothing typed: no total (not 0)
    page.get_by_label("Школьный уровень, Количество, ед.").first.fill("2")
    expect(grid_total).to_have_text("Всего (Количество, ед.): 2")
    page.get_by_label("Региональный уровень, Количество, ед.").first.fill("5")
    expect(grid_total).to_have_text("Всего (Количество, ед.): 7")

    left = page.locator('[data-derived="rule.media_parts_within_total"]')
    page.get_by_label("Публикации в СМИ по профориентации, всего, ед.").fill("3")
    expect(left).to_have_text("Осталось 3 из 3")
    district = page.get_by_label("из них в районных СМИ, ед.")
    regional = page.get_by_label("из них в региональных СМИ, ед.")
    district.fill("2")
    expect(left).to_have_text("Осталось 1 из 3")

    # Parts above the total: the message, linked to the field it stands beside.
    regional.fill("2")
    expect(left).to_have_text("Осталось -1 из 3")
    message = page.locator("#field-media_regional [data-testid=live-rule]")
    expect(message).to_be_visible()
    message_id = message.get_attribute("id")
    assert message_id
    expect(regional).to_have_attribute("aria-invalid", "true")
    assert message_id in (regional.get_attribute("aria-describedby") or "").split()
    regional.fill("1")
    expect(message).to_have_count(0)
    expect(regional).not_to_have_attribute("aria-invalid", "true")
    assert message_id not in (regional.get_attribute("aria-describedby") or "")
    expect(left).to_have_text("Осталось 0 из 3")

    # The server, the authority, writes the same after a save.
    page.get_by_role("button", name="Сохранить черновик").click()
    page.get_by_text("Черновик сохранён.").wait_for()
    page.reload()
    expect(left).to_have_text("Осталось 0 из 3")
    expect(grid_total).to_have_text("Всего (Количество, ед.): 7")

    # A table's number column is summed as rows are typed.
    page.locator("[data-testid=outline] a", has_text="11.5.").click()
    expect(page.locator("h2")).to_contain_text("11.5.")
    page.locator("#field-has_labour_associations").get_by_label("Да").check()
    column_total = page.locator('[data-derived="labour_associations.count"]')
    expect(column_total).to_be_hidden()
    page.locator("[name=labour_associations-0-count]").fill("4")
    expect(column_total).to_have_text("Всего (Количество объединений): 4")


def test_kaluga_report_totals_without_scripts(browser, server, app):
    """Without scripts the server writes the totals of what was saved."""
    context = browser.new_context(locale="ru-RU", java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        open_kaluga_report(page, server)
        page.get_by_label("Публикации в СМИ по профориентации, всего, ед.").fill("4")
        page.get_by_label("из них в районных СМИ, ед.").fill("1")
        page.get_by_label("Школьный уровень, Количество, ед.").first.fill("2")
        page.get_by_label("Муниципальный уровень, Количество, ед.").first.fill("3")
        with page.expect_navigation():
            page.get_by_role("button", name="Сохранить черновик").click()
        expect(page.locator('[data-derived="rule.media_parts_within_total"]')).to_have_text(
            "Осталось 3 из 4"
        )
        expect(page.locator('[data-derived="experience_events.count"]')).to_have_text(
            "Всего (Количество, ед.): 5"
        )
    finally:
        context.close()
