"""In-process publish/subscribe.

Services call `publish` synchronously (they run in threads under FastAPI and in Reflex
handlers); subscribers are callbacks, so a Reflex background task can forward events to its
own state. Delivery happens after the caller's transaction committed: publish is called
by services only after `commit()`.
"""

from __future__ import annotations

import logging
import threading
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

log = logging.getLogger(__name__)

# An event whose data carries this key (e.g. poll results) supersedes an undelivered earlier one
# with the same value for the same tab: under a backlog a tab gets the newest result, once.
SUPERSEDE_KEY = "supersedes"


@dataclass(frozen=True)
class Event:
    kind: str
    data: dict[str, Any] = field(default_factory=dict)


Callback = Callable[[str, Event], None]


class Broker(Protocol):
    def publish(self, topic: str, event: Event) -> None: ...

    def subscribe(self, topic: str, callback: Callback) -> Callable[[], None]: ...


class InProcessBroker:
    """Fan-out to callbacks registered in this process. A failing callback never stops others."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._subscribers: dict[str, list[Callback]] = defaultdict(list)

    def publish(self, topic: str, event: Event) -> None:
        with self._lock:
            callbacks = list(self._subscribers.get(topic, ()))
        for callback in callbacks:
            try:
                callback(topic, event)
            except Exception:  # a broken subscriber must not break the publisher
                log.exception("subscriber of %s failed", topic)

    def subscribe(self, topic: str, callback: Callback) -> Callable[[], None]:
        with self._lock:
            self._subscribers[topic].append(callback)

        def unsubscribe() -> None:
            with self._lock:
                subscribers = self._subscribers.get(topic, [])
                if callback in subscribers:
                    subscribers.remove(callback)
                if not subscribers:
                    self._subscribers.pop(topic, None)

        return unsubscribe

    def subscriber_count(self, topic: str) -> int:
        with self._lock:
            return len(self._subscribers.get(topic, ()))


_broker: Broker = InProcessBroker()


def get_broker() -> Broker:
    return _broker


def set_broker(broker: Broker) -> None:
    global _broker
    _broker = broker


def publish(topic: str, kind: str, **data: Any) -> None:
    _broker.publish(topic, Event(kind=kind, data=data))


def subscribe(topic: str, callback: Callback) -> Callable[[], None]:
    return _broker.subscribe(topic, callback)
