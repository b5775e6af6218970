"""In-app notifications (the bell); live push comes through `realtime`."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from webinar_app.models.base import tz_column, utcnow


class NotificationType(StrEnum):
    announcement = "announcement"
    upcoming_webinar = "upcoming_webinar"
    new_recording = "new_recording"
    live_started = "live_started"
    live_ended = "live_ended"
    registration_approved = "registration_approved"
    system = "system"
    new_message = "new_message"


NOTIFICATION_TYPE_DISPLAY = {
    NotificationType.announcement.value: "Announcement",
    NotificationType.upcoming_webinar.value: "Upcoming Webinar",
    NotificationType.new_recording.value: "New Recording",
    NotificationType.live_started.value: "Live Session Started",
    NotificationType.live_ended.value: "Live Session Ended",
    NotificationType.registration_approved.value: "Registration Approved",
    NotificationType.system.value: "System",
    NotificationType.new_message.value: "New Message",
}


class Notification(SQLModel, table=True):
    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_user_unread", "user_id", "is_read", "created_at"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", ondelete="CASCADE")
    notification_type: str = Field(max_length=32)
    title: str = Field(max_length=255)
    content: str = Field(default="")
    # Announcements and recordings arrive with later features; kept as plain ids until then.
    announcement_id: int | None = Field(default=None)
    webinar_id: int | None = Field(default=None, foreign_key="webinars.id", ondelete="SET NULL")
    recording_id: int | None = Field(default=None)
    is_read: bool = Field(default=False)
    created_at: datetime = Field(default_factory=utcnow, sa_column=tz_column())
