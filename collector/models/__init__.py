"""All models, importable from one place (Alembic sees them all through this module)."""

from collector.models.audit import AuditEvent
from collector.models.base import Base
from collector.models.campaigns import (
    Campaign,
    CampaignDeadline,
    DeadlineExtension,
    ReminderSent,
    SurveyBallot,
    SurveyLink,
)
from collector.models.cycle import (
    Measure,
    MeasureState,
    Recommendation,
    RecommendationMail,
    RecommendationState,
)
from collector.models.drafts import FormDraft
from collector.models.figures import ReferenceFigure
from collector.models.files import StoredFile
from collector.models.forms import FormVersion
from collector.models.imports import ImportBatch, ImportedRow
from collector.models.jobs import Job, JobState
from collector.models.notices import ReviewNotice
from collector.models.registries import RegistryRecord, RegistryRevision
from collector.models.responses import CampaignDataVersion, FormResponse, ResponseState
from collector.models.sessions import UserSession
from collector.models.tokens import ApiToken, IdempotentRequest, TokenScope
from collector.models.units import OrgUnit, UnitType
from collector.models.users import Role, RoleAssignment, User
from collector.models.webhooks import Webhook, WebhookDelivery

__all__ = [
    "ApiToken",
    "IdempotentRequest",
    "AuditEvent",
    "Base",
    "Campaign",
    "CampaignDataVersion",
    "CampaignDeadline",
    "DeadlineExtension",
    "FormDraft",
    "FormResponse",
    "FormVersion",
    "ImportBatch",
    "ImportedRow",
    "Job",
    "JobState",
    "Measure",
    "MeasureState",
    "OrgUnit",
    "Recommendation",
    "RecommendationMail",
    "RecommendationState",
    "ReferenceFigure",
    "RegistryRecord",
    "RegistryRevision",
    "ReminderSent",
    "ResponseState",
    "ReviewNotice",
    "Role",
    "RoleAssignment",
    "StoredFile",
    "SurveyBallot",
    "SurveyLink",
    "TokenScope",
    "UnitType",
    "User",
    "Webhook",
    "WebhookDelivery",
    "UserSession",
]
