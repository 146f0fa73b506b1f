"""What a form page gives its script so that conditions and rules run as the user types
(collector/static/live-form.js, evaluating with collector/static/expressions.js).

The page carries, as one JSON block: each section's and field's `visible_if` and each
rule's `check` as trees (`expressions.to_json`), how each field's value is read from the
form's inputs (its kind's `live`), the derived values shown beside fields (totals,
what is left of a total: `collector.schema.derived`), the labels and rule messages in the
page's language, and the values of the fields that are not on the page (the other
sections of a report) as expressions see them (`evaluate.context`). The server stays the
authority: it runs everything again on save and submit. Pure: no Flask.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping
from decimal import Decimal
from typing import Any

from collector.schema.derived import decimal_mark, derived
from collector.schema.evaluate import context, rule_fields
from collector.schema.expressions import references, to_json
from collector.schema.kinds import kind_of
from collector.schema.spec import FormSpec


def json_value(value: Any) -> Any:
    """A value of `evaluate.context` as JSON the browser's evaluator reads back typed: a
    Decimal as {"$dec": "12.5"}, a stored whole or binary number as {"$int": …} or
    {"$float": …} (expressions bound those differently), a mapping as {"$map": {…}}."""
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, Decimal):
        return {"$dec": str(value)}
    if isinstance(value, int):
        return {"$int": str(value)}
    if isinstance(value, float):
        return {"$float": repr(value) if math.isfinite(value) else "nan"}
    if isinstance(value, list | tuple):
        return [json_value(item) for item in value]
    if isinstance(value, Mapping):
        return {"$map": {str(k): json_value(v) for k, v in value.items()}}
    return None


def live_form(
    spec: FormSpec,
    language: str,
    *,
    on_page: Collection[str] | None = None,
    answers: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The JSON block of a page showing the fields `on_page` (every field when None);
    `answers`: the stored answers, whose values stand for the fields not on the page."""
    shown = {f.id for f in spec.fields} if on_page is None else set(on_page)
    worked_out = derived(spec)
    wanted = {
        ref.dotted
        for node in [
            *(s.visible_if for s in spec.sections),
            *(f.visible_if for f in spec.fields),
            *(r.check for r in spec.rules),
            *(tree for item in worked_out for _, tree in item.terms),
        ]
        if node is not None
        for ref in references(node)
        if ref.path[0] not in shown
    }
    values = context(spec, answers or {}) if wanted else {}
    return {
        "sections": [
            {
                "id": section.id,
                "visible_if": None if section.visible_if is None else to_json(section.visible_if),
                "fields": [f.id for f in section.fields],
            }
            for section in spec.sections
        ],
        "fields": {
            f.id: {
                **kind_of(f.type).live(f),
                "label": f.label.get(language),
                "visible_if": None if f.visible_if is None else to_json(f.visible_if),
                "on_page": f.id in shown,
                # Read while a condition hides it for sure (evaluate.hidden_values).
                "hidden_value": None if f.hidden_value is None else str(f.hidden_value),
            }
            for f in spec.fields
        },
        "rules": [
            {
                "id": rule.id,
                "check": to_json(rule.check),
                "message": rule.message.get(language),
                "fields": list(rule_fields(rule)),
                "severity": rule.severity,
            }
            for rule in spec.rules
        ],
        # Totals and remainders (collector.schema.derived), beside their fields.
        "derived": [
            {
                "key": item.key,
                "field": item.field_id,
                "terms": [[name, to_json(tree)] for name, tree in item.terms],
            }
            for item in worked_out
        ],
        "decimal_mark": decimal_mark(language),
        "known": {name: json_value(values.get(name)) for name in sorted(wanted)},
    }
