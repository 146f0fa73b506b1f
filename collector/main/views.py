"""The home page of each role, and the language switch."""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from collector.analysis.recommendations import inbox
from collector.extensions import db
from collector.main import services
from collector.natural import natural_key
from collector.routing import safe_next_url

bp = Blueprint("main", __name__)


@bp.get("/")
@login_required
def home() -> str:
    roles = sorted(
        current_user.roles, key=lambda r: (r.role, natural_key(r.unit.name if r.unit else ""))
    )
    return render_template(
        "main/home.html",
        roles=roles,
        systems=services.systems(db.session(), current_user),
        tasks=services.tasks_to_do(db.session(), current_user),
        waiting=services.waiting_for_review(db.session(), current_user),
        recommendations=inbox(db.session(), current_user),
    )


@bp.get("/language/<code>")
def set_language(code: str) -> Response:
    if code in current_app.config["LANGUAGES"]:
        session["lang"] = code
    return redirect(safe_next_url(request.args.get("next")) or url_for("main.home"))
