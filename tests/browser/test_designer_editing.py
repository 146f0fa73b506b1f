"""Designer editing in the browser: what is typed survives a closed tab; questions move
from the keyboard and by dragging; options are reordered from the keyboard; Save pressed
during an autosave waits for it; a JSON text that is not JSON is refused and kept."""

from __future__ import annotations

from playwright.sync_api import Page, expect
from sqlalchemy import select

from collector.extensions import db
from collector.models import FormDraft
from tests.browser.test_login_menus import log_in


def start(page: Page, server_url: str) -> None:
    page.set_viewport_size({"width": 1400, "height": 1000})
    log_in(page, server_url, "region")
    page.goto(server_url + "/designer/")
    new = page.get_by_test_id("new-form")
    new.locator("input[name=id]").fill("edit-test")
    new.locator("input[name=title]").fill("Проверка редактора")
    with page.expect_navigation():
        new.get_by_test_id("start").click()


def add_field(page: Page, section: int, field_type: str) -> None:
    adder = page.locator("li.outline-section").nth(section).locator("form").last
    adder.locator("select[name=type]").select_option(field_type)
    with page.expect_navigation():
        adder.get_by_test_id("add-field").click()


def draft_document() -> dict:
    db.session.expire_all()
    return db.session.scalar(select(FormDraft)).document


def field_ids(document: dict) -> list[list[str]]:
    return [[f["id"] for f in s["fields"]] for s in document["sections"]]


def test_typed_values_survive_a_closed_tab(page, server, tree, people):
    start(page, server.url)
    add_field(page, 0, "integer")
    url = page.url
    page.locator("textarea[name=label_ru]").fill("Число экскурсий")
    # The tab closes before the autosave: the value was kept in this browser.
    page.goto("about:blank")
    page.goto(url)
    expect(page.locator("textarea[name=label_ru]")).to_have_value("Число экскурсий")
    expect(page.locator("#autosave-state")).not_to_be_empty()
    # Then autosaved: the draft holds it without a press of Save.
    page.locator("textarea[name=label_ru]").press("End")
    page.locator("textarea[name=label_ru]").press_sequentially(" за год")
    expect(page.locator("#autosave-state")).to_have_text("Сохранено автоматически.")
    # The outline and the preview are drawn again with the new label, and the question's
    # id is made from it (issue 23), shown in the page's input too.
    made = "chislo_ekskursii_za_god"
    expect(page.locator(f"a[data-field-id={made}]")).to_contain_text("Число экскурсий за год")
    expect(page.frame_locator("#preview").locator(f"#field-{made}")).to_contain_text(
        "Число экскурсий за год"
    )
    expect(page.locator("input[name=id]")).to_have_value(made)
    label = draft_document()["sections"][0]["fields"][0]["label"]
    assert label == "Число экскурсий за год"


def test_moves_from_the_keyboard_and_by_dragging(page, server, tree, people):
    start(page, server.url)
    with page.expect_navigation():
        page.get_by_test_id("add-section").click()
    add_field(page, 0, "integer")
    add_field(page, 0, "yes_no")
    add_field(page, 1, "text")
    assert field_ids(draft_document()) == [["field_1", "field_2"], ["field_3"]]

    # The keyboard: the second question of section 1 goes down, into section 2.
    button = page.locator("li.outline-field[data-key='field-0-1'] button[value=down]")
    button.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert field_ids(draft_document()) == [["field_1"], ["field_2", "field_3"]]

    # Dragging: the last question onto the first one of section 1.
    with page.expect_navigation():
        page.locator("li.outline-field[data-key='field-1-1'] .drag-handle").drag_to(
            page.locator("li.outline-field[data-key='field-0-0']")
        )
    assert field_ids(draft_document()) == [["field_3", "field_1"], ["field_2"]]


def test_options_reordered_from_the_keyboard(page, server, tree, people):
    start(page, server.url)
    add_field(page, 0, "single_choice")
    with page.expect_navigation():
        page.locator("button[value='add:options']").click()
    # Save, not an autosave, sends the new order here: on a loaded machine the autosave
    # could fire first (that race is the test below).
    page.locator("#designer-form").evaluate("f => f.dataset.autosaveDelay = '600000'")
    page.locator("input[name='options-1-value']").fill("2")
    page.locator("input[name='options-1-label_ru']").fill("Второй")
    up = page.locator("tbody[data-prefix=options] tr").nth(1).locator("button.row-up")
    up.focus()
    page.keyboard.press("Enter")
    expect(page.locator("input[name='options-0-value']")).to_have_value("2")
    with page.expect_navigation():
        page.get_by_test_id("save-element").click()
    options = draft_document()["sections"][0]["fields"][0]["options"]
    assert [o["value"] for o in options] == ["2", "1"]


def test_save_pressed_during_an_autosave_waits_for_it(page, server, tree, people):
    start(page, server.url)
    add_field(page, 0, "integer")
    # The autosave's request is held in the page until the test lets it go, so Save is
    # pressed while it is under way, every time.
    page.evaluate(
        """() => {
          const send = window.fetch;
          window.fetch = (url, options) => new Promise((resolve, reject) => {
            window.releaseAutosave = () => send(url, options).then(resolve, reject);
          });
        }"""
    )
    form = page.locator("#designer-form")
    form.evaluate("f => f.dataset.autosaveDelay = '100'")
    page.locator("textarea[name=label_ru]").fill("Число экскурсий")
    page.wait_for_function("() => typeof window.releaseAutosave === 'function'")
    page.get_by_test_id("save-element").click()
    # Sent now, the page would carry the revision the autosave is about to replace.
    assert draft_document()["sections"][0]["fields"][0]["label"] != "Число экскурсий"
    with page.expect_navigation():
        page.evaluate("() => window.releaseAutosave()")
    expect(page.get_by_test_id("refused")).to_have_count(0)
    expect(page.get_by_test_id("error-summary")).to_have_count(0)
    assert draft_document()["sections"][0]["fields"][0]["label"] == "Число экскурсий"


def test_text_that_is_not_json_is_refused_and_kept(page, server, tree, people):
    start(page, server.url)
    page.get_by_role("link", name="JSON").first.click()
    area = page.locator("textarea[name=document]")
    area.fill('{"id": "edit-test", "sections": [')
    with page.expect_navigation():
        page.get_by_role("button", name="Сохранить").click()
    expect(page.get_by_test_id("refused")).to_contain_text("line 1")
    expect(area).to_have_value('{"id": "edit-test", "sections": [')
    assert draft_document()["title"] == "Проверка редактора"
