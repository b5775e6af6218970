"""The admin placeholder: the user list. Students are refused by the service, not the page."""

from __future__ import annotations

import dataclasses
from typing import Any

import reflex as rx

from webinar_app.core.db import session_scope
from webinar_app.services import accounts
from webinar_app.services.errors import DomainError, PermissionDenied
from webinar_app.state.auth import login_redirect, user_for
from webinar_app.state.forms import message_of


@dataclasses.dataclass
class UserRow:
    id: int
    username: str
    email: str
    name: str
    role: str
    active: bool
    verified: bool


class AdminUsersState(rx.State):
    users: list[UserRow] = []
    allowed: bool = False
    loaded: bool = False
    search: str = ""
    error: str = ""

    @rx.event
    async def load(self) -> Any:
        self.loaded = False
        self.allowed = False
        self.users = []
        self.error = ""
        return await self._fetch()

    @rx.event
    async def run_search(self, form_data: dict[str, Any]) -> Any:
        value = form_data.get("search", "")
        self.search = value if isinstance(value, str) else ""
        return await self._fetch()

    async def _fetch(self) -> Any:
        with session_scope() as session:
            actor = await user_for(self, session)
            if actor is None:
                return login_redirect(self)
            try:
                found = accounts.list_users(session, actor, search=self.search or None)
            except PermissionDenied as exc:
                self.allowed = False
                self.users = []
                self.loaded = True
                return rx.toast.error(message_of(exc))
            except DomainError as exc:
                self.error = message_of(exc)
                self.loaded = True
                return None
            self.users = [
                UserRow(
                    id=u.id or 0,
                    username=u.username,
                    email=u.email,
                    name=f"{u.first_name} {u.last_name}".strip(),
                    role=u.role,
                    active=u.is_active,
                    verified=u.email_verified,
                )
                for u in found
            ]
        self.allowed = True
        self.loaded = True
        return None
