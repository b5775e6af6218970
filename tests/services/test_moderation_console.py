"""The admins' moderation view: live rooms only, undo of deletes, mutes and bans."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session

from tests.conftest import make_user
from webinar_app.core.security import utcnow
from webinar_app.models import AuditLog, Webinar
from webinar_app.realtime import subscribe
from webinar_app.services import chat, moderation, moderation_console, registrations
from webinar_app.services.errors import Invalid, PermissionDenied


def _webinar(session: Session, organizer, *, hours_from_now: float) -> Webinar:
    start = utcnow() + timedelta(hours=hours_from_now)
    w = Webinar(
        title=f"W{hours_from_now}",
        start_at=start,
        end_at=start + timedelta(hours=2),
        organizer_id=organizer.id,
    )
    session.add(w)
    session.commit()
    return w


def test_overview_lists_live_rooms_messages_and_restrictions(session: Session, admin, student) -> None:
    live = _webinar(session, admin, hours_from_now=-0.5)
    later = _webinar(session, admin, hours_from_now=48)
    registrations.register(session, student, live.id)
    kept = chat.send(session, student, live.id, "hello")
    gone = chat.send(session, student, live.id, "spam")
    chat.delete(session, admin, gone.message.id)
    moderation.mute(session, admin, live.id, student.id, 10)

    view = moderation_console.overview(session, admin)
    assert [wid for wid, _ in view.rooms] == [live.id]  # the future webinar is not live
    assert [(m.text, m.deleted) for m in view.messages] == [("spam", True), ("hello", False)]
    assert [(r.kind, r.username) for r in view.restrictions] == [("mute", "alice")]
    assert later.id not in {m.webinar_id for m in view.messages}
    assert kept.message.id in {m.id for m in view.messages}


def test_restore_brings_a_deleted_message_back_live_and_is_audited(session: Session, admin, student) -> None:
    live = _webinar(session, admin, hours_from_now=-0.5)
    registrations.register(session, student, live.id)
    gone = chat.send(session, student, live.id, "oops")
    chat.delete(session, admin, gone.message.id)
    seen: list[str] = []
    stop = subscribe(chat.room_topic(live.id), lambda topic, event: seen.append(event.kind))
    try:
        moderation_console.restore_message(session, admin, gone.message.id)
    finally:
        stop()
    assert seen == ["chat_message"]
    assert [v.message.message for v in chat.history(session, admin, live.id)] == ["oops"]
    assert session.query(AuditLog).filter(AuditLog.action == "chat.restore").count() == 1
    with pytest.raises(Invalid):
        moderation_console.restore_message(session, admin, gone.message.id)  # not deleted any more


def test_students_are_refused(session: Session, student) -> None:
    make_user(session, "host", role="admin")
    with pytest.raises(PermissionDenied):
        moderation_console.overview(session, student)
