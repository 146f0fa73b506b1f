"""Per question of a survey, the answers at the unit shown broken down by respondent
group and by unit, with the small-cell rule (the real pupils' satisfaction form:
ratings, a multiple choice, grade as the respondent group; at least 5 answers a cell).

Worked by hand, «В целом…» (overall) and «В чём участвовал(а)» (took_part):

school A1  grade 9 ×5, 10 ×1   overall 5 5 4 3 2 | 5   took_part: ex+tr, ex, none, tr, ex+me | ex
school A2  grade 9 ×5          overall 4 4 4 1 5       took_part: none ×5
school B1  grade 10 ×2         overall 3 3             took_part: none ×2

region, all 13: overall 5 ×4, 4 ×4, 3 ×3, 2 ×1, 1 ×1 → «5» 4/13 = 30.8 %
  grade 9: 10 answers (A1 five, A2 five): 5 ×3, 4 ×4, 3, 2, 1 → «4» 40 %
  grade 10: 3 answers → fewer than 5: not shown
  municipality A: 11 answers, 5 ×4, 4 ×4, 3, 2, 1; took_part of 11: excursions 4 (36.4 %),
    trials 2, meetings 1, none 6 (54.5 %): 13 ticks of 11 people
  municipality B: 2 answers → not shown
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import insert

from collector.extensions import db
from collector.models import FormResponse
from tests.campaigns.factories import new_campaign
from tests.conftest import login_as

FORM = (
    Path(__file__).resolve().parents[2]
    / "form_schemas"
    / "nevinnomyssk-2020-pupil-satisfaction.json"
)
ANSWERS = {
    "school_a1": [
        ("9", 5, ["excursions", "trials"]),
        ("9", 5, ["excursions"]),
        ("9", 4, ["none"]),
        ("9", 3, ["trials"]),
        ("9", 2, ["excursions", "meetings"]),
        ("10", 5, ["excursions"]),
    ],
    "school_a2": [("9", score, ["none"]) for score in (4, 4, 4, 1, 5)],
    "school_b1": [("10", 3, ["none"]), ("10", 3, ["none"])],
}


@pytest.fixture
def survey(app, tree, people):
    return answered_survey(tree, people, ANSWERS)


def answered_survey(tree, people, answers_by_school):
    """An open campaign of the pupils' survey with `answers_by_school`: (grade, overall
    score, took_part) per answer, by the school's key in `tree`."""
    document = json.loads(FORM.read_text(encoding="utf-8"))
    campaign = new_campaign(
        tree, people, deadline=datetime(2026, 5, 31, 23, 59), document=document, opened=True
    )
    rows = [
        {
            "form_version_id": campaign.form_version_id,
            "form_id": document["id"],
            "unit_id": tree[key].id,
            "campaign_id": campaign.id,
            "status": "submitted",
            "answers": {"grade": grade, "overall": str(score), "took_part": took_part},
            "revision": 1,
            "late": False,
        }
        for key, answers in answers_by_school.items()
        for grade, score, took_part in answers
    ]
    db.session.execute(insert(FormResponse), rows)
    db.session.commit()
    return campaign


def table(html: str, field: str) -> str:
    return html.split(f'data-testid="distribution-{field}"')[1].split("</table>")[0]


def row(html: str, field: str, key: str) -> str:
    return table(html, field).split(f'data-row="{key}"')[1].split("</tr>")[0]


def cell(row_html: str, option: str) -> tuple[int, float]:
    found = row_html.split(f'data-option="{option}"')[1]
    count = int(found.split('data-count="')[1].split('"')[0])
    share = float(found.split('data-share="')[1].split('"')[0])
    return count, share


def test_by_respondent_group(client, tree, people, survey):
    login_as(client, people["region"])
    html = client.get(f"/reports/campaigns/{survey.id}?by=group").get_data(as_text=True)
    assert cell(row(html, "overall", "total"), "5") == (4, pytest.approx(400 / 13))
    grade_9 = row(html, "overall", "9")
    assert cell(grade_9, "4") == (4, pytest.approx(40.0))
    assert cell(grade_9, "1") == (1, pytest.approx(10.0))
    grade_10 = row(html, "overall", "10")
    assert 'data-status="small_group"' in grade_10 and "data-count" not in grade_10
    # A grade nobody answered has no row.
    assert 'data-row="6"' not in table(html, "overall")


def test_by_unit_with_a_multiple_choice_counted_per_option(client, tree, people, survey):
    login_as(client, people["region"])
    html = client.get(f"/reports/campaigns/{survey.id}?by=unit").get_data(as_text=True)
    mun_a = row(html, "overall", str(tree["mun_a"].id))
    assert cell(mun_a, "5") == (4, pytest.approx(400 / 11))
    took_part = row(html, "took_part", str(tree["mun_a"].id))
    assert cell(took_part, "excursions") == (4, pytest.approx(400 / 11))
    assert cell(took_part, "none") == (6, pytest.approx(600 / 11))
    assert cell(took_part, "trials")[0] == 2 and cell(took_part, "meetings")[0] == 1
    mun_b = row(html, "overall", str(tree["mun_b"].id))
    assert 'data-status="small_group"' in mun_b and "data-count" not in mun_b


