"""The live room's chat: history on join, new messages pushed live, moderation.

The messages themselves are pushed by `chat_feed` (one delta per process for the whole room,
no per-tab state round trip: see docs/performance.md); this state checks access on join,
sends, moderates, and takes the per-tab events (muted, banned, slow mode, open/closed).

A message reaches a tab only after the service committed it, whichever door it came
through (this UI, another tab, REST, another worker via Redis).
"""

from __future__ import annotations

import asyncio
from typing import Any

import reflex as rx
from sqlmodel import Session

from webinar_app.core.db import session_scope
from webinar_app.models import User
from webinar_app.realtime import Event
from webinar_app.realtime.hub import hub
from webinar_app.services import chat, moderation
from webinar_app.services.errors import DomainError, Invalid
from webinar_app.state.auth import login_redirect, user_for
from webinar_app.state.chat_feed import ChatItem, feeds, item_from
from webinar_app.state.forms import message_of, typed_draft

# Events for this state; the messages go to `chat_feed` (no state round trip per tab).
TAB_KINDS = frozenset(
    {"chat_muted", "chat_unmuted", "chat_banned", "chat_slow_mode", "live_started", "live_ended"}
)


def webinar_id_from_path(path: str) -> int | None:
    """`/live/<id>` -> id."""
    last = path.rstrip("/").rsplit("/", 1)[-1]
    return int(last) if last.isdigit() else None


