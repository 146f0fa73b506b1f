"""How many answers a survey link and an address may send, counted only for answers that
are taken: empty or refused sends cannot use up a school's allowance and lock its parents
out, and a script is stopped.

Counted in the store Flask-Limiter is configured with (Redis in production, so that every
process agrees), in `limits`' moving windows, once an answer is about to be stored: every
window is checked and then counted in one atomic step, so an answer refused by one window
uses up none of the others, and two sends at once cannot both take the last place.
On Redis that step is one script (WINDOWS_SCRIPT), one round trip for all windows: `limits`
counts a window per call, and four round trips were a fifth of an answer's time on the
busiest request of a deadline. Other stores go through `limits` window by window. While
the store does not answer, each process counts in its own memory, as Flask-Limiter's
fallback does."""

from __future__ import annotations

import functools
import logging
import math
import threading
import time
import weakref
from dataclasses import dataclass
from typing import Any

from flask import current_app
from limits import RateLimitItem, parse_many
from limits.storage import MemoryStorage, RedisStorage
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

# `limits`' moving-window lists (newest time first, one entry per answer counted), so
# Flask-Limiter's reset and window statistics read them as their own. KEYS are the
# windows' lists, ARGV the time now and then each window's amount and length in seconds.
# Replies 0 when counted, else {window number, its oldest counted time as text}.
WINDOWS_SCRIPT = """
local now = tonumber(ARGV[1])
for i, key in ipairs(KEYS) do
    local amount = tonumber(ARGV[2 * i])
    local length = tonumber(ARGV[2 * i + 1])
    local oldest = redis.call('lindex', key, amount - 1)
    if oldest and tonumber(oldest) >= now - length then
        return {i, oldest}
    end
end
for i, key in ipairs(KEYS) do
    redis.call('lpush', key, ARGV[1])
    redis.call('ltrim', key, 0, tonumber(ARGV[2 * i]) - 1)
    redis.call('expire', key, tonumber(ARGV[2 * i + 1]))
end
return 0
"""


def _windows(config_key: str) -> tuple[RateLimitItem, ...]:
    return _parsed(current_app.config.get(config_key) or "")


@functools.lru_cache(maxsize=16)
def _parsed(text: str) -> tuple[RateLimitItem, ...]:
    """A setting's windows, read once per text (limits' parser was a twentieth of an
    answer's time)."""
    return tuple(parse_many(text)) if text else ()


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
    if not checks:
        return None
    if not _FALLBACK.store_down():
        try:
            strategy = limiter.limiter
            if isinstance(strategy.storage, RedisStorage):
                return _take_on_redis(strategy.storage, checks)
            return _take(strategy, checks)
        except Exception:  # noqa: BLE001 - any store failure: count in this process instead
            _FALLBACK.mark_down()
    with _FALLBACK.lock:
        return _take(_FALLBACK.strategy, checks)


def _refusal(item: RateLimitItem, oldest: float, now: float) -> Refusal:
    """Come back when the window's oldest counted answer leaves it."""
    return Refusal(max(1, min(item.get_expiry(), math.ceil(oldest + item.get_expiry() - now))))


def _take_on_redis(
    storage: RedisStorage, checks: list[tuple[RateLimitItem, str]]
) -> Refusal | None:
    script = _SCRIPTS.get(storage)
    if script is None:
        # register_script's object runs EVALSHA, and loads the script if Redis forgot it.
        script = _SCRIPTS.setdefault(
            storage, storage.get_connection().register_script(WINDOWS_SCRIPT.encode())
        )
    now = time.time()
    keys = [storage.prefixed_key(item.key_for(key)) for item, key in checks]
    arguments: list[float | int] = [now]
    for item, _key in checks:
        arguments += [item.amount, item.get_expiry()]
    found = script(keys=keys, args=arguments)
    if not found:
        return None
    window, oldest = found
    return _refusal(checks[int(window) - 1][0], float(oldest), now)


# The registered script per store (one per process in practice).
_SCRIPTS: weakref.WeakKeyDictionary[RedisStorage, Any] = weakref.WeakKeyDictionary()


def _take(strategy: RateLimiter, checks: list[tuple[RateLimitItem, str]]) -> Refusal | None:
    """Window by window through `limits`: every window tested, then every one counted
    (the caller holds a lock, or the store is one that does not share)."""
    for item, key in checks:
        if not strategy.test(item, key):
            reset = strategy.get_window_stats(item, key).reset_time
            return _refusal(item, reset - item.get_expiry(), time.time())
    for item, key in checks:
        strategy.hit(item, key)
    return None


def reset() -> None:
    """Forget what this process counted while the store was down (tests)."""
    with _FALLBACK.lock:
        _FALLBACK.strategy.storage.reset()
        _FALLBACK.dead_until = 0.0
