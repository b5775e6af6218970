"""Webinars and the registrations that claim their seats."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import Column, Index, Numeric, UniqueConstraint
from sqlmodel import Field, SQLModel

from webinar_app.models.base import tz_column, utcnow


class ManualStatus(StrEnum):
    none = ""
    completed = "completed"
    cancelled = "cancelled"


class RegistrationStatus(StrEnum):
    confirmed = "confirmed"
    waitlisted = "waitlisted"


class Webinar(SQLModel, table=True):
    __tablename__ = "webinars"
    __table_args__ = (Index("ix_webinars_status_window", "manual_status", "start_at", "end_at"),)

    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=200)
    description: str = Field(default="")
    # start and end are stored in UTC; end is derived (start + duration) so status filters are SQL.
    start_at: datetime = Field(sa_column=tz_column(index=True))
    end_at: datetime = Field(sa_column=tz_column())
    duration: int = Field(default=60)
    price: Decimal = Field(default=Decimal("0.00"), sa_column=Column(Numeric(10, 2), nullable=False))
    capacity: int | None = Field(default=None)
    # Seats taken by confirmed registrations; claimed with one conditional UPDATE so
    # concurrent registrations can never oversell.
    confirmed_count: int = Field(default=0)
    thumbnail: str | None = Field(default=None, max_length=255)
    live_stream_url: str | None = Field(default=None, max_length=500)
    manual_status: str = Field(default="", max_length=16)
    organizer_id: int = Field(foreign_key="users.id", index=True)
    category: str = Field(default="", max_length=80, index=True)
    tags: str = Field(default="", max_length=500)
    # Bumped whenever the time changes, so calendar clients replace the event (RFC 5545 SEQUENCE).
    sequence: int = Field(default=0)
    # Minutes before the start at which registrants are reminded, comma-separated ("1440,15").
    reminder_offsets: str = Field(
        default="1440,15", max_length=200, sa_column_kwargs={"server_default": "1440,15"}
    )
    # When the time last changed: reminders whose send time passed before that are stale.
    schedule_changed_at: datetime | None = Field(default=None, sa_column=tz_column(nullable=True))
    created_at: datetime = Field(default_factory=utcnow, sa_column=tz_column())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=tz_column())

    @property
    def tag_list(self) -> list[str]:
        return [t for t in (part.strip() for part in self.tags.split(",")) if t]


class Registration(SQLModel, table=True):
    __tablename__ = "registrations"
    __table_args__ = (
        UniqueConstraint("user_id", "webinar_id", name="uq_registration_user_webinar"),
        Index("ix_registrations_queue", "webinar_id", "status", "registered_on"),
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", index=True, ondelete="CASCADE")
    webinar_id: int = Field(foreign_key="webinars.id", ondelete="CASCADE")
    status: str = Field(default=RegistrationStatus.confirmed.value, max_length=16)
    registered_on: datetime = Field(default_factory=utcnow, sa_column=tz_column())
    promoted_at: datetime | None = Field(default=None, sa_column=tz_column(nullable=True))
    attended: bool = Field(default=False)
    joined_at: datetime | None = Field(default=None, sa_column=tz_column(nullable=True))
    left_at: datetime | None = Field(default=None, sa_column=tz_column(nullable=True))


class CalendarFeed(SQLModel, table=True):
    """The secret in a user's private calendar feed URL (regenerable, so a leaked URL can be killed)."""

    __tablename__ = "calendar_feeds"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", unique=True, ondelete="CASCADE")
    secret: str = Field(max_length=64, unique=True, index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_column=tz_column())
