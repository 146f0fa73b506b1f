"""The Kaluga monitoring forms (order № 1829, appendix 2, п. 11) against the order's text."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from collector.schema import compile_text
from collector.schema.spec import FormSpec

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT.parent / "shared" / "seeds" / "004_b9bd63a94ac45bb8.txt"
FORMS = {
    "school": ROOT / "form_schemas" / "kaluga-1829-school.json",
    "municipality": ROOT / "form_schemas" / "kaluga-1829-municipality.json",
}


def order_items() -> list[tuple[str, str]]:
    """The dash items of п. 11.1–11.7 with their clause, as the order words them."""
    if not SEED.exists():
        pytest.skip(f"the seed document is not at {SEED}")
    text = SEED.read_text(encoding="utf-8")
    body = text[text.index("\n11.1. ") : text.index("\n12. По итогам")]
    items, clause = [], ""
    for line in body.splitlines():
        if heading := re.match(r"^(11\.\d)\. ", line):
            clause = heading.group(1)
        elif item := re.match(r"^\s*[-–]\s*(.+)$", line):
            items.append((clause, item.group(1).strip().rstrip(";").rstrip()))
    return items


def specs() -> dict[str, FormSpec]:
    return {level: compile_text(path.read_bytes()).spec for level, path in FORMS.items()}


def test_both_forms_compile_without_warnings():
    for path in FORMS.values():
        assert compile_text(path.read_bytes()).warnings == []


def test_every_one_of_the_42_items_appears_once_with_its_clause():
    items = order_items()
    assert len(items) == 42
    quoted = [
        (f.source.clause, f.source.quote)
        for spec in specs().values()
        for f in spec.fields
        if f.source and f.source.quote
    ]
    assert sorted(quoted) == sorted(items)


def test_items_sit_at_the_level_that_knows_them():
    forms = specs()
    assert forms["school"].unit_types == ("school",)
    assert forms["municipality"].unit_types == ("municipality",)
    municipal = {f.id for f in forms["municipality"].fields}
    assert {"coordinator", "municipal_programs", "preschool_early_programs"} <= municipal
    assert forms["municipality"].field("coordinator").type == "person"
    assert forms["municipality"].field("municipal_programs").type == "table"
    assert forms["school"].field("labour_associations").type == "table"


def test_counts_carry_their_unit_and_are_never_negative():
    for spec in specs().values():
        for f in spec.fields:
            if f.type == "integer":
                assert f.unit in ("ед.", "чел.", "мест"), f.id
                assert f.min == 0, f.id


def test_shares_are_indicators_not_typed_fields():
    school = specs()["school"]
    share_items = [q for _c, q in order_items() if q.startswith("количество/доля")]
    assert len(share_items) == 6
    typed = {f.source.quote: f for f in school.fields if f.source and f.source.quote}
    for quote in share_items:
        assert typed[quote].type == "yes_no"
        formulas = {str(i.formula) for i in school.indicators}
        assert any(typed[quote].id in formula and "share" in formula for formula in formulas)


def test_parts_of_a_total_have_rules():
    checks = {str(rule.check) for rule in specs()["school"].rules}
    for part, total in [
        ("media_district", "media_total"),
        ("media_regional", "media_total"),
        ("psychologists_with_tools", "psychologists_total"),
        ("graduates_to_poo_region", "graduates_to_poo"),
        ("graduates_to_vo_region", "graduates_to_vo"),
    ]:
        assert any(part in c and total in c and "'<='" in c for c in checks), part


def test_every_indicator_is_traced_to_the_order():
    for spec in specs().values():
        for indicator in spec.indicators:
            assert indicator.source.clause and indicator.source.clause.startswith("11.")
            assert "№ 1829" in (indicator.source.document or "")


def test_very_many_excursions_are_a_warning_not_an_error():
    """Clause 11.2 counts excursions to enterprises (ед.) with no bound: over 100 a year
    is unusual for one school (participants typed for excursions?) but may be true."""
    from collector.schema.warnings import failed_warnings

    spec = specs()["school"]
    rule = next(r for r in spec.rules if r.id == "excursions_unusual")
    assert rule.warning and rule.fields == ("enterprise_excursions",)
    [warning] = failed_warnings(spec, {"enterprise_excursions": 120}, {})
    assert warning.rule is rule and not warning.confirmed
    assert failed_warnings(spec, {"enterprise_excursions": 100}, {}) == []
    values = {"enterprise_excursions": 120}
    given = {"excursions_unusual": {"comment": "Каждый класс — 4 раза", "values": values}}
    assert failed_warnings(spec, {"enterprise_excursions": 120}, given)[0].confirmed
