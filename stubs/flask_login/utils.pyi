from collections.abc import Callable
from datetime import timedelta
from typing import Any, ParamSpec, TypeVar

_P = ParamSpec("_P")
_R = TypeVar("_R")

# The app's user model for a logged-in user, else the login manager's anonymous user:
# which class that is the library cannot know.
current_user: Any

def encode_cookie(payload: str, key: str | None = None) -> str: ...
def decode_cookie(cookie: str, key: str | None = None) -> str | None: ...
def login_required(func: Callable[_P, _R]) -> Callable[_P, _R]: ...
def fresh_login_required(func: Callable[_P, _R]) -> Callable[_P, _R]: ...
def login_user(
    user: Any,
    remember: bool = False,
    duration: timedelta | None = None,
    force: bool = False,
    fresh: bool = True,
) -> bool: ...
def logout_user() -> bool: ...
def login_fresh() -> bool: ...
