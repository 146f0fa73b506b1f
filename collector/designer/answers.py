"""Every answer to every version of a unit report in one sheet, lined up by field id, and
every row of each repeating table on a sheet of its own: the export a coordinator reads
across a change of the form."""

from __future__ import annotations

import io
from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from collector.auth.permissions import Action
from collector.auth.services import scope_clause
from collector.exporters.flatten import RowSheet, field_columns, row_sheets
from collector.exporters.lineup import lined_up_fields
from collector.exporters.tables import Cell, Sheet, tables_xlsx
from collector.labels import status_label
from collector.models import Campaign, FormResponse, FormVersion, OrgUnit, User
from collector.models.responses import ResponseState
from collector.models.units import IN_TREE_ORDER
from collector.schema import compile_document
from collector.schema.spec import FormSpec


def _specs(session: Session, form_id: str) -> list[FormSpec]:
    documents = session.scalars(select(FormVersion.document).where(FormVersion.form_id == form_id))
    return [compile_document(document).spec for document in documents]


def lined_up_workbook(
    session: Session, user: User, form_id: str, language: str
) -> io.BytesIO | None:
    """The workbook, or None when the form is not a published unit report (a survey's
    single answers are not listed: its reports keep small groups apart)."""
    specs = _specs(session, form_id)
    if not specs or specs[0].kind != "unit_report":
        return None
    newest = max(specs, key=lambda spec: spec.version)
    fields = lined_up_fields(specs)
    columns = [c for f in fields for c in field_columns(f, language)]
    headers = ["Организация", "Кампания", "Версия формы", "Статус"]
    headers += [c.column.title for c in columns]
    query = (
        select(FormResponse, OrgUnit.name, Campaign.title, FormVersion.version)
        .join(OrgUnit, OrgUnit.id == FormResponse.unit_id)
        .join(FormVersion, FormVersion.id == FormResponse.form_version_id)
        .outerjoin(Campaign, Campaign.id == FormResponse.campaign_id)
        .where(FormResponse.form_id == form_id)
        .where(FormResponse.status != ResponseState.NOT_STARTED.value)
        .where(scope_clause(user, Action.EXPORT))
        .order_by(FormVersion.version, *IN_TREE_ORDER, FormResponse.id)
    )

    def rows() -> Iterator[Sequence[Cell]]:
        for response, unit, campaign, version in session.execute(
            query.execution_options(yield_per=500)
        ):
            answers = response.answers if isinstance(response.answers, dict) else {}
            row: list[Cell] = [unit, campaign or "—", version, status_label(response.status)]
            yield row + [c.read(answers) for c in columns]

    def table_rows(sheet: RowSheet) -> Iterator[Sequence[Cell]]:
        # Read again for each sheet, a batch at a time: no list of every answer.
        for response, unit, campaign, version in session.execute(
            query.execution_options(yield_per=500)
        ):
            head: list[Any] = [unit, campaign or "—", version, response.id]
            for found in sheet.rows(response.answers):
                yield head + found

    title = newest.title.get(language)
    sheets = [
        Sheet(title, headers, rows(), f"{title} ({form_id}): ответы всех версий формы по id полей")
    ]
    sheets += [
        Sheet(
            sheet.title,
            ["Организация", "Кампания", "Версия формы", "Ответ"] + [c.title for c in sheet.columns],
            table_rows(sheet),
            f"{sheet.title}: все строки таблицы ({form_id}, все версии формы)",
        )
        for sheet in row_sheets(fields, language)
    ]
    return io.BytesIO(tables_xlsx(sheets))
