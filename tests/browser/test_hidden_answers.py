"""Hidden answers are never lost silently, on survey pages and registry record pages as in
a unit report's draft (issue 24): an answer typed into a question that another answer
then hides stays in its input while hidden, the page lists it as not to be sent, the
question comes back with it, and what is sent or saved leaves it out."""

from __future__ import annotations

import copy

from playwright.sync_api import expect
from sqlalchemy import select

from collector.extensions import db
from collector.models import FormResponse, RegistryRecord
from collector.publishing.services import publish
from collector.schema import compile_document
from tests.browser.test_live_conditions import HELPED, ORGANISED, poll_link
from tests.browser.test_login_menus import log_in
from tests.registries.fixtures import classes_document

NOT_ORGANISED = "Выбор предпрофиля/профиля обучения не был организован"
DIAGNOSTICS = "Профориентационная диагностика (тестирование) ребёнка"
CUSTOMER = "Базовая организация – заказчик"


def test_a_survey_keeps_a_hidden_answer_and_does_not_send_it(browser, server, tree, people):
    token = poll_link(tree, people)
    context = browser.new_context(locale="ru-RU")
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        page.goto(f"{server.url}/s/{token}")
        notice = page.get_by_test_id("hidden-answers")
        helped = page.get_by_role("group", name=HELPED)
        page.get_by_label("10 класс").check()
        page.get_by_label(ORGANISED).check()
        helped.get_by_label(DIAGNOSTICS).check()
        expect(notice).to_be_hidden()
        # «not organised»: the follow-up goes, its answer stays and is listed.
        page.get_by_label(NOT_ORGANISED).check()
        expect(helped).to_be_hidden()
        expect(notice).to_be_visible()
        expect(notice.locator("li")).to_have_text([HELPED])
        # Back: the question returns with its answer, and the list empties.
        page.get_by_label(ORGANISED).check()
        expect(helped).to_be_visible()
        expect(helped.get_by_label(DIAGNOSTICS)).to_be_checked()
        expect(notice).to_be_hidden()
        # Sent while hidden: the answer is not sent.
        page.get_by_label(NOT_ORGANISED).check()
        expect(notice).to_be_visible()
        with page.expect_navigation():
            page.get_by_role("button", name="Отправить").click()
        expect(page.get_by_test_id("thanks")).to_contain_text("Спасибо")
    finally:
        context.close()
    db.session.expire_all()
    [answer] = db.session.scalars(select(FormResponse))
    assert answer.answers == {"grade": "10", "profile_choice": "not_organised"}


def test_a_registry_record_keeps_a_hidden_answer_until_it_is_saved(page, server, tree, people):
    document = copy.deepcopy(classes_document())
    # A class's customer is asked of technological classes only.
    fields = document["sections"][0]["fields"]
    [customer] = [f for f in fields if f["id"] == "customer"]
    customer["visible_if"] = 'profile = "tech"'
    publish(db.session, compile_document(document), None)
    db.session.commit()

    log_in(page, server.url, people["school"].username)
    page.goto(f"{server.url}/registries/test-classes/new")
    question = page.locator("#field-customer")
    notice = page.get_by_test_id("hidden-answers")
    expect(question).to_be_hidden()  # no profile chosen yet
    page.get_by_label("Наименование класса").fill("10 «А» инженерный")
    page.get_by_label("Технологический").check()
    expect(question).to_be_visible()
    page.get_by_label(CUSTOMER).fill("АО «ТНХК»")
    expect(notice).to_be_hidden()
    page.get_by_label("Естественно-научный").check()
    expect(question).to_be_hidden()
    expect(notice.locator("li")).to_have_text([CUSTOMER])
    page.get_by_label("Технологический").check()
    expect(page.get_by_label(CUSTOMER)).to_have_value("АО «ТНХК»")
    expect(notice).to_be_hidden()

    # Refused (55 pupils is above the maximum) with the customer hidden: the page comes
    # back from the server with the typed customer kept in its input and listed.
    page.get_by_label("Естественно-научный").check()
    page.get_by_label("Контингент обучающихся, чел.").fill("55")
    with page.expect_navigation():
        page.get_by_test_id("save-record").click()
    expect(page.locator("#field-pupils .invalid-feedback")).to_be_visible()
    expect(notice.locator("li")).to_have_text([CUSTOMER])
    page.get_by_label("Технологический").check()
    expect(page.get_by_label(CUSTOMER)).to_have_value("АО «ТНХК»")

    # Saved with the question hidden: the record holds no customer.
    page.get_by_label("Естественно-научный").check()
    page.get_by_label("Контингент обучающихся, чел.").fill("25")
    with page.expect_navigation():
        page.get_by_test_id("save-record").click()
    expect(page.get_by_role("heading", name="10 «А» инженерный")).to_be_visible()
    db.session.expire_all()
    [kept] = db.session.scalars(select(RegistryRecord))
    assert kept.data == {"class_name": "10 «А» инженерный", "profile": "science", "pupils": 25}
