"""Webinars: scheduling, validation, status, the catalog query, cancellation.

Times are stored in UTC. Status is derived: a manual status (`completed`, `cancelled`) wins;
otherwise it follows the clock. Filters run in SQL on the stored start/end.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any, NamedTuple
from urllib.parse import urlparse

from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from webinar_app.core.config import get_settings
from webinar_app.core.security import utcnow
from webinar_app.models import (
    ManualStatus,
    NotificationType,
    Registration,
    User,
    Webinar,
)
from webinar_app.models.base import as_utc
from webinar_app.services import audit
from webinar_app.services.accounts import require_admin
from webinar_app.services.errors import Invalid, NotFound, PermissionDenied
from webinar_app.services.images import image_suffix, normalise_image
from webinar_app.services.media import delete_media, replace_image
from webinar_app.services.validation import ErrorCollector

STATUSES = ("upcoming", "live", "completed", "cancelled")
MAX_DURATION_MINUTES = 24 * 60
THUMBNAIL_MAX_SIDE = 1280
_UNSET: Any = object()


class Person(NamedTuple):
    """What an answer shows of a user (organizer, registrant), read as columns beside a row
    that needs it: building a `User` instance costs more than the rest of such a read."""

    id: int
    username: str
    email: str


@dataclass(frozen=True)
class WebinarView:
    """A webinar with what every shape needs, loaded without per-row queries."""

    webinar: Webinar
    organizer: User | Person
    my_status: str | None  # the viewer's registration status, if any

    @property
    def status(self) -> str:
        return compute_status(self.webinar)


def compute_status(webinar: Webinar, now: datetime | None = None) -> str:
    if webinar.manual_status in (ManualStatus.completed.value, ManualStatus.cancelled.value):
        return webinar.manual_status
    now = now or utcnow()
    start, end = as_utc(webinar.start_at), as_utc(webinar.end_at)
    assert start is not None and end is not None
    if now < start:
        return "upcoming"
    if now < end:
        return "live"
    return "completed"


def seats_left(webinar: Webinar) -> int | None:
    if webinar.capacity is None:
        return None
    return max(webinar.capacity - webinar.confirmed_count, 0)


def is_host(user: User | None, webinar: Webinar) -> bool:
    """Admins host everything; an organizer hosts their own webinars."""
    return user is not None and (user.is_admin or user.id == webinar.organizer_id)


# ------------------------------------------------------------------ parsing


def parse_date(value: Any) -> date | None:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        return None


def parse_time(value: Any) -> time | None:
    if isinstance(value, time):
        return value
    text = str(value).strip()
    for fmt in ("%H:%M:%S", "%H:%M", "%H:%M:%S.%f"):
        try:
            return datetime.strptime(text, fmt).time()
        except ValueError:
            continue
    return None


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    try:
        text = str(value).strip()
        return int(text)
    except (TypeError, ValueError):
        return None


def valid_stream_url(url: str) -> bool:
    parsed = urlparse(url)
    return parsed.scheme in ("http", "https") and bool(parsed.netloc)


def _clean(
    session: Session, actor: User, data: dict[str, Any], existing: Webinar | None
) -> dict[str, Any]:
    """Validate raw field values (strings from forms or JSON values) into column values."""
    errors = ErrorCollector()
    out: dict[str, Any] = {}
    partial = existing is not None

    if "title" in data or not partial:
        title = str(data.get("title") or "").strip()
        if not title:
            blank = "This field may not be blank." if "title" in data else "This field is required."
            errors.add("title", blank)
        elif len(title) > 200:
            errors.add("title", "Ensure this field has no more than 200 characters.")
        out["title"] = title
    if "description" in data:
        out["description"] = "" if data["description"] is None else str(data["description"])

    current = as_utc(existing.start_at) if existing else None
    day = current.date() if current else None
    clock = current.time() if current else None
    if "date" in data or not partial:
        raw = data.get("date")
        day = parse_date(raw) if not _blank(raw) else None
        if _blank(raw):
            errors.add("date", "This field is required.")
        elif day is None:
            errors.add("date", "Date has wrong format. Use one of these formats instead: YYYY-MM-DD.")
    if "time" in data or not partial:
        raw = data.get("time")
        clock = parse_time(raw) if not _blank(raw) else None
        if _blank(raw):
            errors.add("time", "This field is required.")
        elif clock is None:
            errors.add("time", "Time has wrong format. Use one of these formats instead: hh:mm[:ss].")

    duration = existing.duration if existing else 60
    if "duration" in data and not _blank(data["duration"]):
        duration_value = _int(data["duration"])
        if duration_value is None:
            errors.add("duration", "A valid integer is required.")
        elif duration_value < 1:
            errors.add("duration", "Ensure this value is greater than or equal to 1.")
        elif duration_value > MAX_DURATION_MINUTES:
            errors.add("duration", f"Ensure this value is less than or equal to {MAX_DURATION_MINUTES}.")
        else:
            duration = duration_value
    out["duration"] = duration

    if "price" in data:
        raw = data["price"]
        if _blank(raw):
            out["price"] = Decimal("0.00")
        else:
            try:
                price = Decimal(str(raw).strip())
                if not price.is_finite():
                    raise InvalidOperation
            except (InvalidOperation, ValueError):
                errors.add("price", "A valid number is required.")
            else:
                if price < 0:
                    errors.add("price", "Ensure this value is greater than or equal to 0.")
                elif price >= Decimal("100000000"):
                    errors.add("price", "Ensure that there are no more than 10 digits in total.")
                elif price.as_tuple().exponent < -2:  # type: ignore[operator]
                    errors.add("price", "Ensure that there are no more than 2 decimal places.")
                else:
                    out["price"] = price.quantize(Decimal("0.01"))

    if "capacity" in data:
        raw = data["capacity"]
        if _blank(raw):
            out["capacity"] = None
        else:
            capacity = _int(raw)
            if capacity is None:
                errors.add("capacity", "A valid integer is required.")
            elif capacity < 1:
                errors.add("capacity", "Ensure this value is greater than or equal to 1.")
            elif capacity > 1_000_000:
                errors.add("capacity", "Ensure this value is less than or equal to 1000000.")
            else:
                out["capacity"] = capacity

    if "live_stream_url" in data:
        raw = data["live_stream_url"]
        if _blank(raw):
            out["live_stream_url"] = None
        else:
            url = str(raw).strip()
            if len(url) > 500 or not valid_stream_url(url):
                errors.add("live_stream_url", "Enter a valid URL.")
            else:
                out["live_stream_url"] = url

    if "manual_status" in data:
        raw = "" if data["manual_status"] is None else str(data["manual_status"]).strip()
        if raw not in {s.value for s in ManualStatus}:
            errors.add("manual_status", f'"{raw}" is not a valid choice.')
        else:
            out["manual_status"] = raw

    if "organizer" in data and not _blank(data["organizer"]):
        organizer_id = _int(data["organizer"])
        organizer = session.get(User, organizer_id) if organizer_id is not None else None
        if organizer is None or not organizer.is_active:
            errors.add("organizer", f'Invalid pk "{data["organizer"]}" - object does not exist.')
        elif not actor.is_admin:
            raise PermissionDenied("Only admins may set the organizer.")
        else:
            out["organizer_id"] = organizer.id

    if "category" in data:
        category = str(data["category"] or "").strip()
        if len(category) > 80:
            errors.add("category", "Ensure this field has no more than 80 characters.")
        out["category"] = category
    if "tags" in data:
        raw = data["tags"]
        items = raw if isinstance(raw, list) else str(raw or "").split(",")
        tags = list(dict.fromkeys(str(t).strip() for t in items if str(t).strip()))
        joined = ",".join(tags)
        if len(joined) > 500:
            errors.add("tags", "Too many tags.")
        out["tags"] = joined

    if "reminder_offsets" in data:
        from webinar_app.services.reminders import format_offsets, parse_offsets

        try:
            out["reminder_offsets"] = format_offsets(parse_offsets(data["reminder_offsets"]))
        except Invalid as exc:
            for message in exc.errors.get("reminder_offsets", []):
                errors.add("reminder_offsets", message)

    errors.raise_if_any()
    assert day is not None and clock is not None
    start = datetime.combine(day, clock.replace(tzinfo=None), tzinfo=UTC)
    out["start_at"] = start
    out["end_at"] = start + timedelta(minutes=duration)
    return out


# ------------------------------------------------------------------ queries


def _views(session: Session, viewer: User | None, webinars: list[Webinar]) -> list[WebinarView]:
    """Organizers and the viewer's registrations in two queries, whatever the list length."""
    if not webinars:
        return []
    organizer_ids = {w.organizer_id for w in webinars}
    organizers = {u.id: u for u in session.exec(select(User).where(col(User.id).in_(organizer_ids)))}
    mine: dict[int, str] = {}
    if viewer is not None:
        ids = [w.id for w in webinars]
        mine = {
            wid: status
            for wid, status in session.exec(
                select(Registration.webinar_id, Registration.status).where(
                    Registration.user_id == viewer.id, col(Registration.webinar_id).in_(ids)
                )
            )
        }
    return [WebinarView(w, organizers[w.organizer_id], mine.get(w.id)) for w in webinars]  # type: ignore[index]


