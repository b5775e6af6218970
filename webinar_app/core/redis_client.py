"""One synchronous Redis client per URL for the small helpers that talk to Redis directly
(rate limits, throttle slots, the catalog version). Short timeouts: each caller has a
fallback for Redis being away and must not hang a request waiting for it."""

from __future__ import annotations

from functools import lru_cache
from typing import Any


@lru_cache(maxsize=4)
def sync_redis(url: str) -> Any:
    import redis

    return redis.Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)
