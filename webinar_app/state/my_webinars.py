"""My webinars: the signed-in user's agenda, a week grid, soon-starting alerts, the calendar feed.

The list is the user's own registrations (`list_registrations(own_only=True)`, cancelled ones
included so people learn about a cancellation) plus webinars they host. Days are computed in
the viewer's zone so a 23:30 session sits on the day the viewer lives it.
"""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta
from typing import Any

import reflex as rx

from webinar_app import routes
from webinar_app.core.db import session_scope
from webinar_app.core.security import utcnow
from webinar_app.models.base import as_utc
from webinar_app.services import calendar, registrations, webinars
from webinar_app.state.auth import backend_base_url, login_redirect, user_for
from webinar_app.state.webinar_views import (
    DETECT_TIMEZONE_JS,
    WebinarCard,
    card_of,
    local,
    remember_timezone,
    timezone_known,
    viewer_zone,
)

SOON = timedelta(hours=24)
MAX_WEEK_OFFSET = 520  # ten years either way is plenty; bounds a client-sent offset


@dataclasses.dataclass
class DayColumn:
    """One column of the week grid."""

    iso: str = ""
    weekday: str = ""
    label: str = ""
    today: bool = False
    sessions: list[WebinarCard] = dataclasses.field(default_factory=list)


class MyWebinarsState(rx.State):
    upcoming: list[WebinarCard] = []
    past: list[WebinarCard] = []
    soon: list[WebinarCard] = []
    week: list[DayColumn] = []
    week_label: str = ""
    week_offset: int = 0
    feed_url: str = ""
    loaded: bool = False

    @rx.var
    def empty(self) -> bool:
        return not self.upcoming and not self.past

    @rx.event
    async def load(self) -> Any:
        """Protected page: signed-out visitors go to log in and come back here."""
        self.week_offset = 0
        redirect = await self._fetch()
        if redirect is not None:
            return redirect
        if not await timezone_known(self):
            return rx.call_script(DETECT_TIMEZONE_JS, callback=MyWebinarsState.timezone_detected)
        return None

    @rx.event
    async def timezone_detected(self, name: Any) -> Any:
        if await remember_timezone(self, name if isinstance(name, str) else ""):
            return await self._fetch()
        return None

    @rx.event
    async def shift_week(self, step: Any) -> Any:
        """Previous / next week (step -1 / +1); 0 returns to this week."""
        if not isinstance(step, int) or isinstance(step, bool):
            return None
        self.week_offset = (
            0 if step == 0 else max(-MAX_WEEK_OFFSET, min(MAX_WEEK_OFFSET, self.week_offset + step))
        )
        return await self._fetch()

    @rx.event
    async def regenerate_feed(self) -> Any:
        """A new feed secret: the old URL stops working (for a leaked link)."""
        with session_scope() as session:
            user = await user_for(self, session)
            if user is None:
                return login_redirect(self)
            secret = calendar.feed_secret(session, user, regenerate=True)
        self.feed_url = routes.calendar_feed_url(backend_base_url(), secret)
        return rx.toast.success("New calendar link created. The old one no longer works.")

    @rx.event
    def copy_feed(self) -> Any:
        if not self.feed_url:
            return None
        return [rx.set_clipboard(self.feed_url), rx.toast.success("Calendar feed link copied.")]

    async def _fetch(self) -> Any:
        with session_scope() as session:
            user = await user_for(self, session)
            if user is None:
                self.loaded = False
                return login_redirect(self)
            zone = await viewer_zone(self, user)
            cards: dict[int, tuple[Any, WebinarCard]] = {}
            for view in registrations.list_registrations(session, user, own_only=True):
                card = card_of(view.webinar, view.organizer, view.status, zone)
                cards[card.id] = (view.webinar, card)
            hosted, _ = webinars.list_webinars(session, user, organizer_id=user.id)
            for item in hosted:
                if item.webinar.id not in cards:
                    card = card_of(item.webinar, item.organizer, item.my_status, zone, hosting=True)
                    cards[card.id] = (item.webinar, card)
            self.feed_url = routes.calendar_feed_url(backend_base_url(), calendar.feed_secret(session, user))

        now = utcnow()
        ordered = sorted(cards.values(), key=lambda pair: as_utc(pair[0].start_at))  # type: ignore[arg-type, return-value]
        ahead = [c for w, c in ordered if as_utc(w.end_at) > now and c.status != "completed"]  # type: ignore[operator]
        self.upcoming = ahead
        self.past = [c for w, c in reversed(ordered) if c not in ahead]
        self.soon = [
            c
            for w, c in ordered
            if c.status in ("upcoming", "live")
            and c.my_status != registrations.WAITLISTED
            and as_utc(w.start_at) - now <= SOON  # type: ignore[operator]
            and as_utc(w.end_at) > now  # type: ignore[operator]
        ]

        today = local(now, zone).date()
        monday = today - timedelta(days=today.weekday()) + timedelta(weeks=self.week_offset)
        days: list[DayColumn] = []
        for index in range(7):
            day: date = monday + timedelta(days=index)
            days.append(
                DayColumn(
                    iso=day.isoformat(),
                    weekday=f"{day:%a}",
                    label=f"{day.day} {day:%b}",
                    today=day == today,
                    sessions=[c for _, c in ordered if c.day == day.isoformat() and c.status != "cancelled"],
                )
            )
        self.week = days
        sunday = monday + timedelta(days=6)
        self.week_label = f"{monday.day} {monday:%b} – {sunday.day} {sunday:%b %Y}"
        self.loaded = True
        return None
