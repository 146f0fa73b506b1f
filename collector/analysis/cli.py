"""`flask recommendations remind`: run it from cron beside `flask campaigns remind` (it
never repeats itself)."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from collector.analysis.deadlines import send_coordinator_reminders
from collector.campaigns.cli import remind_options
from collector.extensions import db

recommendations_cli = AppGroup(
    "recommendations", help="The recommendations after campaigns, from the command line."
)


@recommendations_cli.command("remind")
@remind_options
def remind(days_before: tuple[int, ...], dry_run: bool) -> None:
    """E-mail the coordinators of campaigns whose recommendations are due to be prepared
    or sent (the dates the form's document sets), before and once after each date."""
    run = send_coordinator_reminders(
        db.session(), current_app.config, days_before=days_before or None, dry_run=dry_run
    )
    verb = "Due" if dry_run else "Sent"
    for reminder in run.sent:
        click.echo(
            f"{verb}: {reminder.stored_kind:<16} {reminder.campaign.title} → "
            f"{', '.join(reminder.recipients)}"
        )
    for reminder, reason in run.failed:
        click.echo(f"Refused by the mail server: {reminder.campaign.title}: {reason}")
    for reminder in run.no_address:
        click.echo(f"No coordinator's e-mail address: {reminder.campaign.title}")
    click.echo(f"{len(run.sent)} reminders {'due' if dry_run else 'sent'}.")
