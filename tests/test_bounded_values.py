"""Issue 19: every value is bounded where it enters (integers within 2^53, decimals finite
and short, text without control characters), and a value an older version let through is
read defensively: left out of the figures, named on the report and in the exports, and
voidable by a coordinator. One test per failure the issue reports."""

from __future__ import annotations

import copy
import io
from datetime import datetime
from decimal import Decimal

import openpyxl
import pytest
from sqlalchemy import select

from collector.extensions import db
from collector.models import AuditEvent, FormResponse
from collector.publishing.services import publish
from collector.reports.services import Basis, campaign_report
from collector.schema import compile_document
from collector.schema.kinds import refused_answers
from collector.schema.values import (
    MAX_SAFE_INTEGER,
    RefusedAnswer,
    number_problem,
    stored_number,
    text_problem,
    without_value,
)
from collector.units.import_report import ImportReport
from collector.units.importing import _parse_unit_row
from tests.campaigns.factories import new_campaign
from tests.conftest import login_as
from tests.reports.fixtures import answered_campaign, report_form
from tests.reports.test_exports import export_file, workbook_of
from tests.schema.cases import base
from tests.surveys.test_survey_links import GOOD, link_of, survey_document

HUGE = "9" * 400
NAN_SPELLINGS = ("NaN", "nan", "-NaN", "sNaN", "-sNaN", "Infinity", "-Infinity", "inf", "1e999")


# --- the rules themselves ------------------------------------------------------------------


@pytest.mark.parametrize("spelling", NAN_SPELLINGS)
def test_no_spelling_of_nan_or_infinity_is_a_storable_decimal(spelling):
    assert number_problem(Decimal(spelling), integer=False) is not None


@pytest.mark.parametrize(
    ("text", "integer", "ok"),
    [
        ("12.5", False, True),
        ("123456789012345", False, True),  # 15 digits: what float64 keeps
        ("1234567890123456", False, False),  # 16
        ("1" * 27, False, False),  # past 26 digits, as in the issue
        ("0.0000000001", False, True),  # 10 places
        ("0.00000000001", False, False),  # 11
        ("1.500", False, True),  # trailing zeros are not digits
        ("1e-999999999", False, False),
        (str(MAX_SAFE_INTEGER), True, True),
        (str(MAX_SAFE_INTEGER + 1), True, False),
        ("-" + str(MAX_SAFE_INTEGER), True, True),
        (HUGE, True, False),
    ],
)
def test_numbers_are_bounded_to_what_float64_holds(text, integer, ok):
    assert (number_problem(Decimal(text), integer=integer) is None) is ok


def test_integers_are_checked_without_converting_them():
    assert number_problem(10**400, integer=True) is not None
    assert number_problem(-(2**53), integer=True) is None


@pytest.mark.parametrize("char", ["\x00", "\x01", "\x1b", "\x7f", "\x85", "\x9f"])
def test_control_characters_are_refused_in_text(char):
    assert text_problem(f"Школа{char}№ 5") is not None


def test_tabs_and_line_breaks_are_fine_in_text():
    assert text_problem("строка 1\r\nстрока 2\tи табуляция") is None


@pytest.mark.parametrize(
    ("stored", "expected"),
    [
        (None, (None, False)),
        ("", (None, False)),
        (12, (12.0, False)),
        ("12.5", (12.5, False)),
        ("12,5", (12.5, False)),
        (10**400, (None, True)),
        ("NaN", (None, True)),
        ("sNaN", (None, True)),
        ("Infinity", (None, True)),
        ("1e400", (None, True)),
        (float("nan"), (None, True)),
        ("не число", (None, True)),
        ([1, 2], (None, True)),
        (True, (None, True)),
    ],
)
def test_stored_numbers_are_read_defensively(stored, expected):
    assert stored_number(stored) == expected


def test_refused_answers_are_found_in_fields_grids_and_tables():
    spec = compile_document(copy.deepcopy(base())).spec
    answers = {
        "total": 10**400,
        "part": 3,
        "people": {"pupils": {"count": "NaN"}, "parents": {"count": 4}},
        "deals": [{"partner": "ООО\x00", "pupils": 2}, {"partner": "АО", "pupils": 10**30}],
    }
    found = refused_answers(spec, answers)
    assert [f.path for f in found] == [
        ("total",),
        ("people", "pupils", "count"),
        ("deals", 0, "partner"),
        ("deals", 1, "pupils"),
    ]
    # Each is removed alone, the rest of the response untouched.
    assert without_value(answers, ("total",))["part"] == 3
    assert "total" not in without_value(answers, ("total",))
    assert without_value(answers, ("people", "pupils", "count"))["people"] == {
        "parents": {"count": 4}
    }
    assert without_value(answers, ("deals", 1, "pupils"))["deals"][1] == {"partner": "АО"}


