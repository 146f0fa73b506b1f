"""Data entry: drafts per section, nothing typed lost, rules beside fields, idempotent
submission, conflicts between two editors, scope."""

from __future__ import annotations

import copy
import json

import pytest
from sqlalchemy import func, select

from collector.extensions import db
from collector.models import FormResponse
from collector.publishing.services import publish
from collector.schema import compile_document
from tests.conftest import login_as
from tests.schema.cases import base


@pytest.fixture
def form(app):
    doc = copy.deepcopy(base())
    doc["sections"][0]["fields"][0]["required"] = True
    doc["sections"].append(
        {
            "id": "extra",
            "title": "Дополнительно",
            "fields": [
                {"id": "comment", "type": "text", "label": "Комментарий", "visible_if": "has_plan"}
            ],
        }
    )
    version = publish(db.session, compile_document(doc), None).form_version
    db.session.commit()
    return version


def url(unit, section="main"):
    return f"/entry/test-form/{unit.id}?section={section}"


def stored(unit) -> FormResponse | None:
    db.session.expire_all()
    return db.session.scalar(select(FormResponse).where(FormResponse.unit_id == unit.id))


def test_school_sees_its_form_and_saves_a_draft(client, tree, people, form):
    login_as(client, people["school"])
    assert "Проверочная форма" in client.get("/entry/").get_data(as_text=True)
    response = client.post(
        url(tree["school_a1"]),
        data={
            "revision": "0",
            "action": "save",
            "total": "10",
            "part": "4",
            "has_plan": "yes",
            "people-pupils__count": "120",
            "deals-0-partner": "ООО «Ромашка»",
            "deals-0-pupils": "3",
        },
    )
    assert response.status_code == 302
    saved = stored(tree["school_a1"])
    assert saved.status == "draft" and saved.revision == 1
    assert saved.answers == {
        "total": 10,
        "part": 4,
        "has_plan": True,
        "people": {"pupils": {"count": 120}},
        "deals": [{"partner": "ООО «Ромашка»", "pupils": 3}],
    }
    page = client.get(url(tree["school_a1"])).get_data(as_text=True)
    assert 'value="10"' in page and "ООО «Ромашка»" in page


def test_bad_value_keeps_everything_typed(client, tree, people, form):
    login_as(client, people["school"])
    page = client.post(
        url(tree["school_a1"]),
        data={
            "revision": "0",
            "action": "save",
            "total": "двенадцать",
            "part": "4",
        },
    ).get_data(as_text=True)
    assert 'value="двенадцать"' in page and 'value="4"' in page
    assert stored(tree["school_a1"]) is None


def test_rule_message_appears_beside_the_field_and_submit_is_refused(client, tree, people, form):
    login_as(client, people["school"])
    page = client.post(
        url(tree["school_a1"]),
        data={
            "revision": "0",
            "action": "submit",
            "total": "3",
            "part": "5",
        },
    ).get_data(as_text=True)
    assert "Часть больше целого" in page and 'value="5"' in page and 'value="3"' in page
    saved = stored(tree["school_a1"])
    assert saved.status == "draft" and saved.answers == {"total": 3, "part": 5}


def test_submit_needs_required_answers_then_is_idempotent(client, tree, people, form):
    login_as(client, people["school"])
    school = tree["school_a1"]
    page = client.post(url(school), data={"revision": "0", "action": "submit", "part": "1"})
    assert "Нужен ответ" in page.get_data(as_text=True)
    ok = client.post(
        url(school), data={"revision": "1", "action": "submit", "total": "2", "part": "1"}
    )
    assert ok.status_code == 302 and stored(school).status == "submitted"
    # A double click sends the same page twice, with the revision the page was loaded at.
    again = client.post(
        url(school), data={"revision": "1", "action": "submit", "total": "2", "part": "1"}
    )
    assert again.status_code == 302
    count = db.session.scalar(select(func.count()).select_from(FormResponse))
    saved = stored(school)
    assert count == 1 and saved.status == "submitted" and saved.revision == 2


