"""Issue 22: the units below the unit shown are listed a page at a time, the same page in
every list (the indicator's breakdown and its chart, the response rates, the question
tables by unit), with the totals whole; a bad page number is the first or the last page.

The region has three municipalities, in the tree's order (names, not ids):
  «Андреевский район» (M-C, made last): school C1, 5 answers, all «4», took part: trials
  «Бабынинский район» (M-A): 11 answers, «4» or «5» 8 of them → 8/11 = 72.7 % satisfied
  «Город Обнинск» (M-B): 2 answers → fewer than 5: not shown
18 answers in all. Two units to a page (monkeypatched): page 1 is M-C and M-A, page 2 is
M-B."""

from __future__ import annotations

import re
from types import SimpleNamespace
from urllib.parse import parse_qs, urlsplit

import pytest

from collector.extensions import db
from collector.models.units import UnitType
from collector.reports import questions, unit_pages
from collector.reports.page import PageChoices, ReportPage, report_page
from collector.reports.questions import Breakdown
from collector.reports.unit_pages import unit_page
from tests.conftest import login_as
from tests.reports.test_exports import export_file, indicator_cells, workbook_of
from tests.reports.test_questions import ANSWERS, answered_survey, row, table

INLINE = 1_000


@pytest.fixture
def wide(app, tree, people, make_unit):
    """The survey of test_questions with a third municipality first in the tree's order."""
    mun_c = make_unit(UnitType.MUNICIPALITY, tree["region"], name="Андреевский район", code="M-C")
    school_c1 = make_unit(UnitType.SCHOOL, mun_c, name="МКОУ «СОШ № 3»", code="S-C1")
    tree.update(mun_c=mun_c, school_c1=school_c1)
    return answered_survey(tree, people, {**ANSWERS, "school_c1": [("9", 4, ["trials"])] * 5})


@pytest.fixture
def two_a_page(monkeypatch):
    monkeypatch.setattr(unit_pages, "UNITS_PER_PAGE", 2)


def built(user, campaign, **choices) -> ReportPage:
    page = report_page(db.session(), user, campaign, PageChoices(**choices), inline_limit=INLINE)
    assert isinstance(page, ReportPage)
    return page


def codes(rows) -> list[str]:
    return [row.unit.code for row in rows]


def overall(page: ReportPage):
    assert page.survey is not None
    return next(q for q in page.survey.questions if q.table.field.id == "overall")


def test_every_list_shows_the_same_page_of_units_in_tree_order(tree, people, wide, two_a_page):
    first = built(people["region"], wide, by="unit")
    assert (first.units.number, first.units.pages, first.units.total) == (1, 2, 3)
    assert (first.units.first, first.units.last) == (1, 2)
    assert codes(first.breakdown) == ["M-C", "M-A"]
    assert [row.value.value for row in first.breakdown] == [
        pytest.approx(100.0),
        pytest.approx(800 / 11),
    ]
    assert first.survey is not None
    assert codes(first.survey.participation_below) == ["M-C", "M-A"]
    question = overall(first)
    assert [counts.key for _label, counts in question.table.rows] == [
        tree["mun_c"].id,
        tree["mun_a"].id,
    ]
    # The chart is of the page's units too, the total first.
    assert question.chart["labels"] == ["Все", "Андреевский район", "Бабынинский район"]
    assert first.breakdown_chart is not None
    assert sorted(first.breakdown_chart["labels"]) == ["Андреевский район", "Бабынинский район"]

    second = built(people["region"], wide, by="unit", units_page=2)
    assert (second.units.number, second.units.first, second.units.last) == (2, 3, 3)
    assert codes(second.breakdown) == ["M-B"]
    assert second.survey is not None
    assert codes(second.survey.participation_below) == ["M-B"]
    question = overall(second)
    assert [counts.key for _label, counts in question.table.rows] == [tree["mun_b"].id]
    # M-B's two answers are not shown, so its chart has the total only.
    assert question.chart["labels"] == ["Все"]
    # The totals are of every unit on every page: 13 answers and C1's 5.
    for page in (first, second):
        assert overall(page).table.total.respondents == 18
        assert page.survey is not None and page.survey.participation is not None
        assert page.survey.participation.responses == 18


def test_the_kept_tables_stay_whole_for_the_other_pages_and_the_export(
    tree, people, wide, two_a_page
):
    page = built(people["region"], wide, by="unit", units_page=2)
    assert page.report.stamp  # the tables are kept, not computed per view
    kept, _labels = questions.kept_question_tables(page.report, page.root, Breakdown.UNIT, "ru")
    whole = next(t for t in kept if t.field.id == "overall")
    assert [counts.key for _label, counts in whole.rows] == [
        tree["mun_c"].id,
        tree["mun_a"].id,
        tree["mun_b"].id,
    ]


