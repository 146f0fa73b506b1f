"""The analytical report of a territory as PDF, made by a job: a region's report (its
districts, 32 indicators, the recommendations sent and the measures) took 2.9 s to make
on the demo, nearly all of it laying out the pages, and grows with the units and the
texts; a request would hold a web worker that long. The job reads the campaign again as
the user who asked (who may no longer see it), in the language they asked in."""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from collector.analysis.printable import analytical_page, analytical_report
from collector.campaigns import services as campaigns
from collector.errors import ActionForbidden, NotInScope
from collector.extensions import db
from collector.jobs.registry import JobContext, JobFailed, JobResult
from collector.jobs.services import start_job
from collector.models import Campaign, Job, OrgUnit, User
from collector.printing.pdf import PdfUnavailable
from collector.printing.replies import pdf_content, unavailable_message
from collector.reports.services import Basis

PDF_JOB = "analytical_report_pdf"
LANGUAGES = ("ru", "en")


def start_pdf(
    session: Session, user: User, campaign: Campaign, root: OrgUnit, basis: Basis, language: str
) -> Job:
    """Start making the PDF of the report of `campaign` for `root` (the territory the
    user's analysis shows: collector.analysis.services.analysis_root); the same asked
    again while it runs is the same job."""
    language = language if language in LANGUAGES else LANGUAGES[0]
    return start_job(
        session,
        user,
        PDF_JOB,
        {
            "campaign_id": campaign.id,
            "unit_id": root.id,
            "basis": basis.value,
            "language": language,
            "user_id": user.id,
        },
        title=f"{_('Analytical report (PDF)')} — {campaign.title} — {root.name}",
        dedupe_key=f"analysis-pdf:{campaign.id}:{root.id}:{basis.value}:{language}:{user.id}",
        scope_unit=root,
    )


def analytical_report_pdf(context: JobContext, params: dict[str, Any]) -> JobResult:
    session = db.session()
    user = session.get(User, params["user_id"])
    if user is None:
        raise JobFailed(_("The campaign or the organisation no longer exists."))
    language = str(params.get("language") or LANGUAGES[0])
    context.progress(_("Computing the indicators"), 0, 2)
    try:
        campaign = campaigns.get_campaign(session, user, int(params["campaign_id"]))
        report = analytical_report(
            session, user, campaign, int(params["unit_id"]), Basis(params["basis"])
        )
    except (NotInScope, ActionForbidden) as refused:
        raise JobFailed(_("You may no longer read this campaign's analysis.")) from refused
    context.progress(_("Laying out the pages"), 1, 2)
    # The page is drawn as for a request (its links, its language), with none at hand.
    with current_app.test_request_context(), force_locale(language):
        try:
            content = pdf_content(analytical_page(report, language))
        except PdfUnavailable as missing:
            raise JobFailed(unavailable_message()) from missing
    path = context.folder / f"analysis-{campaign.id}-{report.analysis.root.id}.pdf"
    path.write_bytes(content)
    context.progress(_("Done"), 2, 2)
    return JobResult(path, path.name, "application/pdf")
