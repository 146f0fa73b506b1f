"""Entry point for `flask --app wsgi` and WSGI servers."""

from collector import create_app

app = create_app()
