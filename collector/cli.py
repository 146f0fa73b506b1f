"""Command-line tools: `flask users create-admin`, `flask seed-demo` (the demo itself is
demo/, beside the package); imports live in collector/units/cli.py."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup
from sqlalchemy import select

from collector.analysis.cli import recommendations_cli
from collector.auth.services import normalise_username, password_problem
from collector.backup.cli import backup_cli
from collector.campaigns.cli import campaigns_cli
from collector.entry.cli import files_cli
from collector.extensions import db
from collector.jobs.cli import jobs_cli
from collector.models import OrgUnit, Role, RoleAssignment, User
from collector.publishing.cli import schemas_cli
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


@click.command("seed-demo")
@click.option("--if-empty", is_flag=True, help="Only when the database has no units yet.")
def seed_demo_command(if_empty: bool) -> None:
    """Load the demo: the Kaluga region and the cities of Tomsk, Omsk and Nevinnomyssk,
    their figures, running campaigns, registries and one demo user per role."""
    # The demo (demo/, beside the package) is loaded by this command only, never at
    # start-up: it is a fifth of the code and no part of the application.
    from demo.seed import DEMO_LOGINS, seed_demo

    if if_empty and db.session.scalar(select(OrgUnit.id).limit(1)) is not None:
        click.echo("The database already has units: the demo was not loaded.")
    else:
        result = seed_demo(db.session())
        db.session.commit()
        click.echo(
            f"Demo: {result.units_created} units, {result.figures_created} figures, "
            f"{result.users_created} users, {result.campaigns_created} campaigns "
            f"({result.responses_filled} reports under way, {result.survey_answers} survey "
            f"answers, {result.imported_rows} imported rows, "
            f"{result.registry_records} registry records) created."
        )
    existing = set(db.session.scalars(select(User.username)))
    logins = [login for login in DEMO_LOGINS if login.username in existing]
    if logins:
        click.echo("Demo logins (login / password — role):")
        names = max(len(login.username) for login in logins)
        words = max(len(login.password) for login in logins)
        for login in logins:
            click.echo(
                f"  {login.username:<{names}} / {login.password:<{words}} — {login.description}"
            )


def init_app(app: Flask) -> None:
    app.cli.add_command(seed_demo_command)
    app.cli.add_command(users_cli)
    app.cli.add_command(units_cli)
    app.cli.add_command(schemas_cli)
    app.cli.add_command(campaigns_cli)
    app.cli.add_command(recommendations_cli)
    app.cli.add_command(jobs_cli)
    app.cli.add_command(backup_cli)
    app.cli.add_command(files_cli)
