"""Notifications: created here, pushed live to the owner's browsers through `realtime`."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from webinar_app.core.db import insert_now, read_once
from webinar_app.models import Notification, User
from webinar_app.realtime import publish
from webinar_app.services import auth
from webinar_app.services.errors import NotFound


def user_topic(user_id: int) -> str:
    return f"user:{user_id}"


def stage(
    session: Session,
    user_ids: Iterable[int],
    notification_type: str,
    title: str,
    content: str = "",
    *,
    webinar_id: int | None = None,
    announcement_id: int | None = None,
    recording_id: int | None = None,
    immediate: bool = False,
) -> list[Notification]:
    """Add notifications to the caller's transaction; `push` them once it has committed.

    `immediate` writes them now, outside the unit of work (`db.insert_now`), for callers
    holding a hot row lock."""
    shared = {
        "notification_type": notification_type,
        "title": title[:255],
        "content": content,
        "webinar_id": webinar_id,
        "announcement_id": announcement_id,
        "recording_id": recording_id,
    }
    owners = dict.fromkeys(user_ids)
    if immediate:
        return [insert_now(session, Notification, user_id=uid, **shared) for uid in owners]
    created = [Notification(user_id=uid, **shared) for uid in owners]
    session.add_all(created)
    return created


def push(created: Iterable[Notification]) -> None:
    """Tell the owners' open browsers (only ever called after the rows are committed)."""
    for item in created:
        publish(user_topic(item.user_id), "notification", id=item.id, title=item.title)


def notify(
    session: Session,
    user_ids: Iterable[int],
    notification_type: str,
    title: str,
    content: str = "",
    *,
    webinar_id: int | None = None,
    announcement_id: int | None = None,
    recording_id: int | None = None,
) -> list[Notification]:
    """Create one notification per user in its own commit, then push."""
    created = stage(
        session,
        user_ids,
        notification_type,
        title,
        content,
        webinar_id=webinar_id,
        announcement_id=announcement_id,
        recording_id=recording_id,
    )
    if created:
        session.commit()
        push(created)
    return created


def list_for(
    session: Session, user: User, *, unread_only: bool = False, limit: int | None = None
) -> list[Notification]:
    query = (
        select(Notification)
        .where(Notification.user_id == user.id)
        .order_by(col(Notification.created_at).desc(), col(Notification.id).desc())
    )
    if unread_only:
        query = query.where(col(Notification.is_read).is_(False))
    if limit:
        query = query.limit(limit)
    return list(session.exec(query))


def get_for(session: Session, user: User, notification_id: int) -> Notification:
    item = session.get(Notification, notification_id)
    if item is None or item.user_id != user.id:
        raise NotFound()
    return item


def _unread_of(user_id: Any) -> Any:
    """The count of a user's unread notifications (`user_id` a value or a correlated column)."""
    return (
        select(func.count())
        .select_from(Notification)
        .where(Notification.user_id == user_id, col(Notification.is_read).is_(False))
    )


def unread_count(session: Session, user: User) -> int:
    return session.exec(_unread_of(user.id)).one()


_UNREAD_FOR_ACTIVE_USER = auth.active_user_query(_unread_of(User.id).scalar_subquery())


def unread_count_if_active(user_id: int) -> int | None:
    """The unread count of an active user in one statement, or None when the user is gone or
    deactivated (then the caller answers as for a bad token).

    For the poll every open page makes: Core, one round trip in autocommit, no ORM identity
    map; `unread_count` is the same count for callers that already hold the user.
    """
    rows = read_once(_UNREAD_FOR_ACTIVE_USER, {"user_id": user_id})
    return int(rows[0][1]) if auth.active_in(rows) else None


def mark_read(session: Session, user: User, notification_id: int) -> Notification:
    item = get_for(session, user, notification_id)
    if not item.is_read:
        item.is_read = True
        session.add(item)
        session.commit()
        assert user.id is not None
        publish(user_topic(user.id), "notifications_read", id=item.id)
    return item


def mark_all_read(session: Session, user: User) -> int:
    result = session.exec(  # type: ignore[call-overload]
        update(Notification)
        .where(col(Notification.user_id) == user.id, col(Notification.is_read).is_(False))
        .values(is_read=True)
    )
    session.commit()
    assert user.id is not None
    publish(user_topic(user.id), "notifications_read", id=None)
    return int(result.rowcount or 0)
