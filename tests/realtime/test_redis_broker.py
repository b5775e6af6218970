"""Cross-process fan-out through a real Redis: what one process publishes, every listener gets."""

from __future__ import annotations

import asyncio
import os
import threading
import uuid

import pytest
import redis

from webinar_app.realtime.broker import Event
from webinar_app.realtime.redis_broker import RedisBroker

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/9")


@pytest.fixture
def channel() -> str:
    try:
        redis.Redis.from_url(REDIS_URL).ping()
    except redis.ConnectionError:
        pytest.fail(f"Redis is not reachable at {REDIS_URL}")
    return f"test-events-{uuid.uuid4().hex}"


def test_two_brokers_on_one_channel_both_receive_each_event_once(channel: str) -> None:
    async def scenario() -> tuple[list[Event], list[Event]]:
        first, second = RedisBroker(REDIS_URL, channel), RedisBroker(REDIS_URL, channel)
        got_first: list[Event] = []
        got_second: list[Event] = []
        first.subscribe("room:1", lambda topic, event: got_first.append(event))
        second.subscribe("room:1", lambda topic, event: got_second.append(event))
        ready = [asyncio.Event(), asyncio.Event()]
        tasks = [asyncio.create_task(b.listen(r)) for b, r in zip((first, second), ready, strict=True)]
        await asyncio.wait_for(asyncio.gather(*(r.wait() for r in ready)), 5)
        # published from a worker thread, like a service running under FastAPI
        thread = threading.Thread(target=first.publish, args=("room:1", Event("chat_message", {"id": 7})))
        thread.start()
        thread.join()
        second.publish("room:2", Event("chat_message", {"id": 8}))  # another room: nobody here
        for _ in range(50):
            if got_first and got_second:
                break
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.1)
        for task in tasks:
            task.cancel()
        return got_first, got_second

    got_first, got_second = asyncio.run(scenario())
    assert got_first == [Event("chat_message", {"id": 7})]
    assert got_second == [Event("chat_message", {"id": 7})]


def test_malformed_messages_are_ignored(channel: str) -> None:
    async def scenario() -> list[Event]:
        broker = RedisBroker(REDIS_URL, channel)
        got: list[Event] = []
        broker.subscribe("user:1", lambda topic, event: got.append(event))
        ready = asyncio.Event()
        task = asyncio.create_task(broker.listen(ready))
        await asyncio.wait_for(ready.wait(), 5)
        raw = redis.Redis.from_url(REDIS_URL)
        raw.publish(channel, b"not json")
        broker.publish("user:1", Event("notification", {"id": 1}))
        for _ in range(50):
            if got:
                break
            await asyncio.sleep(0.05)
        task.cancel()
        return got

    assert asyncio.run(scenario()) == [Event("notification", {"id": 1})]


def test_a_burst_arrives_whole_and_in_order_though_batched(channel: str) -> None:
    """The sender joins a burst into few Redis messages; the listener splits them again."""

    async def scenario() -> tuple[list[Event], int]:
        publisher, listener = RedisBroker(REDIS_URL, channel), RedisBroker(REDIS_URL, channel)
        got: list[Event] = []
        listener.subscribe("room:1", lambda topic, event: got.append(event))
        ready = asyncio.Event()
        task = asyncio.create_task(listener.listen(ready))
        await asyncio.wait_for(ready.wait(), 5)
        raw = redis.Redis.from_url(REDIS_URL).pubsub()
        raw.subscribe(channel)
        raw.get_message(timeout=1)  # the subscribe confirmation

        def burst() -> None:
            for i in range(200):
                publisher.publish("room:1", Event("chat_message", {"id": i, "text": "a\nb\tc"}))
                publisher.publish("room:9", Event("chat_message", {"id": i}))  # followed by nobody

        await asyncio.to_thread(burst)
        assert await asyncio.to_thread(publisher.flush)
        for _ in range(100):
            if len(got) >= 200:
                break
            await asyncio.sleep(0.05)
        messages = 0
        while raw.get_message(timeout=0.1) is not None:
            messages += 1
        task.cancel()
        return got, messages

    got, messages = asyncio.run(scenario())
    assert got == [Event("chat_message", {"id": i, "text": "a\nb\tc"}) for i in range(200)]
    assert 1 <= messages < 400  # 400 events, fewer Redis messages
