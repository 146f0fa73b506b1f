from collections.abc import Mapping, Sequence
from email.message import EmailMessage

class URLFetcherResponse:
    url: str
    status: int
    headers: EmailMessage
    def __init__(
        self,
        url: str,
        body: bytes | str | None = ...,
        headers: Mapping[str, str] | EmailMessage | None = ...,
        status: int = ...,
    ) -> None: ...

class URLFetcher:
    def __init__(
        self,
        timeout: float = ...,
        ssl_context: object = ...,
        http_headers: Mapping[str, str] | None = ...,
        allowed_protocols: Sequence[str] | None = ...,
        allow_redirects: bool = ...,
        fail_on_errors: bool = ...,
    ) -> None: ...
    def fetch(self, url: str, headers: Mapping[str, str] | None = ...) -> URLFetcherResponse: ...
