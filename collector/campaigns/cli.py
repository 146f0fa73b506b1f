"""`flask campaigns remind`: run it from cron (hourly is fine; it never repeats itself)."""

from __future__ import annotations

from collections.abc import Callable

import click
from flask import current_app
from flask.cli import AppGroup

from collector.campaigns.reminders import send_reminders
from collector.extensions import db

campaigns_cli = AppGroup("campaigns", help="Run campaigns from the command line.")


def remind_options(command: Callable[..., None]) -> Callable[..., None]:
    """--days-before and --dry-run, as every reminding command takes them."""
    command = click.option(
        "--dry-run", is_flag=True, help="List the reminders due without sending."
    )(command)
    return click.option(
        "--days-before",
        type=int,
        multiple=True,
        help="Days before a deadline to remind (repeatable); default REMINDER_DAYS_BEFORE.",
    )(command)


@campaigns_cli.command("remind")
@remind_options
def remind(days_before: tuple[int, ...], dry_run: bool) -> None:
    """E-mail the contacts of units that have not submitted, before and after deadlines."""
    result = send_reminders(
        db.session(),
        current_app.config,
        days_before=days_before or None,
        dry_run=dry_run,
    )
    verb = "Due" if dry_run else "Sent"
    for reminder in result.sent:
        click.echo(
            f"{verb}: {reminder.kind:<9} {reminder.unit.code} → {', '.join(reminder.recipients)}"
        )
    for reminder, reason in result.failed:
        click.echo(f"Refused by the mail server: {reminder.unit.code}: {reason}")
    for reminder in result.no_address:
        click.echo(f"No e-mail address: {reminder.unit.code} ({reminder.campaign.title})")
    click.echo(f"{len(result.sent)} reminders {'due' if dry_run else 'sent'}.")
