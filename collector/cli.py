"""Command-line tools: `flask users create-admin`, `flask seed-demo`, imports."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup
from sqlalchemy import select

from collector.auth.services import normalise_username, password_problem
from collector.extensions import db
from collector.models import Role, RoleAssignment, User
from collector.units.cli import units_cli

users_cli = AppGroup("users", help="Manage user accounts.")


@users_cli.command("create-admin")
@click.option("--username", prompt=True, help="Login name.")
@click.option("--full-name", prompt=True, help="Full name (ФИО).")
@click.option("--email", default=None, help="E-mail address.")
@click.password_option(help="Password (asked for when not given).")
def create_admin(username: str, full_name: str, email: str | None, password: str) -> None:
    """Create an installation-wide administrator."""
    username = normalise_username(username)
    problem = password_problem(password, username)
    if problem:
        raise click.ClickException(problem)
    if db.session.scalar(select(User).where(User.username == username)) is not None:
        raise click.ClickException(f"user {username!r} exists already")
    user = User(username=username, full_name=full_name.strip(), email=email)
    user.set_password(password)
    user.roles.append(RoleAssignment(role=Role.ADMIN.value, unit=None))
    db.session.add(user)
    db.session.commit()
    click.echo(f"Administrator {username} created.")


def init_app(app: Flask) -> None:
    app.cli.add_command(users_cli)
    app.cli.add_command(units_cli)
