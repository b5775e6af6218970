"""Publishing fast-changing values (attendee counts) at most once per window.

When a session starts, every waiting tab joins at once; publishing the count on each join
would cost audience² deliveries. Instead the first change in a window schedules one
publish at its end carrying the latest value: at most one push per topic per window.
"""

from __future__ import annotations

import threading
from typing import Any

from webinar_app.realtime.broker import publish

WINDOW_SECONDS = 1.0

_lock = threading.Lock()
_pending: dict[tuple[str, str], dict[str, Any]] = {}


def publish_latest(topic: str, kind: str, *, window: float = WINDOW_SECONDS, **data: Any) -> None:
    """Publish `kind` on `topic` within `window` seconds, with the newest `data` given."""
    key = (topic, kind)
    with _lock:
        first = key not in _pending
        _pending[key] = data
    if not first:
        return
    if window <= 0:
        _flush(key)
        return
    timer = threading.Timer(window, _flush, args=(key,))
    timer.daemon = True
    timer.start()


def _flush(key: tuple[str, str]) -> None:
    with _lock:
        data = _pending.pop(key, None)
    if data is not None:
        publish(key[0], key[1], **data)
