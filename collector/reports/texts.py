"""The free-text answers of a survey, read and searched on its report page."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from collector.models import FormResponse, OrgUnit
from collector.models.units import subtree_clause, subtrees_clause
from collector.reports.services import Report
from collector.schema.kinds import kind_of
from collector.schema.spec import FieldSpec, FormSpec


def text_fields(spec: FormSpec) -> list[FieldSpec]:
    """The form's free-text questions (read and searched on the report page)."""
    return [f for f in spec.fields if kind_of(f.type).free_text]


@dataclass(frozen=True)
class TextAnswer:
    field_label: str
    text: str
    unit: str


def text_answers(
    session: Session,
    report: Report,
    root: OrgUnit,
    language: str,
    search: str = "",
    limit: int = 100,
) -> list[TextAnswer]:
    """Free-text answers of a survey under `root`, newest first, those containing
    `search` when given (coordinators read them; a unit with fewer respondents than the
    smallest group shows none)."""
    fields = text_fields(report.spec)
    if not fields or not report.scopes:
        return []
    needle = search.casefold().strip()
    rows = session.execute(
        select(FormResponse.answers, OrgUnit.name)
        .join(OrgUnit, FormResponse.unit_id == OrgUnit.id)
        .where(
            FormResponse.campaign_id == report.campaign.id,
            subtree_clause(root.path),
            subtrees_clause(report.scopes),
        )
        .order_by(FormResponse.id.desc())
        .execution_options(yield_per=1000)
    )
    found: list[TextAnswer] = []
    for answers, unit_name in rows:
        for field in fields:
            text = (answers or {}).get(field.id)
            if isinstance(text, str) and text.strip() and needle in text.casefold():
                found.append(TextAnswer(field.label.get(language), text.strip(), unit_name))
        if len(found) >= limit:
            break
    return found[:limit]
