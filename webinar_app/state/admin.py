"""Admin users page: searchable, paginated list; role changes and (de)activation.

Every handler re-resolves the signed-in user; the services refuse students, self-demotion
and the last admin, and their message is shown as a toast.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import reflex as rx

from webinar_app.core.db import session_scope
from webinar_app.services import accounts
from webinar_app.services.errors import DomainError, PermissionDenied
from webinar_app.state.auth import login_redirect, user_for
from webinar_app.state.forms import message_of
from webinar_app.state.paging import PagedMixin

PAGE_SIZE = 25


@dataclasses.dataclass
class UserRow:
    id: int
    username: str
    email: str
    name: str
    role: str
    active: bool
    verified: bool
    is_me: bool = False


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class AdminUsersState(PagedMixin, rx.State):
    users: list[UserRow] = []
    allowed: bool = False
    loaded: bool = False
    search: str = ""
    error: str = ""
    total: int = 0

    @rx.var
    def pages(self) -> int:
        return max(1, -(-self.total // PAGE_SIZE))

    @rx.var
    def has_prev(self) -> bool:
        return self.page > 1

    @rx.var
    def has_next(self) -> bool:
        return self.page < self.pages

    @rx.event
    async def load(self) -> Any:
        self.loaded = False
        self.allowed = False
        self.users = []
        self.error = ""
        self.page = 1
        return await self._fetch()

    @rx.event
    async def run_search(self, form_data: dict[str, Any]) -> Any:
        value = form_data.get("search", "")
        self.search = value if isinstance(value, str) else ""
        self.page = 1
        return await self._fetch()

    @rx.event
    async def change_role(self, user_id: Any, role: Any) -> Any:
        uid = _int(user_id)
        return await self._act(
            lambda s, a: accounts.update_role(s, a, uid, str(role)), f"Role set to {role}."
        )

    @rx.event
    async def set_active(self, user_id: Any, active: Any) -> Any:
        uid, flag = _int(user_id), bool(active)
        done = "User reactivated." if flag else "User deactivated."
        return await self._act(lambda s, a: accounts.set_active(s, a, uid, flag), done)

    async def _act(self, action: Any, done: str) -> Any:
        with session_scope() as session:
            actor = await user_for(self, session)
            if actor is None:
                return login_redirect(self)
            try:
                action(session, actor)
            except DomainError as exc:
                session.rollback()
                return [rx.toast.error(message_of(exc)), *self._refresh(session, actor)]
            return [rx.toast.success(done), *self._refresh(session, actor)]

    def _refresh(self, session: Any, actor: Any) -> list[Any]:
        try:
            found, total = accounts.users_page(
                session, actor, search=self.search or None, page=self.page, page_size=PAGE_SIZE
            )
        except PermissionDenied as exc:
            self.allowed = False
            self.users = []
            self.loaded = True
            return [rx.toast.error(message_of(exc))]
        except DomainError as exc:
            self.error = message_of(exc)
            self.loaded = True
            return []
        self.total = total
        if self.page > self.pages:  # the list shrank under us (search, deactivation elsewhere)
            self.page = self.pages
            return self._refresh(session, actor)
        self.users = [
            UserRow(
                id=u.id or 0,
                username=u.username,
                email=u.email,
                name=f"{u.first_name} {u.last_name}".strip(),
                role=u.role,
                active=u.is_active,
                verified=u.email_verified,
                is_me=u.id == actor.id,
            )
            for u in found
        ]
        self.allowed = True
        self.loaded = True
        return []

    async def _fetch(self) -> Any:
        with session_scope() as session:
            actor = await user_for(self, session)
            if actor is None:
                return login_redirect(self)
            events = self._refresh(session, actor)
        return events or None
