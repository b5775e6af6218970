"""Run a "recompute and publish" at most once per window per key, across every worker.

Votes arrive by the hundred per second; publishing results on each would cost votes x
audience deliveries. Instead a vote marks its poll dirty: the first mark runs the flush at
once (leading edge, so a quiet poll answers fast), later marks within the window run one
more flush at its end (trailing edge), which reads the database and so includes every vote
committed until then. With Redis, a `SET NX PX` slot per key makes the bound hold for the
whole cluster, not per process: a worker that misses the slot retries when it expires.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from webinar_app.core.config import get_settings
from webinar_app.core.redis_client import sync_redis

log = logging.getLogger(__name__)

_lock = threading.Lock()
_pending: set[str] = set()
_last_run: dict[str, float] = {}




def _cluster_slot(key: str, window: float) -> float:
    """0 when this worker may flush now; else seconds until another worker's slot expires."""
    url = get_settings().redis_url
    if not url:
        return 0.0
    try:
        client = sync_redis(url)
        name = f"throttle:{key}"
        if client.set(name, b"1", nx=True, px=max(1, int(window * 1000))):
            return 0.0
        ttl = client.pttl(name)
        return max(ttl, 1) / 1000 if ttl and ttl > 0 else 0.0
    except Exception as exc:  # Redis away: the per-process bound still holds
        log.warning("throttle slot unavailable (%s): flushing per process", exc)
        return 0.0


def mark(key: str, flush: Callable[[], None], *, window: float) -> None:
    """Ask for `flush` to run soon; runs at most once per `window` for `key`."""
    with _lock:
        if key in _pending:
            return
        _pending.add(key)
        delay = max(0.0, _last_run.get(key, 0.0) + window - time.monotonic())
    _schedule(key, flush, window, delay)


def _schedule(key: str, flush: Callable[[], None], window: float, delay: float) -> None:
    timer = threading.Timer(delay, _run, args=(key, flush, window))
    timer.daemon = True
    timer.start()


def _run(key: str, flush: Callable[[], None], window: float) -> None:
    wait = _cluster_slot(key, window)
    if wait > 0:
        _schedule(key, flush, window, wait)
        return
    with _lock:
        _pending.discard(key)  # marks from now on schedule the next run
        _last_run[key] = time.monotonic()
    try:
        flush()
    except Exception:
        log.exception("throttled flush %s failed", key)
