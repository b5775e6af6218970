"""Live-room chat: who may read and post, validation, history, edits and soft deletes.

A message is committed before anyone sees it: every change is published to `room:{webinar_id}`
only after its commit, from here, so a message sent over REST reaches open browsers exactly like
one sent from the UI. Readers are registrants (confirmed), the organizer and admins; posting is
open while the webinar is live or its live session is active, and the history stays readable.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from webinar_app.core.security import utcnow
from webinar_app.models import ChatMessage, LiveSession, User, Webinar
from webinar_app.realtime import publish
from webinar_app.services import moderation
from webinar_app.services.errors import Invalid, NotFound, PermissionDenied
from webinar_app.services.registrations import CONFIRMED
from webinar_app.services.timefmt import iso_z
from webinar_app.services.validation import ErrorCollector
from webinar_app.services.webinars import compute_status, is_host

MAX_LENGTH = 1000
HISTORY_SIZE = 200
NO_ACCESS = "Only registered attendees, the organizer and admins can use this chat"
CLOSED = "Chat is only open while the webinar is live"
room_topic = moderation.room_topic


@dataclass(frozen=True)
class ChatMessageView:
    """A message with its author: everything the ChatMessage shape and the UI need."""

    message: ChatMessage
    author: User

    def as_dict(self) -> dict[str, Any]:
        m, a = self.message, self.author
        return {
            "id": m.id,
            "event": m.webinar_id,
            "user": m.user_id,
            "user_username": a.username,
            "user_role": a.role,
            "username": a.username,
            "first_name": a.first_name,
            "last_name": a.last_name,
            "message": m.message,
            "created_at": iso_z(m.created_at),
            "edited_at": iso_z(m.edited_at),
        }


def _webinar(session: Session, webinar_id: int) -> Webinar:
    webinar = session.get(Webinar, webinar_id)
    if webinar is None:
        raise NotFound("Webinar not found")
    return webinar


def can_read(session: Session, user: User, webinar: Webinar) -> bool:
    """Hosts always; registrants unless banned from the room."""
    if is_host(user, webinar):
        return True
    from webinar_app.services.registrations import is_registrant

    return is_registrant(session, user, webinar.id) and not moderation.is_banned(  # type: ignore[arg-type]
        session, user, webinar
    )


def require_reader(session: Session, user: User, webinar_id: int) -> Webinar:
    webinar = _webinar(session, webinar_id)
    if not can_read(session, user, webinar):
        if moderation.is_banned(session, user, webinar):
            raise PermissionDenied("You are banned from this chat")
        raise PermissionDenied(NO_ACCESS)
    return webinar


def is_open(session: Session, webinar: Webinar) -> bool:
    """Live by the clock, or a live session is running (hosts may start early or run over)."""
    if compute_status(webinar) == "live":
        return True
    return (
        session.exec(
            select(LiveSession.id).where(LiveSession.webinar_id == webinar.id, col(LiveSession.is_active))
        ).first()
        is not None
    )


def clean_text(data: dict[str, Any], *, field: str = "message") -> str:
    """The message text, or a 400 under `message` (blank, too long, missing)."""
    errors = ErrorCollector()
    text = _text(data, field, errors)
    errors.raise_if_any()
    return text


def _text(data: dict[str, Any], field: str, errors: ErrorCollector) -> str:
    if field not in data or data[field] is None:
        errors.add(field, "This field is required.")
        return ""
    text = str(data[field]).strip()
    if not text:
        errors.add(field, "This field may not be blank.")
    elif len(text) > MAX_LENGTH:
        errors.add(field, f"Message is too long (max {MAX_LENGTH} characters).")
    return text


def _event_id(data: dict[str, Any], errors: ErrorCollector) -> int | None:
    raw = data.get("event", data.get("webinar"))
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        errors.add("event", "This field is required.")
        return None
    try:
        if isinstance(raw, bool):
            raise ValueError
        return int(str(raw).strip())
    except ValueError:
        errors.add("event", "Incorrect type. Expected pk value.")
        return None


def post(session: Session, user: User, data: dict[str, Any]) -> ChatMessageView:
    """Validate, check access and restrictions, commit, then publish `chat_message`."""
    errors = ErrorCollector()
    webinar_id = _event_id(data, errors)
    text = _text(data, "message", errors)
    webinar = session.get(Webinar, webinar_id) if webinar_id is not None else None
    if webinar_id is not None and webinar is None:
        errors.add("event", f'Invalid pk "{webinar_id}" - object does not exist.')
    errors.raise_if_any()
    return send(session, user, webinar, text)  # type: ignore[arg-type]


def send(session: Session, user: User, webinar: Webinar | int, text: str) -> ChatMessageView:
    """Post already-validated text (the UI's entry point; REST goes through `post`)."""
    if isinstance(webinar, int):
        webinar = _webinar(session, webinar)
    text = text.strip()
    if not text:
        raise Invalid.field("message", "This field may not be blank.")
    if len(text) > MAX_LENGTH:
        raise Invalid.field("message", f"Message is too long (max {MAX_LENGTH} characters).")
    require_reader(session, user, webinar.id)  # type: ignore[arg-type]
    if not is_open(session, webinar):
        raise PermissionDenied(CLOSED)
    moderation.check_can_post(session, user, webinar)
    item = ChatMessage(webinar_id=webinar.id, user_id=user.id, message=text)  # type: ignore[arg-type]
    session.add(item)
    session.commit()
    view = ChatMessageView(item, user)
    publish(room_topic(item.webinar_id), "chat_message", message=view.as_dict())
    return view


def _with_authors(session: Session, query: Any) -> list[ChatMessageView]:
    rows = session.exec(query.join(User, col(User.id) == col(ChatMessage.user_id)))
    return [ChatMessageView(m, u) for m, u in rows]


def history(
    session: Session, user: User, webinar_id: int, *, limit: int = HISTORY_SIZE
) -> list[ChatMessageView]:
    """The room's last `limit` visible messages, oldest first, authors joined in (one query)."""
    require_reader(session, user, webinar_id)
    query = (
        select(ChatMessage, User)
        .where(ChatMessage.webinar_id == webinar_id, col(ChatMessage.deleted_at).is_(None))
        .order_by(col(ChatMessage.id).desc())
        .limit(limit)
    )
    return list(reversed(_with_authors(session, query)))


def visible_history(session: Session, user: User, *, limit: int = HISTORY_SIZE) -> list[ChatMessageView]:
    """`GET chat/` without `?event=`: the last messages of every room the caller may read."""
    from webinar_app.models import ChatBan, Registration

    query = select(ChatMessage, User).where(col(ChatMessage.deleted_at).is_(None))
    if not user.is_admin:
        registered = select(Registration.webinar_id).where(
            Registration.user_id == user.id, Registration.status == CONFIRMED
        )
        banned = select(ChatBan.webinar_id).where(ChatBan.user_id == user.id)
        hosted = select(Webinar.id).where(Webinar.organizer_id == user.id)
        query = query.where(
            col(ChatMessage.webinar_id).in_(hosted)
            | (col(ChatMessage.webinar_id).in_(registered) & ~col(ChatMessage.webinar_id).in_(banned))
        )
    query = query.order_by(col(ChatMessage.id).desc()).limit(limit)
    return list(reversed(_with_authors(session, query)))


def _live_message(session: Session, message_id: int) -> tuple[ChatMessage, User]:
    row = session.exec(
        select(ChatMessage, User)
        .join(User, col(User.id) == col(ChatMessage.user_id))
        .where(ChatMessage.id == message_id, col(ChatMessage.deleted_at).is_(None))
    ).first()
    if row is None:
        raise NotFound("Message not found")
    return row[0], row[1]


def get(session: Session, user: User, message_id: int) -> ChatMessageView:
    message, author = _live_message(session, message_id)
    require_reader(session, user, message.webinar_id)
    return ChatMessageView(message, author)


def edit(session: Session, user: User, message_id: int, data: dict[str, Any]) -> ChatMessageView:
    """The author (still allowed to post) or a host rewrites a message; publish `chat_edited`."""
    message, author = _live_message(session, message_id)
    webinar = require_reader(session, user, message.webinar_id)
    moderation.check_can_change(session, user, webinar, message)
    text = clean_text(data) if "message" in data else message.message
    if message.user_id == user.id:
        moderation.check_not_silenced(session, user, webinar)
    message.message, message.edited_at = text, utcnow()
    session.add(message)
    session.commit()
    view = ChatMessageView(message, author)
    publish(room_topic(message.webinar_id), "chat_edited", message=view.as_dict())
    return view


def delete(session: Session, user: User, message_id: int) -> None:
    """Soft delete by the author or a host: gone from every list, kept for audit; `chat_deleted`."""
    message, _author = _live_message(session, message_id)
    webinar = require_reader(session, user, message.webinar_id)
    moderation.check_can_change(session, user, webinar, message)
    message.deleted_at, message.deleted_by_id = utcnow(), user.id
    session.add(message)
    session.commit()
    publish(room_topic(message.webinar_id), "chat_deleted", id=message.id)


def room_info(session: Session, user: User, webinar_id: int) -> dict[str, Any]:
    """What a chat box needs to render its controls for this user."""
    webinar = require_reader(session, user, webinar_id)
    state = moderation.restrictions(session, user, webinar)
    return {
        "event": webinar_id,
        "is_open": is_open(session, webinar),
        "can_moderate": is_host(user, webinar),
        "muted": state.muted,
        "muted_until": iso_z(state.muted_until),
        "slow_mode_seconds": state.slow_mode_seconds,
    }
