"""The catalogue of indicators (docs/indicators.md, `flask schemas catalogue`): counts
against what each source document defines, and a file kept up to date."""

from __future__ import annotations

import json
from pathlib import Path

from collector.schema.catalogue import SourceDocument, catalogue, coverage

ROOT = Path(__file__).resolve().parent.parent
REGISTRY = ROOT / "form_schemas" / "sources" / "documents.json"


def document(**changes) -> SourceDocument:
    raw = {
        "seed": "002",
        "short": "Томск, № 1067",
        "title": "Распоряжение № 1067",
        "issuer": "Департамент образования",
        "clause": "таблица 6",
        "defines": 3,
        "what": "показатели",
        "counted_in": "indicators",
        "codes": ["5.1", "5.2", "7.2"],
    }
    return SourceDocument.of(raw | changes)


def form(seed: str, *indicators: dict) -> dict:
    return {
        "id": "form",
        "title": {"ru": "Форма"},
        "source": {"document": "…", "seed": seed},
        "sections": [],
        "indicators": list(indicators),
    }


def indicator(id_: str, code: str | None = None, seed: str | None = None) -> dict:
    found = {"id": id_, "title": id_, "formula": "share(x)", "source": {"document": "…"}}
    if code:
        found["code"] = code
    if seed:
        found["source"]["seed"] = seed
    return found


def test_counted_by_code_with_what_is_missing_unknown_and_extra():
    forms = [
        form("002", indicator("a", "5.1"), indicator("b", "5.1"), indicator("c", "9.9")),
        form("002", indicator("d"), indicator("e", "7.2")),
        # An indicator of another document in a form of this one counts there.
        form("002", indicator("f", "5.2", seed="001")),
    ]
    found = coverage(document(), forms)
    assert found.declared == 2  # 5.1 (twice) and 7.2
    assert found.missing == ["5.2"]
    assert found.unknown == ["9.9"]
    assert found.extra == 1  # "d" has no code


def test_counted_by_quoted_items_of_the_fields():
    fields = [
        {"id": "a", "source": {"clause": "11.1", "quote": "первый пункт"}},
        {"id": "b", "source": {"clause": "11.1", "quote": "первый пункт"}},
        {"id": "c", "source": {"clause": "11.2", "quote": "второй пункт"}},
        {"id": "d"},
    ]
    kaluga = form("004", indicator("x"))
    kaluga["sections"] = [{"id": "s", "fields": fields}]
    found = coverage(document(seed="004", counted_in="fields", codes=[], defines=42), [kaluga])
    assert (found.declared, found.missing, found.extra) == (2, [], 1)


def test_the_markdown_lists_each_indicator_under_its_document_in_the_documents_order():
    text = catalogue(
        [document()],
        [form("002", indicator("b", "7.2"), indicator("a", "5.1"), indicator("ours"))],
    )
    # defines 3, declared 2, both computed, none only announced, 1 missing, 1 extra
    assert "| Томск, № 1067 | 3 | 2 | 2 | 0 | 1 | 1 |" in text
    assert text.index("**5.1**") < text.index("**7.2**") < text.index("(`ours`)")
    assert "Не объявлены: 5.2." in text


def test_the_registry_names_each_documents_numbers_once_and_counts_them():
    registry = json.loads(REGISTRY.read_text(encoding="utf-8"))
    seeds = [d["seed"] for d in registry["documents"]]
    assert seeds == ["000", "001", "002", "003", "004"]
    for raw in registry["documents"]:
        codes = raw["codes"]
        assert len(codes) == len(set(codes)), raw["seed"]
        if raw["counted_in"] == "indicators":
            assert len(codes) == raw["defines"], raw["seed"]
    by_seed = {d["seed"]: d for d in registry["documents"]}
    # As the documents count them (see ../shared/seeds/notes): Omsk 64 rows, Tomsk 2022
    # 30 numbered indicators and the four profiles of 1.4, Tomsk 2016 22 rows, Nevinnomyssk 9.
    assert [by_seed[s]["defines"] for s in ("000", "001", "002", "003", "004")] == [
        22,
        9,
        34,
        64,
        42,
    ]


def test_no_form_declares_a_number_its_document_does_not_have(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["schemas", "catalogue", "--output", "/dev/null"])
    assert result.exit_code == 0, result.output
    text = catalogue(
        [SourceDocument.of(raw) for raw in json.loads(REGISTRY.read_text())["documents"]],
        [
            json.loads(p.read_text())
            for p in sorted((ROOT / "form_schemas").glob("*.json"))
            if p.name != "meta-schema.json"
        ],
    )
    assert "Номера, которых нет в документе" not in text


def test_the_catalogue_in_docs_is_up_to_date(app):
    result = app.test_cli_runner().invoke(args=["schemas", "catalogue", "--check"])
    assert result.exit_code == 0, result.output


def test_codes_the_document_names_without_defining_them_are_counted_apart():
    announced = {
        "id": "road_map",
        "title": "Перечень показателей дорожной карты",
        "code": "7.2",
        "not_defined": "документ объявляет перечень, но не приводит его",
        "source": {"document": "…"},
    }
    forms = [form("002", indicator("a", "5.1"), announced)]
    found = coverage(document(), forms)
    assert (found.declared, found.not_defined, found.missing) == (2, ["7.2"], ["5.2"])
    text = catalogue([document()], forms)
    assert "| Томск, № 1067 | 3 | 2 | 1 | 1 | 1 | 0 |" in text
    assert "не определён документом: документ объявляет перечень" in text
