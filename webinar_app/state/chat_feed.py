"""The live room's message list, pushed once per process to every tab in the room.

A chat message used to reach each tab as a state round trip (with Redis: lock, load, apply,
save, unlock, then a delta): ~1 ms of CPU per tab, so a 1,000-tab room spent a second per
message and its last tabs waited that long. Every tab of a room shows the same messages, so
here the list is kept once per backend process (`RoomFeed`) and a change becomes one Reflex
delta, serialised once and written to the sockets of all the room's tabs on this process
(python-socketio encodes a packet once for a list of recipients). No tab state is loaded.

Reflex re-sends a whole var when it changes, so the list is split into `SLOTS` blocks of
`BLOCK` messages, each its own var (`s0`..`s10`) and shown in the order `order` gives (CSS
flex order): a new message re-sends only the block being filled (10 messages on average),
and when that block is full the oldest one is recycled for the next message, sending one
message and the order. The history shown is the last 200 to 220 messages.

These vars are written only by pushes (the join snapshot and the deltas here), never by a
handler, so the server's copy of `ChatFeedState` stays at its defaults and no event's delta
can overwrite what the tab was pushed. Access is checked when a tab joins (`ChatState`).
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import Callable, Iterable
from typing import Any

import reflex as rx
from reflex_base import constants

from webinar_app.realtime import Event, get_broker
from webinar_app.realtime.hub import on_loop
from webinar_app.services import chat

log = logging.getLogger(__name__)

BLOCK = 20
SLOTS = chat.HISTORY_SIZE // BLOCK + 1  # ten full blocks of history and the one filling
FEED_KINDS = frozenset({"chat_message", "chat_edited", "chat_deleted"})
_FIELD_MARKER = "_rx_state_"


@dataclasses.dataclass
class ChatItem:
    id: int
    user_id: int
    username: str
    name: str
    role: str
    text: str
    created_at: str


def item_from(data: dict[str, Any]) -> ChatItem:
    """From the ChatMessage dict the service publishes and returns (one shape everywhere)."""
    name = f"{data.get('first_name') or ''} {data.get('last_name') or ''}".strip()
    return ChatItem(
        id=int(data["id"]),
        user_id=int(data["user"]),
        username=str(data["username"]),
        name=name or str(data["username"]),
        role=str(data.get("user_role") or ""),
        text=str(data["message"]),
        created_at=str(data.get("created_at") or ""),
    )


class ChatFeedState(rx.State):
    """What a tab shows of the room's messages; written only by pushes (module doc)."""

    s0: list[ChatItem] = []
    s1: list[ChatItem] = []
    s2: list[ChatItem] = []
    s3: list[ChatItem] = []
    s4: list[ChatItem] = []
    s5: list[ChatItem] = []
    s6: list[ChatItem] = []
    s7: list[ChatItem] = []
    s8: list[ChatItem] = []
    s9: list[ChatItem] = []
    s10: list[ChatItem] = []
    order: list[int] = list(range(SLOTS))
    count: int = 0


def slot_var(index: int) -> Any:
    return getattr(ChatFeedState, f"s{index}")


