"""The typed form specification the compiler builds from a valid document."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from collector.schema.expressions import Node, may_be_fractional, parse


@dataclass(frozen=True)
class Text:
    ru: str
    en: str | None = None

    @classmethod
    def of(cls, value: str | dict[str, str] | None) -> Text | None:
        if value is None:
            return None
        if isinstance(value, str):
            return cls(value)
        return cls(value["ru"], value.get("en"))

    def get(self, language: str) -> str:
        return self.en if language == "en" and self.en else self.ru

    def __str__(self) -> str:
        return self.ru


@dataclass(frozen=True)
class Source:
    document: str | None = None
    clause: str | None = None
    quote: str | None = None

    @classmethod
    def of(cls, value: dict[str, str] | None) -> Source | None:
        if value is None:
            return None
        return cls(value.get("document"), value.get("clause"), value.get("quote"))


@dataclass(frozen=True)
class Option:
    value: str
    label: Text


@dataclass(frozen=True)
class Column:
    id: str
    type: str
    label: Text
    required: bool = False
    unit: str | None = None
    min: Decimal | None = None
    max: Decimal | None = None
    max_length: int | None = None
    options: tuple[Option, ...] = ()
    # Of an imported table's column: its header in the uploaded file.
    header: str | None = None

    @property
    def file_header(self) -> str:
        return self.header or self.id


@dataclass(frozen=True)
class ImportSpec:
    """A table uploaded from another system; each row names its unit in `match_column`
    (by the unit's code or name) and joins that unit's response like a table field."""

    id: str
    title: Text
    columns: tuple[Column, ...]
    match_column: str
    match_by: str = "code"
    help: Text | None = None
    source: Source | None = None


@dataclass(frozen=True)
class FieldSpec:
    id: str
    type: str
    label: Text
    help: Text | None = None
    source: Source | None = None
    required: bool = False
    visible_if: Node | None = None
    unit: str | None = None
    min: Decimal | None = None
    max: Decimal | None = None
    decimals: int | None = None
    max_length: int | None = None
    options: tuple[Option, ...] = ()
    scale: dict[str, Any] | None = None
    rows: tuple[Option, ...] = ()  # grid rows: value = row id
    columns: tuple[Column, ...] = ()
    min_rows: int | None = None
    max_rows: int | None = None
    unit_types: tuple[str, ...] = ()
    # In a registry: shown on the public page (collector.schema.kinds.shown_publicly).
    public: bool = True
    # A number field's value where a condition hiding it is definitely false (a part of a
    # zero total is 0): collector.schema.evaluate.hidden_values and the engine read it.
    hidden_value: Decimal | None = None
    # A file question: the types it takes ("pdf", "png", "jpeg") and its size limit.
    file_types: tuple[str, ...] = ()
    max_size_mb: Decimal | None = None


@dataclass(frozen=True)
class SectionSpec:
    id: str
    title: Text
    fields: tuple[FieldSpec, ...]
    help: Text | None = None
    source: Source | None = None
    visible_if: Node | None = None


@dataclass(frozen=True)
class RuleSpec:
    id: str
    check: Node
    message: Text
    fields: tuple[str, ...]
    # A group of parts (`parts` ≤ `total`, declared as such): its parts and total.
    parts: tuple[str, ...] = ()
    total: str | None = None
    # "error" blocks submission; "warning" (a value unusual but possibly true) does not
    # once the respondent confirms it with a comment.
    severity: str = "error"

    @property
    def warning(self) -> bool:
        return self.severity == "warning"


def rule_check_source(rule: Mapping[str, Any]) -> str:
    """A rule's check as an expression: its `check`, or for a group of parts that
    exclude each other the sum of the answered parts at most the total. A rule passes
    when a value it needs is missing: no total, or no part answered."""
    if "check" in rule:
        return str(rule["check"])
    return f"sum({', '.join(rule['parts'])}) <= {rule['total']}"


def _rule(raw: dict[str, Any]) -> RuleSpec:
    parts = tuple(raw.get("parts", ()))
    # The message of a group stands once beside it: after its last part.
    fields = tuple(raw.get("fields", ())) or parts[-1:]
    return RuleSpec(
        raw["id"],
        parse(rule_check_source(raw)),
        Text.of(raw["message"]) or Text(""),
        fields,
        parts,
        raw.get("total"),
        raw.get("severity", "error"),
    )


# Units of things counted one by one (people, items, places).
COUNT_UNITS = frozenset({"чел.", "ед.", "мест"})
SHARE_UNIT = "%"
SHARE_DECIMALS = 1


@dataclass(frozen=True)
class IndicatorSpec:
    id: str
    title: Text
    # None only for an indicator declared as never computed (`not_calculated`).
    formula: Node | None
    source: Source
    unit: str | None = None
    levels: tuple[str, ...] = ()
    not_applicable_if: Node | None = None
    targets: dict[str, float] = field(default_factory=dict)
    code: str | None = None  # the document's own number ("5.1")
    note: Text | None = None
    # Where the document is wrong or silent: the reading the formula implements.
    interpretation: Text | None = None
    # Values the document reports for past academic years, for its whole territory.
    history: dict[str, float] = field(default_factory=dict)
    # Why the indicator is declared but not computed.
    not_calculated: Text | None = None
    # The formula as the schema writes it (for catalogues and sources sheets).
    formula_text: str | None = None
    # What the document announces where it names an indicator without defining it.
    not_defined: Text | None = None
    # The precision it is shown and judged at (None: the default, see `precision`).
    decimals: int | None = None

    @property
    def precision(self) -> int:
        """Decimals the value is shown and judged at: as declared, else as it is written
        (`written_decimals`), else two."""
        written = self.written_decimals
        return 2 if written is None else written

    @property
    def computed(self) -> bool:
        return self.formula is not None and self.not_calculated is None and self.not_defined is None

    @property
    def is_share(self) -> bool:
        return self.unit == SHARE_UNIT

    @property
    def written_decimals(self) -> int | None:
        """The decimals its values are written with: as declared; else one for a share
        (in per cent), none for a count (a count unit, and a formula that neither divides
        nor averages), None for anything else (a mean score, services per school: up to
        two)."""
        if self.decimals is not None:
            return self.decimals
        if self.is_share:
            return SHARE_DECIMALS
        if (
            self.unit in COUNT_UNITS
            and self.formula is not None
            and not may_be_fractional(self.formula)
        ):
            return 0
        return None


@dataclass(frozen=True)
class RecommendationSpec:
    """A recommendation the form attaches to an indicator or a group of them: proposed
    after a campaign to a unit that misses one of them for one of the reasons `when`
    names (collector.analysis.compute.Reason values)."""

    id: str
    title: Text
    text: Text
    indicators: tuple[str, ...]
    when: tuple[str, ...]
    source: Source
    note: Text | None = None


@dataclass(frozen=True)
class RecommendationDeadline:
    """A date the document sets for a campaign's recommendations ("prepared" or "sent"):
    month and day of the year the campaign's academic year ends."""

    step: str
    month: int
    day: int
    source: Source


RECOMMENDATION_STEPS = ("prepared", "sent")


@dataclass(frozen=True)
class SummarySpec:
    """A registry's records counted per value of a field (and a number summed)."""

    id: str
    title: Text
    by: str
    sum: str | None = None


@dataclass(frozen=True)
class RegistrySpec:
    record_title: str  # the text field naming a record
    public: bool = False
    summaries: tuple[SummarySpec, ...] = ()


@dataclass(frozen=True)
class FormSpec:
    id: str
    version: int
    title: Text
    kind: str
    unit_types: tuple[str, ...]
    roles: tuple[str, ...]
    source: Source
    sections: tuple[SectionSpec, ...]
    rules: tuple[RuleSpec, ...]
    indicators: tuple[IndicatorSpec, ...]
    description: Text | None = None
    anonymous: bool = False
    min_group_size: int = 5
    multiple_per_browser: bool = False
    # A survey shown one section at a time («Назад», «Далее»), sent once at the end.
    section_pages: bool = False
    # A survey's population per unit (a figure() expression): the base of its response rate.
    headcount: Node | None = None
    # The single-choice field naming the respondent group; reports break figures down by it.
    category_field: str | None = None
    # Each respondent group's population (option value -> figure() expression).
    category_headcount: dict[str, Node] = field(default_factory=dict)
    # A companion survey (form id) whose same-id indicators are reported with this one's.
    reported_with: str | None = None
    imports: tuple[ImportSpec, ...] = ()
    registry: RegistrySpec | None = None
    recommendations: tuple[RecommendationSpec, ...] = ()
    # The kinds of measures the document lists (value, label).
    measure_kinds: tuple[Option, ...] = ()
    # The dates the document sets for the recommendations, in RECOMMENDATION_STEPS order.
    recommendation_deadlines: tuple[RecommendationDeadline, ...] = ()

    @property
    def computed_indicators(self) -> tuple[IndicatorSpec, ...]:
        return tuple(i for i in self.indicators if i.computed)

    @property
    def fields(self) -> list[FieldSpec]:
        return [f for section in self.sections for f in section.fields]

    def field(self, field_id: str) -> FieldSpec:
        return next(f for f in self.fields if f.id == field_id)


def _number(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def _options(items: list[dict[str, Any]]) -> tuple[Option, ...]:
    return tuple(Option(o["value"], Text.of(o["label"]) or Text("")) for o in items)


def _optional_tree(source: str | None) -> Node | None:
    return parse(source) if source else None


def _column(raw: dict[str, Any]) -> Column:
    return Column(
        id=raw["id"],
        type=raw["type"],
        label=Text.of(raw["label"]) or Text(""),
        required=raw.get("required", False),
        unit=raw.get("unit"),
        min=_number(raw.get("min")),
        max=_number(raw.get("max")),
        max_length=raw.get("max_length"),
        options=_options(raw.get("options", [])),
        header=raw.get("header"),
    )


def _import(raw: dict[str, Any]) -> ImportSpec:
    return ImportSpec(
        id=raw["id"],
        title=Text.of(raw["title"]) or Text(""),
        columns=tuple(_column(c) for c in raw["columns"]),
        match_column=raw["match"]["column"],
        match_by=raw["match"].get("by", "code"),
        help=Text.of(raw.get("help")),
        source=Source.of(raw.get("source")),
    )


def _field(raw: dict[str, Any]) -> FieldSpec:
    return FieldSpec(
        id=raw["id"],
        type=raw["type"],
        label=Text.of(raw["label"]) or Text(""),
        help=Text.of(raw.get("help")),
        source=Source.of(raw.get("source")),
        required=raw.get("required", False),
        visible_if=_optional_tree(raw.get("visible_if")),
        unit=raw.get("unit"),
        min=_number(raw.get("min")),
        max=_number(raw.get("max")),
        decimals=raw.get("decimals"),
        max_length=raw.get("max_length"),
        options=_options(raw.get("options", [])),
        scale=raw.get("scale"),
        rows=tuple(Option(r["id"], Text.of(r["label"]) or Text("")) for r in raw.get("rows", [])),
        columns=tuple(_column(c) for c in raw.get("columns", [])),
        min_rows=raw.get("min_rows"),
        max_rows=raw.get("max_rows"),
        unit_types=tuple(raw.get("unit_types", [])),
        public=raw.get("public", True),
        hidden_value=_number(raw.get("hidden_value")),
        file_types=tuple(raw.get("file_types", [])),
        max_size_mb=_number(raw.get("max_size_mb")),
    )


def _registry(raw: dict[str, Any] | None) -> RegistrySpec | None:
    if raw is None:
        return None
    return RegistrySpec(
        record_title=raw["record_title"],
        public=raw.get("public", False),
        summaries=tuple(
            SummarySpec(s["id"], Text.of(s["title"]) or Text(""), s["by"], s.get("sum"))
            for s in raw.get("summaries", [])
        ),
    )


def build_spec(document: dict[str, Any]) -> FormSpec:
    """Only for a document `validate` found no errors in."""
    respondents = document["respondents"]
    return FormSpec(
        id=document["id"],
        version=document["version"],
        title=Text.of(document["title"]) or Text(""),
        kind=document["kind"],
        unit_types=tuple(respondents["unit_types"]),
        roles=tuple(respondents.get("roles", [])),
        source=Source.of(document["source"]) or Source(),
        description=Text.of(document.get("description")),
        anonymous=respondents.get("anonymous", False),
        min_group_size=respondents.get("min_group_size", 5),
        multiple_per_browser=respondents.get("multiple_per_browser", False),
        section_pages=respondents.get("section_pages", False),
        headcount=_optional_tree(respondents.get("headcount")),
        category_field=respondents.get("category_field"),
        category_headcount={
            value: parse(source)
            for value, source in respondents.get("category_headcount", {}).items()
        },
        reported_with=respondents.get("reported_with"),
        imports=tuple(_import(raw) for raw in document.get("imports", [])),
        registry=_registry(document.get("registry")),
        sections=tuple(
            SectionSpec(
                id=s["id"],
                title=Text.of(s["title"]) or Text(""),
                fields=tuple(_field(f) for f in s["fields"]),
                help=Text.of(s.get("help")),
                source=Source.of(s.get("source")),
                visible_if=_optional_tree(s.get("visible_if")),
            )
            for s in document["sections"]
        ),
        rules=tuple(_rule(r) for r in document.get("rules", [])),
        indicators=tuple(
            IndicatorSpec(
                id=i["id"],
                title=Text.of(i["title"]) or Text(""),
                formula=(
                    None if i.get("not_calculated") or i.get("not_defined") else parse(i["formula"])
                ),
                source=Source.of(i["source"]) or Source(),
                unit=i.get("unit"),
                levels=tuple(i.get("levels", [])),
                not_applicable_if=_optional_tree(i.get("not_applicable_if")),
                targets=dict(i.get("targets", {})),
                code=i.get("code"),
                note=Text.of(i.get("note")),
                interpretation=Text.of(i.get("interpretation")),
                history={year: float(value) for year, value in i.get("history", {}).items()},
                not_calculated=Text.of(i.get("not_calculated")),
                formula_text=i.get("formula"),
                not_defined=Text.of(i.get("not_defined")),
                decimals=i.get("decimals"),
            )
            for i in document.get("indicators", [])
        ),
        recommendations=tuple(
            RecommendationSpec(
                id=r["id"],
                title=Text.of(r["title"]) or Text(""),
                text=Text.of(r["text"]) or Text(""),
                indicators=tuple(r["indicators"]),
                when=tuple(r["when"]),
                source=Source.of(r["source"]) or Source(),
                note=Text.of(r.get("note")),
            )
            for r in document.get("recommendations", [])
        ),
        measure_kinds=_options(document.get("measure_kinds", [])),
        recommendation_deadlines=tuple(
            RecommendationDeadline(
                step,
                int(d["date"][:2]),
                int(d["date"][3:]),
                Source.of(d["source"]) or Source(),
            )
            for step in RECOMMENDATION_STEPS
            if (d := document.get("recommendation_deadlines", {}).get(step)) is not None
        ),
    )
