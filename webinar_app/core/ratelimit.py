"""Fixed-window rate limits shared by every worker when Redis is configured.

Used for things a client could flood (live reactions, failed logins). With `REDIS_URL`
the count lives in Redis (INCR + EXPIRE), so several backend workers enforce one limit;
without it, a process-local table does (the embedded single-process default). Redis
being unreachable never blocks a user: the limiter then falls back to the local table.
"""

from __future__ import annotations

import logging
import threading
import time

from webinar_app.core.config import get_settings
from webinar_app.core.redis_client import sync_redis

log = logging.getLogger(__name__)

_lock = threading.Lock()
_local: dict[str, tuple[int, float]] = {}  # key -> (count, window end)
_MAX_LOCAL_KEYS = 100_000




def _window_key(key: str, window: float, now: float) -> tuple[str, float]:
    start = int(now // window)
    return f"ratelimit:{key}:{start}", (start + 1) * window


def _local_hit(key: str, window: float, now: float, cost: int) -> int:
    bucket, ends = _window_key(key, window, now)
    with _lock:
        if len(_local) > _MAX_LOCAL_KEYS:
            for stale in [k for k, (_, end) in _local.items() if end <= now]:
                del _local[stale]
        count, _ = _local.get(bucket, (0, ends))
        count += cost
        _local[bucket] = (count, ends)
        return count


def _count(key: str, window: float, cost: int) -> int:
    now = time.time()
    url = get_settings().redis_url
    if url:
        bucket, _ = _window_key(key, window, now)
        try:
            client = sync_redis(url)
            pipe = client.pipeline()
            pipe.incrby(bucket, cost)
            pipe.expire(bucket, int(window) + 1)
            return int(pipe.execute()[0])
        except Exception as exc:  # Redis down: keep limiting, per process
            log.warning("rate limit falls back to process memory: %s", exc)
    return _local_hit(key, window, now, cost)


def hit(key: str, limit: int, window: float) -> bool:
    """Count one attempt under `key`; True while at most `limit` happened in this window."""
    return _count(key, window, 1) <= limit


def peek(key: str, limit: int, window: float) -> bool:
    """True when one more attempt would still be allowed (counts nothing)."""
    return _count(key, window, 0) < limit


def undo(key: str, window: float) -> None:
    """Take back one attempt counted by `hit` that turned out not to count (e.g. a login
    that succeeded). Counting first and undoing later lets a burst of concurrent attempts
    never get past the limit, which a `peek` before the work could not guarantee."""
    _count(key, window, -1)


def seconds_left(window: float) -> int:
    """Until the current window ends (for a Retry-After)."""
    now = time.time()
    return max(1, int(_window_key("", window, now)[1] - now + 0.999))


def reset_local() -> None:
    """Tests: forget process-local counts."""
    with _lock:
        _local.clear()
