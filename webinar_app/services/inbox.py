"""Inbox: private messages between active users, grouped into conversations.

A message goes into the existing conversation with exactly the same participants and related
webinar, or starts one. That conversation is found through its unique `participants_key`, so
two racing first messages cannot open two threads (the loser retries and joins the winner's).
Read state is kept per recipient; lists are built with a fixed number of queries.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from webinar_app.core.security import utcnow
from webinar_app.models import (
    Conversation,
    ConversationParticipant,
    Message,
    MessageRecipient,
    NotificationType,
    User,
    Webinar,
)
from webinar_app.realtime import publish
from webinar_app.services import notifications
from webinar_app.services.errors import NotFound, PermissionDenied
from webinar_app.services.timefmt import iso_z
from webinar_app.services.validation import ErrorCollector

CONTENT_MAX = 5000
PREVIEW_MAX = 100
MAX_PARTICIPANTS = 50
DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 100
NOT_PARTICIPANT = "You are not a participant in this conversation"
INVALID_IDS = "One or more participant IDs are invalid."


@dataclass(frozen=True)
class MessageView:
    message: Message
    sender: User
    is_read: bool

    def as_dict(self) -> dict[str, Any]:
        m, s = self.message, self.sender
        return {
            "id": m.id,
            "conversation": m.conversation_id,
            "sender": m.sender_id,
            "sender_username": s.username,
            "sender_first_name": s.first_name,
            "sender_last_name": s.last_name,
            "content": m.content,
            "is_read": self.is_read,
            "created_at": iso_z(m.created_at),
        }


@dataclass(frozen=True)
class ConversationView:
    conversation: Conversation
    participants: list[User]
    last_message: Message | None
    last_sender: User | None
    unread_count: int
    webinar_title: str | None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class MessagePage:
    messages: list[MessageView]
    total: int
    page: int
    page_size: int

    @property
    def has_more(self) -> bool:
        return self.page * self.page_size < self.total


def _ids(raw: Any) -> list[int] | None:
    """Ids from a JSON list, repeated form fields, or a comma-separated string."""
    if isinstance(raw, (int, str)) and not isinstance(raw, bool):
        raw = [part for part in str(raw).split(",") if part.strip()]
    if not isinstance(raw, list):
        return None
    out: list[int] = []
    for item in raw:
        if isinstance(item, bool):
            return None
        try:
            out.append(int(str(item).strip()))
        except ValueError:
            return None
    return out


def _clean_send(
    session: Session, sender: User, data: dict[str, Any]
) -> tuple[list[User], str, Webinar | None]:
    errors = ErrorCollector()
    recipients: list[User] = []
    if "participant_ids" not in data or data["participant_ids"] is None:
        errors.add("participant_ids", "This field is required.")
    else:
        ids = _ids(data["participant_ids"])
        if ids is None:
            errors.add("participant_ids", INVALID_IDS)
        elif not ids:
            errors.add("participant_ids", "This list may not be empty.")
        else:
            wanted = set(ids) - {sender.id}
            found = list(
                session.exec(select(User).where(col(User.id).in_(wanted), col(User.is_active)))
            ) if wanted else []
            if len(found) != len(wanted):
                errors.add("participant_ids", INVALID_IDS)
            elif not wanted:
                errors.add("participant_ids", "You cannot start a conversation with only yourself.")
            elif len(wanted) + 1 > MAX_PARTICIPANTS:
                errors.add("participant_ids", f"A conversation has at most {MAX_PARTICIPANTS} participants.")
            recipients = sorted(found, key=lambda u: u.id or 0)
    raw = data.get("content")
    content = "" if raw is None else str(raw).strip()
    if raw is None:
        errors.add("content", "This field is required.")
    elif not content:
        errors.add("content", "This field may not be blank.")
    elif len(content) > CONTENT_MAX:
        errors.add("content", f"Ensure this field has no more than {CONTENT_MAX} characters.")
    webinar: Webinar | None = None
    raw_webinar = data.get("related_webinar_id", data.get("related_webinar"))
    if raw_webinar is not None and str(raw_webinar).strip() != "":
        try:
            if isinstance(raw_webinar, bool):
                raise ValueError
            webinar = session.get(Webinar, int(str(raw_webinar).strip()))
        except ValueError:
            webinar = None
        if webinar is None:
            errors.add("related_webinar_id", f'Invalid pk "{raw_webinar}" - object does not exist.')
    errors.raise_if_any()
    return recipients, content, webinar


def _key(user_ids: list[int], webinar_id: int | None) -> str:
    members = ",".join(str(i) for i in sorted(set(user_ids)))
    return f"{members}|{'' if webinar_id is None else webinar_id}"


def _conversation(session: Session, key: str, member_ids: list[int], webinar_id: int | None) -> Conversation:
    """The conversation with this key, created (with its participants) inside the transaction."""
    conversation = session.exec(select(Conversation).where(Conversation.participants_key == key)).first()
    if conversation is not None:
        return conversation
    conversation = Conversation(participants_key=key, related_webinar_id=webinar_id)
    session.add(conversation)
    session.flush()
    session.add_all(
        ConversationParticipant(conversation_id=conversation.id, user_id=uid)  # type: ignore[arg-type]
        for uid in member_ids
    )
    return conversation


def send(session: Session, sender: User, data: dict[str, Any]) -> MessageView:
    """Store the message, its per-recipient read rows and the `new_message` notifications in one
    commit; then push the notifications and publish `inbox_message` to every recipient."""
    recipients, content, webinar = _clean_send(session, sender, data)
    assert sender.id is not None
    recipient_ids = [u.id for u in recipients if u.id is not None]
    webinar_id = webinar.id if webinar else None
    key = _key([sender.id, *recipient_ids], webinar_id)
    for attempt in (1, 2):
        try:
            conversation = _conversation(session, key, [sender.id, *recipient_ids], webinar_id)
            now = utcnow()
            message = Message(
                conversation_id=conversation.id, sender_id=sender.id, content=content, created_at=now  # type: ignore[arg-type]
            )
            session.add(message)
            session.flush()
            session.add_all(
                MessageRecipient(
                    message_id=message.id,  # type: ignore[arg-type]
                    conversation_id=conversation.id,  # type: ignore[arg-type]
                    user_id=uid,
                )
                for uid in recipient_ids
            )
            conversation.last_message_at = conversation.updated_at = now
            session.add(conversation)
            staged = notifications.stage(
                session,
                recipient_ids,
                NotificationType.new_message.value,
                "New Message",
                f"{sender.username} sent you a message",
                webinar_id=webinar_id,
            )
            session.commit()
            break
        except IntegrityError:  # the same conversation was opened concurrently: join it
            session.rollback()
            if attempt == 2:
                raise
    notifications.push(staged)
    view = MessageView(message, sender, False)
    payload = view.as_dict()
    for uid in recipient_ids:
        publish(
            notifications.user_topic(uid), "inbox_message", conversation_id=conversation.id, message=payload
        )
    return view


def _member_conversation(session: Session, user: User, conversation_id: int) -> Conversation:
    conversation = session.get(Conversation, conversation_id)
    if conversation is None:
        raise NotFound("Conversation not found")
    member = session.exec(
        select(ConversationParticipant.id).where(
            ConversationParticipant.conversation_id == conversation_id,
            ConversationParticipant.user_id == user.id,
        )
    ).first()
    if member is None:
        raise PermissionDenied(NOT_PARTICIPANT)
    return conversation


def conversations(session: Session, user: User) -> list[ConversationView]:
    """The caller's conversations, most recent activity first, in five queries whatever the count."""
    mine = select(ConversationParticipant.conversation_id).where(ConversationParticipant.user_id == user.id)
    items = list(
        session.exec(
            select(Conversation)
            .where(col(Conversation.id).in_(mine))
            .order_by(
                func.coalesce(col(Conversation.last_message_at), col(Conversation.created_at)).desc(),
                col(Conversation.id).desc(),
            )
        )
    )
    if not items:
        return []
    ids = [c.id for c in items]
    members: dict[int, list[User]] = {}
    for cid, member in session.exec(
        select(ConversationParticipant.conversation_id, User)
        .join(User, col(User.id) == col(ConversationParticipant.user_id))
        .where(col(ConversationParticipant.conversation_id).in_(ids))
        .order_by(col(User.id))
    ):
        members.setdefault(cid, []).append(member)
    latest_ids = (
        select(func.max(Message.id))
        .where(col(Message.conversation_id).in_(ids))
        .group_by(col(Message.conversation_id))
    )
    latest: dict[int, tuple[Message, User]] = {
        m.conversation_id: (m, s)
        for m, s in session.exec(
            select(Message, User)
            .join(User, col(User.id) == col(Message.sender_id))
            .where(col(Message.id).in_(latest_ids))
        )
    }
    unread: dict[int, int] = {
        cid: count
        for cid, count in session.exec(
            select(MessageRecipient.conversation_id, func.count())
            .where(
                MessageRecipient.user_id == user.id,
                col(MessageRecipient.is_read).is_(False),
                col(MessageRecipient.conversation_id).in_(ids),
            )
            .group_by(col(MessageRecipient.conversation_id))
        )
    }
    webinar_ids = {c.related_webinar_id for c in items if c.related_webinar_id is not None}
    titles: dict[int, str] = {}
    if webinar_ids:
        titles = {
            wid: title
            for wid, title in session.exec(
                select(Webinar.id, Webinar.title).where(col(Webinar.id).in_(webinar_ids))
            )
            if wid is not None
        }
    out = []
    for c in items:
        last = latest.get(c.id)  # type: ignore[arg-type]
        out.append(
            ConversationView(
                c,
                members.get(c.id, []),  # type: ignore[arg-type]
                last[0] if last else None,
                last[1] if last else None,
                unread.get(c.id, 0),  # type: ignore[arg-type]
                titles.get(c.related_webinar_id) if c.related_webinar_id else None,
            )
        )
    return out


