"""Inbox: private conversations between users, with read state per recipient."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from webinar_app.models.base import tz_column, utcnow


class Conversation(SQLModel, table=True):
    """A thread. `participants_key` (sorted participant ids + related webinar) is unique, so
    "the existing conversation with exactly these participants" is one indexed lookup and two
    racing first messages cannot open two threads."""

    __tablename__ = "conversations"

    id: int | None = Field(default=None, primary_key=True)
    participants_key: str = Field(max_length=2000, unique=True)
    related_webinar_id: int | None = Field(
        default=None, foreign_key="webinars.id", index=True, ondelete="SET NULL"
    )
    created_at: datetime = Field(default_factory=utcnow, sa_column=tz_column())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=tz_column())
    last_message_at: datetime | None = Field(default=None, sa_column=tz_column(nullable=True))


class ConversationParticipant(SQLModel, table=True):
    __tablename__ = "conversation_participants"
    __table_args__ = (
        UniqueConstraint("conversation_id", "user_id", name="uq_conversation_participant"),
    )

    id: int | None = Field(default=None, primary_key=True)
    conversation_id: int = Field(foreign_key="conversations.id", ondelete="CASCADE")
    user_id: int = Field(foreign_key="users.id", index=True, ondelete="CASCADE")
    joined_at: datetime = Field(default_factory=utcnow, sa_column=tz_column())


class Message(SQLModel, table=True):
    __tablename__ = "messages"
    __table_args__ = (Index("ix_messages_conversation", "conversation_id", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    conversation_id: int = Field(foreign_key="conversations.id", ondelete="CASCADE")
    sender_id: int = Field(foreign_key="users.id", index=True, ondelete="CASCADE")
    content: str = Field(max_length=5000)
    created_at: datetime = Field(default_factory=utcnow, sa_column=tz_column())


class MessageRecipient(SQLModel, table=True):
    """Read state of one message for one recipient (a group thread has several).

    `conversation_id` is copied here so unread counts per conversation are one grouped query.
    """

    __tablename__ = "message_recipients"
    __table_args__ = (
        UniqueConstraint("message_id", "user_id", name="uq_message_recipient"),
        Index("ix_message_recipients_unread", "user_id", "is_read", "conversation_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    message_id: int = Field(foreign_key="messages.id", ondelete="CASCADE")
    conversation_id: int = Field(foreign_key="conversations.id", ondelete="CASCADE")
    user_id: int = Field(foreign_key="users.id", ondelete="CASCADE")
    is_read: bool = Field(default=False)
    read_at: datetime | None = Field(default=None, sa_column=tz_column(nullable=True))
