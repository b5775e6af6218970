"""Recordings (a link or a stored file) and who watched them (the replay end of the funnel)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Column, Index
from sqlmodel import Field, SQLModel

from webinar_app.models.base import tz_column, utcnow


class Recording(SQLModel, table=True):
    """A replay of one webinar: either an external `recording_link` or a file we stored.

    `file_name` is a random name inside RECORDINGS_DIR (never the client's filename), served
    only through the signed stream route; exactly one of `recording_link`/`file_name` is set.
    """

    __tablename__ = "recordings"
    __table_args__ = (Index("ix_recordings_webinar", "webinar_id", "uploaded_at"),)

    id: int | None = Field(default=None, primary_key=True)
    webinar_id: int = Field(foreign_key="webinars.id", ondelete="CASCADE")
    title: str = Field(default="", max_length=255)
    description: str = Field(default="")
    recording_link: str | None = Field(default=None, max_length=500)
    file_name: str | None = Field(default=None, max_length=100)
    # Bytes; BIGINT, since a 2 GiB file does not fit PostgreSQL's INTEGER.
    file_size: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    content_type: str | None = Field(default=None, max_length=50)
    duration_minutes: int | None = Field(default=None)
    is_public: bool = Field(default=True, index=True)
    uploaded_by_id: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    uploaded_at: datetime = Field(default_factory=utcnow, sa_column=tz_column())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=tz_column())


class RecordingView(SQLModel, table=True):
    """One viewing of a recording: who (null = anonymous, for public ones), when, how long."""

    __tablename__ = "recording_views"
    __table_args__ = (Index("ix_recording_views_recording", "recording_id", "started_at"),)

    id: int | None = Field(default=None, primary_key=True)
    recording_id: int = Field(foreign_key="recordings.id", ondelete="CASCADE")
    user_id: int | None = Field(default=None, foreign_key="users.id", index=True, ondelete="CASCADE")
    started_at: datetime = Field(default_factory=utcnow, sa_column=tz_column())
    last_seen_at: datetime = Field(default_factory=utcnow, sa_column=tz_column())
    seconds_watched: int = Field(default=0)
