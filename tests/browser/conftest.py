"""Browser tests: the app served on loopback by a real WSGI server in a thread, driven by
Playwright through Debian's Chromium (headless)."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from werkzeug.serving import make_server

from collector import create_app
from collector.jobs.dispatch import shutdown as shutdown_jobs
from tests.conftest import make_config, need_service

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)
            # The live server's threads read what the test stored, on their own connections.
            item.add_marker(pytest.mark.committed)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not os.path.exists(CHROMIUM):
        need_service(f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


class LiveServer:
    def __init__(self, app: Flask) -> None:
        self.app = app  # a test may change the served app's settings
        self._server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._thread.join(timeout=10)


@pytest.fixture
def server(app: Flask, migrated_database: str) -> Iterator[LiveServer]:
    """A second app on the same database, with CSRF on, as in production. The test's
    own `app` (used by factories; committed, as every browser test) empties the tables
    afterwards."""
    served = create_app(
        make_config(migrated_database, WTF_CSRF_ENABLED=True, JOB_PROGRESS_EVERY=0.05)
    )
    server = LiveServer(served)
    server.start()
    yield server
    server.stop()
    shutdown_jobs(served)
    with served.app_context():
        from collector.extensions import db

        db.engine.dispose()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(locale="ru-RU", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()
