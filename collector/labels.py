"""Human names of roles and unit types, in the interface language."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

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
    return str(ROLE_LABELS.get(role, role))


def unit_type_label(unit_type: str) -> str:
    return str(UNIT_TYPE_LABELS.get(unit_type, unit_type))
