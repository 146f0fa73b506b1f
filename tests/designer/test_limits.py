"""Issue 19 in the designer: a 1,000-term expression, a schema nested 900 deep and a
malformed drag order each answered 500 (and the draft's pages stayed 500 until it was
discarded). Each is reproduced here and answered with a message instead."""

from __future__ import annotations

import copy
import io
import json
from typing import Any

import pytest
from markupsafe import escape
from sqlalchemy import update

from collector.designer.forms import MAX_LIST_ITEMS
from collector.extensions import db
from collector.models import FormDraft
from collector.schema.expressions import MAX_LENGTH
from collector.schema.validate import MAX_JSON_DEPTH
from tests.designer.fixtures import draft, draft_id_of, options, save
from tests.designer.test_views import SURVEY, order, text

THOUSAND_TERMS = " + ".join(["grade"] * 1000)


def nested_text(levels: int) -> str:
    return "[" * levels + "]" * levels


def nested(levels: int) -> Any:
    value: Any = []
    for _ in range(levels - 1):
        value = [value]
    return value


def check(client, draft_id: int, element: str, key: str, source: str) -> Any:
    return client.post(
        f"/designer/drafts/{draft_id}/check", data={"element": element, "key": key, key: source}
    )


# --- a 1,000-term expression ------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "code"),
    [
        (THOUSAND_TERMS, "expression_too_long"),
        ("+".join(["a"] * 1000), "expression_too_long"),
        (" + ".join(["grade"] * 60) + " > 0", "expression_too_deep"),
        ("(" * 60 + "grade" + ")" * 60 + " > 0", "expression_too_deep"),
    ],
    ids=["thousand-terms", "thousand-short-terms", "sixty-terms", "sixty-parentheses"],
)
def test_an_overlong_expression_typed_is_shown_its_code_under_the_input(
    designer, survey, source, code
):
    response = check(designer, survey, "rule-0", "check", source)
    assert response.status_code == 200
    assert f'data-code="{code}"' in text(response)


def test_a_deep_expression_saved_is_kept_and_listed_and_every_page_opens(designer, survey):
    deep = " + ".join(["1"] * 60) + " > 0"
    response = save(
        designer,
        survey,
        "rule-0",
        {"id": "seniors_visit_fair", "check": deep, "message_ru": "Проверка"},
    )
    assert response.status_code == 302
    assert draft(survey).document["rules"][0]["check"] == deep
    editor = designer.get(f"/designer/drafts/{survey}?element=rule-0")
    assert editor.status_code == 200
    assert 'data-code="expression_too_deep"' in text(editor)
    for page in ("json", "outline", "issues", "preview", "publish"):
        assert designer.get(f"/designer/drafts/{survey}/{page}").status_code == 200, page
    publish = designer.post(
        f"/designer/drafts/{survey}/publish", data={"revision": str(draft(survey).revision)}
    )
    assert publish.status_code == 200
    assert 'data-code="expression_too_deep"' in text(publish)


def test_a_thousand_term_expression_saved_is_refused_beside_its_input_and_kept(designer, survey):
    revision = draft(survey).revision
    response = save(
        designer,
        survey,
        "rule-0",
        {"id": "seniors_visit_fair", "check": THOUSAND_TERMS, "message_ru": "Проверка"},
    )
    assert response.status_code == 200
    page = text(response)
    assert f"at most {MAX_LENGTH}" in page
    assert THOUSAND_TERMS in page  # what was typed is still in its input
    assert draft(survey).revision == revision


# --- a schema nested 900 deep --------------------------------------------------------------


def deep_survey(levels: int) -> str:
    document = copy.deepcopy(SURVEY)
    document["description"] = "DEEP"
    return json.dumps(document, ensure_ascii=False).replace('"DEEP"', nested_text(levels))


