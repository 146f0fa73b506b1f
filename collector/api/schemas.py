"""The API's marshmallow schemas: what a request may send (checked where it enters, refused
with the field's path) and what an answer holds. flask-smorest makes the OpenAPI 3.1
description from them and the routes that use them (collector.api.views), so the
description is the code's. A schema named FooSchema is described as "Foo"."""

from __future__ import annotations

from datetime import UTC
from typing import Any

import marshmallow as ma
from flask_babel import lazy_gettext as _l
from marshmallow import fields, validate

from collector.models import ResponseState
from collector.reports.services import Basis

RESPONSE_STATES = [s.value for s in ResponseState]

# Error messages of the checks, in the user's language (the same words as the pages).
WHOLE_NUMBER: dict[str, Any] = {
    "invalid": _l("A positive whole number is expected."),
    "too_large": _l("A positive whole number is expected."),
}
POSITIVE = validate.Range(min=1, max=2**31 - 1, error=_l("A positive whole number is expected."))


def _id(**options: Any) -> fields.Integer:
    return fields.Integer(strict=False, validate=POSITIVE, error_messages=WHOLE_NUMBER, **options)


def _one_of(choices: list[str], **options: Any) -> fields.String:
    return fields.String(
        validate=validate.OneOf(choices, error=_l("One of: {choices}.")), **options
    )


# --- problems -----------------------------------------------------------------------------


class FieldErrorSchema(ma.Schema):
    path = fields.String(
        required=True,
        metadata={"description": 'Where the refused value is: "query.unit", "body.answers.x"'},
    )
    message = fields.String(required=True)


class ProblemSchema(ma.Schema):
    """RFC 9457 problem details: every error of the API."""

    type = fields.String(required=True)
    title = fields.String(required=True)
    status = fields.Integer(required=True)
    detail = fields.String()
    errors = fields.List(fields.Nested(FieldErrorSchema))


# --- answers ------------------------------------------------------------------------------


