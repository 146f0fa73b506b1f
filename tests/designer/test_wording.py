"""Issue 23: the designer speaks to a coordinator in Russian — ids made from titles, the
form's problems in words linked to the element, a refused save's summary linking to its
fields, question kinds by name — and never in the compiler's codes and paths."""

from __future__ import annotations

import re

import pytest
from flask_babel import force_locale

from collector.designer.wording import CODE_TEXTS
from collector.schema.errors import CODES
from tests.conftest import login_as
from tests.designer.fixtures import add, draft, draft_id_of, options, save

INTERNAL = (
    "JSON-схем",
    "form_schemas",
    "компилятор",
    "$.sections",
    "minItems",
    "single_choice",
    "<code>structure",
    "should be non-empty",
)


def visible(html: str) -> str:
    """What a reader sees: no attributes, scripts or tags."""
    html = re.sub(r"<script.*?</script>", "", html, flags=re.S)
    html = re.sub(r"<[^>]+>", "", html)
    return " ".join(html.split())


@pytest.fixture
def coordinator(client, people):
    login_as(client, people["region"])  # the interface's own language: Russian
    return client


def _new(client, tree, title: str, form_id: str = "") -> int:
    return draft_id_of(
        client.post(
            "/designer/new",
            data={"unit": str(tree["region"].id), "id": form_id, "title": title, "kind": "survey"},
        )
    )


def test_every_compiler_code_has_words_in_russian(app):
    missing = [code for code in CODES if code not in CODE_TEXTS]
    assert missing == []
    with app.test_request_context(), force_locale("ru"):
        for code in CODES:
            text = str(CODE_TEXTS[code])
            assert re.search("[а-яё]", text), (code, text)


def test_a_new_form_takes_its_code_from_its_title(coordinator, tree):
    page = coordinator.get("/designer/").get_data(as_text=True)
    form = page.split('data-testid="new-form"')[1].split("</form>")[0]
    # The title is asked first; the code is optional, folded, after it.
    assert form.index('name="title"') < form.index('name="id"')
    assert "Код формы (необязательно)" in form
    first = _new(coordinator, tree, "Анкета для родителей 9 классов")
    assert draft(first).form_id == "anketa-dlia-roditelei-9-klassov"
    # The same title again: the code is free among the drafts.
    second = _new(coordinator, tree, "Анкета для родителей 9 классов")
    assert draft(second).form_id == "anketa-dlia-roditelei-9-klassov-2"
    # A code typed is kept.
    typed = _new(coordinator, tree, "Опрос", form_id="omsk-2025-poll")
    assert draft(typed).form_id == "omsk-2025-poll"


def test_a_question_takes_its_id_from_its_label(coordinator, tree):
    draft_id = _new(coordinator, tree, "Опрос выпускников")
    key = add(coordinator, draft_id, "field", section="0", type="integer")
    assert draft(draft_id).document["sections"][0]["fields"][0]["id"] == "field_1"
    saved = save(
        coordinator,
        draft_id,
        key,
        {"id": "field_1", "type": "integer", "section": "0", "label_ru": "Число участников"},
    )
    assert saved.status_code == 302
    assert draft(draft_id).document["sections"][0]["fields"][0]["id"] == "chislo_uchastnikov"
    # Another question with the same words gets the next free id.
    other = add(coordinator, draft_id, "field", section="0", type="integer")
    save(
        coordinator,
        draft_id,
        other,
        {"id": "field_2", "type": "integer", "section": "0", "label_ru": "Число участников"},
    )
    ids = [f["id"] for f in draft(draft_id).document["sections"][0]["fields"]]
    assert ids == ["chislo_uchastnikov", "chislo_uchastnikov_2"]
    # The id made follows the label as it is reworded…
    save(
        coordinator,
        draft_id,
        key,
        {"id": "chislo_uchastnikov", "type": "integer", "section": "0", "label_ru": "Число проб"},
    )
    assert draft(draft_id).document["sections"][0]["fields"][0]["id"] == "chislo_prob"
    # …until the coordinator types one of their own, which stays.
    for label in ("Число проб", "Сколько проб"):
        save(
            coordinator,
            draft_id,
            key,
            {"id": "trials", "type": "integer", "section": "0", "label_ru": label},
        )
        assert draft(draft_id).document["sections"][0]["fields"][0]["id"] == "trials"


def test_an_id_named_in_a_formula_does_not_follow_the_label(coordinator, tree):
    draft_id = _new(coordinator, tree, "Опрос выпускников")
    key = add(coordinator, draft_id, "field", section="0", type="integer")
    indicator = add(coordinator, draft_id, "indicators")
    save(
        coordinator,
        draft_id,
        indicator,
        {"id": "indicator_1", "title_ru": "Всего", "formula": "sum(field_1)", "unit": "чел."},
    )
    save(
        coordinator,
        draft_id,
        key,
        {"id": "field_1", "type": "integer", "section": "0", "label_ru": "Число участников"},
    )
    assert draft(draft_id).document["sections"][0]["fields"][0]["id"] == "field_1"