def test_a_refused_value_is_shown_cut_and_with_its_controls_visible():
    assert RefusedAnswer(("x",), "a\x00b").shown() == "a\\x00b"
    assert len(RefusedAnswer(("x",), HUGE).shown()) == 40


# --- the doors -----------------------------------------------------------------------------


def survey_with_a_number() -> dict:
    doc = survey_document()
    doc["sections"][0]["fields"].append(
        {"id": "children", "type": "integer", "label": "Сколько у вас детей?"}
    )
    doc["indicators"] = [
        {
            "id": "children_total",
            "title": "Детей в семьях",
            "formula": "sum(children)",
            "source": {"document": "Приказ № 1", "clause": "1"},
        }
    ]
    return doc


def test_a_400_digit_integer_through_a_survey_link_is_refused_beside_its_field(
    app, client, tree, people
):
    campaign = new_campaign(
        tree,
        people,
        deadline=datetime(2027, 8, 31, 23, 59),
        document=survey_with_a_number(),
        year=2026,
        opened=True,
    )
    link = link_of(campaign, tree["school_a1"])
    parent = app.test_client()
    page = parent.post(f"/s/{link.token}", data={**GOOD, "children": HUGE})
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Слишком большое по модулю число" in text
    assert HUGE in text  # what was typed is kept in the field
    assert "Спасибо классному руководителю" in text
    assert (
        db.session.scalar(select(FormResponse).where(FormResponse.campaign_id == campaign.id))
        is None
    )
    # A sensible answer goes through, and the report stands.
    assert parent.post(f"/s/{link.token}", data={**GOOD, "children": "2"}).status_code == 302
    login_as(client, people["region"])
    assert client.get(f"/reports/campaigns/{campaign.id}").status_code == 200


@pytest.fixture
def entry_form(app):
    doc = copy.deepcopy(base())
    doc["sections"][0]["fields"].append(
        {"id": "ratio", "type": "decimal", "label": "Доля", "decimals": 2}
    )
    version = publish(db.session, compile_document(doc), None).form_version
    db.session.commit()
    return version


def entry_url(unit) -> str:
    return f"/entry/test-form/{unit.id}?section=main"


def stored_answers(unit):
    db.session.expire_all()
    found = db.session.scalar(select(FormResponse).where(FormResponse.unit_id == unit.id))
    return None if found is None else found.answers


def test_a_huge_integer_in_a_unit_report_with_a_min_is_refused_and_typed_values_stay(
    client, tree, people, entry_form
):
    login_as(client, people["school"])
    page = client.post(
        entry_url(tree["school_a1"]),
        data={
            "revision": "0",
            "action": "save",
            "total": HUGE,  # the field has "min": 0
            "part": "4",
            "people-pupils__count": "120",
            "deals-0-partner": "ООО «Ромашка»",
        },
    )
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Слишком большое по модулю число" in text
    assert HUGE in text and "120" in text and "ООО «Ромашка»" in text
    assert stored_answers(tree["school_a1"]) is None


@pytest.mark.parametrize("spelling", [*NAN_SPELLINGS, "1" * 27])
def test_nan_infinity_and_long_decimals_are_refused_at_entry(
    client, tree, people, entry_form, spelling
):
    login_as(client, people["school"])
    page = client.post(
        entry_url(tree["school_a1"]),
        data={"revision": "0", "action": "save", "ratio": spelling, "total": "7"},
    )
    assert page.status_code == 200
    assert stored_answers(tree["school_a1"]) is None
    assert spelling in page.get_data(as_text=True)


def test_a_sensible_decimal_is_stored_as_typed(client, tree, people, entry_form):
    login_as(client, people["school"])
    page = client.post(
        entry_url(tree["school_a1"]), data={"revision": "0", "action": "save", "ratio": "12,5"}
    )
    # Russian decimal commas are not WTForms' business: "12,5" is refused with a message,
    # "12.5" is stored; either way nothing breaks.
    assert page.status_code in (200, 302)
    client.post(
        entry_url(tree["school_a1"]), data={"revision": "0", "action": "save", "ratio": "12.5"}
    )
    assert stored_answers(tree["school_a1"]) == {"ratio": "12.5"}


