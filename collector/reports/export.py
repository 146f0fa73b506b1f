"""The consolidated export of a campaign for one unit's subtree: the contract filled from
the database and the engine; collector/exporters writes it as XLSX or CSV."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from collector.campaigns.services import is_survey, review_scopes
from collector.exporters.contract import (
    ChartSpec,
    Column,
    Table,
    TableChart,
    Workbook,
)
from collector.exporters.csvfiles import csv_bytes, indicators_table
from collector.exporters.flatten import columns_for, row_for
from collector.labels import status_label
from collector.models import Campaign, FormResponse, OrgUnit, User
from collector.models.units import subtree_clause, subtrees_clause
from collector.reports import questions
from collector.reports.answer_sheets import (
    answer_rows,
    confirmed_records_table,
    confirmed_warnings_table,
    listed_rows,
    responses,
    row_sheets_of,
    row_table,
    streamed_rows,
)
from collector.reports.indicator_rows import indicator_rows, level_names
from collector.reports.services import Basis, Report, campaign_report, child_level, level_of
from collector.schema.spec import FormSpec

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Native charts for the first indicators that have targets (a workbook of 40 charts
# helps no one).
MAX_CHARTS = 6
# A chart per survey question up to this many; bars per option for the whole and for
# the first groups (more than eight bars an option are not read).
MAX_QUESTION_CHARTS = 40
MAX_CHART_SERIES = 8


def sources_table(spec: FormSpec, language: str) -> Table | None:
    """Where each indicator comes from: the document's number and clause, its words,
    the formula computed, targets by year, and how a defect or silence of the document
    was read."""
    if not spec.indicators:
        return None
    columns = [
        Column(_("Number in the document"), width=12),
        Column(_("Indicator"), width=50),
        Column(_("Unit"), width=8),
        Column(_("Formula"), width=40),
        Column(_("Targets by year"), width=20),
        Column(_("Document"), width=40),
        Column(_("Clause"), width=30),
        Column(_("The document's words"), width=60),
        Column(_("How the document is read"), width=80),
    ]
    rows = []
    for indicator in spec.indicators:
        targets = "; ".join(
            f"{year}/{int(year) + 1}: {value:g}"
            for year, value in sorted(indicator.targets.items())
        )
        reading = [t.get(language) for t in (indicator.interpretation, indicator.note) if t]
        formula = indicator.formula_text or ""
        if indicator.not_calculated:
            formula = _("not calculated: %(why)s", why=indicator.not_calculated.get(language))
        if indicator.not_defined:
            formula = _(
                "not defined by the document: %(what)s", what=indicator.not_defined.get(language)
            )
        rows.append(
            [
                indicator.code or "",
                indicator.title.get(language),
                indicator.unit or "",
                formula,
                targets,
                indicator.source.document or spec.source.document or "",
                indicator.source.clause or "",
                indicator.source.quote or "",
                "\n\n".join(reading),
            ]
        )
    return Table(
        name=_("Sources"),
        title=_("Sources of the indicators: %(form)s", form=spec.title.get(language)),
        columns=columns,
        rows=rows,
        row_count=len(rows),
    )


def indicator_labels() -> dict[str, str]:
    return {
        "code": _("Code"),
        "title": _("Indicator"),
        "unit": _("Unit"),
        "level": _("Level"),
        "group": _("Organisation"),
        "value": _("Value"),
        "status": _("Note"),
        "answered": _("Answered"),
        "expected": _("Expected"),
        "coverage": _("Coverage (%)"),
        "target": _("Target"),
        "met": _("Target met"),
        "source": _("Source"),
    }


def build_workbook(
    session: Session, user: User, campaign: Campaign, root: OrgUnit, basis: Basis
) -> Workbook:
    language = str(get_locale())
    report = campaign_report(session, user, campaign, basis)
    spec = report.spec
    scopes = review_scopes(user, campaign)
    zone = ZoneInfo(campaign.timezone)
    survey = is_survey(campaign)
    exported = datetime.now(zone)
    description: list[tuple[str, Any]] = [
        (_("Campaign"), campaign.title),
        (_("Form"), f"{spec.title.get(language)} ({spec.id}, v{spec.version})"),
        (_("Source document"), spec.source.document or ""),
        (_("Academic year"), f"{campaign.academic_year}/{campaign.academic_year + 1}"),
        (_("Data as of"), campaign.as_of),
        (_("Organisation"), root.name),
        (
            _("Which reports count"),
            _("every answer received")
            if survey
            else (_("accepted") if basis == Basis.ACCEPTED else _("all submitted")),
        ),
        (_("Exported"), exported.replace(tzinfo=None)),
        (_("Time zone"), campaign.timezone),
    ]
    # Built here and handed over: the contract's Workbook keeps any sequence.
    sections: list[Table] = []
    book = Workbook(
        title=campaign.title,
        description=description,
        indicators=indicator_rows(report, root, language),
        indicator_labels=indicator_labels(),
        sources=sources_table(spec, language),
        sections=sections,
    )
    # The main indicators: those with targets, else the shares.
    charted = [i for i in spec.computed_indicators if i.targets] or [
        i for i in spec.computed_indicators if i.unit == "%"
    ]
    charted = charted[:MAX_CHARTS]
    level = child_level(root) if level_of(root) != "school" else "school"
    book.charts = [
        ChartSpec(i.title.get(language), i.id, level_names()[level], i.unit) for i in charted
    ]
    head = [Column(_("Code")), Column(_("Organisation"), width=40)]
    if survey:
        sections.append(_distribution_table(report, root, language))
        flat = columns_for(spec.fields, language)
        book.responses = Table(
            name=_("Answers"),
            title=spec.title.get(language),
            columns=[*head, Column(_("Date"), "date"), *(c.column for c in flat)],
            rows=answer_rows(session, campaign, root, scopes, flat),
            row_count=_count(session, campaign, root, scopes),
        )
        book.row_tables = [
            row_table(sheet, head, streamed_rows(session, campaign, root, scopes, sheet))
            for sheet in row_sheets_of(spec, language)
        ]
        return book
    counted = ("submitted", "resubmitted", "accepted")
    reports = list(responses(session, campaign, root, scopes, counted))
    if spec.kind == "registry":
        sections.append(confirmed_records_table(spec, reports, head, language))
    for section in [] if spec.kind == "registry" else spec.sections:
        flat = columns_for(section.fields, language)
        rows = [
            [unit.code, unit.name, status_label(response.status), *row_for(flat, response.answers)]
            for response, unit in reports
        ]
        sections.append(
            Table(
                name=section.title.get(language),
                title=section.title.get(language),
                columns=[*head, Column(_("Status")), *(c.column for c in flat)],
                rows=rows,
                row_count=len(rows),
            )
        )
    if any(rule.warning for rule in spec.rules):
        sections.append(confirmed_warnings_table(spec, reports, head, language))
    row_tables: list[Table] = []
    for sheet in row_sheets_of(spec, language):
        count = sum(len(sheet.rows(response.answers)) for response, _unit in reports)
        row_tables.append(row_table(sheet, head, listed_rows(reports, sheet), count))
    book.row_tables = row_tables
    completeness = list(_completeness_rows(session, campaign, root, scopes, zone))
    book.completeness = Table(
        name=_("Completeness"),
        title=_("Who has submitted"),
        columns=[
            *head,
            Column(_("Status")),
            Column(_("Submitted (%(zone)s)", zone=campaign.timezone), "datetime"),
            Column(_("late"), "bool"),
        ],
        rows=completeness,
        row_count=len(completeness),
    )
    return book


def _distribution_table(report: Report, root: OrgUnit, language: str) -> Table:
    """Each choice question's answers per option at `root` (count and share of those who
    answered it), then the share in each respondent group (or unit below, when the form
    names no groups); a native chart per question. A cell with fewer respondents than
    the smallest group is left empty, and so is the whole sheet for such a unit."""
    choices = questions.breakdowns(report, root)
    by = choices[0] if choices else None
    tables: list[questions.QuestionTable] = []
    labels: dict[Any, str] = {}
    participation = report.participation(root.id)
    if participation is not None and participation.responses >= report.spec.min_group_size:
        tables, labels = questions.kept_question_tables(report, root, by, language)
    keys = list(labels)
    rows: list[list[Any]] = []
    charts: list[TableChart] = []
    for question in tables:
        first = len(rows)
        shares = {counts.key: counts for _label, counts in question.rows}
        for value, label in question.options:
            total = question.total
            rows.append(
                [
                    question.field.label.get(language),
                    label,
                    total.counts.get(value, 0),
                    total.share(value),
                    *(shares[k].share(value) if k in shares else None for k in keys),
                ]
            )
        if len(charts) < MAX_QUESTION_CHARTS and len(rows) > first:
            shown = [n for n, k in enumerate(keys) if k in shares and not shares[k].hidden]
            charts.append(
                TableChart(
                    question.field.label.get(language),
                    first,
                    len(rows) - 1,
                    label_column=1,
                    value_columns=[3, *(4 + n for n in shown[: MAX_CHART_SERIES - 1])],
                    unit="%",
                )
            )
    return Table(
        name=_("Distribution"),
        title=_(
            "Answers by option: %(unit)s (cells of fewer than %(n)d answers are left empty)",
            unit=root.name,
            n=report.spec.min_group_size,
        ),
        columns=[
            Column(_("Question"), width=50),
            Column(_("Option"), width=40),
            Column(_("Answers"), "integer"),
            Column(_("Share (%)"), "percent"),
            *(Column(_("%(row)s: share (%%)", row=labels[k]), "percent") for k in keys),
        ],
        rows=rows,
        row_count=len(rows),
        charts=charts,
    )


def _count(session: Session, campaign: Campaign, root: OrgUnit, scopes: list[str]) -> int:
    query = (
        select(func.count())
        .select_from(FormResponse)
        .join(OrgUnit, FormResponse.unit_id == OrgUnit.id)
        .where(FormResponse.campaign_id == campaign.id, subtree_clause(root.path))
    )
    if scopes:
        query = query.where(subtrees_clause(scopes))
    return int(session.scalar(query) or 0)


def total_rows(book: Workbook) -> int:
    """Rows the writer will write, for the progress bar."""
    tables = [*book.sections, *book.row_tables, book.completeness, book.responses]
    return len(book.indicators) + sum(t.row_count or 0 for t in tables if t is not None)


def _completeness_rows(
    session: Session, campaign: Campaign, root: OrgUnit, scopes: list[str], zone: ZoneInfo
) -> Iterator[list[Any]]:
    for response, unit in responses(session, campaign, root, scopes, None):
        if response.unit_report_key is None:
            continue
        submitted = (
            response.submitted_at.astimezone(zone).replace(tzinfo=None)
            if (response.submitted_at)
            else None
        )
        yield [unit.code, unit.name, status_label(response.status), submitted, response.late]


CSV_TABLES = ("indicators", "completeness", "answers")


def csv_from_book(book: Workbook, name: str) -> bytes | None:
    if name == "indicators":
        return csv_bytes(indicators_table(book))
    if name == "completeness" and book.completeness is not None:
        return csv_bytes(book.completeness)
    if name == "answers" and book.responses is not None:
        return csv_bytes(book.responses)
    if name.startswith("rows-"):
        index = name.removeprefix("rows-")
        if index.isascii() and index.isdigit() and int(index) < len(book.row_tables):
            return csv_bytes(book.row_tables[int(index)])
    if name.startswith("section-"):
        index = name.removeprefix("section-")
        # ASCII digits only: "²" is a digit to str.isdigit but not to int().
        if index.isascii() and index.isdigit() and int(index) < len(book.sections):
            return csv_bytes(book.sections[int(index)])
    return None