def test_problems_are_said_in_words_and_linked_to_the_element(coordinator, tree):
    draft_id = _new(coordinator, tree, "Опрос выпускников")
    html = coordinator.get(f"/designer/drafts/{draft_id}").get_data(as_text=True)
    panel = html.split('data-testid="issues"')[1].split("</div>")[0]
    # The blank form's only section has no question yet.
    assert "Раздел 1 «Раздел 1»: добавьте хотя бы один вопрос" in visible(panel)
    link = f'href="/designer/drafts/{draft_id}?element=section-0#add-question-0"'
    assert link in panel
    assert 'id="add-question-0"' in html  # the anchor is on the page
    for word in INTERNAL:
        assert word not in visible(html), word
    assert "компилятор" not in html.lower()


def test_a_question_kind_is_named_in_russian_in_the_outline(coordinator, tree):
    draft_id = _new(coordinator, tree, "Опрос выпускников")
    add(coordinator, draft_id, "field", section="0", type="single_choice")
    html = coordinator.get(f"/designer/drafts/{draft_id}").get_data(as_text=True)
    kinds = re.findall(r'data-testid="field-kind">([^<]*)<', html)
    assert kinds == ["Один вариант"]
    assert "field_1 · single_choice" not in html


def test_the_designer_pages_use_no_internal_words(coordinator, tree):
    draft_id = _new(coordinator, tree, "Опрос выпускников")
    for url in (
        "/designer/",
        f"/designer/drafts/{draft_id}",
        f"/designer/drafts/{draft_id}/publish",
        f"/designer/drafts/{draft_id}/preview",
    ):
        text = visible(coordinator.get(url).get_data(as_text=True))
        for word in INTERNAL:
            assert word not in text, (url, word)
        assert "компилятор" not in text.lower(), url


def test_publishing_a_form_with_problems_lists_them_in_words(coordinator, tree):
    draft_id = _new(coordinator, tree, "Опрос выпускников")
    page = coordinator.post(
        f"/designer/drafts/{draft_id}/publish", data={"revision": str(draft(draft_id).revision)}
    ).get_data(as_text=True)
    errors = page.split('data-testid="publish-errors"')[1].split("</ul>")[0]
    assert "Раздел 1 «Раздел 1»: добавьте хотя бы один вопрос" in visible(errors)
    assert "?element=section-0#add-question-0" in errors


def test_a_refused_save_lists_each_field_with_a_link(coordinator, tree):
    draft_id = _new(coordinator, tree, "Опрос выпускников")
    key = add(coordinator, draft_id, "field", section="0", type="integer")
    reply = save(
        coordinator,
        draft_id,
        key,
        {"id": "Число", "type": "integer", "section": "0", "label_ru": ""},
    )
    assert reply.status_code == 200
    html = reply.get_data(as_text=True)
    summary = html.split('data-testid="error-summary"')[1].split("</div>")[0]
    links = re.findall(r'<li><a href="#([^"]+)">([^<]+)</a>: ([^<]+)</li>', summary)
    assert [anchor for anchor, _label, _message in links] == ["id", "label_ru"]
    assert all(re.search("[а-яё]", message) for _a, _l, message in links), links
    # Each anchor is an input of the page, and what was typed is kept in it.
    assert 'id="id"' in html and 'value="Число"' in html
    assert 'id="label_ru"' in html


def test_an_unknown_question_in_a_formula_is_named_in_words(coordinator, tree):
    draft_id = _new(coordinator, tree, "Опрос выпускников")
    key = add(coordinator, draft_id, "indicators")
    reply = coordinator.post(
        f"/designer/drafts/{draft_id}/check",
        data={"element": key, "key": "formula", "formula": "sum(pupils)"},
    )
    text = visible(reply.get_data(as_text=True))
    assert text == "условие или формула называет вопрос, которого нет в форме «pupils»"


def test_an_autosave_gives_the_id_made_back_to_the_page(coordinator, tree):
    draft_id = _new(coordinator, tree, "Опрос выпускников")
    key = add(coordinator, draft_id, "field", section="0", type="integer")
    body = {
        "revision": str(draft(draft_id).revision),
        "action": "autosave",
        "id": "field_1",
        "type": "integer",
        "section": "0",
        "label_ru": "Число участников",
    }
    answer = coordinator.post(f"/designer/drafts/{draft_id}?element={key}", data=body).get_json()
    assert (answer["saved"], answer["field_id"]) == (True, "chislo_uchastnikov")


def test_a_refused_option_is_listed_by_its_row_with_a_link(coordinator, tree):
    draft_id = _new(coordinator, tree, "Опрос выпускников")
    key = add(coordinator, draft_id, "field", section="0", type="single_choice")
    reply = save(
        coordinator,
        draft_id,
        key,
        {
            "id": "grade",
            "type": "single_choice",
            "section": "0",
            "label_ru": "Класс",
            **options(("", "9", "9 класс"), ("", "11", "")),
        },
    )
    assert reply.status_code == 200
    html = reply.get_data(as_text=True)
    summary = html.split('data-testid="error-summary"')[1].split("</div>")[0]
    links = re.findall(r'<li><a href="#([^"]+)">([^<]+)</a>: ([^<]+)</li>', summary)
    # The second option's label left empty: named by its list, row and column.
    # In Russian, as the rest of the page (a list's row said «This field is required.»).
    assert links == [
        ("options-1-label_ru", "Варианты, строка 2: Текст (по-русски)", "Обязательное поле.")
    ], links
    assert 'id="options-1-label_ru"' in html and 'value="11"' in html