def test_a_scale_is_drawn_as_stacked_shares(client, tree, people, survey):
    login_as(client, people["region"])
    html = client.get(f"/reports/campaigns/{survey.id}?by=group").get_data(as_text=True)
    block = html.split('data-testid="distribution-overall"')[0].rsplit("<h3", 1)[1]
    chart = json.loads(block.split("data-chart='")[1].split("'")[0])
    assert chart["kind"] == "stacked_bar" and chart["unit"] == "%"
    assert chart["labels"] == ["Все", "9 класс"]  # grade 10 is too small to draw
    by_point = {s["label"]: s["values"] for s in chart["series"]}
    assert sum(values[0] for values in by_point.values()) == pytest.approx(100, abs=0.3)
    assert by_point[next(k for k in by_point if k.startswith("4"))] == [30.8, 40.0]


def test_a_school_is_broken_down_by_group_only(client, tree, people, survey):
    login_as(client, people["region"])
    html = client.get(f"/reports/campaigns/{survey.id}?unit={tree['school_a1'].id}").get_data(
        as_text=True
    )
    assert 'data-by="unit"' not in html
    assert cell(row(html, "overall", "9"), "5") == (2, pytest.approx(40.0))
    assert 'data-status="small_group"' in row(html, "overall", "10")


def without_token(html: str) -> str:
    return re.sub(r'name="csrf_token"[^>]*>', "", html)


def test_the_kept_tables_follow_the_answers(client, tree, people, survey):
    """The question tables and the rows by group are kept per data stamp: seen again
    they are read, and a new answer makes them anew (grade 10 reaches five answers)."""
    login_as(client, people["region"])
    url = f"/reports/campaigns/{survey.id}?by=group"
    first = client.get(url).get_data(as_text=True)
    assert 'data-status="small_group"' in row(first, "overall", "10")
    # The same page but for its CSRF token, which is signed with the second it is made.
    assert without_token(client.get(url).get_data(as_text=True)) == without_token(first)
    more = {"grade": "10", "overall": "4", "took_part": ["none"]}
    db.session.execute(
        insert(FormResponse),
        [
            {
                "form_version_id": survey.form_version_id,
                "form_id": "nevinnomyssk-2020-pupil-satisfaction",
                "unit_id": tree["school_b1"].id,
                "campaign_id": survey.id,
                "status": "submitted",
                "answers": more,
                "revision": 1,
                "late": False,
            }
        ]
        * 2,
    )
    db.session.commit()
    grade_10 = row(client.get(url).get_data(as_text=True), "overall", "10")
    # 10th grade: 5 (A1), 3 3 (B1), 4 4 (new) → «4» 2 of 5, «3» 2 of 5
    assert cell(grade_10, "4") == (2, pytest.approx(40.0))
    assert cell(grade_10, "3") == (2, pytest.approx(40.0))


def _tables(report, root, by):
    from collector.reports.questions import question_tables

    tables, labels = question_tables(report, root, by, "ru")
    return labels, [
        (t.field.id, t.total.respondents, t.total.counts, [(label, c) for label, c in t.rows])
        for t in tables
    ]


def test_kept_figures_count_the_answers_a_column_at_a_time(app, tree, people, survey):
    """Read back from the kept snapshot, the tables are the ones counted from the answers
    in memory, and the whole answers frame is never read (an export of a national survey
    reads one question's column at a time); the whole frame, when a view asks for it,
    comes back as it was computed."""
    import pandas as pd

    from collector.reports.questions import Breakdown
    from collector.reports.services import Basis, campaign_report

    region = people["region"]
    root = tree["region"]
    fresh = campaign_report(db.session, region, survey, Basis.ACCEPTED, stored=False)
    kept = campaign_report(db.session, region, survey, Basis.ACCEPTED)
    assert kept is not fresh and kept.stamp == fresh.stamp
    whole_reads: list[object] = []
    reader = kept.read_answers

    def counting_reader(names):
        if names is None:
            whole_reads.append(names)
        return reader(names)

    kept.read_answers = counting_reader
    for by in (Breakdown.GROUP, Breakdown.UNIT, None):
        assert _tables(kept, root, by) == _tables(fresh, root, by)
    assert whole_reads == []
    labels, tables = _tables(kept, root, Breakdown.UNIT)
    took_part = next(t for t in tables if t[0] == "took_part")
    # Municipality A, worked by hand above: 11 answered, 4 ticked excursions, 6 none.
    counts = dict(took_part[3])[labels[tree["mun_a"].id]]
    assert (counts.respondents, counts.counts["excursions"], counts.counts["none"]) == (11, 4, 6)
    pd.testing.assert_frame_equal(kept.answers, fresh.answers)
    assert whole_reads == [None]


def test_answers_read_row_by_row_in_blocks_are_those_read_at_once(
    app, tree, people, survey, monkeypatch
):
    """Where answers are read row by row (SQLite), they are decoded a block at a time:
    blocks of two give the same frame and the same figures as one block of all."""
    import pandas as pd

    from collector.reports import inputs
    from collector.reports.questions import Breakdown
    from collector.reports.services import campaign_report

    region = people["region"]
    whole = campaign_report(db.session, region, survey, stored=False)
    monkeypatch.setattr(inputs, "ROW_BLOCK", 2)
    blocks = campaign_report(db.session, region, survey, stored=False)
    pd.testing.assert_frame_equal(blocks.answers, whole.answers)
    assert len(blocks.answers) == 13
    root = tree["region"]
    assert _tables(blocks, root, Breakdown.GROUP) == _tables(whole, root, Breakdown.GROUP)
