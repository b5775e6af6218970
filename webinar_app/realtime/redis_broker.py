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

import redis
import redis.asyncio as aioredis

from webinar_app.realtime.broker import Callback, Event, InProcessBroker

log = logging.getLogger(__name__)
CHANNEL = "webinar:events"


class RedisBroker:
    """`publish` is synchronous (services call it from worker threads); `listen` is a task."""

    def __init__(self, url: str, channel: str = CHANNEL) -> None:
        self.url = url
        self.channel = channel
        self.local = InProcessBroker()
        self._client = redis.Redis.from_url(url)

    def publish(self, topic: str, event: Event) -> None:
        payload = json.dumps({"topic": topic, "kind": event.kind, "data": event.data}, default=str)
        self._client.publish(self.channel, payload)

    def subscribe(self, topic: str, callback: Callback) -> Callable[[], None]:
        return self.local.subscribe(topic, callback)

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
                        try:
                            item = json.loads(message["data"])
                            event = Event(kind=item["kind"], data=item.get("data") or {})
                        except (ValueError, KeyError, TypeError):
                            log.warning("ignoring malformed realtime message")
                            continue
                        self.local.publish(item["topic"], event)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # connection lost: retry, events meanwhile are missed
                log.warning("realtime listener lost Redis (%s); reconnecting", exc)
                await asyncio.sleep(1)
            finally:
                await client.aclose()
