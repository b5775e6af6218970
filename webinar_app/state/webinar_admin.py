"""Admin: the webinar list, the create/edit form, status actions, registrants and their CSV.

Every rule (admin only, validation, notifications on cancel/reschedule) is in
`services.webinars` / `services.registrations` / `services.exports`; this state only turns
form values into the service's input and its errors into inline messages. The admin types
the date and time in their own zone; it is converted to UTC here before validation.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from typing import Any

import reflex as rx
from sqlmodel import Session

from webinar_app.core.config import get_settings
from webinar_app.core.db import session_scope
from webinar_app.models import User, Webinar
from webinar_app.services import accounts, analytics, exports, registrations, webinars
from webinar_app.services.engagement import summary as engagement_summary
from webinar_app.services.errors import DomainError, Invalid, PermissionDenied
from webinar_app.services.reminders import offsets_of
from webinar_app.state.auth import login_redirect, user_for
from webinar_app.state.forms import field_errors, message_of
from webinar_app.state.webinar_views import (
    DETECT_TIMEZONE_JS,
    WebinarCard,
    card_of,
    local,
    remember_timezone,
    thumbnail_url,
    timezone_known,
    viewer_zone,
)

THUMBNAIL_UPLOAD_ID = "thumbnail_upload"
FORM_FIELDS = (
    "title",
    "description",
    "date",
    "time",
    "duration",
    "price",
    "capacity",
    "live_stream_url",
    "category",
    "tags",
    "organizer",
    "reminder_offsets",
)


def blank_form() -> dict[str, str]:
    defaults = {"duration": "60", "price": "0", "reminder_offsets": "1440, 15"}
    return {name: "" for name in FORM_FIELDS} | defaults


@dataclasses.dataclass
class OrganizerOption:
    id: str = ""
    label: str = ""


@dataclasses.dataclass
class RegistrantRow:
    id: int = 0
    username: str = ""
    name: str = ""
    email: str = ""
    status: str = ""
    registered_on: str = ""
    attended: bool = False


def _to_utc_fields(values: dict[str, str], zone: Any) -> dict[str, str]:
    """The admin's local date+time as the service's UTC date+time; unparseable input is
    passed through untouched so the service reports it in its own words."""
    out = dict(values)
    day, clock = webinars.parse_date(values.get("date", "")), webinars.parse_time(values.get("time", ""))
    if day is not None and clock is not None and values.get("date") and values.get("time"):
        start = datetime.combine(day, clock.replace(tzinfo=None), tzinfo=zone).astimezone(UTC)
        out["date"], out["time"] = start.date().isoformat(), start.time().strftime("%H:%M:%S")
    return out


def _form_of(webinar: Webinar, zone: Any) -> dict[str, str]:
    start = local(webinar.start_at, zone)
    return {
        "title": webinar.title,
        "description": webinar.description,
        "date": start.date().isoformat(),
        "time": start.strftime("%H:%M"),
        "duration": str(webinar.duration),
        "price": f"{webinar.price:.2f}",
        "capacity": "" if webinar.capacity is None else str(webinar.capacity),
        "live_stream_url": webinar.live_stream_url or "",
        "category": webinar.category,
        "tags": ", ".join(webinar.tag_list),
        "organizer": str(webinar.organizer_id),
        "reminder_offsets": ", ".join(str(o) for o in offsets_of(webinar)),
    }


class WebinarAdminState(rx.State):
    allowed: bool = False
    loaded: bool = False
    rows: list[WebinarCard] = []
    organizers: list[OrganizerOption] = []

    # the form (controlled inputs; submitted values are judged by the service)
    form: dict[str, str] = blank_form()
    form_errors: dict[str, str] = {}
    editing_id: int = 0
    editing_thumbnail: str = ""
    form_open: bool = False
    saving: bool = False

    # registrants panel
    registrants_for: int = 0
    registrants_title: str = ""
    # live and replay figures of the webinar whose registrants are shown
    engagement: str = ""
    registrants: list[RegistrantRow] = []

    @rx.var
    def confirmed_count(self) -> int:
        return len([r for r in self.registrants if r.status == "confirmed"])

    @rx.var
    def waitlisted_count(self) -> int:
        return len([r for r in self.registrants if r.status == "waitlisted"])

    # ------------------------------------------------------------ loading

    @rx.event
    async def load(self) -> Any:
        self.loaded = False
        self.allowed = False
        self.form_open = False
        self.registrants_for = 0
        self.registrants = []
        result = await self._fetch()
        if result is not None:
            return result
        if not await timezone_known(self):
            return rx.call_script(DETECT_TIMEZONE_JS, callback=WebinarAdminState.timezone_detected)
        return None

    @rx.event
    async def timezone_detected(self, name: Any) -> Any:
        if await remember_timezone(self, name if isinstance(name, str) else ""):
            return await self._fetch()
        return None

    async def _actor(self, session: Session) -> User | None:
        return await user_for(self, session)

    async def _fetch(self) -> Any:
        with session_scope() as session:
            actor = await self._actor(session)
            if actor is None:
                return login_redirect(self)
            try:
                # Admin-only service call: a student is refused here, like on /admin.
                people = accounts.list_users(session, actor)
            except PermissionDenied as exc:
                self.allowed = False
                self.loaded = True
                self.rows = []
                return rx.toast.error(message_of(exc))
            self._list(session, actor, await viewer_zone(self, actor))
            self.organizers = [
                OrganizerOption(id=str(u.id), label=f"{u.display_name} (@{u.username})")
                for u in people
                if u.is_active
            ]
        self.allowed = True
        self.loaded = True
        return None

    def _list(self, session: Session, actor: User, zone: Any) -> None:
        active, _ = webinars.list_webinars(session, actor)
        cancelled, _ = webinars.list_webinars(session, actor, status="cancelled")
        views = sorted([*active, *cancelled], key=lambda v: v.webinar.start_at, reverse=True)
        self.rows = [card_of(v.webinar, v.organizer, v.my_status, zone) for v in views]

    async def _relist(self, session: Session, actor: User) -> None:
        self._list(session, actor, await viewer_zone(self, actor))

    # ------------------------------------------------------------ the form

    @rx.event
    async def new_webinar(self) -> Any:
        with session_scope() as session:
            actor = await self._actor(session)
            if actor is None:
                return login_redirect(self)
            self.form = blank_form() | {"organizer": str(actor.id)}
        self.form_errors = {}
        self.editing_id = 0
        self.editing_thumbnail = ""
        self.form_open = True
        return rx.clear_selected_files(THUMBNAIL_UPLOAD_ID)

    @rx.event
    async def edit_webinar(self, webinar_id: Any) -> Any:
        if not isinstance(webinar_id, int):
            return None
        with session_scope() as session:
            actor = await self._actor(session)
            if actor is None:
                return login_redirect(self)
            if not actor.is_admin:
                return rx.toast.error("Admin access is required.")
            try:
                view = webinars.get_webinar(session, actor, webinar_id)
            except DomainError as exc:
                return rx.toast.error(message_of(exc))
            self.form = _form_of(view.webinar, await viewer_zone(self, actor))
            self.editing_thumbnail = thumbnail_url(view.webinar)
        self.form_errors = {}
        self.editing_id = webinar_id
        self.form_open = True
        return rx.clear_selected_files(THUMBNAIL_UPLOAD_ID)

    @rx.event
    def close_form(self) -> Any:
        self.form_open = False
        self.form_errors = {}
        return rx.clear_selected_files(THUMBNAIL_UPLOAD_ID)

    @rx.event
    def set_field(self, name: Any, value: Any) -> None:
        if name in FORM_FIELDS:
            self.form = self.form | {name: value if isinstance(value, str) else ""}
            if name in self.form_errors:
                self.form_errors = {k: v for k, v in self.form_errors.items() if k != name}

    @rx.event
    async def save(self, files: list[rx.UploadFile]) -> Any:
        """Create or update from the form, with the chosen thumbnail's bytes (if any)."""
        self.saving = True
        yield
        thumbnail: bytes | None = None
        if files:
            # One byte past the service's limit: it rejects oversize files without us
            # reading a huge upload whole.
            thumbnail = await files[0].read(get_settings().max_avatar_bytes * 2 + 1)
        with session_scope() as session:
            actor = await self._actor(session)
            if actor is None:
                self.saving = False
                yield login_redirect(self)
                return
            zone = await viewer_zone(self, actor)
            values = _to_utc_fields({k: str(self.form.get(k, "")) for k in FORM_FIELDS}, zone)
            try:
                if self.editing_id:
                    webinar = webinars.update_webinar(
                        session, actor, self.editing_id, values, thumbnail=thumbnail
                    )
                else:
                    webinar = webinars.create_webinar(session, actor, values, thumbnail=thumbnail)
            except Invalid as exc:
                self.form_errors = field_errors(exc)
                self.saving = False
                yield rx.toast.error("Please fix the highlighted fields.")
                return
            except DomainError as exc:
                self.saving = False
                yield rx.toast.error(message_of(exc))
                return
            created = not self.editing_id
            await self._relist(session, actor)
            title = webinar.title
        self.saving = False
        self.form_open = False
        self.form_errors = {}
        yield [
            rx.clear_selected_files(THUMBNAIL_UPLOAD_ID),
            rx.toast.success(f"Created “{title}”." if created else f"Saved “{title}”."),
        ]

    # ------------------------------------------------------------ status actions

    async def _act(self, webinar_id: Any, action: str) -> Any:
        if not isinstance(webinar_id, int):
            return None
        with session_scope() as session:
            actor = await self._actor(session)
            if actor is None:
                return login_redirect(self)
            try:
                if action == "delete":
                    webinars.delete_webinar(session, actor, webinar_id)
                    message = "Webinar deleted."
                elif action == "complete":
                    webinars.mark_completed(session, actor, webinar_id)
                    message = "Marked as completed."
                else:
                    webinars.cancel_webinar(session, actor, webinar_id)
                    message = "Webinar cancelled. Registrants have been notified."
            except DomainError as exc:
                return rx.toast.error(message_of(exc))
            await self._relist(session, actor)
        if self.registrants_for == webinar_id and action == "delete":
            self.registrants_for = 0
            self.registrants = []
        return rx.toast.success(message)

    @rx.event
    async def delete_webinar(self, webinar_id: Any) -> Any:
        return await self._act(webinar_id, "delete")

    @rx.event
    async def mark_completed(self, webinar_id: Any) -> Any:
        return await self._act(webinar_id, "complete")

    @rx.event
    async def cancel_webinar(self, webinar_id: Any) -> Any:
        return await self._act(webinar_id, "cancel")

    # ------------------------------------------------------------ registrants

    @rx.event
    async def show_registrants(self, webinar_id: Any) -> Any:
        if not isinstance(webinar_id, int):
            return None
        with session_scope() as session:
            actor = await self._actor(session)
            if actor is None:
                return login_redirect(self)
            try:
                title = webinars.get_webinar(session, actor, webinar_id).webinar.title
                await self._load_registrants(session, actor, webinar_id)
            except DomainError as exc:
                return rx.toast.error(message_of(exc))
        self.registrants_for = webinar_id
        self.registrants_title = title
        return None

    async def _load_registrants(self, session: Session, actor: User, webinar_id: int) -> None:
        found = registrations.registrants(session, actor, webinar_id)
        figures = analytics.webinar_engagement(session, actor, webinar_id)
        self.engagement = (
            f"{figures.attended}/{figures.registered} attended · {figures.live_participants} joined live "
            f"({figures.live_minutes} min) · {figures.replay_viewers} watched the replay "
            f"({figures.replay_minutes} min)"
        )
        room = engagement_summary.summary(session, actor, webinar_id)
        qa, room_polls = room["questions"], room["polls"]
        ballots = sum(p["total_votes"] or 0 for p in room_polls)
        self.engagement += (
            f" · {qa['asked']} questions ({qa['answered']} answered) · "
            f"{len(room_polls)} polls, {ballots} votes"
        )
        zone = await viewer_zone(self, actor)
        self.registrants = [
            RegistrantRow(
                id=r.registration.id or 0,
                username=r.user.username,
                name=r.user.display_name,
                email=r.user.email,
                status=r.status,
                registered_on=f"{local(r.registration.registered_on, zone):%Y-%m-%d %H:%M}",
                attended=r.registration.attended,
            )
            for r in found
        ]

    async def _registrant_action(self, registration_id: Any, action: Any, done: str) -> Any:
        """Run `action(session, actor, registration_id)`, then reload the open registrants table."""
        if not isinstance(registration_id, int) or self.registrants_for <= 0:
            return None
        with session_scope() as session:
            actor = await self._actor(session)
            if actor is None:
                return login_redirect(self)
            try:
                action(session, actor, registration_id)
            except DomainError as exc:
                session.rollback()
                return rx.toast.error(message_of(exc))
            try:
                await self._load_registrants(session, actor, self.registrants_for)
            except DomainError:
                self.registrants = []
            await self._relist(session, actor)
        return rx.toast.success(done)

    @rx.event
    async def promote_registrant(self, registration_id: Any) -> Any:
        done = "Moved off the waitlist."
        return await self._registrant_action(registration_id, registrations.promote, done)

    @rx.event
    async def remove_registrant(self, registration_id: Any) -> Any:
        done = "Registration removed."
        return await self._registrant_action(registration_id, registrations.unregister, done)

    @rx.event
    async def set_registrant_attended(self, registration_id: Any, attended: Any) -> Any:
        flag = bool(attended)

        def mark(session: Session, actor: User, rid: int) -> Any:
            return registrations.set_attended(session, actor, rid, flag)

        return await self._registrant_action(
            registration_id, mark, "Marked as attended." if flag else "Marked as not attended."
        )

    @rx.event
    def hide_registrants(self) -> None:
        self.registrants_for = 0
        self.registrants = []

    @rx.event
    async def export_registrants(self) -> Any:
        """The same CSV as `GET /api/webinars/{id}/registrants.csv`, as a browser download."""
        webinar_id = self.registrants_for
        if not webinar_id:
            return None
        with session_scope() as session:
            actor = await self._actor(session)
            if actor is None:
                return login_redirect(self)
            try:
                data = exports.registrants_csv(session, actor, webinar_id)
            except DomainError as exc:
                return rx.toast.error(message_of(exc))
        return rx.download(data=data, filename=exports.registrants_filename(webinar_id), mime_type="text/csv")
