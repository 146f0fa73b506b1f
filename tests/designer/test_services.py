"""The designer's round trips: a published version downloaded, checked by the command
line, uploaded again and compiled to the same form; a version published in the editor
owned by its unit; and the answers of every version of a form in one workbook."""

from __future__ import annotations

import copy
import dataclasses
import io
import json

import openpyxl
import pytest
from sqlalchemy import select

from collector.designer import services
from collector.errors import ActionForbidden
from collector.extensions import db
from collector.models import AuditEvent, FormResponse
from collector.schema import compile_document
from tests.designer.fixtures import (
    REPORT,
    count_events,
    draft,
    draft_id_of,
    options,
    publish_report,
    save,
    versions,
)


def upload(client, unit, content, name="schema.json"):
    return client.post(
        "/designer/upload",
        data={"unit": str(unit.id), "file": (io.BytesIO(content), name)},
        content_type="multipart/form-data",
    )


def test_a_downloaded_version_checks_uploads_and_compiles_to_the_same_form(
    app, designer, survey, tree, tmp_path
):
    revision = draft(survey).revision
    designer.post(f"/designer/drafts/{survey}/publish", data={"revision": str(revision)})
    [version] = versions("career-poll")
    response = designer.get(f"/designer/versions/{version.id}/schema.json")
    assert response.headers["Content-Disposition"] == ('attachment; filename="career-poll-v1.json"')
    content = response.get_data()
    response.close()
    assert json.loads(content) == version.document
    path = tmp_path / "career-poll-v1.json"
    path.write_bytes(content)
    checked = app.test_cli_runner().invoke(args=["schemas", "check", str(path)])
    assert checked.exit_code == 0, checked.output
    assert checked.output == f"{path}: ok (career-poll, 4 fields)\n"

    # The region's coordinator may revise it: the file becomes its next version.
    uploaded = draft(draft_id_of(upload(designer, tree["mun_a"], content, path.name)))
    assert (uploaded.new_version, uploaded.base_version_id, uploaded.unit_id) == (
        True,
        version.id,
        tree["region"].id,
    )
    again = compile_document(copy.deepcopy(uploaded.document)).spec
    published = compile_document(copy.deepcopy(version.document)).spec
    assert again == published
    assert dataclasses.asdict(again) == dataclasses.asdict(published)

    refused = designer.post(
        f"/designer/drafts/{uploaded.id}/publish",
        data={"revision": str(uploaded.revision)},
        follow_redirects=True,
    )
    assert "Nothing changed since version 1: there is nothing to publish." in refused.get_data(
        as_text=True
    )
    assert [v.version for v in versions("career-poll")] == [1]
    assert draft(uploaded.id).status == "draft"


def test_a_file_of_a_form_the_user_may_not_revise_becomes_a_form_of_its_own(designer, tree):
    version = publish_report(tree["other_region"])
    content = json.dumps(version.document).encode()
    uploaded = draft(draft_id_of(upload(designer, tree["mun_b"], content)))
    assert (uploaded.new_version, uploaded.base_version_id, uploaded.unit_id) == (
        False,
        None,
        tree["mun_b"].id,
    )
    page = designer.get(f"/designer/drafts/{uploaded.id}/publish").get_data(as_text=True)
    assert (
        "The id career-report belongs to a published form (Отчёт о профориентации): give this "
        "form an id of its own." in page
    )


def test_the_audit_holds_the_start_every_save_and_the_publication(designer, next_version, tree):
    save(
        designer,
        next_version,
        "field-0-0",
        {
            "id": "has_plan",
            "type": "single_choice",
            "section": "0",
            "label_ru": "Есть ли план?",
            **options(("yes", "yes", "Есть"), ("no", "no", "Нет"), ("draft", "draft", "Пишется")),
        },
    )
    designer.post(
        f"/designer/drafts/{next_version}/add",
        data={"what": "indicators", "revision": str(draft(next_version).revision)},
    )
    designer.post(
        f"/designer/drafts/{next_version}/publish",
        data={"revision": str(draft(next_version).revision)},
    )
    events = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
    # The first publication came from a file (no actor); the rest from the designer.
    assert [(e.action, e.object_type) for e in events] == [
        ("form.publish", "form_version"),
        ("form.draft_start", "form_draft"),
        ("form.draft_save", "form_draft"),
        ("form.draft_save", "form_draft"),
        ("form.publish", "form_version"),
    ]
    assert [e.details for e in events[1:4]] == [
        {"how": "version", "form_id": "career-report"},
        {"what": "field-0-0", "revision": 2},
        {"what": "add indicators", "revision": 3},
    ]
    assert events[4].details == {"form_id": "career-report", "version": 2}
    assert [v.version for v in versions("career-report")] == [1, 2]
    assert versions("career-report")[1].owner_unit_id == tree["region"].id


