"""Making a PDF reads the app's own static files and nothing else (collector/printing/pdf):
no other host, no file outside the static folder, no way up out of it."""

from __future__ import annotations

import io
import socket
import urllib.request
from pathlib import Path

import pytest
from pypdf import PdfReader

from collector.printing.pdf import ORIGIN, Refused, StaticFiles, pdf_of

STATIC = Path(__file__).resolve().parents[2] / "collector" / "static"


def test_the_static_files_are_served_from_disk():
    reply = StaticFiles(STATIC).response(f"{ORIGIN}/static/print.css")
    assert reply.read() == (STATIC / "print.css").read_bytes()
    assert reply.headers.get_content_type() == "text/css"


@pytest.mark.parametrize(
    "url",
    [
        "http://example.org/static/print.css",  # another host
        "https://collector.invalid/static/print.css",  # another scheme
        "file:///etc/passwd",
        f"{ORIGIN}/etc/passwd",  # not under /static/
        f"{ORIGIN}/static/../__init__.py",  # out of the folder
        f"{ORIGIN}/static/%2e%2e/__init__.py",
        f"{ORIGIN}/static/vendor",  # a folder
        f"{ORIGIN}/static/nothing.css",
        "data:text/css,body{color:red}",
    ],
)
def test_anything_else_is_refused(url):
    with pytest.raises(Refused):
        StaticFiles(STATIC).file_of(url)


def test_under_a_prefix_the_static_path_is_the_apps(tmp_path):
    (tmp_path / "a.css").write_text("p{}", encoding="utf-8")
    files = StaticFiles(tmp_path, "/collector/static/")
    assert files.file_of(f"{ORIGIN}/collector/static/a.css") == (tmp_path / "a.css").resolve()
    with pytest.raises(Refused):
        files.file_of(f"{ORIGIN}/static/a.css")


def test_a_page_is_made_without_the_network(tmp_path, monkeypatch):
    """The page's own stylesheet (A5 pages) is read; another host's (A3) and a local
    file are not asked for: no connection is opened while the PDF is made."""
    (tmp_path / "a5.css").write_text("@page { size: A5; }", encoding="utf-8")
    opened: list[object] = []

    def refuse(*args: object, **kwargs: object) -> None:
        opened.append(args)
        raise AssertionError("the network was used")

    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(urllib.request.OpenerDirector, "open", refuse)
    page = (
        '<html><head><link rel="stylesheet" href="/static/a5.css">'
        '<link rel="stylesheet" href="http://example.org/a3.css"></head>'
        '<body><p>Справка</p><img src="file:///etc/hostname"><img src="https://example.org/x.png">'
        "</body></html>"
    )
    content = pdf_of(page, tmp_path)
    assert opened == []
    [first] = PdfReader(io.BytesIO(content)).pages
    width, height = float(first.mediabox.width), float(first.mediabox.height)
    assert (round(width), round(height)) == (420, 595)  # A5 in points: 148 × 210 mm
    assert "Справка" in first.extract_text()
