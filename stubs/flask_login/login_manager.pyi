from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask
from werkzeug.wrappers import Response

_Loader = TypeVar("_Loader", bound=Callable[[str], Any])
_Handler = TypeVar("_Handler", bound=Callable[[], Any])

class LoginManager:
    login_view: str | None
    login_message: Any  # a text, or a marker the localize_callback translates
    login_message_category: str
    localize_callback: Callable[[str], str] | None
    session_protection: str | None
    anonymous_user: type[Any]
    def __init__(self, app: Flask | None = None, add_context_processor: bool = True) -> None: ...
    def init_app(self, app: Flask, add_context_processor: bool = True) -> None: ...
    def unauthorized(self) -> Response: ...
    def user_loader(self, callback: _Loader) -> _Loader: ...
    def unauthorized_handler(self, callback: _Handler) -> _Handler: ...
    def _update_request_context_with_user(self, user: Any = None) -> None: ...
