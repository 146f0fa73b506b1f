"""The names of the differences between two versions as the publish page shows them (the
diff itself, with its warnings marked for translation, is pure: collector.schema.diff)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

CHANGE_LABELS = {
    "field_added": _l("Question added"),
    "field_removed": _l("Question removed"),
    "field_renamed": _l("Question reworded"),
    "field_retyped": _l("Type of the question changed"),
    "field_moved": _l("Question moved to another section"),
    "option_added": _l("Option added"),
    "option_removed": _l("Option removed"),
    "option_relabelled": _l("Option reworded"),
    "row_added": _l("Row added"),
    "row_removed": _l("Row removed"),
    "column_added": _l("Column added"),
    "column_removed": _l("Column removed"),
    "column_retyped": _l("Type of the column changed"),
    "visibility_changed": _l("Condition of showing changed"),
    "section_added": _l("Section added"),
    "section_removed": _l("Section removed"),
    "rule_added": _l("Rule added"),
    "rule_removed": _l("Rule removed"),
    "rule_changed": _l("Rule changed"),
    "indicator_added": _l("Indicator added"),
    "indicator_removed": _l("Indicator removed"),
    "formula_changed": _l("Formula changed"),
    "target_changed": _l("Targets changed"),
    "identity_changed": _l("Identity of the form changed"),
    "recommendation_added": _l("Recommendation added"),
    "recommendation_removed": _l("Recommendation removed"),
    "recommendation_changed": _l("Recommendation changed"),
    "measure_kind_added": _l("Kind of measure added"),
    "measure_kind_removed": _l("Kind of measure removed"),
    "measure_kind_relabelled": _l("Kind of measure reworded"),
    "recommendation_date_changed": _l("Date set for the recommendations changed"),
}
