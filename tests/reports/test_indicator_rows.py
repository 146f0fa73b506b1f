"""The indicators sheet's rows, made from the engine's tables as they are read
(collector.reports.indicator_rows): the rows a list made up front held, in the same
order, as often as they are read, and without a request to read them in (issue 22)."""

from __future__ import annotations

import dataclasses

import pytest

from collector.exporters.contract import IndicatorRow
from collector.exporters.csvfiles import grouped_indicators, indicators_table
from collector.extensions import db
from collector.indicators.frame import LEVELS
from collector.labels import coverage_notes
from collector.reports.export import build_workbook
from collector.reports.indicator_rows import indicator_rows, level_names, status_text
from collector.reports.services import Basis, campaign_report


def eager_rows(report, root, language: str) -> list[IndicatorRow]:
    """The rows as the export made them before, every one up front (the reference)."""
    names = level_names()
    rows = []
    for indicator in report.spec.indicators:
        source = ", ".join(
            part for part in (indicator.source.document, indicator.source.clause) if part
        )
        for level in reversed(LEVELS):
            for value in report.values_at(indicator.id, level, root):
                rows.append(
                    IndicatorRow(
                        code=indicator.id,
                        title=indicator.title.get(language),
                        unit=indicator.unit,
                        level=names[level],
                        group=report.units[value.group].name,
                        value=value.value,
                        status=status_text(value.status, report.spec.min_group_size),
                        answered=value.answered,
                        expected=value.expected,
                        target=value.target,
                        met=value.met,
                        source=source,
                        notes=coverage_notes(value.excluded, value.figures_missing, value.missing),
                        decimals=indicator.written_decimals,
                    )
                )
    return rows


def comparable(row: IndicatorRow) -> IndicatorRow:
    return dataclasses.replace(row, notes=tuple(row.notes))


def test_the_rows_are_those_made_up_front_and_read_twice_alike(app, tree, people, campaign):
    region = tree["region"]
    with app.test_request_context():
        report = campaign_report(db.session, people["region"], campaign, Basis.ACCEPTED)
        expected = [comparable(row) for row in eager_rows(report, region, "ru")]
        found = indicator_rows(report, region, "ru")
    # Read outside the request: what a row says was taken when the blocks were made.
    first = list(found)
    assert first == expected
    assert list(found) == first
    assert len(found) == len(first) == 10
    # A block per indicator and level with groups, the region first, each of known size.
    blocks = grouped_indicators(found)
    assert [len(block) for block in blocks] == [1, 2, 1, 2, 4]
    assert [list(block) for block in blocks] == [list(block) for block in blocks]
    # Worked out by hand: three schools accepted (b2 only submitted); plan_share is
    # kept at the municipalities and the region only.
    values = {(row.code, row.level, row.group): row.value for row in first}
    assert [(row.code, row.level) for row in first[:3]] == [
        ("plan_share", "Регион"),
        ("plan_share", "Муниципальное образование"),
        ("plan_share", "Муниципальное образование"),
    ]
    assert values[("plan_share", "Регион", region.name)] == pytest.approx(200 / 3)
    assert values[("plan_share", "Муниципальное образование", tree["mun_a"].name)] == 50
    assert values[("plan_share", "Муниципальное образование", tree["mun_b"].name)] == 100
    assert values[("trained_share", "Регион", region.name)] == pytest.approx(85 / 210 * 100)
    assert values[("trained_share", "Организация", tree["school_a1"].name)] == 30
    assert values[("trained_share", "Организация", tree["school_b1"].name)] == 75
    unanswered = next(row for row in first if row.group == tree["school_b2"].name)
    assert (unanswered.value, unanswered.status) == (None, "нет данных")
    assert (unanswered.answered, unanswered.expected) == (0, 1)
    # The target of 60 %: met by the region (66.7) and Obninsk (100), not by Babynino.
    assert [(row.answered, row.expected, row.target, row.met) for row in first[:3]] == [
        (3, 4, 60, True),
        (2, 2, 60, False),
        (1, 2, 60, True),
    ]


def test_the_workbooks_indicators_sheet_reads_the_blocks_as_the_list(app, tree, people, campaign):
    """The sheet's cells from the blocks equal those from the same rows as a list."""
    with app.test_request_context():
        book = build_workbook(
            db.session, people["region"], campaign, tree["region"], Basis.ACCEPTED
        )
    lazy = list(indicators_table(book).rows)
    book.indicators = list(book.indicators)
    listed = list(indicators_table(book).rows)
    assert lazy == listed
    assert len(lazy) == indicators_table(book).row_count == 10


@pytest.mark.parametrize(
    ("who", "root"), [("region", "mun_b"), ("municipal", "mun_a"), ("municipal", "region")]
)
def test_the_rows_are_those_of_the_groups_the_user_sees_within_the_root(
    app, tree, people, campaign, who, root
):
    """The groups and their names come from the database in the tree's order, cut to
    the user's scopes and the root's subtree, as the eager list cut them; no unit's
    whole record is read for it (an export of 40,000 schools reads their names)."""
    with app.test_request_context():
        report = campaign_report(db.session, people[who], campaign, Basis.ACCEPTED)
        expected = [comparable(row) for row in eager_rows(report, tree[root], "ru")]
        fresh = campaign_report(db.session, people[who], campaign, Basis.ACCEPTED)
        found = indicator_rows(fresh, tree[root], "ru")
        assert not fresh.units._all_read
    assert [comparable(row) for row in found] == expected
    shown = {row.group for row in expected}
    # A municipal coordinator sees its own municipality's schools, from any root.
    assert (tree["school_b1"].name in shown) == (who == "region")
    assert tree["school_a1"].name in shown or who == "region"
