"""The demo region as `make run` loads it (every shipped form published, then
`seed-demo`), for browser tests that log in as the demo's people."""

from __future__ import annotations

from pathlib import Path

from collector.extensions import db
from collector.publishing.services import publish
from collector.schema import compile_text
from demo.seed import DEMO_LOGINS, seed_demo

SCHEMAS = Path(__file__).resolve().parents[2] / "form_schemas"
PASSWORDS = {login.username: login.password for login in DEMO_LOGINS}


def load_demo() -> None:
    for path in sorted(SCHEMAS.glob("*.json")):
        if path.name == "meta-schema.json":
            continue
        publish(db.session, compile_text(path.read_bytes()), None, path.name)
    db.session.commit()
    seed_demo(db.session)
    db.session.commit()


def log_in_as(page, server_url: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(server_url + "/login")
    page.get_by_label("Логин").fill(username)
    page.get_by_label("Пароль").fill(PASSWORDS[username])
    page.get_by_role("button", name="Войти").click()
    page.wait_for_url(server_url + "/")
