"""Mail: per-user preferences, the outgoing queue that doubles as the send log, reminder claims."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from webinar_app.models.base import tz_column, utcnow


class EmailKind(StrEnum):
    """What a mail is about; each kind except `account` can be switched off by its recipient."""

    account = "account"  # verification codes, password resets: always sent
    registration = "registration"  # confirmation, waitlist, promotion
    reminder = "reminder"
    live = "live"
    recording = "recording"
    announcement = "announcement"
    schedule_change = "schedule_change"  # cancellation, reschedule


class EmailStatus(StrEnum):
    pending = "pending"  # waiting for its next attempt
    sending = "sending"  # claimed by one worker until `lease_until`
    sent = "sent"
    failed = "failed"  # gave up after the last attempt
    expired = "expired"  # no longer worth sending (a reminder for a webinar that began)


class EmailPreference(SQLModel, table=True):
    """A user's explicit choice for one kind; no row means the kind's default."""

    __tablename__ = "email_preferences"
    __table_args__ = (UniqueConstraint("user_id", "kind", name="uq_email_preference_user_kind"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", ondelete="CASCADE")
    kind: str = Field(max_length=32)
    enabled: bool
    updated_at: datetime = Field(default_factory=utcnow, sa_column=tz_column())


class EmailLog(SQLModel, table=True):
    """One mail to one address: queued in the transaction of the action that caused it,
    delivered by whichever worker claims it first (a lease), retried with backoff.

    It is also the record of what was sent to whom (the admin console reads it). Mails that
    carry secrets (codes, reset links) are logged without their body.
    """

    __tablename__ = "email_log"
    __table_args__ = (Index("ix_email_log_due", "status", "next_attempt_at"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int | None = Field(default=None, foreign_key="users.id", index=True, ondelete="SET NULL")
    webinar_id: int | None = Field(default=None, foreign_key="webinars.id", ondelete="SET NULL")
    kind: str = Field(max_length=32)
    template: str = Field(max_length=64)
    to_address: str = Field(max_length=254)
    subject: str = Field(max_length=255)
    body_text: str = Field(default="", sa_column=Column(Text, nullable=False))
    body_html: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    headers: list[Any] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    attachments: list[Any] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    status: str = Field(default=EmailStatus.pending.value, max_length=16)
    attempts: int = Field(default=0)
    next_attempt_at: datetime = Field(default_factory=utcnow, sa_column=tz_column())
    lease_until: datetime | None = Field(default=None, sa_column=tz_column(nullable=True))
    expires_at: datetime | None = Field(default=None, sa_column=tz_column(nullable=True))
    last_error: str | None = Field(default=None, max_length=1000)
    created_at: datetime = Field(default_factory=utcnow, sa_column=tz_column())
    sent_at: datetime | None = Field(default=None, sa_column=tz_column(nullable=True))


class ReminderClaim(SQLModel, table=True):
    """The reminder (user, webinar, offset, start) was issued: inserted once, under a unique
    constraint, by whichever scheduler loop gets there first; every other loop's insert fails
    and skips. A reschedule changes `scheduled_start`, so the new time's reminders are new rows."""

    __tablename__ = "reminder_claims"
    __table_args__ = (
        UniqueConstraint(
            "user_id", "webinar_id", "offset_minutes", "scheduled_start", name="uq_reminder_claim"
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", index=True, ondelete="CASCADE")
    webinar_id: int = Field(foreign_key="webinars.id", index=True, ondelete="CASCADE")
    offset_minutes: int
    scheduled_start: datetime = Field(sa_column=tz_column())
    claimed_at: datetime = Field(default_factory=utcnow, sa_column=tz_column())
    email_log_id: int | None = Field(
        default=None, foreign_key="email_log.id", ondelete="SET NULL"
    )
