"""Reading a printed PDF back: its pages' text, as pypdf extracts it."""

from __future__ import annotations

import io
import re

from pypdf import PdfReader


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
