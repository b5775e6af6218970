"""Chat, moderation, live, inbox and announcement rules at the service layer, on the real database."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import update
from sqlmodel import Session, select

from tests.conftest import make_user
from webinar_app.core import db
from webinar_app.models import (
    ChatMessage,
    ChatMute,
    Conversation,
    LiveParticipant,
    Notification,
    Registration,
    User,
    Webinar,
)
from webinar_app.realtime import Event, subscribe
from webinar_app.services import announcements, chat, inbox, live, moderation, registrations, webinars
from webinar_app.services.errors import Invalid, NotFound, PermissionDenied, RateLimited


def make_webinar(session: Session, admin: Any, *, start: datetime | None = None, **fields: Any) -> Webinar:
    start = start or datetime.now(UTC) - timedelta(minutes=5)
    data = {"title": "Svc", "date": start.date().isoformat(), "time": start.strftime("%H:%M:%S"), **fields}
    return webinars.create_webinar(session, admin, data)


@pytest.fixture
def room(session: Session, admin: Any, student: Any) -> Webinar:
    """A webinar live right now with alice registered."""
    w = make_webinar(session, admin)
    registrations.register(session, student, w.id)
    return w


def kinds(session: Session, user_id: int, kind: str) -> list[Notification]:
    return list(
        session.exec(
            select(Notification).where(
                Notification.user_id == user_id, Notification.notification_type == kind
            )
        )
    )


# ------------------------------------------------------------------ chat


def test_send_from_ui_entry_point_publishes_committed_message(session, room, student):
    seen: list[tuple[str, bool]] = []

    def on_event(_topic: str, event: Event) -> None:
        with Session(db.get_engine()) as other:
            seen.append((event.kind, other.get(ChatMessage, event.data["message"]["id"]) is not None))

    unsubscribe = subscribe(f"room:{room.id}", on_event)
    try:
        view = chat.send(session, student, room.id, "  from the UI  ")
    finally:
        unsubscribe()
    assert view.message.message == "from the UI"
    assert seen == [("chat_message", True)]


def test_chat_rules(session, room, student, other_student):
    with pytest.raises(PermissionDenied):
        chat.send(session, other_student, room.id, "not registered")
    with pytest.raises(Invalid) as blank:
        chat.post(session, student, {"event": room.id, "message": ""})
    assert blank.value.errors == {"message": ["This field may not be blank."]}
    with pytest.raises(Invalid) as long:
        chat.post(session, student, {"event": room.id, "message": "x" * 1001})
    assert long.value.errors == {"message": ["Message is too long (max 1000 characters)."]}
    with pytest.raises(NotFound):
        chat.history(session, student, 99999)


def test_chat_closed_outside_live_window_but_history_readable(session, admin, student):
    past = make_webinar(session, admin, start=datetime.now(UTC) - timedelta(days=1))
    past_id = past.id
    session.add(Registration(user_id=student.id, webinar_id=past_id, status="confirmed"))
    session.add(ChatMessage(webinar_id=past_id, user_id=student.id, message="yesterday"))
    session.commit()
    with pytest.raises(PermissionDenied, match="only open while"):
        chat.send(session, student, past_id, "late")
    assert [v.message.message for v in chat.history(session, student, past_id)] == ["yesterday"]


def test_edit_by_muted_author_refused_host_edit_allowed(session, room, admin, student):
    view = chat.send(session, student, room.id, "hello")
    moderation.mute(session, admin, room.id, student.id)
    with pytest.raises(PermissionDenied):
        chat.edit(session, student, view.message.id, {"message": "edited"})
    assert (
        chat.edit(session, admin, view.message.id, {"message": "[moderated]"}).message.message
        == "[moderated]"
    )


def test_visible_history_is_scoped(session, admin, student, other_student):
    mine = make_webinar(session, admin)
    theirs = make_webinar(session, admin)
    registrations.register(session, student, mine.id)
    registrations.register(session, other_student, theirs.id)
    chat.send(session, student, mine.id, "mine")
    chat.send(session, other_student, theirs.id, "theirs")
    assert [v.message.message for v in chat.visible_history(session, student)] == ["mine"]
    assert [v.message.message for v in chat.visible_history(session, admin)] == ["mine", "theirs"]


# ------------------------------------------------------------------ moderation


def test_expired_mute_no_longer_blocks(session, room, admin, student):
    moderation.mute(session, admin, room.id, student.id, minutes=5)
    with pytest.raises(PermissionDenied):
        chat.send(session, student, room.id, "muted")
    session.exec(update(ChatMute).values(until=datetime.now(UTC) - timedelta(seconds=1)))
    session.commit()
    assert chat.send(session, student, room.id, "free again").message.id


def test_mute_validation_and_permissions(session, room, admin, student, other_student):
    with pytest.raises(PermissionDenied):
        moderation.mute(session, other_student, room.id, student.id)
    with pytest.raises(Invalid):
        moderation.mute(session, admin, room.id, student.id, minutes="soon")
    with pytest.raises(Invalid):
        moderation.mute(session, admin, room.id, 99999)
    with pytest.raises(NotFound):
        moderation.mute(session, admin, 99999, student.id)
    # Muting twice replaces the term (one row).
    moderation.mute(session, admin, room.id, student.id, minutes=5)
    moderation.mute(session, admin, room.id, student.id)
    rows = list(session.exec(select(ChatMute)))
    assert len(rows) == 1 and rows[0].until is None


def test_slow_mode_window_passes(session, room, admin, student):
    moderation.set_slow_mode(session, admin, room.id, 10)
    first = chat.send(session, student, room.id, "one")
    with pytest.raises(RateLimited) as refused:
        chat.send(session, student, room.id, "two")
    assert 1 <= refused.value.extra["retry_after"] <= 10
    # Deleting your last message is no way around slow mode.
    chat.delete(session, student, first.message.id)
    with pytest.raises(RateLimited):
        chat.send(session, student, room.id, "two")
    session.exec(update(ChatMessage).values(created_at=datetime.now(UTC) - timedelta(seconds=11)))
    session.commit()
    assert chat.send(session, student, room.id, "two").message.message == "two"


def test_moderation_events_are_published(session, room, admin, student):
    events: list[Event] = []
    unsubscribe = subscribe(f"room:{room.id}", lambda _t, e: events.append(e))
    try:
        moderation.mute(session, admin, room.id, student.id, minutes=1)
        moderation.unmute(session, admin, room.id, student.id)
        moderation.ban(session, admin, room.id, student.id)
        moderation.unban(session, admin, room.id, student.id)
        moderation.set_slow_mode(session, admin, room.id, 3)
    finally:
        unsubscribe()
    assert [e.kind for e in events] == [
        "chat_muted",
        "chat_unmuted",
        "chat_banned",
        "chat_unbanned",
        "chat_slow_mode",
    ]
    assert events[0].data["user_id"] == student.id and events[-1].data == {"seconds": 3}


# ------------------------------------------------------------------ live


def test_start_notifies_registrants_not_waitlist_nor_host(session, admin, student, other_student):
    w = make_webinar(session, admin, capacity=1)
    registrations.register(session, student, w.id)
    registrations.register(session, other_student, w.id)  # waitlisted
    live.start(session, admin, w.id)
    assert len(kinds(session, student.id, "live_started")) == 1
    assert kinds(session, other_student.id, "live_started") == []
    assert kinds(session, admin.id, "live_started") == []
    live.start(session, admin, w.id)  # already active: same room, no second notification
    assert len(kinds(session, student.id, "live_started")) == 1


def test_end_closes_presence_and_notifies_participants_only(session, room, admin, student, other_student):
    registrations.register(session, other_student, room.id)
    live.start(session, admin, room.id)
    live.join(session, student, room.id)
    ended = live.end(session, admin, room.id)
    assert ended.is_active is False and ended.ended_at is not None
    assert len(kinds(session, student.id, "live_ended")) == 1
    assert kinds(session, other_student.id, "live_ended") == []  # registered, never joined
    session.expire_all()
    assert all(p.left_at is not None for p in session.exec(select(LiveParticipant)))
    with pytest.raises(PermissionDenied):
        live.end(session, admin, room.id)


def test_rejoin_reopens_presence_keeps_first_join(session, room, admin, student):
    live.start(session, admin, room.id)
    live.join(session, student, room.id)
    session.expire_all()
    first_join = session.exec(select(Registration.joined_at).where(Registration.user_id == student.id)).one()
    assert live.leave(session, student, room.id) == 0
    assert live.join(session, student, room.id).participant_count == 1
    session.expire_all()
    reg = session.exec(select(Registration).where(Registration.user_id == student.id)).one()
    assert reg.joined_at == first_join and reg.left_at is None
    assert len(list(session.exec(select(LiveParticipant)))) == 1


def test_cancelled_webinar_cannot_go_live(session, admin):
    w = make_webinar(session, admin)
    webinars.cancel_webinar(session, admin, w.id)
    with pytest.raises(Exception, match="cancelled"):
        live.start(session, admin, w.id)


def test_racing_starts_make_one_session_and_notify_once(session, admin, student, database_url):
    w = make_webinar(session, admin, start=datetime.now(UTC) + timedelta(days=1))
    registrations.register(session, student, w.id)
    webinar_id, admin_id = w.id, admin.id
    barrier = threading.Barrier(4)
    rooms: list[str] = []
    errors: list[BaseException] = []

    def worker() -> None:
        with Session(db.get_engine(), expire_on_commit=False) as own:
            actor = own.get(User, admin_id)
            assert actor is not None
            barrier.wait()
            try:
                rooms.append(live.start(own, actor, webinar_id).room_name)
            except BaseException as exc:  # surfaced below
                errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and len(set(rooms)) == 1
    session.expire_all()
    assert len(kinds(session, student.id, "live_started")) == 1


def test_analytics_average_duration(session, room, admin, student):
    live.start(session, admin, room.id)
    live.join(session, student, room.id)
    ended = live.end(session, admin, room.id)
    from webinar_app.models import LiveSession

    session.exec(
        update(LiveSession).values(started_at=ended.ended_at - timedelta(minutes=30))  # type: ignore[operator]
    )
    session.commit()
    figures = live.analytics(session, admin)
    assert figures["average_session_duration_minutes"] == 30.0
    assert figures["completed_sessions"] == 1 and figures["total_participants"] == 1
    with pytest.raises(PermissionDenied):
        live.analytics(session, student)


# ------------------------------------------------------------------ inbox


def test_racing_first_messages_share_one_conversation(session, student, other_student):
    ids = (student.id, other_student.id)
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def worker(sender_id: int, to: int) -> None:
        with Session(db.get_engine(), expire_on_commit=False) as own:
            sender = own.get(User, sender_id)
            assert sender is not None
            barrier.wait()
            try:
                inbox.send(own, sender, {"participant_ids": [to], "content": "hi"})
            except BaseException as exc:
                errors.append(exc)

    threads = [
        threading.Thread(target=worker, args=(ids[0], ids[1])),
        threading.Thread(target=worker, args=(ids[1], ids[0])),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert len(list(session.exec(select(Conversation)))) == 1


def test_group_read_state_is_per_recipient(session, student, other_student):
    carol = make_user(session, "carol")
    sent = inbox.send(session, student, {"participant_ids": [other_student.id, carol.id], "content": "all"})
    conv = sent.message.conversation_id
    assert inbox.mark_read(session, other_student, conv) == 1
    assert inbox.messages(session, carol, conv).messages[0].is_read is False
    assert inbox.messages(session, other_student, conv).messages[0].is_read is True
    assert inbox.messages(session, student, conv).messages[0].is_read is False  # carol has not read it
    inbox.mark_read(session, carol, conv)
    assert inbox.messages(session, student, conv).messages[0].is_read is True


def test_sender_in_participant_ids_is_ignored(session, student, other_student):
    a = inbox.send(session, student, {"participant_ids": [student.id, other_student.id], "content": "x"})
    b = inbox.send(session, student, {"participant_ids": [other_student.id], "content": "y"})
    assert a.message.conversation_id == b.message.conversation_id
    with pytest.raises(Invalid):
        inbox.send(session, student, {"participant_ids": [student.id], "content": "me"})


def test_messages_page_clamped(session, student, other_student):
    for i in range(3):
        inbox.send(session, student, {"participant_ids": [other_student.id], "content": str(i)})
    conv = session.exec(select(Conversation.id)).one()
    result = inbox.messages(session, student, conv, page=0, page_size=1000)
    assert result.page == 1 and result.page_size == inbox.MAX_PAGE_SIZE and result.total == 3


# ------------------------------------------------------------------ announcements


def test_announcement_admin_only_and_notifies_others(session, admin, student, other_student):
    with pytest.raises(PermissionDenied):
        announcements.create(session, student, {"title": "t", "content": "c"})
    made = announcements.create(session, admin, {"title": "t", "content": "c"})
    notes = list(session.exec(select(Notification).where(Notification.announcement_id == made.id)))
    assert sorted(n.user_id for n in notes) == sorted([student.id, other_student.id])
    assert all(n.notification_type == "announcement" and not n.is_read for n in notes)
