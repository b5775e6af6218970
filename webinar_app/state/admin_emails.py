"""Admin email log: what was sent to whom; failed sends with their error and a Retry button."""

from __future__ import annotations

import dataclasses
from typing import Any

import reflex as rx

from webinar_app.core.db import session_scope
from webinar_app.models.base import as_utc
from webinar_app.services.email import log as email_log
from webinar_app.services.errors import DomainError
from webinar_app.state.auth import login_redirect, user_for
from webinar_app.state.forms import message_of
from webinar_app.state.paging import PagedMixin

ANY_STATUS = "any"


@dataclasses.dataclass
class EmailRow:
    id: int
    when: str
    recipient: str
    subject: str
    kind: str
    status: str
    attempts: int
    error: str
    failed: bool


def _when(value: Any) -> str:
    moment = as_utc(value)
    return f"{moment:%Y-%m-%d %H:%M} UTC" if moment is not None else ""


class AdminEmailsState(PagedMixin, rx.State):
    rows: list[EmailRow] = []
    allowed: bool = False
    loaded: bool = False
    status: str = ANY_STATUS
    search: str = ""
    pages: int = 1
    total: int = 0
    failed: int = 0

    @rx.var
    def status_choices(self) -> list[str]:
        return [ANY_STATUS, *email_log.STATUS_CHOICES]

    @rx.event
    async def load(self) -> Any:
        self.loaded = self.allowed = False
        self.rows = []
        self.page = 1
        return await self._fetch()

    @rx.event
    async def run_search(self, form_data: dict[str, Any]) -> Any:
        self.search = str(form_data.get("search") or "")[:254]
        self.page = 1
        return await self._fetch()

    @rx.event
    async def set_status_filter(self, value: Any) -> Any:
        self.status = str(value or ANY_STATUS)[:16]
        self.page = 1
        return await self._fetch()

    @rx.event
    async def retry(self, email_id: Any) -> Any:
        try:
            target = int(email_id)
        except (TypeError, ValueError):
            return rx.toast.error("Not found.")
        with session_scope() as session:
            actor = await user_for(self, session)
            if actor is None:
                return login_redirect(self)
            try:
                email_log.retry(session, actor, target)
            except DomainError as exc:
                session.rollback()
                message = rx.toast.error(message_of(exc))
            else:
                message = rx.toast.success("Queued for another attempt.")
            self._refresh(session, actor)
        return message

    def _refresh(self, session: Any, actor: Any) -> Any:
        try:
            found = email_log.list_emails(
                session,
                actor,
                status=None if self.status == ANY_STATUS else self.status,
                search=self.search or None,
                page=self.page,
            )
        except DomainError as exc:
            self.allowed = False
            self.loaded = True
            self.rows = []
            return rx.toast.error(message_of(exc))
        self.rows = [
            EmailRow(
                id=r.id or 0,
                when=_when(r.sent_at or r.created_at),
                recipient=r.to_address,
                subject=r.subject,
                kind=r.kind,
                status=r.status,
                attempts=r.attempts,
                error=r.last_error or "",
                failed=r.status == "failed",
            )
            for r in found.rows
        ]
        self.page, self.pages, self.total, self.failed = found.page, found.pages, found.total, found.failed
        self.allowed = self.loaded = True
        return None

    async def _fetch(self) -> Any:
        with session_scope() as session:
            actor = await user_for(self, session)
            if actor is None:
                return login_redirect(self)
            return self._refresh(session, actor)
