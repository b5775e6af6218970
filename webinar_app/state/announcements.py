"""Announcements: the list every signed-in user can read, and the admin's writing form.

Creating goes through `services.announcements.create`, which notifies every other active
user in the same commit and pushes the notifications (the bell updates live). The list page
joins the `announcements` topic, so a new announcement appears there without a reload.
"""

from __future__ import annotations

import asyncio
import dataclasses
from typing import Any

import reflex as rx

from webinar_app.core.db import session_scope
from webinar_app.models.base import as_utc
from webinar_app.realtime import Event
from webinar_app.realtime.hub import hub
from webinar_app.services import announcements
from webinar_app.services.errors import DomainError, Invalid
from webinar_app.state.auth import login_redirect, user_for
from webinar_app.state.forms import field_errors, message_of, text

LIST_LIMIT = 100


@dataclasses.dataclass
class AnnouncementItem:
    id: int
    title: str
    content: str
    sender: str
    created_at: str


def _items() -> list[AnnouncementItem]:
    """Newest first with sender names (two queries), read in a worker thread."""
    with session_scope() as session:
        rows = announcements.list_announcements(session, limit=LIST_LIMIT)
        names = announcements.senders(session, rows)
        return [
            AnnouncementItem(
                id=a.id or 0,
                title=a.title,
                content=a.content,
                sender=names.get(a.sender_id, ""),
                created_at=(as_utc(a.created_at) or a.created_at).isoformat(),
            )
            for a in rows
        ]


class AnnouncementsState(rx.State):
    items: list[AnnouncementItem] = []
    loaded: bool = False
    # The admin page: refused for students (the service refuses creating anyway).
    forbidden: bool = False
    errors: dict[str, str] = {}
    submitting: bool = False

    @rx.event
    async def load(self) -> Any:
        """The list page: signed-in users only; follow new announcements live."""
        with session_scope() as session:
            user = await user_for(self, session)
            if user is None:
                return login_redirect(self)
        self.forbidden = False
        hub.join(announcements.TOPIC, self.router.session.client_token, AnnouncementsState)
        self.items = await asyncio.to_thread(_items)
        self.loaded = True
        return None

    @rx.event
    async def load_admin(self) -> Any:
        """The admin writing page."""
        with session_scope() as session:
            user = await user_for(self, session)
            if user is None:
                return login_redirect(self)
            is_admin = user.is_admin
        self.errors = {}
        self.forbidden = not is_admin
        if is_admin:
            hub.join(announcements.TOPIC, self.router.session.client_token, AnnouncementsState)
            self.items = await asyncio.to_thread(_items)
        else:
            self.items = []
        self.loaded = True
        return None

    @rx.event
    async def create(self, form_data: dict[str, Any]) -> Any:
        self.submitting = True
        try:
            with session_scope() as session:
                user = await user_for(self, session)
                if user is None:
                    return login_redirect(self)
                try:
                    announcements.create(
                        session,
                        user,
                        {"title": text(form_data, "title"), "content": text(form_data, "content")},
                    )
                except Invalid as exc:
                    self.errors = field_errors(exc)
                    return None
                except DomainError as exc:
                    return rx.toast.error(message_of(exc))
        finally:
            self.submitting = False
        self.errors = {}
        self.items = await asyncio.to_thread(_items)
        return [
            rx.set_value("announcement-title", ""),
            rx.set_value("announcement-content", ""),
            rx.toast.success("Announcement sent to everyone"),
        ]

    async def _on_realtime(self, topic: str, event: Event) -> None:
        if topic == announcements.TOPIC and event.kind == "announcement":
            self.items = await asyncio.to_thread(_items)
