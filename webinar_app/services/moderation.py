"""Chat moderation: who may act on a room, mutes, bans, slow mode, soft deletion rules.

Hosts (the webinar's organizer and every admin) moderate; they can never be muted, banned or
slowed down themselves, so a room always keeps someone able to lift a mistake. Every change
is committed first and then published to the room topic, so open browsers update at once.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from webinar_app.core.security import utcnow
from webinar_app.models import ChatBan, ChatMessage, ChatMute, ChatRoomSettings, User, Webinar
from webinar_app.models.base import as_utc
from webinar_app.realtime import publish
from webinar_app.services import audit
from webinar_app.services.errors import Invalid, NotFound, PermissionDenied, RateLimited
from webinar_app.services.timefmt import iso_z
from webinar_app.services.webinars import is_host

MAX_MUTE_MINUTES = 60 * 24 * 365
MAX_SLOW_MODE_SECONDS = 3600
NOT_HOST = "Only the webinar organizer or an admin can moderate this chat"


def room_topic(webinar_id: int) -> str:
    return f"room:{webinar_id}"


@dataclass(frozen=True)
class Restrictions:
    """What holds a user back in one room right now (for the post check and the UI)."""

    banned: bool
    muted: bool
    muted_until: datetime | None
    slow_mode_seconds: int


def _webinar(session: Session, webinar_id: int | None) -> Webinar:
    webinar = session.get(Webinar, webinar_id) if webinar_id is not None else None
    if webinar is None:
        raise NotFound("Webinar not found")
    return webinar


def _require_host(actor: User, webinar: Webinar) -> None:
    if not is_host(actor, webinar):
        raise PermissionDenied(NOT_HOST)


def _target(session: Session, webinar: Webinar, user_id: int | None) -> User:
    target = session.get(User, user_id) if user_id is not None else None
    if target is None:
        raise Invalid.field("user", f'Invalid pk "{user_id}" - object does not exist.')
    if is_host(target, webinar):
        raise Invalid.field("user", "The organizer and admins cannot be restricted in the chat.")
    return target


def slow_mode_seconds(session: Session, webinar_id: int) -> int:
    settings = session.get(ChatRoomSettings, webinar_id)
    return settings.slow_mode_seconds if settings else 0


def is_banned(session: Session, user: User, webinar: Webinar) -> bool:
    if is_host(user, webinar):
        return False
    return (
        session.exec(
            select(ChatBan.id).where(ChatBan.webinar_id == webinar.id, ChatBan.user_id == user.id)
        ).first()
        is not None
    )


def restrictions(session: Session, user: User, webinar: Webinar) -> Restrictions:
    """Ban, unexpired mute and the room's slow mode, each one primary-key-sized lookup."""
    seconds = slow_mode_seconds(session, webinar.id)  # type: ignore[arg-type]
    if is_host(user, webinar):
        return Restrictions(False, False, None, seconds)
    mute = session.exec(
        select(ChatMute).where(ChatMute.webinar_id == webinar.id, ChatMute.user_id == user.id)
    ).first()
    until = as_utc(mute.until) if mute else None
    muted = mute is not None and (until is None or until > utcnow())
    return Restrictions(is_banned(session, user, webinar), muted, until if muted else None, seconds)


def check_not_silenced(session: Session, user: User, webinar: Webinar) -> Restrictions:
    """Banned and muted users may not write (403); hosts never are."""
    state = restrictions(session, user, webinar)
    if state.banned:
        raise PermissionDenied("You are banned from this chat")
    if state.muted:
        raise PermissionDenied("You are muted in this chat", muted_until=iso_z(state.muted_until))
    return state


def check_can_post(session: Session, user: User, webinar: Webinar) -> None:
    """Refuse banned and muted users (403) and a post inside the slow-mode window (429).

    The slow-mode window is measured from the author's last post in the room (deleted ones
    count too, so deleting a message is no way around it). Hosts are never slowed down.
    """
    state = check_not_silenced(session, user, webinar)
    if state.slow_mode_seconds <= 0 or is_host(user, webinar):
        return
    last = as_utc(
        session.exec(
            select(func.max(ChatMessage.created_at)).where(
                ChatMessage.webinar_id == webinar.id, ChatMessage.user_id == user.id
            )
        ).one()
    )
    if last is None:
        return
    ready = last + timedelta(seconds=state.slow_mode_seconds)
    now = utcnow()
    if now < ready:
        wait = max(1, math.ceil((ready - now).total_seconds()))
        raise RateLimited(
            f"Slow mode is on: you can post again in {wait} seconds.",
            retry_after=wait,
            retry_after_seconds=wait,
            slow_mode_seconds=state.slow_mode_seconds,
        )


def can_moderate(user: User, webinar: Webinar) -> bool:
    return is_host(user, webinar)


def _minutes(value: Any) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        if isinstance(value, bool):
            raise ValueError
        minutes = int(str(value).strip())
    except ValueError:
        raise Invalid.field("minutes", "A valid integer is required.") from None
    if minutes < 1 or minutes > MAX_MUTE_MINUTES:
        raise Invalid.field("minutes", f"Ensure this value is between 1 and {MAX_MUTE_MINUTES}.")
    return minutes