def test_an_answer_to_a_hidden_question_is_kept_as_a_draft_and_dropped_at_submit(
    client, tree, people, form
):
    login_as(client, people["school"])
    school = tree["school_a1"]
    client.post(url(school), data={"revision": "0", "action": "save", "has_plan": "yes"})
    client.post(
        url(school, "extra"), data={"revision": "1", "action": "save", "comment": "план утверждён"}
    )
    assert stored(school).answers["comment"] == "план утверждён"
    client.post(url(school), data={"revision": "2", "action": "save", "has_plan": "no"})
    # Hidden now: kept in the draft (a «да» brings it back with what was typed) ...
    assert stored(school).answers["comment"] == "план утверждён"
    # ... autosaved as well ...
    saved = client.post(
        url(school), data={"revision": "3", "action": "autosave", "has_plan": "no", "total": "4"}
    )
    assert saved.get_json()["saved"] and stored(school).answers["comment"] == "план утверждён"
    # ... shown again on reload, and listed by the server as not to be sent (no script).
    page = client.get(url(school, "extra")).get_data(as_text=True)
    assert "план утверждён" in page
    listed = client.get(url(school)).get_data(as_text=True)
    notice = listed[listed.index('id="hidden-answers"') :].split("</div>")[0]
    assert "hidden>" not in notice.split("\n")[0] and '<li data-field-id="comment">' in notice
    assert "Комментарий" in notice
    # Submitted: the hidden answer is not sent.
    done = client.post(
        url(school), data={"revision": "4", "action": "submit", "has_plan": "no", "total": "4"}
    )
    assert done.status_code == 302
    sent = stored(school)
    assert sent.status == "submitted" and "comment" not in sent.answers
    assert sent.answers == {"has_plan": False, "total": 4}


def test_a_hidden_answer_is_not_checked(app):
    """Rules and required answers read what is sent: a hidden answer breaks no rule."""
    from collector.entry.services import problems

    doc = copy.deepcopy(base())
    doc["sections"][0]["fields"][1]["visible_if"] = "has_plan"
    spec = compile_document(doc).spec
    broken = {"has_plan": True, "total": 1, "part": 5}
    assert [p.field_id for p in problems(spec, broken, for_submission=True)] == ["part"]
    assert problems(spec, broken | {"has_plan": False}, for_submission=True) == []


def test_second_editor_is_told_of_the_conflict(client, app, tree, people, make_user, form):
    from collector.models import Role

    colleague = make_user(Role.SCHOOL_RESPONDENT, tree["school_a1"], full_name="Петров Пётр")
    other = app.test_client()
    login_as(client, people["school"])
    login_as(other, colleague)
    school = tree["school_a1"]
    client.post(url(school), data={"revision": "0", "action": "save", "total": "10"})
    # The colleague opened the page before that save (revision 0) and now saves.
    page = other.post(url(school), data={"revision": "0", "action": "save", "total": "12"})
    body = page.get_data(as_text=True)
    assert page.status_code == 200 and 'data-testid="conflict"' in body
    assert "10 → 12" in body and 'value="12"' in body
    assert stored(school).answers["total"] == 10
    # Saving again from the current revision keeps theirs.
    other.post(url(school), data={"revision": "1", "action": "save", "total": "12"})
    assert stored(school).answers["total"] == 12


def test_autosave_answers_json(client, tree, people, form):
    login_as(client, people["school"])
    response = client.post(
        url(tree["school_a1"]), data={"revision": "0", "action": "autosave", "total": "7"}
    )
    assert response.get_json() == {"revision": 1, "saved": True}
    stale = client.post(
        url(tree["school_a1"]), data={"revision": "0", "action": "autosave", "total": "8"}
    )
    assert stale.status_code == 409


def test_add_row_keeps_typed_values_without_saving(client, tree, people, form):
    login_as(client, people["school"])
    page = client.post(
        url(tree["school_a1"]),
        data={
            "revision": "0",
            "action": "add_row:deals",
            "total": "5",
            "deals-0-partner": "АО «Тайфун»",
        },
    ).get_data(as_text=True)
    assert 'name="deals-1-partner"' in page and "АО «Тайфун»" in page and 'value="5"' in page
    assert stored(tree["school_a1"]) is None


