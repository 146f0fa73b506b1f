"""The form designer through its pages: building a survey element by element, refusals
that keep what was typed, moves, the publish page's diff, and the preview."""

from __future__ import annotations

import copy
import io
import json

import pytest
from markupsafe import escape
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from collector.extensions import db
from collector.models import FormDraft, FormVersion
from collector.schema import compile_document
from tests.designer.fixtures import (
    REPORT,
    add,
    count_events,
    draft,
    draft_id_of,
    options,
    publish_report,
    save,
    start,
    versions,
)

SURVEY = {
    "id": "career-poll",
    "version": 1,
    "title": "Опрос о профориентации",
    "kind": "survey",
    "respondents": {"unit_types": ["school"]},
    "source": {},
    "sections": [
        {
            "id": "section_1",
            "title": "Раздел 1",
            "fields": [
                {
                    "id": "grade",
                    "type": "single_choice",
                    "label": "В каком вы классе?",
                    "required": True,
                    "options": [
                        {"value": "9", "label": "9 класс"},
                        {"value": "11", "label": "11 класс"},
                    ],
                },
                {
                    "id": "took_part",
                    "type": "multiple_choice",
                    "label": "В чём вы участвовали?",
                    "options": [
                        {"value": "trials", "label": "Профессиональные пробы"},
                        {"value": "fair", "label": "Ярмарка"},
                    ],
                },
            ],
        },
        {
            "id": "section_2",
            "title": "Раздел 2",
            "fields": [
                {
                    "id": "hours",
                    "type": "grid",
                    "label": "Часы занятий",
                    "rows": [{"id": "lessons", "label": "Уроки"}],
                    "columns": [{"id": "spent", "type": "integer", "label": "Часов"}],
                },
                {
                    "id": "satisfaction",
                    "type": "rating",
                    "label": "Насколько полезны были пробы?",
                    "visible_if": 'selected(took_part, "trials")',
                    "scale": {"min": 1, "max": 5},
                },
            ],
        },
    ],
    "rules": [
        {
            "id": "seniors_visit_fair",
            "check": 'grade != "11" or selected(took_part, "fair")',
            "message": "Одиннадцатиклассник отмечает ярмарку",
            "fields": ["took_part"],
        }
    ],
    "indicators": [
        {
            "id": "trials_share",
            "code": "1.2",
            "title": "Доля участников профессиональных проб",
            "unit": "%",
            "formula": 'share(selected(took_part, "trials")) * 100',
            "levels": ["school"],
            "targets": {"2026": 60},
            "source": {},
        }
    ],
}


def text(response):
    return response.get_data(as_text=True)


def test_a_survey_built_in_the_editor_holds_what_was_typed(survey):
    built = draft(survey)
    assert built.document == SURVEY
    # 1 section + 4 fields + 4 field saves + rule added and saved + indicator added and saved
    assert built.revision == 1 + 13
    assert (built.form_id, built.title, built.status) == (
        "career-poll",
        "Опрос о профориентации",
        "draft",
    )