@pytest.mark.parametrize("levels", [MAX_JSON_DEPTH, 900, 5000])
def test_a_deeply_nested_upload_is_refused_with_a_message(designer, tree, levels):
    response = designer.post(
        "/designer/upload",
        data={
            "unit": str(tree["region"].id),
            "file": (io.BytesIO(deep_survey(levels).encode()), "deep.json"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 200
    assert "deep.json is not a form schema: arrays and objects nest" in text(response)
    assert f"more than {MAX_JSON_DEPTH} levels deep" in text(response)


@pytest.mark.parametrize("levels", [MAX_JSON_DEPTH, 900, 5000])
def test_a_deeply_nested_json_text_is_refused_and_kept(designer, survey, levels):
    before = draft(survey)
    document, revision = copy.deepcopy(before.document), before.revision
    typed = deep_survey(levels)
    response = designer.post(
        f"/designer/drafts/{survey}/json", data={"document": typed, "revision": str(revision)}
    )
    assert response.status_code == 200
    page = text(response)
    assert f"more than {MAX_JSON_DEPTH} levels deep" in page
    assert str(escape(typed)) in page
    after = draft(survey)
    assert (after.document, after.revision) == (document, revision)
    autosave = designer.post(
        f"/designer/drafts/{survey}/json",
        data={"document": typed, "revision": str(revision), "action": "autosave"},
    )
    assert autosave.status_code == 422
    assert autosave.get_json()["saved"] is False


def store_deep(draft_id: int, levels: int, where: str) -> None:
    """Write a too-deep document straight into the draft, as one uploaded before the bound
    was set."""
    document = copy.deepcopy(draft(draft_id).document)
    if where == "description":
        document["description"] = nested(levels)
    elif where == "field":
        document["sections"][0]["fields"][0]["options"][0]["label"] = nested(levels)
    else:
        document["sections"][0]["fields"] = nested(levels)
    db.session.execute(update(FormDraft).where(FormDraft.id == draft_id).values(document=document))
    db.session.commit()


@pytest.mark.parametrize("where", ["description", "field", "sections"])
def test_a_stored_too_deep_draft_opens_every_page_and_is_mended_on_the_json_page(
    designer, survey, where
):
    store_deep(survey, 900, where)
    editor = designer.get(f"/designer/drafts/{survey}")
    assert editor.status_code == 200
    assert 'data-code="json_too_deep"' in text(editor)
    for key in ("field-0-0", "section-0", "rule-0", "indicator-0"):
        assert designer.get(f"/designer/drafts/{survey}?element={key}").status_code == 200, key
    for page in ("outline", "issues", "schema.json"):
        assert designer.get(f"/designer/drafts/{survey}/{page}").status_code == 200, page
    preview = designer.get(f"/designer/drafts/{survey}/preview")
    assert preview.status_code == 200
    assert 'data-testid="preview-errors"' in text(preview)
    publish = designer.get(f"/designer/drafts/{survey}/publish")
    assert publish.status_code == 200
    assert 'data-code="json_too_deep"' in text(publish)
    json_page = designer.get(f"/designer/drafts/{survey}/json")
    assert json_page.status_code == 200
    assert 'data-code="json_too_deep"' in text(json_page)
    # Every other change is refused with a message until the document is mended.
    revision = draft(survey).revision
    for path, data in (
        ("add", {"what": "section"}),
        ("remove", {"element": "rule-0"}),
        ("duplicate", {"element": "rule-0"}),
        ("move", {"element": "section-1", "step": "up"}),
    ):
        response = designer.post(
            f"/designer/drafts/{survey}/{path}", data={"revision": str(revision), **data}
        )
        assert response.status_code == 302, path
        assert draft(survey).revision == revision, path
    saved = save(designer, survey, "rule-0", {"id": "r", "check": "true", "message_ru": "Да"})
    assert saved.status_code == 200
    assert "mend it on the JSON page" in text(saved)
    assert check(designer, survey, "rule-0", "check", "true").status_code == 200
    refused_order = order(designer, survey, [["section-0"], ["section-1"]])
    assert refused_order.status_code == 409
    # The JSON page replaces it.
    response = designer.post(
        f"/designer/drafts/{survey}/json",
        data={"document": json.dumps(SURVEY), "revision": str(revision)},
    )
    assert response.status_code == 302
    assert draft(survey).document == SURVEY


def test_a_stored_too_deep_draft_can_be_discarded(designer, survey):
    store_deep(survey, 900, "description")
    response = designer.post(f"/designer/drafts/{survey}/discard", data={})
    assert response.status_code == 302
    assert draft(survey).status == "discarded"


# --- the drag order's body -----------------------------------------------------------------


def post_order(client, draft_id: int, body: bytes | str, content_type: str) -> Any:
    return client.post(f"/designer/drafts/{draft_id}/order", data=body, content_type=content_type)


GOOD_ROWS = [["section-0", "field-0-0", "field-0-1"], ["section-1", "field-1-0", "field-1-1"]]


@pytest.mark.parametrize(
    "body",
    [
        "[1]",
        '"x"',
        "5",
        "null",
        "{}",
        "true",
        "[]",
        '{"order": 5, "revision": "1"}',
        '{"order": "x", "revision": "1"}',
        '{"order": null, "revision": "1"}',
        '{"order": [1], "revision": "1"}',
        '{"order": [[1]], "revision": "1"}',
        '{"order": [["section-0", {"a": 1}]], "revision": "1"}',
        '{"order": [["section-0"]], "revision": [1]}',
        '{"order": [["section-0"]], "revision": 1.5}',
        '{"order": [["section-0"]], "revision": "NaN"}',
        '{"order": [["section-0"]], "revision": "' + "9" * 100 + '"}',
        '{"order": [["section-0"]]}',
        '{"order": [["section-0"]], "revision": "1", "extra": 1}',
        '{"order": [["x' + "y" * 1000 + '"]], "revision": "1"}',
        '{"order": [["section-99999999999999999999"]], "revision": "1"}',
        '{"order": [["field-0-0"]], "revision": "1"}',
        '{"order": [["section-0", "section-1"]], "revision": "1"}',
        '{"order": ' + nested_text(900) + ', "revision": "1"}',
        '{"order": ' + nested_text(100_000) + ', "revision": "1"}',
        '{"order": [' + ",".join(['["section-0"]'] * 20_000) + '], "revision": "1"}',
        '{"order": [NaN], "revision": "1"}',
        "{not json",
        "\x00\x01",
    ],
)
def test_a_malformed_order_body_is_refused_with_a_message(designer, survey, body):
    before = draft(survey)
    document, revision = copy.deepcopy(before.document), before.revision
    response = post_order(designer, survey, body, "application/json")
    assert response.status_code in (400, 409), response.status_code
    answer = response.get_json()
    assert answer["saved"] is False and answer["message"]
    after = draft(survey)
    assert (after.document, after.revision) == (document, revision)


def test_an_order_body_of_random_bytes_or_a_form_is_refused(designer, survey):
    for body, content_type in (
        (bytes(range(256)), "application/json"),
        ("order=1&revision=1", "application/x-www-form-urlencoded"),
        (json.dumps({"order": GOOD_ROWS, "revision": "1"}), "text/plain"),
    ):
        response = post_order(designer, survey, body, content_type)
        assert response.status_code == 400, content_type
        assert response.get_json()["saved"] is False


def test_an_oversize_order_body_is_refused(designer, survey):
    body = json.dumps({"order": GOOD_ROWS, "revision": "1", "pad": " " * 2_000_000})
    response = post_order(designer, survey, body, "application/json")
    assert response.status_code == 400
    assert "too large" in response.get_json()["message"]


def test_a_well_formed_order_with_a_numeric_revision_is_saved(designer, survey):
    revision = draft(survey).revision
    response = post_order(
        designer,
        survey,
        json.dumps({"order": list(reversed(GOOD_ROWS)), "revision": revision}),
        "application/json",
    )
    assert response.status_code == 200
    assert response.get_json() == {"saved": True, "revision": revision + 1}


def test_an_order_to_a_draft_with_malformed_sections_is_refused(designer, survey):
    document = copy.deepcopy(draft(survey).document)
    document["sections"][0]["fields"] = "not a list"
    db.session.execute(update(FormDraft).where(FormDraft.id == survey).values(document=document))
    db.session.commit()
    response = order(designer, survey, GOOD_ROWS)
    assert response.status_code == 409
    assert response.get_json()["saved"] is False


def test_the_upload_still_makes_a_draft(designer, tree):
    response = designer.post(
        "/designer/upload",
        data={
            "unit": str(tree["region"].id),
            "file": (io.BytesIO(json.dumps(SURVEY).encode()), "ok.json"),
        },
        content_type="multipart/form-data",
    )
    assert draft(draft_id_of(response)).document == SURVEY


def test_a_question_posted_with_too_many_options_is_refused_with_a_message(designer, survey):
    revision = draft(survey).revision
    many = options(*((str(n), str(n), f"Вариант {n}") for n in range(MAX_LIST_ITEMS + 1)))
    response = save(
        designer,
        survey,
        "field-0-0",
        {"id": "grade", "type": "single_choice", "section": "0", "label_ru": "Класс", **many},
    )
    assert response.status_code == 200
    assert f"At most {MAX_LIST_ITEMS} items." in text(response)
    assert draft(survey).revision == revision


# --- what a draft cannot hold ------------------------------------------------------------


def test_a_nul_in_json_text_is_refused_and_kept(designer, survey):
    before = draft(survey)
    document, revision = copy.deepcopy(before.document), before.revision
    typed = json.dumps(dict(SURVEY, title="Опрос\u0000"))
    response = designer.post(
        f"/designer/drafts/{survey}/json", data={"document": typed, "revision": str(revision)}
    )
    assert response.status_code == 200
    assert "The text at $.title holds control characters" in text(response)
    after = draft(survey)
    assert (after.document, after.revision) == (document, revision)


def test_a_nul_in_an_option_label_is_refused(designer, survey):
    revision = draft(survey).revision
    response = save(
        designer,
        survey,
        "field-0-0",
        {
            "id": "grade",
            "type": "single_choice",
            "section": "0",
            "label_ru": "Класс",
            **options(("9", "9", "9\x00 класс")),
        },
    )
    assert response.status_code == 200
    assert "control characters" in text(response)
    assert draft(survey).revision == revision


def test_an_upload_with_a_nul_is_refused(designer, tree):
    content = json.dumps(dict(SURVEY, title="Опрос\u0000")).encode()
    response = designer.post(
        "/designer/upload",
        data={"unit": str(tree["region"].id), "file": (io.BytesIO(content), "nul.json")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 200
    assert "nul.json: The text at $.title holds control characters" in text(response)


def test_a_question_that_would_make_the_form_too_large_is_refused(designer, survey):
    revision = draft(survey).revision
    response = save(
        designer,
        survey,
        "field-0-0",
        {
            "id": "grade",
            "type": "single_choice",
            "section": "0",
            "label_ru": "Класс",
            "help_ru": "подсказка " * 120_000,
            **options(("9", "9", "9 класс")),
        },
    )
    assert response.status_code == 200
    assert "a form schema may be at most 1 MB" in text(response)
    assert draft(survey).revision == revision


@pytest.mark.parametrize("section", ["-1", "99", "x", "9" * 40])
def test_a_question_added_to_a_section_that_is_not_there_is_refused(designer, survey, section):
    revision = draft(survey).revision
    response = designer.post(
        f"/designer/drafts/{survey}/add",
        data={"what": "field", "section": section, "type": "text", "revision": str(revision)},
    )
    assert response.status_code == 400
    assert draft(survey).revision == revision


# --- drafts of any shape -------------------------------------------------------------------

ODD_SHAPES = [
    {"id": "odd", "sections": "x"},
    {"id": "odd", "sections": [5]},
    {"id": "odd", "sections": [{"id": "s", "fields": "x"}]},
    {"id": "odd", "sections": [{"id": "s", "fields": [5, {"id": [1], "type": 3}]}]},
    {"id": "odd", "sections": [{"id": ["s"], "title": {"ru": [1]}, "fields": []}]},
    {"id": "odd", "rules": 5, "indicators": {"a": 1}},
    {"id": "odd", "rules": [5, {"id": {"x": 1}, "check": 7}], "indicators": [None]},
    {"id": "odd", "indicators": [{"id": [1], "formula": ["x"], "targets": 5}]},
    {"id": ["odd"], "title": [1], "respondents": "x", "source": 5, "registry": []},
]


@pytest.mark.parametrize("document", ODD_SHAPES)
def test_a_draft_of_an_odd_shape_opens_and_refuses_changes_with_a_message(designer, tree, document):
    response = designer.post(
        "/designer/upload",
        data={
            "unit": str(tree["region"].id),
            "file": (io.BytesIO(json.dumps(document).encode()), "odd.json"),
        },
        content_type="multipart/form-data",
    )
    draft_id = draft_id_of(response)
    url = f"/designer/drafts/{draft_id}"
    keys = ("identity", "section-0", "field-0-0", "field-0-1", "rule-0", "rule-1", "indicator-0")
    for key in keys:
        assert designer.get(f"{url}?element={key}").status_code == 200, key
    for page in ("/json", "/outline", "/issues", "/preview", "/publish", "/schema.json"):
        assert designer.get(url + page).status_code == 200, page
    posts = [
        ("/add", {"what": "section"}),
        ("/add", {"what": "rules"}),
        ("/add", {"what": "indicators"}),
        ("/add", {"what": "field", "section": "0", "type": "text"}),
        *((f"/{action}", {"element": key}) for action in ("remove", "duplicate") for key in keys),
        *(("/move", {"element": key, "step": "up"}) for key in keys),
        ("/check", {"element": "rule-0", "key": "check", "check": "true"}),
        ("/check", {"element": "field-0-0", "key": "visible_if", "visible_if": "x > 1"}),
        ("/publish", {}),
    ]
    for path, data in posts:
        revision = str(draft(draft_id).revision)
        answer = designer.post(url + path, data={"revision": revision, **data})
        assert answer.status_code < 500, (path, data)
    for key in keys:
        answer = save(designer, draft_id, key, {"id": "x", "title_ru": "Т", "label_ru": "Т"})
        assert answer.status_code < 500, key
    assert order(designer, draft_id, [["section-0"]]).status_code in (400, 409)


def test_an_element_of_another_shape_is_shown_empty_with_a_word_why(designer, tree):
    response = designer.post(
        "/designer/upload",
        data={
            "unit": str(tree["region"].id),
            "file": (io.BytesIO(json.dumps(ODD_SHAPES[-1]).encode()), "odd.json"),
        },
        content_type="multipart/form-data",
    )
    draft_id = draft_id_of(response)
    page = text(designer.get(f"/designer/drafts/{draft_id}"))
    assert "This part of the draft is not in the shape the editor changes" in page
    saved = save(designer, draft_id, "identity", {"id": "odd", "title_ru": "Т", "kind": "survey"})
    assert saved.status_code == 200
    assert "mend it on the JSON page" in text(saved)


def test_a_rule_shown_at_too_many_fields_is_refused(designer, survey):
    revision = draft(survey).revision
    response = designer.post(
        f"/designer/drafts/{survey}?element=rule-0",
        data={
            "revision": str(revision),
            "id": "seniors_visit_fair",
            "check": "true",
            "message_ru": "Проверка",
            "fields": [f"f{n}" for n in range(MAX_LIST_ITEMS + 1)],
        },
    )
    assert response.status_code == 200
    assert f"At most {MAX_LIST_ITEMS} items." in text(response)
    assert draft(survey).revision == revision


# --- numbers ---------------------------------------------------------------------------

BAD_NUMBERS = ["NaN", "Infinity", "-Infinity", "sNaN", "1e999999", "9" * 4000, "1e16"]


@pytest.mark.parametrize("value", BAD_NUMBERS)
def test_a_bound_or_target_no_float_holds_is_refused_beside_its_input(designer, survey, value):
    revision = draft(survey).revision
    bound = save(
        designer,
        survey,
        "field-1-0",
        {
            "id": "hours",
            "type": "grid",
            "section": "1",
            "label_ru": "Часы",
            "rows-0-id": "lessons",
            "rows-0-label_ru": "Уроки",
            "columns-0-id": "spent",
            "columns-0-type": "integer",
            "columns-0-label_ru": "Часов",
            "columns-0-max": value,
        },
    )
    assert bound.status_code == 200
    scale = save(
        designer,
        survey,
        "field-1-1",
        {
            "id": "satisfaction",
            "type": "rating",
            "section": "1",
            "label_ru": "Польза",
            "scale_min": value,
            "scale_max": "5",
        },
    )
    assert scale.status_code == 200
    target = save(
        designer,
        survey,
        "indicator-0",
        {"id": "trials_share", "title_ru": "Доля", "formula": "count_if(true)", "targets": value},
    )
    assert target.status_code == 200
    assert f"«{value}» is not «year: value»." in text(target)
    year = save(
        designer,
        survey,
        "indicator-0",
        {
            "id": "trials_share",
            "title_ru": "Доля",
            "formula": "count_if(true)",
            "targets": f"2026: {value}",
        },
    )
    assert year.status_code == 200
    assert draft(survey).revision == revision


def test_a_unit_of_unicode_digits_is_not_found(designer, tree):
    for value in ("²", "9" * 40):
        response = designer.post(
            "/designer/new", data={"unit": value, "id": "x-form", "title": "X", "kind": "survey"}
        )
        assert response.status_code == 404, value
