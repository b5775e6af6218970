"""Fire-and-forget Redis writes, sent from one thread per process and pipelined.

A realtime publish or a catalog-version bump follows a commit that already happened; the
request that made it has nothing to wait for. Sent inline, each costs the request's thread
a round trip to Redis (a registration made three), and under a rush the requests' threads
queue for the GIL behind those writes. Here they are queued and one daemon thread sends
whatever has piled up as a single pipeline, so a burst of a hundred events costs one round
trip. Order is kept: one thread, one queue, in the order `send` was called in this process.
Publishes to one channel that pile up are also joined into one message, one payload per
line (payloads never contain a newline): a listener parses one Redis message for the lot.

A write that fails is logged and dropped, as an inline one would have been after its
commit: the data is in the database; what is lost is a live push or an early cache
invalidation (which `catalog_version` re-sends itself before trusting Redis again).
"""

from __future__ import annotations

import logging
import os
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from webinar_app.core.redis_client import sync_redis

log = logging.getLogger(__name__)

# A queued write: adds its commands to the pipeline it is given.
Write = Callable[[Any], None]
# Told whether the pipeline holding a write went through.
Outcome = Callable[[bool], None]


@dataclass(frozen=True)
class _Write:
    apply: Write
    outcome: Outcome | None


# A publish (channel, payload), a write, or a flush marker set once what is ahead is sent.
_Item = tuple[str, str] | _Write | threading.Event
_MAX_BATCH = 500


class RedisSender:
    def __init__(self, url: str) -> None:
        self.url = url
        self._queue: queue.SimpleQueue[_Item] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._pid: int | None = None  # the thread belongs to the process that started it

    def send(self, write: Write, outcome: Outcome | None = None) -> None:
        self._ensure_thread()
        self._queue.put(_Write(write, outcome))

    def publish(self, channel: str, payload: str) -> None:
        if "\n" in payload:
            raise ValueError("a payload is one line")
        self._ensure_thread()
        self._queue.put((channel, payload))

    def flush(self, timeout: float = 5.0) -> bool:
        """Wait until everything queued before this call was sent (tests, shutdown)."""
        done = threading.Event()
        self._ensure_thread()
        self._queue.put(done)  # set once the writes ahead of it are sent (or dropped)
        return done.wait(timeout)

    def _ensure_thread(self) -> None:
        if self._pid == os.getpid():
            return
        with self._lock:
            if self._pid == os.getpid():
                return
            # A forked worker inherits the queue object but not the thread: start afresh.
            self._queue = queue.SimpleQueue()
            threading.Thread(target=self._run, name="redis-sender", daemon=True).start()
            self._pid = os.getpid()

    def _run(self) -> None:
        while True:
            batch = [self._queue.get()]
            while len(batch) < _MAX_BATCH:
                try:
                    batch.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            self._send(batch)

    def _send(self, batch: list[_Item]) -> None:
        commands = 0
        try:
            pipe = sync_redis(self.url).pipeline(transaction=False)
            lines: list[str] = []
            channel = None
            for item in batch:
                if isinstance(item, tuple) and item[0] == channel:
                    lines.append(item[1])
                    continue
                if lines:
                    pipe.publish(channel, "\n".join(lines))
                    commands, lines, channel = commands + 1, [], None
                if isinstance(item, tuple):
                    channel, lines = item[0], [item[1]]
                elif isinstance(item, _Write):
                    item.apply(pipe)
                    commands += 1
            if lines:
                pipe.publish(channel, "\n".join(lines))
                commands += 1
            if commands:
                pipe.execute()
            ok = True
        except Exception as exc:
            ok = False
            log.warning("redis writes dropped (%d): %s", len(batch), exc)
        for item in batch:
            if isinstance(item, threading.Event):
                item.set()
            elif isinstance(item, _Write) and item.outcome is not None:
                item.outcome(ok)


_senders: dict[str, RedisSender] = {}
_senders_lock = threading.Lock()


def sender(url: str) -> RedisSender:
    """The process's sender for `url`."""
    with _senders_lock:
        found = _senders.get(url)
        if found is None:
            found = _senders[url] = RedisSender(url)
        return found
