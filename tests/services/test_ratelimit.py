"""The fixed-window limiter: per process without Redis, shared through Redis with it, and
never blocking anyone when Redis is configured but down."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator

import pytest

from webinar_app.core import ratelimit
from webinar_app.core.config import get_settings, reset_settings_cache

REDIS_URL = "redis://127.0.0.1:6379/0"


def _key() -> str:
    return f"test-ratelimit:{uuid.uuid4().hex}"


def _redis_up() -> bool:
    try:
        import redis

        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=0.5).ping())
    except Exception:
        return False


@pytest.fixture
def with_redis(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    if not _redis_up():
        pytest.skip("Redis is not running")
    monkeypatch.setenv("REDIS_URL", REDIS_URL)
    reset_settings_cache()
    assert get_settings().redis_url == REDIS_URL
    yield REDIS_URL
    monkeypatch.delenv("REDIS_URL", raising=False)
    reset_settings_cache()


def test_local_allows_up_to_the_limit_then_refuses() -> None:
    assert get_settings().redis_url is None
    key = _key()
    assert [ratelimit.hit(key, 3, 60) for _ in range(5)] == [True, True, True, False, False]
    assert ratelimit.hit(_key(), 3, 60) is True  # another key has its own count


def test_peek_counts_nothing() -> None:
    key = _key()
    assert ratelimit.peek(key, 1, 60) is True
    assert ratelimit.peek(key, 1, 60) is True
    assert ratelimit.hit(key, 1, 60) is True
    assert ratelimit.peek(key, 1, 60) is False


def test_a_new_window_starts_afresh() -> None:
    key, window = _key(), 0.3
    time.sleep(window - (time.time() % window) + 0.01)  # start at the beginning of a window
    assert ratelimit.hit(key, 1, window) is True
    assert ratelimit.hit(key, 1, window) is False
    time.sleep(window + 0.02)
    assert ratelimit.hit(key, 1, window) is True


def test_reset_local_forgets_counts() -> None:
    key = _key()
    assert ratelimit.hit(key, 1, 60) and not ratelimit.hit(key, 1, 60)
    ratelimit.reset_local()
    assert ratelimit.hit(key, 1, 60) is True


def test_seconds_left_is_a_whole_positive_retry_after() -> None:
    left = ratelimit.seconds_left(10)
    assert isinstance(left, int) and 1 <= left <= 10


def test_redis_holds_the_count_for_every_worker(with_redis: str) -> None:
    import redis

    key = _key()
    assert [ratelimit.hit(key, 2, 60) for _ in range(3)] == [True, True, False]
    # the count lives in Redis: forgetting this process's table changes nothing
    ratelimit.reset_local()
    assert ratelimit.hit(key, 2, 60) is False
    client = redis.Redis.from_url(with_redis)
    stored = client.keys(f"ratelimit:{key}:*")
    assert len(stored) == 1 and int(client.get(stored[0])) == 4
    assert 0 < client.ttl(stored[0]) <= 61  # buckets expire: Redis does not fill up
    client.delete(*stored)


def test_redis_down_falls_back_to_process_memory(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:1/0")  # nothing listens there
    reset_settings_cache()
    try:
        key = _key()
        assert [ratelimit.hit(key, 2, 60) for _ in range(3)] == [True, True, False]
    finally:
        monkeypatch.delenv("REDIS_URL", raising=False)
        reset_settings_cache()
