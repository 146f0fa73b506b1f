"""The per-account brake on guessing: a slowing delay, never a refusal.

Refusing an account's logins after some failures would hand anyone a way to lock a real user
out (spend the account's attempts from anywhere). The hard limits are therefore per address
and per address-and-account (Flask-Limiter, in views); per account there is only a delay:
after a few failed attempts on an account within a window, every attempt on it waits a
little before the password is checked, the wait doubling with each failure up to a small
cap. The right password is never refused, from any address; it may wait at most the cap.

Why a bounded sleep: a guesser that waits for answers is slowed to one try per cap, and one
that does not wait is held by the per-address limits, which are counted before the view
runs, so the number of sleeping requests is bounded by them too. The cap is kept short
(two seconds by default) so that a sleeping attempt never holds a worker for long.

The failures are counted in the rate limiter's store (memory, or Redis shared by every app
process), under the normalised login, and expire with the window."""

from __future__ import annotations

from limits.storage import Storage

_PREFIX = "login-failures:"


def _key(prefix: str, login: str) -> str:
    return f"{prefix}{_PREFIX}{login}"


def failures(storage: Storage, prefix: str, login: str) -> int:
    return int(storage.get(_key(prefix, login)) or 0)


def record_failure(storage: Storage, prefix: str, login: str, window_seconds: int) -> int:
    """Counts one failed attempt; the count expires `window_seconds` after the first."""
    return int(storage.incr(_key(prefix, login), window_seconds))


def forget_failures(storage: Storage, prefix: str, login: str) -> None:
    storage.clear(_key(prefix, login))


def delay_seconds(failed: int, *, free: int, first: float, cap: float) -> float:
    """The wait before an attempt on an account that failed `failed` times lately: none for
    the first `free` failures, then `first`, doubling per failure, never above `cap`."""
    if failed < free:
        return 0.0
    # The exponent is bounded so that a large count cannot overflow the float.
    return float(min(cap, first * 2 ** min(failed - free, 32)))
