"""Backups of the database: `flask backup create` and `flask backup restore` (cli.py), the
work itself in services.py (no Flask, no request)."""
