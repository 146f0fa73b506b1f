"""A print-ready page made into PDF by WeasyPrint, without the network: the page's own
links (its stylesheet) are read from the app's static folder on disk; any other address
(another host, a file elsewhere, a data: URL) is refused, so making a PDF never waits on,
nor tells anything to, another machine. Pure: no Flask (the view says where the static
files are and under which URL path the page names them)."""

from __future__ import annotations

import mimetypes
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import unquote, urlsplit

from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

# The page's base address: .invalid names no host anywhere (RFC 2606), so an address
# the fetcher let through by mistake could still reach nothing.
ORIGIN = "http://collector.invalid"


class Refused(ValueError):
    """An address outside the app's static files."""


class StaticFilesOnly(URLFetcher):
    """Serves `ORIGIN` + `static_path` + a file of `folder`, and nothing else."""

    def __init__(self, folder: Path, static_path: str = "/static/") -> None:
        super().__init__(allowed_protocols=("http",), allow_redirects=False)
        self.folder = folder.resolve()
        self.prefix = ORIGIN + static_path

    def fetch(self, url: str, headers: Mapping[str, str] | None = None) -> URLFetcherResponse:
        return URLFetcherResponse(url, self.read(url), {"Content-Type": self.content_type(url)})

    def file_of(self, url: str) -> Path:
        """The static file an address names, or Refused."""
        if not url.startswith(self.prefix):
            raise Refused(url)
        parts = urlsplit(url)
        relative = unquote(parts.path[len(urlsplit(self.prefix).path) :])
        target = (self.folder / relative).resolve()
        if not target.is_relative_to(self.folder) or not target.is_file():
            raise Refused(url)
        return target

    def read(self, url: str) -> bytes:
        return self.file_of(url).read_bytes()

    def content_type(self, url: str) -> str:
        guessed, _encoding = mimetypes.guess_type(self.file_of(url).name)
        return guessed or "application/octet-stream"


def pdf_of(page: str, static_folder: Path, static_path: str = "/static/") -> bytes:
    """The PDF of a print-ready HTML page whose links are the app's static files under
    `static_path` (as url_for writes them: "/static/", or under the app's prefix)."""
    document = HTML(
        string=page,
        base_url=ORIGIN + "/",
        url_fetcher=StaticFilesOnly(static_folder, static_path),
        media_type="print",
    )
    return document.write_pdf()
