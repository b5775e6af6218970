"""Recordings: who may see which, admin writes, signed playback URLs, views, notifications.

Visibility (the earlier server showed private recordings to every signed-in user):
- anonymous: public recordings only;
- signed in: public ones, plus every recording of a webinar they hold a *confirmed*
  registration for (waitlisted is not enough) or organize;
- admins: all.
A recording the caller may not see does not exist for them (`NotFound`).

A stored file is never public media: its `recording_link` is a signed URL made per viewer
at serialization time (HMAC over recording id + stored name + expiry + user id), and the
stream route checks the signature *and* the visibility again before serving a byte.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import func, or_, true, update
from sqlmodel import Session, col, select

from webinar_app.core.config import get_settings
from webinar_app.core.security import constant_time_equals, keyed_hash, utcnow
from webinar_app.models import (
    Notification,
    NotificationType,
    Recording,
    RecordingView,
    Registration,
    RegistrationStatus,
    User,
    Webinar,
)
from webinar_app.models.base import as_utc
from webinar_app.services import audit, embeds, notifications, registrations, webinars
from webinar_app.services.accounts import require_admin
from webinar_app.services.email import mails, queue
from webinar_app.services.errors import Invalid, NotFound, PermissionDenied
from webinar_app.services.uploads import StoredFile, delete_stored, resolve_stored
from webinar_app.services.validation import ErrorCollector
from webinar_app.services.webinars import WebinarView

CONFIRMED = RegistrationStatus.confirmed.value
MAX_TITLE = 255
MAX_LINK = 500
# Signed URLs expire on a 5-minute grid, so re-rendering a page keeps the same URL (the
# <video> element does not reload) while the lifetime stays SIGNED_URL_SECONDS or a bit more.
EXPIRY_GRID_SECONDS = 300
# A view can only have lasted as long as the page was open (plus a little clock slack).
VIEW_SLACK_SECONDS = 10
_TRUE = {"true", "1", "yes", "on"}
_FALSE = {"false", "0", "no", "off"}


@dataclass(frozen=True)
class RecordingItem:
    """A recording with its webinar (as the viewer sees it) and uploader, loaded in bulk."""

    recording: Recording
    event: WebinarView
    uploader: User | None

    @property
    def id(self) -> int:
        assert self.recording.id is not None
        return self.recording.id

    @property
    def display_title(self) -> str:
        return display_title(self.recording, self.event.webinar)

    @property
    def is_file(self) -> bool:
        return self.recording.file_name is not None


def display_title(recording: Recording, webinar: Webinar) -> str:
    return recording.title or f"Recording: {webinar.title}"


# ------------------------------------------------------------------ visibility


def _visible_clause(viewer: User | None) -> Any:
    if viewer is None:
        return col(Recording.is_public).is_(True)
    if viewer.is_admin:
        return true()
    return or_(col(Recording.is_public).is_(True), col(Recording.webinar_id).in_(_my_webinar_ids(viewer)))


def _my_webinar_ids(viewer: User) -> Any:
    """Webinars whose recordings the viewer may see beyond public ones (a subquery)."""
    registered = select(Registration.webinar_id).where(
        Registration.user_id == viewer.id, Registration.status == CONFIRMED
    )
    organized = select(Webinar.id).where(Webinar.organizer_id == viewer.id)
    return registered.union(organized)


def can_view(session: Session, viewer: User | None, recording: Recording) -> bool:
    if recording.is_public or (viewer is not None and viewer.is_admin):
        return True
    if viewer is None:
        return False
    webinar = session.get(Webinar, recording.webinar_id)
    if webinar is not None and webinar.organizer_id == viewer.id:
        return True
    return registrations.is_registrant(session, viewer, recording.webinar_id)


def _items(session: Session, viewer: User | None, rows: list[Recording]) -> list[RecordingItem]:
    """Webinars, organizers, the viewer's registrations and uploaders in four queries."""
    if not rows:
        return []
    webinar_ids = {r.webinar_id for r in rows}
    found = list(session.exec(select(Webinar).where(col(Webinar.id).in_(webinar_ids))))
    views = {v.webinar.id: v for v in webinars.views_for(session, viewer, found)}
    uploader_ids = {r.uploaded_by_id for r in rows if r.uploaded_by_id is not None}
    uploaders = (
        {u.id: u for u in session.exec(select(User).where(col(User.id).in_(uploader_ids)))}
        if uploader_ids
        else {}
    )
    return [
        RecordingItem(r, views[r.webinar_id], uploaders.get(r.uploaded_by_id))
        for r in rows
        if r.webinar_id in views
    ]


