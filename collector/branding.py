"""The department's own marks on every page, the public ones first: its name
(DEPARTMENT_NAME) and its logo (DEPARTMENT_LOGO), both set by the installation's admin in
instance/config.py or as COLLECTOR_DEPARTMENT_NAME / COLLECTOR_DEPARTMENT_LOGO.

The logo is an image file on the server (a path, absolute or relative to the instance
folder): PNG, JPEG or WebP of at most LOGO_MAX_BYTES, served from this origin at
/department-logo. SVG is not taken: opened on its own it may run a script in the site's
origin. A logo that is not there or not of these kinds is simply not shown (and said in
the log once per process), never a broken page."""

from __future__ import annotations

import logging
from pathlib import Path

from flask import Flask, abort, current_app, url_for
from werkzeug.wrappers import Response

LOGO_TYPES = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".webp": "image/webp",
}
LOGO_MAX_BYTES = 1024 * 1024

log = logging.getLogger(__name__)
_warned: set[str] = set()


def logo_file(app: Flask) -> Path | None:
    """The configured logo's file when it can be served, else None."""
    setting = app.config.get("DEPARTMENT_LOGO")
    if not setting:
        return None
    path = Path(app.instance_path, str(setting))  # an absolute setting stays as it is
    problem = None
    if path.suffix.lower() not in LOGO_TYPES:
        problem = "not a PNG, JPEG or WebP file"
    elif not path.is_file():
        problem = "no such file"
    elif path.stat().st_size > LOGO_MAX_BYTES:
        problem = f"larger than {LOGO_MAX_BYTES} bytes"
    if problem is not None:
        if str(path) not in _warned:
            _warned.add(str(path))
            log.warning("DEPARTMENT_LOGO %s is not shown: %s", path, problem)
        return None
    return path


def logo_url() -> str | None:
    return url_for("department_logo") if logo_file(current_app) is not None else None


def serve_logo() -> Response:
    path = logo_file(current_app)
    if path is None:
        abort(404)
    # At most LOGO_MAX_BYTES, read whole: no file is left open behind the response.
    return Response(
        path.read_bytes(),
        mimetype=LOGO_TYPES[path.suffix.lower()],
        headers={"Cache-Control": "public, max-age=3600"},
    )


def init_app(app: Flask) -> None:
    # No login and no database: the logo stands on the survey, the public registries and
    # the login page, and on the page saying the database does not answer.
    app.add_url_rule("/department-logo", "department_logo", serve_logo)
    app.add_template_global(logo_url, "department_logo_url")
