"""A registry in the browser: a school adds a profile class (a typed value refused is
kept), edits it and archives another; the public page shows the published class and not
the archived one; the municipal coordinator downloads the registry with the class in it;
the school confirms its records in the campaign, and the report counts them."""

from __future__ import annotations

import io

import openpyxl
import pytest
from playwright.sync_api import expect

from tests.browser.test_login_menus import log_in
from tests.registries.fixtures import registry_campaign


@pytest.fixture
def campaign(app, tree, people):
    return registry_campaign(tree, people, "Подтверждение реестра профильных классов 2026")


def add_class(page, name: str, profile: str, pupils: str, customer: str = "") -> None:
    page.get_by_test_id("add-record").click()
    page.get_by_label("Наименование класса").fill(name)
    page.get_by_label(profile).check()
    page.get_by_label("Контингент обучающихся, чел.").fill(pupils)
    if customer:
        page.get_by_label("Базовая организация – заказчик").fill(customer)
    page.get_by_test_id("save-record").click()


def test_a_registry_record_from_creation_to_confirmation(page, server, tree, people, campaign):
    log_in(page, server.url, people["school"].username)
    page.locator("[data-nav='registries.index']").click()
    page.get_by_role("link", name="Реестр профильных классов").click()

    # Refused: 55 pupils is above the passport's maximum; what was typed stays.
    add_class(page, "10 «А» инженерный", "Технологический", "55", "АО «ТНХК»")
    expect(page.locator("#field-pupils .invalid-feedback")).to_be_visible()
    expect(page.get_by_label("Базовая организация – заказчик")).to_have_value("АО «ТНХК»")
    expect(page.get_by_label("Наименование класса")).to_have_value("10 «А» инженерный")
    page.get_by_label("Контингент обучающихся, чел.").fill("25")
    page.get_by_test_id("save-record").click()
    expect(page.get_by_role("heading", name="10 «А» инженерный")).to_be_visible()
    expect(page.locator("[data-testid=history] tr[data-change]")).to_have_count(1)

    # Edited: a second revision in the history.
    page.get_by_label("Контингент обучающихся, чел.").fill("27")
    page.get_by_test_id("save-record").click()
    expect(page.get_by_test_id("record-state")).to_contain_text("редакция 2")
    expect(page.locator("[data-testid=history] tr[data-change=edited]")).to_have_count(1)

    # Another class, then archived: it leaves the list.
    page.get_by_role("link", name="Реестр профильных классов").click()
    add_class(page, "11 «Б» (набор закрыт)", "Естественно-научный", "18")
    page.get_by_test_id("archive-record").click()
    expect(page.get_by_test_id("record-state")).to_contain_text("в архиве")
    page.get_by_role("link", name="Реестр профильных классов").click()
    records = page.get_by_test_id("records")
    expect(records).to_contain_text("10 «А» инженерный")
    expect(records).not_to_contain_text("11 «Б»")
    expect(page.get_by_test_id("summary-by_profile")).to_contain_text("Технологический")

    # The public page, read by anyone.
    public = page.context.browser.new_context(locale="ru-RU").new_page()
    public.goto(server.url + "/public/registries/test-classes")
    expect(public.get_by_test_id("public-records")).to_contain_text("10 «А» инженерный")
    expect(public.get_by_test_id("public-records")).to_contain_text("АО «ТНХК»")
    expect(public.get_by_test_id("public-records")).not_to_contain_text("11 «Б»")
    public.context.close()

    # The school confirms its records in the campaign.
    page.locator("[data-nav='entry.index']").click()
    page.get_by_role("link", name="Подтверждение реестра профильных классов 2026").click()
    expect(page.get_by_test_id("current-records")).to_contain_text("10 «А» инженерный")
    page.get_by_test_id("confirm-records").click()
    expect(page.get_by_test_id("confirmed")).to_contain_text("Подтверждено записей: 1")

    # The municipal coordinator downloads the registry of the municipality.
    page.context.clear_cookies()
    log_in(page, server.url, people["municipal"].username)
    page.goto(server.url + "/registries/test-classes/")
    with page.expect_download() as event:
        page.get_by_test_id("export-registry").click()
    with open(event.value.path(), "rb") as file:
        book = openpyxl.load_workbook(io.BytesIO(file.read()))
    rows = list(book["Записи"].iter_rows(min_row=3, values_only=True))
    assert [(r[0], r[4]) for r in rows] == [("S-A1", "10 «А» инженерный")]
    header = [c.value for c in book["Записи"][2]]
    assert rows[0][header.index("Контингент обучающихся, чел.")] == 27

    # The campaign's report counts the confirmed class.
    page.goto(server.url + f"/reports/campaigns/{campaign.id}?basis=submitted")
    cell = page.locator("[data-indicator=classes] td[data-value]").first
    expect(cell).to_have_attribute("data-value", "1.0")
