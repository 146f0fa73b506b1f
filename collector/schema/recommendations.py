"""The checks of a form's recommendations that the meta-schema cannot say: each names
indicators the form declares and computes (a miss of one of them proposes it)."""

from __future__ import annotations

from typing import Any

from collector.schema.errors import Issue, json_path


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
