"""Problem details (RFC 9457): the one shape of every API error."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

PROBLEM_TYPE = "about:blank"


@dataclass(frozen=True)
class FieldError:
    # Where the refused value is: "query.unit", "body.answers.pupils_5".
    path: str
    message: str


@dataclass
class ApiProblem(Exception):
    """An API error to be answered as problem details."""

    status: int
    title: str
    detail: str = ""
    errors: Sequence[FieldError] = ()
    headers: dict[str, str] = field(default_factory=dict)

    def body(self) -> dict[str, Any]:
        found: dict[str, Any] = {"type": PROBLEM_TYPE, "title": self.title, "status": self.status}
        if self.detail:
            found["detail"] = self.detail
        if self.errors:
            found["errors"] = [{"path": e.path, "message": e.message} for e in self.errors]
        return found
