"""The admins' moderation view across live webinars: recent messages, mutes, bans, undo.

Everything is read with a handful of joined queries (no per-row lookups), and every undo
goes through the same rules and events as the room itself: restoring a message publishes
it to the room again, lifting a mute or ban uses `moderation.unmute/unban`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import aliased
from sqlmodel import Session, col, or_, select

from webinar_app.core.security import utcnow
from webinar_app.models import ChatBan, ChatMessage, ChatMute, LiveSession, User, Webinar
from webinar_app.realtime import publish
from webinar_app.services import audit
from webinar_app.services.accounts import require_admin
from webinar_app.services.chat import ChatMessageView, room_topic
from webinar_app.services.errors import Invalid, NotFound

RECENT = 100


@dataclass(frozen=True)
class ConsoleMessage:
    id: int
    webinar_id: int
    webinar_title: str
    author: str
    text: str
    created_at: datetime
    deleted: bool


@dataclass(frozen=True)
class Restriction:
    webinar_id: int
    webinar_title: str
    user_id: int
    username: str
    until: datetime | None
    kind: str  # "mute" | "ban"


@dataclass(frozen=True)
class Overview:
    rooms: list[tuple[int, str]]
    messages: list[ConsoleMessage]
    restrictions: list[Restriction]


def live_rooms(session: Session, now: datetime | None = None) -> list[tuple[int, str]]:
    """Webinars live by the clock or with an active session (not cancelled/completed by hand)."""
    now = now or utcnow()
    active = select(LiveSession.webinar_id).where(col(LiveSession.is_active))
    rows = session.exec(
        select(Webinar.id, Webinar.title)
        .where(
            col(Webinar.manual_status) == "",
            or_(
                (col(Webinar.start_at) <= now) & (col(Webinar.end_at) > now),
                col(Webinar.id).in_(active),
            ),
        )
        .order_by(col(Webinar.start_at))
    )
    return [(int(wid), title) for wid, title in rows if wid is not None]


def overview(session: Session, actor: User, *, webinar_id: int | None = None) -> Overview:
    require_admin(actor)
    rooms = live_rooms(session)
    room_ids = [wid for wid, _ in rooms] if webinar_id is None else [webinar_id]
    messages: list[ConsoleMessage] = []
    restrictions: list[Restriction] = []
    if room_ids:
        rows = session.exec(
            select(ChatMessage, User.username, Webinar.title)
            .join(User, col(User.id) == col(ChatMessage.user_id))
            .join(Webinar, col(Webinar.id) == col(ChatMessage.webinar_id))
            .where(col(ChatMessage.webinar_id).in_(room_ids))
            .order_by(col(ChatMessage.id).desc())
            .limit(RECENT)
        )
        messages = [
            ConsoleMessage(
                m.id or 0, m.webinar_id, title, username, m.message, m.created_at, m.deleted_at is not None
            )
            for m, username, title in rows
        ]
        target = aliased(User)
        for table, kind in ((ChatMute, "mute"), (ChatBan, "ban")):
            query = (
                select(table, target.username, Webinar.title)
                .join(target, col(target.id) == col(table.user_id))
                .join(Webinar, col(Webinar.id) == col(table.webinar_id))
                .where(col(table.webinar_id).in_(room_ids))
            )
            for row, username, title in session.exec(query):
                until = getattr(row, "until", None)
                if kind == "mute" and until is not None and _aware(until) <= utcnow():
                    continue  # an expired mute restricts nobody
                restrictions.append(Restriction(row.webinar_id, title, row.user_id, username, until, kind))
    return Overview(rooms, messages, restrictions)


def _aware(value: datetime) -> datetime:
    from webinar_app.models.base import as_utc

    result = as_utc(value)
    assert result is not None
    return result


def restore_message(session: Session, actor: User, message_id: int) -> ChatMessageView:
    """Undo a deletion: the message is visible again and pushed back to the room."""
    require_admin(actor)
    message = session.get(ChatMessage, message_id)
    if message is None:
        raise NotFound()
    if message.deleted_at is None:
        raise Invalid.field("message", "This message is not deleted.")
    author = session.get(User, message.user_id)
    assert author is not None
    message.deleted_at, message.deleted_by_id = None, None
    session.add(message)
    audit.record(session, actor, "chat.restore", "chat_message", message.id)
    session.commit()
    view = ChatMessageView(message, author)
    publish(room_topic(message.webinar_id), "chat_message", message=view.as_dict())
    return view
