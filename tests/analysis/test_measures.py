"""The register of measures and their effect at the next campaign of the form, worked by
hand on the two campaigns of tests/analysis/fixtures.py.

Measures recorded on the 2024 campaign; the 2025 one is the next. Per school (accepted
reports): trained share A1 20.0 → 30.0, A2 30.0 → 20.0; plan share A1 100 → 100, A2
100 → 0. Per municipality: trained share M-A 23.3 → 26.7 (35/150, 40/150), M-B 40.0 →
75.0 (40/100, then B1's 45/60 alone, B2 being only submitted).
"""

from __future__ import annotations

import io
from datetime import date

import openpyxl
import pytest
from sqlalchemy import select

from collector.analysis import measures
from collector.extensions import db
from collector.models import Measure
from collector.reports.services import Basis
from collector.schema import SchemaError, compile_document
from tests.analysis.fixtures import two_years
from tests.conftest import login_as
from tests.reports.fixtures import report_form


@pytest.fixture
def waves(app, tree, people):
    return two_years(tree, people)


def record(people, person, campaign, unit, units, indicators):
    return measures.add_measure(
        db.session,
        people[person],
        campaign,
        unit.id,
        measures.MeasureInput(
            kind="other",
            title="Курсы для классных руководителей",
            responsible_unit_id=unit.id,
            starts_on=date(2025, 9, 1),
            ends_on=date(2025, 12, 20),
            unit_ids=units,
            indicators=indicators,
            act="приказ от 20.08.2025 № 512",
        ),
    )


def test_the_effect_for_the_schools_concerned_and_the_others(tree, people, waves):
    before, now = waves
    measure = record(
        people,
        "municipal",
        before,
        tree["mun_a"],
        [tree["school_a2"].id],
        ["plan_share", "trained_share"],
    )
    db.session.commit()
    [found] = measures.effects(db.session, people["municipal"], before, [measure])
    assert found.next_campaign is not None and found.next_campaign.id == now.id
    plan, trained = found.rows
    # A2 −10.0 (30.0 → 20.0) against A1 +10.0 (20.0 → 30.0): a difference of −20.0.
    assert (trained.concerned.change, trained.concerned.covered, trained.concerned.total) == (
        pytest.approx(-10.0),
        1,
        1,
    )
    assert trained.others.change == pytest.approx(10.0)
    assert trained.difference == pytest.approx(-20.0)
    # A2 100 → 0 against A1 100 → 100.
    assert (plan.concerned.change, plan.others.change) == (-100.0, 0.0)


def test_the_effect_for_municipalities(tree, people, waves):
    before, _now = waves
    measure = record(
        people, "region", before, tree["region"], [tree["mun_a"].id], ["trained_share"]
    )
    [found] = measures.effects(db.session, people["region"], before, [measure])
    [row] = found.rows
    # M-A 23.3 → 26.7: +3.4, both years complete.
    assert row.concerned.change == pytest.approx(3.4)
    assert (row.concerned.covered, row.concerned.total) == (1, 1)
    # M-B counts one of its two schools this year (B2 only submitted): not covered.
    assert (row.others.change, row.others.covered, row.others.total) == (None, 0, 1)
    assert row.difference is None
    # Counting every submitted report, M-B is complete: 40.0 → (45 + 5) / (60 + 40) = 50.0,
    # +10.0; M-A stays +3.4 (its reports are accepted); the difference is −6.6.
    [found] = measures.effects(db.session, people["region"], before, [measure], Basis.SUBMITTED)
    [row] = found.rows
    assert row.others.change == pytest.approx(10.0)
    assert row.difference == pytest.approx(-6.6)


def test_no_effect_before_the_next_campaign(tree, people, waves):
    _before, now = waves
    measure = record(
        people, "municipal", now, tree["mun_a"], [tree["school_a1"].id], ["plan_share"]
    )
    [found] = measures.effects(db.session, people["municipal"], now, [measure])
    assert found.next_campaign is None and found.rows == []


