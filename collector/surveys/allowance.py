"""How many answers a survey link and an address may send, counted only for answers that
are taken: empty or refused sends cannot use up a school's allowance and lock its parents
out, and a script is stopped.

Counted with the `limits` library in the store Flask-Limiter is configured with (Redis in
production, so that every process agrees), one atomic check-and-count per window when an
answer is about to be stored: Flask-Limiter's `deduct_when` tested every window before the
view and counted it after, twice the store's round trips on the busiest request of a
deadline, and two sends at once could both pass the test. While the store does not
answer, each process counts in its own memory, as Flask-Limiter's fallback does."""

from __future__ import annotations

import logging
import math
import threading
import time
from dataclasses import dataclass

from flask import current_app
from limits import RateLimitItem, parse_many
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter, RateLimiter

from collector.extensions import limiter

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Refusal:
    """An answer not taken: the window that is full, and when it has room again."""

    retry_after: int


class _Fallback:
    """The per-process count used while the shared store does not answer; the store is
    tried again after a few seconds (not on every answer: a store that does not answer
    may take its time to say so)."""

    RETRY_AFTER = 5.0

    def __init__(self) -> None:
        self.strategy = MovingWindowRateLimiter(MemoryStorage())
        self.lock = threading.Lock()
        self.dead_until = 0.0

    def store_down(self) -> bool:
        return time.monotonic() < self.dead_until

    def mark_down(self) -> None:
        if not self.store_down():
            logger.warning("survey limits counted per process: the limit store does not answer")
        self.dead_until = time.monotonic() + self.RETRY_AFTER


_FALLBACK = _Fallback()


def _windows(config_key: str) -> list[RateLimitItem]:
    text = current_app.config.get(config_key) or ""
    return list(parse_many(text)) if text else []


def take(token: str, address: str) -> Refusal | None:
    """Count one answer through this link from this address in every window; a Refusal
    when one of them is full."""
    if not current_app.config.get("RATELIMIT_ENABLED", True):
        return None
    prefix = current_app.config.get("RATELIMIT_KEY_PREFIX") or "collector"
    checks = [
        *((item, f"{prefix}/survey/{token}") for item in _windows("SURVEY_RATE_LIMIT")),
        *(
            (item, f"{prefix}/survey-address/{address}")
            for item in _windows("SURVEY_ADDRESS_RATE_LIMIT")
        ),
    ]
    if not _FALLBACK.store_down():
        try:
            return _take(limiter.limiter, checks)
        except Exception:  # noqa: BLE001 - any store failure: count in this process instead
            _FALLBACK.mark_down()
    with _FALLBACK.lock:
        return _take(_FALLBACK.strategy, checks)


def _take(strategy: RateLimiter, checks: list[tuple[RateLimitItem, str]]) -> Refusal | None:
    for item, key in checks:
        if not strategy.hit(item, key):
            reset = strategy.get_window_stats(item, key).reset_time
            return Refusal(max(1, min(item.get_expiry(), math.ceil(reset - time.time()))))
    return None


def reset() -> None:
    """Forget what this process counted while the store was down (tests)."""
    with _FALLBACK.lock:
        _FALLBACK.strategy.storage.reset()
        _FALLBACK.dead_until = 0.0
