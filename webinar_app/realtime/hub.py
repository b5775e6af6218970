"""Delivering published events to the Reflex states of connected browsers.

Explicit fan-out: each backend process keeps, per topic, the client tokens of browsers
whose websocket lives on this process (a state joins on page load). An event for a topic
becomes one `app.modify_state` per local subscriber, where the state applies a small
change (append one message, bump a counter) so the delta sent is small, not a whole list.
Events arrive from any thread (services run in FastAPI's threadpool) and are handed to
the event loop the hub was started on.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import Callable
from typing import Any, Protocol

from webinar_app.realtime.broker import SUPERSEDE_KEY, Event, get_broker

log = logging.getLogger(__name__)

# Deliveries in flight per process. Each is a Redis lock + load + save of the tab's state; with
# one task per subscriber all at once (1,000 for a full room), every tab waited for the whole
# room (p50 close to max) and Redis connections piled up. Bounded, they run in arrival order.
DELIVERY_CONCURRENCY = 32
# A tab gets a superseding event (poll results, Q&A vote counts, the hands queue) of one key at
# most once per this interval. The publishers' throttle spaces *flushes* 0.25 s apart cluster-wide,
# but deliveries queue for the slots above, so a late one and the next prompt one could reach a tab
# back to back: 5 or 6 results in a second at 200 voting clients (bench/poll_votes.py). A delivery
# waits here (holding no slot) until the tab's previous one of that key is this old; whatever is
# published meanwhile still coalesces into it, so the tab then gets the newest.
SUPERSEDE_INTERVAL = 0.3  # > 0.25 s: network jitter must not squeeze 5 arrivals into a second


def on_loop(loop: asyncio.AbstractEventLoop | None, callback: Callable[..., None], *args: Any) -> None:
    """Run `callback` on `loop`: now if this is its thread, else queued in order (a broker
    calls its subscribers from the publishing thread: a service in FastAPI's threadpool, or
    the Redis listener on the loop)."""
    if loop is None or loop.is_closed():
        return
    try:
        running = asyncio.get_running_loop()
    except RuntimeError:
        running = None
    if running is loop:
        callback(*args)
    else:
        loop.call_soon_threadsafe(callback, *args)


class Receiver(Protocol):
    """A Reflex state that can apply realtime events (a `_`-method: clients cannot call it)."""

    async def _on_realtime(self, topic: str, event: Event) -> None: ...


class Hub:
    def __init__(self) -> None:
        self._loop: asyncio.AbstractEventLoop | None = None
        # topic -> client token -> the states of that tab receiving it, each with the event kinds
        # it takes (None: all): one tab may hold several receivers on one topic (the bell and the
        # inbox on `user:<id>`, the chat and the live player on `room:<id>`), and one event costs
        # it one modify_state, or none when no receiver of the tab takes that kind (a chat
        # message is pushed by `state/chat_feed`, not through the tabs' states).
        self._subscribers: dict[str, dict[str, dict[type[Any], frozenset[str] | None]]] = defaultdict(dict)
        self._unsubscribe: dict[str, Callable[[], None]] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._slots: asyncio.Semaphore | None = None
        self._slots_loop: asyncio.AbstractEventLoop | None = None
        # (token, supersede key) -> the newest event still waiting for a delivery slot.
        self._latest: dict[tuple[str, str], Event] = {}
        # (token, supersede key) -> loop time its last delivery ended; and the one in progress.
        self._paced: dict[tuple[str, str], float] = {}
        self._paced_prune_at = 1024
        self._busy: dict[tuple[str, str], asyncio.Event] = {}

    def start(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop

    def join(
        self, topic: str, client_token: str, state_cls: type[Any], *, kinds: frozenset[str] | None = None
    ) -> None:
        """Deliver `topic` (its events of `kinds`, or all) to this browser tab's `state_cls`
        until it leaves or disconnects."""
        if self._loop is None:
            self._loop = asyncio.get_running_loop()
        self._subscribers[topic].setdefault(client_token, {})[state_cls] = kinds
        if topic not in self._unsubscribe:
            self._unsubscribe[topic] = get_broker().subscribe(topic, self._on_event)

    def leave(self, topic: str, client_token: str, state_cls: type[Any] | None = None) -> None:
        """Stop delivering `topic` to this tab: to one of its states, or to all (state_cls=None)."""
        members = self._subscribers.get(topic)
        if members is None:
            return
        if state_cls is None:
            members.pop(client_token, None)
        else:
            classes = members.get(client_token)
            if classes is not None:
                classes.pop(state_cls, None)
                if not classes:
                    members.pop(client_token, None)
        if not members:
            self._subscribers.pop(topic, None)
            stop = self._unsubscribe.pop(topic, None)
            if stop is not None:
                stop()

    def leave_all(self, client_token: str, prefix: str = "") -> None:
        for topic in [t for t, m in self._subscribers.items() if client_token in m and t.startswith(prefix)]:
            self.leave(topic, client_token)

    def local_count(self, topic: str) -> int:
        return len(self._subscribers.get(topic, ()))

    # ---------------------------------------------------------------- delivery

    def _on_event(self, topic: str, event: Event) -> None:
        on_loop(self._loop, self._fan_out, topic, event)

    def _fan_out(self, topic: str, event: Event) -> None:
        loop = asyncio.get_running_loop()
        if self._slots is None or self._slots_loop is not loop:
            self._slots, self._slots_loop = asyncio.Semaphore(DELIVERY_CONCURRENCY), loop
        slots = self._slots
        supersede = event.data.get(SUPERSEDE_KEY)
        for token, receivers in list(self._subscribers.get(topic, {}).items()):
            classes = [cls for cls, kinds in receivers.items() if kinds is None or event.kind in kinds]
            if not classes:
                continue
            if supersede is not None:
                waiting = (token, str(supersede)) in self._latest
                self._latest[(token, str(supersede))] = event
                if waiting:
                    continue  # the queued delivery will carry this newer event
            task = asyncio.create_task(self._deliver(slots, topic, token, tuple(classes), event))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _deliver(
        self, slots: asyncio.Semaphore, topic: str, token: str, classes: tuple[type[Any], ...], event: Event
    ) -> None:
        supersede = event.data.get(SUPERSEDE_KEY)
        if supersede is None:
            async with slots:
                await self._deliver_now(topic, token, classes, event)
            return
        key = (token, str(supersede))
        await self._pace(key)
        done = self._busy[key] = asyncio.Event()
        try:
            async with slots:
                event = self._latest.pop(key, event)
                await self._deliver_now(topic, token, classes, event)
        finally:
            self._paced[key] = asyncio.get_running_loop().time()
            del self._busy[key]
            done.set()
            self._prune_paced()

    async def _pace(self, key: tuple[str, str]) -> None:
        """Wait for the previous delivery of `key` to this tab to end and be SUPERSEDE_INTERVAL old.

        At most one delivery per key waits here (later events coalesce into it through
        `_latest`), so after the wait it is the only one for this key.
        """
        loop = asyncio.get_running_loop()
        while True:
            busy = self._busy.get(key)
            if busy is not None:
                await busy.wait()
                continue
            wait = self._paced.get(key, float("-inf")) + SUPERSEDE_INTERVAL - loop.time()
            if wait <= 0:
                return
            await asyncio.sleep(wait)

    def _prune_paced(self) -> None:
        """Forget tabs whose last paced delivery is older than the interval (closed tabs too)."""
        if len(self._paced) <= self._paced_prune_at:
            return
        cutoff = asyncio.get_running_loop().time() - SUPERSEDE_INTERVAL
        self._paced = {k: t for k, t in self._paced.items() if t > cutoff}
        self._paced_prune_at = max(1024, 2 * len(self._paced))

    async def _deliver_now(
        self, topic: str, token: str, classes: tuple[type[Any], ...], event: Event
    ) -> None:
        import reflex as rx

        app = _app()
        namespace = app.event_namespace
        if namespace is not None and not await namespace._token_manager.is_token_connected(token):
            self.leave(topic, token)  # the tab is gone
            return
        try:
            async with app.modify_state(rx.BaseStateToken(ident=token, cls=classes[0])) as root:
                for state_cls in classes:
                    state = root if isinstance(root, state_cls) else await root.get_state(state_cls)
                    await state._on_realtime(topic, event)
        except Exception:
            log.exception("delivering %s on %s failed", event.kind, topic)


def _app() -> Any:
    from webinar_app.webinar_app import app

    return app


hub = Hub()