def views_for(session: Session, viewer: User | None, webinars: list[Webinar]) -> list[WebinarView]:
    """Views of already-loaded webinars (other domains, e.g. recordings, show them nested)."""
    return _views(session, viewer, webinars)


def _like_escape(text: str) -> str:
    """Search words are literal: `%` and `_` typed by a user are not wildcards."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _status_clause(status: str, now: datetime) -> Any:
    manual = col(Webinar.manual_status)
    if status == "upcoming":
        return (manual == "") & (col(Webinar.start_at) > now)
    if status == "live":
        return (manual == "") & (col(Webinar.start_at) <= now) & (col(Webinar.end_at) > now)
    if status == "completed":
        return (manual == "completed") | ((manual == "") & (col(Webinar.end_at) <= now))
    return manual == "cancelled"


def list_webinars(
    session: Session,
    viewer: User | None,
    *,
    status: str | None = None,
    organizer_id: int | None = None,
    my_only: bool = False,
    search: str | None = None,
    category: str | None = None,
    limit: int | None = None,
    offset: int = 0,
    ascending: bool = False,
) -> tuple[list[WebinarView], int]:
    """The catalog: newest first by default; cancelled ones only when asked, for hosts."""
    now = utcnow()
    query = select(Webinar)
    if status:
        if status not in STATUSES:
            raise Invalid.field("status", f'"{status}" is not a valid choice.')
        if status == "cancelled":
            if viewer is None:
                return [], 0
            if not viewer.is_admin:
                query = query.where(Webinar.organizer_id == viewer.id)
        query = query.where(_status_clause(status, now))
    else:
        query = query.where(col(Webinar.manual_status) != ManualStatus.cancelled.value)
    if organizer_id is not None:
        query = query.where(Webinar.organizer_id == organizer_id)
    if my_only:
        if viewer is None:
            return [], 0
        registered = select(Registration.webinar_id).where(Registration.user_id == viewer.id)
        query = query.where(
            (Webinar.organizer_id == viewer.id) | col(Webinar.id).in_(registered)
        )
    if category:
        query = query.where(func.lower(Webinar.category) == category.strip().lower())
    if search and search.strip():
        like = f"%{_like_escape(search.strip().lower())}%"
        organizers = select(User.id).where(
            or_(
                col(User.username_key).like(like, escape="\\"),
                func.lower(User.first_name).like(like, escape="\\"),
                func.lower(User.last_name).like(like, escape="\\"),
            )
        )
        query = query.where(
            or_(
                func.lower(Webinar.title).like(like, escape="\\"),
                func.lower(Webinar.description).like(like, escape="\\"),
                func.lower(Webinar.tags).like(like, escape="\\"),
                col(Webinar.organizer_id).in_(organizers),
            )
        )
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    order = col(Webinar.start_at).asc() if ascending else col(Webinar.start_at).desc()
    query = query.order_by(order, col(Webinar.id).desc()).offset(max(offset, 0))
    if limit is not None:
        query = query.limit(max(limit, 0))
    return _views(session, viewer, list(session.exec(query))), total


def get_webinar(session: Session, viewer: User | None, webinar_id: int) -> WebinarView:
    webinar = session.get(Webinar, webinar_id)
    if webinar is None:
        raise NotFound()
    return _views(session, viewer, [webinar])[0]


def categories(session: Session) -> list[str]:
    return [
        c
        for c in session.exec(
            select(Webinar.category)
            .where(Webinar.category != "", Webinar.manual_status != ManualStatus.cancelled.value)
            .distinct()
            .order_by(Webinar.category)
        )
    ]


# ------------------------------------------------------------------ changes


def _thumbnail_image(data: bytes | None) -> bytes | None:
    """Validate an uploaded thumbnail before anything is saved (bad input loses nothing)."""
    if data is None:
        return None
    return normalise_image(
        data, field="thumbnail", max_side=THUMBNAIL_MAX_SIDE, max_bytes=get_settings().max_avatar_bytes * 2
    )


def _store_thumbnail(session: Session, webinar: Webinar, image: bytes) -> None:
    replace_image(session, webinar, "thumbnail", "webinar_thumbnails", image, image_suffix(image))


def create_webinar(
    session: Session, actor: User, data: dict[str, Any], *, thumbnail: bytes | None = None
) -> Webinar:
    require_admin(actor)
    values = _clean(session, actor, data, None)
    image = _thumbnail_image(thumbnail)
    values.setdefault("organizer_id", actor.id)
    webinar = Webinar(**values)
    session.add(webinar)
    session.flush()
    audit.record(session, actor, "webinar.create", "webinar", webinar.id, after=audit.snapshot(webinar))
    session.commit()
    session.refresh(webinar)
    if image is not None:
        _store_thumbnail(session, webinar, image)
    return webinar


def update_webinar(
    session: Session,
    actor: User,
    webinar_id: int,
    data: dict[str, Any],
    *,
    thumbnail: bytes | None = None,
) -> Webinar:
    """Partial update. A time change bumps SEQUENCE and tells registrants; more seats promote."""
    from webinar_app.services import notifications, registrations
    from webinar_app.services.email import mails, queue

    require_admin(actor)
    webinar = session.get(Webinar, webinar_id)
    if webinar is None:
        raise NotFound()
    values = _clean(session, actor, data, webinar)
    image = _thumbnail_image(thumbnail)
    if image is not None:
        _store_thumbnail(session, webinar, image)
    old_window = (as_utc(webinar.start_at), as_utc(webinar.end_at))
    old_status = webinar.manual_status
    before, after = audit.changes(webinar, values)
    audit.record(session, actor, "webinar.update", "webinar", webinar.id, before=before, after=after)
    for key, value in values.items():
        setattr(webinar, key, value)
    # RFC 5545: a change of start *or* end needs a new SEQUENCE, or calendars keep the old entry.
    rescheduled = (as_utc(webinar.start_at), as_utc(webinar.end_at)) != old_window
    if rescheduled:
        webinar.sequence += 1
        webinar.schedule_changed_at = utcnow()  # reminders due before this moment are stale
    webinar.updated_at = utcnow()
    session.add(webinar)
    session.commit()
    session.refresh(webinar)
    assert webinar.id is not None
    if rescheduled:
        audience = registrations.registrant_ids(session, webinar.id, include_waitlist=True)
        mails.schedule_changed(
            session, webinar, audience, cancelled=False,
            confirmed_ids=registrations.registrant_ids(session, webinar.id),
        )
        notifications.notify(
            session,
            audience,
            NotificationType.system.value,
            f"Rescheduled: {webinar.title}",
            f"'{webinar.title}' now runs {as_utc(webinar.start_at):%Y-%m-%d %H:%M}"
            f"-{as_utc(webinar.end_at):%H:%M} UTC.",
            webinar_id=webinar.id,
        )
    if webinar.manual_status == ManualStatus.cancelled.value and old_status != webinar.manual_status:
        _tell_cancelled(session, webinar)
    queue.wake()
    registrations.fill_free_seats(session, webinar.id)
    return webinar


def delete_webinar(session: Session, actor: User, webinar_id: int) -> None:
    require_admin(actor)
    webinar = session.get(Webinar, webinar_id)
    if webinar is None:
        raise NotFound()
    thumbnail = webinar.thumbnail
    audit.record(session, actor, "webinar.delete", "webinar", webinar.id, before=audit.snapshot(webinar))
    session.delete(webinar)
    session.commit()
    delete_media(thumbnail)


def mark_completed(session: Session, actor: User, webinar_id: int) -> Webinar:
    return _set_manual_status(session, actor, webinar_id, ManualStatus.completed.value)


def cancel_webinar(session: Session, actor: User, webinar_id: int) -> Webinar:
    return _set_manual_status(session, actor, webinar_id, ManualStatus.cancelled.value)


def _set_manual_status(session: Session, actor: User, webinar_id: int, status: str) -> Webinar:
    require_admin(actor)
    webinar = session.get(Webinar, webinar_id)
    if webinar is None:
        raise NotFound()
    changed = webinar.manual_status != status
    action = "webinar.cancel" if status == ManualStatus.cancelled.value else "webinar.mark_completed"
    audit.record(
        session, actor, action, "webinar", webinar.id,
        before={"manual_status": webinar.manual_status}, after={"manual_status": status},
    )
    webinar.manual_status = status
    if changed and status == ManualStatus.cancelled.value:
        webinar.sequence += 1  # calendars apply the cancelled invite only with a higher SEQUENCE
    webinar.updated_at = utcnow()
    session.add(webinar)
    session.commit()
    if changed and status == ManualStatus.cancelled.value:
        _tell_cancelled(session, webinar)
    return webinar


def _tell_cancelled(session: Session, webinar: Webinar) -> None:
    """Registrants (and the waitlist) hear it in the app and by mail, in one commit."""
    from webinar_app.services import notifications, registrations
    from webinar_app.services.email import mails, queue

    assert webinar.id is not None
    audience = registrations.registrant_ids(session, webinar.id, include_waitlist=True)
    mails.schedule_changed(
        session, webinar, audience, cancelled=True,
        confirmed_ids=registrations.registrant_ids(session, webinar.id),
    )
    notifications.notify(
        session,
        audience,
        NotificationType.system.value,
        f"Cancelled: {webinar.title}",
        f"'{webinar.title}' has been cancelled.",
        webinar_id=webinar.id,
    )
    queue.wake()


def set_thumbnail(session: Session, actor: User, webinar_id: int, data: bytes) -> Webinar:
    require_admin(actor)
    webinar = session.get(Webinar, webinar_id)
    if webinar is None:
        raise NotFound()
    image = _thumbnail_image(data)
    assert image is not None
    _store_thumbnail(session, webinar, image)
    return webinar


def registration_open(webinar: Webinar) -> str | None:
    """Why registration is refused, or None when it is open."""
    status = compute_status(webinar)
    if status == "completed":
        return "Cannot register for a completed webinar."
    if status == "cancelled":
        return "Cannot register for a cancelled webinar."
    return None

