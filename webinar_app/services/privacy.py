"""Personal data: a user's copy of everything we hold about them, and account deletion.

Deletion anonymises instead of removing rows that aggregates depend on (registrations,
attendance, replay views, chat counts): the person disappears, the numbers stay right.
What only matters to the person (notifications, preferences, tokens, feed secret,
pending codes, a raised hand) is deleted; what they wrote (chat, inbox, questions) is blanked;
upvotes and poll ballots stay, anonymous with the account, so results do not change.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import delete, update
from sqlmodel import Session, SQLModel, col, select

from webinar_app.core.security import utcnow, verify_password
from webinar_app.models import (
    CalendarFeed,
    ChatMessage,
    EmailLog,
    EmailPreference,
    EmailVerification,
    LiveParticipant,
    Message,
    MessageRecipient,
    Notification,
    PasswordResetToken,
    Poll,
    PollBallot,
    PollOption,
    PollVote,
    Question,
    QuestionVote,
    RaisedHand,
    RecordingView,
    RefreshToken,
    Registration,
    User,
)
from webinar_app.services.accounts import count_admins
from webinar_app.services.errors import Invalid, PermissionDenied
from webinar_app.services.media import delete_media

# Columns never exported: secrets, or hashes of them.
_SECRET_FIELDS = {"password_hash", "otp_hash", "token_hash", "jti", "family", "secret"}

# (section name, table, the column pointing at the user)
_SECTIONS: list[tuple[str, type[SQLModel], str]] = [
    ("registrations", Registration, "user_id"),
    ("live_participations", LiveParticipant, "user_id"),
    ("chat_messages", ChatMessage, "user_id"),
    ("questions", Question, "user_id"),
    ("question_upvotes", QuestionVote, "user_id"),
    ("inbox_messages_sent", Message, "sender_id"),
    ("inbox_messages_received", MessageRecipient, "user_id"),
    ("notifications", Notification, "user_id"),
    ("recording_views", RecordingView, "user_id"),
    ("email_preferences", EmailPreference, "user_id"),
    ("emails_sent_to_you", EmailLog, "user_id"),
]

DELETED_TEXT = "[deleted]"


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _row(item: SQLModel) -> dict[str, Any]:
    return {k: _plain(v) for k, v in item.model_dump().items() if k not in _SECRET_FIELDS}


def export_user_data(session: Session, user: User) -> dict[str, Any]:
    """Everything stored about `user` (their own request: the caller is the user)."""
    data: dict[str, Any] = {"exported_at": utcnow().isoformat(), "account": _row(user)}
    for name, table, column in _SECTIONS:
        rows = session.exec(select(table).where(getattr(table, column) == user.id))
        data[name] = [_row(r) for r in rows]
    data["poll_ballots"] = _ballots(session, user)
    feed = session.exec(select(CalendarFeed).where(CalendarFeed.user_id == user.id)).first()
    data["calendar_feed"] = {"exists": feed is not None}
    return data


def _ballots(session: Session, user: User) -> list[dict[str, Any]]:
    """Each poll the user voted in, with the texts they chose (ids alone would mean nothing)."""
    rows = session.exec(
        select(PollBallot, Poll, PollOption)
        .join(Poll, col(Poll.id) == col(PollBallot.poll_id))
        .join(PollVote, col(PollVote.ballot_id) == col(PollBallot.id))
        .join(PollOption, col(PollOption.id) == col(PollVote.option_id))
        .where(PollBallot.user_id == user.id)
        .order_by(col(PollBallot.id), col(PollOption.position))
    ).all()
    out: dict[int, dict[str, Any]] = {}
    for ballot, poll, option in rows:
        item = out.setdefault(
            ballot.id,  # type: ignore[arg-type]
            {
                "poll_id": poll.id,
                "webinar_id": poll.webinar_id,
                "question": poll.question,
                "choices": [],
                "created_at": _plain(ballot.created_at),
            },
        )
        item["choices"].append(option.text)
    return list(out.values())


def delete_account(session: Session, user: User, *, password: str) -> None:
    """Anonymise the account after re-checking the password; the last admin cannot leave."""
    if not verify_password(password, user.password_hash):
        raise Invalid.field("password", "Wrong password.")
    if user.is_superuser:
        raise PermissionDenied("A superuser account cannot be deleted here.")
    if user.is_admin and count_admins(session) <= 1:
        raise PermissionDenied("Cannot delete the last admin")
    assert user.id is not None
    uid = user.id
    picture = user.profile_picture
    for table in (
        Notification,
        EmailPreference,
        RefreshToken,
        EmailVerification,
        PasswordResetToken,
        CalendarFeed,
        RaisedHand,
    ):
        session.exec(delete(table).where(col(table.user_id) == uid))  # type: ignore[attr-defined,call-overload]
    now = utcnow()
    session.exec(  # type: ignore[call-overload]
        update(ChatMessage)
        .where(col(ChatMessage.user_id) == uid)
        .values(message=DELETED_TEXT, deleted_at=now)
    )
    # Questions stay (the room's Q&A figures and others' upvotes count them), their text goes.
    session.exec(update(Question).where(col(Question.user_id) == uid).values(text=DELETED_TEXT))  # type: ignore[call-overload]
    session.exec(update(Message).where(col(Message.sender_id) == uid).values(content=DELETED_TEXT))  # type: ignore[call-overload]
    session.exec(  # type: ignore[call-overload]
        update(EmailLog)
        .where(col(EmailLog.user_id) == uid)
        .values(to_address=f"deleted-{uid}@invalid", body_text="", body_html=None, attachments=[])
    )
    user.username = user.username_key = f"deleted-{uid}"
    user.email = user.email_key = f"deleted-{uid}@invalid"
    user.first_name = user.last_name = ""
    user.password_hash = ""
    user.profile_picture = None
    user.is_active = False
    user.updated_at = now
    session.add(user)
    session.commit()
    delete_media(picture)