def test_the_page_records_refuses_and_shows_the_effect(client, tree, people, waves):
    before, _now = waves
    login_as(client, people["municipal"])
    url = f"/analysis/campaigns/{before.id}/measures?unit={tree['mun_a'].id}"
    typed = {
        "kind": "other",
        "title": "Консультации по планам профориентационной работы",
        "responsible_unit_id": str(tree["mun_a"].id),
        "starts_on": "2025-09-01",
        "ends_on": "2025-08-01",
        "unit_ids": [str(tree["school_a2"].id)],
        "indicators": ["trained_share"],
        "act": "протокол совещания № 3",
        "status": "planned",
    }
    refused = client.post(url, data=typed)
    assert refused.status_code == 422
    html = refused.get_data(as_text=True)
    assert "Окончание раньше начала." in html and typed["title"] in html
    off_list = client.post(
        url, data={**typed, "ends_on": "", "unit_ids": [str(tree["school_b1"].id)]}
    )
    assert off_list.status_code == 422
    assert "Выберите организации из списка." in off_list.get_data(as_text=True)
    assert db.session.scalars(select(Measure)).all() == []
    assert client.post(url, data={**typed, "ends_on": "2025-12-20"}).status_code == 302
    page = client.get(url).get_data(as_text=True)
    effect = page.split('data-testid="effect"')[1].split("</table>")[0]
    row = effect.split('data-indicator="trained_share"')[1].split("</tr>")[0]
    assert 'data-concerned="-10.0"' in row and 'data-others="10.0"' in row
    assert 'data-difference="-20.0"' in row
    workbook = client.get(f"/analysis/campaigns/{before.id}/measures.xlsx?unit={tree['mun_a'].id}")
    book = openpyxl.load_workbook(io.BytesIO(workbook.data))
    register, effects = book.worksheets
    values = [list(r) for r in effects.iter_rows(values_only=True)]
    header = values.index(next(r for r in values if r and r[0] == "№"))
    [measure_row] = values[header + 1 :]
    assert measure_row[2] == "Доля прошедших пробы"
    assert measure_row[3] == pytest.approx(-10.0) and measure_row[5] == pytest.approx(10.0)
    assert measure_row[4] == "1 / 1" and measure_row[7] == pytest.approx(-20.0)
    register_rows = [list(r) for r in register.iter_rows(values_only=True)]
    assert any(r and r[2] == typed["title"] and r[8] == typed["act"] for r in register_rows)


@pytest.mark.parametrize("person", ["school", "other_region"])
def test_others_keep_no_register(client, tree, people, waves, person):
    before, _now = waves
    measure = record(people, "region", before, tree["region"], [tree["mun_a"].id], ["plan_share"])
    db.session.commit()
    login_as(client, people[person])
    assert client.get(f"/analysis/campaigns/{before.id}/measures").status_code in (403, 404)
    reply = client.post(f"/analysis/measures/{measure.id}/status", data={"status": "done"})
    assert reply.status_code == 404
    db.session.refresh(measure)
    assert measure.status == "planned"


def test_the_status_changes(client, tree, people, waves):
    before, _now = waves
    measure = record(people, "region", before, tree["region"], [tree["mun_a"].id], ["plan_share"])
    db.session.commit()
    login_as(client, people["region"])
    assert (
        client.post(f"/analysis/measures/{measure.id}/status", data={"status": "done"}).status_code
        == 302
    )
    db.session.refresh(measure)
    assert measure.status == "done"


def test_measure_kinds_are_declared_once_each():
    document = report_form()
    document["measure_kinds"] = [
        {"value": "training", "label": "Повышение квалификации"},
        {"value": "training", "label": "Совещания"},
    ]
    with pytest.raises(SchemaError) as caught:
        compile_document(document)
    assert [i.code for i in caught.value.errors] == ["duplicate_option"]
    document["measure_kinds"][1]["value"] = "meetings"
    kinds = compile_document(document).spec.measure_kinds
    assert [k.value for k in kinds] == ["training", "meetings"]
