"""Admin dashboard: totals and chart series, all from `services.analytics` aggregates."""

from __future__ import annotations

from typing import Any

import reflex as rx

from webinar_app.core.db import session_scope
from webinar_app.services import analytics
from webinar_app.services.errors import DomainError
from webinar_app.state.auth import login_redirect, user_for
from webinar_app.state.forms import message_of


class AdminDashboardState(rx.State):
    allowed: bool = False
    loaded: bool = False
    by_status: dict[str, int] = {}
    users: int = 0
    active_users: int = 0
    registrations: int = 0
    waitlisted: int = 0
    attendance_percent: str = "0%"
    registrations_per_day: list[dict[str, Any]] = []
    chat_per_day: list[dict[str, Any]] = []
    funnel: list[dict[str, Any]] = []
    status_series: list[dict[str, Any]] = []
    engagement: dict[str, int] = {}

    @rx.event
    async def load(self) -> Any:
        self.loaded = self.allowed = False
        with session_scope() as session:
            actor = await user_for(self, session)
            if actor is None:
                return login_redirect(self)
            try:
                d = analytics.dashboard(session, actor)
            except DomainError as exc:
                self.loaded = True
                return rx.toast.error(message_of(exc))
        self.by_status = d.webinars_by_status
        self.status_series = [{"status": k, "count": v} for k, v in d.webinars_by_status.items()]
        self.users, self.active_users = d.users, d.active_users
        self.registrations, self.waitlisted = d.registrations, d.waitlisted
        self.attendance_percent = f"{d.attendance_rate * 100:.1f}%"
        self.registrations_per_day = [{"day": day[5:], "count": n} for day, n in d.registrations_per_day]
        self.chat_per_day = [{"day": day[5:], "count": n} for day, n in d.chat_messages_per_day]
        self.funnel = [
            {
                "title": f.title if len(f.title) <= 24 else f.title[:23] + "…",
                "registered": f.registered,
                "attended": f.attended,
                "watched": f.watched_replay,
            }
            for f in d.top_webinars
        ]
        self.engagement = d.engagement
        self.allowed = self.loaded = True
        return None
