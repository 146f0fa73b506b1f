"""The sheets of stored answers in a campaign's export: every answer of a survey, each
repeating table's rows, a registry's confirmed records and the warnings units confirmed.
Read in the tree's order (as on the pages), sorted by the database and streamed where a
survey may have a million answers."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from collector.exporters.contract import Column, Table
from collector.exporters.flatten import RowSheet, columns_for, row_for, row_sheets
from collector.labels import status_label
from collector.models import Campaign, FormResponse, OrgUnit
from collector.models.units import IN_TREE_ORDER, subtree_clause, subtrees_clause
from collector.schema.spec import FormSpec
from collector.schema.warnings import confirmed_warnings


def responses(
    session: Session, campaign: Campaign, root: OrgUnit, scopes: list[str], statuses: Any
) -> Any:
    ordered = responses_query(campaign, root, scopes, statuses)
    return session.execute(ordered.execution_options(yield_per=2000))


def responses_query(
    campaign: Campaign, root: OrgUnit, scopes: list[str], statuses: Any
) -> Select[FormResponse, OrgUnit]:
    """A campaign's responses under `root` with their units, in the tree's order (as on
    the pages), sorted by the database: streamed, as a survey may have a million answers."""
    query = (
        select(FormResponse, OrgUnit)
        .join(OrgUnit, FormResponse.unit_id == OrgUnit.id)
        .where(FormResponse.campaign_id == campaign.id, subtree_clause(root.path))
    )
    if statuses is not None:
        query = query.where(FormResponse.status.in_(statuses))
    if scopes:
        query = query.where(subtrees_clause(scopes))
    return query.order_by(*IN_TREE_ORDER, FormResponse.id)


def confirmed_records_table(
    spec: FormSpec, reports: Any, head: list[Column], language: str
) -> Table:
    """A registry campaign: every record as its unit confirmed it, one row each."""
    flat = columns_for(spec.fields, language)
    rows = [
        [
            unit.code,
            unit.name,
            status_label(response.status),
            found.get("_title"),
            *row_for(flat, found),
        ]
        for response, unit in reports
        for found in response.answers.get("records") or []
    ]
    return Table(
        name=_("Confirmed records"),
        title=spec.title.get(language),
        columns=[
            *head,
            Column(_("Status")),
            Column(_("Name"), width=40),
            *(c.column for c in flat),
        ],
        rows=rows,
        row_count=len(rows),
    )


def confirmed_warnings_table(
    spec: FormSpec, reports: Any, head: list[Column], language: str
) -> Table:
    """The warnings (soft rules) the units confirmed with a comment, one row each."""
    rows = [
        [
            unit.code,
            unit.name,
            spec.field(warning.field_id).label.get(language) if warning.field_id else "",
            warning.rule.message.get(language),
            warning.comment,
        ]
        for response, unit in reports
        for warning in confirmed_warnings(spec, response.answers, response.confirmations or {})
    ]
    return Table(
        name=_("Confirmed warnings"),
        title=_("Confirmed warnings"),
        columns=[
            *head,
            Column(_("Question"), width=40),
            Column(_("Warning"), width=50),
            Column(_("Comment"), width=50),
        ],
        rows=rows,
        row_count=len(rows),
    )


def row_sheets_of(spec: FormSpec, language: str) -> list[RowSheet]:
    """The rows sheets of a campaign's export, in order ("rows-0", "rows-1"… as CSV): one
    per repeating table (a registry's records are a sheet of their own)."""
    return [] if spec.kind == "registry" else row_sheets(spec.fields, language)


def row_table(
    sheet: RowSheet, head: list[Column], rows: Iterator[list[Any]], row_count: int | None = None
) -> Table:
    """A repeating table's rows, one per row, keyed by the unit, the response and the row's
    number (its count and sums stay on its section's sheet)."""
    return Table(
        name=sheet.title,
        title=_("%(field)s: every row", field=sheet.title),
        columns=[*head, Column(_("Response"), "integer"), *sheet.columns],
        rows=rows,
        row_count=row_count,
    )


def listed_rows(reports: Any, sheet: RowSheet) -> Iterator[list[Any]]:
    for response, unit in reports:
        for row in sheet.rows(response.answers):
            yield [unit.code, unit.name, response.id, *row]


def streamed_rows(
    session: Session, campaign: Campaign, root: OrgUnit, scopes: list[str], sheet: RowSheet
) -> Iterator[list[Any]]:
    """A survey's table rows, read only when they are written, a batch of answers at a
    time (a survey may have a million answers)."""
    query = responses_query(campaign, root, scopes, None).with_only_columns(
        OrgUnit.code, OrgUnit.name, FormResponse.id, FormResponse.answers
    )
    found = session.connection().execute(query.execution_options(yield_per=2000))
    for code, name, response_id, answers in found:
        for row in sheet.rows(answers):
            yield [code, name, response_id, *row]


def answer_rows(
    session: Session, campaign: Campaign, root: OrgUnit, scopes: list[str], flat: Any
) -> Iterator[list[Any]]:
    """One row per answer, read only when the rows are written (a CSV of another table
    never opens the cursor)."""
    # Columns, not objects: the ORM's bookkeeping for two objects per answer was most of
    # the time of a large survey's export.
    query = responses_query(campaign, root, scopes, None).with_only_columns(
        OrgUnit.code, OrgUnit.name, FormResponse.created_at, FormResponse.answers
    )
    rows = session.connection().execute(query.execution_options(yield_per=2000))
    for code, name, created_at, answers in rows:
        yield [code, name, created_at.date(), *row_for(flat, answers)]