def mute(
    session: Session, actor: User, webinar_id: int | None, user_id: int | None, minutes: Any = None
) -> ChatMute:
    """Mute a user in a room for `minutes` (or until unmuted); muting again replaces the term."""
    webinar = _webinar(session, webinar_id)
    _require_host(actor, webinar)
    target = _target(session, webinar, user_id)
    length = _minutes(minutes)
    until = utcnow() + timedelta(minutes=length) if length else None
    row = session.exec(
        select(ChatMute).where(ChatMute.webinar_id == webinar.id, ChatMute.user_id == target.id)
    ).first()
    if row is None:
        row = ChatMute(webinar_id=webinar.id, user_id=target.id)  # type: ignore[arg-type]
    row.until, row.by_id, row.created_at = until, actor.id, utcnow()
    session.add(row)
    audit.record(
        session, actor, "chat.mute", "user", target.id, after={"webinar_id": webinar.id, "until": until}
    )
    try:
        session.commit()
    except IntegrityError:  # muted concurrently by another moderator: theirs stands
        session.rollback()
        row = session.exec(
            select(ChatMute).where(ChatMute.webinar_id == webinar.id, ChatMute.user_id == target.id)
        ).one()
    publish(room_topic(webinar.id), "chat_muted", user_id=target.id, until=iso_z(row.until))  # type: ignore[arg-type]
    return row


def unmute(session: Session, actor: User, webinar_id: int | None, user_id: int | None) -> None:
    webinar = _webinar(session, webinar_id)
    _require_host(actor, webinar)
    target = _target(session, webinar, user_id)
    session.exec(  # type: ignore[call-overload]
        delete(ChatMute).where(col(ChatMute.webinar_id) == webinar.id, col(ChatMute.user_id) == target.id)
    )
    audit.record(session, actor, "chat.unmute", "user", target.id, after={"webinar_id": webinar.id})
    session.commit()
    publish(room_topic(webinar.id), "chat_unmuted", user_id=target.id)  # type: ignore[arg-type]


def ban(session: Session, actor: User, webinar_id: int | None, user_id: int | None) -> ChatBan:
    """Ban a user from the room's chat (they lose read and write access); idempotent."""
    webinar = _webinar(session, webinar_id)
    _require_host(actor, webinar)
    target = _target(session, webinar, user_id)
    row = session.exec(
        select(ChatBan).where(ChatBan.webinar_id == webinar.id, ChatBan.user_id == target.id)
    ).first()
    if row is None:
        row = ChatBan(webinar_id=webinar.id, user_id=target.id, by_id=actor.id)  # type: ignore[arg-type]
        session.add(row)
        audit.record(session, actor, "chat.ban", "user", target.id, after={"webinar_id": webinar.id})
        try:
            session.commit()
        except IntegrityError:
            session.rollback()
            row = session.exec(
                select(ChatBan).where(ChatBan.webinar_id == webinar.id, ChatBan.user_id == target.id)
            ).one()
    publish(room_topic(webinar.id), "chat_banned", user_id=target.id)  # type: ignore[arg-type]
    return row


def unban(session: Session, actor: User, webinar_id: int | None, user_id: int | None) -> None:
    webinar = _webinar(session, webinar_id)
    _require_host(actor, webinar)
    target = _target(session, webinar, user_id)
    session.exec(  # type: ignore[call-overload]
        delete(ChatBan).where(col(ChatBan.webinar_id) == webinar.id, col(ChatBan.user_id) == target.id)
    )
    audit.record(session, actor, "chat.unban", "user", target.id, after={"webinar_id": webinar.id})
    session.commit()
    publish(room_topic(webinar.id), "chat_unbanned", user_id=target.id)  # type: ignore[arg-type]


def set_slow_mode(session: Session, actor: User, webinar_id: int | None, seconds: Any) -> int:
    """Per-user minimum gap between posts in the room; 0 turns slow mode off."""
    webinar = _webinar(session, webinar_id)
    _require_host(actor, webinar)
    try:
        if seconds is None or isinstance(seconds, bool) or (isinstance(seconds, str) and not seconds.strip()):
            raise Invalid.field("seconds", "This field is required.")
        value = int(str(seconds).strip())
    except ValueError:
        raise Invalid.field("seconds", "A valid integer is required.") from None
    if value < 0 or value > MAX_SLOW_MODE_SECONDS:
        raise Invalid.field("seconds", f"Ensure this value is between 0 and {MAX_SLOW_MODE_SECONDS}.")
    settings = session.get(ChatRoomSettings, webinar.id)
    if settings is None:
        settings = ChatRoomSettings(webinar_id=webinar.id)  # type: ignore[arg-type]
    settings.slow_mode_seconds, settings.updated_by_id, settings.updated_at = value, actor.id, utcnow()
    session.add(settings)
    try:
        session.commit()
    except IntegrityError:  # created concurrently: apply ours on top
        session.rollback()
        settings = session.get(ChatRoomSettings, webinar.id)
        assert settings is not None
        settings.slow_mode_seconds, settings.updated_by_id = value, actor.id
        session.add(settings)
        session.commit()
    publish(room_topic(webinar.id), "chat_slow_mode", seconds=value)  # type: ignore[arg-type]
    return value


def check_can_change(session: Session, actor: User, webinar: Webinar, message: ChatMessage) -> None:
    """Editing or deleting a message: its author, or a host of the room (moderation)."""
    if message.user_id == actor.id or is_host(actor, webinar):
        return
    raise PermissionDenied("You can only change your own messages")
