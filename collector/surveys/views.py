"""The public survey page behind a school's link: no login, one page, phone first."""

from __future__ import annotations

import secrets

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from flask_babel import get_locale, gettext
from flask_limiter.util import get_remote_address
from flask_wtf import FlaskForm
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import TooManyRequests
from werkzeug.wrappers import Response

from collector.extensions import csrf, db, limiter
from collector.forms import RENDERERS, SchemaForm, typed_problems
from collector.schema.derived import lines
from collector.schema.evaluate import visible_field_ids
from collector.schema.formbuild import answers_from_form, build_form_class
from collector.schema.live import live_form
from collector.surveys import allowance, services

bp = Blueprint("surveys", __name__, url_prefix="/s")
# The survey form checks its CSRF token itself, so that a page left open past the token's
# life comes back with every answer instead of an error page.
csrf.exempt(bp)


@limiter.request_filter
def _counted_by_the_allowance() -> bool:
    """Survey answers carry no Flask-Limiter limit (collector.surveys.allowance counts the
    answers it takes); the limiter's own look for limits was a twentieth of an answer's
    time on the busiest request of a deadline."""
    return request.blueprint == bp.name


BROWSER_COOKIE = "collector_browser"
# A year: one answer per browser for as long as any survey lasts.
BROWSER_COOKIE_AGE = 365 * 24 * 3600


def _survey(token: str) -> services.Survey:
    services.statements_commit_alone(db.session())
    survey = services.find_survey(db.session(), token)
    if survey is None:
        abort(404)
    return survey


@bp.route("/<token>", methods=["GET", "POST"])
def answer(token: str) -> Response | tuple[str, int]:
    survey = _survey(token)
    language = str(get_locale())
    if survey.state != services.LinkState.OPEN:
        # A send retried past the deadline whose first try was stored was taken in time.
        if request.method == "POST" and services.is_stored(
            db.session(), survey, _sent_submission_key()
        ):
            return redirect(url_for("surveys.thanks", token=token))
        return render_template("surveys/closed.html", survey=survey, language=language), 410
    browser_id = request.cookies.get(BROWSER_COOKIE) or secrets.token_urlsafe(24)
    reply = current_app.make_response(_answer(survey, language, browser_id))
    # Every reply (the form, the thanks redirect) carries the browser's id, so a second
    # answer from this browser is known even when the first came without a page load.
    reply.set_cookie(
        BROWSER_COOKIE,
        browser_id,
        max_age=BROWSER_COOKIE_AGE,
        httponly=True,
        samesite="Lax",
        secure=current_app.config.get("SESSION_COOKIE_SECURE", False),
    )
    return reply


def _sent_submission_key() -> str | None:
    return services.submission_key_of(request.form.get("submission_key"))


def _answer(survey: services.Survey, language: str, browser_id: str) -> str | Response:
    key = (
        None
        if survey.spec.multiple_per_browser
        else services.browser_key(current_app.config["SECRET_KEY"], browser_id, survey)
    )
    # On a send the ballot's key itself refuses a second answer; the check is for the page.
    if (
        request.method == "GET"
        and key is not None
        and services.has_answered(db.session(), survey, key)
    ):
        return render_template("surveys/thanks.html", survey=survey, language=language, again=True)
    form = build_form_class(survey.spec, SchemaForm, language)()
    # Made on FlaskForm, so it is one (build_form_class is typed with wtforms' Form).
    assert isinstance(form, FlaskForm)
    # The page's key travels with every send of it; a page shown again (errors, more
    # questions) keeps it, since nothing was stored under it.
    submission_key = _sent_submission_key() if request.method == "POST" else None
    stale = False
    typed = answers_from_form(survey.spec, form) if request.method == "POST" else {}
    # Questions that depend on earlier answers appear once those answers are given: no
    # script needed, nothing typed is lost (the page comes back with the new questions).
    visible = visible_field_ids(survey.spec, typed)
    # The page says which questions it showed; a client that does not (a script) is
    # taken to have seen them all.
    shown = set(filter(None, request.form.get("shown", "").split(",")))
    more = "shown" in request.form and bool(visible - shown)
    if more:
        form.validate()  # keeps the values; the errors are not shown for new questions
        for field_id in list(form.errors):
            if field_id in form and field_id not in shown:
                form[field_id].errors = []
    elif form.validate_on_submit():
        token = survey.token
        sent, found = services.answer_problems(survey, typed, visible)
        if not found:
            # Counted before it is stored, since on PostgreSQL the insert commits as it is
            # made (services.statements_commit_alone): an answer refused here stores
            # nothing. A retried send of an answer stored already is counted again.
            refused = allowance.take(token, get_remote_address())
            if refused is not None:
                raise TooManyRequests(retry_after=refused.retry_after)
            try:
                services.store_answer(db.session(), survey, sent, key, submission_key)
                db.session.commit()
            except IntegrityError:
                db.session.rollback()
                # This page's answer is stored: a retry of a send whose reply was lost. It
                # was taken, and the browser is told so as the first time.
                if services.is_stored(db.session(), survey, submission_key):
                    return redirect(url_for("surveys.thanks", token=token))
                # The ballot's key is taken: this browser has answered through this link.
                return render_template(
                    "surveys/thanks.html", survey=survey, language=language, again=True
                )
            return redirect(url_for("surveys.thanks", token=token))
        for problem in found:
            if problem.field_id in form:
                form[problem.field_id].errors = [problem.message]
    elif request.method == "POST" and "csrf_token" in form.errors:
        # The page stayed open past the token's life: keep the answers, ask to send again.
        form["csrf_token"].errors = []
        stale = True
    # The summary at the top: each refused answer, linked to its question.
    summary = (
        []
        if more or not form.errors
        else typed_problems(
            survey.spec, form, [f.id for f in survey.spec.fields if f.id in visible], language
        )
    )
    return render_template(
        "surveys/answer.html",
        refused=summary,
        progress=services.progress(survey.spec, typed, visible),
        survey=survey,
        form=form,
        language=language,
        renderers=RENDERERS,
        stale=stale,
        submission_key=submission_key or services.new_submission_key(),
        visible=visible,
        more=more,
        live=live_form(survey.spec, language),
        derived=lines(survey.spec, typed, language, gettext),
    )


@bp.get("/<token>/thanks")
def thanks(token: str) -> str:
    survey = _survey(token)
    return render_template(
        "surveys/thanks.html", survey=survey, language=str(get_locale()), again=False
    )
