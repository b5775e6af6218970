"""Live-room engagement: questions with upvotes, polls with ballots, raised hands.

"Once each" rules live in unique constraints, not in read-then-write checks: two
concurrent clicks race to the same INSERT and the database lets exactly one win.
Counts (votes per question, per option) are derived with COUNT, never kept in a counter
column, so there is no hot row for 1,000 voters to queue on.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from webinar_app.models.base import tz_column, utcnow


class Question(SQLModel, table=True):
    """An attendee's question. `anonymous` hides the author from other attendees, never from hosts."""

    __tablename__ = "questions"
    __table_args__ = (Index("ix_questions_room", "webinar_id", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    webinar_id: int = Field(foreign_key="webinars.id", ondelete="CASCADE")
    user_id: int = Field(foreign_key="users.id", index=True, ondelete="CASCADE")
    text: str = Field(max_length=500)
    anonymous: bool = Field(default=False)
    pinned: bool = Field(default=False)
    answered_at: datetime | None = Field(default=None, sa_column=tz_column(nullable=True))
    hidden_at: datetime | None = Field(default=None, sa_column=tz_column(nullable=True))
    hidden_by_id: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    created_at: datetime = Field(default_factory=utcnow, sa_column=tz_column())


class QuestionVote(SQLModel, table=True):
    """One upvote: (question, user) is unique, so a double click counts once."""

    __tablename__ = "question_votes"
    __table_args__ = (UniqueConstraint("question_id", "user_id", name="uq_question_vote_user"),)

    id: int | None = Field(default=None, primary_key=True)
    question_id: int = Field(foreign_key="questions.id", ondelete="CASCADE")
    user_id: int = Field(foreign_key="users.id", index=True, ondelete="CASCADE")
    created_at: datetime = Field(default_factory=utcnow, sa_column=tz_column())


class Poll(SQLModel, table=True):
    """A poll prepared by a host: `draft` -> `open` -> `closed` (may be reopened)."""

    __tablename__ = "polls"
    __table_args__ = (Index("ix_polls_room", "webinar_id", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    webinar_id: int = Field(foreign_key="webinars.id", ondelete="CASCADE")
    question: str = Field(max_length=300)
    multiple: bool = Field(default=False)
    # "everyone": attendees see the live bars; "hosts": only hosts do.
    results_visibility: str = Field(default="everyone", max_length=16)
    status: str = Field(default="draft", max_length=16)
    created_by_id: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    created_at: datetime = Field(default_factory=utcnow, sa_column=tz_column())
    opened_at: datetime | None = Field(default=None, sa_column=tz_column(nullable=True))
    closed_at: datetime | None = Field(default=None, sa_column=tz_column(nullable=True))


class PollOption(SQLModel, table=True):
    __tablename__ = "poll_options"
    __table_args__ = (Index("ix_poll_options_poll", "poll_id", "position"),)

    id: int | None = Field(default=None, primary_key=True)
    poll_id: int = Field(foreign_key="polls.id", ondelete="CASCADE")
    text: str = Field(max_length=200)
    position: int = Field(default=0)


class PollBallot(SQLModel, table=True):
    """A user's one ballot in a poll; its choices are `PollVote` rows. Unique per (poll, user)."""

    __tablename__ = "poll_ballots"
    __table_args__ = (UniqueConstraint("poll_id", "user_id", name="uq_poll_ballot_user"),)

    id: int | None = Field(default=None, primary_key=True)
    poll_id: int = Field(foreign_key="polls.id", ondelete="CASCADE")
    user_id: int = Field(foreign_key="users.id", index=True, ondelete="CASCADE")
    created_at: datetime = Field(default_factory=utcnow, sa_column=tz_column())


class PollVote(SQLModel, table=True):
    """One chosen option of a ballot (several for a multiple-choice poll)."""

    __tablename__ = "poll_votes"
    __table_args__ = (
        UniqueConstraint("ballot_id", "option_id", name="uq_poll_vote_option"),
        Index("ix_poll_votes_poll_option", "poll_id", "option_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    ballot_id: int = Field(foreign_key="poll_ballots.id", ondelete="CASCADE")
    poll_id: int = Field(foreign_key="polls.id", ondelete="CASCADE")
    option_id: int = Field(foreign_key="poll_options.id", ondelete="CASCADE")


class RaisedHand(SQLModel, table=True):
    """A hand up in a room, queued by `raised_at`; lowering or clearing deletes the row."""

    __tablename__ = "raised_hands"
    __table_args__ = (UniqueConstraint("webinar_id", "user_id", name="uq_raised_hand_user"),)

    id: int | None = Field(default=None, primary_key=True)
    webinar_id: int = Field(foreign_key="webinars.id", ondelete="CASCADE", index=True)
    user_id: int = Field(foreign_key="users.id", index=True, ondelete="CASCADE")
    raised_at: datetime = Field(default_factory=utcnow, sa_column=tz_column())


class ReactionTally(SQLModel, table=True):
    """Reactions per room and emoji, added up once per flush window (for the analytics)."""

    __tablename__ = "reaction_tallies"

    webinar_id: int = Field(primary_key=True, foreign_key="webinars.id", ondelete="CASCADE")
    emoji: str = Field(primary_key=True, max_length=16)
    count: int = Field(default=0)
