"""The report page model, built by the reports service without a request: the survey and
unit-report parts each present only on their own kind of campaign, the values the page
shows worked out by hand, and a large campaign handed to a job."""

from __future__ import annotations

import pytest

from collector.extensions import db
from collector.models import Job
from collector.reports.page import Computing, PageChoices, ReportPage, report_page
from collector.reports.questions import Breakdown
from collector.reports.services import Basis
from tests.reports.fixtures import answered_campaign, report_form
from tests.reports.test_questions import survey  # noqa: F401  (the fixture)

INLINE = 1_000


def built(user, campaign, choices: PageChoices | None = None) -> ReportPage:
    page = report_page(db.session(), user, campaign, choices or PageChoices(), inline_limit=INLINE)
    assert isinstance(page, ReportPage)
    return page


def test_a_campaign_of_unit_reports_has_completeness_and_no_survey_part(tree, people, campaign):
    page = built(people["region"], campaign)
    assert page.survey is None and page.unit_reports is not None
    # Accepted only: A1, A2, B1 have plans, 2 of 3 (the same figure the page test reads).
    value = page.values["plan_share"]
    assert value is not None and value.value == pytest.approx(200 / 3)
    assert [row.unit.code for row in page.unit_reports.summary.rows] == ["M-A", "M-B"]
    assert page.root.id == tree["region"].id and page.basis == Basis.ACCEPTED


def test_the_breakdown_is_of_the_chosen_indicator_by_unit_name(tree, people, campaign):
    choices = PageChoices(unit_id=tree["mun_a"].id, indicator="trained_share")
    page = built(people["region"], campaign, choices)
    assert page.chosen is not None and page.chosen.id == "trained_share"
    assert [(row.unit.code, row.value.value) for row in page.breakdown] == [
        ("S-A1", pytest.approx(30.0)),
        ("S-A2", pytest.approx(20.0)),
    ]
    assert page.breakdown_chart is not None


def test_a_survey_has_its_part_and_no_completeness(tree, people, survey):  # noqa: F811
    page = built(people["region"], survey, PageChoices(by="unit"))
    assert page.unit_reports is None and page.survey is not None
    part = page.survey
    assert part.participation is not None and part.participation.responses == 13
    assert not part.hidden_distributions
    assert part.by == Breakdown.UNIT and part.breakdown_choices == [
        Breakdown.GROUP,
        Breakdown.UNIT,
    ]
    overall = next(q for q in part.questions if q.table.field.id == "overall")
    assert overall.table.total.respondents == 13
    assert overall.chart["labels"][0] == "Все"  # the total first, then each unit


# A job runs in a worker thread of its own, on its own connection: it must see the committed data.
@pytest.mark.committed
def test_a_large_campaign_without_a_snapshot_is_computed_by_a_job(tree, people, campaign):
    page = report_page(db.session(), people["region"], campaign, PageChoices(), inline_limit=0)
    assert isinstance(page, Computing)
    assert db.session.get(Job, page.job.id) is not None
    assert page.job.params["campaign_id"] == campaign.id


def test_without_targets_a_share_is_broken_down_before_a_count(tree, people):
    """Kaluga's form has no targets and lists a count first: the breakdown shows a share
    (units of unequal size and coverage compare by shares), and a count asked for by name
    is shown in the tree's order with the coverage beside each name."""
    document = report_form()
    for indicator in document["indicators"]:
        indicator.pop("targets", None)
    document["indicators"].insert(
        0,
        {
            "id": "plan_count",
            "title": "Число школ с планом",
            "unit": "ед.",
            "formula": "count_if(has_plan)",
            "levels": ["municipality", "region"],
            "source": {"document": "Приказ № 1829"},
        },
    )
    campaign = answered_campaign(tree, people, document)
    page = built(people["region"], campaign)
    assert page.chosen is not None and page.chosen.id == "plan_share"
    counts = built(people["region"], campaign, PageChoices(indicator="plan_count"))
    chart = counts.breakdown_chart
    assert chart is not None and chart["ranked"] is False and chart["note"]
    # Accepted only: 2 of M-A's schools, 1 of M-B's 2 (B2 is only submitted).
    assert chart["labels"] == [
        f"{tree['mun_a'].short_name or tree['mun_a'].name} (2 из 2)",
        f"{tree['mun_b'].short_name or tree['mun_b'].name} (1 из 2)",
    ]
