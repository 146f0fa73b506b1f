"""`GET /health` for a load balancer or a monitor: whether the database answers (200, else
503) and how Redis stands. Redis down is degraded, not down: survey answers, logins and
data entry go on (limits are counted per process, jobs cannot be queued)."""

from __future__ import annotations

import redis
from flask import Blueprint, current_app, jsonify
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.wrappers import Response

from collector.extensions import db, limiter

bp = Blueprint("health", __name__)
# A monitor must learn fast that something does not answer.
REDIS_TIMEOUT_SECONDS = 1.0


def _database() -> str:
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        db.session.rollback()
        return "down"
    return "ok"


def _redis() -> str:
    url = current_app.config.get("REDIS_URL")
    if not url:
        return "not configured"
    client = redis.Redis.from_url(
        url, socket_timeout=REDIS_TIMEOUT_SECONDS, socket_connect_timeout=REDIS_TIMEOUT_SECONDS
    )
    try:
        client.ping()
    except redis.exceptions.RedisError:
        return "down"
    finally:
        client.close()
    return "ok"


@bp.get("/health")
@limiter.exempt
def health() -> Response:
    database, queue = _database(), _redis()
    status = "ok" if database == "ok" and queue != "down" else "degraded"
    if database != "ok":
        status = "down"
    reply = jsonify({"status": status, "database": database, "redis": queue})
    reply.status_code = 503 if database != "ok" else 200
    reply.headers["Cache-Control"] = "no-store"
    return reply
