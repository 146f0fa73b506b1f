"""The engine's inputs read from the database within the user's subtree: the expected
units, the counted answers as columns (typed by PostgreSQL, or read row by row a block
at a time) and the reference figures of the campaign's year."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd
from sqlalchemy import ARRAY, Integer, Select, any_, literal, select
from sqlalchemy.orm import Session

from collector.campaigns.imports import imported_rows
from collector.campaigns.services import is_survey
from collector.indicators.frame import (
    answers_frame,
    distribution_fields,
    figures_frame,
    join_imported,
    record_rows,
    referenced_paths,
)
from collector.models import Campaign, FormResponse, OrgUnit, ReferenceFigure, SurveyLink
from collector.models.units import subtrees_clause
from collector.reports.columns import read_columns
from collector.reports.refused import LISTED, Refused, find_refused
from collector.schema.spec import FormSpec

# Responses decoded at once where answers are read row by row (SQLite).
ROW_BLOCK = 5_000


def read_inputs(
    session: Session,
    campaign: Campaign,
    spec: FormSpec,
    statuses: tuple[str, ...],
    scopes: list[str],
) -> tuple[list[OrgUnit], pd.DataFrame, Refused, list[int] | None, pd.DataFrame | None]:
    """What the engine reads, from the database: the expected units, the counted answers
    (unit reports: those of these statuses) as columns (with the refused values and, for
    a registry, the units that answered) and the reference figures of the campaign's
    year."""
    survey = is_survey(campaign)
    if survey:
        expected_query = (
            select(OrgUnit)
            .join(SurveyLink, SurveyLink.unit_id == OrgUnit.id)
            .where(SurveyLink.campaign_id == campaign.id)
        )
        counted_query = select(FormResponse.unit_id, FormResponse.answers, FormResponse.id).where(
            FormResponse.campaign_id == campaign.id, FormResponse.unit_report_key.is_(None)
        )
    else:
        expected_query = (
            select(OrgUnit)
            .join(FormResponse, FormResponse.unit_id == OrgUnit.id)
            .where(
                FormResponse.campaign_id == campaign.id,
                FormResponse.unit_report_key.is_not(None),
            )
        )
        counted_query = select(FormResponse.unit_id, FormResponse.answers, FormResponse.id).where(
            FormResponse.campaign_id == campaign.id,
            FormResponse.unit_report_key.is_not(None),
            FormResponse.status.in_(statuses),
        )
    expected = (
        list(session.scalars(expected_query.where(subtrees_clause(scopes)))) if scopes else []
    )
    ids = [u.id for u in expected]
    counted_base = counted_query
    counted_query = (
        counted_query.join(OrgUnit, FormResponse.unit_id == OrgUnit.id)
        .where(subtrees_clause(scopes))
        .order_by(FormResponse.id)
    )
    # Typed columns read by the database where it can (PostgreSQL); else row by row. The
    # expected units' ids in hand stand for the subtrees there: a join on the units'
    # paths is planned as nested loops while the tables have no statistics yet (after a
    # bulk load or a restore), and a national campaign's read took minutes, not seconds.
    columns = (
        read_columns(
            session,
            spec,
            counted_base.where(FormResponse.unit_id == any_(literal(ids, ARRAY(Integer)))),
            referenced_paths(spec) | set(distribution_fields(spec)),
        )
        if scopes
        else None
    )
    figure_rows = (
        session.execute(
            select(
                ReferenceFigure.unit_id,
                ReferenceFigure.figure,
                ReferenceFigure.grade,
                ReferenceFigure.value,
            )
            .join(OrgUnit, ReferenceFigure.unit_id == OrgUnit.id)
            .where(subtrees_clause(scopes), ReferenceFigure.academic_year == campaign.academic_year)
        ).all()
        if scopes
        else []
    )
    expected_ids = set(ids)
    figure_rows = [row for row in figure_rows if row[0] in expected_ids]
    if columns is not None:
        answers, refused = columns
        answered_units = None
    else:
        answers, refused, answered_units = (
            _row_by_row(session, campaign, spec, counted_query)
            if scopes
            else (answers_frame(spec, []), Refused(0, ()), None)
        )
    figures = figures_frame((u, f, g, float(v)) for u, f, g, v in figure_rows)
    return expected, answers, refused, answered_units, figures


def _row_by_row(
    session: Session, campaign: Campaign, spec: FormSpec, counted_query: Select[Any]
) -> tuple[pd.DataFrame, Refused, list[int] | None]:
    """The answers frame, the refused values and (for a registry) the units that
    answered, read response by response in Python (where the database cannot give
    columns: SQLite), a block of ROW_BLOCK responses at a time, so that only one
    block's decoded answers are in memory at once."""
    frames: list[pd.DataFrame] = []
    refused = Refused(0, ())
    answered: set[int] | None = None
    found = session.execute(counted_query.execution_options(yield_per=ROW_BLOCK))
    for block in found.partitions():
        responses: list[tuple[int, Mapping[str, Any]]] = [
            (unit_id, answers if isinstance(answers, dict) else {})
            for unit_id, answers, _id in block
        ]
        more = find_refused(spec, ((rid, unit_id, answers) for unit_id, answers, rid in block))
        refused = Refused(refused.total + more.total, (refused.listed + more.listed)[:LISTED])
        if spec.imports:
            responses = join_imported(
                responses,
                imported_rows(session, campaign, (unit_id for unit_id, _a in responses)),
            )
        rows, units = record_rows(spec, responses)
        if units is not None:
            answered = (answered or set()) | set(units)
        frames.append(answers_frame(spec, rows))
    if spec.kind == "registry" and answered is None:
        answered = set()
    answers = (
        pd.concat(frames, ignore_index=True)
        if len(frames) > 1
        else frames[0]
        if frames
        else answers_frame(spec, [])
    )
    return answers, refused, None if answered is None else sorted(answered)
