"""Announcements: admins write them; every other active user is notified at once.

The fan-out is one `INSERT ... SELECT ... RETURNING` over the users table in the same
transaction as the announcement, not a loop of commits: a few thousand users cost one
statement, and nobody is notified of an announcement that failed to save.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import false, insert, literal
from sqlalchemy import update as sql_update
from sqlmodel import Session, col, select

from webinar_app.core.security import utcnow
from webinar_app.models import Announcement, Notification, NotificationType, User
from webinar_app.realtime import publish
from webinar_app.services import audit, notifications
from webinar_app.services.accounts import require_admin
from webinar_app.services.email import mails, queue
from webinar_app.services.errors import NotFound
from webinar_app.services.validation import ErrorCollector

TITLE_MAX = 200
CONTENT_MAX = 20_000
RECENT = 10
TOPIC = "announcements"


def _clean(data: dict[str, Any], *, partial: bool) -> dict[str, str]:
    errors = ErrorCollector()
    out: dict[str, str] = {}
    for name, limit in (("title", TITLE_MAX), ("content", CONTENT_MAX)):
        if name not in data and partial:
            continue
        raw = data.get(name)
        if raw is None:
            errors.add(name, "This field is required.")
            continue
        value = str(raw).strip()
        if not value:
            errors.add(name, "This field may not be blank.")
        elif len(value) > limit:
            errors.add(name, f"Ensure this field has no more than {limit} characters.")
        out[name] = value
    errors.raise_if_any()
    return out


def _fan_out(session: Session, announcement: Announcement) -> list[Notification]:
    """Stage one notification per other active user with a single statement."""
    now = utcnow()
    source = select(
        col(User.id),
        literal(NotificationType.announcement.value),
        literal(announcement.title[:255]),
        literal(announcement.content),
        literal(announcement.id),
        false(),
        literal(now, type_=Notification.__table__.c.created_at.type),  # type: ignore[attr-defined]
    ).where(col(User.is_active), col(User.id) != announcement.sender_id)
    table = Notification.__table__  # type: ignore[attr-defined]
    statement = (
        insert(table)
        .from_select(
            ["user_id", "notification_type", "title", "content", "announcement_id", "is_read", "created_at"],
            source,
        )
        .returning(table.c.id, table.c.user_id)
    )
    rows = session.execute(statement).all()
    return [
        Notification(
            id=nid,
            user_id=uid,
            notification_type=NotificationType.announcement.value,
            title=announcement.title[:255],
            content=announcement.content,
            announcement_id=announcement.id,
            created_at=now,
        )
        for nid, uid in rows
    ]


def create(session: Session, actor: User, data: dict[str, Any]) -> Announcement:
    """Save and notify in one commit; push to the recipients' browsers afterwards."""
    require_admin(actor)
    values = _clean(data, partial=False)
    announcement = Announcement(sender_id=actor.id, **values)  # type: ignore[arg-type]
    session.add(announcement)
    session.flush()
    audit.record(session, actor, "announcement.create", "announcement", announcement.id, after=values)
    created = _fan_out(session, announcement)
    mails.announcement(session, announcement)  # only users who opted in
    session.commit()
    notifications.push(created)
    queue.wake()
    publish(TOPIC, "announcement", id=announcement.id, title=announcement.title)
    return announcement


def update(session: Session, actor: User, announcement_id: int, data: dict[str, Any]) -> Announcement:
    """Partial edit (PUT behaves the same: existing clients send whole or partial bodies)."""
    require_admin(actor)
    announcement = get(session, announcement_id)
    changes = _clean(data, partial=True)
    before, after = audit.changes(announcement, changes)
    audit.record(
        session, actor, "announcement.update", "announcement", announcement.id, before=before, after=after
    )
    for key, value in changes.items():
        setattr(announcement, key, value)
    announcement.updated_at = utcnow()
    session.add(announcement)
    session.commit()
    return announcement


def delete(session: Session, actor: User, announcement_id: int) -> None:
    """Delete it; the notifications it produced stay (they told people) but lose the link."""
    require_admin(actor)
    announcement = get(session, announcement_id)
    session.exec(  # type: ignore[call-overload]
        sql_update(Notification)
        .where(col(Notification.announcement_id) == announcement_id)
        .values(announcement_id=None)
    )
    audit.record(
        session, actor, "announcement.delete", "announcement", announcement.id,
        before=audit.snapshot(announcement, "title", "content"),
    )
    session.delete(announcement)
    session.commit()


def get(session: Session, announcement_id: int) -> Announcement:
    announcement = session.get(Announcement, announcement_id)
    if announcement is None:
        raise NotFound()
    return announcement


def list_announcements(session: Session, *, limit: int | None = None) -> list[Announcement]:
    """Newest first; every signed-in user may read them."""
    query = select(Announcement).order_by(col(Announcement.created_at).desc(), col(Announcement.id).desc())
    if limit is not None:
        query = query.limit(limit)
    return list(session.exec(query))


def senders(session: Session, items: list[Announcement]) -> dict[int, str]:
    """Sender usernames for a page of announcements, in one query."""
    ids = {a.sender_id for a in items}
    if not ids:
        return {}
    return {
        uid: name
        for uid, name in session.exec(select(User.id, User.username).where(col(User.id).in_(ids)))
        if uid is not None
    }