class ChatState(rx.State):
    webinar_id: int = 0
    loaded: bool = False
    allowed: bool = False
    is_open: bool = False
    can_moderate: bool = False
    muted: bool = False
    slow_mode_seconds: int = 0
    error: str = ""
    sending: bool = False
    me: int = 0
    # What is typed in the input (for the character counter); never trusted: `send` reads the form.
    draft: str = ""
    _sent: str = ""  # the text just sent (`forms.typed_draft` drops its late echo)
    _room: int = 0

    @rx.event
    async def open_room(self) -> Any:
        """Page load: check access, load the last 200 messages, join the room's topic."""
        webinar_id = webinar_id_from_path(self.router.url.path)
        self.loaded = False
        token = self.router.session.client_token
        self._leave()
        with session_scope() as session:
            user = await user_for(self, session)
            if user is None:
                return login_redirect(self)
            if webinar_id is None:
                self.error, self.allowed, self.loaded = "Not found.", False, True
                return None
            try:
                views = _history_to_send(session, user, webinar_id)
                info = chat.room_info(session, user, webinar_id)
            except DomainError as exc:
                self.error, self.allowed, self.loaded = message_of(exc), False, True
                return None
            self.me = user.id or 0
        self.webinar_id = webinar_id
        self._apply_info(info)
        self.allowed, self.error, self.loaded = True, "", True
        self._room = webinar_id
        hub.join(chat.room_topic(webinar_id), token, ChatState, kinds=TAB_KINDS)
        await feeds.join(webinar_id, token, self.router.session.session_id or None, views)
        return None

    def _leave(self) -> None:
        if self._room:
            token = self.router.session.client_token
            hub.leave(chat.room_topic(self._room), token, ChatState)
            feeds.leave(self._room, token)
            self._room = 0

    def _apply_info(self, info: dict[str, Any]) -> None:
        self.is_open = bool(info["is_open"])
        self.can_moderate = bool(info["can_moderate"])
        self.muted = bool(info["muted"])
        self.slow_mode_seconds = int(info["slow_mode_seconds"])

    @rx.event
    def leave_room(self) -> None:
        self._leave()

    @rx.event
    async def send(self, form_data: dict[str, Any]) -> Any:
        text = form_data.get("message", "")
        if not isinstance(text, str):
            return rx.toast.error("Invalid message.")
        self.sending = True
        try:
            with session_scope() as session:
                user = await user_for(self, session)
                if user is None:
                    return login_redirect(self)
                try:
                    await asyncio.to_thread(_send, user.id or 0, self.webinar_id, text)
                except Invalid as exc:
                    return rx.toast.error(" ".join(next(iter(exc.errors.values()))))
                except DomainError as exc:
                    return rx.toast.error(message_of(exc))
        finally:
            self.sending = False
        # The message itself arrives through the room's feed, like everyone else's.
        self.draft, self._sent = "", text
        return rx.set_value("chat-input", "")

    @rx.event
    def set_draft(self, value: Any) -> None:
        """Keystrokes (debounced) for the counter: only this tab's own text, no user is acted for."""
        draft = typed_draft(value, sent=self._sent, limit=chat.MAX_LENGTH)
        if draft is not None:
            self.draft, self._sent = draft, ""

    @rx.event
    async def delete_message(self, message_id: int) -> Any:
        return await self._moderate(lambda session, user: chat.delete(session, user, int(message_id)),
                                    "Message deleted")

    @rx.event
    async def mute_user(self, user_id: int) -> Any:
        return await self._moderate(
            lambda session, user: moderation.mute(session, user, self.webinar_id, int(user_id), 15),
            "Muted for 15 minutes",
        )

    @rx.event
    async def ban_user(self, user_id: int) -> Any:
        return await self._moderate(
            lambda session, user: moderation.ban(session, user, self.webinar_id, int(user_id)), "Banned"
        )

    @rx.event
    async def set_slow_mode(self, seconds: str) -> Any:
        return await self._moderate(
            lambda session, user: moderation.set_slow_mode(session, user, self.webinar_id, seconds),
            "Slow mode updated",
        )

    async def _moderate(self, action: Any, done: str) -> Any:
        """Every moderation action: re-check the user; the service checks host powers."""
        with session_scope() as session:
            user = await user_for(self, session)
            if user is None:
                return login_redirect(self)
            try:
                action(session, user)
            except (ValueError, TypeError):
                return rx.toast.error("Invalid request.")
            except DomainError as exc:
                return rx.toast.error(message_of(exc))
        return rx.toast.success(done)

    # ---------------------------------------------------------------- pushed events

    async def _on_realtime(self, topic: str, event: Event) -> None:
        if not self._room or topic != chat.room_topic(self._room):
            return
        data = event.data
        if event.kind in ("chat_muted", "chat_unmuted") and int(data.get("user_id", 0)) == self.me:
            self.muted = event.kind == "chat_muted"
        elif event.kind == "chat_banned" and int(data.get("user_id", 0)) == self.me:
            self.allowed, self.error = False, "You have been removed from this chat."
            self._leave()  # no more messages pushed to this tab (the list is hidden now)
            await self._drop_engagement()
        elif event.kind == "chat_slow_mode":
            self.slow_mode_seconds = int(data.get("seconds") or 0)
        elif event.kind in ("live_started", "live_ended"):
            self.is_open = event.kind == "live_started"


    async def _drop_engagement(self) -> None:
        """A ban removes the room's Q&A, polls, reactions and hands too (same audience rule)."""
        from webinar_app.state.engagement_polls import PollsState
        from webinar_app.state.engagement_questions import QuestionsState
        from webinar_app.state.engagement_reactions import HandsState, ReactionsState

        questions = await self.get_state(QuestionsState)
        questions._leave()
        questions.questions = []
        polls = await self.get_state(PollsState)
        polls._leave()
        polls.polls = []
        for cls in (ReactionsState, HandsState):
            (await self.get_state(cls))._leave()


def _history_to_send(session: Session, user: User, webinar_id: int) -> list[ChatItem] | None:
    """The room's history for the feed, or None when this process's feed of the room already
    holds it: a tab joining a busy room then reads one message (its newest, to prove the feed
    is current) instead of 200 rows and their authors. Access is checked either way (by the
    service's read); a room with no feed here, or a lagging one, is read once in full."""
    feed = feeds.feed(webinar_id)
    if feed is not None and feed.agrees_with(_items(chat.history(session, user, webinar_id, limit=1))):
        return None
    return _items(chat.history(session, user, webinar_id))


def _items(views: list[chat.ChatMessageView]) -> list[ChatItem]:
    return [item_from(v.as_dict()) for v in views]


def _send(user_id: int, webinar_id: int, text: str) -> None:
    """Commit in a worker thread: the message is stored before anyone is told."""
    with session_scope() as session:
        user = session.get(User, user_id)
        if user is None:
            raise Invalid.field("message", "Not signed in.")
        chat.send(session, user, webinar_id, text)