class UnitSchema(ma.Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    code = fields.String(required=True)
    unit_type = fields.String(required=True)


class GrantSchema(ma.Schema):
    role = fields.String(required=True)
    unit = fields.Nested(UnitSchema, required=True, allow_none=True)


class TokenInfoSchema(ma.Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    prefix = fields.String(required=True)
    scope = fields.String(required=True, validate=validate.OneOf(["read", "write"]))
    expires_at = fields.DateTime(required=True)


class MeSchema(ma.Schema):
    id = fields.Integer(required=True)
    username = fields.String(required=True)
    full_name = fields.String(required=True)
    roles = fields.List(fields.Nested(GrantSchema), required=True)
    token = fields.Nested(TokenInfoSchema, required=True)


class CampaignSummarySchema(ma.Schema):
    id = fields.Integer(required=True)
    title = fields.String(required=True)
    state = fields.String(required=True)
    academic_year = fields.Integer(required=True)
    form_id = fields.String(required=True)
    form_version = fields.Integer(required=True)
    owner = fields.Nested(UnitSchema, required=True)
    opened_at = fields.DateTime(required=True, allow_none=True)


class CampaignListSchema(ma.Schema):
    campaigns = fields.List(fields.Nested(CampaignSummarySchema), required=True)


class TallySchema(ma.Schema):
    unit = fields.Nested(UnitSchema, required=True)
    total = fields.Integer(required=True)
    submitted = fields.Integer(required=True)
    late = fields.Integer(required=True)
    by_status = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)


class CompletenessSchema(ma.Schema):
    root = fields.Nested(UnitSchema, required=True)
    overall = fields.Nested(TallySchema, required=True)
    rows = fields.List(fields.Nested(TallySchema), required=True)


class CampaignSchema(CampaignSummarySchema):
    deadlines = fields.Dict(keys=fields.String(), values=fields.DateTime(), required=True)
    completeness = fields.Nested(
        CompletenessSchema,
        required=True,
        allow_none=True,
        metadata={
            "description": "Reports by status under each unit of the first level the "
            "token's user reviews (null: the user answers, not reviews)"
        },
    )


class IndicatorValueSchema(ma.Schema):
    indicator = fields.String(required=True)
    code = fields.String(required=True, allow_none=True)
    title = fields.String(required=True)
    unit_of_measure = fields.String(required=True, allow_none=True)
    level = fields.String(required=True)
    value = fields.Float(required=True, allow_none=True)
    shown = fields.Float(required=True, allow_none=True)
    status = fields.String(
        required=True, validate=validate.OneOf(["ok", "no_data", "not_applicable", "small_group"])
    )
    answered = fields.Integer(required=True)
    expected = fields.Integer(required=True)
    coverage = fields.Float(required=True, allow_none=True)
    target = fields.Float(required=True, allow_none=True)
    met = fields.Boolean(required=True, allow_none=True)


class IndicatorsSchema(ma.Schema):
    campaign = fields.Integer(required=True)
    unit = fields.Nested(UnitSchema, required=True)
    basis = fields.String(required=True, validate=validate.OneOf([b.value for b in Basis]))
    values = fields.List(fields.Nested(IndicatorValueSchema), required=True)


class FormVersionSchema(ma.Schema):
    form_id = fields.String(required=True)
    version = fields.Integer(required=True)
    title = fields.String(required=True)
    kind = fields.String(required=True)
    published_at = fields.DateTime(required=True)
    document = fields.Dict(
        required=True, metadata={"description": "The form's JSON schema document"}
    )


class RevokedSchema(ma.Schema):
    id = fields.Integer(required=True)
    revoked_at = fields.DateTime(required=True)


# --- requests -----------------------------------------------------------------------------


class IndicatorQuerySchema(ma.Schema):
    unit = _id(metadata={"description": "The unit (default: the top the user reviews)"})
    basis = _one_of(
        [b.value for b in Basis],
        load_default=Basis.ACCEPTED.value,
        metadata={"description": "Count accepted reports (default) or every submitted one"},
    )


# --- responses ----------------------------------------------------------------------------


class ResponseSchema(ma.Schema):
    id = fields.Integer(required=True)
    campaign = fields.Integer(required=True)
    unit = fields.Nested(UnitSchema, required=True)
    form_id = fields.String(required=True)
    form_version = fields.Integer(required=True)
    status = fields.String(required=True, validate=validate.OneOf(RESPONSE_STATES))
    revision = fields.Integer(required=True)
    late = fields.Boolean(required=True)
    review_comment = fields.String(required=True, allow_none=True)
    answers = fields.Dict(
        required=True, metadata={"description": "The answers by field id, as stored"}
    )
    updated_at = fields.DateTime(required=True)
    submitted_at = fields.DateTime(required=True, allow_none=True)


class ResponsePageSchema(ma.Schema):
    responses = fields.List(fields.Nested(ResponseSchema), required=True)
    next_cursor = fields.String(
        required=True,
        allow_none=True,
        metadata={"description": "Pass as `cursor` for the next page (null: the last page)"},
    )


class ResponsesQuerySchema(ma.Schema):
    unit = _id(metadata={"description": "Only reports of this unit's subtree"})
    status = _one_of(RESPONSE_STATES, metadata={"description": "Only reports in this status"})
    updated_since = fields.AwareDateTime(
        default_timezone=UTC,
        error_messages={"invalid": _l("A date and time is expected (ISO 8601).")},
        metadata={"description": "Only reports changed at or after this time (UTC if no zone)"},
    )
    cursor = fields.String(
        validate=validate.Length(max=500, error=_l("The cursor is not valid.")),
        metadata={"description": "The `next_cursor` of the previous page"},
    )
    limit = fields.Integer(
        load_default=100,
        validate=validate.Range(min=1, max=500, error=_l("Enter a value from 1 to 500.")),
        error_messages=WHOLE_NUMBER,
        metadata={"description": "Reports per page (at most 500)"},
    )


# --- writing a unit report ----------------------------------------------------------------


class ReportWriteSchema(ma.Schema):
    answers = fields.Dict(
        keys=fields.String(validate=validate.Length(max=100)),
        values=fields.Raw(allow_none=True),
        load_default=dict,
        metadata={
            "description": "Answers by field id, in the shape the responses are read in "
            "(null clears an answer); fields not sent keep theirs"
        },
    )
    confirmations = fields.Dict(
        keys=fields.String(validate=validate.Length(max=100)),
        values=fields.String(validate=validate.Length(max=2000)),
        load_default=dict,
        metadata={"description": "Warnings confirmed, by rule id: the comment"},
    )
    revision = fields.Integer(
        validate=validate.Range(min=0, max=2**31 - 1),
        metadata={
            "description": "The revision the answers were read at: a save over a newer "
            "one is refused (409). Omitted: the stored one"
        },
    )


class IdempotencyHeaderSchema(ma.Schema):
    idempotency_key = fields.String(
        data_key="Idempotency-Key",
        validate=validate.Regexp(
            r"^[\x21-\x7e]{1,100}$",
            error=_l("At most 100 visible ASCII characters, no spaces."),
        ),
        metadata={
            "description": "Makes the write safe to retry: the same key with the same "
            "request gets the stored answer again"
        },
    )


class ReportWrittenSchema(ma.Schema):
    response = fields.Nested(ResponseSchema, required=True)
    problems = fields.List(
        fields.Nested(FieldErrorSchema),
        required=True,
        metadata={"description": "What stands in the way of submitting (a saved draft)"},
    )


# --- units, registries, jobs --------------------------------------------------------------


class UnitDetailSchema(UnitSchema):
    parent_id = fields.Integer(required=True, allow_none=True)
    is_active = fields.Boolean(required=True)
    children = fields.List(fields.Nested(UnitSchema), required=True)
    children_total = fields.Integer(required=True)
    figure_years = fields.List(fields.Integer(), required=True)


class PageQuerySchema(ma.Schema):
    page = fields.Integer(
        load_default=1,
        validate=validate.Range(
            min=1, max=100000, error=_l("A positive whole number is expected.")
        ),
        error_messages=WHOLE_NUMBER,
        metadata={"description": "The page of children (100 a page)"},
    )


class FigureSchema(ma.Schema):
    figure = fields.String(required=True)
    grade = fields.Integer(required=True, metadata={"description": "0: not by grade"})
    value = fields.Integer(required=True)


class FiguresSchema(ma.Schema):
    unit = fields.Nested(UnitSchema, required=True)
    academic_year = fields.Integer(required=True)
    figures = fields.List(fields.Nested(FigureSchema), required=True)


class FiguresQuerySchema(ma.Schema):
    year = fields.Integer(
        validate=validate.Range(min=2000, max=2100, error=_l("Enter a value from 2000 to 2100.")),
        error_messages=WHOLE_NUMBER,
        metadata={"description": "The academic year's first calendar year (default: latest)"},
    )


class RegistrySchema(ma.Schema):
    form_id = fields.String(required=True)
    version = fields.Integer(required=True)
    title = fields.String(required=True)
    records = fields.Integer(required=True, metadata={"description": "Active records seen"})


class RegistryListSchema(ma.Schema):
    registries = fields.List(fields.Nested(RegistrySchema), required=True)


class RecordSchema(ma.Schema):
    id = fields.Integer(required=True)
    unit = fields.Nested(UnitSchema, required=True)
    title = fields.String(required=True)
    status = fields.String(required=True)
    published = fields.Boolean(required=True)
    revision = fields.Integer(required=True)
    form_version = fields.Integer(required=True)
    data = fields.Dict(required=True, metadata={"description": "The passport's answers"})
    updated_at = fields.DateTime(required=True)


class RecordListSchema(ma.Schema):
    form_id = fields.String(required=True)
    records = fields.List(fields.Nested(RecordSchema), required=True)


class RecordsQuerySchema(ma.Schema):
    archived = fields.Boolean(
        load_default=False, metadata={"description": "Archived records instead of active ones"}
    )


class ExportRequestSchema(ma.Schema):
    unit = _id(metadata={"description": "Export under this unit (default: the top reviewed)"})
    basis = _one_of([b.value for b in Basis], load_default=Basis.ACCEPTED.value)
    table = fields.String(
        allow_none=True,
        load_default=None,
        validate=validate.Length(max=40),
        metadata={
            "description": "One CSV table (indicators, completeness, answers, section-N, "
            "rows-N); null: the whole workbook"
        },
    )


class JobSchema(ma.Schema):
    id = fields.String(required=True)
    title = fields.String(required=True)
    state = fields.String(required=True)
    stage = fields.String(required=True, allow_none=True)
    done = fields.Integer(required=True)
    total = fields.Integer(required=True, allow_none=True)
    percent = fields.Integer(required=True, allow_none=True)
    message = fields.String(required=True, allow_none=True)
    created_at = fields.DateTime(required=True)
    finished_at = fields.DateTime(required=True, allow_none=True)
    download = fields.String(
        required=True, allow_none=True, metadata={"description": "The file's address when done"}
    )
    outcome = fields.Dict(
        required=True,
        allow_none=True,
        metadata={
            "description": "What the finished job found. An import: ok, dry_run, created, "
            "updated, unchanged, and errors: [{row, column, message}] (every bad row; row 0 "
            "is the file as a whole); nothing is written unless ok"
        },
    )
