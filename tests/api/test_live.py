"""`/api/live/`: start, join, leave, end, status, analytics and the admin views."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlmodel import select

from tests.api.test_webinars import ADMIN_BODY, NO_CREDS, new_webinar, register
from tests.conftest import auth_headers, make_user
from webinar_app.models import LiveParticipant, Registration
from webinar_app.realtime import Event, subscribe

LIVE = "/api/live/"
SESSION_KEYS = {
    "id",
    "webinar",
    "room_name",
    "is_active",
    "created_at",
    "started_at",
    "start_time",
    "end_time",
}
ANALYTICS_KEYS = {
    "total_webinars",
    "total_live_sessions",
    "total_participants",
    "average_session_duration_minutes",
    "sessions_per_webinar",
    "active_sessions",
    "completed_sessions",
}


@pytest.fixture
def bob_headers(client: Any, other_student: Any) -> dict[str, str]:
    return auth_headers(client, "bob")


@pytest.fixture
def webinar(client, admin_headers, student_headers) -> dict[str, Any]:
    w = new_webinar(client, admin_headers, title="Live Talk", when=timedelta(minutes=-5))
    register(client, student_headers, w["id"])
    return w


def notifications_of(client: Any, headers: dict[str, str], kind: str) -> list[dict[str, Any]]:
    items = client.get("/api/communications/notifications/", headers=headers).json()
    return [n for n in items if n["notification_type"] == kind]


def test_status_before_start_is_inactive_and_public(client, webinar):
    response = client.get(f"{LIVE}status/{webinar['id']}/")
    assert response.status_code == 200
    assert response.json()["is_active"] is False and response.json()["room_name"] is None


def test_join_before_start_is_404(client, webinar, student_headers):
    response = client.get(f"{LIVE}join/{webinar['id']}/", headers=student_headers)
    assert response.status_code == 404
    assert response.json() == {"error": "Live session not found for this webinar"}


def test_student_cannot_start(client, webinar, student_headers):
    response = client.post(f"{LIVE}start/{webinar['id']}/", headers=student_headers)
    assert response.status_code == 403
    assert response.json() == {"error": "Only the webinar organizer can start a live session"}


def test_start_same_room_on_repeat_and_first_start_notifies(
    client, webinar, admin_headers, student_headers, student
):
    events: list[tuple[str, Event]] = []
    subs = [
        subscribe(f"room:{webinar['id']}", lambda t, e: events.append((t, e))),
        subscribe(f"user:{student.id}", lambda t, e: events.append((t, e))),
    ]
    try:
        first = client.post(f"{LIVE}start/{webinar['id']}/", headers=admin_headers)
    finally:
        for unsubscribe in subs:
            unsubscribe()
    assert first.status_code == 200
    body = first.json()
    assert body["is_active"] is True and body["room_name"].startswith(f"webinar_{webinar['id']}_")
    started = notifications_of(client, student_headers, "live_started")
    assert len(started) == 1
    assert started[0]["title"] == "Live Session Started: Live Talk"
    assert (
        started[0]["event"] == webinar["id"]
        and started[0]["notification_type_display"] == "Live Session Started"
    )
    kinds = {(t, e.kind) for t, e in events}
    assert (f"room:{webinar['id']}", "live_started") in kinds
    assert (f"user:{student.id}", "live_started") in kinds
    assert (f"user:{student.id}", "notification") in kinds
    again = client.post(f"{LIVE}start/{webinar['id']}/", headers=admin_headers).json()
    assert again["room_name"] == body["room_name"]
    status = client.get(f"{LIVE}status/{webinar['id']}/").json()
    assert status["room_name"] == body["room_name"] and status["is_active"] is True


def test_organizer_starts_own_webinar(client, session, admin_headers):
    olga = make_user(session, "olga")
    w = new_webinar(client, admin_headers, organizer=olga.id)
    other = new_webinar(client, admin_headers)
    olga_headers = auth_headers(client, "olga")
    assert client.post(f"{LIVE}start/{w['id']}/", headers=olga_headers).status_code == 200
    assert client.post(f"{LIVE}start/{other['id']}/", headers=olga_headers).status_code == 403


def test_join_marks_attended_and_counts(client, session, webinar, admin_headers, student_headers, student):
    client.post(f"{LIVE}start/{webinar['id']}/", headers=admin_headers)
    response = client.get(f"{LIVE}join/{webinar['id']}/", headers=student_headers)
    assert response.status_code == 200
    body = response.json()
    assert body["is_active"] is True and body["participant_count"] == 1 and body["room_name"]
    session.expire_all()
    reg = session.exec(
        select(Registration).where(
            Registration.user_id == student.id, Registration.webinar_id == webinar["id"]
        )
    ).one()
    assert reg.attended is True and reg.joined_at is not None and reg.left_at is None
    participant = session.exec(select(LiveParticipant).where(LiveParticipant.user_id == student.id)).one()
    assert participant.joined_at is not None and participant.left_at is None
    # Joining again (a second tab) does not double count.
    assert (
        client.get(f"{LIVE}join/{webinar['id']}/", headers=student_headers).json()["participant_count"] == 1
    )
    admin_join = client.get(f"{LIVE}join/{webinar['id']}/", headers=admin_headers)
    assert admin_join.status_code == 200 and admin_join.json()["participant_count"] == 2


def test_unregistered_cannot_join(client, webinar, admin_headers, bob_headers):
    client.post(f"{LIVE}start/{webinar['id']}/", headers=admin_headers)
    response = client.get(f"{LIVE}join/{webinar['id']}/", headers=bob_headers)
    assert response.status_code == 403
    assert response.json() == {"error": "You must be registered for this webinar to join the live session"}


def test_leave_records_left_at(client, session, webinar, admin_headers, student_headers, student):
    client.post(f"{LIVE}start/{webinar['id']}/", headers=admin_headers)
    client.get(f"{LIVE}join/{webinar['id']}/", headers=student_headers)
    response = client.post(f"{LIVE}leave/{webinar['id']}/", headers=student_headers)
    assert response.status_code == 200 and response.json()["participant_count"] == 0
    session.expire_all()
    reg = session.exec(select(Registration).where(Registration.user_id == student.id)).one()
    assert reg.left_at is not None and reg.attended is True
    participant = session.exec(select(LiveParticipant).where(LiveParticipant.user_id == student.id)).one()
    assert participant.left_at is not None


def test_end_notifies_participants_and_restart_notifies_again(
    client, webinar, admin_headers, student_headers, bob_headers
):
    client.post(f"{LIVE}start/{webinar['id']}/", headers=admin_headers)
    client.get(f"{LIVE}join/{webinar['id']}/", headers=student_headers)
    events: list[Event] = []
    unsubscribe = subscribe(f"room:{webinar['id']}", lambda _t, e: events.append(e))
    try:
        ended = client.post(f"{LIVE}end/{webinar['id']}/", headers=admin_headers)
    finally:
        unsubscribe()
    assert ended.status_code == 200
    assert ended.json()["message"] == "Live session ended successfully"
    assert ended.json()["end_time"].endswith("Z")
    assert "live_ended" in [e.kind for e in events]
    ended_notes = notifications_of(client, student_headers, "live_ended")
    assert [n["title"] for n in ended_notes] == ["Live Session Ended: Live Talk"]
    assert client.get(f"{LIVE}status/{webinar['id']}/").json()["is_active"] is False
    not_active = client.get(f"{LIVE}join/{webinar['id']}/", headers=student_headers)
    assert not_active.status_code == 403 and "error" in not_active.json()
    restart = client.post(f"{LIVE}start/{webinar['id']}/", headers=admin_headers)
    assert restart.status_code == 200
    assert len(notifications_of(client, student_headers, "live_started")) == 2


def test_student_cannot_end(client, webinar, admin_headers, student_headers):
    client.post(f"{LIVE}start/{webinar['id']}/", headers=admin_headers)
    response = client.post(f"{LIVE}end/{webinar['id']}/", headers=student_headers)
    assert response.status_code == 403 and set(response.json()) == {"error"}


def test_end_without_session_is_404(client, webinar, admin_headers):
    response = client.post(f"{LIVE}end/{webinar['id']}/", headers=admin_headers)
    assert response.status_code == 404 and response.json() == {
        "error": "Live session not found for this webinar"
    }


def test_unknown_webinar(client, admin_headers):
    response = client.post(f"{LIVE}start/999/", headers=admin_headers)
    assert response.status_code == 404 and "error" in response.json()


def test_analytics_shape_and_admin_only(client, webinar, admin_headers, student_headers):
    client.post(f"{LIVE}start/{webinar['id']}/", headers=admin_headers)
    client.get(f"{LIVE}join/{webinar['id']}/", headers=student_headers)
    refused = client.get(f"{LIVE}analytics/", headers=student_headers)
    assert refused.status_code == 403 and refused.json() == ADMIN_BODY
    body = client.get(f"{LIVE}analytics/", headers=admin_headers).json()
    assert set(body) == ANALYTICS_KEYS
    assert body["total_webinars"] == 1 and body["total_live_sessions"] == 1
    assert body["total_participants"] == 1 and body["average_session_duration_minutes"] is None
    assert body["sessions_per_webinar"] == [
        {"webinar_id": webinar["id"], "title": "Live Talk", "participant_count": 1}
    ]
    assert body["active_sessions"] == 1 and body["completed_sessions"] == 0
    client.post(f"{LIVE}end/{webinar['id']}/", headers=admin_headers)
    after = client.get(f"{LIVE}analytics/", headers=admin_headers).json()
    assert after["active_sessions"] == 0 and after["completed_sessions"] == 1
    assert isinstance(after["average_session_duration_minutes"], float)


def test_list_and_detail_admin_only(client, webinar, admin_headers, student_headers):
    client.post(f"{LIVE}start/{webinar['id']}/", headers=admin_headers)
    assert client.get(LIVE).status_code == 401 and client.get(LIVE).json() == NO_CREDS
    assert client.get(LIVE, headers=student_headers).json() == ADMIN_BODY
    listed = client.get(LIVE, headers=admin_headers).json()
    assert len(listed) == 1 and set(listed[0]) >= SESSION_KEYS
    item = listed[0]
    assert item["webinar"] == webinar["id"] and item["is_active"] is True
    assert (
        item["started_at"].endswith("Z")
        and item["start_time"] == item["started_at"]
        and item["end_time"] is None
    )
    detail = client.get(f"{LIVE}{item['id']}/", headers=admin_headers)
    assert detail.status_code == 200 and detail.json() == item
    assert client.get(f"{LIVE}999/", headers=admin_headers).status_code == 404
