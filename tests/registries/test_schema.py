"""A registry's schema: the record's naming field, what summaries group and sum by, and
where a registry block belongs; indicators a document only announces; the summaries."""

from __future__ import annotations

from collector.indicators.summaries import summarise
from collector.schema import compile_document
from collector.schema.validate import validate
from tests.registries.fixtures import classes_document
from tests.schema.cases import base


def codes(document) -> set[tuple[str, str]]:
    return {(i.path, i.code) for i in validate(document) if not i.warning}


def test_a_registry_names_its_records_by_a_text_field_and_groups_by_few_valued_ones():
    assert codes(classes_document()) == set()
    broken = classes_document()
    broken["registry"]["record_title"] = "pupils"
    broken["registry"]["summaries"][0]["by"] = "pupils"
    broken["registry"]["summaries"][0]["sum"] = "customer"
    broken["registry"]["summaries"][1]["by"] = "nothing"
    assert codes(broken) == {
        ("$.registry.record_title", "type_mismatch"),
        ("$.registry.summaries[0].by", "type_mismatch"),
        ("$.registry.summaries[0].sum", "type_mismatch"),
        ("$.registry.summaries[1].by", "unknown_field"),
    }


def test_only_a_registry_keeps_records():
    missing = classes_document()
    del missing["registry"]
    assert codes(missing) == {("$", "missing_key")}
    report = base()
    report["registry"] = {"record_title": "level"}
    assert ("$.registry", "structure") in codes(report)


def test_an_indicator_the_document_only_announces_is_declared_and_never_computed():
    document = base()
    document["indicators"] = [
        {
            "id": "road_map",
            "code": "7.2",
            "title": "Перечень ключевых показателей дорожной карты",
            "not_defined": "Документ объявляет перечень, но не приводит его",
            "source": {"clause": "5.2, строка 7.2"},
        }
    ]
    spec = compile_document(document).spec
    (indicator,) = spec.indicators
    assert indicator.not_defined is not None and not indicator.computed
    assert spec.computed_indicators == ()


def test_summaries_count_records_per_value_and_sum_a_number():
    spec = compile_document(classes_document()).spec
    records = [
        ("M1", {"profile": "tech", "customer": "АО  «ТНХК»", "pupils": 25}),
        ("M1", {"profile": "tech", "customer": "АО «ТНХК»", "pupils": 20}),
        ("M1", {"profile": "science", "pupils": None}),
        ("M2", {"customer": "ТГУ", "pupils": 12}),
    ]
    by_profile, by_customer = summarise(spec, records)
    assert [(r.group, r.value, r.records, r.total) for r in by_profile.rows] == [
        ("M1", "Технологический", 2, 45.0),
        ("M1", "Естественно-научный", 1, None),  # no number given: no sum, not 0
        ("M2", "—", 1, 12.0),
    ]
    assert [(r.group, r.value, r.records) for r in by_customer.rows] == [
        ("M1", "АО «ТНХК»", 2),
        ("M1", "—", 1),
        ("M2", "ТГУ", 1),
    ]
