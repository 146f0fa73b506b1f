"""A print-ready page made into PDF by WeasyPrint, without the network: the page's own
links (its stylesheet) are read from the app's static folder on disk; any other address
(another host, a file elsewhere, a data: URL) is refused, so making a PDF never waits on,
nor tells anything to, another machine. Pure: no Flask (the caller says where the static
files are and under which URL path the page names them).

WeasyPrint loads Pango from the system when it is imported: it is imported here only
when a PDF is made, so a server without those libraries still serves every page, and
says it cannot make the PDF (PdfUnavailable)."""

from __future__ import annotations

import mimetypes
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

if TYPE_CHECKING:
    from weasyprint.urls import URLFetcherResponse

# The page's base address: .invalid names no host anywhere (RFC 2606), so an address
# the fetcher let through by mistake could still reach nothing.
ORIGIN = "http://collector.invalid"


class Refused(ValueError):
    """An address outside the app's static files."""


class PdfUnavailable(RuntimeError):
    """WeasyPrint or the system libraries it loads (Pango) are missing."""


class StaticFiles:
    """The files of `folder`, named by `ORIGIN` + `static_path` + their path in it."""

    def __init__(self, folder: Path, static_path: str = "/static/") -> None:
        self.folder = folder.resolve()
        self.prefix = ORIGIN + static_path

    def file_of(self, url: str) -> Path:
        """The static file an address names, or Refused."""
        if not url.startswith(self.prefix):
            raise Refused(url)
        relative = unquote(urlsplit(url).path[len(urlsplit(self.prefix).path) :])
        target = (self.folder / relative).resolve()
        if not target.is_relative_to(self.folder) or not target.is_file():
            raise Refused(url)
        return target

    def response(self, url: str) -> URLFetcherResponse:
        """What WeasyPrint is given for an address: the file's bytes and type."""
        from weasyprint.urls import URLFetcherResponse

        path = self.file_of(url)
        guessed, _encoding = mimetypes.guess_type(path.name)
        content_type = guessed or "application/octet-stream"
        return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": content_type})


def pdf_of(page: str, static_folder: Path, static_path: str = "/static/") -> bytes:
    """The PDF of a print-ready HTML page whose links are the app's static files under
    `static_path` (as url_for writes them: "/static/", or under the app's prefix)."""
    try:
        from weasyprint import HTML
        from weasyprint.urls import URLFetcher
    except (OSError, ImportError) as missing:
        raise PdfUnavailable(str(missing)) from missing
    files = StaticFiles(static_folder, static_path)

    class StaticFilesOnly(URLFetcher):
        def fetch(self, url: str, headers: Mapping[str, str] | None = None) -> URLFetcherResponse:
            return files.response(url)

    document = HTML(
        string=page,
        base_url=ORIGIN + "/",
        url_fetcher=StaticFilesOnly(allowed_protocols=("http",), allow_redirects=False),
        media_type="print",
    )
    return document.write_pdf()
