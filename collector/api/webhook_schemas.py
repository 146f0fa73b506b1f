"""The schemas of the API's webhook routes (collector.api.endpoints.webhooks)."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from collector.api.schemas import _id
from collector.webhooks.services import EVENTS, MAX_URL_LENGTH


class WebhookNewSchema(ma.Schema):
    url = fields.String(
        required=True,
        validate=validate.Length(max=MAX_URL_LENGTH),
        metadata={"description": "Where deliveries are POSTed (http or https)"},
    )
    events = fields.List(
        fields.String(validate=validate.OneOf(EVENTS)),
        required=True,
        validate=validate.Length(min=1, max=len(EVENTS)),
    )
    unit = _id(metadata={"description": "Events of this unit's subtree (default: your top)"})


class WebhookSchema(ma.Schema):
    id = fields.Integer(required=True)
    url = fields.String(required=True)
    unit = fields.Integer(required=True)
    events = fields.List(fields.String(), required=True)
    active = fields.Boolean(required=True)
    failing_since = fields.DateTime(required=True, allow_none=True)
    paused_at = fields.DateTime(required=True, allow_none=True)
    created_at = fields.DateTime(required=True)


class WebhookMadeSchema(WebhookSchema):
    secret = fields.String(
        required=True,
        metadata={
            "description": "The HMAC-SHA256 key; shown once. X-Collector-Signature is "
            "sha256=hex(HMAC(secret, X-Collector-Timestamp + '.' + body))"
        },
    )


class WebhookListSchema(ma.Schema):
    webhooks = fields.List(fields.Nested(WebhookSchema), required=True)


class AttemptSchema(ma.Schema):
    at = fields.String(required=True)
    status = fields.Integer(required=True, allow_none=True)
    answer = fields.String(required=True)
    error = fields.String(required=True)


class DeliverySchema(ma.Schema):
    id = fields.Integer(required=True)
    event = fields.String(required=True)
    state = fields.String(required=True, validate=validate.OneOf(["pending", "delivered"]))
    body = fields.String(required=True)
    next_attempt_at = fields.DateTime(required=True, allow_none=True)
    delivered_at = fields.DateTime(required=True, allow_none=True)
    created_at = fields.DateTime(required=True)
    attempts = fields.List(fields.Nested(AttemptSchema), required=True)


class DeliveryListSchema(ma.Schema):
    deliveries = fields.List(fields.Nested(DeliverySchema), required=True)
