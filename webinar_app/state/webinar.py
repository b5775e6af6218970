"""One webinar's page: details, the viewer's registration, calendar and share links.

The webinar id is read from the URL path on every handler (not from a state var a client
could overwrite), and registering/unregistering is `services.registrations`, which decides
confirmed vs waitlisted and refuses cancelled or completed webinars.
"""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from typing import Any

import reflex as rx
from sqlmodel import Session

from webinar_app import routes
from webinar_app.core.db import session_scope
from webinar_app.models import User
from webinar_app.services import calendar, live, registrations, webinars
from webinar_app.services.errors import DomainError, Invalid, NotFound
from webinar_app.state.auth import backend_base_url, login_redirect, user_for
from webinar_app.state.forms import field_errors, message_of
from webinar_app.state.webinar_views import (
    DETECT_TIMEZONE_JS,
    WebinarCard,
    card_of_view,
    remember_timezone,
    timezone_known,
    viewer_zone,
)


@dataclasses.dataclass
class WebinarDetail:
    """What the page shows beyond a card."""

    description: str = ""
    duration: int = 0
    capacity: str = ""
    registered: int = 0
    tags: list[str] = dataclasses.field(default_factory=list)
    ics_url: str = ""
    google_url: str = ""
    outlook_url: str = ""
    can_register: bool = False
    closed_reason: str = ""
    is_host: bool = False
    # The clock says live, or the host opened the room early: the page offers "Join live".
    live_now: bool = False


class WebinarState(rx.State):
    card: WebinarCard = WebinarCard()
    detail: WebinarDetail = WebinarDetail()
    loaded: bool = False
    not_found: bool = False
    busy: bool = False

    @rx.var
    def is_registered(self) -> bool:
        return self.card.my_status == "confirmed"

    @rx.var
    def is_waitlisted(self) -> bool:
        return self.card.my_status == "waitlisted"

    def _webinar_id(self) -> int | None:
        return routes.webinar_id_from_path(self.router.url.path)

    @rx.event
    async def load(self) -> Any:
        self.loaded = False
        self.not_found = False
        self.busy = False
        await self._refresh()
        if not await timezone_known(self):
            return rx.call_script(DETECT_TIMEZONE_JS, callback=WebinarState.timezone_detected)
        return None

    @rx.event
    async def timezone_detected(self, name: Any) -> None:
        if await remember_timezone(self, name if isinstance(name, str) else ""):
            await self._refresh()

    async def _refresh(self) -> None:
        with session_scope() as session:
            viewer = await user_for(self, session)
            await self._show(session, viewer)

    async def _show(self, session: Session, viewer: User | None) -> None:
        webinar_id = self._webinar_id()
        try:
            if webinar_id is None:
                raise NotFound()
            view = webinars.get_webinar(session, viewer, webinar_id)
        except NotFound:
            self.not_found = True
            self.loaded = True
            return
        zone = await viewer_zone(self, viewer)
        webinar = view.webinar
        refusal = webinars.registration_open(webinar)
        self.card = card_of_view(view, zone)
        self.detail = WebinarDetail(
            description=webinar.description,
            duration=webinar.duration,
            capacity="Unlimited" if webinar.capacity is None else str(webinar.capacity),
            registered=webinar.confirmed_count,
            tags=webinar.tag_list,
            ics_url=routes.webinar_ics_url(backend_base_url(), webinar_id),  # type: ignore[arg-type]
            google_url=calendar.google_calendar_link(webinar),
            outlook_url=calendar.outlook_calendar_link(webinar),
            can_register=refusal is None,
            closed_reason=refusal or "",
            is_host=webinars.is_host(viewer, webinar),
            live_now=view.status == "live" or live.status(session, webinar_id) is not None,  # type: ignore[arg-type]
        )
        self.not_found = False
        self.loaded = True

    @rx.event
    async def register(self) -> AsyncIterator[Any]:
        """Claim a seat (or a waitlist place) for the signed-in user; the button spins meanwhile."""
        self.busy = True
        yield
        try:
            result = await self._register()
        finally:
            self.busy = False
        yield result

    @rx.event
    async def unregister(self) -> AsyncIterator[Any]:
        """Give the seat (or waitlist place) back; the service promotes the next in line."""
        self.busy = True
        yield
        try:
            result = await self._unregister()
        finally:
            self.busy = False
        yield result

    async def _register(self) -> Any:
        webinar_id = self._webinar_id()
        with session_scope() as session:
            user = await user_for(self, session)
            if user is None:
                return [login_redirect(self), rx.toast.info("Log in to register for this webinar.")]
            try:
                registration = registrations.register(session, user, webinar_id)
            except Invalid as exc:
                message = " ".join(field_errors(exc).values())
                await self._show(session, user)
                return rx.toast.error(message)
            except DomainError as exc:
                return rx.toast.error(message_of(exc))
            await self._show(session, user)
        if registration.status == registrations.WAITLISTED:
            return rx.toast.info(
                "This webinar is full: you are on the waitlist. We'll tell you if a seat frees up."
            )
        return rx.toast.success("You're registered! See you there.")

    async def _unregister(self) -> Any:
        webinar_id = self._webinar_id()
        with session_scope() as session:
            user = await user_for(self, session)
            if user is None:
                return login_redirect(self)
            mine = registrations.my_status_for(session, user, webinar_id) if webinar_id else None
            if mine is None or mine.id is None:
                await self._show(session, user)
                return rx.toast.info("You are not registered for this webinar.")
            was_waitlisted = mine.status == registrations.WAITLISTED
            try:
                registrations.unregister(session, user, mine.id)
            except DomainError as exc:
                return rx.toast.error(message_of(exc))
            await self._show(session, user)
        return rx.toast.success(
            "You left the waitlist." if was_waitlisted else "Your registration was cancelled."
        )

    @rx.event
    def copy_link(self) -> Any:
        """Copy this page's absolute URL (built from the route, not from client state)."""
        webinar_id = self._webinar_id()
        if webinar_id is None:
            return None
        link = f"{self.router.url.origin}{routes.webinar_url(webinar_id)}"
        return [rx.set_clipboard(link), rx.toast.success("Link copied to the clipboard.")]
