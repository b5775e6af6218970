"""Request bodies (for the docs) and the Announcement / Conversation / LiveSession shapes.

ChatMessage and Message shapes come from the services (`ChatMessageView.as_dict`,
`MessageView.as_dict`): the same dict is published to browsers, so REST and realtime agree.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from webinar_app.api.schemas.common import iso_z
from webinar_app.models import Announcement, LiveSession
from webinar_app.services.inbox import ConversationView, preview


class AnnouncementIn(BaseModel):
    title: str
    content: str


class ChatPostIn(BaseModel):
    event: int
    message: str


class ChatEditIn(BaseModel):
    message: str


class ModerationIn(BaseModel):
    event: int
    user: int


class MuteIn(ModerationIn):
    minutes: int | None = None


class SlowModeIn(BaseModel):
    event: int
    seconds: int


class SendMessageIn(BaseModel):
    participant_ids: list[int]
    content: str
    related_webinar_id: int | None = None


def announcement_out(item: Announcement, senders: dict[int, str]) -> dict[str, Any]:
    return {
        "id": item.id,
        "sender": item.sender_id,
        "sender_username": senders.get(item.sender_id),
        "title": item.title,
        "content": item.content,
        "created_at": iso_z(item.created_at),
        "updated_at": iso_z(item.updated_at),
    }


def conversation_out(view: ConversationView) -> dict[str, Any]:
    c = view.conversation
    return {
        "id": c.id,
        "participants": [
            {
                "id": u.id,
                "username": u.username,
                "first_name": u.first_name,
                "last_name": u.last_name,
                "email": u.email,
            }
            for u in view.participants
        ],
        "related_webinar": c.related_webinar_id,
        "related_webinar_title": view.webinar_title,
        "last_message_preview": preview(view),
        "unread_count": view.unread_count,
        "last_message_at": iso_z(c.last_message_at),
        "created_at": iso_z(c.created_at),
        "updated_at": iso_z(c.updated_at),
    }


def live_session_out(live: LiveSession) -> dict[str, Any]:
    return {
        "id": live.id,
        "webinar": live.webinar_id,
        "room_name": live.room_name,
        "is_active": live.is_active,
        "created_at": iso_z(live.created_at),
        "started_at": iso_z(live.started_at),
        "start_time": iso_z(live.started_at),
        "end_time": iso_z(live.ended_at),
        "ended_at": iso_z(live.ended_at),
    }