def test_answers_by_group_are_not_cut_by_the_page_of_units(tree, people, wide, two_a_page):
    page = built(people["region"], wide, by="group", units_page=2)
    # Grades 9 (A1 5, A2 5, C1 5) and 10 (A1 1, B1 2): every group on every page.
    assert [counts.key for _label, counts in overall(page).table.rows] == ["9", "10"]
    assert codes(page.breakdown) == ["M-B"]


def test_the_pager_keeps_the_choices_and_marks_the_page(client, tree, people, wide, two_a_page):
    login_as(client, people["region"])
    region = tree["region"].id
    html = client.get(f"/reports/campaigns/{wide.id}?unit={region}&by=unit&q=профиль").get_data(
        as_text=True
    )
    # One pager under each list: breakdown, response rates, answers by question.
    assert html.count('data-testid="units-pager"') == 3
    assert "Показаны организации 1–2 из 3" in html
    assert (
        '<li class="page-item active" aria-current="page"><span class="page-link">1</span>' in html
    )
    links = re.findall(r'<a class="page-link" href="([^"]+)#questions" rel="next"', html)
    assert len(links) == 1
    query = parse_qs(urlsplit(links[0].replace("&amp;", "&")).query)
    assert query == {
        "unit": [str(region)],
        "basis": ["accepted"],
        "indicator": ["satisfied_share"],
        "by": ["unit"],
        "q": ["профиль"],
        "units_page": ["2"],
    }
    assert table(html, "overall").count("data-row=") == 3  # «Все», M-C, M-A
    assert f'data-row="{tree["mun_b"].id}"' not in table(html, "overall")

    second = client.get(f"/reports/campaigns/{wide.id}?by=unit&units_page=2").get_data(as_text=True)
    assert "Показаны организации 3–3 из 3" in second
    assert 'data-status="small_group"' in row(second, "overall", str(tree["mun_b"].id))
    assert 'data-group="M-B"' in second and 'data-group="M-A"' not in second


@pytest.mark.parametrize(
    ("asked", "shown"),
    [
        ("abc", "M-C"),
        ("0", "M-C"),
        ("-1", "M-C"),
        ("1e3", "M-C"),
        ("99999999999", "M-C"),  # past any id: not read as a number
        ("3", "M-B"),
        ("2147483647", "M-B"),
    ],
)
def test_a_bad_page_number_is_the_first_or_the_last_page(
    client, tree, people, wide, two_a_page, asked, shown
):
    login_as(client, people["region"])
    response = client.get(f"/reports/campaigns/{wide.id}?units_page={asked}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert f'data-group="{shown}"' in html


def test_units_that_fit_on_a_page_have_no_pager(client, tree, people, wide):
    login_as(client, people["region"])
    html = client.get(f"/reports/campaigns/{wide.id}?by=unit").get_data(as_text=True)
    assert 'data-testid="units-pager"' not in html and "Показаны организации" not in html
    breakdown = html.split('data-testid="breakdown"')[1].split("</table>")[0]
    assert re.findall(r'data-group="([^"]+)"', breakdown) == ["M-C", "M-A", "M-B"]


def test_the_pager_links_the_ends_and_the_neighbours(monkeypatch):
    monkeypatch.setattr(unit_pages, "UNITS_PER_PAGE", 2)
    units = [SimpleNamespace(id=n, sort_path=f"{n:03d}") for n in range(1, 21)]  # 10 pages
    assert unit_page(units, 5).links == [1, None, 3, 4, 5, 6, 7, None, 10]
    assert unit_page(units, 1).links == [1, 2, 3, None, 10]
    assert unit_page(units, 4).links == [1, 2, 3, 4, 5, 6, None, 10]
    last = unit_page(units, 99)
    assert (last.number, last.first, last.last, last.ids) == (10, 19, 20, frozenset({19, 20}))
    # Each unit once, in the tree's order, whatever order and however often the lists give it.
    twice = unit_page(list(reversed(units)) + units, 1)
    assert twice.total == 20 and twice.ids == frozenset({1, 2})


# A job runs in a worker thread of its own, on its own connection: it must see the committed data.
@pytest.mark.committed
def test_the_export_writes_every_unit(client, tree, people, wide, two_a_page):
    login_as(client, people["region"])
    # The page shows two municipalities; the export started from it writes all three.
    assert client.get(f"/reports/campaigns/{wide.id}?by=unit").status_code == 200
    book = workbook_of(export_file(client, wide))
    cells = indicator_cells(book)
    municipalities = {
        name: value
        for (indicator, level, name), value in cells.items()
        if indicator == "satisfied_share" and level == "Муниципальное образование"
    }
    # Every municipality, not the page's two: M-B's two answers are a small group.
    assert municipalities == {
        "Андреевский район": pytest.approx(100.0),
        "Бабынинский район": pytest.approx(800 / 11),
        "Город Обнинск": None,
    }
    schools = [key for key in cells if key[0] == "satisfied_share" and key[1] == "Организация"]
    assert len(schools) == 5
