"""Admin moderation view: every live room's recent messages, mutes and bans, with undo."""

from __future__ import annotations

import dataclasses
from typing import Any

import reflex as rx

from webinar_app.core.db import session_scope
from webinar_app.models.base import as_utc
from webinar_app.services import chat, moderation, moderation_console
from webinar_app.services.errors import DomainError, PermissionDenied
from webinar_app.state.auth import login_redirect, user_for
from webinar_app.state.forms import message_of


@dataclasses.dataclass
class ModMessage:
    id: int
    webinar_id: int
    webinar_title: str
    author: str
    text: str
    created_at: str
    deleted: bool


@dataclasses.dataclass
class ModRestriction:
    webinar_id: int
    webinar_title: str
    user_id: int
    username: str
    until: str
    kind: str


class AdminModerationState(rx.State):
    allowed: bool = False
    loaded: bool = False
    room_count: int = 0
    messages: list[ModMessage] = []
    restrictions: list[ModRestriction] = []

    @rx.event
    async def load(self) -> Any:
        with session_scope() as session:
            actor = await user_for(self, session)
            if actor is None:
                return login_redirect(self)
            try:
                view = moderation_console.overview(session, actor)
            except PermissionDenied as exc:
                self.allowed, self.loaded = False, True
                return rx.toast.error(message_of(exc))
        self.allowed, self.loaded, self.room_count = True, True, len(view.rooms)
        self.messages = [
            ModMessage(
                m.id,
                m.webinar_id,
                m.webinar_title,
                m.author,
                m.text,
                (as_utc(m.created_at) or m.created_at).isoformat(),
                m.deleted,
            )
            for m in view.messages
        ]
        self.restrictions = [
            ModRestriction(
                r.webinar_id,
                r.webinar_title,
                r.user_id,
                r.username,
                (as_utc(r.until).isoformat() if r.until else ""),
                r.kind,
            )  # type: ignore[union-attr]
            for r in view.restrictions
        ]
        return None

    async def _act(self, action: Any, done: str) -> Any:
        with session_scope() as session:
            actor = await user_for(self, session)
            if actor is None:
                return login_redirect(self)
            try:
                action(session, actor)
            except (ValueError, TypeError):
                return rx.toast.error("Invalid request.")
            except DomainError as exc:
                return rx.toast.error(message_of(exc))
        await self.load()
        return rx.toast.success(done)

    @rx.event
    async def delete_message(self, message_id: int) -> Any:
        return await self._act(lambda s, a: chat.delete(s, a, int(message_id)), "Message deleted")

    @rx.event
    async def restore_message(self, message_id: int) -> Any:
        return await self._act(
            lambda s, a: moderation_console.restore_message(s, a, int(message_id)), "Message restored"
        )

    @rx.event
    async def lift(self, kind: str, webinar_id: int, user_id: int) -> Any:
        undo = moderation.unban if kind == "ban" else moderation.unmute
        return await self._act(lambda s, a: undo(s, a, int(webinar_id), int(user_id)), "Restriction lifted")
