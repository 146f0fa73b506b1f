"""The designer's form for a recommendation the schema attaches to indicators (issue 26):
its texts, the indicators whose misses propose it and for which reasons, and its source.
The kinds of measures and the dates set for the recommendations are kept as the
document has them (edited on the JSON page)."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from collector.designer.forms import ID_PATTERN, list_length, text_of, text_value
from collector.forms import CheckboxesField, SelectChoice, TrimmedForm

REASONS = [
    SelectChoice("below_target", _l("below the target")),
    SelectChoice("lowest_quartile", _l("lowest quartile")),
    SelectChoice("worse_than_last", _l("worse than last campaign")),
]


class RecommendationForm(TrimmedForm):
    revision = HiddenField()
    id = StringField(_l("Id"), validators=[DataRequired(), Length(max=64), ID_PATTERN])
    title_ru = StringField(_l("Title (Russian)"), validators=[DataRequired(), Length(max=500)])
    title_en = StringField(_l("Title (English)"), validators=[Length(max=500)])
    text_ru = TextAreaField(_l("Text (Russian)"), validators=[DataRequired()])
    text_en = TextAreaField(_l("Text (English)"))
    # The document's indicators (set by the view): validate_choice off, as the rule's
    # fields, so that an indicator removed since is reported by the compiler, not lost.
    indicators = CheckboxesField(
        _l("Proposed for the indicators"), validate_choice=False, validators=[list_length]
    )
    when = CheckboxesField(_l("When a unit's value is"), choices=REASONS)
    source_document = TextAreaField(_l("Source document"))
    source_clause = StringField(_l("Clause"))
    source_quote = TextAreaField(_l("Quote"))
    note_ru = TextAreaField(_l("Note"))

    def load(self, recommendation: dict[str, Any]) -> None:
        source = recommendation.get("source") or {}
        self.process(
            data={
                "id": recommendation.get("id", ""),
                "title_ru": text_of(recommendation.get("title"), "ru"),
                "title_en": text_of(recommendation.get("title"), "en"),
                "text_ru": text_of(recommendation.get("text"), "ru"),
                "text_en": text_of(recommendation.get("text"), "en"),
                "indicators": list(recommendation.get("indicators") or []),
                "when": list(recommendation.get("when") or []),
                "source_document": source.get("document", ""),
                "source_clause": source.get("clause", ""),
                "source_quote": source.get("quote", ""),
                "note_ru": text_of(recommendation.get("note"), "ru"),
            }
        )

    def store(self, recommendation: dict[str, Any]) -> None:
        recommendation["id"] = self.id.data
        recommendation["title"] = text_value(self.title_ru.data, self.title_en.data)
        recommendation["text"] = text_value(self.text_ru.data, self.text_en.data)
        recommendation["indicators"] = [i for i in self.indicators.data or [] if i]
        recommendation["when"] = [w for w in self.when.data or [] if w]
        source = recommendation.setdefault("source", {})
        for key, value in (
            ("document", self.source_document.data),
            ("clause", self.source_clause.data),
            ("quote", self.source_quote.data),
        ):
            if value:
                source[key] = value
            else:
                source.pop(key, None)
        note = text_value(self.note_ru.data, text_of(recommendation.get("note"), "en"))
        if note is None:
            recommendation.pop("note", None)
        else:
            recommendation["note"] = note
