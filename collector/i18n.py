"""Interface language: Russian first, English available; chosen per session or per user."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask, current_app, has_request_context, session
from flask_babel import force_locale, get_locale
from flask_login import current_user

from collector.extensions import babel
from collector.marks import mark_for_translation

__all__ = ["in_language", "mark_for_translation", "select_locale"]


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():
        # The command line has no session or user: it speaks the default language.
        return str(current_app.config["BABEL_DEFAULT_LOCALE"])
    chosen = session.get("lang")
    if chosen in languages:
        return str(chosen)
    if current_user.is_authenticated and current_user.locale in languages:
        return str(current_user.locale)
    return str(current_app.config["BABEL_DEFAULT_LOCALE"])


@contextmanager
def in_language(language: object) -> Iterator[None]:
    """Speak `language` (one of the app's LANGUAGES; the default language otherwise) in
    the block: a job run for a user writes its messages in the language the user asked
    for it in, not in the worker's default."""
    languages = current_app.config["LANGUAGES"]
    chosen = language if language in languages else current_app.config["BABEL_DEFAULT_LOCALE"]
    with force_locale(str(chosen)):
        yield


def init_app(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale)
    app.jinja_env.globals["get_locale"] = get_locale
