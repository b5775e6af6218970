"""The inbox: conversations, one thread, starting a conversation, live arrival.

The tab joins its user's topic (`user:<id>`, shared with the bell: the hub delivers to both)
and receives `inbox_message` when someone writes: the thread on screen gets the message
appended and is marked read at once, the conversation list is re-read (unread counts,
previews). Everything else goes through `services.inbox`, which checks membership; the
user is re-resolved from the stored token on every public handler.
"""

from __future__ import annotations

import asyncio
import dataclasses
from typing import Any

import reflex as rx
from sqlmodel import Session

from webinar_app.core.db import session_scope
from webinar_app.models import User
from webinar_app.realtime import Event
from webinar_app.realtime.hub import hub
from webinar_app.services import inbox
from webinar_app.services.errors import DomainError, Invalid
from webinar_app.services.notifications import user_topic
from webinar_app.state.auth import login_redirect, user_for
from webinar_app.state.forms import message_of, text

THREAD_LIMIT = 100


@dataclasses.dataclass
class ConversationRow:
    id: int
    title: str
    webinar_title: str
    preview: str
    preview_sender: str
    last_at: str
    unread: int


@dataclasses.dataclass
class ThreadMessage:
    id: int
    sender_id: int
    sender: str
    content: str
    created_at: str
    mine: bool


@dataclasses.dataclass
class UserPick:
    id: int
    username: str
    name: str


def _display(user: User) -> str:
    return user.display_name or user.username


def _rows(session: Session, user: User) -> list[ConversationRow]:
    out = []
    for view in inbox.conversations(session, user):
        others = [u for u in view.participants if u.id != user.id] or view.participants
        last = inbox.preview(view)
        out.append(
            ConversationRow(
                id=view.conversation.id or 0,
                title=", ".join(_display(u) for u in others),
                webinar_title=view.webinar_title or "",
                preview=(last or {}).get("content") or "",
                preview_sender=(last or {}).get("sender_username") or "",
                last_at=(last or {}).get("created_at") or "",
                unread=view.unread_count,
            )
        )
    return out


def _message(data: dict[str, Any], me: int) -> ThreadMessage:
    name = f"{data.get('sender_first_name') or ''} {data.get('sender_last_name') or ''}".strip()
    return ThreadMessage(
        id=int(data["id"]),
        sender_id=int(data["sender"]),
        sender=name or str(data.get("sender_username") or ""),
        content=str(data.get("content") or ""),
        created_at=str(data.get("created_at") or ""),
        mine=int(data["sender"]) == me,
    )


