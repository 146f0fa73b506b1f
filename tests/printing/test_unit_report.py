"""A unit report printed for signature (issue 26): the Kaluga school report (order № 1829,
appendix 2, п. 11) filled with the answers of school S1 of its worked example
(tests/worked_examples/kaluga-1829-school.json) and a career plan's file, and its blank
form; as print-ready HTML and as PDF read back with pypdf. Who may print what."""

from __future__ import annotations

import sys
from datetime import UTC, datetime

import pytest
from markupsafe import escape

from collector.extensions import db
from collector.models import Campaign
from collector.schema import compile_document
from tests.conftest import login_as
from tests.printing.kaluga import PLAN_FILE, kaluga_campaign, kaluga_form, response_of, school_one
from tests.printing.reading import flat, footers_count_the_pages, pages_of


@pytest.fixture
def kaluga(tree, people) -> Campaign:
    campaign = kaluga_campaign(tree, people, {"school_a1": "submitted"})
    response_of(campaign, tree["school_a1"]).submitted_at = datetime(2026, 5, 20, 9, 30, tzinfo=UTC)
    db.session.commit()
    return campaign


def spec():
    return compile_document(kaluga_form()).spec


def test_the_filled_report_prints_every_question_with_its_answer(client, tree, people, kaluga):
    response = response_of(kaluga, tree["school_a1"])
    login_as(client, people["school"])
    html = client.get(f"/print/responses/{response.id}").get_data(as_text=True)
    form = spec()
    for section in form.sections:
        assert str(escape(section.title.ru)) in html
        for field in section.fields:
            assert f'data-field="{field.id}"' in html
    # The answers as a reader reads them: counts, a yes, the options chosen, a table's
    # rows, a grid's cells, the file by its name.
    row = html.split('data-field="open_days_participants"')[1].split("</tr>")[0]
    # The unit stands beside the question, as data entry labels it.
    assert ", чел.<" in row
    assert '<td class="answer">48' in row.replace("\n", "").replace("  ", "")
    assert "☒ Да" in html.split('data-field="responsible_appointed"')[1].split("</tr>")[0]
    forms = html.split('data-field="ovz_forms"')[1].split("</tr>")[0]
    assert forms.count("☒") == 2  # in_person and distance
    table = html.split('data-field="labour_associations"')[1].split("</table>")[0]
    assert "Благоустройство территории" in table and "Ремонтная бригада" in table
    assert str(escape(PLAN_FILE["name"])) in html
    grid = html.split('data-field="professional_holiday_participants"')[1].split("</table>")[0]
    assert ">60<" in grid and ">12<" in grid
    assert 'data-testid="signature"' in html and "М.П." in html
    assert "data-conditional" not in html  # the answers say which questions apply


def test_the_filled_report_as_pdf_reads_back_in_russian(client, tree, people, kaluga):
    response = response_of(kaluga, tree["school_a1"])
    login_as(client, people["school"])
    reply = client.get(f"/print/responses/{response.id}.pdf")
    assert reply.status_code == 200 and reply.mimetype == "application/pdf"
    pages = pages_of(reply.data)
    text = flat(" ".join(pages))
    form = spec()
    # Cyrillic intact: the title, every section and every question, as the form words them.
    assert flat(form.title.ru) in text
    for section in form.sections:
        assert flat(section.title.ru) in text, section.id
        for field in section.fields:
            assert flat(field.label.ru) in text, field.id
    assert tree["school_a1"].name in text
    assert "Благоустройство территории" in text and PLAN_FILE["name"] in text
    # The running header: the form, the campaign and the as-of date.
    assert "Мониторинг профориентации 2026 · данные на 30.04.2026" in flat(pages[0])
    # The signature block on the last page.
    last = flat(pages[-1])
    for word in ("должность", "подпись", "ФИО", "Дата", "М.П."):
        assert word in last, word
    # Seven sections of 42 questions, a grid or a table in four: more than one page,
    # and every page's foot counts them.
    assert len(pages) >= 2
    footers_count_the_pages(pages)


def test_stored_answers_of_any_shape_print(client, tree, people, kaluga):
    """Values written around the doors (a table as text, a grid as a list, options as a
    number, a file that is no file, a count that is no number) print as read, never a 500."""
    response = response_of(kaluga, tree["school_a1"])
    response.answers = {
        "has_labour_associations": True,
        "labour_associations": "три бригады",
        "experience_events": [1, 2],
        "ovz_forms": 5,
        "career_plan_file": "plan.pdf",
        "mentors": "NaN",
        "responsible_appointed": "да",
    }
    db.session.commit()
    login_as(client, people["school"])
    page = client.get(f"/print/responses/{response.id}")
    assert page.status_code == 200
    assert "Строк нет." in page.get_data(as_text=True)
    pages = pages_of(client.get(f"/print/responses/{response.id}.pdf").data)
    assert "вне допустимого, не учтено" in flat(" ".join(pages))  # the count named as refused


