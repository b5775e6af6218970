"""Audit log: admin actions leave an entry in the same transaction; the filtered listing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlmodel import Session, select

from tests.conftest import make_user
from webinar_app.models import AuditLog
from webinar_app.services import accounts, announcements, audit, moderation, registrations, webinars
from webinar_app.services.errors import Invalid, PermissionDenied


def make_webinar(session: Session, admin: Any, **fields: Any) -> Any:
    start = datetime.now(UTC) - timedelta(minutes=5)
    data = {
        "title": "Audited",
        "date": start.date().isoformat(),
        "time": start.strftime("%H:%M:%S"),
        **fields,
    }
    return webinars.create_webinar(session, admin, data)


def entries(session: Session, action: str | None = None) -> list[AuditLog]:
    session.expire_all()
    query = select(AuditLog).order_by(AuditLog.id)  # type: ignore[arg-type]
    if action:
        query = query.where(AuditLog.action == action)
    return list(session.exec(query))


def test_role_change_records_who_before_and_after(session, admin, student):
    accounts.update_role(session, admin, student.id, "admin")
    [entry] = entries(session, "user.role")
    assert (entry.actor_id, entry.actor_name) == (admin.id, "root")
    assert (entry.target_type, entry.target_id) == ("user", student.id)
    assert entry.before == {"role": "student"} and entry.after == {"role": "admin"}
    assert entry.created_at is not None


def test_refused_action_records_nothing(session, admin, student):
    with pytest.raises(PermissionDenied):
        accounts.set_active(session, admin, admin.id, False)
    with pytest.raises(PermissionDenied):
        accounts.update_role(session, student, admin.id, "student")
    assert entries(session) == []


def test_user_lifecycle_is_audited(session, admin):
    created = accounts.create_user(
        session, admin, username="carol", email="carol@example.com", password="correct-horse-1"
    )
    accounts.set_active(session, admin, created.id, False)
    accounts.set_active(session, admin, created.id, True)
    accounts.delete_user(session, admin, created.id)
    assert [e.action for e in entries(session)] == [
        "user.create",
        "user.deactivate",
        "user.activate",
        "user.delete",
    ]
    assert entries(session, "user.delete")[0].before["username"] == "carol"


def test_cli_creation_is_not_an_admin_action(session):
    make_user(session, "dave")
    assert entries(session) == []


def test_webinar_actions_are_audited(session, admin, student):
    w = make_webinar(session, admin)
    webinars.update_webinar(session, admin, w.id, {"title": "Renamed"})
    reg = registrations.register(session, student, w.id)
    registrations.set_attended(session, admin, reg.registration.id, True)
    moderation.mute(session, admin, w.id, student.id, minutes=5)
    moderation.unmute(session, admin, w.id, student.id)
    moderation.ban(session, admin, w.id, student.id)
    moderation.unban(session, admin, w.id, student.id)
    registrations.unregister(session, admin, reg.registration.id)
    webinars.mark_completed(session, admin, w.id)
    webinars.cancel_webinar(session, admin, w.id)
    webinars.delete_webinar(session, admin, w.id)
    assert [e.action for e in entries(session)] == [
        "webinar.create",
        "webinar.update",
        "registration.attended",
        "chat.mute",
        "chat.unmute",
        "chat.ban",
        "chat.unban",
        "registration.remove",
        "webinar.mark_completed",
        "webinar.cancel",
        "webinar.delete",
    ]
    update = entries(session, "webinar.update")[0]
    assert update.before == {"title": "Audited"} and update.after == {"title": "Renamed"}
    assert entries(session, "webinar.create")[0].target_id == w.id


def test_student_unregistering_themselves_is_not_audited(session, admin, student):
    w = make_webinar(session, admin)
    reg = registrations.register(session, student, w.id)
    registrations.unregister(session, student, reg.registration.id)
    assert [e.action for e in entries(session)] == ["webinar.create"]


def test_announcements_are_audited(session, admin):
    a = announcements.create(session, admin, {"title": "Hello", "content": "World"})
    announcements.update(session, admin, a.id, {"title": "Hi"})
    announcements.delete(session, admin, a.id)
    assert [e.action for e in entries(session)] == [
        "announcement.create",
        "announcement.update",
        "announcement.delete",
    ]


def test_listing_filters_by_actor_action_and_date(session, admin, student):
    other = make_user(session, "second", role="admin")
    accounts.update_role(session, admin, student.id, "admin")
    accounts.update_role(session, other, student.id, "student")
    old = audit.record(session, admin, "user.role", "user", student.id)
    old.created_at = datetime.now(UTC) - timedelta(days=10)
    session.commit()

    assert audit.list_entries(session, admin).total == 3
    assert [e.actor_name for e in audit.list_entries(session, admin, actor_search="SEC").entries] == [
        "second"
    ]
    today = datetime.now(UTC).date()
    assert audit.list_entries(session, admin, since=today).total == 2
    assert audit.list_entries(session, admin, until=today - timedelta(days=5)).total == 1
    assert audit.list_entries(session, admin, action="user.create").total == 0
    page = audit.list_entries(session, admin, page=2, page_size=2)
    assert (page.page, page.pages, len(page.entries)) == (2, 2, 1)
    assert audit.actions(session, admin) == ["user.role"]
    with pytest.raises(PermissionDenied):
        audit.list_entries(session, student)


def test_admin_promotes_into_a_free_seat_but_never_past_capacity(session, admin, student, other_student):
    w = make_webinar(session, admin, capacity=1)
    registrations.register(session, student, w.id)
    waiting = registrations.register(session, other_student, w.id).registration
    assert waiting.status == "waitlisted"
    with pytest.raises(Invalid):
        registrations.promote(session, admin, waiting.id)  # full: capacity is never exceeded
    session.expire_all()
    assert webinars.get_webinar(session, admin, w.id).webinar.confirmed_count == 1
    # make room without the automatic queue (a seat freed, then the capacity lowered back)
    webinars.update_webinar(session, admin, w.id, {"capacity": "3"})
    session.expire_all()
    third = make_user(session, "carol")
    queued = registrations.register(session, third, w.id)
    assert queued.status == "confirmed"
    assert entries(session, "registration.promote") == []
    with pytest.raises(PermissionDenied):
        registrations.promote(session, student, waiting.id)
