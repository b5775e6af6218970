"""Cross-process fan-out through Redis pub/sub.

Every backend process publishes to one Redis channel and runs one listener that hands
each event to its own in-process subscribers (the browsers connected to that process).
A process therefore sees its own events via Redis too, so nothing is delivered twice.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable

import redis.asyncio as aioredis

from webinar_app.core.redis_sender import sender
from webinar_app.realtime.broker import Callback, Event, InProcessBroker

log = logging.getLogger(__name__)
CHANNEL = "webinar:events"


def encode(topic: str, event: Event) -> str:
    """One line: the topic, a tab, the event as JSON (which escapes any newline or tab)."""
    if "\t" in topic or "\n" in topic:
        raise ValueError(f"bad topic {topic!r}")
    return topic + "\t" + json.dumps({"kind": event.kind, "data": event.data}, default=str)


class RedisBroker:
    """`publish` queues the event for this process's Redis sender thread (services call it
    from worker threads, after their commit, and need not wait); `listen` is a task."""

    def __init__(self, url: str, channel: str = CHANNEL) -> None:
        self.url = url
        self.channel = channel
        self.local = InProcessBroker()

    def publish(self, topic: str, event: Event) -> None:
        sender(self.url).publish(self.channel, encode(topic, event))

    def flush(self, timeout: float = 5.0) -> bool:
        """Wait until the events published so far have reached Redis."""
        return sender(self.url).flush(timeout)

    def subscribe(self, topic: str, callback: Callback) -> Callable[[], None]:
        return self.local.subscribe(topic, callback)

    def _deliver(self, data: bytes | str) -> None:
        """Hand each event of one message to this process's subscribers. An event whose topic
        nobody here follows is skipped before its JSON is parsed: every process receives every
        event, and most are for browsers connected elsewhere."""
        text = data.decode() if isinstance(data, bytes) else data
        for line in text.split("\n"):
            topic, _, body = line.partition("\t")
            if not body:
                log.warning("ignoring malformed realtime message")
                continue
            if not self.local.subscriber_count(topic):
                continue
            try:
                item = json.loads(body)
                event = Event(kind=item["kind"], data=item.get("data") or {})
            except (ValueError, KeyError, TypeError):
                log.warning("ignoring malformed realtime message")
                continue
            self.local.publish(topic, event)

    async def listen(self, ready: asyncio.Event | None = None) -> None:
        """Forward every event on the channel to this process's subscribers, reconnecting."""
        while True:
            client = aioredis.Redis.from_url(self.url)
            try:
                async with client.pubsub() as pubsub:
                    await pubsub.subscribe(self.channel)
                    if ready is not None:
                        ready.set()
                    async for message in pubsub.listen():
                        if message.get("type") != "message":
                            continue
                        self._deliver(message["data"])
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # connection lost: retry, events meanwhile are missed
                log.warning("realtime listener lost Redis (%s); reconnecting", exc)
                await asyncio.sleep(1)
            finally:
                await client.aclose()
