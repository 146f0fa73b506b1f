"""The home page of each role, and the language switch."""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from collector.analysis.recommendations import inbox
from collector.campaigns import notices
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
        notices=notices.unread(db.session(), current_user),
        read_form=FlaskForm(),
    )


@bp.post("/notices/<int:notice_id>/read")
@login_required
def mark_notice_read(notice_id: int) -> Response:
    if FlaskForm().validate_on_submit():
        notices.mark_read(db.session(), current_user, notice_id)
        db.session.commit()
    return redirect(url_for("main.home"))


@bp.get("/language/<code>")
def set_language(code: str) -> Response:
    if code in current_app.config["LANGUAGES"]:
        session["lang"] = code
    return redirect(safe_next_url(request.args.get("next")) or url_for("main.home"))
