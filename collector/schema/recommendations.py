"""The checks of a form's recommendations that the meta-schema cannot say: each names
indicators the form declares and computes (a miss of one of them proposes it); the dates
set for them are days of every year, sent no earlier than prepared."""

from __future__ import annotations

from datetime import date
from typing import Any

from collector.schema.errors import Issue, json_path


def check_deadlines(document: dict[str, Any]) -> list[Issue]:
    """Each date a day of every year (no 29 February), "sent" not before "prepared"."""
    found: dict[str, date] = {}
    issues = []
    for step, declared in document.get("recommendation_deadlines", {}).items():
        path = json_path(("recommendation_deadlines", step, "date"))
        try:
            found[step] = date(2023, int(declared["date"][:2]), int(declared["date"][3:]))
        except ValueError:
            issues.append(
                Issue(path, "no_such_day", f"{declared['date']!r} is not a day of every year")
            )
    if "prepared" in found and "sent" in found and found["sent"] < found["prepared"]:
        path = json_path(("recommendation_deadlines", "sent", "date"))
        issues.append(Issue(path, "sent_before_prepared", "sent before they are prepared"))
    return issues


def check_recommendations(document: dict[str, Any]) -> list[Issue]:
    indicators = {i["id"]: i for i in document.get("indicators", [])}
    issues = []
    for n, recommendation in enumerate(document.get("recommendations", [])):
        for k, name in enumerate(recommendation["indicators"]):
            path = json_path(("recommendations", n, "indicators", k))
            indicator = indicators.get(name)
            if indicator is None:
                issues.append(Issue(path, "unknown_indicator", f"no indicator {name!r}"))
            elif indicator.get("not_calculated") or indicator.get("not_defined"):
                issues.append(Issue(path, "indicator_not_computed", f"{name!r} is never computed"))
    return issues
