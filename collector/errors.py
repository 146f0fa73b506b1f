"""Error pages: a clear message in the user's language, never a stack trace."""

from __future__ import annotations

import time

from flask import Flask, abort, current_app, render_template, request, session
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from flask_limiter.errors import RateLimitExceeded
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError, OperationalError, SQLAlchemyError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException, InternalServerError, ServiceUnavailable
from werkzeug.wrappers import Response

from collector.extensions import db, limiter, login_manager
from collector.i18n import in_language
from collector.storage import StorageUnavailable

# Endpoints that read a JSON body themselves (bounded there). Every other page takes
# forms from its own pages: Flask-WTF would read a JSON body as the form's data, with
# lists, numbers and 1,000-deep arrays where WTForms expects text (a 500).
JSON_ENDPOINTS = frozenset({"designer.order"})
# When to send again after the database did not answer (it restarts in seconds).
DATABASE_RETRY_SECONDS = 30


class NotInScope(Exception):
    """The object lies outside the acting user's part of the tree (shown as 404)."""


class ActionForbidden(Exception):
    """The user sees the object but may not do this to it (shown as 403)."""


def _page(code: int, title: str, message: str) -> tuple[str, int]:
    return render_template("error.html", code=code, title=title, message=message), code


def _without_the_database() -> None:
    """The rest of this request reads nothing from the database: its transaction is let
    go, and the user is an anonymous visitor (the locale and the menu would read the
    user's record). Uses Flask-Login 0.6's private setter: it has no public one."""
    try:
        db.session.rollback()
    except SQLAlchemyError:
        pass  # the connection is gone; the pool makes a new one for the next request
    login_manager._update_request_context_with_user()


def _page_without_database(code: int, title: LazyString, message: LazyString) -> str:
    """A page for when the database is what failed: made without it (no user, no menu, no
    context processors), in the language the session chose, so it cannot fail as the
    request did."""
    _without_the_database()
    with in_language(session.get("lang")):
        page = current_app.jinja_env.get_template("unavailable.html")
        language = str(get_locale())
        return page.render(code=code, title=str(title), message=str(message), language=language)


def _retry_after(error: HTTPException) -> int:
    """Seconds until a refused request may come again. Flask-Limiter's own headers are
    off (they cost the store a round trip on every request); a refusal asks the store
    once when the limit that was reached frees a place."""
    if not isinstance(error, RateLimitExceeded):
        given = getattr(error, "retry_after", None)
        return given if isinstance(given, int) and given > 0 else 60
    window: int = error.limit.limit.get_expiry()
    try:
        reached = limiter.current_limit
        if reached is not None:
            return max(1, min(window, reached.reset_at - int(time.time())))
    except Exception:  # noqa: BLE001 - the store may not answer; the window is an upper bound
        pass
    return window


def _under_api() -> bool:
    return request.path == "/api" or request.path.startswith("/api/")