def _thread(session: Session, user: User, conversation_id: int) -> list[ThreadMessage]:
    """The latest THREAD_LIMIT messages of a thread, oldest first."""
    first = inbox.messages(session, user, conversation_id, page=1, page_size=THREAD_LIMIT)
    page = first
    if first.has_more:
        last_page = -(-first.total // THREAD_LIMIT)
        page = inbox.messages(session, user, conversation_id, page=last_page, page_size=THREAD_LIMIT)
    return [_message(v.as_dict(), user.id or 0) for v in page.messages]


def _with_user(user_id: int, work: Any) -> Any:
    """Run `work(session, user)` in a worker thread (for pushed events: the user was verified
    when this tab joined its topic)."""
    with session_scope() as session:
        user = session.get(User, user_id)
        if user is None:
            return None
        return work(session, user)


class InboxState(rx.State):
    conversations: list[ConversationRow] = []
    selected: int = 0
    selected_title: str = ""
    thread: list[ThreadMessage] = []
    loaded: bool = False
    composing: bool = False
    search_query: str = ""
    search_results: list[UserPick] = []
    picked: list[UserPick] = []
    error: str = ""
    sending: bool = False
    _user_id: int = 0

    @rx.var
    def unread_total(self) -> int:
        return sum(c.unread for c in self.conversations)

    @rx.event
    async def load(self) -> Any:
        with session_scope() as session:
            user = await user_for(self, session)
            if user is None:
                return login_redirect(self)
            token = self.router.session.client_token
            if self._user_id and self._user_id != user.id:
                hub.leave(user_topic(self._user_id), token, InboxState)
            self._user_id = user.id or 0
            hub.join(user_topic(self._user_id), token, InboxState)
            self.conversations = _rows(session, user)
            if self.selected and not any(c.id == self.selected for c in self.conversations):
                self.selected, self.thread = 0, []
        self.error, self.loaded = "", True
        if self.selected:
            return await self.open_conversation(self.selected)
        return None

    @rx.event
    async def open_conversation(self, conversation_id: int) -> Any:
        with session_scope() as session:
            user = await user_for(self, session)
            if user is None:
                return login_redirect(self)
            try:
                cid = int(conversation_id)
                self.thread = _thread(session, user, cid)
                inbox.mark_read(session, user, cid)
            except (ValueError, TypeError):
                return rx.toast.error("Not found.")
            except DomainError as exc:
                return rx.toast.error(message_of(exc))
            self.conversations = _rows(session, user)
        self.selected, self.composing = cid, False
        self.selected_title = next((c.title for c in self.conversations if c.id == cid), "")
        return None

    @rx.event
    def close_conversation(self) -> None:
        """Back to the list (small screens show one pane at a time)."""
        self.selected, self.thread, self.selected_title = 0, [], ""

    @rx.event
    async def send_reply(self, form_data: dict[str, Any]) -> Any:
        content = text(form_data, "content")
        if not self.selected:
            return rx.toast.error("Pick a conversation first.")
        self.sending = True
        try:
            with session_scope() as session:
                user = await user_for(self, session)
                if user is None:
                    return login_redirect(self)
                try:
                    view = inbox.reply(session, user, self.selected, content)
                except Invalid as exc:
                    return rx.toast.error(" ".join(next(iter(exc.errors.values()))))
                except DomainError as exc:
                    return rx.toast.error(message_of(exc))
                self.thread = [*self.thread, _message(view.as_dict(), user.id or 0)][-THREAD_LIMIT:]
                self.conversations = _rows(session, user)
        finally:
            self.sending = False
        return rx.set_value("inbox-reply", "")

    # ---------------------------------------------------------------- new conversation

    @rx.event
    def start_compose(self) -> None:
        self.composing, self.selected, self.thread = True, 0, []
        self.search_query, self.search_results, self.picked = "", [], []

    @rx.event
    def cancel_compose(self) -> None:
        self.composing = False

    @rx.event
    async def search_users(self, query: Any) -> Any:
        self.search_query = query[:100] if isinstance(query, str) else ""
        with session_scope() as session:
            user = await user_for(self, session)
            if user is None:
                return login_redirect(self)
            found = inbox.recipient_candidates(session, user, self.search_query)
        chosen = {p.id for p in self.picked}
        self.search_results = [
            UserPick(id=u.id or 0, username=u.username, name=_display(u)) for u in found if u.id not in chosen
        ]
        return None

    @rx.event
    async def pick(self, user_id: int) -> Any:
        """Add a recipient: looked up again here, so only real, active users can be picked."""
        with session_scope() as session:
            user = await user_for(self, session)
            if user is None:
                return login_redirect(self)
            try:
                target = session.get(User, int(user_id))
            except (ValueError, TypeError):
                target = None
            if target is None or not target.is_active or target.id == user.id:
                return rx.toast.error("That user cannot receive messages.")
            if all(p.id != target.id for p in self.picked):
                self.picked = [
                    *self.picked,
                    UserPick(id=target.id or 0, username=target.username, name=_display(target)),
                ]
        self.search_results = [r for r in self.search_results if r.id != target.id]
        self.search_query = ""
        return rx.set_value("inbox-search", "")

    @rx.event
    def unpick(self, user_id: int) -> None:
        self.picked = [p for p in self.picked if p.id != user_id]

    @rx.event
    async def start_conversation(self, form_data: dict[str, Any]) -> Any:
        content = text(form_data, "content")
        self.sending = True
        try:
            with session_scope() as session:
                user = await user_for(self, session)
                if user is None:
                    return login_redirect(self)
                try:
                    view = inbox.send(
                        session, user, {"participant_ids": [p.id for p in self.picked], "content": content}
                    )
                except Invalid as exc:
                    return rx.toast.error(" ".join(" ".join(m) for m in exc.errors.values()))
                except DomainError as exc:
                    return rx.toast.error(message_of(exc))
                conversation_id = view.message.conversation_id
        finally:
            self.sending = False
        self.composing, self.picked = False, []
        await self.open_conversation(conversation_id)
        return rx.toast.success("Message sent")

    # ---------------------------------------------------------------- pushed events

    async def _on_realtime(self, topic: str, event: Event) -> None:
        if not self._user_id or topic != user_topic(self._user_id):
            return
        if event.kind == "inbox_message":
            cid = int(event.data.get("conversation_id") or 0)
            if cid and cid == self.selected:
                item = _message(event.data["message"], self._user_id)
                if all(m.id != item.id for m in self.thread):
                    self.thread = [*self.thread, item][-THREAD_LIMIT:]
                # It is on screen: read now.
                await asyncio.to_thread(_with_user, self._user_id, lambda s, u: inbox.mark_read(s, u, cid))
        elif not (event.kind == "inbox_read" and event.data.get("reader") == self._user_id):
            return
        rows = await asyncio.to_thread(_with_user, self._user_id, _rows)
        if rows is not None:
            self.conversations = rows