def preview(view: ConversationView) -> dict[str, Any] | None:
    if view.last_message is None or view.last_sender is None:
        return None
    return {
        "content": view.last_message.content[:PREVIEW_MAX],
        "sender_username": view.last_sender.username,
        "created_at": iso_z(view.last_message.created_at),
    }


def messages(
    session: Session, user: User, conversation_id: int, *, page: int = 1, page_size: int = DEFAULT_PAGE_SIZE
) -> MessagePage:
    """One page of a thread, oldest first; `is_read` as the caller sees it (own messages: read by
    every recipient)."""
    _member_conversation(session, user, conversation_id)
    page = max(page, 1)
    page_size = min(max(page_size, 1), MAX_PAGE_SIZE)
    total = session.exec(
        select(func.count()).select_from(Message).where(Message.conversation_id == conversation_id)
    ).one()
    rows = list(
        session.exec(
            select(Message, User)
            .join(User, col(User.id) == col(Message.sender_id))
            .where(Message.conversation_id == conversation_id)
            .order_by(col(Message.id))
            .offset((page - 1) * page_size)
            .limit(page_size)
        )
    )
    ids = [m.id for m, _ in rows]
    mine: dict[int, bool] = {}
    unread_by_others: set[int] = set()
    if ids:
        for mid, uid, is_read in session.exec(
            select(MessageRecipient.message_id, MessageRecipient.user_id, MessageRecipient.is_read).where(
                col(MessageRecipient.message_id).in_(ids)
            )
        ):
            if uid == user.id:
                mine[mid] = is_read
            elif not is_read:
                unread_by_others.add(mid)
    views = [
        MessageView(
            m,
            s,
            (m.id not in unread_by_others) if m.sender_id == user.id else mine.get(m.id, True),  # type: ignore[arg-type]
        )
        for m, s in rows
    ]
    return MessagePage(views, total, page, page_size)


