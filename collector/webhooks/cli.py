"""`flask webhooks deliver`: send what is due (from cron every minute: the retries)."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from collector.extensions import db
from collector.webhooks.delivery import deliver_due

webhooks_cli = AppGroup("webhooks", help="Webhook deliveries.")


@webhooks_cli.command("deliver")
def deliver_command() -> None:
    """Send every delivery that is due (first attempts and retries)."""
    went, failed = deliver_due(db.session())
    click.echo(f"delivered {went}, failed {failed}")
