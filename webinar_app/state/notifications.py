"""The bell: unread count, recent notifications and the "now live" banner, updated live.

On every page load the tab joins its user's realtime topic (`user:<id>`); a notification
created anywhere (UI, REST, scheduler, another worker through Redis) reaches it through
`realtime.hub`, which calls `_on_realtime` here. Identity is re-checked on every public
handler via `user_for`; the topic itself is only joined after that check.
"""

from __future__ import annotations

import asyncio
import dataclasses
from typing import Any

import reflex as rx

from webinar_app.core.db import session_scope
from webinar_app.models import NOTIFICATION_TYPE_DISPLAY
from webinar_app.models.base import as_utc
from webinar_app.realtime import Event
from webinar_app.realtime.hub import hub
from webinar_app.services import notifications
from webinar_app.services.errors import DomainError
from webinar_app.services.notifications import user_topic
from webinar_app.state.auth import login_redirect, user_for
from webinar_app.state.forms import message_of

RECENT_LIMIT = 10
PAGE_LIMIT = 100


@dataclasses.dataclass
class NotificationItem:
    id: int
    kind: str
    kind_label: str
    title: str
    content: str
    created_at: str
    is_read: bool
    webinar_id: int


def _items(user_id: int, limit: int) -> tuple[int, list[NotificationItem]]:
    """Unread count and the latest notifications, read in a worker thread."""
    with session_scope() as session:
        from webinar_app.models import User

        user = session.get(User, user_id)
        if user is None:
            return 0, []
        rows = notifications.list_for(session, user, limit=limit)
        count = notifications.unread_count(session, user)
        return count, [
            NotificationItem(
                id=n.id or 0,
                kind=n.notification_type,
                kind_label=NOTIFICATION_TYPE_DISPLAY.get(n.notification_type, "System"),
                title=n.title,
                content=n.content,
                created_at=(as_utc(n.created_at) or n.created_at).isoformat(),
                is_read=n.is_read,
                webinar_id=n.webinar_id or 0,
            )
            for n in rows
        ]


class NotificationState(rx.State):
    unread_count: int = 0
    recent: list[NotificationItem] = []
    # the full list on the notifications page
    items: list[NotificationItem] = []
    loaded: bool = False
    live_banner_title: str = ""
    live_banner_webinar_id: int = 0
    # Private: the user whose topic this tab joined (never trusted for permissions).
    _joined_user_id: int = 0

    @rx.var
    def badge(self) -> str:
        return "99+" if self.unread_count > 99 else str(self.unread_count)

    @rx.event
    async def connect(self) -> None:
        """Join this tab to its user's topic (or leave it when signed out)."""
        with session_scope() as session:
            user = await user_for(self, session)
            user_id = user.id if user is not None else 0
        token = self.router.session.client_token
        if self._joined_user_id and self._joined_user_id != user_id:
            hub.leave(user_topic(self._joined_user_id), token)
        self._joined_user_id = user_id or 0
        if not user_id:
            self.unread_count, self.recent = 0, []
            return
        hub.join(user_topic(user_id), token, NotificationState)
        self.unread_count, self.recent = await asyncio.to_thread(_items, user_id, RECENT_LIMIT)

    async def _on_realtime(self, topic: str, event: Event) -> None:
        if not self._joined_user_id or topic != user_topic(self._joined_user_id):
            return
        if event.kind == "live_started":
            self.live_banner_title = str(event.data.get("title", ""))
            self.live_banner_webinar_id = int(event.data.get("webinar_id") or 0)
            return
        if event.kind == "live_ended" and event.data.get("webinar_id") == self.live_banner_webinar_id:
            self.live_banner_title, self.live_banner_webinar_id = "", 0
        self.unread_count, self.recent = await asyncio.to_thread(
            _items, self._joined_user_id, RECENT_LIMIT
        )
        if self.loaded:
            _, self.items = await asyncio.to_thread(_items, self._joined_user_id, PAGE_LIMIT)

    @rx.event
    async def load_page(self) -> Any:
        """The notifications page."""
        with session_scope() as session:
            user = await user_for(self, session)
            if user is None:
                return login_redirect(self)
            user_id = user.id or 0
        await self.connect()
        _, self.items = await asyncio.to_thread(_items, user_id, PAGE_LIMIT)
        self.loaded = True
        return None

    @rx.event
    async def mark_read(self, notification_id: int) -> Any:
        with session_scope() as session:
            user = await user_for(self, session)
            if user is None:
                return login_redirect(self)
            try:
                notifications.mark_read(session, user, int(notification_id))
            except (DomainError, ValueError, TypeError) as exc:
                return rx.toast.error(message_of(exc) if isinstance(exc, DomainError) else "Not found.")
            user_id = user.id or 0
        await self._reload(user_id)
        return None

    @rx.event
    async def mark_all_read(self) -> Any:
        with session_scope() as session:
            user = await user_for(self, session)
            if user is None:
                return login_redirect(self)
            notifications.mark_all_read(session, user)
            user_id = user.id or 0
        await self._reload(user_id)
        return rx.toast.success("All notifications marked as read")

    async def _reload(self, user_id: int) -> None:
        self.unread_count, self.recent = await asyncio.to_thread(_items, user_id, RECENT_LIMIT)
        if self.loaded:
            _, self.items = await asyncio.to_thread(_items, user_id, PAGE_LIMIT)

    @rx.event
    def dismiss_banner(self) -> None:
        self.live_banner_title, self.live_banner_webinar_id = "", 0
