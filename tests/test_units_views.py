"""Org unit pages: create, edit, move, search, and reference figures with their rules."""

from __future__ import annotations

from sqlalchemy import func, select

from collector.extensions import db
from collector.models import AuditEvent, OrgUnit, ReferenceFigure
from tests.conftest import login_as


def test_region_coordinator_creates_a_school(client, tree, people):
    login_as(client, people["region"])
    response = client.post(
        f"/units/{tree['mun_a'].id}/new",
        data={"unit_type": "school", "name": "  МКОУ «ООШ» с. Бабынино ", "code": "S-NEW"},
    )
    assert response.status_code == 302
    school = db.session.scalar(select(OrgUnit).where(OrgUnit.code == "S-NEW"))
    assert school is not None
    assert school.name == "МКОУ «ООШ» с. Бабынино"
    assert school.path == f"{tree['mun_a'].path}{school.id}/"
    assert db.session.scalar(
        select(AuditEvent).where(
            AuditEvent.action == "unit.create", AuditEvent.object_id == school.id
        )
    )


def test_duplicate_code_is_refused_and_the_form_keeps_its_values(client, tree, people):
    login_as(client, people["region"])
    response = client.post(
        f"/units/{tree['mun_a'].id}/new",
        data={"unit_type": "school", "name": "Школа с повтором кода", "code": "S-A1"},
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Школа с повтором кода" in body and 'value="S-A1"' in body
    assert "is-invalid" in body


def test_school_cannot_be_created_under_a_school(client, tree, people):
    login_as(client, people["admin"])
    response = client.post(
        f"/units/{tree['school_a1'].id}/new",
        data={"unit_type": "school", "name": "Вложенная", "code": "S-NESTED"},
    )
    assert response.status_code == 200
    assert db.session.scalar(select(OrgUnit).where(OrgUnit.code == "S-NESTED")) is None


def test_moving_a_school_to_another_municipality(client, tree, people):
    login_as(client, people["region"])
    school = tree["school_a1"]
    response = client.post(
        f"/units/{school.id}/edit",
        data={"name": school.name, "code": school.code, "parent_code": "M-B", "is_active": "y"},
    )
    assert response.status_code == 302
    db.session.expire_all()
    moved = db.session.get(OrgUnit, school.id)
    assert moved is not None and moved.parent_id == tree["mun_b"].id
    assert moved.path.startswith(tree["mun_b"].path)


def test_moving_out_of_ones_scope_is_refused(client, tree, people):
    login_as(client, people["region"])
    school = tree["school_a1"]
    response = client.post(
        f"/units/{school.id}/edit",
        data={"name": school.name, "code": school.code, "parent_code": "R2", "is_active": "y"},
    )
    assert response.status_code == 200
    db.session.expire_all()
    assert db.session.get(OrgUnit, school.id).parent_id == tree["mun_a"].id


def test_search_finds_cyrillic_names_in_the_subtree_case_insensitively(client, tree, people):
    login_as(client, people["region"])
    body = client.get(f"/units/{tree['region'].id}?q=лицей").get_data(as_text=True)
    assert "МБОУ «Лицей № 1»" in body
    assert "Гимназия" not in body
    # Outside the subtree nothing is found, even by exact name.
    body = client.get(f"/units/{tree['region'].id}?q=СОШ № 7").get_data(as_text=True)
    assert "МАОУ «СОШ № 7»" not in body


def figures_post(**values: str) -> dict[str, str]:
    return dict(values)


def test_school_saves_its_figures_and_grades_sum_by_range(client, tree, people):
    login_as(client, people["school"])
    school = tree["school_a1"]
    data = {f"pupils_{g}": str(20 + g) for g in range(1, 12)}
    data |= {"pupils_ovz_7": "2", "graduates_9": "28", "psychologists": "1"}
    response = client.post(f"/units/{school.id}/figures?year=2025", data=data)
    assert response.status_code == 302
    grades_6_to_9 = db.session.scalar(
        select(func.sum(ReferenceFigure.value)).where(
            ReferenceFigure.unit_id == school.id,
            ReferenceFigure.academic_year == 2025,
            ReferenceFigure.figure == "pupils",
            ReferenceFigure.grade.between(6, 9),
        )
    )
    assert grades_6_to_9 == 26 + 27 + 28 + 29


def test_part_above_total_is_refused_and_typed_values_stay(client, tree, people):
    login_as(client, people["school"])
    school = tree["school_a1"]
    response = client.post(
        f"/units/{school.id}/figures?year=2025",
        data={"pupils_7": "25", "pupils_ovz_7": "30", "pupils_8": "abc"},
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'value="25"' in body and 'value="30"' in body and 'value="abc"' in body
    assert db.session.scalar(select(func.count()).select_from(ReferenceFigure)) == 0


def test_part_rule_message_names_both_figures(client, tree, people):
    login_as(client, people["school"])
    response = client.post(
        f"/units/{tree['school_a1'].id}/figures?year=2025",
        data={"pupils_7": "25", "pupils_ovz_7": "30"},
    )
    body = response.get_data(as_text=True)
    assert "pupils_ovz_7 (30)" in body and "pupils_7 (25)" in body


def test_clearing_a_figure_removes_it(client, tree, people):
    login_as(client, people["school"])
    url = f"/units/{tree['school_a1'].id}/figures?year=2025"
    client.post(url, data={"pupils_1": "20", "pupils_2": "21"})
    client.post(url, data={"pupils_1": "20", "pupils_2": ""})
    rows = db.session.execute(select(ReferenceFigure.figure, ReferenceFigure.grade)).all()
    assert rows == [("pupils", 1)]


def test_figures_page_opens_on_the_newest_year_with_figures(client, tree, people):
    login_as(client, people["school"])
    school = tree["school_a1"]
    client.post(f"/units/{school.id}/figures?year=2019", data={"pupils_1": "17"})
    body = client.get(f"/units/{school.id}/figures").get_data(as_text=True)
    assert "2019/2020" in body and 'value="17"' in body


def test_current_academic_year_turns_on_the_first_of_september():
    from datetime import date

    from collector.units.services import current_academic_year

    assert current_academic_year(date(2026, 8, 31)) == 2025
    assert current_academic_year(date(2026, 9, 1)) == 2026
