"""The catalog (`/webinars`) and the home page's upcoming highlights.

Filters are display input from the client: they are coerced here and the query itself is
`services.webinars.list_webinars`, which also knows the viewer's registrations (badges).
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from webinar_app.core.db import session_scope
from webinar_app.services import webinars
from webinar_app.services.errors import DomainError
from webinar_app.state.auth import user_for
from webinar_app.state.forms import message_of
from webinar_app.state.webinar_views import (
    DETECT_TIMEZONE_JS,
    WebinarCard,
    card_of_view,
    remember_timezone,
    timezone_known,
    viewer_zone,
)

PAGE_SIZE = 9
HIGHLIGHTS = 3
# Tab value -> service status. "past" reads better to attendees than "completed".
TABS = {"upcoming": "upcoming", "live": "live", "past": "completed"}
ALL_CATEGORIES = "all"
MAX_SEARCH = 100


class CatalogState(rx.State):
    """Search, status tab, category and the cards loaded so far ("Load more" appends)."""

    search: str = ""
    tab: str = "upcoming"
    category: str = ALL_CATEGORIES
    categories: list[str] = []
    items: list[WebinarCard] = []
    total: int = 0
    loading: bool = False
    loaded: bool = False
    error: str = ""

    @rx.var
    def has_more(self) -> bool:
        return len(self.items) < self.total

    @rx.var
    def result_label(self) -> str:
        if self.total == 1:
            return "1 webinar"
        return f"{self.total} webinars"

    @rx.event
    async def load(self) -> Any:
        """on_load: the first page; asks the browser for its zone on the first visit."""
        self.loaded = False
        query = self.router.url.query_parameters.get("q", "")
        if isinstance(query, str) and query:
            self.search = query[:MAX_SEARCH]
        await self._fetch(reset=True)
        if not await timezone_known(self):
            return rx.call_script(DETECT_TIMEZONE_JS, callback=CatalogState.timezone_detected)
        return None

    @rx.event
    async def timezone_detected(self, name: Any) -> None:
        if await remember_timezone(self, name if isinstance(name, str) else ""):
            await self._fetch(reset=True)

    @rx.event
    async def set_search(self, value: Any) -> None:
        """Called by the debounced search box."""
        self.search = value[:MAX_SEARCH] if isinstance(value, str) else ""
        await self._fetch(reset=True)

    @rx.event
    async def set_tab(self, value: Any) -> None:
        self.tab = value if value in TABS else "upcoming"
        await self._fetch(reset=True)

    @rx.event
    async def set_category(self, value: Any) -> None:
        self.category = value if isinstance(value, str) and value else ALL_CATEGORIES
        await self._fetch(reset=True)

    @rx.event
    async def clear_filters(self) -> None:
        self.search = ""
        self.category = ALL_CATEGORIES
        await self._fetch(reset=True)

    @rx.event
    async def load_more(self) -> None:
        await self._fetch(reset=False)

    async def _fetch(self, *, reset: bool) -> None:
        self.loading = True
        self.error = ""
        offset = 0 if reset else len(self.items)
        status = TABS.get(self.tab, "upcoming")
        with session_scope() as session:
            viewer = await user_for(self, session)
            zone = await viewer_zone(self, viewer)
            try:
                views, total = webinars.list_webinars(
                    session,
                    viewer,
                    status=status,
                    search=self.search or None,
                    category=None if self.category == ALL_CATEGORIES else self.category,
                    limit=PAGE_SIZE,
                    offset=offset,
                    # Soonest first for what is ahead, most recent first for the past.
                    ascending=status != "completed",
                )
                self.categories = webinars.categories(session)
            except DomainError as exc:
                self.error = message_of(exc)
                views, total = [], 0
            cards = [card_of_view(view, zone) for view in views]
        self.items = cards if reset else [*self.items, *cards]
        self.total = total
        self.loading = False
        self.loaded = True


class HomeHighlightsState(rx.State):
    """The next few upcoming webinars for the landing page."""

    items: list[WebinarCard] = []
    loaded: bool = False

    @rx.event
    async def load(self) -> Any:
        await self._fetch()
        if not await timezone_known(self):
            return rx.call_script(DETECT_TIMEZONE_JS, callback=HomeHighlightsState.timezone_detected)
        return None

    @rx.event
    async def timezone_detected(self, name: Any) -> None:
        if await remember_timezone(self, name if isinstance(name, str) else ""):
            await self._fetch()

    async def _fetch(self) -> None:
        with session_scope() as session:
            viewer = await user_for(self, session)
            zone = await viewer_zone(self, viewer)
            views, _ = webinars.list_webinars(
                session, viewer, status="upcoming", limit=HIGHLIGHTS, ascending=True
            )
            self.items = [card_of_view(view, zone) for view in views]
        self.loaded = True
