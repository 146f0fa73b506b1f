from weasyprint.urls import URLFetcher

class HTML:
    def __init__(
        self,
        guess: object = ...,
        filename: str | None = ...,
        url: str | None = ...,
        file_obj: object = ...,
        string: str | None = ...,
        encoding: str | None = ...,
        base_url: str | None = ...,
        url_fetcher: URLFetcher | None = ...,
        media_type: str = ...,
    ) -> None: ...
    def write_pdf(self) -> bytes: ...
