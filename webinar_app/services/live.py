"""Live sessions: start, join, leave, end, status and the admin analytics.

One session row per webinar, so a restart reuses the same room name. Starting notifies the
confirmed registrants (`live_started`) every time a session goes live, the first start
included (the earlier server forgot the first one); ending notifies the participants
(`live_ended`). Notifications are staged in the same transaction as the state change and pushed,
together with the room events, only after the commit.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, col, select

from webinar_app.core.security import utcnow
from webinar_app.models import LiveParticipant, LiveSession, NotificationType, Registration, User, Webinar
from webinar_app.models.base import as_utc
from webinar_app.realtime import publish
from webinar_app.realtime.coalesce import publish_latest
from webinar_app.services import notifications
from webinar_app.services.email import mails, queue
from webinar_app.services.errors import Conflict, NotFound, PermissionDenied
from webinar_app.services.moderation import room_topic
from webinar_app.services.registrations import CONFIRMED, is_registrant, registrant_ids
from webinar_app.services.webinars import compute_status, is_host

SESSION_NOT_FOUND = "Live session not found for this webinar"
NOT_ORGANIZER_START = "Only the webinar organizer can start a live session"
NOT_ORGANIZER_END = "Only the webinar organizer can end a live session"
NOT_REGISTERED = "You must be registered for this webinar to join the live session"
NOT_ACTIVE = "This live session is not active"


@dataclass(frozen=True)
class JoinResult:
    session: LiveSession
    participant_count: int


def _webinar(session: Session, webinar_id: int) -> Webinar:
    webinar = session.get(Webinar, webinar_id)
    if webinar is None:
        raise NotFound("Webinar not found")
    return webinar


def session_for(session: Session, webinar_id: int) -> LiveSession | None:
    return session.exec(select(LiveSession).where(LiveSession.webinar_id == webinar_id)).first()


def participant_count(session: Session, live: LiveSession) -> int:
    """People in the room now (joined and not left)."""
    return session.exec(
        select(func.count())
        .select_from(LiveParticipant)
        .where(LiveParticipant.session_id == live.id, col(LiveParticipant.left_at).is_(None))
    ).one()


def _new_room(webinar_id: int) -> str:
    return f"webinar_{webinar_id}_{secrets.token_hex(4)}"


def start(session: Session, actor: User, webinar_id: int) -> LiveSession:
    """Open (or reopen) the webinar's room; a start on an already active session is a no-op.

    Going live stages `live_started` for every confirmed registrant (not the host who started
    it) in the same commit, then pushes them and publishes `live_started` to the room and to
    each registrant's own topic (the "now live" banner wherever they are in the app).
    """
    webinar = _webinar(session, webinar_id)
    if not is_host(actor, webinar):
        raise PermissionDenied(NOT_ORGANIZER_START)
    if compute_status(webinar) == "cancelled":
        raise Conflict("Cannot start a live session for a cancelled webinar")
    live = session_for(session, webinar_id)
    if live is not None and live.is_active:
        return live
    now = utcnow()
    if live is None:
        live = LiveSession(
            webinar_id=webinar_id, room_name=_new_room(webinar_id), is_active=True, started_at=now
        )
        session.add(live)
        try:
            session.flush()
        except IntegrityError:  # a concurrent first start created the row; that start notifies
            session.rollback()
            existing = session_for(session, webinar_id)
            assert existing is not None
            return existing
    else:
        # Conditional, so of two racing restarts exactly one goes live (and notifies).
        went_live = session.exec(  # type: ignore[call-overload]
            update(LiveSession)
            .where(col(LiveSession.id) == live.id, col(LiveSession.is_active).is_(False))
            .values(is_active=True, started_at=now, ended_at=None)
        ).rowcount
        if not went_live:
            session.rollback()
            session.refresh(live)
            return live
        set_committed_value(live, "is_active", True)
        set_committed_value(live, "started_at", now)
        set_committed_value(live, "ended_at", None)
    recipients = [uid for uid in registrant_ids(session, webinar_id) if uid != actor.id]
    staged = notifications.stage(
        session,
        recipients,
        NotificationType.live_started.value,
        f"Live Session Started: {webinar.title}",
        f"The live session for '{webinar.title}' has just started. Join now!",
        webinar_id=webinar_id,
    )
    mails.live_started(session, webinar, recipients)  # "we are live", with the join link
    session.commit()
    notifications.push(staged)
    queue.wake()
    event = {"webinar_id": webinar_id, "room_name": live.room_name, "title": webinar.title}
    publish(room_topic(webinar_id), "live_started", **event)
    for uid in recipients:
        publish(notifications.user_topic(uid), "live_started", **event)
    return live


def _active_session(session: Session, webinar_id: int) -> LiveSession:
    live = session_for(session, webinar_id)
    if live is None:
        raise NotFound(SESSION_NOT_FOUND)
    return live


def join(session: Session, user: User, webinar_id: int) -> JoinResult:
    """Enter the room: registrants, the organizer and admins, while the session is active.

    A registrant's registration is marked attended with its first join time; every joiner gets
    (or re-opens) a participant row. The new head count goes to the room.
    """
    live = _active_session(session, webinar_id)
    webinar = _webinar(session, webinar_id)
    if not is_host(user, webinar) and not is_registrant(session, user, webinar_id):
        raise PermissionDenied(NOT_REGISTERED)
    if not live.is_active:
        raise PermissionDenied(NOT_ACTIVE)
    now = utcnow()
    # A host without a registration matches no row here.
    session.exec(  # type: ignore[call-overload]
        update(Registration)
        .where(
            col(Registration.user_id) == user.id,
            col(Registration.webinar_id) == webinar_id,
            col(Registration.status) == CONFIRMED,
        )
        .values(
            attended=True,
            joined_at=func.coalesce(col(Registration.joined_at), now),
            left_at=None,
        )
    )
    _enter(session, live, user, now)
    count = participant_count(session, live)
    publish_latest(room_topic(webinar_id), "attendee_count", count=count)
    return JoinResult(live, count)


def _enter(session: Session, live: LiveSession, user: User, now: datetime) -> None:
    """Insert the participant row, or re-open it on a re-join; commits."""
    reopened = session.exec(  # type: ignore[call-overload]
        update(LiveParticipant)
        .where(col(LiveParticipant.session_id) == live.id, col(LiveParticipant.user_id) == user.id)
        .values(left_at=None)
    ).rowcount
    if not reopened:
        session.add(LiveParticipant(session_id=live.id, user_id=user.id, joined_at=now))  # type: ignore[arg-type]
    try:
        session.commit()
    except IntegrityError:  # the same user joined twice at once (two tabs): one row is enough
        session.rollback()
        _enter(session, live, user, now)


def leave(session: Session, user: User, webinar_id: int) -> int:
    """Record the leave time (participant row and registration); returns the new head count.

    Someone who is in the room may always leave (even if unregistered meanwhile, or their
    row would stay open); anyone else who could not join is refused like `join`, rather
    than told the room's head count.
    """
    live = _active_session(session, webinar_id)
    now = utcnow()
    left = session.exec(  # type: ignore[call-overload]
        update(LiveParticipant)
        .where(
            col(LiveParticipant.session_id) == live.id,
            col(LiveParticipant.user_id) == user.id,
            col(LiveParticipant.left_at).is_(None),
        )
        .values(left_at=now)
    ).rowcount
    if not left:
        webinar = _webinar(session, webinar_id)
        if not is_host(user, webinar) and not is_registrant(session, user, webinar_id):
            session.rollback()
            raise PermissionDenied(NOT_REGISTERED)
    session.exec(  # type: ignore[call-overload]
        update(Registration)
        .where(
            col(Registration.user_id) == user.id,
            col(Registration.webinar_id) == webinar_id,
            col(Registration.joined_at).is_not(None),
        )
        .values(left_at=now)
    )
    session.commit()
    count = participant_count(session, live)
    publish_latest(room_topic(webinar_id), "attendee_count", count=count)
    return count


def end(session: Session, actor: User, webinar_id: int) -> LiveSession:
    """Close the room: everyone still in it leaves now; participants get `live_ended`."""
    webinar = _webinar(session, webinar_id)
    if not is_host(actor, webinar):
        raise PermissionDenied(NOT_ORGANIZER_END)
    live = _active_session(session, webinar_id)
    if not live.is_active:
        raise PermissionDenied(NOT_ACTIVE)
    now = utcnow()
    # Conditional, so two racing ends close (and notify) once.
    closed = session.exec(  # type: ignore[call-overload]
        update(LiveSession)
        .where(col(LiveSession.id) == live.id, col(LiveSession.is_active))
        .values(is_active=False, ended_at=now)
    ).rowcount
    if not closed:
        session.rollback()
        raise PermissionDenied(NOT_ACTIVE)
    set_committed_value(live, "is_active", False)
    set_committed_value(live, "ended_at", now)
    present = list(
        session.exec(
            select(LiveParticipant.user_id).where(
                LiveParticipant.session_id == live.id, col(LiveParticipant.left_at).is_(None)
            )
        )
    )
    session.exec(  # type: ignore[call-overload]
        update(LiveParticipant)
        .where(col(LiveParticipant.session_id) == live.id, col(LiveParticipant.left_at).is_(None))
        .values(left_at=now)
    )
    if present:
        session.exec(  # type: ignore[call-overload]
            update(Registration)
            .where(col(Registration.webinar_id) == webinar_id, col(Registration.user_id).in_(present))
            .values(left_at=now)
        )
    participants = list(
        session.exec(select(LiveParticipant.user_id).where(LiveParticipant.session_id == live.id))
    )
    staged = notifications.stage(
        session,
        [uid for uid in participants if uid != actor.id],
        NotificationType.live_ended.value,
        f"Live Session Ended: {webinar.title}",
        f"The live session for '{webinar.title}' has ended. Recording will be available soon.",
        webinar_id=webinar_id,
    )
    session.commit()
    notifications.push(staged)
    publish(room_topic(webinar_id), "live_ended", webinar_id=webinar_id, end_time=_iso(now))
    return live


def _iso(value: datetime | None) -> str | None:
    from webinar_app.services.timefmt import iso_z

    return iso_z(value)


def status(session: Session, webinar_id: int) -> LiveSession | None:
    """The active session, or None (anyone may ask)."""
    _webinar(session, webinar_id)
    live = session_for(session, webinar_id)
    return live if live is not None and live.is_active else None


def list_sessions(session: Session, actor: User) -> list[LiveSession]:
    from webinar_app.services.accounts import require_admin

    require_admin(actor)
    query = select(LiveSession).order_by(col(LiveSession.created_at).desc(), col(LiveSession.id).desc())
    return list(session.exec(query))


def get_session(session: Session, actor: User, session_id: int) -> LiveSession:
    from webinar_app.services.accounts import require_admin

    require_admin(actor)
    live = session.get(LiveSession, session_id)
    if live is None:
        raise NotFound()
    return live


def analytics(session: Session, actor: User) -> dict[str, Any]:
    """Admin figures over every live session, in four aggregate queries."""
    from webinar_app.services.accounts import require_admin

    require_admin(actor)
    rows = list(
        session.exec(
            select(LiveSession.webinar_id, Webinar.title, func.count(col(LiveParticipant.id)))
            .join(Webinar, col(Webinar.id) == col(LiveSession.webinar_id))
            .join(LiveParticipant, col(LiveParticipant.session_id) == col(LiveSession.id), isouter=True)
            .group_by(col(LiveSession.id), col(LiveSession.webinar_id), col(Webinar.title))
            .order_by(col(LiveSession.webinar_id))
        )
    )
    total_sessions = len(rows)
    active = session.exec(
        select(func.count()).select_from(LiveSession).where(col(LiveSession.is_active))
    ).one()
    finished = list(
        session.exec(
            select(LiveSession.started_at, LiveSession.ended_at).where(
                col(LiveSession.is_active).is_(False), col(LiveSession.ended_at).is_not(None)
            )
        )
    )
    durations = [
        (as_utc(e) - as_utc(s)).total_seconds() / 60  # type: ignore[operator]
        for s, e in finished
        if s is not None and e is not None
    ]
    return {
        "total_webinars": len({wid for wid, _, _ in rows}),
        "total_live_sessions": total_sessions,
        "total_participants": sum(count for _, _, count in rows),
        "average_session_duration_minutes": round(sum(durations) / len(durations), 2) if durations else None,
        "sessions_per_webinar": [
            {"webinar_id": wid, "title": title, "participant_count": count} for wid, title, count in rows
        ],
        "active_sessions": active,
        "completed_sessions": len(finished),
    }
