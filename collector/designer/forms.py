"""The designer's forms: one per kind of element, each reading its values from the schema
document and writing them back into it. Keys a form does not edit (a source's quote, an
indicator's history) stay in the document as they were."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DecimalField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)

from collector.forms import CheckboxesField, SelectChoice, TranslatedMeta, TrimmedForm
from collector.labels import ROLE_LABELS, UNIT_TYPE_LABELS
from collector.schema.expressions import MAX_LENGTH as MAX_EXPRESSION_LENGTH
from collector.schema.kinds import field_kinds, table_column_types
from collector.schema.spec import rule_check_source

ID_PATTERN = Regexp(
    r"^[a-z][a-z0-9_]*$",
    message=_l("Latin lower-case letters, digits and _, starting with a letter."),
)
FORM_ID_PATTERN = Regexp(
    r"^[a-z][a-z0-9_]*(-[a-z0-9_]+)*$",
    message=_l("Latin lower-case letters, digits, _ and -, starting with a letter."),
)
UNIT_TYPES = (
    "region",
    "municipality",
    "school",
    "kindergarten",
    "supplementary",
    "college",
    "university",
    "other",
)
ROLES = ("admin", "regional_coordinator", "municipal_coordinator", "school_respondent")
KINDS = [
    SelectChoice("unit_report", _l("Unit report")),
    SelectChoice("survey", _l("Survey")),
    SelectChoice("registry", _l("Registry")),
]
LEVELS = [
    SelectChoice("school", _l("school")),
    SelectChoice("municipality", _l("municipality")),
    SelectChoice("region", _l("region")),
]


FIELD_TYPE_LABELS = {name: _l(kind.label) for name, kind in field_kinds().items()}

# Options, rows and columns of one question: the seeds have at most nine; a page posting
# more than this is not the editor's.
MAX_LIST_ITEMS = 500


def expression_length(form: Any, field: Any) -> None:
    """An expression past the compiler's length bound is refused beside its input with
    what was typed (its other bounds, parts and depth, are listed among the issues)."""
    if field.data and len(field.data) > MAX_EXPRESSION_LENGTH:
        raise ValidationError(
            _(
                "An expression may be at most %(limit)d characters long; this one has %(length)d.",
                limit=MAX_EXPRESSION_LENGTH,
                length=len(field.data),
            )
        )


class WholeRange(NumberRange):
    """NumberRange for an IntegerField: WTForms' own calls math.isnan on the number, which
    raises OverflowError (a 500) for an integer of more than 308 digits."""

    def __call__(self, form: Any, field: Any) -> None:
        low, high = self.min, self.max
        data = field.data
        if isinstance(data, int) and not (
            (low is None or data >= low) and (high is None or data <= high)
        ):
            message = self.message or field.gettext("Number must be between %(min)s and %(max)s.")
            raise ValidationError(message % {"min": low, "max": high})
        super().__call__(form, field)


# Bounds, targets: below 10^15 in size, so a float64 holds them (2^53 is about 9·10^15).
MAX_NUMBER_DIGITS = 15


def bounded(number: Decimal | None) -> bool:
    """Finite and below 10^15 in size (NaN, Infinity and 1e999999 are Decimals too)."""
    return (
        number is not None
        and number.is_finite()
        and (number.is_zero() or -30 <= number.adjusted() < MAX_NUMBER_DIGITS)
    )


def bounded_number(form: Any, field: Any) -> None:
    if field.data is not None and not bounded(field.data):
        raise ValidationError(
            _(
                "A number of at most %(digits)d digits before the decimal point.",
                digits=MAX_NUMBER_DIGITS,
            )
        )


def list_length(form: Any, field: Any) -> None:
    items = field.entries if isinstance(field, FieldList) else field.data or []
    if len(items) > MAX_LIST_ITEMS:
        raise ValidationError(_("At most %(limit)d items.", limit=MAX_LIST_ITEMS))


def text_of(value: Any, language: str) -> str:
    if isinstance(value, dict):
        return str(value.get(language) or "")
    return str(value) if isinstance(value, str) and language == "ru" else ""


def text_value(ru: str | None, en: str | None) -> str | dict[str, str] | None:
    """A schema text from its two inputs: a plain string unless English is given."""
    ru, en = (ru or "").strip(), (en or "").strip()
    if not ru:
        return None
    return {"ru": ru, "en": en} if en else ru


def _put(target: dict[str, Any], key: str, value: Any) -> None:
    if value is None or value == "" or value == [] or value == {}:
        target.pop(key, None)
    else:
        target[key] = value


def _number(value: Decimal | None) -> int | float | None:
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


# --- identity -------------------------------------------------------------------------


class IdentityForm(TrimmedForm):
    revision = HiddenField()
    id = StringField(_l("Form id"), validators=[DataRequired(), Length(max=64), FORM_ID_PATTERN])
    title_ru = StringField(_l("Title (Russian)"), validators=[DataRequired(), Length(max=500)])
    title_en = StringField(_l("Title (English)"), validators=[Length(max=500)])
    description_ru = TextAreaField(_l("Description (Russian)"))
    description_en = TextAreaField(_l("Description (English)"))
    kind = SelectField(_l("Kind"), choices=KINDS)
    unit_types = CheckboxesField(
        _l("Answered by units of type"),
        choices=[SelectChoice(t, UNIT_TYPE_LABELS.get(t, t)) for t in UNIT_TYPES],
    )
    roles = CheckboxesField(
        _l("Answered by roles"), choices=[SelectChoice(r, ROLE_LABELS.get(r, r)) for r in ROLES]
    )
    # A survey's own keys.
    anonymous = BooleanField(_l("Anonymous survey"))
    min_group_size = IntegerField(
        _l("Smallest group shown"), validators=[Optional(), WholeRange(1, 1_000_000)]
    )
    multiple_per_browser = BooleanField(_l("Several answers from one browser (a shared computer)"))
    section_pages = BooleanField(_l("One section per page (Back and Next under the progress bar)"))
    category_field = SelectField(
        _l("Question naming the respondent's group (reports break figures down by it)"),
        validate_choice=False,
    )
    # A registry's own keys.
    record_title = SelectField(_l("Question naming each record"), validate_choice=False)
    public = BooleanField(_l("Published records are listed on a public page"))
    source_document = TextAreaField(_l("Source document"))
    source_clause = StringField(_l("Clause"))
    source_quote = TextAreaField(_l("Quote"))

    def load(self, document: dict[str, Any]) -> None:
        respondents = document.get("respondents") or {}
        source = document.get("source") or {}
        self.process(
            data={
                "id": document.get("id", ""),
                "title_ru": text_of(document.get("title"), "ru"),
                "title_en": text_of(document.get("title"), "en"),
                "description_ru": text_of(document.get("description"), "ru"),
                "description_en": text_of(document.get("description"), "en"),
                "kind": document.get("kind"),
                "unit_types": list(respondents.get("unit_types") or []),
                "roles": list(respondents.get("roles") or []),
                "anonymous": bool(respondents.get("anonymous")),
                "min_group_size": respondents.get("min_group_size"),
                "multiple_per_browser": bool(respondents.get("multiple_per_browser")),
                "section_pages": bool(respondents.get("section_pages")),
                "category_field": respondents.get("category_field", ""),
                "record_title": (document.get("registry") or {}).get("record_title", ""),
                "public": bool((document.get("registry") or {}).get("public")),
                "source_document": source.get("document", ""),
                "source_clause": source.get("clause", ""),
                "source_quote": source.get("quote", ""),
            }
        )

    def store(self, document: dict[str, Any]) -> None:
        document["id"] = self.id.data
        document["title"] = text_value(self.title_ru.data, self.title_en.data)
        _put(
            document, "description", text_value(self.description_ru.data, self.description_en.data)
        )
        document["kind"] = self.kind.data
        respondents = document.setdefault("respondents", {})
        respondents["unit_types"] = list(self.unit_types.data or [])
        _put(respondents, "roles", list(self.roles.data or []))
        if self.kind.data == "survey":
            _put(respondents, "anonymous", True if self.anonymous.data else None)
            _put(respondents, "min_group_size", self.min_group_size.data)
            _put(
                respondents,
                "multiple_per_browser",
                True if self.multiple_per_browser.data else None,
            )
            _put(respondents, "section_pages", True if self.section_pages.data else None)
            _put(respondents, "category_field", self.category_field.data)
        if self.kind.data == "registry":
            # Summaries and the rest of the block stay as the JSON page made them.
            registry = dict(document.get("registry") or {})
            registry["record_title"] = self.record_title.data or ""
            _put(registry, "public", True if self.public.data else None)
            document["registry"] = registry
        else:
            document.pop("registry", None)
        source = document.setdefault("source", {})
        _put(source, "document", self.source_document.data)
        _put(source, "clause", self.source_clause.data)
        _put(source, "quote", self.source_quote.data)


# --- sections --------------------------------------------------------------------------


class SectionForm(TrimmedForm):
    revision = HiddenField()
    id = StringField(_l("Id"), validators=[DataRequired(), Length(max=64), ID_PATTERN])
    title_ru = StringField(_l("Title (Russian)"), validators=[DataRequired()])
    title_en = StringField(_l("Title (English)"))
    help_ru = TextAreaField(_l("Help (Russian)"))
    visible_if = StringField(_l("Shown when"), validators=[expression_length])

    def load(self, section: dict[str, Any]) -> None:
        self.process(
            data={
                "id": section.get("id", ""),
                "title_ru": text_of(section.get("title"), "ru"),
                "title_en": text_of(section.get("title"), "en"),
                "help_ru": text_of(section.get("help"), "ru"),
                "visible_if": section.get("visible_if", ""),
            }
        )

    def store(self, section: dict[str, Any]) -> None:
        section["id"] = self.id.data
        section["title"] = text_value(self.title_ru.data, self.title_en.data)
        _put(section, "help", _keep_en(section.get("help"), self.help_ru.data))
        _put(section, "visible_if", self.visible_if.data)
        section.setdefault("fields", [])


def _keep_en(old: Any, ru: str | None) -> str | dict[str, str] | None:
    """A text edited in Russian only keeps the English it had."""
    return text_value(ru, text_of(old, "en"))


# --- fields ----------------------------------------------------------------------------


class OptionForm(Form):
    # A list's row speaks the page's language too («Обязательное поле.»).
    Meta = TranslatedMeta

    value = StringField(_l("Code"), validators=[DataRequired(), Length(max=64)])
    # The code the option had when the page was drawn: a published code may not change.
    original = HiddenField()
    label_ru = StringField(_l("Label (Russian)"), validators=[DataRequired()])
    label_en = StringField(_l("Label (English)"))
    remove = BooleanField(_l("Remove"))


class RowForm(Form):
    # A list's row speaks the page's language too («Обязательное поле.»).
    Meta = TranslatedMeta

    id = StringField(_l("Id"), validators=[DataRequired(), Length(max=64), ID_PATTERN])
    label_ru = StringField(_l("Label (Russian)"), validators=[DataRequired()])
    remove = BooleanField(_l("Remove"))


class ColumnForm(Form):
    # A list's row speaks the page's language too («Обязательное поле.»).
    Meta = TranslatedMeta

    id = StringField(_l("Id"), validators=[DataRequired(), Length(max=64), ID_PATTERN])
    type = SelectField(_l("Type"), choices=[SelectChoice(t, t) for t in table_column_types()])
    label_ru = StringField(_l("Label (Russian)"), validators=[DataRequired()])
    unit = StringField(_l("Unit"))
    min = DecimalField(_l("Minimum"), validators=[Optional(), bounded_number])
    max = DecimalField(_l("Maximum"), validators=[Optional(), bounded_number])
    required = BooleanField(_l("Required"))
    options = TextAreaField(_l("Options, one per line: code = label"))
    remove = BooleanField(_l("Remove"))


class FieldForm(TrimmedForm):
    revision = HiddenField()
    id = StringField(_l("Id"), validators=[DataRequired(), Length(max=64), ID_PATTERN])
    type = SelectField(
        _l("Type"), choices=[SelectChoice(t, FIELD_TYPE_LABELS.get(t, t)) for t in field_kinds()]
    )
    section = SelectField(_l("Section"), coerce=int, validate_choice=False)
    label_ru = TextAreaField(_l("Question (Russian)"), validators=[DataRequired()])
    label_en = TextAreaField(_l("Question (English)"))
    help_ru = TextAreaField(_l("Help (Russian)"))
    required = BooleanField(_l("Required"))
    visible_if = StringField(_l("Shown when"), validators=[expression_length])
    source_clause = StringField(_l("Clause of the source document"))
    unit = StringField(_l("Unit (чел., ед.)"))
    min = DecimalField(_l("Minimum"), validators=[Optional(), bounded_number])
    max = DecimalField(_l("Maximum"), validators=[Optional(), bounded_number])
    decimals = IntegerField(_l("Decimals"), validators=[Optional(), WholeRange(0, 6)])
    max_length = IntegerField(
        _l("Longest answer, characters"), validators=[Optional(), WholeRange(1, 100000)]
    )
    scale_min = IntegerField(_l("Scale from"), validators=[Optional(), WholeRange(-1000, 1000)])
    scale_max = IntegerField(_l("Scale to"), validators=[Optional(), WholeRange(-1000, 1000)])
    min_rows = IntegerField(_l("Fewest rows"), validators=[Optional(), WholeRange(0, 10000)])
    max_rows = IntegerField(_l("Most rows"), validators=[Optional(), WholeRange(1, 10000)])
    unit_types = CheckboxesField(
        _l("Units of type"), choices=[SelectChoice(t, t) for t in UNIT_TYPES]
    )
    options = FieldList(FormField(OptionForm), label=_l("Options"), validators=[list_length])
    rows = FieldList(FormField(RowForm), label=_l("Rows"), validators=[list_length])
    columns = FieldList(FormField(ColumnForm), label=_l("Columns"), validators=[list_length])

    def load(self, field: dict[str, Any], section: int) -> None:
        scale = field.get("scale") or {}
        self.process(
            data={
                "id": field.get("id", ""),
                "type": field.get("type"),
                "section": section,
                "label_ru": text_of(field.get("label"), "ru"),
                "label_en": text_of(field.get("label"), "en"),
                "help_ru": text_of(field.get("help"), "ru"),
                "required": bool(field.get("required")),
                "visible_if": field.get("visible_if", ""),
                "source_clause": (field.get("source") or {}).get("clause", ""),
                "unit": field.get("unit", ""),
                "min": field.get("min"),
                "max": field.get("max"),
                "decimals": field.get("decimals"),
                "max_length": field.get("max_length"),
                "scale_min": scale.get("min"),
                "scale_max": scale.get("max"),
                "min_rows": field.get("min_rows"),
                "max_rows": field.get("max_rows"),
                "unit_types": list(field.get("unit_types") or []),
                "options": [
                    {
                        "value": o.get("value", ""),
                        "original": o.get("value", ""),
                        "label_ru": text_of(o.get("label"), "ru"),
                        "label_en": text_of(o.get("label"), "en"),
                    }
                    for o in field.get("options") or []
                ],
                "rows": [
                    {"id": r.get("id", ""), "label_ru": text_of(r.get("label"), "ru")}
                    for r in field.get("rows") or []
                ],
                "columns": [_column_data(c) for c in field.get("columns") or []],
            }
        )

    def shows(self, key: str) -> bool:
        """Whether the type chosen has this key (the template draws only those)."""
        kind = field_kinds().get(self.type.data or "")
        return kind is not None and key in kind.allowed_keys

    def store(self, field: dict[str, Any]) -> None:
        kind = field_kinds()[self.type.data or "text"]
        keys = kind.allowed_keys
        field["id"] = self.id.data
        field["type"] = kind.name
        field["label"] = text_value(self.label_ru.data, self.label_en.data)
        _put(field, "help", _keep_en(field.get("help"), self.help_ru.data))
        _put(field, "required", True if self.required.data else None)
        _put(field, "visible_if", self.visible_if.data)
        old_columns = {c.get("id"): c for c in field.get("columns") or [] if isinstance(c, dict)}
        source = dict(field.get("source") or {})
        _put(source, "clause", self.source_clause.data)
        _put(field, "source", source)
        shown = {
            "unit": self.unit.data,
            "min": _number(self.min.data),
            "max": _number(self.max.data),
            "decimals": self.decimals.data,
            "max_length": self.max_length.data,
            "min_rows": self.min_rows.data,
            "max_rows": self.max_rows.data,
            "unit_types": list(self.unit_types.data or []),
            "options": _options(self.options.entries, field.get("options") or []),
            "rows": [
                {"id": e.form.id.data, "label": _keep_label(e.form.label_ru.data)}
                for e in self.rows.entries
                if not e.form.remove.data
            ],
            "columns": [
                _column(e.form, old_columns.get(e.form.id.data))
                for e in self.columns.entries
                if not e.form.remove.data
            ],
            "scale": _scale(field.get("scale"), self.scale_min.data, self.scale_max.data),
        }
        for key, value in shown.items():
            _put(field, key, value if key in keys else None)
        # A key the type does not allow goes (a field changed from choice to number).
        for key in list(field):
            if key not in keys:
                del field[key]


def _keep_label(ru: str | None) -> str:
    return (ru or "").strip()


def _options(entries: list[Any], old: list[dict[str, Any]]) -> list[dict[str, Any]]:
    labels = {o.get("value"): o.get("label") for o in old if isinstance(o, dict)}
    found = []
    for entry in entries:
        form = entry.form
        if form.remove.data:
            continue
        label = text_value(form.label_ru.data, form.label_en.data)
        if isinstance(labels.get(form.value.data), dict) and not isinstance(label, dict):
            label = {"ru": str(label)}
        found.append({"value": form.value.data, "label": label})
    return found


def _scale(old: Any, low: int | None, high: int | None) -> dict[str, Any] | None:
    if low is None and high is None:
        return None
    scale = dict(old) if isinstance(old, dict) else {}
    scale["min"], scale["max"] = low, high
    return {k: v for k, v in scale.items() if v is not None}


def _column_data(column: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": column.get("id", ""),
        "type": column.get("type"),
        "label_ru": text_of(column.get("label"), "ru"),
        "unit": column.get("unit", ""),
        "min": column.get("min"),
        "max": column.get("max"),
        "required": bool(column.get("required")),
        "options": "\n".join(
            f"{o.get('value')} = {text_of(o.get('label'), 'ru')}"
            for o in column.get("options") or []
        ),
    }


def option_lines(text: str | None) -> list[dict[str, Any]]:
    """ "code = label" lines (a line without "=" is its own code and label)."""
    found = []
    for line in (text or "").splitlines():
        if not line.strip():
            continue
        code, _, label = line.partition("=")
        code, label = code.strip(), label.strip()
        found.append({"value": code, "label": label or code})
    return found


def _column_has_options(column_type: str | None) -> bool:
    kind = field_kinds().get(column_type or "")
    return kind is not None and "options" in kind.column_needs


def _column(form: Any, old: dict[str, Any] | None) -> dict[str, Any]:
    column = dict(old or {})
    column["id"] = form.id.data
    column["type"] = form.type.data
    column["label"] = _keep_en(column.get("label"), form.label_ru.data)
    _put(column, "unit", form.unit.data)
    _put(column, "min", _number(form.min.data))
    _put(column, "max", _number(form.max.data))
    _put(column, "required", True if form.required.data else None)
    _put(
        column,
        "options",
        option_lines(form.options.data) if _column_has_options(form.type.data) else None,
    )
    return column


# --- rules and indicators ----------------------------------------------------------------


class RuleForm(TrimmedForm):
    revision = HiddenField()
    id = StringField(_l("Id"), validators=[DataRequired(), Length(max=64), ID_PATTERN])
    check = StringField(_l("Holds when"), validators=[DataRequired(), expression_length])
    message_ru = StringField(_l("Message (Russian)"), validators=[DataRequired()])
    message_en = StringField(_l("Message (English)"))
    fields = SelectMultipleField(
        _l("Shown at the fields"), validate_choice=False, validators=[list_length]
    )
    # An error blocks submission; a warning is confirmed with a comment (soft rule).
    severity = SelectField(
        _l("Kind of rule"),
        choices=[SelectChoice("error", _l("Error")), SelectChoice("warning", _l("Warning"))],
        default="error",
    )

    def load(self, rule: dict[str, Any]) -> None:
        self.process(
            data={
                "id": rule.get("id", ""),
                "check": rule_check_source(rule) if "parts" in rule else rule.get("check", ""),
                "message_ru": text_of(rule.get("message"), "ru"),
                "message_en": text_of(rule.get("message"), "en"),
                "fields": list(rule.get("fields") or []),
                "severity": rule.get("severity", "error"),
            }
        )

    def store(self, rule: dict[str, Any]) -> None:
        rule["id"] = self.id.data
        # A group of parts whose check is unchanged is kept as declared; one written
        # as an expression becomes a rule of that check.
        if "parts" not in rule or self.check.data != rule_check_source(rule):
            rule.pop("parts", None)
            rule.pop("total", None)
            rule["check"] = self.check.data
        rule["message"] = text_value(self.message_ru.data, self.message_en.data)
        _put(rule, "fields", [f for f in self.fields.data or [] if f])
        # The default (an error) is not written out.
        _put(rule, "severity", "warning" if self.severity.data == "warning" else None)


class IndicatorForm(TrimmedForm):
    revision = HiddenField()
    id = StringField(_l("Id"), validators=[DataRequired(), Length(max=64), ID_PATTERN])
    code = StringField(_l("Number in the document"), validators=[Length(max=40)])
    title_ru = TextAreaField(_l("Title (Russian)"), validators=[DataRequired()])
    title_en = TextAreaField(_l("Title (English)"))
    unit = StringField(_l("Unit (%, чел.)"))
    formula = StringField(_l("Formula"), validators=[DataRequired(), expression_length])
    levels = CheckboxesField(_l("Reported at"), choices=LEVELS)
    targets = StringField(_l("Targets by year"), description=_l("For example: 2025: 60; 2026: 70"))
    not_applicable_if = StringField(_l("Not applicable when"), validators=[expression_length])
    source_document = TextAreaField(_l("Source document"))
    source_clause = StringField(_l("Clause"))
    note_ru = TextAreaField(_l("Note"))

    def load(self, indicator: dict[str, Any]) -> None:
        source = indicator.get("source") or {}
        targets = indicator.get("targets") or {}
        self.process(
            data={
                "id": indicator.get("id", ""),
                "code": indicator.get("code", ""),
                "title_ru": text_of(indicator.get("title"), "ru"),
                "title_en": text_of(indicator.get("title"), "en"),
                "unit": indicator.get("unit", ""),
                "formula": indicator.get("formula", ""),
                "levels": list(indicator.get("levels") or []),
                "targets": "; ".join(f"{year}: {value}" for year, value in targets.items()),
                "not_applicable_if": indicator.get("not_applicable_if", ""),
                "source_document": source.get("document", ""),
                "source_clause": source.get("clause", ""),
                "note_ru": text_of(indicator.get("note"), "ru"),
            }
        )

    def validate_targets(self, field: Any) -> None:
        parse_targets(field.data)

    def store(self, indicator: dict[str, Any]) -> None:
        indicator["id"] = self.id.data
        _put(indicator, "code", self.code.data)
        indicator["title"] = text_value(self.title_ru.data, self.title_en.data)
        _put(indicator, "unit", self.unit.data)
        indicator["formula"] = self.formula.data
        _put(indicator, "levels", list(self.levels.data or []))
        _put(indicator, "targets", parse_targets(self.targets.data))
        _put(indicator, "not_applicable_if", self.not_applicable_if.data)
        source = indicator.setdefault("source", {})
        _put(source, "document", self.source_document.data)
        _put(source, "clause", self.source_clause.data)
        _put(indicator, "note", _keep_en(indicator.get("note"), self.note_ru.data))


def parse_targets(text: str | None) -> dict[str, int | float]:
    """ "2025: 60; 2026: 70,5" → {"2025": 60, "2026": 70.5}; the error names the bad part."""
    found: dict[str, int | float] = {}
    for part in (text or "").replace("\n", ";").split(";"):
        if not part.strip():
            continue
        year, colon, value = part.partition(":")
        year, value = year.strip(), value.strip().replace(",", ".")
        try:
            number: Decimal | None = Decimal(value) if len(value) <= 64 else None
        except ArithmeticError:
            number = None
        if not bounded(number):
            number = None
        is_year = len(year) == 4 and year.isascii() and year.isdigit()
        if not colon or not is_year or number is None:
            raise ValidationError(_l("«%(part)s» is not «year: value».", part=part.strip()))
        found[year] = _number(number) or 0
    return found


# --- starting a form ---------------------------------------------------------------------


class NewFormForm(TrimmedForm):
    unit = SelectField(_l("Designed for"), validate_choice=False)
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=500)])
    # Made from the title when left empty (services.start_blank).
    id = StringField(
        _l("Form code (optional)"), validators=[Optional(), Length(max=64), FORM_ID_PATTERN]
    )
    kind = SelectField(_l("Kind"), choices=KINDS)


class UploadForm(FlaskForm):
    unit = SelectField(_l("Designed for"), validate_choice=False)
    file = FileField(_l("Form schema (JSON)"), validators=[FileRequired()])


class CopyForm(FlaskForm):
    unit = SelectField(_l("Designed for"), validate_choice=False)


class JsonForm(FlaskForm):
    revision = HiddenField()
    document = TextAreaField(_l("The form schema"), validators=[DataRequired()])


class ActionForm(FlaskForm):
    """A button's form (add, remove, move, publish): it carries the CSRF token."""

    revision = HiddenField()
