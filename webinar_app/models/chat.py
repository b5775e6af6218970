"""Live-room chat and its moderation state (mutes, bans, slow mode)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from webinar_app.models.base import tz_column, utcnow


class ChatMessage(SQLModel, table=True):
    """One chat line. Moderation deletes softly (`deleted_at`), so the record stays for audit."""

    __tablename__ = "chat_messages"
    __table_args__ = (
        # History ("last 200 of a room") and the slow-mode lookup ("my last post here").
        Index("ix_chat_messages_room", "webinar_id", "id"),
        Index("ix_chat_messages_author", "webinar_id", "user_id", "created_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    webinar_id: int = Field(foreign_key="webinars.id", ondelete="CASCADE")
    user_id: int = Field(foreign_key="users.id", ondelete="CASCADE")
    message: str = Field(max_length=1000)
    created_at: datetime = Field(default_factory=utcnow, sa_column=tz_column())
    edited_at: datetime | None = Field(default=None, sa_column=tz_column(nullable=True))
    deleted_at: datetime | None = Field(default=None, sa_column=tz_column(nullable=True))
    deleted_by_id: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")


class ChatMute(SQLModel, table=True):
    """A user silenced in one room, until a time or (`until` null) until unmuted."""

    __tablename__ = "chat_mutes"
    __table_args__ = (UniqueConstraint("webinar_id", "user_id", name="uq_chat_mute_room_user"),)

    id: int | None = Field(default=None, primary_key=True)
    webinar_id: int = Field(foreign_key="webinars.id", ondelete="CASCADE")
    user_id: int = Field(foreign_key="users.id", index=True, ondelete="CASCADE")
    until: datetime | None = Field(default=None, sa_column=tz_column(nullable=True))
    by_id: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    created_at: datetime = Field(default_factory=utcnow, sa_column=tz_column())


class ChatBan(SQLModel, table=True):
    """A user removed from one room's chat: they can neither read nor post there."""

    __tablename__ = "chat_bans"
    __table_args__ = (UniqueConstraint("webinar_id", "user_id", name="uq_chat_ban_room_user"),)

    id: int | None = Field(default=None, primary_key=True)
    webinar_id: int = Field(foreign_key="webinars.id", ondelete="CASCADE")
    user_id: int = Field(foreign_key="users.id", index=True, ondelete="CASCADE")
    by_id: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    created_at: datetime = Field(default_factory=utcnow, sa_column=tz_column())


class ChatRoomSettings(SQLModel, table=True):
    """Per-room chat settings; a missing row means the defaults (no slow mode)."""

    __tablename__ = "chat_room_settings"

    webinar_id: int = Field(primary_key=True, foreign_key="webinars.id", ondelete="CASCADE")
    slow_mode_seconds: int = Field(default=0)
    updated_by_id: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    updated_at: datetime = Field(default_factory=utcnow, sa_column=tz_column())