def test_a_discarded_draft_leaves_the_list(designer, survey):
    response = designer.post(f"/designer/drafts/{survey}/discard", data={})
    assert response.status_code == 302
    assert draft(survey).status == "discarded"
    assert count_events("form.draft_discard") == 1
    assert "career-poll" not in designer.get("/designer/").get_data(as_text=True)


def test_a_copy_is_a_new_form_with_a_free_id(designer, tree):
    version = publish_report(tree["other_region"])
    response = designer.post(
        f"/designer/versions/{version.id}/copy", data={"unit": str(tree["mun_a"].id)}
    )
    copied = draft(draft_id_of(response))
    assert (copied.form_id, copied.new_version, copied.base_version_id, copied.unit_id) == (
        "career-report-copy",
        False,
        version.id,
        tree["mun_a"].id,
    )
    assert copied.document == dict(REPORT, id="career-report-copy")


def test_only_who_may_revise_starts_a_next_version(app, tree, people):
    owned = publish_report(tree["region"])
    with pytest.raises(ActionForbidden):
        services.start_version(db.session, people["other_region"], owned)
    started = services.start_version(db.session, people["region"], owned)
    assert (started.new_version, started.unit_id) == (True, tree["region"].id)


# --- answers of every version -----------------------------------------------------------


def read_sheet(response):
    book = openpyxl.load_workbook(io.BytesIO(response.get_data()))
    response.close()
    sheet = book.worksheets[0]
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    return rows[1], rows[2:]  # below the note: the headers, then one row per response


def test_answers_of_two_versions_are_lined_up_by_field_id(designer, next_version, tree):
    # Version 2: the note goes, a count of pupils comes.
    designer.post(
        f"/designer/drafts/{next_version}/remove",
        data={"element": "field-0-2", "revision": str(draft(next_version).revision)},
    )
    designer.post(
        f"/designer/drafts/{next_version}/add",
        data={
            "what": "field",
            "section": "0",
            "type": "integer",
            "revision": str(draft(next_version).revision),
        },
    )
    response = save(
        designer,
        next_version,
        "field-0-2",
        {"id": "pupils", "type": "integer", "section": "0", "label_ru": "Участников", "min": "0"},
    )
    assert response.status_code == 302
    response = designer.post(
        f"/designer/drafts/{next_version}/publish",
        data={"revision": str(draft(next_version).revision)},
    )
    assert response.status_code == 302
    first, second = versions("career-report")
    for version, unit, answers in (
        (first, tree["school_a1"], {"has_plan": "draft", "events": 4, "old_note": "Весной"}),
        (second, tree["school_b1"], {"has_plan": "yes", "events": 7, "pupils": 120}),
    ):
        db.session.add(
            FormResponse(
                form_version_id=version.id,
                form_id="career-report",
                unit_id=unit.id,
                status="submitted",
                answers=answers,
            )
        )
    db.session.commit()

    headers, rows = read_sheet(designer.get("/designer/forms/career-report/answers.xlsx"))
    assert headers == [
        "Организация",
        "Кампания",
        "Версия формы",
        "Статус",
        "Есть ли план профориентации?",
        "Мероприятий за год",
        "Участников",
        "Примечание",
    ]
    assert rows == [
        ["МКОУ «СОШ № 1»", "—", 1, "submitted", "В работе", 4, None, "Весной"],
        ["МБОУ «Лицей № 1»", "—", 2, "submitted", "Есть", 7, 120, None],
    ]


def test_answers_of_a_survey_are_not_listed_one_by_one(designer, survey):
    revision = draft(survey).revision
    designer.post(f"/designer/drafts/{survey}/publish", data={"revision": str(revision)})
    assert designer.get("/designer/forms/career-poll/answers.xlsx").status_code == 404
    assert designer.get("/designer/forms/no-such-form/answers.xlsx").status_code == 404