@pytest.mark.parametrize("person", ["other_region", "municipal"])
def test_others_cannot_fill_a_schools_report(client, tree, people, form, person):
    login_as(client, people[person])
    assert client.get(url(tree["school_b1"])).status_code in (403, 404)


def test_municipality_does_not_get_the_school_form(client, tree, people, form):
    login_as(client, people["municipal"])
    assert client.get(url(tree["mun_a"])).status_code == 404


def test_expired_csrf_token_keeps_values_and_saves_nothing(make_app, tree, people, form):
    csrf_app = make_app(WTF_CSRF_ENABLED=True)
    client = csrf_app.test_client()
    login_as(client, people["school"])
    page = client.post(
        url(tree["school_a1"]),
        data={
            "revision": "0",
            "action": "save",
            "total": "11",
            "csrf_token": "expired-token",
        },
    )
    body = page.get_data(as_text=True)
    assert page.status_code == 200 and 'value="11"' in body
    assert "Страница была открыта слишком долго" in body
    assert stored(tree["school_a1"]) is None


def test_unit_reference_must_name_an_existing_unit(client, tree, people, app):
    doc = copy.deepcopy(base())
    doc["sections"][0]["fields"].append(
        {"id": "partner_unit", "type": "unit_ref", "label": "Организация-партнёр"}
    )
    publish(db.session, compile_document(doc), None)
    db.session.commit()
    login_as(client, people["school"])
    school = tree["school_a1"]
    page = client.post(
        url(school), data={"revision": "0", "action": "save", "partner_unit": "NO-SUCH"}
    )
    assert "Организации с таким кодом нет." in page.get_data(as_text=True)
    assert stored(school) is None
    client.post(url(school), data={"revision": "0", "action": "save", "partner_unit": "S-B1"})
    assert stored(school).answers == {"partner_unit": "S-B1"}


def test_a_response_keeps_the_version_it_answered(client, tree, people, form):
    login_as(client, people["school"])
    school = tree["school_a1"]
    client.post(url(school), data={"revision": "0", "action": "save", "total": "4"})
    changed = copy.deepcopy(form.document)
    changed["sections"][0]["fields"][0]["label"] = "Всего (новая редакция)"
    newer = publish(db.session, compile_document(changed), None).form_version
    db.session.commit()
    assert newer.version == 2
    page = client.get(url(school)).get_data(as_text=True)
    assert "Всего, ед." in page and "новая редакция" not in page
    assert stored(school).form_version_id == form.id


def test_a_tampered_revision_is_a_conflict_not_an_error(client, tree, people, form):
    login_as(client, people["school"])
    school = tree["school_a1"]
    client.post(url(school), data={"revision": "0", "action": "save", "total": "1"})
    page = client.post(url(school), data={"revision": "x1", "action": "save", "total": "2"})
    assert page.status_code == 200 and 'data-testid="conflict"' in page.get_data(as_text=True)
    assert stored(school).answers == {"total": 1}


def test_a_saved_drafts_rule_message_appears_beside_the_field_when_the_page_is_opened(
    client, tree, people, form
):
    login_as(client, people["school"])
    client.post(
        url(tree["school_a1"]),
        data={"revision": "0", "action": "save", "total": "3", "part": "5"},
    )
    page = client.get(url(tree["school_a1"])).get_data(as_text=True)
    # In the summary above the form and beside the field itself (its errors are a tuple
    # until the form is validated, and a page opened anew is not).
    assert page.count("Часть больше целого") == 2
    assert 'class="invalid-feedback d-block">Часть больше целого' in page


