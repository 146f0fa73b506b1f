"""axe-core (tests/browser/vendor, never served by the app) run over the page under test:
the WCAG 2.1 A and AA rules. Serious and critical violations fail the test; the others are
printed for a person to judge."""

from __future__ import annotations

from pathlib import Path
from typing import Any

AXE = Path(__file__).resolve().parent / "vendor" / "axe-core-4.14.1" / "axe.min.js"
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING = {"serious", "critical"}


def violations(page: Any) -> list[dict[str, Any]]:
    """axe's violations on the page as it is now (injected once per document)."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    found: list[dict[str, Any]] = page.evaluate(
        """tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})
            .then(result => result.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map(n => n.target.join(' ') + ' — ' + n.failureSummary)
            })))""",
        WCAG_21_AA,
    )
    return found


def describe(found: list[dict[str, Any]]) -> str:
    return "\n".join(
        f"[{v['impact']}] {v['id']}: {v['help']}\n    " + "\n    ".join(v["nodes"][:5])
        for v in found
    )


def assert_accessible(page: Any, what: str) -> None:
    """No serious or critical violation; the lesser ones printed (pytest -s shows them)."""
    found = violations(page)
    blocking = [v for v in found if v["impact"] in BLOCKING]
    lesser = [v for v in found if v["impact"] not in BLOCKING]
    if lesser:
        print(f"\naxe on {what}, not blocking:\n{describe(lesser)}")
    assert blocking == [], f"axe on {what}:\n{describe(blocking)}"