def init_app(app: Flask) -> None:
    @app.before_request
    def refuse_json_to_forms() -> None:
        # The JSON API (its own blueprints) reads JSON bodies itself.
        if request.is_json and request.endpoint not in JSON_ENDPOINTS and not _under_api():
            abort(415)

    @app.errorhandler(NotInScope)
    def not_in_scope(_error: NotInScope) -> tuple[str, int]:
        return _page(404, _("Not found"), _("There is no such page, or it is not yours to see."))

    @app.errorhandler(StorageUnavailable)
    def storage_unavailable(error: StorageUnavailable) -> tuple[str, int, dict[str, str]]:
        # The attached files' store (a folder, an object storage) does not answer.
        app.logger.warning("file store unavailable: %s", error)
        page = _page(
            503,
            _("The service is briefly unavailable"),
            _("The file could not be read just now. Try again in a minute."),
        )
        return (*page, {"Retry-After": "30"})

    @app.errorhandler(ActionForbidden)
    def forbidden_action(_error: ActionForbidden) -> tuple[str, int]:
        return _page(403, _("Access denied"), _("Your role does not allow this action."))

    @app.errorhandler(CSRFError)
    def csrf_error(_error: CSRFError) -> tuple[str, int]:
        return _page(
            400,
            _("The form has expired"),
            _(
                "The page was open too long or was sent from elsewhere. Go back, reload it "
                "and send it again."
            ),
        )

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> tuple[str, int, dict[str, str]] | Response:
        if _under_api():
            # An unknown address or a method not allowed under /api/ is answered before
            # the API's blueprint is known: problem details there too.
            answer: Response = current_app.extensions["api_problem"](error)
            return answer
        code = error.code or 500
        messages = {
            403: (_("Access denied"), _("Your role does not allow this action.")),
            404: (_("Not found"), _("There is no such page, or it is not yours to see.")),
            413: (_("File too large"), _("The file is larger than the server accepts.")),
            415: (
                _("Unsupported request"),
                _("This address takes the form of its page. Go back and send it from there."),
            ),
            429: (_("Too many attempts"), _("Too many attempts. Wait a minute and try again.")),
        }
        title, message = messages.get(code, (_("Error"), _("The request could not be served.")))
        headers = {"Retry-After": str(_retry_after(error))} if code == 429 else {}
        return (*_page(code, title, message), headers)

    @app.errorhandler(OperationalError)
    @app.errorhandler(PoolTimeout)
    def database_unavailable(
        error: SQLAlchemyError,
    ) -> tuple[str, int, dict[str, str]] | Response:
        # The database does not answer (restarting, unreachable, every connection of the
        # pool waiting on it). Sending the form again is safe: survey answers carry their
        # page's key, report saves their revision.
        app.logger.error("database unavailable: %s", getattr(error, "orig", None) or error)
        if _under_api():
            _without_the_database()
            with in_language(session.get("lang")):
                unavailable = ServiceUnavailable(retry_after=DATABASE_RETRY_SECONDS)
                answer: Response = current_app.extensions["api_problem"](unavailable)
            return answer
        html = _page_without_database(
            503,
            _l("The service is briefly unavailable"),
            _l(
                "The database does not answer. Nothing you typed is lost: wait a minute and "
                "send the page again."
            ),
        )
        return html, 503, {"Retry-After": str(DATABASE_RETRY_SECONDS)}

    @app.teardown_appcontext
    def end_session_quietly(_error: BaseException | None) -> None:
        # Registered after Flask-SQLAlchemy's teardown, so it runs first: closing the
        # session rolls back over its connection, and one the database has just dropped
        # would raise after the answer was made (a 500 in place of the 503 page).
        try:
            db.session.remove()
        except SQLAlchemyError as error:
            app.logger.warning("session closed over a lost connection: %s", error)
            db.session.registry.clear()

    # Only for exceptions nobody handled; under TESTING Flask lets them propagate instead,
    # so tests see the real error.
    @app.errorhandler(500)
    def unexpected_error(
        error: InternalServerError,
    ) -> tuple[str, int] | tuple[str, int, dict[str, str]] | Response:
        raised = error.original_exception
        if isinstance(raised, (OperationalError, PoolTimeout)) or (
            isinstance(raised, DBAPIError) and raised.connection_invalidated
        ):
            # Raised where no error handler looks (an after-request hook, another error
            # handler): the same answer as from a view.
            return database_unavailable(raised)
        if _under_api():
            # The problem's text asks for the locale, which would read the user's record
            # over a session the error may have left unusable.
            _without_the_database()
            with in_language(session.get("lang")):
                answer: Response = current_app.extensions["api_problem"](InternalServerError())
            return answer
        title = _l("Something went wrong")
        message = _l("The error has been logged. Try again later.")
        try:
            # What failed may have left the session's transaction unusable; the page's
            # menu reads the database through it.
            db.session.rollback()
            return _page(500, str(title), str(message))
        except SQLAlchemyError as failed:
            # The database failed as well: the page is made without it.
            app.logger.error("error page made without the database: %s", failed)
            return _page_without_database(500, title, message), 500
