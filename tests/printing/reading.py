"""Reading a printed PDF back: its pages' text, as pypdf extracts it; one made by a job
fetched as its page offers it."""

from __future__ import annotations

import io
import re

from flask.testing import FlaskClient
from pypdf import PdfReader

from tests.reports.test_exports import wait_for_job


def pages_of(content: bytes) -> list[str]:
    assert content.startswith(b"%PDF-")
    return [page.extract_text() for page in PdfReader(io.BytesIO(content)).pages]


def flat(text: str) -> str:
    """Whitespace (a line broken in a table's cell, a no-break space) as one space; a
    line broken after a dash or a slash inside a word («инженерно-технических»,
    «1–11», «уголком/кабинетом») joined."""
    joined = re.sub(r"(?<=\S)([-–/])\n", r"\1", text)
    return re.sub(r"\s+", " ", joined.replace("\xa0", " ")).strip()


def footers_count_the_pages(pages: list[str]) -> None:
    """Every page's foot says «стр. N из M» with its own number and the real count."""
    for number, text in enumerate(pages, start=1):
        assert f"стр. {number} из {len(pages)}" in flat(text), number


def pdf_by_job(client: FlaskClient, url: str) -> bytes:
    """Ask for a PDF made by a job (a POST to `url`), wait for it, take its file."""
    started = client.post(url)
    assert started.status_code == 302, started.status_code
    job_id = started.headers["Location"].rstrip("/").rsplit("/", 1)[1]
    status = wait_for_job(client, job_id)
    assert status["state"] == "done", status
    download = client.get(status["download"])
    assert download.status_code == 200 and download.mimetype == "application/pdf"
    content = download.data
    download.close()  # send_file streams the file: let it go
    return content