@pytest.fixture
def soft_form(app):
    """The base form with a warning: more than 100 in all is unusual, but may be true."""
    doc = copy.deepcopy(base())
    doc["rules"].append(
        {
            "id": "total_unusual",
            "check": "total <= 100",
            "severity": "warning",
            "message": "Больше 100 — необычно много",
            "fields": ["total"],
        }
    )
    version = publish(db.session, compile_document(doc), None).form_version
    db.session.commit()
    return version


def test_a_warning_blocks_submit_until_confirmed_with_a_comment(client, tree, people, soft_form):
    login_as(client, people["school"])
    school = tree["school_a1"]
    typed = {"action": "submit", "total": "120", "part": "4"}
    page = client.post(url(school), data=typed | {"revision": "0"}).get_data(as_text=True)
    # Not sent; the values are kept; the warning stands beside its field with its box.
    assert stored(school).status == "draft" and stored(school).answers["total"] == 120
    assert 'data-testid="warning-summary"' in page and "Больше 100" in page
    assert 'name="confirm-total_unusual"' in page and 'name="comment-total_unusual"' in page
    assert "is-invalid" not in page.split('id="field-total"')[1].split('id="field-part"')[0]
    # Ticked without a comment: still not sent.
    ticked = typed | {"revision": "1", "confirm-total_unusual": "y", "comment-total_unusual": " "}
    client.post(url(school), data=ticked)
    assert stored(school).status == "draft" and stored(school).confirmations == {}
    # Ticked with a comment: sent, the confirmation kept with the response. (The send
    # before changed nothing stored: the revision is still 1.)
    assert stored(school).revision == 1
    confirmed = ticked | {"comment-total_unusual": "Учтены онлайн-экскурсии"}
    assert client.post(url(school), data=confirmed).status_code == 302
    sent = stored(school)
    assert sent.status == "submitted"
    given = sent.confirmations["total_unusual"]
    assert given["comment"] == "Учтены онлайн-экскурсии" and given["values"] == {"total": 120}
    assert given["by"] == people["school"].id


def test_a_confirmation_lapses_when_its_value_changes(client, tree, people, soft_form):
    login_as(client, people["school"])
    school = tree["school_a1"]
    client.post(
        url(school),
        data={
            "revision": "0",
            "action": "save",
            "total": "120",
            "confirm-total_unusual": "y",
            "comment-total_unusual": "Так и есть",
        },
    )
    assert stored(school).confirmations["total_unusual"]["values"] == {"total": 120}
    # 500 is not what was confirmed: the warning stands again, the comment offered again.
    client.post(url(school), data={"revision": "1", "action": "save", "total": "500"})
    page = client.post(
        url(school), data={"revision": "2", "action": "submit", "total": "500"}
    ).get_data(as_text=True)
    assert stored(school).status == "draft" and 'data-testid="warning-summary"' in page
    assert "Так и есть</textarea>" in page
    # Back under 100: no warning, and its old confirmation is not sent with the report.
    client.post(url(school), data={"revision": "2", "action": "submit", "total": "90"})
    sent = stored(school)
    assert sent.status == "submitted" and sent.confirmations == {}


def test_a_refused_autosave_names_each_value_by_its_label(client, tree, people, form):
    """Issue 23: what the autosave could not keep is said beside its state by the field's
    label (a grid's cell by its row and column), never by an id; nothing is stored."""
    login_as(client, people["school"])
    response = client.post(
        url(tree["school_a1"]),
        data={
            "revision": "0",
            "action": "autosave",
            "total": "-2",
            "people-pupils__count": "2.5",
        },
        headers={"Accept-Language": "ru"},
    )
    assert response.status_code == 422
    answer = response.get_json()
    assert answer["saved"] is False
    assert [(p["field"], p["label"]) for p in answer["problems"]] == [
        ("total", "Всего"),
        ("people", "Участники"),
    ]
    total, cell = (p["message"] for p in answer["problems"])
    assert total == "Введите значение не меньше 0."
    assert cell == (
        "строка «Обучающиеся», столбец «Чел.»: Введите целое число, только цифры, например 12."
    )
    assert "people-pupils" not in json.dumps(answer, ensure_ascii=False)
    assert stored(tree["school_a1"]) is None