class RoomFeed:
    """One room's last messages in blocks; each change says which vars to push."""

    def __init__(self, items: Iterable[ChatItem]) -> None:
        ordered = sorted({i.id: i for i in items}.values(), key=lambda i: i.id)[-chat.HISTORY_SIZE :]
        blocks = [ordered[k : k + BLOCK] for k in range(0, len(ordered), BLOCK)]
        if not blocks or len(blocks[-1]) >= BLOCK:
            blocks.append([])
        blocks = [[] for _ in range(SLOTS - len(blocks))] + blocks[-SLOTS:]
        self.slots: list[list[ChatItem]] = blocks
        self.ring: list[int] = list(range(SLOTS))  # slot indexes, oldest block first
        self.tokens: dict[str, None] = {}  # the tabs of this process in the room
        # Each block as pushed, kept until it changes: every joining tab is sent the same
        # lists, not 200 fresh dicts (garbage that fragments the heap while a crowd joins).
        self._dumps: dict[int, list[dict[str, Any]]] = {}

    @property
    def count(self) -> int:
        return sum(len(s) for s in self.slots)

    def order(self) -> list[int]:
        position = [0] * SLOTS
        for place, slot in enumerate(self.ring):
            position[slot] = place
        return position

    def snapshot(self) -> dict[str, Any]:
        out = {f"s{k}": self._dump(k) for k in range(SLOTS)}
        out.update(order=self.order(), count=self.count)
        return out

    def add(self, item: ChatItem) -> dict[str, Any]:
        """A new (or restored) message; {} when it is already shown or older than the window."""
        if self._find(item.id) is not None:
            return {}
        filling = self.ring[-1]
        newest = self._newest_id()
        if newest is None or item.id > newest:
            if len(self.slots[filling]) < BLOCK:
                self.slots[filling].append(item)
                return self._changed(filling)
            oldest = self.ring.pop(0)
            self.slots[oldest] = [item]
            self.ring.append(oldest)
            return {**self._changed(oldest), "order": self.order()}
        for slot in self.ring:  # an older message (restored by a moderator): into its block
            block = self.slots[slot]
            if block and block[-1].id > item.id:
                if block[0].id > item.id and slot == self._first_nonempty():
                    return {}  # older than anything shown
                block.append(item)
                block.sort(key=lambda i: i.id)
                return self._changed(slot)
        return {}

    def edit(self, item: ChatItem) -> dict[str, Any]:
        slot = self._find(item.id)
        if slot is None:
            return {}
        self.slots[slot] = [item if m.id == item.id else m for m in self.slots[slot]]
        return self._changed(slot)

    def delete(self, message_id: int) -> dict[str, Any]:
        slot = self._find(message_id)
        if slot is None:
            return {}
        self.slots[slot] = [m for m in self.slots[slot] if m.id != message_id]
        return self._changed(slot)

    def apply(self, event: Event) -> dict[str, Any]:
        if event.kind == "chat_message":
            return self.add(item_from(event.data["message"]))
        if event.kind == "chat_edited":
            return self.edit(item_from(event.data["message"]))
        if event.kind == "chat_deleted":
            return self.delete(int(event.data["id"]))
        return {}

    def agrees_with(self, history: list[ChatItem]) -> bool:
        """Whether this feed holds the newest message of a history just read, as read (or both
        are empty): a feed lagging behind the database has missed an event."""
        newest = max(history, key=lambda m: m.id, default=None)
        if newest is None:
            return self._newest_id() is None
        slot = self._find(newest.id)
        return slot is not None and newest in self.slots[slot]  # the same message, as it is now

    def _changed(self, slot: int) -> dict[str, Any]:
        self._dumps.pop(slot, None)
        return {f"s{slot}": self._dump(slot), "count": self.count}

    def _dump(self, slot: int) -> list[dict[str, Any]]:
        dump = self._dumps.get(slot)
        if dump is None:
            dump = self._dumps[slot] = [dataclasses.asdict(m) for m in self.slots[slot]]
        return dump

    def _find(self, message_id: int) -> int | None:
        for slot, block in enumerate(self.slots):
            if any(m.id == message_id for m in block):
                return slot
        return None

    def _newest_id(self) -> int | None:
        for slot in reversed(self.ring):
            if self.slots[slot]:
                return self.slots[slot][-1].id
        return None

    def _first_nonempty(self) -> int | None:
        return next((slot for slot in self.ring if self.slots[slot]), None)


