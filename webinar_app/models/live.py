"""Live sessions: one room per webinar (restarting reuses it) and who was in it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from webinar_app.models.base import tz_column, utcnow


class LiveSession(SQLModel, table=True):
    """The webinar's live room. Unique per webinar: a restart re-activates the same row and room,
    and the unique constraint makes two racing first starts end up in one session."""

    __tablename__ = "live_sessions"

    id: int | None = Field(default=None, primary_key=True)
    webinar_id: int = Field(foreign_key="webinars.id", unique=True, ondelete="CASCADE")
    room_name: str = Field(max_length=100, unique=True)
    is_active: bool = Field(default=False, index=True)
    started_at: datetime | None = Field(default=None, sa_column=tz_column(nullable=True))
    ended_at: datetime | None = Field(default=None, sa_column=tz_column(nullable=True))
    created_at: datetime = Field(default_factory=utcnow, sa_column=tz_column())


class LiveParticipant(SQLModel, table=True):
    """A person who joined a live session; `left_at` null while they are in the room."""

    __tablename__ = "live_participants"
    __table_args__ = (
        UniqueConstraint("session_id", "user_id", name="uq_live_participant_session_user"),
        Index("ix_live_participants_present", "session_id", "left_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    session_id: int = Field(foreign_key="live_sessions.id", ondelete="CASCADE")
    user_id: int = Field(foreign_key="users.id", index=True, ondelete="CASCADE")
    joined_at: datetime = Field(default_factory=utcnow, sa_column=tz_column())
    left_at: datetime | None = Field(default=None, sa_column=tz_column(nullable=True))
