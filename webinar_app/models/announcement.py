"""Announcements: admin-written notices; each one fans out as `announcement` notifications."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from webinar_app.models.base import tz_column, utcnow


class Announcement(SQLModel, table=True):
    __tablename__ = "announcements"

    id: int | None = Field(default=None, primary_key=True)
    sender_id: int = Field(foreign_key="users.id", index=True, ondelete="CASCADE")
    title: str = Field(max_length=200)
    content: str = Field(default="")
    created_at: datetime = Field(default_factory=utcnow, sa_column=tz_column(index=True))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=tz_column())
