"""Collector: form-driven data collection for career-guidance monitoring."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flask import Flask


def with_driver(url: str) -> str:
    """postgres:// and postgresql:// URLs (as hosting services hand them out) get the
    psycopg 3 driver this project installs; SQLAlchemy would otherwise look for psycopg2."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url.removeprefix(prefix)
    return url


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    # Imported here so that the pure packages (collector.schema, …) load without Flask.
    from flask import Flask

    from collector.config import DefaultConfig
    from collector.routing import BoundedIntegerConverter

    app = Flask(__name__, instance_relative_config=True)
    app.url_map.converters["int"] = BoundedIntegerConverter
    app.config.from_object(DefaultConfig)
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
        app.config.from_prefixed_env("COLLECTOR")
        if os.environ.get("DATABASE_URL"):
            app.config["SQLALCHEMY_DATABASE_URI"] = with_driver(os.environ["DATABASE_URL"])
    else:
        app.config.from_mapping(test_config)
    if not app.config["SQLALCHEMY_DATABASE_URI"]:
        os.makedirs(app.instance_path, exist_ok=True)
        db_file = os.path.join(app.instance_path, "collector.sqlite")
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{db_file}"
    if not app.config.get("JOB_FOLDER"):
        app.config["JOB_FOLDER"] = os.path.join(app.instance_path, "jobs")
    if not app.config.get("FILE_FOLDER"):
        app.config["FILE_FOLDER"] = os.path.join(app.instance_path, "files")
    from collector.storage import check_settings

    check_settings(app.config)  # an object storage setting lacking its bucket, said now
    # With Redis configured, counters (rate limits) live there too, so that limits hold
    # across app processes.
    if app.config.get("REDIS_URL") and app.config["RATELIMIT_STORAGE_URI"] == "memory://":
        app.config["RATELIMIT_STORAGE_URI"] = app.config["REDIS_URL"]
    if not app.config.get("SECRET_KEY"):
        raise RuntimeError(
            "SECRET_KEY is not set: put it in instance/config.py (make run writes one) "
            "or the COLLECTOR_SECRET_KEY environment variable"
        )

    from collector import branding, cli, errors, health, i18n, logs, web
    from collector.analysis import mailing as recommendation_mail
    from collector.analysis import pdf_job as analysis_pdf
    from collector.analysis import views as analysis_views
    from collector.api import blueprint as api_blueprint
    from collector.api import views as api_views
    from collector.api.endpoints import catalog as api_catalog
    from collector.api.endpoints import imports as api_imports
    from collector.api.endpoints import reports as api_reports
    from collector.api.endpoints import responses as api_responses
    from collector.api.endpoints import webhooks as api_webhooks
    from collector.auth import reset as auth_reset
    from collector.auth import views as auth_views
    from collector.campaigns import imports as campaign_imports
    from collector.campaigns import notices, reminders
    from collector.campaigns import views as campaign_views
    from collector.designer import views as designer_views
    from collector.entry import views as entry_views
    from collector.extensions import csrf, db, limiter, login_manager, migrate
    from collector.jobs import views as job_views
    from collector.jobs.registry import register_job_kinds
    from collector.main import views as main_views
    from collector.printing import views as printing_views
    from collector.registries import views as registry_views
    from collector.reports import jobs as report_jobs
    from collector.reports import views as report_views
    from collector.surveys import views as survey_views
    from collector.units import jobs as unit_jobs
    from collector.units import views as unit_views
    from collector.users import reset_mail
    from collector.users import views as user_views
    from collector.webhooks import delivery as webhook_delivery
    from collector.webhooks import events as webhook_events
    from collector.webhooks.cli import webhooks_cli

    logs.init_app(app)
    db.init_app(app)
    migrate.init_app(app, db, directory=os.path.join(app.root_path, os.pardir, "migrations"))
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    i18n.init_app(app)
    errors.init_app(app)
    web.init_app(app)
    branding.init_app(app)
    cli.init_app(app)
    app.cli.add_command(webhooks_cli)
    webhook_events.listen()

    app.register_blueprint(auth_views.bp)
    app.register_blueprint(main_views.bp)
    app.register_blueprint(unit_views.bp)
    app.register_blueprint(user_views.bp)
    app.register_blueprint(entry_views.bp)
    app.register_blueprint(campaign_views.bp)
    app.register_blueprint(survey_views.bp)
    app.register_blueprint(report_views.bp)
    app.register_blueprint(analysis_views.bp)
    app.register_blueprint(printing_views.bp)
    app.register_blueprint(job_views.bp)
    app.register_blueprint(registry_views.bp)
    app.register_blueprint(registry_views.public_bp)
    app.register_blueprint(designer_views.bp)
    app.register_blueprint(health.bp)
    # The JSON API (/api/v1): its parts under one root blueprint, which reads the token
    # and keeps one rate allowance per token across them.
    api_blueprint.init_app(
        app,
        (
            api_views.bp,
            api_catalog.bp,
            api_imports.bp,
            api_reports.bp,
            api_responses.bp,
            api_webhooks.bp,
        ),
        identify=api_views.identify,
        rate_limit=api_views.rate_limit,
        rate_key=api_views.rate_key,
    )
    app.register_blueprint(api_views.tokens_bp)

    register_job_kinds(
        app,
        {
            unit_jobs.IMPORT_JOB: unit_jobs.units_import,
            report_jobs.EXPORT_JOB: report_jobs.campaign_export,
            report_jobs.INDICATORS_JOB: report_jobs.campaign_indicators,
            analysis_pdf.PDF_JOB: analysis_pdf.analytical_report_pdf,
            campaign_imports.IMPORT_TABLE_JOB: campaign_imports.campaign_import,
            reminders.REMINDER_JOB: reminders.reminders_job,
            notices.NOTICE_JOB: notices.notices_job,
            recommendation_mail.MAIL_JOB: recommendation_mail.mail_job,
            reset_mail.RESET_JOB: reset_mail.reset_mail_job,
            webhook_delivery.WEBHOOK_JOB: webhook_delivery.webhook_deliveries,
        },
    )
    # The reset page queues its mailing through this (auth sits below jobs).
    app.extensions[auth_reset.MAILER_EXTENSION] = reset_mail.queue
    return app
