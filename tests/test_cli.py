"""Command-line tools."""

from __future__ import annotations

from sqlalchemy import select

from collector.auth.services import authenticate
from collector.extensions import db
from collector.models import User


def test_create_admin(app):
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=[
            "users",
            "create-admin",
            "--username",
            "Root",
            "--full-name",
            "Главный Админ",
            "--password",
            "a long password 1",
        ]
    )
    assert result.exit_code == 0, result.output
    user = authenticate(db.session, "root", "a long password 1")
    assert user is not None
    assert [(r.role, r.unit_id) for r in user.roles] == [("admin", None)]


def test_create_admin_refuses_a_short_password_and_a_taken_login(app, make_user):
    make_user(username="taken")
    runner = app.test_cli_runner()
    short = runner.invoke(
        args=[
            "users",
            "create-admin",
            "--username",
            "x1",
            "--full-name",
            "X",
            "--password",
            "short",
        ]
    )
    assert short.exit_code != 0
    taken = runner.invoke(
        args=[
            "users",
            "create-admin",
            "--username",
            "taken",
            "--full-name",
            "X",
            "--password",
            "a long password 1",
        ]
    )
    assert taken.exit_code != 0 and "taken" in taken.output
    assert db.session.scalar(select(User).where(User.username == "x1")) is None