def test_without_weasyprints_libraries_the_pdf_is_refused_in_words(
    client, tree, people, kaluga, monkeypatch
):
    """A server without Pango still serves the print-ready page; the PDF is a 503 page
    that says why, never a 500."""
    monkeypatch.setitem(sys.modules, "weasyprint", None)  # its import fails, as without Pango
    response = response_of(kaluga, tree["school_a1"])
    login_as(client, people["school"])
    assert client.get(f"/print/responses/{response.id}").status_code == 200
    refused = client.get(f"/print/responses/{response.id}.pdf")
    assert refused.status_code == 503 and refused.mimetype == "text/html"
    assert "PDF нельзя сделать на этом сервере" in refused.get_data(as_text=True)


def test_the_blank_form_has_every_question_and_no_answer(client, tree, people, kaluga):
    response = response_of(kaluga, tree["school_a1"])
    login_as(client, people["school"])
    html = client.get(f"/print/responses/{response.id}/blank").get_data(as_text=True)
    assert "Бланк" in html
    assert "Благоустройство территории" not in html and PLAN_FILE["name"] not in html
    assert "☒" not in html and "☐ Да" in html
    # A question asked only for some answers says so on paper (on screen the page hides it).
    conditional = {f.id for f in spec().fields if f.visible_if is not None}
    assert "ovz_forms" in conditional and "labour_associations" in conditional
    for field in spec().fields:
        row = html.split(f'data-field="{field.id}"')[1].split("</tr>")[0]
        assert ("data-conditional" in row) == (field.id in conditional), field.id
    pages = pages_of(client.get(f"/print/responses/{response.id}/blank.pdf").data)
    text = flat(" ".join(pages))
    for field in spec().fields:
        assert flat(field.label.ru) in text, field.id
    assert "Благоустройство территории" not in text
    footers_count_the_pages(pages)


def test_the_report_page_links_to_its_print(client, tree, people, kaluga):
    response = response_of(kaluga, tree["school_a1"])
    login_as(client, people["school"])
    page = client.get(f"/entry/response/{response.id}").get_data(as_text=True)
    assert f"/print/responses/{response.id}/blank" in page
    assert f"/print/responses/{response.id}.pdf" in page
    login_as(client, people["municipal"])
    review = client.get(f"/campaigns/{kaluga.id}/responses/{response.id}").get_data(as_text=True)
    assert f"/print/responses/{response.id}" in review


def test_the_municipality_prints_its_schools_report(client, tree, people, kaluga):
    response = response_of(kaluga, tree["school_a1"])
    login_as(client, people["municipal"])
    assert client.get(f"/print/responses/{response.id}").status_code == 200


@pytest.mark.parametrize(
    ("person", "school"),
    [
        ("school", "school_a2"),  # another school of the same district
        ("municipal", "school_b1"),  # a school of another district
        ("other_region", "school_a1"),  # another region's coordinator
    ],
)
def test_others_print_nothing(client, tree, people, kaluga, person, school):
    response = response_of(kaluga, tree[school])
    response.answers = school_one()
    db.session.commit()
    login_as(client, people[person])
    for address in ("", ".pdf", "/blank", "/blank.pdf"):
        reply = client.get(f"/print/responses/{response.id}{address}")
        assert reply.status_code in (403, 404), address
        assert "Благоустройство" not in reply.get_data(as_text=True)


def test_anonymous_is_sent_to_the_login(client, tree, people, kaluga):
    response = response_of(kaluga, tree["school_a1"])
    reply = client.get(f"/print/responses/{response.id}.pdf")
    assert reply.status_code == 302 and "/login" in reply.headers["Location"]


def test_the_blank_form_outside_a_campaign(client, tree, people, kaluga):
    """A unit report not asked by a campaign prints blank by form and unit."""
    login_as(client, people["school"])
    html = client.get(f"/print/forms/kaluga-1829-school/{tree['school_a1'].id}/blank")
    assert html.status_code == 200 and "Бланк" in html.get_data(as_text=True)
    other = client.get(f"/print/forms/kaluga-1829-school/{tree['school_a2'].id}/blank.pdf")
    assert other.status_code in (403, 404)


def test_the_day_printed_on_is_the_campaigns_day(client, tree, people, kaluga, monkeypatch):
    """At 20:30 UTC on 31 May it is already 1 June in Tomsk (UTC+7): the report says so."""
    from collector.printing import services

    kaluga.timezone = "Asia/Tomsk"
    db.session.commit()
    monkeypatch.setattr(services, "utcnow", lambda: datetime(2026, 5, 31, 20, 30, tzinfo=UTC))
    response = response_of(kaluga, tree["school_a1"])
    login_as(client, people["school"])
    html = client.get(f"/print/responses/{response.id}").get_data(as_text=True)
    assert "Напечатано 01.06.2026." in html
