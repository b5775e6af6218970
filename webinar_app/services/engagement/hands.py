"""Raised hands: attendees raise and lower their own; hosts see the queue and clear it.

The queue goes only to hosts (their own topic), throttled and as a whole list (it is short
and a host wants its order); an attendee's own hand state goes to that attendee's topic.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete as sql_delete
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from webinar_app.models import RaisedHand, User
from webinar_app.realtime import publish, throttle
from webinar_app.realtime.broker import SUPERSEDE_KEY
from webinar_app.services.engagement import access
from webinar_app.services.timefmt import iso_z

QUEUE_WINDOW = 0.5


def _queue_rows(session: Session, webinar_id: int) -> list[dict[str, Any]]:
    rows = session.exec(
        select(RaisedHand, User)
        .join(User, col(User.id) == col(RaisedHand.user_id))
        .where(RaisedHand.webinar_id == webinar_id)
        .order_by(col(RaisedHand.raised_at), col(RaisedHand.id))
    ).all()
    return [
        {
            "user": u.id,
            "username": u.username,
            "name": f"{u.first_name or ''} {u.last_name or ''}".strip() or u.username,
            "raised_at": iso_z(h.raised_at),
        }
        for h, u in rows
    ]


def queue(session: Session, user: User, webinar_id: int) -> list[dict[str, Any]]:
    """Hosts: the hands up, first raised first."""
    access.require_host(session, user, webinar_id)
    return _queue_rows(session, webinar_id)


def is_raised(session: Session, user: User, webinar_id: int) -> bool:
    access.require_reader(session, user, webinar_id)
    return (
        session.exec(
            select(RaisedHand.id).where(RaisedHand.webinar_id == webinar_id, RaisedHand.user_id == user.id)
        ).first()
        is not None
    )


def raise_hand(session: Session, user: User, webinar_id: int) -> bool:
    """Idempotent: a second raise keeps the first place in the queue. Returns True if newly raised."""
    access.require_writer(session, user, webinar_id, muted_ok=True)
    session.add(RaisedHand(webinar_id=webinar_id, user_id=user.id))  # type: ignore[arg-type]
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        return False
    _changed(webinar_id, [user.id], raised=True)  # type: ignore[list-item]
    return True


def lower_hand(session: Session, user: User, webinar_id: int) -> bool:
    access.require_reader(session, user, webinar_id)
    return _remove(session, webinar_id, [user.id]) > 0  # type: ignore[list-item]


def clear(session: Session, host: User, webinar_id: int, user_id: int | None = None) -> int:
    """A host lowers one hand (`user_id`) or all of them; returns how many went down."""
    access.require_host(session, host, webinar_id)
    query = select(RaisedHand.user_id).where(RaisedHand.webinar_id == webinar_id)
    if user_id is not None:
        query = query.where(RaisedHand.user_id == user_id)
    return _remove(session, webinar_id, [int(u) for u in session.exec(query).all()])


def _remove(session: Session, webinar_id: int, user_ids: list[int]) -> int:
    if not user_ids:
        return 0
    gone = session.exec(  # type: ignore[call-overload]
        sql_delete(RaisedHand).where(
            col(RaisedHand.webinar_id) == webinar_id, col(RaisedHand.user_id).in_(user_ids)
        )
    ).rowcount
    session.commit()
    _changed(webinar_id, user_ids, raised=False)
    return int(gone or 0)


def _changed(webinar_id: int, user_ids: list[int], *, raised: bool) -> None:
    for uid in user_ids:
        publish(access.hand_topic(webinar_id, uid), "hand", raised=raised)
    throttle.mark(f"hands:{webinar_id}", lambda: flush_queue(webinar_id), window=QUEUE_WINDOW)


def flush_queue(webinar_id: int) -> None:
    from webinar_app.core.db import session_scope

    with session_scope() as session:
        rows = _queue_rows(session, webinar_id)
    publish(access.hosts_topic(webinar_id), "hands", queue=rows, **{SUPERSEDE_KEY: "hands"})
