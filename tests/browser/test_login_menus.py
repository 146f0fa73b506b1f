"""Each role logs in through the real login form and sees the menu of its role."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.conftest import DEFAULT_PASSWORD

COORDINATOR_MENU = [
    "main.home",
    "entry.index",
    "campaigns.index",
    "registries.index",
    "designer.index",
    "units.index",
    "units.import_units_page",
    "users.index",
]
MENUS = {
    "admin": COORDINATOR_MENU,
    "region": COORDINATOR_MENU,
    "municipal": [
        "main.home",
        "entry.index",
        "campaigns.index",
        "registries.index",
        "units.index",
    ],
    "school": ["main.home", "entry.index", "registries.index", "units.index"],
}


def log_in(page, server_url: str, username: str, password: str = DEFAULT_PASSWORD) -> None:
    page.goto(server_url + "/login")
    page.get_by_label("Логин").fill(username)
    page.get_by_label("Пароль").fill(password)
    page.get_by_role("button", name="Войти").click()
    page.wait_for_url(server_url + "/")


@pytest.mark.parametrize("person", sorted(MENUS))
def test_each_role_sees_its_menu(page, server, people, person):
    log_in(page, server.url, people[person].username)
    menu = page.locator("[data-testid=main-menu] a")
    assert menu.evaluate_all("links => links.map(a => a.dataset.nav)") == MENUS[person]
    assert page.locator("[data-testid=my-roles]").is_visible()


def test_menu_labels_are_russian_and_switch_to_english(page, server, people):
    log_in(page, server.url, "admin")
    menu = page.locator("[data-testid=main-menu]")
    assert menu.inner_text().split() == [
        "Главная",
        "Мои",
        "формы",
        "Кампании",
        "Реестры",
        "Конструктор",
        "форм",
        "Организации",
        "Импорт",
        "Пользователи",
    ]
    with page.expect_navigation():
        page.get_by_role("link", name="English").click()
    assert menu.inner_text().split() == [
        "Home",
        "My",
        "forms",
        "Campaigns",
        "Registries",
        "Form",
        "designer",
        "Organisations",
        "Import",
        "Users",
    ]


def test_wrong_password_is_refused_in_russian(page, server, people):
    page.goto(server.url + "/login")
    page.get_by_label("Логин").fill("admin")
    page.get_by_label("Пароль").fill("wrong")
    page.get_by_role("button", name="Войти").click()
    expect(page.get_by_text("Неверный логин или пароль")).to_be_visible()
    assert page.get_by_label("Логин").input_value() == "admin"


def test_phone_layout_folds_the_menu(browser, server, people):
    context = browser.new_context(locale="ru-RU", viewport={"width": 375, "height": 740})
    page = context.new_page()
    log_in(page, server.url, "admin")
    users_link = page.locator("[data-nav='users.index']")
    assert not users_link.is_visible()
    page.get_by_role("button", name="Меню").click()
    # Clicked while the menu still unfolds, a link low in it is clipped: wait until open.
    page.locator("#main-nav.collapse.show").wait_for()
    users_link.wait_for(state="visible")
    users_link.click()
    page.wait_for_url(server.url + "/users/")
    context.close()