def mark_read(session: Session, user: User, conversation_id: int) -> int:
    """Mark every message addressed to the caller in the thread read; returns how many changed."""
    _member_conversation(session, user, conversation_id)
    changed = session.exec(  # type: ignore[call-overload]
        update(MessageRecipient)
        .where(
            col(MessageRecipient.conversation_id) == conversation_id,
            col(MessageRecipient.user_id) == user.id,
            col(MessageRecipient.is_read).is_(False),
        )
        .values(is_read=True, read_at=utcnow())
    ).rowcount
    session.commit()
    if changed:
        members = session.exec(
            select(ConversationParticipant.user_id).where(
                ConversationParticipant.conversation_id == conversation_id
            )
        )
        for uid in members:
            publish(
                notifications.user_topic(uid), "inbox_read",
                conversation_id=conversation_id, reader=user.id, count=changed,
            )
    return int(changed or 0)


def unread_total(session: Session, user: User) -> int:
    """Unread inbox messages across every conversation (the inbox badge)."""
    return session.exec(
        select(func.count())
        .select_from(MessageRecipient)
        .where(MessageRecipient.user_id == user.id, col(MessageRecipient.is_read).is_(False))
    ).one()


def reply(session: Session, user: User, conversation_id: int, content: Any) -> MessageView:
    """Answer inside a thread: the same participants and webinar, so `send` finds the same
    conversation by its key (the UI never re-sends a participant list a client could edit)."""
    conversation = _member_conversation(session, user, conversation_id)
    members = list(
        session.exec(
            select(ConversationParticipant.user_id).where(
                ConversationParticipant.conversation_id == conversation_id
            )
        )
    )
    return send(
        session,
        user,
        {
            "participant_ids": [uid for uid in members if uid != user.id],
            "content": content,
            "related_webinar_id": conversation.related_webinar_id,
        },
    )


RECIPIENT_SEARCH_MIN = 2
RECIPIENT_SEARCH_LIMIT = 8


def recipient_candidates(
    session: Session, user: User, query: str, *, limit: int = RECIPIENT_SEARCH_LIMIT
) -> list[User]:
    """Active users to write to, by username or name prefix (not the caller). Only what a
    message header shows anyway is exposed to the picker: username and name, never emails."""
    term = (query or "").strip().lower()
    if len(term) < RECIPIENT_SEARCH_MIN:
        return []
    like = term.replace("\\", "").replace("%", "").replace("_", r"\_") + "%"
    return list(
        session.exec(
            select(User)
            .where(
                col(User.is_active),
                col(User.id) != user.id,
                col(User.username_key).like(like, escape="\\")
                | func.lower(User.first_name).like(like, escape="\\")
                | func.lower(User.last_name).like(like, escape="\\"),
            )
            .order_by(col(User.username_key))
            .limit(limit)
        )
    )