class FeedRegistry:
    """This process's room feeds: built on a room's first tab, dropped with its last."""

    def __init__(self) -> None:
        self._feeds: dict[int, RoomFeed] = {}
        self._unsubscribe: dict[int, Callable[[], None]] = {}
        self._loop: asyncio.AbstractEventLoop | None = None

    def feed(self, webinar_id: int) -> RoomFeed | None:
        return self._feeds.get(webinar_id)

    async def join(
        self, webinar_id: int, token: str, sid: str | None, history: Iterable[ChatItem] | None
    ) -> None:
        """Add the tab and push it the room's messages. `history` is what the tab's user may
        read, just loaded from the database: it seeds a room that has no feed here yet, and
        an existing feed that lacks its newest message (an event this process missed while
        its Redis listener reconnected) is rebuilt from it and re-sent to the room's tabs.
        None: the caller found this process's feed current (`agrees_with` its newest message),
        with no await since, and the tab gets the feed as it is."""
        self._loop = asyncio.get_running_loop()
        feed = self._feeds.get(webinar_id)
        items = None if history is None else list(history)
        if items is None:
            if feed is None:
                raise LookupError(f"no feed of room {webinar_id} on this process to join")
        elif feed is None:
            feed = self._feeds[webinar_id] = RoomFeed(items)
            topic = chat.room_topic(webinar_id)
            self._unsubscribe[webinar_id] = get_broker().subscribe(
                topic, lambda _topic, event: self._on_event(webinar_id, event)
            )
        elif not feed.agrees_with(items):
            tokens, feed = feed.tokens, RoomFeed(items)
            feed.tokens = tokens
            self._feeds[webinar_id] = feed
            sids, _gone = _local_sids(tokens)
            await _emit(feed.snapshot(), sids)
        feed.tokens[token] = None
        if sid is not None:
            # Queued on this socket now, before any later push: it cannot overtake them.
            await _emit(feed.snapshot(), [sid])

    def leave(self, webinar_id: int, token: str) -> None:
        feed = self._feeds.get(webinar_id)
        if feed is None:
            return
        feed.tokens.pop(token, None)
        if not feed.tokens:
            self._feeds.pop(webinar_id, None)
            stop = self._unsubscribe.pop(webinar_id, None)
            if stop is not None:
                stop()

    def reset(self) -> None:
        """Forget every room (the tests' fresh start: ids restart with an emptied database)."""
        for stop in self._unsubscribe.values():
            stop()
        self._unsubscribe.clear()
        self._feeds.clear()

    def _on_event(self, webinar_id: int, event: Event) -> None:
        if event.kind in FEED_KINDS:
            on_loop(self._loop, self._apply, webinar_id, event)

    def _apply(self, webinar_id: int, event: Event) -> None:
        """On the loop, in arrival order: the feed changes and its push is queued at once."""
        feed = self._feeds.get(webinar_id)
        if feed is None:
            return
        try:
            changed = feed.apply(event)
        except (KeyError, TypeError, ValueError):
            log.warning("ignoring malformed %s for room %s", event.kind, webinar_id)
            return
        if not changed:
            return
        sids, gone = _local_sids(feed.tokens)
        for token in gone:
            self.leave(webinar_id, token)
        if sids:
            task = asyncio.ensure_future(_emit(changed, sids))
            task.add_done_callback(_log_failure)


def _log_failure(task: asyncio.Future[None]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.warning("chat feed push failed: %s", task.exception())


def _namespace() -> Any:
    from webinar_app.webinar_app import app

    return app.event_namespace


def _local_sids(tokens: Iterable[str]) -> tuple[list[str], list[str]]:
    """The sockets on this process of these tabs, and the tabs no longer connected here."""
    namespace = _namespace()
    if namespace is None:
        return [], []
    manager = namespace._token_manager
    sids, gone = [], []
    for token in tokens:
        record = manager.token_to_socket.get(token)
        if record is None or record.instance_id != manager.instance_id:
            gone.append(token)
        else:
            sids.append(record.sid)
    return sids, gone


async def _emit(changed: dict[str, Any], sids: list[str]) -> None:
    from reflex.state import StateUpdate

    namespace = _namespace()
    if namespace is None or not sids:
        return
    delta = {ChatFeedState.get_full_name(): {k + _FIELD_MARKER: v for k, v in changed.items()}}
    await namespace.emit(str(constants.SocketEvent.EVENT), StateUpdate(delta=delta), to=sids)


feeds = FeedRegistry()
