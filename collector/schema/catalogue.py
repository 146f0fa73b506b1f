"""The catalogue of every declared indicator, per source document (docs/indicators.md),
with a count against what each document defines.

Pure: reads compiled schema documents and the registry of source documents
(form_schemas/sources/documents.json) and returns Markdown. An indicator belongs to the
document of its own `source.seed`, else to its form's; it counts toward the document's
total by its `code` (the document's own number: "5.1", "1.4 (технологический)").
A document whose items are form fields rather than indicators (Kaluga's п. 11) is
counted by the distinct quoted items of its forms' fields."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

Document = dict[str, Any]

LEVEL_NAMES = {"school": "школа", "municipality": "муниципалитет", "region": "регион"}


@dataclass(frozen=True)
class SourceDocument:
    seed: str
    short: str
    title: str
    issuer: str
    clause: str
    defines: int
    what: str
    counted_in: str  # "indicators" (by code) or "fields" (by quoted item)
    codes: tuple[str, ...] = ()

    @classmethod
    def of(cls, raw: dict[str, Any]) -> SourceDocument:
        return cls(
            raw["seed"],
            raw["short"],
            raw["title"],
            raw["issuer"],
            raw["clause"],
            raw["defines"],
            raw["what"],
            raw["counted_in"],
            tuple(raw.get("codes", ())),
        )


@dataclass
class Coverage:
    """What the forms declare of one document."""

    document: SourceDocument
    declared: int = 0  # codes (or quoted items) the document defines that a form declares
    missing: list[str] = field(default_factory=list)  # codes no form declares
    unknown: list[str] = field(default_factory=list)  # codes the document does not have
    extra: int = 0  # indicators without a code: our own, or from a table not counted
    # Of the declared codes: those the document names without defining them (a row
    # announcing a list, an empty row), and those declared but not calculated.
    not_defined: list[str] = field(default_factory=list)
    not_calculated: list[str] = field(default_factory=list)


def text(value: Any) -> str:
    if isinstance(value, dict):
        return str(value.get("ru") or next(iter(value.values()), ""))
    return "" if value is None else str(value)


def indicators_of(form: Document, seed: str) -> list[dict[str, Any]]:
    form_seed = form.get("source", {}).get("seed")
    return [
        i
        for i in form.get("indicators", [])
        if (i.get("source", {}).get("seed") or form_seed) == seed
    ]


def _fields(form: Document) -> Iterator[dict[str, Any]]:
    for section in form.get("sections", []):
        yield from section.get("fields", [])


def coverage(document: SourceDocument, forms: Sequence[Document]) -> Coverage:
    found = Coverage(document)
    if document.counted_in == "fields":
        items = {
            (f["source"].get("clause"), f["source"]["quote"])
            for form in forms
            if form.get("source", {}).get("seed") == document.seed
            for f in _fields(form)
            if f.get("source", {}).get("quote")
        }
        found.declared = len(items)
        found.extra = sum(len(indicators_of(form, document.seed)) for form in forms)
        return found
    codes = [
        i["code"] for form in forms for i in indicators_of(form, document.seed) if i.get("code")
    ]
    found.extra = sum(
        1 for form in forms for i in indicators_of(form, document.seed) if not i.get("code")
    )
    known = set(document.codes)
    found.declared = len(set(codes) & known)
    declared = [i for form in forms for i in indicators_of(form, document.seed)]
    for key, kept in (("not_defined", found.not_defined), ("not_calculated", found.not_calculated)):
        kept += sorted(
            {str(i["code"]) for i in declared if i.get("code") in known and i.get(key)},
            key=document.codes.index,
        )
    found.missing = [code for code in document.codes if code not in set(codes)]
    found.unknown = sorted(set(codes) - known)
    return found


def _targets(indicator: dict[str, Any]) -> str:
    targets = sorted((indicator.get("targets") or {}).items())
    return ", ".join(f"{year}/{int(year) + 1}: {value:g}" for year, value in targets)


def _indicator_lines(indicator: dict[str, Any]) -> list[str]:
    code = indicator.get("code")
    head = f"- **{code}** {text(indicator['title'])}" if code else f"- {text(indicator['title'])}"
    lines = [f"{head} (`{indicator['id']}`)"]
    if indicator.get("not_defined"):
        lines.append(f"  - не определён документом: {text(indicator['not_defined'])}")
    elif indicator.get("not_calculated"):
        lines.append(f"  - не рассчитывается: {text(indicator['not_calculated'])}")
    else:
        lines.append(f"  - формула: `{indicator['formula']}`")
    levels = ", ".join(LEVEL_NAMES.get(level, level) for level in indicator.get("levels", []))
    facts = [f"единица: {indicator.get('unit') or '—'}", f"уровни: {levels or 'все'}"]
    if indicator.get("targets"):
        facts.append(f"цели: {_targets(indicator)}")
    if indicator.get("history"):
        history = sorted(indicator["history"].items())
        facts.append(
            "по документу в прошлые годы: "
            + ", ".join(f"{year}/{int(year) + 1}: {value:g}" for year, value in history)
        )
    lines.append("  - " + "; ".join(facts))
    if indicator.get("not_applicable_if"):
        lines.append(f"  - не применяется, если: `{indicator['not_applicable_if']}`")
    clause = indicator.get("source", {}).get("clause")
    if clause:
        lines.append(f"  - пункт документа: {clause}")
    for key in ("interpretation", "note"):
        reading = text(indicator.get(key))
        if reading:
            lines.append(f"  - толкование: {reading}")
    return lines


def catalogue(documents: Sequence[SourceDocument], forms: Sequence[Document]) -> str:
    """The catalogue as Markdown: a summary of counts, then each document's forms and
    their indicators, the numbered ones in the document's order."""
    out = [
        "# Каталог показателей",
        "",
        "Создаётся командой `flask schemas catalogue` из схем `form_schemas/` и реестра "
        "документов `form_schemas/sources/documents.json`; не правьте вручную. У каждого "
        "показателя есть пример, рассчитанный вручную (`tests/worked_examples/`).",
        "",
        "| Документ | Определяет | Объявлено в формах | из них рассчитывается | Не определено "
        "документом | Не объявлено | Прочие показатели |",
        "|---|---|---|---|---|---|---|",
    ]
    coverages = [coverage(document, forms) for document in documents]
    for found in coverages:
        document = found.document
        missing = str(len(found.missing)) if document.counted_in == "indicators" else "—"
        computed = found.declared - len(found.not_defined) - len(found.not_calculated)
        out.append(
            f"| {document.short} | {document.defines} | {found.declared} | {computed} "
            f"| {len(found.not_defined)} | {missing} | {found.extra} |"
        )
    for found in coverages:
        document = found.document
        out += ["", f"## {document.short}", "", f"{document.title}. {document.issuer}."]
        out += [
            "",
            f"Документ определяет: {document.defines} — {document.what} ({document.clause}). "
            f"Объявлено в формах: {found.declared}.",
        ]
        if found.not_defined:
            out += [
                "",
                "Названы, но не определены документом (объявлен перечень без содержания "
                "или строка пуста): " + ", ".join(found.not_defined) + ".",
            ]
        if found.not_calculated:
            out += ["", "Объявлены, не рассчитываются: " + ", ".join(found.not_calculated) + "."]
        if found.missing:
            out += ["", "Не объявлены: " + ", ".join(found.missing) + "."]
        if found.unknown:
            out += ["", "Номера, которых нет в документе: " + ", ".join(found.unknown) + "."]
        order = {code: n for n, code in enumerate(document.codes)}
        for form in forms:
            declared = indicators_of(form, document.seed)
            if not declared:
                continue
            out += ["", f"### {text(form['title'])} (`{form['id']}`)", ""]
            declared.sort(key=lambda i: order.get(str(i.get("code")), len(order)))
            for indicator in declared:
                out += _indicator_lines(indicator)
    return "\n".join(out) + "\n"
