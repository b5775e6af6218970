"""Registration and webinar rules at the service layer, on the real database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlmodel import Session, select

from tests.conftest import make_user
from webinar_app.models import Notification, Registration, Webinar
from webinar_app.services import registrations, webinars
from webinar_app.services.errors import Invalid, NotFound, PermissionDenied


def make_webinar(session: Session, admin: Any, *, start: datetime | None = None, **fields: Any) -> Webinar:
    start = start or datetime.now(UTC) + timedelta(days=3)
    data = {"title": "Svc", "date": start.date().isoformat(), "time": start.strftime("%H:%M:%S"), **fields}
    return webinars.create_webinar(session, admin, data)


def fresh(session: Session, webinar: Webinar) -> Webinar:
    session.expire_all()
    found = session.get(Webinar, webinar.id)
    assert found is not None
    return found


def statuses(session: Session, webinar_id: int) -> dict[int, str]:
    session.expire_all()
    rows = session.exec(select(Registration).where(Registration.webinar_id == webinar_id))
    return {r.user_id: r.status for r in rows}


def approvals(session: Session, user_id: int) -> list[Notification]:
    return list(
        session.exec(
            select(Notification).where(
                Notification.user_id == user_id, Notification.notification_type == "registration_approved"
            )
        )
    )


@pytest.fixture
def users(session: Session) -> list[Any]:
    return [make_user(session, name) for name in ("u1", "u2", "u3", "u4")]


def test_compute_status_boundaries(session, admin):
    start = datetime(2030, 1, 1, 10, 0, tzinfo=UTC)
    w = make_webinar(session, admin, start=start, duration=30)
    assert webinars.compute_status(w, start - timedelta(seconds=1)) == "upcoming"
    assert webinars.compute_status(w, start) == "live"
    assert webinars.compute_status(w, start + timedelta(minutes=29, seconds=59)) == "live"
    assert webinars.compute_status(w, start + timedelta(minutes=30)) == "completed"
    w.manual_status = "cancelled"
    assert webinars.compute_status(w, start - timedelta(days=1)) == "cancelled"
    w.manual_status = "completed"
    assert webinars.compute_status(w, start - timedelta(days=1)) == "completed"


def test_times_are_stored_in_utc(session, admin):
    w = make_webinar(session, admin, start=datetime(2030, 6, 1, 23, 30, tzinfo=UTC), duration=45)
    stored = fresh(session, w)
    assert stored.start_at.replace(tzinfo=UTC) == datetime(2030, 6, 1, 23, 30, tzinfo=UTC)
    assert stored.end_at.replace(tzinfo=UTC) == datetime(2030, 6, 2, 0, 15, tzinfo=UTC)


def test_capacity_claims_and_fifo_waitlist(session, admin, users):
    w = make_webinar(session, admin, capacity=2)
    assert w.id is not None
    made = [registrations.register(session, u, w.id) for u in users]
    assert [r.status for r in made] == ["confirmed", "confirmed", "waitlisted", "waitlisted"]
    assert fresh(session, w).confirmed_count == 2
    assert registrations.registrant_ids(session, w.id) == [users[0].id, users[1].id]
    assert set(registrations.registrant_ids(session, w.id, include_waitlist=True)) == {u.id for u in users}
    assert registrations.is_registrant(session, users[0], w.id)
    assert not registrations.is_registrant(session, users[2], w.id)

    assert made[0].id is not None
    registrations.unregister(session, users[0], made[0].id)
    assert statuses(session, w.id) == {
        users[1].id: "confirmed",
        users[2].id: "confirmed",
        users[3].id: "waitlisted",
    }
    assert fresh(session, w).confirmed_count == 2
    assert len(approvals(session, users[2].id)) == 1  # the promotion
    assert approvals(session, users[3].id) == []


def test_waitlisted_leaving_keeps_the_count(session, admin, users):
    w = make_webinar(session, admin, capacity=1)
    assert w.id is not None
    registrations.register(session, users[0], w.id)
    waiting = registrations.register(session, users[1], w.id)
    registrations.register(session, users[2], w.id)
    assert waiting.id is not None
    registrations.unregister(session, users[1], waiting.id)
    assert fresh(session, w).confirmed_count == 1
    assert statuses(session, w.id) == {users[0].id: "confirmed", users[2].id: "waitlisted"}


def test_new_registrant_does_not_jump_the_queue(session, admin, users):
    w = make_webinar(session, admin, capacity=1)
    assert w.id is not None
    registrations.register(session, users[0], w.id)
    registrations.register(session, users[1], w.id)
    # a seat frees up without the queue being served yet (e.g. a capacity edit mid-flight)
    stored = fresh(session, w)
    stored.capacity = 2
    session.add(stored)
    session.commit()
    late = registrations.register(session, users[2], w.id)
    assert late.status == "waitlisted"
    assert fresh(session, w).confirmed_count == 1
    assert registrations.fill_free_seats(session, w.id)[0].user_id == users[1].id
    assert statuses(session, w.id) == {
        users[0].id: "confirmed",
        users[1].id: "confirmed",
        users[2].id: "waitlisted",
    }


def test_admin_unregisters_anyone(session, admin, users):
    w = make_webinar(session, admin, capacity=1)
    assert w.id is not None
    first = registrations.register(session, users[0], w.id)
    registrations.register(session, users[1], w.id)
    assert first.id is not None
    registrations.unregister(session, admin, first.id)
    assert statuses(session, w.id) == {users[1].id: "confirmed"}


def test_raising_capacity_fills_in_order(session, admin, users):
    w = make_webinar(session, admin, capacity=1)
    assert w.id is not None
    for u in users:
        registrations.register(session, u, w.id)
    webinars.update_webinar(session, admin, w.id, {"capacity": 3})
    got = statuses(session, w.id)
    assert [got[u.id] for u in users] == ["confirmed", "confirmed", "confirmed", "waitlisted"]
    assert fresh(session, w).confirmed_count == 3
    webinars.update_webinar(session, admin, w.id, {"capacity": None})
    assert set(statuses(session, w.id).values()) == {"confirmed"}
    assert fresh(session, w).confirmed_count == 4


def test_lowering_capacity_keeps_seats_and_waitlists_newcomers(session, admin, users):
    w = make_webinar(session, admin, capacity=3)
    assert w.id is not None
    for u in users[:3]:
        registrations.register(session, u, w.id)
    webinars.update_webinar(session, admin, w.id, {"capacity": 1})
    assert webinars.seats_left(fresh(session, w)) == 0
    assert registrations.register(session, users[3], w.id).status == "waitlisted"
    assert set(statuses(session, w.id).values()) == {"confirmed", "waitlisted"}


def test_cancelled_webinar_promotes_nobody(session, admin, users):
    w = make_webinar(session, admin, capacity=1)
    assert w.id is not None
    seat = registrations.register(session, users[0], w.id)
    registrations.register(session, users[1], w.id)
    webinars.cancel_webinar(session, admin, w.id)
    assert seat.id is not None
    registrations.unregister(session, users[0], seat.id)
    assert statuses(session, w.id) == {users[1].id: "waitlisted"}
    assert approvals(session, users[1].id) == []
    webinars.update_webinar(session, admin, w.id, {"capacity": 5})
    assert statuses(session, w.id) == {users[1].id: "waitlisted"}
    assert approvals(session, users[1].id) == []


def test_register_refusals(session, admin, users):
    with pytest.raises(Invalid) as missing:
        registrations.register(session, users[0], None)
    assert list(missing.value.errors) == ["event"]
    with pytest.raises(Invalid) as unknown:
        registrations.register(session, users[0], 999999)
    assert list(unknown.value.errors) == ["event"]

    past = make_webinar(session, admin, start=datetime.now(UTC) - timedelta(days=1))
    assert past.id is not None
    with pytest.raises(Invalid) as completed:
        registrations.register(session, users[0], past.id)
    assert completed.value.errors == {"event": ["Cannot register for a completed webinar."]}

    w = make_webinar(session, admin)
    assert w.id is not None
    registrations.register(session, users[0], w.id)
    with pytest.raises(Invalid) as dup:
        registrations.register(session, users[0], w.id)
    assert dup.value.errors == {"event": ["You are already registered for this webinar."]}
    webinars.cancel_webinar(session, admin, w.id)
    with pytest.raises(Invalid) as cancelled:
        registrations.register(session, users[1], w.id)
    assert cancelled.value.errors == {"event": ["Cannot register for a cancelled webinar."]}
    assert fresh(session, w).confirmed_count == 1


def test_visibility_and_attendance(session, admin, users):
    w = make_webinar(session, admin)
    assert w.id is not None
    reg = registrations.register(session, users[0], w.id)
    assert reg.id is not None
    with pytest.raises(NotFound):
        registrations.visible_registration(session, users[1], reg.id)
    with pytest.raises(NotFound):
        registrations.unregister(session, users[1], reg.id)
    assert registrations.get_view(session, admin, reg.id).user.id == users[0].id
    with pytest.raises(PermissionDenied):
        registrations.set_attended(session, users[0], reg.id, True)
    assert registrations.set_attended(session, admin, reg.id, True).attended is True
    with pytest.raises(NotFound):
        registrations.set_attended(session, admin, 999999, True)


def test_list_registrations_scoping(session, admin, users):
    host = users[3]
    hosted = make_webinar(session, admin, organizer=host.id)
    other = make_webinar(session, admin)
    assert hosted.id is not None and other.id is not None
    r0 = registrations.register(session, users[0], hosted.id)
    r1 = registrations.register(session, users[1], hosted.id)
    r2 = registrations.register(session, users[0], other.id)

    def ids(actor: Any, **kwargs: Any) -> set[int | None]:
        return {v.registration.id for v in registrations.list_registrations(session, actor, **kwargs)}

    assert ids(users[0]) == {r0.id, r2.id}
    assert ids(admin) == {r0.id, r1.id, r2.id}
    assert ids(admin, webinar_id=hosted.id) == {r0.id, r1.id}
    assert ids(host, webinar_id=hosted.id) == {r0.id, r1.id}
    assert ids(host, webinar_id=other.id) == set()
    assert ids(users[1], webinar_id=hosted.id) == {r1.id}
    assert ids(admin, own_only=True) == set()
    with pytest.raises(PermissionDenied):
        registrations.registrants(session, users[0], hosted.id)
    assert [v.registration.id for v in registrations.registrants(session, host, hosted.id)] == [r0.id, r1.id]


def test_webinar_writes_need_admin(session, admin, users):
    with pytest.raises(PermissionDenied):
        make_webinar(session, users[0])
    w = make_webinar(session, admin)
    assert w.id is not None
    for call in (
        lambda: webinars.update_webinar(session, users[0], w.id, {"title": "x"}),
        lambda: webinars.delete_webinar(session, users[0], w.id),
        lambda: webinars.cancel_webinar(session, users[0], w.id),
        lambda: webinars.mark_completed(session, users[0], w.id),
    ):
        with pytest.raises(PermissionDenied):
            call()
    assert fresh(session, w).manual_status == ""


def test_reschedule_bumps_sequence_once_per_change(session, admin, users):
    w = make_webinar(session, admin)
    assert w.id is not None
    registrations.register(session, users[0], w.id)
    webinars.update_webinar(session, admin, w.id, {"title": "Same time"})
    assert fresh(session, w).sequence == 0
    webinars.update_webinar(session, admin, w.id, {"date": "2034-04-04", "time": "04:04"})
    assert fresh(session, w).sequence == 1
    webinars.update_webinar(session, admin, w.id, {"date": "2034-04-04", "time": "04:04:00"})
    assert fresh(session, w).sequence == 1
    system = session.exec(
        select(Notification).where(
            Notification.user_id == users[0].id, Notification.notification_type == "system"
        )
    ).all()
    assert len(system) == 1


def test_search_treats_wildcards_literally(session, admin):
    make_webinar(session, admin, title="Save 100% now")
    make_webinar(session, admin, title="Plain talk")
    make_webinar(session, admin, title="snake_case tips")
    found, total = webinars.list_webinars(session, None, search="100%")
    assert [v.webinar.title for v in found] == ["Save 100% now"] and total == 1
    assert webinars.list_webinars(session, None, search="%")[1] == 1
    assert [v.webinar.title for v in webinars.list_webinars(session, None, search="e_c")[0]] == [
        "snake_case tips"
    ]


# --------------------------------------------------- the claim decides, the prediction is corrected


def _interleave(monkeypatch: pytest.MonkeyPatch, meanwhile: Any) -> None:
    """Run `meanwhile` (in its own session, committed) after `register` has read the seat
    count and before it writes anything: the moment another registrant can change the outcome."""
    from webinar_app.core import db

    real = registrations.insert_now
    done: list[bool] = []

    def insert_then(session: Session, model: Any, **values: Any) -> Any:
        if not done:
            done.append(True)
            with Session(db.get_engine(), expire_on_commit=False) as other:
                meanwhile(other)
        return real(session, model, **values)

    monkeypatch.setattr(registrations, "insert_now", insert_then)


def _mail_templates(session: Session, user_id: int) -> list[str]:
    from webinar_app.models import EmailLog

    session.expire_all()
    return list(session.exec(select(EmailLog.template).where(EmailLog.user_id == user_id)))


def test_last_seat_taken_meanwhile_makes_a_predicted_confirmation_a_waitlisting(
    session, admin, users, monkeypatch
):
    w = make_webinar(session, admin, capacity=1)
    late, quick = users[0], users[1]
    _interleave(
        monkeypatch, lambda other: registrations.register(other, other.get(type(quick), quick.id), w.id)
    )
    view = registrations.register(session, late, w.id)  # saw a free seat, lost it to `quick`
    assert view.status == "waitlisted"
    assert statuses(session, w.id) == {quick.id: "confirmed", late.id: "waitlisted"}
    assert fresh(session, w).confirmed_count == 1
    assert approvals(session, late.id) == [] and len(approvals(session, quick.id)) == 1
    assert _mail_templates(session, late.id) == ["registration_waitlisted"]
    assert _mail_templates(session, quick.id) == ["registration_confirmed"]


def test_seat_freed_meanwhile_makes_a_predicted_waitlisting_a_confirmation(
    session, admin, users, monkeypatch
):
    w = make_webinar(session, admin, capacity=1)
    holder, hopeful = users[0], users[1]
    held = registrations.register(session, holder, w.id)

    def leave(other: Session) -> None:
        registrations.unregister(other, other.get(type(holder), holder.id), held.id)  # nobody queued yet

    _interleave(monkeypatch, leave)
    view = registrations.register(session, hopeful, w.id)  # saw it full, got the freed seat
    assert view.status == "confirmed"
    assert statuses(session, w.id) == {hopeful.id: "confirmed"}
    assert fresh(session, w).confirmed_count == 1
    assert len(approvals(session, hopeful.id)) == 1
    assert _mail_templates(session, hopeful.id) == ["registration_confirmed"]


def test_a_duplicate_claims_no_seat(session, admin, users):
    w = make_webinar(session, admin, capacity=5)
    registrations.register(session, users[0], w.id)
    with pytest.raises(Invalid):
        registrations.register(session, users[0], w.id)
    assert fresh(session, w).confirmed_count == 1
    assert len(approvals(session, users[0].id)) == 1
