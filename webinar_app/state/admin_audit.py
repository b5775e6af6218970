"""Admin audit log page: filter by actor, action and date range; newest first, paged."""

from __future__ import annotations

import dataclasses
import json
from datetime import date
from typing import Any

import reflex as rx

from webinar_app.core.db import session_scope
from webinar_app.models.base import as_utc
from webinar_app.services import audit
from webinar_app.services.errors import DomainError
from webinar_app.state.auth import login_redirect, user_for
from webinar_app.state.forms import message_of
from webinar_app.state.paging import PagedMixin

ANY_ACTION = "any"


@dataclasses.dataclass
class AuditRow:
    id: int
    when: str
    actor: str
    action: str
    target: str
    before: str
    after: str


def _day(value: Any) -> date | None:
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        return None


def _json(value: Any) -> str:
    return "" if value is None else json.dumps(value, sort_keys=True, ensure_ascii=False)


class AdminAuditState(PagedMixin, rx.State):
    entries: list[AuditRow] = []
    action_choices: list[str] = []
    allowed: bool = False
    loaded: bool = False
    actor: str = ""
    action: str = ANY_ACTION
    since: str = ""
    until: str = ""
    pages: int = 1
    total: int = 0

    @rx.event
    async def load(self) -> Any:
        self.loaded = self.allowed = False
        self.entries = []
        self.page = 1
        return await self._fetch()

    @rx.event
    async def apply_filters(self, form_data: dict[str, Any]) -> Any:
        self.actor = str(form_data.get("actor") or "")[:150]
        self.since = str(form_data.get("since") or "")[:10]
        self.until = str(form_data.get("until") or "")[:10]
        self.page = 1
        return await self._fetch()

    @rx.event
    async def set_action_filter(self, value: Any) -> Any:
        self.action = str(value or ANY_ACTION)[:64]
        self.page = 1
        return await self._fetch()

    async def _fetch(self) -> Any:
        with session_scope() as session:
            actor = await user_for(self, session)
            if actor is None:
                return login_redirect(self)
            try:
                found = audit.list_entries(
                    session,
                    actor,
                    actor_search=self.actor or None,
                    action=None if self.action == ANY_ACTION else self.action,
                    since=_day(self.since),
                    until=_day(self.until),
                    page=self.page,
                )
                self.action_choices = [ANY_ACTION, *audit.actions(session, actor)]
            except DomainError as exc:
                self.allowed = False
                self.loaded = True
                self.entries = []
                return rx.toast.error(message_of(exc))
            self.entries = [
                AuditRow(
                    id=e.id or 0,
                    when=f"{as_utc(e.created_at):%Y-%m-%d %H:%M:%S} UTC",
                    actor=e.actor_name,
                    action=e.action,
                    target=f"{e.target_type} #{e.target_id}" if e.target_id is not None else e.target_type,
                    before=_json(e.before),
                    after=_json(e.after),
                )
                for e in found.entries
            ]
            self.page, self.pages, self.total = found.page, found.pages, found.total
        self.allowed = self.loaded = True
        return None
