"""Soft rules: a rule of severity "warning" marks a value that is unusual but may be true.
The respondent confirms it with a comment; a confirmation holds for the values the rule
read when it was given, and lapses when one of them changes. Pure: no Flask, no database.

A response's confirmations are stored apart from its answers
(`FormResponse.confirmations`), by rule id: {"comment": str, "by": user id, "at": ISO
time, "values": {field id: answer}}.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from collector.schema.evaluate import failed_rules
from collector.schema.expressions import references
from collector.schema.spec import FormSpec, RuleSpec

Confirmations = Mapping[str, Any]
# A confirmation's comment is a sentence or two; longer text is cut.
MAX_COMMENT = 2000


@dataclass(frozen=True)
class SoftWarning:
    """A warning rule that fails for the answers, beside its first field."""

    rule: RuleSpec
    field_id: str
    # The comment given (kept even when it lapsed, to be confirmed again), else "".
    comment: str
    confirmed: bool


def rule_values(rule: RuleSpec, answers: Mapping[str, Any]) -> dict[str, Any]:
    """The answers a rule reads (by field id), which its confirmation holds for."""
    heads = sorted({ref.path[0] for ref in references(rule.check)})
    return {head: answers.get(head) for head in heads}


def is_confirmed(rule: RuleSpec, answers: Mapping[str, Any], confirmations: Confirmations) -> bool:
    given = confirmations.get(rule.id)
    return (
        isinstance(given, Mapping)
        and bool(str(given.get("comment") or "").strip())
        and given.get("values") == rule_values(rule, answers)
    )


def failed_warnings(
    spec: FormSpec, answers: Mapping[str, Any], confirmations: Confirmations
) -> list[SoftWarning]:
    """The warning rules that fail for `answers` (the answers that are sent), each with
    its confirmation if one was given."""
    found: list[SoftWarning] = []
    if not any(rule.warning for rule in spec.rules):
        return found  # most forms have none: their rules are not evaluated twice
    for failure in failed_rules(spec, dict(answers)):
        if not failure.rule.warning:
            continue
        given = confirmations.get(failure.rule.id)
        comment = str(given.get("comment") or "") if isinstance(given, Mapping) else ""
        head = failure.fields[0].split(".")[0] if failure.fields else ""
        found.append(
            SoftWarning(
                failure.rule, head, comment, is_confirmed(failure.rule, answers, confirmations)
            )
        )
    return found


def confirmed_warnings(
    spec: FormSpec, answers: Mapping[str, Any], confirmations: Confirmations
) -> list[SoftWarning]:
    """What a reviewer and the workbook see: the failing warnings confirmed with a comment."""
    return [w for w in failed_warnings(spec, answers, confirmations) if w.confirmed]


def confirm(
    confirmations: Confirmations,
    spec: FormSpec,
    answers: Mapping[str, Any],
    posted: Mapping[str, str | None],
    *,
    by: int,
    at: str,
) -> dict[str, Any]:
    """The confirmations after a page posted its boxes: `posted` maps a warning rule's id
    to the comment when its box was ticked, None when not. A ticked box without a comment
    confirms nothing; a confirmation unchanged (same comment, same values) keeps its author
    and time. The rules not posted keep theirs."""
    rules = {rule.id: rule for rule in spec.rules if rule.warning}
    updated = dict(confirmations)
    for rule_id, comment in posted.items():
        rule = rules.get(rule_id)
        if rule is None:
            continue
        text = (comment or "").strip()[:MAX_COMMENT]
        if not text:
            updated.pop(rule_id, None)
            continue
        values = rule_values(rule, answers)
        before = confirmations.get(rule_id)
        if (
            isinstance(before, Mapping)
            and before.get("comment") == text
            and before.get("values") == values
        ):
            continue
        updated[rule_id] = {"comment": text, "by": by, "at": at, "values": values}
    return updated
