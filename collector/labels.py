"""Human names of roles and unit types, in the interface language."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask_babel import get_locale, gettext, ngettext
from flask_babel import lazy_gettext as _l

from collector.unit_catalog import FIGURE_KINDS


def _label(labels: dict[str, Any], key: str) -> str:
    """The label of `key` in the interface language; an unknown key as it is."""
    return str(labels.get(key, key))


ROLE_LABELS: dict[str, Any] = {
    "admin": _l("Administrator"),
    "regional_coordinator": _l("Coordinator (region or city department)"),
    "municipal_coordinator": _l("Municipal coordinator"),
    "school_respondent": _l("School respondent"),
}

UNIT_TYPE_LABELS: dict[str, Any] = {
    "region": _l("Region"),
    "municipality": _l("Municipality"),
    "school": _l("School"),
    "kindergarten": _l("Kindergarten"),
    "supplementary": _l("Supplementary education organisation"),
    "college": _l("College (ПОО)"),
    "university": _l("University (ОО ВО)"),
    "other": _l("Other organisation"),
}


def role_label(role: str) -> str:
    return _label(ROLE_LABELS, role)


def unit_type_label(unit_type: str) -> str:
    return _label(UNIT_TYPE_LABELS, unit_type)


STATUS_LABELS: dict[str, Any] = {
    "not_started": _l("not started"),
    "draft": _l("draft"),
    "submitted": _l("submitted"),
    "returned": _l("returned"),
    "resubmitted": _l("resubmitted"),
    "accepted": _l("accepted"),
}

STATUS_BADGES = {
    "not_started": "text-bg-light",
    "draft": "text-bg-secondary",
    "submitted": "text-bg-primary",
    "returned": "text-bg-warning",
    "resubmitted": "text-bg-info",
    "accepted": "text-bg-success",
}

CAMPAIGN_STATE_LABELS: dict[str, Any] = {
    "draft": _l("in preparation"),
    "open": _l("open"),
    "closed": _l("closed"),
    "archived": _l("archived"),
}

LATE_POLICY_LABELS: dict[str, Any] = {
    "refuse": _l("refuse late reports"),
    "flag": _l("accept late reports and mark them late"),
}


def status_label(status: str) -> str:
    return _label(STATUS_LABELS, status)


def status_badge(status: str) -> str:
    return STATUS_BADGES.get(status, "text-bg-light")


def campaign_state_label(state: str) -> str:
    return _label(CAMPAIGN_STATE_LABELS, state)


AUDIT_LABELS: dict[str, Any] = {
    "response.save": _l("Answers saved"),
    "response.submit": _l("Submitted"),
    "response.return": _l("Returned for corrections"),
    "response.accept": _l("Accepted"),
    "response.reopen": _l("Reopened"),
    "response.extend": _l("Deadline extended"),
    "response.void": _l("An out-of-range value voided"),
    "registry.confirm": _l("Registry records confirmed"),
}


def audit_label(action: str) -> str:
    return _label(AUDIT_LABELS, action)


JOB_STATE_LABELS: dict[str, Any] = {
    "queued": _l("waiting"),
    "running": _l("working"),
    "done": _l("done"),
    "failed": _l("failed"),
}


def job_state_label(state: str) -> str:
    return _label(JOB_STATE_LABELS, state)


def figure_label(key: str) -> str:
    """A reference figure by its name in the interface language (a key the catalogue
    does not know as it is)."""
    kind = FIGURE_KINDS.get(key)
    return key if kind is None else kind.label(str(get_locale() or "ru"))


def coverage_notes(excluded: int, figures_missing: int, missing: Sequence[str] = ()) -> list[str]:
    """What an indicator's value leaves out beside its coverage: units its not-applicable
    rule left out, units that answered without the reference figures it reads, and the
    figures of a summed denominator some units lack (the value is over the others)."""
    notes = []
    if excluded:
        notes.append(
            ngettext(
                "%(num)d organisation not applicable",
                "%(num)d organisations not applicable",
                excluded,
            )
        )
    if figures_missing:
        notes.append(
            ngettext(
                "figures missing for %(num)d organisation: not counted",
                "figures missing for %(num)d organisations: not counted",
                figures_missing,
            )
        )
    if missing:
        notes.append(
            gettext(
                "over the figures recorded; not recorded: %(figures)s",
                figures=", ".join(figure_label(key) for key in missing),
            )
        )
    return notes