def test_a_nul_in_a_text_answer_is_refused_and_nothing_is_stored(client, tree, people, entry_form):
    login_as(client, people["school"])
    page = client.post(
        entry_url(tree["school_a1"]),
        data={"revision": "0", "action": "save", "deals-0-partner": "ООО\x00Ромашка", "total": "3"},
    )
    assert page.status_code == 200
    assert "управляющие символы" in page.get_data(as_text=True)
    assert stored_answers(tree["school_a1"]) is None


def test_a_repeated_option_is_stored_once(client, tree, people, entry_form):
    login_as(client, people["school"])
    client.post(
        entry_url(tree["school_a1"]),
        data={"revision": "0", "action": "save", "topics": ["it"] * 500},
    )
    assert stored_answers(tree["school_a1"]) == {"topics": ["it"]}


# --- defence in depth: values written straight into the database ---------------------------


def break_a_report(tree, campaign, answers) -> FormResponse:
    response = db.session.scalar(
        select(FormResponse).where(
            FormResponse.campaign_id == campaign.id, FormResponse.unit_id == tree["school_b1"].id
        )
    )
    response.answers = answers
    db.session.commit()
    return response


# A job runs in a worker thread of its own, on its own connection: it must see the committed data.
@pytest.mark.committed
def test_out_of_range_values_in_the_database_are_named_and_not_counted(client, tree, people):
    campaign = answered_campaign(tree, people)
    # school_b1 answered trained 45 of 60; its total becomes a 400-digit number.
    response = break_a_report(tree, campaign, {"has_plan": True, "trained": 45, "total": int(HUGE)})
    report = campaign_report(db.session, people["region"], campaign, Basis.ACCEPTED)
    assert report.refused.total == 1
    # Counted exactly as if the school had left its total empty.
    response.answers = {"has_plan": True, "trained": 45}
    db.session.commit()
    missing = campaign_report(db.session, people["region"], campaign, Basis.ACCEPTED)
    for indicator in ("trained_share", "plan_share"):
        for unit in ("region", "mun_b", "school_b1"):
            refused_value = report.value(indicator, tree[unit].id)
            missing_value = missing.value(indicator, tree[unit].id)
            assert (refused_value is None) is (missing_value is None)
            if refused_value is not None and missing_value is not None:
                assert (refused_value.value, refused_value.status) == (
                    missing_value.value,
                    missing_value.status,
                )
    # plan_share by hand: a1, a2 and b1 accepted, a1 and b1 with a plan: 2 / 3.
    assert report.value("plan_share", tree["region"].id).value == pytest.approx(200 / 3)
    response.answers = {"has_plan": True, "trained": 45, "total": int(HUGE)}
    db.session.commit()
    login_as(client, people["region"])
    page = client.get(f"/reports/campaigns/{campaign.id}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert 'data-testid="refused-values"' in text and "9999999999" in text
    # The campaign workbook names the value in its cell instead of failing.
    book = workbook_of(export_file(client, campaign))
    cells = [c for sheet in book for row in sheet.iter_rows(values_only=True) for c in row]
    assert any(isinstance(c, str) and "не учтено" in c and "99999" in c for c in cells)
    # The answers of all versions, likewise.
    sheet = client.get("/designer/forms/test-form/answers.xlsx")
    assert sheet.status_code == 200
    rows = openpyxl.load_workbook(io.BytesIO(sheet.data)).active.iter_rows(values_only=True)
    assert any(isinstance(c, str) and "не учтено" in c for row in rows for c in row)


def test_a_stored_nan_keeps_the_entry_and_review_pages_up_and_names_the_value(client, tree, people):
    doc = report_form()
    doc["sections"][0]["fields"].append({"id": "ratio", "type": "decimal", "label": "Доля"})
    campaign = answered_campaign(tree, people, document=doc)
    response = break_a_report(tree, campaign, {"has_plan": True, "trained": 45, "ratio": "sNaN"})
    login_as(client, people["region"])
    review = client.get(f"/campaigns/{campaign.id}/responses/{response.id}")
    assert review.status_code == 200
    report = client.get(f"/reports/campaigns/{campaign.id}")
    assert report.status_code == 200 and "sNaN" in report.get_data(as_text=True)
    assert client.get(f"/entry/response/{response.id}").status_code in (200, 403, 404)


def test_a_coordinator_voids_a_refused_value_and_the_report_counts_again(client, tree, people):
    campaign = answered_campaign(tree, people)
    response = break_a_report(tree, campaign, {"has_plan": True, "trained": 45, "total": int(HUGE)})
    url = f"/reports/campaigns/{campaign.id}/void"
    # Nobody but a reviewer of school_b1 voids (a school, the other municipality's
    # coordinator, another region's); a malformed path is a bad request; a valid value
    # is not voided.
    for outsider in ("school", "municipal", "other_region"):
        login_as(client, people[outsider])
        refused = client.post(url, data={"response": response.id, "path": '["total"]'})
        assert refused.status_code in (403, 404), outsider
    db.session.expire_all()
    assert db.session.get(FormResponse, response.id).answers["total"] == int(HUGE)
    login_as(client, people["region"])
    for bad in ("", "[1]", '"x"', "5", "[[[[]]]]", '["a","b","c","d"]', "[" * 500):
        assert client.post(url, data={"response": response.id, "path": bad}).status_code == 400
    client.post(url, data={"response": response.id, "path": '["trained"]'})
    db.session.expire_all()
    assert db.session.get(FormResponse, response.id).answers["trained"] == 45
    done = client.post(url, data={"response": response.id, "path": '["total"]'})
    assert done.status_code == 302
    db.session.expire_all()
    assert db.session.get(FormResponse, response.id).answers == {"has_plan": True, "trained": 45}
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "response.void"))
    assert event is not None and event.details["path"] == ["total"]
    assert "refused-values" not in client.get(f"/reports/campaigns/{campaign.id}").get_data(
        as_text=True
    )


