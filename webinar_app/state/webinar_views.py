"""What the webinar pages show, shaped once: cards, times in the viewer's zone, the zone itself.

Times are stored in UTC; the browser tells us its IANA zone (`Intl...timeZone`) once and we
keep it in localStorage. A zone name from the client is only a display preference, still
validated here (an unknown name falls back to the user's profile zone, then UTC).
"""

from __future__ import annotations

import dataclasses
from datetime import datetime, tzinfo
from decimal import Decimal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import reflex as rx

from webinar_app import routes
from webinar_app.models import User, Webinar
from webinar_app.models.base import as_utc
from webinar_app.services.media import media_url
from webinar_app.services.webinars import WebinarView, compute_status, seats_left
from webinar_app.state.auth import backend_base_url

TIMEZONE_STORAGE_KEY = "webinar_timezone"
# Runs in the browser; its result comes back to a state's callback.
DETECT_TIMEZONE_JS = "Intl.DateTimeFormat().resolvedOptions().timeZone"
STATUS_COLORS = {"upcoming": "indigo", "live": "green", "completed": "gray", "cancelled": "red"}


def zone_of(name: str | None, fallback: str | None = None) -> tzinfo:
    """A usable zone for a client-supplied name (never raises)."""
    for candidate in (name, fallback, "UTC"):
        if candidate and isinstance(candidate, str) and len(candidate) <= 64:
            try:
                return ZoneInfo(candidate)
            except (ZoneInfoNotFoundError, ValueError):
                continue
    return ZoneInfo("UTC")


class ViewerState(rx.State):
    """The browser's time zone, remembered across visits (a display preference only)."""

    timezone: str = rx.LocalStorage("", name=TIMEZONE_STORAGE_KEY)

    @rx.var
    def timezone_label(self) -> str:
        return str(zone_of(self.timezone))

    def _remember(self, name: str) -> bool:
        """Store a detected zone; True when the asking page should render again in it.

        A page asks only when it found no zone stored, so it rendered in the fallback; it
        renders again even when another page's detection stored the same zone meanwhile
        (two pages of one visit both ask: the second answer changes nothing stored, but
        its page was still drawn before the first answer came)."""
        value = name if isinstance(name, str) else ""
        if str(zone_of(value)) != value:
            return False
        self.timezone = value
        return True


async def viewer_zone(state: rx.State, user: User | None = None) -> tzinfo:
    viewer = await state.get_state(ViewerState)
    return zone_of(viewer.timezone, user.timezone if user else None)


async def timezone_known(state: rx.State) -> bool:
    viewer = await state.get_state(ViewerState)
    return bool(viewer.timezone)


async def remember_timezone(state: rx.State, name: str) -> bool:
    viewer = await state.get_state(ViewerState)
    return viewer._remember(name)


def local(moment: datetime, zone: tzinfo) -> datetime:
    value = as_utc(moment)
    assert value is not None
    return value.astimezone(zone)


def when_label(start: datetime, zone: tzinfo) -> str:
    """`Tue 4 Mar 2031 · 22:30 CET`: the date a person reads, in their own zone."""
    at = local(start, zone)
    return f"{at:%a} {at.day} {at:%b %Y} · {at:%H:%M} {at.tzname() or ''}".strip()


def time_range_label(webinar: Webinar, zone: tzinfo) -> str:
    start, end = local(webinar.start_at, zone), local(webinar.end_at, zone)
    return f"{start:%H:%M}–{end:%H:%M}"


def price_label(price: Decimal) -> str:
    return "Free" if price <= 0 else f"${price:,.2f}"


def seats_label(webinar: Webinar) -> str:
    left = seats_left(webinar)
    if left is None:
        return "Unlimited seats"
    if left == 0:
        return "Full · waitlist open"
    return f"{left} seat{'s' if left != 1 else ''} left"


def thumbnail_url(webinar: Webinar) -> str:
    return media_url(webinar.thumbnail, backend_base_url()) or ""


@dataclasses.dataclass
class WebinarCard:
    """One webinar as every list shows it (plain strings: no formatting in the page)."""

    id: int = 0
    title: str = ""
    summary: str = ""
    organizer: str = ""
    category: str = ""
    status: str = "upcoming"
    status_color: str = "indigo"
    when: str = ""
    time_range: str = ""
    start_iso: str = ""
    day: str = ""  # local date, ISO (for the week grid)
    price: str = "Free"
    seats: str = ""
    full: bool = False
    thumbnail: str = ""
    my_status: str = ""
    href: str = ""
    hosting: bool = False


def card_of(
    webinar: Webinar, organizer: User, my_status: str | None, zone: tzinfo, *, hosting: bool = False
) -> WebinarCard:
    assert webinar.id is not None
    status = compute_status(webinar)
    summary = " ".join(webinar.description.split())
    start = as_utc(webinar.start_at)
    assert start is not None
    return WebinarCard(
        id=webinar.id,
        title=webinar.title,
        summary=summary[:157] + "…" if len(summary) > 160 else summary,
        organizer=organizer.display_name,
        category=webinar.category,
        status=status,
        status_color=STATUS_COLORS.get(status, "gray"),
        when=when_label(webinar.start_at, zone),
        time_range=time_range_label(webinar, zone),
        start_iso=start.isoformat().replace("+00:00", "Z"),
        day=local(webinar.start_at, zone).date().isoformat(),
        price=price_label(webinar.price),
        seats=seats_label(webinar),
        full=seats_left(webinar) == 0,
        thumbnail=thumbnail_url(webinar),
        my_status=my_status or "",
        href=routes.webinar_url(webinar.id),
        hosting=hosting,
    )


def card_of_view(view: WebinarView, zone: tzinfo) -> WebinarCard:
    return card_of(view.webinar, view.organizer, view.my_status, zone)