def test_publishing_the_survey_makes_version_1_owned_by_its_unit(designer, survey, tree):
    page = designer.get(f"/designer/drafts/{survey}/publish")
    assert "This will be version 1 of a new form career-poll." in text(page)
    response = designer.post(
        f"/designer/drafts/{survey}/publish", data={"revision": str(draft(survey).revision)}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/designer/"
    [version] = versions("career-poll")
    assert (version.version, version.kind, version.title) == (
        1,
        "survey",
        "Опрос о профориентации",
    )
    assert version.owner_unit_id == tree["region"].id
    assert version.document == SURVEY
    published = draft(survey)
    assert (published.status, published.published_version_id) == ("published", version.id)
    # One start, a save per add and per saved form (13), one publication.
    assert count_events("form.draft_start") == 1
    assert count_events("form.draft_save") == 13
    assert count_events("form.publish") == 1
    listed = text(designer.get("/designer/"))
    assert 'data-form="career-poll"' in listed
    assert "Version 1 of career-poll is published." in listed


def test_a_published_draft_is_not_changed_any_more(designer, survey):
    revision = draft(survey).revision
    designer.post(f"/designer/drafts/{survey}/publish", data={"revision": str(revision)})
    response = save(
        designer,
        survey,
        "field-0-0",
        {"id": "grade", "type": "single_choice", "section": "0", "label_ru": "Другой"},
    )
    assert response.status_code == 200
    assert "This draft has been published; start a new version to change it." in text(response)
    assert draft(survey).document["sections"][0]["fields"][0]["label"] == "В каком вы классе?"


# --- bad input --------------------------------------------------------------------------


def check(client, draft_id, element, key, source):
    return client.post(
        f"/designer/drafts/{draft_id}/check", data={"element": element, "key": key, key: source}
    )


def test_the_check_names_an_unknown_field_and_a_syntax_error(designer, survey):
    unknown = check(designer, survey, "indicator-0", "formula", 'share(selected(pupils, "x"))')
    assert unknown.status_code == 200
    assert 'data-testid="check-issues"' in text(unknown)
    assert 'data-code="unknown_reference"' in text(unknown)
    assert "pupils" in text(unknown)
    broken = check(designer, survey, "field-1-1", "visible_if", 'selected(took_part, "trials"')
    assert 'data-code="expression_syntax"' in text(broken)
    fine = check(designer, survey, "rule-0", "check", 'grade = "9"')
    assert 'data-testid="check-ok"' in text(fine)
    # An input that holds no expression is not checked.
    assert check(designer, survey, "identity", "title_ru", "x").status_code == 400


def test_an_invalid_formula_is_kept_in_the_draft_and_blocks_publishing(designer, survey):
    response = save(
        designer,
        survey,
        "indicator-0",
        {
            "id": "trials_share",
            "title_ru": "Доля участников профессиональных проб",
            "formula": 'share(selected(pupils, "trials")) * 100',
        },
    )
    assert response.status_code == 302
    kept = draft(survey)
    assert kept.document["indicators"][0]["formula"] == 'share(selected(pupils, "trials")) * 100'
    page = text(designer.get(f"/designer/drafts/{survey}/publish"))
    assert 'data-testid="publish-refused"' in page
    assert "The form has 1 errors; mend them and publish again." in page
    assert f'href="/designer/drafts/{survey}?element=indicator-0' in page
    assert 'data-code="unknown_reference"' in page
    refused = designer.post(
        f"/designer/drafts/{survey}/publish", data={"revision": str(kept.revision)}
    )
    assert refused.status_code == 200
    assert 'data-testid="publish-refused"' in text(refused)
    assert versions("career-poll") == []
    assert draft(survey).status == "draft"
    assert count_events("form.publish") == 0


def test_a_duplicate_field_id_is_saved_and_listed_on_the_publish_page(designer, survey):
    response = save(
        designer,
        survey,
        "field-0-1",
        {
            "id": "grade",
            "type": "multiple_choice",
            "section": "0",
            "label_ru": "В чём вы участвовали?",
            **options(("trials", "trials", "Пробы"), ("fair", "fair", "Ярмарка")),
        },
    )
    assert response.status_code == 302
    assert [f["id"] for f in draft(survey).document["sections"][0]["fields"]] == ["grade", "grade"]
    page = text(designer.get(f"/designer/drafts/{survey}/publish"))
    assert 'data-code="duplicate_id"' in page
    assert f'href="/designer/drafts/{survey}?element=field-0-1' in page


PLAN = {
    "id": "has_plan",
    "type": "single_choice",
    "section": "0",
    "label_ru": "Есть ли утверждённый план?",
}


def test_a_published_option_code_cannot_change_and_nothing_typed_is_lost(designer, next_version):
    before = copy.deepcopy(draft(next_version).document)
    response = save(
        designer,
        next_version,
        "field-0-0",
        {
            **PLAN,
            **options(
                ("yes", "approved", "Есть, утверждён"),
                ("no", "no", "Нет"),
                ("draft", "draft", "В работе"),
            ),
        },
    )
    assert response.status_code == 200
    page = text(response)
    assert 'data-testid="refused"' in page
    assert "The option code yes of has_plan is in a published version" in page
    assert "it cannot become approved" in page
    # Every value typed is on the page again.
    for typed in ("Есть ли утверждённый план?", "Есть, утверждён", 'value="approved"'):
        assert typed in page
    after = draft(next_version)
    assert after.document == before
    assert after.revision == 1


def test_a_published_field_id_cannot_change(designer, next_version):
    before = copy.deepcopy(draft(next_version).document)
    response = save(
        designer,
        next_version,
        "field-0-0",
        {
            **PLAN,
            "id": "plan_state",
            **options(("yes", "yes", "Есть"), ("no", "no", "Нет"), ("draft", "draft", "Черновик")),
        },
    )
    assert response.status_code == 200
    page = text(response)
    assert "The field has_plan is in a published version: its id cannot change" in page
    assert 'value="plan_state"' in page and "Есть ли утверждённый план?" in page
    assert draft(next_version).document == before


def test_a_new_option_and_a_relabelled_one_are_saved_on_a_next_version(designer, next_version):
    response = save(
        designer,
        next_version,
        "field-0-0",
        {
            **PLAN,
            **options(
                ("yes", "yes", "Есть, утверждён"),
                ("no", "no", "Нет"),
                ("draft", "draft", "В работе"),
                ("", "soon", "Будет к сентябрю"),
            ),
        },
    )
    assert response.status_code == 302
    field = draft(next_version).document["sections"][0]["fields"][0]
    assert field["label"] == "Есть ли утверждённый план?"
    assert field["options"] == [
        {"value": "yes", "label": "Есть, утверждён"},
        {"value": "no", "label": "Нет"},
        {"value": "draft", "label": "В работе"},
        {"value": "soon", "label": "Будет к сентябрю"},
    ]


def count_drafts():
    return db.session.scalar(select(func.count(FormDraft.id)))


def test_a_five_megabyte_upload_is_refused_with_its_size(designer, tree):
    content = b" " * (5 * 1024 * 1024)
    # Encoded here, not by the test client: its spooled body of a large file is never closed.
    boundary, body = encode_multipart(
        {"unit": str(tree["region"].id), "file": FileStorage(io.BytesIO(content), "big.json")}
    )
    response = designer.post(
        "/designer/upload",
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
    )
    assert response.status_code == 200
    page = text(response)
    assert "big.json is 5.0 MB; a form schema may be at most 1 MB." in page
    assert 'data-testid="upload-form"' in page
    assert count_drafts() == 0


def test_an_upload_that_is_not_json_is_refused(designer, tree):
    response = designer.post(
        "/designer/upload",
        data={"unit": str(tree["region"].id), "file": (io.BytesIO(b"\x89PNG\r\n\x1a\n"), "a.png")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 200
    assert "a.png is not a JSON file: not UTF-8 text" in text(response)
    text_file = designer.post(
        "/designer/upload",
        data={"unit": str(tree["region"].id), "file": (io.BytesIO(b"id: poll\n"), "poll.yaml")},
        content_type="multipart/form-data",
    )
    assert "poll.yaml is not a JSON file: Expecting value (line 1, column 1)" in text(text_file)
    array = designer.post(
        "/designer/upload",
        data={"unit": str(tree["region"].id), "file": (io.BytesIO(b"[1, 2]"), "list.json")},
        content_type="multipart/form-data",
    )
    assert "list.json holds JSON, but not a form schema object." in text(array)
    assert count_drafts() == 0


def test_an_upload_with_schema_errors_becomes_a_draft_listing_them(designer, tree):
    document = copy.deepcopy(REPORT)
    document["sections"][0]["fields"][1]["id"] = "has_plan"
    response = designer.post(
        "/designer/upload",
        data={
            "unit": str(tree["mun_a"].id),
            "file": (io.BytesIO(json.dumps(document).encode()), "report.json"),
        },
        content_type="multipart/form-data",
    )
    uploaded = draft(draft_id_of(response))
    assert (uploaded.form_id, uploaded.unit_id, uploaded.new_version) == (
        "career-report",
        tree["mun_a"].id,
        False,
    )
    assert uploaded.document == document
    page = text(designer.get(f"/designer/drafts/{uploaded.id}/issues"))
    assert 'data-code="duplicate_id"' in page


def test_invalid_json_text_is_refused_and_kept_in_the_textarea(designer, survey):
    before = draft(survey)
    document, revision = copy.deepcopy(before.document), before.revision
    typed = '{"id": "career-poll", "title": "Опрос" "kind": "survey"}'
    response = designer.post(
        f"/designer/drafts/{survey}/json", data={"document": typed, "revision": str(revision)}
    )
    assert response.status_code == 200
    page = text(response)
    assert 'data-testid="refused"' in page
    assert "Not saved: Expecting &#39;,&#39; delimiter (line 1, column 40)" in page
    assert str(escape(typed)) in page
    after = draft(survey)
    assert (after.document, after.revision) == (document, revision)


def test_json_text_replaces_the_document(designer, survey):
    document = copy.deepcopy(draft(survey).document)
    document["title"] = "Опрос выпускников"
    response = designer.post(
        f"/designer/drafts/{survey}/json",
        data={"document": json.dumps(document), "revision": str(draft(survey).revision)},
    )
    assert response.status_code == 302
    after = draft(survey)
    assert (after.document, after.title) == (document, "Опрос выпускников")


def test_a_stale_save_is_refused_and_shows_what_was_typed(designer, survey):
    stale = draft(survey).revision
    add(designer, survey, "section")  # someone else's save in between
    before = draft(survey)
    document, revision = copy.deepcopy(before.document), before.revision
    response = designer.post(
        f"/designer/drafts/{survey}?element=field-0-0",
        data={
            "revision": str(stale),
            "action": "save",
            "id": "grade",
            "type": "single_choice",
            "section": "0",
            "label_ru": "Ваш класс сейчас",
            **options(("9", "9", "Девятый"), ("11", "11", "Одиннадцатый")),
        },
    )
    assert response.status_code == 200
    page = text(response)
    assert "Someone saved this draft after you opened it; reload to see their changes." in page
    for typed in ("Ваш класс сейчас", "Девятый", "Одиннадцатый"):
        assert typed in page
    after = draft(survey)
    assert (after.document, after.revision) == (document, revision)
    autosave = designer.post(
        f"/designer/drafts/{survey}?element=field-0-0",
        data={
            "revision": str(stale),
            "action": "autosave",
            "id": "grade",
            "type": "single_choice",
            "section": "0",
            "label_ru": "Ваш класс сейчас",
            **options(("9", "9", "Девятый"), ("11", "11", "Одиннадцатый")),
        },
    )
    assert autosave.status_code == 409
    assert autosave.get_json() == {
        "saved": False,
        "message": "Someone saved this draft after you opened it; reload to see their changes.",
    }
    assert draft(survey).document == document


def test_an_autosave_answers_with_the_new_revision(designer, survey):
    revision = draft(survey).revision
    response = designer.post(
        f"/designer/drafts/{survey}?element=section-1",
        data={
            "revision": str(revision),
            "action": "autosave",
            "id": "experience",
            "title_ru": "Опыт",
        },
    )
    assert response.get_json() == {"saved": True, "revision": revision + 1, "element": "section-1"}
    assert draft(survey).document["sections"][1]["title"] == "Опыт"


# --- moves ------------------------------------------------------------------------------


def layout(draft_id):
    return [
        (section["id"], [field["id"] for field in section["fields"]])
        for section in draft(draft_id).document["sections"]
    ]


def move(client, draft_id, element, step):
    return client.post(
        f"/designer/drafts/{draft_id}/move",
        data={"element": element, "step": step, "revision": str(draft(draft_id).revision)},
    )


def test_a_field_moves_across_the_boundary_of_its_section(designer, survey):
    response = move(designer, survey, "field-1-0", "up")
    assert response.headers["Location"].endswith("element=field-0-2")
    assert layout(survey) == [
        ("section_1", ["grade", "took_part", "hours"]),
        ("section_2", ["satisfaction"]),
    ]
    response = move(designer, survey, "field-0-2", "down")
    assert response.headers["Location"].endswith("element=field-1-0")
    response = move(designer, survey, "field-1-0", "down")
    assert response.headers["Location"].endswith("element=field-1-1")
    assert layout(survey) == [
        ("section_1", ["grade", "took_part"]),
        ("section_2", ["satisfaction", "hours"]),
    ]
    # The first field goes nowhere up; the last nowhere down.
    move(designer, survey, "field-0-0", "up")
    move(designer, survey, "field-1-1", "down")
    assert layout(survey) == [
        ("section_1", ["grade", "took_part"]),
        ("section_2", ["satisfaction", "hours"]),
    ]
    move(designer, survey, "section-1", "up")
    assert layout(survey) == [
        ("section_2", ["satisfaction", "hours"]),
        ("section_1", ["grade", "took_part"]),
    ]


def order(client, draft_id, rows, revision=None):
    revision = draft(draft_id).revision if revision is None else revision
    return client.post(
        f"/designer/drafts/{draft_id}/order", json={"order": rows, "revision": revision}
    )


def test_a_dragged_order_moves_fields_between_sections(designer, survey):
    revision = draft(survey).revision
    response = order(
        designer,
        survey,
        [["section-1", "field-1-1", "field-0-0"], ["section-0", "field-1-0", "field-0-1"]],
    )
    assert response.status_code == 200
    assert response.get_json() == {"saved": True, "revision": revision + 1}
    assert layout(survey) == [
        ("section_2", ["satisfaction", "grade"]),
        ("section_1", ["hours", "took_part"]),
    ]


@pytest.mark.parametrize(
    "rows",
    [
        [["section-0", "field-0-0", "field-0-1"], ["section-1", "field-1-0"]],  # one left out
        [["section-0", "field-0-0", "field-0-1", "field-0-1"], ["section-1", "field-1-0"]],
        [["section-0", "field-0-0", "field-0-1", "field-9-9"], ["section-1", "field-1-0"]],
        [["section-0", "field-0-0", "field-0-1", "field-1-0", "field-1-1"]],  # a section lost
        [],
    ],
)
def test_a_malformed_order_is_refused_and_changes_nothing(designer, survey, rows):
    before = draft(survey)
    document, revision = copy.deepcopy(before.document), before.revision
    response = order(designer, survey, rows)
    assert response.status_code in (400, 409)
    assert response.get_json()["saved"] is False
    after = draft(survey)
    assert (after.document, after.revision) == (document, revision)


def test_an_order_from_a_stale_page_is_refused(designer, survey):
    stale = draft(survey).revision
    add(designer, survey, "rules")
    document = copy.deepcopy(draft(survey).document)
    rows = [["section-1", "field-1-0", "field-1-1"], ["section-0", "field-0-0", "field-0-1"]]
    response = order(designer, survey, rows, revision=stale)
    assert response.status_code == 409
    assert draft(survey).document == document


# --- the publish page of a next version ---------------------------------------------------


def test_the_publish_page_lists_removed_options_and_fields_with_warnings(designer, next_version):
    response = save(
        designer,
        next_version,
        "field-0-0",
        {**PLAN, **options(("yes", "yes", "Есть"), ("no", "no", "Нет"))},
    )
    assert response.status_code == 302
    response = designer.post(
        f"/designer/drafts/{next_version}/remove",
        data={"element": "field-0-2", "revision": str(draft(next_version).revision)},
    )
    assert response.status_code == 302
    page = text(designer.get(f"/designer/drafts/{next_version}/publish"))
    assert "This will be version 2 of career-report." in page
    assert page.count("data-kind=") == 3
    assert 'data-kind="field_renamed"' in page
    assert 'data-kind="option_removed"' in page
    assert 'data-kind="field_removed"' in page
    assert (
        "Answers already collected with this option code are orphaned: "
        "no option of the new version shows them." in page
    )
    assert (
        "Answers already collected to this field stay in exports, "
        "but the new version no longer asks it." in page
    )
    assert page.count('data-testid="warning"') == 2


def test_an_unchanged_next_version_has_nothing_to_publish(designer, next_version):
    page = text(designer.get(f"/designer/drafts/{next_version}/publish"))
    assert "No changes: there is nothing to publish." in page
    response = designer.post(
        f"/designer/drafts/{next_version}/publish",
        data={"revision": str(draft(next_version).revision)},
        follow_redirects=True,
    )
    assert "Nothing changed since version 1: there is nothing to publish." in text(response)
    assert [v.version for v in versions("career-report")] == [1]


def test_a_new_version_keeps_the_form_id(designer, next_version):
    response = save(
        designer,
        next_version,
        "identity",
        {"id": "career-report-2", "title_ru": "Отчёт", "kind": "unit_report"},
    )
    assert response.status_code == 200
    assert "A new version keeps its form&#39;s id career-report." in text(response)
    assert draft(next_version).document["id"] == "career-report"


def test_a_new_form_cannot_take_a_published_id(designer, tree):
    publish_report(tree["region"])
    response = designer.post(
        "/designer/new",
        data={
            "unit": str(tree["region"].id),
            "id": "career-report",
            "title": "Другой отчёт",
            "kind": "unit_report",
        },
    )
    assert response.status_code == 200
    assert "The id career-report belongs to a published form: choose another." in text(response)
    assert count_drafts() == 0


# --- the preview ------------------------------------------------------------------------


def test_the_preview_draws_the_questions(designer, survey):
    response = designer.get(f"/designer/drafts/{survey}/preview")
    assert response.status_code == 200
    assert response.headers["X-Frame-Options"] == "SAMEORIGIN"
    page = text(response)
    for label in ("В каком вы классе?", "В чём вы участвовали?", "Часы занятий"):
        assert label in page
    # Shown only once trials are ticked.
    assert "Насколько полезны были пробы?" not in page


def test_tried_answers_show_dependent_questions_and_rule_messages(designer, survey):
    shown = text(
        designer.post(
            f"/designer/drafts/{survey}/preview", data={"grade": "9", "took_part": "trials"}
        )
    )
    assert "Насколько полезны были пробы?" in shown
    assert "Одиннадцатиклассник отмечает ярмарку" not in shown
    assert 'data-testid="preview-ok"' in shown
    failing = text(
        designer.post(
            f"/designer/drafts/{survey}/preview", data={"grade": "11", "took_part": "trials"}
        )
    )
    assert 'data-testid="preview-problems"' in failing
    assert "Одиннадцатиклассник отмечает ярмарку" in failing
    passing = text(
        designer.post(
            f"/designer/drafts/{survey}/preview",
            data={"grade": "11", "took_part": ["trials", "fair"]},
        )
    )
    assert 'data-testid="preview-ok"' in passing
    assert db.session.scalar(select(func.count(FormVersion.id))) == 0


def test_the_preview_of_a_draft_with_errors_counts_them(designer, survey):
    save(
        designer,
        survey,
        "indicator-0",
        {"id": "trials_share", "title_ru": "Доля", "formula": "share(pupils)"},
    )
    page = text(designer.get(f"/designer/drafts/{survey}/preview"))
    assert 'data-testid="preview-errors"' in page
    assert "it has 1 now" in page


def test_an_order_with_an_empty_row_is_refused(designer, survey):
    document = copy.deepcopy(draft(survey).document)
    rows = [["section-0", "field-0-0", "field-0-1"], ["section-1", "field-1-0", "field-1-1"], []]
    response = order(designer, survey, rows)
    assert response.status_code in (400, 409)
    assert draft(survey).document == document


def test_an_order_with_a_number_for_a_key_is_refused(designer, survey):
    document = copy.deepcopy(draft(survey).document)
    rows = [["section-0", "field-0-0", "field-0-1"], [1, "field-1-0", "field-1-1"]]
    response = order(designer, survey, rows)
    assert response.status_code in (400, 409)
    assert draft(survey).document == document


IDENTITY = {
    "id": "club-registry",
    "title_ru": "Реестр профориентационных клубов",
    "unit_types": "school",
    "source_document": "Концепция",
}


def test_a_registry_s_identity_names_its_record_title_and_keeps_its_summaries(designer, tree):
    draft_id = start(designer, tree["region"], "club-registry", kind="registry")
    field = add(designer, draft_id, "field", section="0", type="text")
    save(designer, draft_id, field, {"id": "name", "type": "text", "label_ru": "Название клуба"})
    document = copy.deepcopy(draft(draft_id).document)
    # A summary written on the JSON page: the identity form must not lose it.
    document["registry"] = {"record_title": "name", "summaries": []}
    designer.post(
        f"/designer/drafts/{draft_id}/json",
        data={"revision": str(draft(draft_id).revision), "document": json.dumps(document)},
    )
    save(
        designer,
        draft_id,
        "identity",
        IDENTITY | {"kind": "registry", "record_title": "name", "public": "y"},
    )
    saved = draft(draft_id).document
    assert saved["registry"] == {"record_title": "name", "summaries": [], "public": True}
    assert compile_document(copy.deepcopy(saved)).spec.registry.record_title == "name"
    # The same form made a unit report: the registry block goes.
    save(designer, draft_id, "identity", IDENTITY | {"kind": "unit_report"})
    assert "registry" not in draft(draft_id).document


def test_a_survey_s_identity_sets_its_group_question_and_browsers(designer, tree):
    draft_id = start(designer, tree["region"], "group-poll", kind="survey")
    field = add(designer, draft_id, "field", section="0", type="single_choice")
    save(
        designer,
        draft_id,
        field,
        {"id": "grade", "type": "single_choice", "label_ru": "Класс"}
        | options(("1", "9", "9 класс"), ("", "10", "10 класс")),
    )
    save(
        designer,
        draft_id,
        "identity",
        IDENTITY
        | {
            "id": "group-poll",
            "kind": "survey",
            "anonymous": "y",
            "min_group_size": "3",
            "multiple_per_browser": "y",
            "section_pages": "y",
            "category_field": "grade",
        },
    )
    respondents = draft(draft_id).document["respondents"]
    assert respondents == {
        "unit_types": ["school"],
        "anonymous": True,
        "min_group_size": 3,
        "multiple_per_browser": True,
        "section_pages": True,
        "category_field": "grade",
    }
    spec = compile_document(copy.deepcopy(draft(draft_id).document)).spec
    assert (spec.category_field, spec.min_group_size) == ("grade", 3)
    assert spec.section_pages


def test_adding_an_option_row_or_column_saves_what_was_typed_with_it(designer, tree):
    draft_id = start(designer, tree["region"], "add-rows", kind="unit_report")
    choice = add(designer, draft_id, "field", section="0", type="single_choice")
    response = save(
        designer,
        draft_id,
        choice,
        {"id": "level", "type": "single_choice", "label_ru": "Уровень"}
        | options(("1", "school", "Школьный"))
        | {"action": "add:options"},
    )
    assert response.status_code == 302
    field = draft(draft_id).document["sections"][0]["fields"][0]
    assert field["label"] == "Уровень"
    assert field["options"] == [
        {"value": "school", "label": "Школьный"},
        {"value": "2", "label": "Вариант 2"},
    ]
    grid = add(designer, draft_id, "field", section="0", type="grid")
    typed = {
        "id": "people",
        "type": "grid",
        "label_ru": "Участники",
        "rows-0-id": "pupils",
        "rows-0-label_ru": "Обучающиеся",
        "columns-0-id": "count",
        "columns-0-type": "integer",
        "columns-0-label_ru": "Чел.",
    }
    save(designer, draft_id, grid, typed | {"action": "add:rows"})
    # The page now shows the new row: it is posted back with the next add.
    typed |= {"rows-1-id": "row_2", "rows-1-label_ru": "Родители"}
    save(designer, draft_id, grid, typed | {"action": "add:columns"})
    field = draft(draft_id).document["sections"][0]["fields"][1]
    assert field["rows"] == [
        {"id": "pupils", "label": "Обучающиеся"},
        {"id": "row_2", "label": "Родители"},
    ]
    assert field["columns"] == [
        {"id": "count", "type": "integer", "label": "Чел."},
        {"id": "col_2", "type": "integer", "label": "Столбец 2"},
    ]


def test_a_published_indicator_keeps_its_id_and_changes_its_title(designer, tree):
    report = copy.deepcopy(REPORT)
    report["indicators"] = [
        {
            "id": "plans",
            "title": "Школы с планом",
            "formula": 'count_if(has_plan = "yes")',
            "source": {"clause": "1"},
        }
    ]
    version = publish_report(tree["region"], report)
    draft_id = draft_id_of(designer.post(f"/designer/versions/{version.id}/revise", data={}))
    typed = {"title_ru": "Школы с утверждённым планом", "formula": 'count_if(has_plan = "yes")'}
    refused = save(designer, draft_id, "indicator-0", typed | {"id": "approved_plans"})
    page = text(refused)
    assert "The indicator plans is in a published version: its id cannot change" in page
    assert "Школы с утверждённым планом" in page  # what was typed is shown again
    assert draft(draft_id).document["indicators"][0]["id"] == "plans"
    assert save(designer, draft_id, "indicator-0", typed | {"id": "plans"}).status_code == 302
    assert draft(draft_id).document["indicators"][0]["title"] == "Школы с утверждённым планом"


def test_a_question_and_a_section_are_duplicated_under_free_ids(designer, tree):
    draft_id = start(designer, tree["region"], "copies", kind="unit_report")
    first = add(designer, draft_id, "field", section="0", type="integer")
    save(designer, draft_id, first, {"id": "events", "type": "integer", "label_ru": "Событий"})
    response = designer.post(
        f"/designer/drafts/{draft_id}/duplicate",
        data={"element": "field-0-0", "revision": str(draft(draft_id).revision)},
    )
    assert response.headers["Location"].endswith("element=field-0-1")
    fields = draft(draft_id).document["sections"][0]["fields"]
    assert [(f["id"], f["label"]) for f in fields] == [
        ("events", "Событий"),
        ("events_1", "Событий"),
    ]
    designer.post(
        f"/designer/drafts/{draft_id}/duplicate",
        data={"element": "section-0", "revision": str(draft(draft_id).revision)},
    )
    document = draft(draft_id).document
    assert [s["id"] for s in document["sections"]] == ["section_1", "section_1_1"]
    assert [f["id"] for f in document["sections"][1]["fields"]] == ["events_2", "events_1_1"]
    assert compile_document(copy.deepcopy(document)).spec.id == "copies"


def test_a_rule_is_made_a_warning_and_back_an_error(designer, survey):
    page = text(designer.get(f"/designer/drafts/{survey}?element=rule-0"))
    # (The designer here works in English: «Ошибка / Предупреждение» in Russian.)
    assert 'name="severity"' in page and ">Warning</option>" in page
    assert '<option selected value="error">Error</option>' in page
    rule = {
        "id": "seniors_visit_fair",
        "check": 'grade != "11" or selected(took_part, "fair")',
        "message_ru": "Одиннадцатиклассник обычно отмечает ярмарку",
        "fields": "took_part",
    }
    saved = save(designer, survey, "rule-0", rule | {"severity": "warning"})
    assert saved.status_code == 302
    document = draft(survey).document
    assert document["rules"][0]["severity"] == "warning"
    # The draft compiles to a warning rule; the editor shows it selected.
    [compiled] = compile_document(document).spec.rules
    assert compiled.warning
    again = text(designer.get(f"/designer/drafts/{survey}?element=rule-0"))
    assert '<option selected value="warning">' in again
    # An error is the default: not written out.
    assert save(designer, survey, "rule-0", rule | {"severity": "error"}).status_code == 302
    assert "severity" not in draft(survey).document["rules"][0]
