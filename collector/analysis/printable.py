"""The analytical report («аналитическая справка») of a campaign for a territory, as the
values a print-ready page shows — the indicators against targets, the units that miss, the
recommendations sent, the measures and their effect — and as that page (the same for the
browser and for the PDF: collector.analysis.pdf_job)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import render_template
from sqlalchemy.orm import Session

from collector.analysis import measures, recommendations
from collector.analysis.services import Analysis, campaign_analysis
from collector.models import Campaign, Recommendation, RecommendationState, User
from collector.models.base import utcnow
from collector.reports.services import Basis


@dataclass(frozen=True)
class AnalyticalReport:
    analysis: Analysis
    document: str  # the source document the form implements
    clause: str | None
    made_at: datetime  # UTC; printed as the day it is in the campaign's time zone
    sent: list[Recommendation]
    measures: list[measures.MeasureEffect]


def analytical_report(
    session: Session,
    user: User,
    campaign: Campaign,
    unit_id: int | None = None,
    basis: Basis = Basis.ACCEPTED,
) -> AnalyticalReport:
    analysis = campaign_analysis(session, user, campaign, unit_id, basis)
    spec = analysis.spec
    sent = [
        r
        for r in recommendations.of_territory(session, user, campaign, analysis.root)
        if r.status != RecommendationState.DRAFT
    ]
    kept = measures.register(session, user, campaign, analysis.root)
    return AnalyticalReport(
        analysis,
        spec.source.document or spec.title.ru,
        spec.source.clause,
        utcnow(),
        sent,
        measures.effects(session, user, campaign, kept, basis),
    )


def analytical_page(report: AnalyticalReport, language: str) -> str:
    """The print-ready page of the report."""
    return render_template(
        "analysis/print.html",
        report=report,
        language=language,
        titles={i.id: i.title.get(language) for i in report.analysis.spec.indicators},
    )
