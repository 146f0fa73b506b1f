"""Logs with a request id. Every request has an id: the incoming X-Request-ID when it is a
short safe token (nginx sends its own $request_id), else a new one. It is sent back in the
X-Request-ID header, carried by every log record made during the request, written in
gunicorn's access line and shown on error pages, so that a user can quote it and an
administrator find the request's lines.

The app's records (and every library's) go to stderr through one handler on the root
logger: plain text by default, one JSON object per line with LOG_FORMAT = "json"
(COLLECTOR_LOG_FORMAT=json), which gunicorn.conf.py then gives gunicorn's lines as well.
The standard library is enough for that: a formatter of a few lines."""

from __future__ import annotations

import json
import logging
import re
import sys
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, TextIO

from flask import Flask, has_request_context, request
from flask.logging import default_handler
from werkzeug.wrappers import Response

HEADER = "X-Request-ID"
# What is taken from a client as an id: enough for a UUID or nginx's 32 hex digits, nothing
# that could break a log line or a page.
SAFE_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
ENVIRON_KEY = "collector.request_id"
FORMATS = ("text", "json")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"
NO_ID = "-"


def request_id() -> str:
    """The current request's id, made on first use (any hook may ask first)."""
    environ = request.environ
    known = environ.get(ENVIRON_KEY)
    if known is None:
        incoming = request.headers.get(HEADER, "")
        known = incoming if SAFE_ID.fullmatch(incoming) else uuid.uuid4().hex
        environ[ENVIRON_KEY] = known
    return str(known)


class RequestContextFilter(logging.Filter):
    """Gives each record the request's id and path (NO_ID and None outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        inside = has_request_context()
        record.request_id = request_id() if inside else NO_ID
        record.path = request.path if inside else None
        return True


class StderrHandler(logging.StreamHandler[TextIO]):
    """Writes to whatever sys.stderr is when a record comes (as logging's last-resort
    handler does), not to the stream of the moment it was made: test runners swap it."""

    def __init__(self) -> None:
        logging.Handler.__init__(self)

    @property
    def stream(self) -> TextIO:
        return sys.stderr

    @stream.setter
    def stream(self, _value: TextIO) -> None:
        pass  # always sys.stderr


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC), level, logger, message, request id, path and,
    for gunicorn's access lines, status and duration."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", NO_ID),
            "path": getattr(record, "path", None),
        }
        if record.name == "gunicorn.access" and isinstance(record.args, Mapping):
            entry.update(access_fields(record.args))
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            entry["exception"] = record.exc_text
        return json.dumps(entry, ensure_ascii=False, default=str)


def access_fields(atoms: Mapping[str, Any]) -> dict[str, Any]:
    """What gunicorn knows of a finished request (its access-log atoms; '-' is unknown)."""

    def known(key: str) -> Any:
        value = atoms.get(key)
        return None if value in (None, "-") else value

    status = known("s")
    duration = known("M")
    return {
        "request_id": known("{x-request-id}o") or NO_ID,
        "path": known("U"),
        "method": known("m"),
        "status": int(status) if status is not None else None,
        "duration_ms": int(duration) if duration is not None else None,
        "client": known("h"),  # the proxy's client (gunicorn.conf.py, post_worker_init)
    }


def configure_logging(log_format: str, level: str) -> None:
    """One handler on the root logger, made once per process and set to the last app's
    format; the root's level is the app's LOG_LEVEL."""
    if log_format not in FORMATS:
        raise RuntimeError(f"LOG_FORMAT must be one of {', '.join(FORMATS)}, not {log_format!r}")
    root = logging.getLogger()
    handler = next((h for h in root.handlers if isinstance(h, StderrHandler)), None)
    if handler is None:
        handler = StderrHandler()
        handler.addFilter(RequestContextFilter())
        root.addHandler(handler)
    formatter = JsonFormatter() if log_format == "json" else logging.Formatter(TEXT_FORMAT)
    handler.setFormatter(formatter)
    root.setLevel(level.upper())


def gunicorn_json_logging(access: bool) -> dict[str, Any]:
    """gunicorn's logconfig_dict for JSON lines: its messages to stderr, access lines (when
    asked for) to stdout. The root logger is left to the app (configure_logging)."""
    handlers: dict[str, Any] = {
        "gunicorn_error": {
            "class": "logging.StreamHandler",
            "formatter": "json",
            "stream": "ext://sys.stderr",
        },
        "gunicorn_access": {
            "class": "logging.StreamHandler" if access else "logging.NullHandler",
            "formatter": "json",
            **({"stream": "ext://sys.stdout"} if access else {}),
        },
    }
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "root": {},
        "formatters": {"json": {"()": JsonFormatter}},
        "handlers": handlers,
        "loggers": {
            "gunicorn.error": {"handlers": ["gunicorn_error"], "propagate": False},
            "gunicorn.access": {"handlers": ["gunicorn_access"], "propagate": False},
        },
    }


def init_app(app: Flask) -> None:
    configure_logging(app.config.get("LOG_FORMAT", "text"), app.config.get("LOG_LEVEL", "INFO"))
    # The app's records go up to the root handler; Flask's own would write them twice.
    app.logger.removeHandler(default_handler)
    app.jinja_env.globals["request_id"] = request_id

    @app.after_request
    def send_request_id(response: Response) -> Response:
        response.headers[HEADER] = request_id()
        return response
