"""Webhooks: a coordinator registers a URL for events of their territory, reads its
deliveries with the answers they got, resends one, resumes a paused one, removes it."""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask_babel import gettext as _

from collector.api import webhook_schemas as schemas
from collector.api.blueprint import ApiBlueprint, acting_token
from collector.api.problems import ApiProblem, FieldError
from collector.extensions import db
from collector.models import Webhook, WebhookDelivery
from collector.webhooks import services

bp = ApiBlueprint(
    "webhooks",
    __name__,
    description="Webhooks: URLs told of the events of a coordinator's territory, and "
    "their deliveries",
)


def _hook(hook: Webhook) -> dict[str, Any]:
    return {
        "id": hook.id,
        "url": hook.url,
        "unit": hook.unit_id,
        "events": hook.events,
        "active": hook.active,
        "failing_since": hook.failing_since,
        "paused_at": hook.paused_at,
        "created_at": hook.created_at,
    }


def _delivery(delivery: WebhookDelivery) -> dict[str, Any]:
    return {
        "id": delivery.id,
        "event": delivery.event,
        "state": delivery.state,
        "body": delivery.body,
        "next_attempt_at": delivery.next_attempt_at,
        "delivered_at": delivery.delivered_at,
        "created_at": delivery.created_at,
        "attempts": delivery.attempts,
    }


@bp.route("/webhooks", methods=["POST"])
@bp.authenticated(writes=True, codes=(404, 422))
@bp.doc(summary="Register a URL for events of a unit you review (the secret is shown once)")
@bp.arguments(schemas.WebhookNewSchema, location="json", error_status_code=422)
@bp.response(201, schemas.WebhookMadeSchema)
def create_webhook(body: dict[str, Any]) -> dict[str, Any]:
    try:
        made = services.register_hook(
            db.session(),
            acting_token().user,
            body["url"],
            body["events"],
            body.get("unit"),
            allow_private=current_app.config["WEBHOOK_ALLOW_PRIVATE_URLS"],
        )
    except services.HookRefused as refused:
        db.session.rollback()
        raise ApiProblem(
            422,
            _("Not accepted"),
            str(refused),
            errors=[FieldError(f"body.{refused.field}", str(refused))],
        ) from None
    db.session.commit()
    return {**_hook(made.hook), "secret": made.secret}


@bp.route("/webhooks", methods=["GET"])
@bp.authenticated(codes=())
@bp.doc(summary="Your webhooks")
@bp.response(200, schemas.WebhookListSchema)
def webhooks() -> dict[str, Any]:
    return {"webhooks": [_hook(h) for h in services.hooks_of(db.session(), acting_token().user)]}


@bp.route("/webhooks/<int:hook_id>", methods=["DELETE"])
@bp.authenticated(writes=True)
@bp.doc(summary="Remove one of your webhooks")
@bp.response(200, schemas.WebhookSchema)
def delete_webhook(hook_id: int) -> dict[str, Any]:
    hook = services.hook_of(db.session(), acting_token().user, hook_id)
    answer = _hook(hook)
    services.remove_hook(db.session(), acting_token().user, hook_id)
    db.session.commit()
    return answer


@bp.route("/webhooks/<int:hook_id>/resume", methods=["POST"])
@bp.authenticated(writes=True)
@bp.doc(summary="Resume a paused webhook: what waits is sent")
@bp.response(200, schemas.WebhookSchema)
def resume_webhook(hook_id: int) -> dict[str, Any]:
    hook = services.resume_hook(db.session(), acting_token().user, hook_id)
    db.session.commit()
    return _hook(hook)


@bp.route("/webhooks/<int:hook_id>/deliveries", methods=["GET"])
@bp.authenticated()
@bp.doc(summary="The webhook's latest deliveries (newest first) with their attempts' answers")
@bp.response(200, schemas.DeliveryListSchema)
def webhook_deliveries(hook_id: int) -> dict[str, Any]:
    found = services.deliveries_of(db.session(), acting_token().user, hook_id)
    return {"deliveries": [_delivery(d) for d in found]}


@bp.route("/webhooks/<int:hook_id>/deliveries/<int:delivery_id>/resend", methods=["POST"])
@bp.authenticated(writes=True)
@bp.doc(summary="Send a delivery again (the same body, newly signed)")
@bp.response(202, schemas.DeliverySchema)
def resend_delivery(hook_id: int, delivery_id: int) -> dict[str, Any]:
    delivery = services.resend(db.session(), acting_token().user, hook_id, delivery_id)
    db.session.commit()
    return _delivery(delivery)