def _like(text: str) -> str:
    escaped = text.strip().lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def list_recordings(
    session: Session,
    viewer: User | None,
    *,
    webinar_id: int | None = None,
    public_only: bool = False,
    mine_only: bool = False,
    search: str | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> tuple[list[RecordingItem], int]:
    """Newest first, only what the viewer may see.

    `mine_only` is "from my webinars" (`event_recordings/`): recordings of webinars the viewer
    holds a confirmed registration for or organizes, public or not; nothing when signed out.
    """
    query = select(Recording).where(_visible_clause(viewer))
    if public_only:
        query = query.where(col(Recording.is_public).is_(True))
    if mine_only:
        if viewer is None:
            return [], 0
        query = query.where(col(Recording.webinar_id).in_(_my_webinar_ids(viewer)))
    if webinar_id is not None:
        query = query.where(Recording.webinar_id == webinar_id)
    if search and search.strip():
        like = _like(search)
        titles = select(Webinar.id).where(func.lower(Webinar.title).like(like, escape="\\"))
        query = query.where(
            or_(
                func.lower(Recording.title).like(like, escape="\\"),
                func.lower(Recording.description).like(like, escape="\\"),
                col(Recording.webinar_id).in_(titles),
            )
        )
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    query = query.order_by(col(Recording.uploaded_at).desc(), col(Recording.id).desc())
    query = query.offset(max(offset, 0))
    if limit is not None:
        query = query.limit(max(limit, 0))
    return _items(session, viewer, list(session.exec(query))), total


def get_recording(session: Session, viewer: User | None, recording_id: int) -> RecordingItem:
    recording = session.get(Recording, recording_id)
    if recording is None or not can_view(session, viewer, recording):
        raise NotFound()
    items = _items(session, viewer, [recording])
    if not items:
        raise NotFound()
    return items[0]


def webinar_choices(session: Session, viewer: User | None) -> list[tuple[int, str]]:
    """(id, title) of webinars with at least one recording the viewer may see (library filter)."""
    ids = select(Recording.webinar_id).where(_visible_clause(viewer)).distinct()
    rows = session.exec(
        select(Webinar.id, Webinar.title).where(col(Webinar.id).in_(ids)).order_by(Webinar.title)
    )
    return [(int(wid), title) for wid, title in rows if wid is not None]


# ------------------------------------------------------------------ validation


def valid_link(url: str) -> bool:
    return len(url) <= MAX_LINK and webinars.valid_stream_url(url)


def _bool(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    return None


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


def _own_stream_link(recording: Recording | None, url: str) -> bool:
    """A client echoing the object back sends our signed URL as `recording_link`: not a new link."""
    return recording is not None and recording.id is not None and stream_path(recording.id) in url


def _clean(
    session: Session, data: dict[str, Any], existing: Recording | None, *, has_file: bool, full: bool
) -> dict[str, Any]:
    errors = ErrorCollector()
    out: dict[str, Any] = {}
    partial = existing is not None and not full

    if "event" in data or not partial:
        raw = data.get("event")
        webinar_id = None if _blank(raw) or isinstance(raw, bool) else _int(raw)
        if _blank(raw):
            errors.add("event", "This field is required.")
        elif webinar_id is None or session.get(Webinar, webinar_id) is None:
            errors.add("event", f'Invalid pk "{raw}" - object does not exist.')
        else:
            out["webinar_id"] = webinar_id

    link_given = "recording_link" in data and not _blank(data["recording_link"])
    if link_given:
        url = str(data["recording_link"]).strip()
        if _own_stream_link(existing, url):
            pass
        elif has_file:
            errors.add("recording_link", "Send either a file or a recording link, not both.")
        elif not valid_link(url):
            errors.add("recording_link", "Enter a valid URL.")
        else:
            out["recording_link"] = url
    elif not has_file and (existing is None or (full and existing.file_name is None)):
        errors.add("recording_link", "This field is required.")

    if "title" in data:
        title = "" if data["title"] is None else str(data["title"]).strip()
        if len(title) > MAX_TITLE:
            errors.add("title", f"Ensure this field has no more than {MAX_TITLE} characters.")
        out["title"] = title
    if "description" in data:
        out["description"] = "" if data["description"] is None else str(data["description"])
    if "duration_minutes" in data:
        raw = data["duration_minutes"]
        if _blank(raw):
            out["duration_minutes"] = None
        else:
            minutes = None if isinstance(raw, bool) else _int(raw)
            if minutes is None:
                errors.add("duration_minutes", "A valid integer is required.")
            elif minutes < 0:
                errors.add("duration_minutes", "Ensure this value is greater than or equal to 0.")
            elif minutes > 100_000:
                errors.add("duration_minutes", "Ensure this value is less than or equal to 100000.")
            else:
                out["duration_minutes"] = minutes
    if "is_public" in data:
        flag = _bool(data["is_public"])
        if flag is None:
            errors.add("is_public", "Must be a valid boolean.")
        else:
            out["is_public"] = flag
    errors.raise_if_any()
    return out


# ------------------------------------------------------------------ writes


def create_recording(
    session: Session, actor: User, data: dict[str, Any], *, stored: StoredFile | None = None
) -> Recording:
    """Admin adds a link or an uploaded file; the webinar's registrants hear about it.

    With a file, the checked upload is moved to its final name only once the fields are
    valid, and removed again if the database refuses: no orphan files, no rows without one.
    """
    try:
        require_admin(actor)
        values = _clean(session, data, None, has_file=stored is not None, full=True)
        recording = Recording(**values, uploaded_by_id=actor.id)
        if stored is not None:
            recording.recording_link = None
            recording.file_name = stored.name
            recording.file_size = stored.size
            recording.content_type = stored.content_type
            stored.place()
        session.add(recording)
        session.flush()
        audit.record(
            session, actor, "recording.create", "recording", recording.id, after=audit.snapshot(recording)
        )
        session.commit()
    except BaseException:
        session.rollback()
        if stored is not None:
            stored.discard()
        raise
    session.refresh(recording)
    _announce(session, actor, recording)
    return recording


def _announce(session: Session, actor: User, recording: Recording) -> None:
    webinar = session.get(Webinar, recording.webinar_id)
    if webinar is None or webinar.id is None:
        return
    audience = [uid for uid in registrations.registrant_ids(session, webinar.id) if uid != actor.id]
    name = display_title(recording, webinar)
    mails.recording_available(session, webinar, recording, name, audience)  # committed by notify
    notifications.notify(
        session,
        audience,
        NotificationType.new_recording.value,
        f"New Recording: {name}",
        f"A recording of '{webinar.title}' is now available.",
        webinar_id=webinar.id,
        recording_id=recording.id,
    )
    queue.wake()


def update_recording(
    session: Session, actor: User, recording_id: int, data: dict[str, Any], *, full: bool = False
) -> Recording:
    """PUT (`full`) or PATCH. A new link on a stored-file recording replaces (and deletes) the file."""
    require_admin(actor)
    recording = session.get(Recording, recording_id)
    if recording is None:
        raise NotFound()
    values = _clean(session, data, recording, has_file=False, full=full)
    dropped_file = None
    if values.get("recording_link") and recording.file_name:
        dropped_file = recording.file_name
        recording.file_name = recording.file_size = recording.content_type = None
    before, after = audit.changes(recording, values)
    audit.record(session, actor, "recording.update", "recording", recording.id, before=before, after=after)
    for key, value in values.items():
        setattr(recording, key, value)
    recording.updated_at = utcnow()
    session.add(recording)
    session.commit()
    session.refresh(recording)
    delete_stored(dropped_file)
    return recording


def delete_recording(session: Session, actor: User, recording_id: int) -> None:
    require_admin(actor)
    recording = session.get(Recording, recording_id)
    if recording is None:
        raise NotFound()
    file_name = recording.file_name
    # Notifications keep a plain recording id: clear it so no bell links to a deleted replay.
    session.exec(  # type: ignore[call-overload]
        update(Notification).where(col(Notification.recording_id) == recording_id).values(recording_id=None)
    )
    audit.record(
        session, actor, "recording.delete", "recording", recording.id, before=audit.snapshot(recording)
    )
    session.delete(recording)
    session.commit()
    delete_stored(file_name)


# ------------------------------------------------------------------ signed playback


def stream_path(recording_id: int) -> str:
    return f"/api/recordings/{int(recording_id)}/stream/"


def _signature(recording: Recording, expires: int, user_id: int) -> str:
    # The stored name is signed too: a replaced file invalidates every URL of the old one.
    return keyed_hash(f"recording-stream:{recording.id}:{recording.file_name}:{expires}:{user_id}")


def sign_stream(recording: Recording, viewer: User | None, *, now: datetime | None = None) -> dict[str, str]:
    """Query parameters of a signed URL for this viewer (user 0 = anonymous)."""
    moment = (now or utcnow()).timestamp() + get_settings().signed_url_seconds
    expires = math.ceil(moment / EXPIRY_GRID_SECONDS) * EXPIRY_GRID_SECONDS
    user_id = viewer.id if viewer is not None and viewer.id is not None else 0
    return {"expires": str(expires), "user": str(user_id), "sig": _signature(recording, expires, user_id)}


def signed_stream_url(
    recording: Recording, viewer: User | None, base: str, *, now: datetime | None = None
) -> str:
    assert recording.id is not None
    query = urlencode(sign_stream(recording, viewer, now=now))
    return f"{base.rstrip('/')}{stream_path(recording.id)}?{query}"


def playback_url(item: RecordingItem, viewer: User | None, base: str) -> str:
    """What `recording_link` carries: the external link, or a signed URL for a stored file."""
    if item.recording.file_name:
        return signed_stream_url(item.recording, viewer, base)
    return item.recording.recording_link or ""


EMBEDDED_PROVIDERS = ("YouTube", "Vimeo")


def player_source(item: RecordingItem, viewer: User | None, base: str) -> tuple[str, str]:
    """How the page plays it: ("video", signed URL) for a stored file, ("embed", player URL)
    for YouTube/Vimeo links, ("link", url) for anything else (opened, never framed)."""
    if item.recording.file_name:
        return "video", signed_stream_url(item.recording, viewer, base)
    link = item.recording.recording_link or ""
    src = embeds.embed_url(link)
    if src and embeds.provider(link) in EMBEDDED_PROVIDERS:
        return "embed", src
    return "link", link


@dataclass(frozen=True)
class StreamTarget:
    path: Path
    content_type: str


def open_stream(
    session: Session,
    recording_id: int,
    *,
    expires: str | None,
    user: str | None,
    sig: str | None,
    now: datetime | None = None,
) -> StreamTarget:
    """Check a signed URL and find the file. Refusals are `PermissionDenied` (403)."""
    recording = session.get(Recording, recording_id)
    if recording is None or recording.file_name is None:
        raise NotFound()
    if not (expires and expires.isdigit() and user and user.isdigit() and sig):
        raise PermissionDenied("Invalid signature.")
    if not constant_time_equals(_signature(recording, int(expires), int(user)), sig):
        raise PermissionDenied("Invalid signature.")
    if int(expires) < (now or utcnow()).timestamp():
        raise PermissionDenied("This link has expired.")
    viewer = session.get(User, int(user)) if int(user) else None
    if int(user) and (viewer is None or not viewer.is_active):
        raise PermissionDenied("This link is no longer valid.")
    # Visibility is checked again: a recording made private stops playing for outsiders.
    if not can_view(session, viewer, recording):
        raise PermissionDenied("You may not watch this recording.")
    path = resolve_stored(recording.file_name)
    if path is None:
        raise NotFound()
    return StreamTarget(path, recording.content_type or "application/octet-stream")


# ------------------------------------------------------------------ views


def start_view(session: Session, viewer: User | None, recording_id: int) -> RecordingView:
    """Someone opened the player (who, when); seconds come with `record_progress`."""
    recording = session.get(Recording, recording_id)
    if recording is None or not can_view(session, viewer, recording):
        raise NotFound()
    view = RecordingView(recording_id=recording_id, user_id=viewer.id if viewer else None)
    session.add(view)
    session.commit()
    session.refresh(view)
    return view


def record_progress(session: Session, viewer: User | None, view_id: int, seconds: Any) -> RecordingView:
    """Seconds watched so far in this view: only ever grows, and never past the time the
    page has been open (a client cannot claim hours for a minute of watching)."""
    view = session.get(RecordingView, view_id)
    viewer_id = viewer.id if viewer is not None else None
    if view is None or view.user_id != viewer_id:
        raise NotFound()
    try:
        value = int(float(seconds))
    except (TypeError, ValueError) as exc:
        raise Invalid.field("seconds", "A valid number is required.") from exc
    now = utcnow()
    started = as_utc(view.started_at)
    assert started is not None
    ceiling = int((now - started).total_seconds()) + VIEW_SLACK_SECONDS
    value = max(0, min(value, ceiling))
    if value > view.seconds_watched:
        view.seconds_watched = value
    view.last_seen_at = now
    session.add(view)
    session.commit()
    return view


@dataclass(frozen=True)
class ViewStats:
    views: int
    viewers: int
    seconds: int


def view_stats(session: Session, actor: User, recording_id: int) -> ViewStats:
    """The replay end of the admin funnel: how often, by how many people, for how long."""
    require_admin(actor)
    views, viewers, seconds = session.exec(
        select(
            func.count(col(RecordingView.id)),
            func.count(func.distinct(RecordingView.user_id)),
            func.coalesce(func.sum(RecordingView.seconds_watched), 0),
        ).where(RecordingView.recording_id == recording_id)
    ).one()
    return ViewStats(int(views), int(viewers), int(seconds))
