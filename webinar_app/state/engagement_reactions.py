"""Reactions and raised hands in the live room, each in a small state of its own.

`ReactionsState` joins `reactions:<id>`: the service batches clicks per worker and publishes
one `reactions` event a second, which this tab turns into short-lived "👏 ×12" bursts (the
page fades them out; bursts older than `BURST_SECONDS` are dropped at the next push).

`HandsState`: an attendee's own hand arrives on `hand:<id>:<user>` (so a host lowering it
reaches the attendee's tab); hosts join `room-hosts:<id>` for the queue. `_host` / `_me` are
backend-only, set from the token at load; every handler re-checks the user and the service
decides who may clear hands.
"""

from __future__ import annotations

import dataclasses
import time
from typing import Any

import reflex as rx

from webinar_app.core.db import session_scope
from webinar_app.realtime import Event
from webinar_app.services.engagement import access, hands, reactions
from webinar_app.services.errors import DomainError, RateLimited
from webinar_app.services.webinars import is_host
from webinar_app.state.auth import login_redirect, user_for
from webinar_app.state.engagement_common import RoomTopics, as_int, in_thread, room_id
from webinar_app.state.forms import message_of

BURST_SECONDS = 5.0
MAX_BURSTS = 12
EMOJI = reactions.EMOJI


@dataclasses.dataclass
class Burst:
    key: int
    name: str
    emoji: str
    count: int
    at: float


@dataclasses.dataclass
class HandItem:
    user_id: int
    username: str
    name: str
    raised_at: str


class ReactionsState(RoomTopics, rx.State):
    bursts: list[Burst] = []
    _seq: int = 0
    _room: int = 0

    def _room_topics(self, webinar_id: int) -> list[str]:
        return [access.reactions_topic(webinar_id)]

    @rx.event
    async def open_reactions(self) -> Any:
        """Page load: join the room's reactions if this user may read the room."""
        self._leave()
        self.bursts = []
        webinar_id = room_id(self)
        if webinar_id is None:
            return None
        with session_scope() as session:
            user = await user_for(self, session)
            if user is None:
                return login_redirect(self)
            try:
                access.require_reader(session, user, webinar_id)
            except DomainError:
                return None
        self._join_room(webinar_id)
        return None

    @rx.event
    def leave_reactions(self) -> None:
        self._leave()

    @rx.event
    async def react(self, name: str) -> Any:
        """One click; counted (rate-limited) by the service, shown to all in the next batch."""
        webinar_id = room_id(self)
        if webinar_id is None or name not in EMOJI:
            return None
        with session_scope() as session:
            user = await user_for(self, session)
            if user is None:
                return login_redirect(self)
            try:
                reactions.react(session, user, webinar_id, name)
            except RateLimited as exc:
                return rx.toast.warning(message_of(exc))
            except DomainError as exc:
                return rx.toast.error(message_of(exc))
        return None

    async def _on_realtime(self, topic: str, event: Event) -> None:
        if not self._listens_to(topic) or event.kind != "reactions":
            return
        now = time.time()
        kept = [b for b in self.bursts if now - b.at < BURST_SECONDS]
        for name, count in (event.data.get("counts") or {}).items():
            if name in EMOJI and int(count) > 0:
                self._seq += 1
                kept.append(Burst(self._seq, name, EMOJI[name], int(count), now))
        self.bursts = kept[-MAX_BURSTS:]


class HandsState(RoomTopics, rx.State):
    raised: bool = False
    queue: list[HandItem] = []
    # For drawing the host queue only; the service decides who may clear hands.
    is_host: bool = False
    allowed: bool = False
    busy: bool = False
    _host: bool = False
    _me: int = 0
    _room: int = 0

    @rx.var
    def queue_count(self) -> int:
        return len(self.queue)

    def _room_topics(self, webinar_id: int) -> list[str]:
        return [access.hosts_topic(webinar_id) if self._host else access.hand_topic(webinar_id, self._me)]

    @rx.event
    async def open_hands(self) -> Any:
        """Page load: hosts get the queue, attendees their own hand; each joins its topic."""
        self._leave()
        self.allowed, self.queue, self.raised = False, [], False
        webinar_id = room_id(self)
        if webinar_id is None:
            return None
        with session_scope() as session:
            user = await user_for(self, session)
            if user is None:
                return login_redirect(self)
            try:
                webinar = access.require_reader(session, user, webinar_id)
                host = is_host(user, webinar)
                if host:
                    rows = hands.queue(session, user, webinar_id)
                else:
                    self.raised = hands.is_raised(session, user, webinar_id)
                    rows = []
            except DomainError:
                return None
            self._me = user.id or 0
        self._host, self.is_host, self.allowed = host, host, True
        self.queue = [_hand(r) for r in rows]
        self._join_room(webinar_id)
        return None

    @rx.event
    def leave_hands(self) -> None:
        self._leave()

    @rx.event
    async def toggle_hand(self) -> Any:
        """Raise or lower this user's own hand (`raised` only picks which)."""
        webinar_id = room_id(self)
        if webinar_id is None:
            return None
        lower = self.raised
        action = hands.lower_hand if lower else hands.raise_hand
        self.busy = True
        try:
            with session_scope() as session:
                user = await user_for(self, session)
                if user is None:
                    return login_redirect(self)
                user_id = user.id or 0
            try:
                await in_thread(user_id, lambda s, u: action(s, u, webinar_id))
            except DomainError as exc:
                return rx.toast.error(message_of(exc))
        finally:
            self.busy = False
        self.raised = not lower
        return rx.toast.info("Hand lowered" if lower else "Hand raised: the host can see it")

    @rx.event
    async def clear_hand(self, user_id: Any) -> Any:
        uid = as_int(user_id)
        if uid is None:
            return rx.toast.error("Invalid request.")
        return await self._clear(uid)

    @rx.event
    async def clear_all(self) -> Any:
        return await self._clear(None)

    async def _clear(self, target: int | None) -> Any:
        webinar_id = room_id(self)
        if webinar_id is None:
            return None
        with session_scope() as session:
            user = await user_for(self, session)
            if user is None:
                return login_redirect(self)
            user_id = user.id or 0
        try:
            await in_thread(user_id, lambda s, u: hands.clear(s, u, webinar_id, target))
        except DomainError as exc:
            return rx.toast.error(message_of(exc))
        # The queue itself follows through the hub (throttled); drop the row now for feedback.
        self.queue = [h for h in self.queue if target is not None and h.user_id != target]
        return None

    async def _on_realtime(self, topic: str, event: Event) -> None:
        if not self._listens_to(topic):
            return
        if event.kind == "hand" and not self._host:
            self.raised = bool(event.data.get("raised"))
        elif event.kind == "hands" and self._host:
            self.queue = [_hand(r) for r in event.data.get("queue") or []]


def _hand(row: dict[str, Any]) -> HandItem:
    return HandItem(
        user_id=int(row["user"]),
        username=str(row["username"]),
        name=str(row.get("name") or row["username"]),
        raised_at=str(row.get("raised_at") or ""),
    )