# --- the other doors: the app's own forms and the units import ------------------------------


def test_a_nul_in_an_organisations_name_is_refused_beside_the_field(client, tree, people):
    login_as(client, people["region"])
    school = tree["school_a1"]
    page = client.post(
        f"/units/{school.id}/edit",
        data={"name": "МБОУ\x00СОШ", "code": school.code, "address": "ул. Ленина, 1"},
    )
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "управляющие символы" in text and "ул. Ленина, 1" in text
    db.session.expire_all()
    assert "\x00" not in db.session.get(type(school), school.id).name


def test_the_units_import_refuses_control_characters_by_row():
    report = ImportReport()
    row = {"code": "S-9", "name": "Школа\x07№ 9", "type": "школа"}
    assert _parse_unit_row(2, row, report) is None
    assert [(e.row, e.column) for e in report.errors] == [(2, "name")]


def test_a_revision_of_unicode_digits_is_no_revision(client, tree, people, entry_form):
    """ "²" is a digit to str.isdigit but int() refuses it: it counts as no revision."""
    login_as(client, people["school"])
    for revision in ("²", "٣", "9" * 5000):
        page = client.post(
            entry_url(tree["school_a1"]),
            data={"revision": revision, "action": "save", "total": "3"},
        )
        assert page.status_code in (200, 302)


def test_an_export_of_a_section_named_with_unicode_digits_is_not_found(client, tree, people):
    campaign = answered_campaign(tree, people)
    login_as(client, people["region"])
    for table in ("section-²", "section-" + "9" * 100):
        started = client.post(
            f"/reports/campaigns/{campaign.id}/export", data={"table": table, "basis": "accepted"}
        )
        assert started.status_code == 404


def test_ids_past_what_the_database_holds_are_not_found(client, tree, people):
    """PostgreSQL's INTEGER ends at 2^31 - 1: a longer id in a URL or a query is not
    found (404) or ignored, never "integer out of range"."""
    campaign = answered_campaign(tree, people)
    login_as(client, people["region"])
    huge = "9" * 30
    assert client.get(f"/campaigns/{huge}").status_code == 404
    assert client.get(f"/units/{2**31}").status_code == 404
    page = client.get(f"/reports/campaigns/{campaign.id}?unit={huge}&compare={huge}")
    assert page.status_code == 200
    voided = client.post(
        f"/reports/campaigns/{campaign.id}/void", data={"response": huge, "path": '["total"]'}
    )
    assert voided.status_code == 400


def test_adding_rows_stops_at_the_tables_limit_and_only_tables_grow(
    client, tree, people, entry_form
):
    doc = copy.deepcopy(base())
    doc["version"] = 2
    deals = doc["sections"][0]["fields"][-1]
    deals["max_rows"] = 2
    publish(db.session, compile_document(doc), None)
    db.session.commit()
    login_as(client, people["school"])
    url = entry_url(tree["school_a1"])
    full = {"revision": "0", "deals-0-partner": "А", "deals-1-partner": "Б"}
    page = client.post(url, data={**full, "action": "add_row:deals"})
    assert page.status_code == 200
    assert 'name="deals-2-partner"' not in page.get_data(as_text=True)
    for action in ("add_row:total", "add_row:csrf_token", "add_row:nothing", "add_row:"):
        assert client.post(url, data={"revision": "0", "action": action}).status_code == 200
