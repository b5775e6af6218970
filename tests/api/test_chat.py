"""`/api/communications/chat/`: access, validation, realtime publish, edits, moderation."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlmodel import Session, select

from tests.api.test_webinars import new_webinar, register
from tests.conftest import auth_headers, make_user
from webinar_app.core import db
from webinar_app.models import ChatMessage
from webinar_app.realtime import Event, subscribe

BASE = "/api/communications/chat/"
CHAT_KEYS = {
    "id",
    "event",
    "user",
    "user_username",
    "user_role",
    "message",
    "created_at",
    "username",
    "first_name",
    "last_name",
}
LIVE_NOW = timedelta(minutes=-5)


@pytest.fixture
def bob_headers(client: Any, other_student: Any) -> dict[str, str]:
    return auth_headers(client, "bob")


@pytest.fixture
def live_webinar(client: Any, admin_headers: dict[str, str]) -> dict[str, Any]:
    return new_webinar(client, admin_headers, title="Live", when=LIVE_NOW, duration=60)


@pytest.fixture
def room(client, live_webinar, student_headers, bob_headers) -> dict[str, Any]:
    """A live webinar with alice and bob registered."""
    register(client, student_headers, live_webinar["id"])
    register(client, bob_headers, live_webinar["id"])
    return live_webinar


def post(client: Any, headers: dict[str, str], event: int, text: str = "hello live") -> Any:
    return client.post(BASE, json={"event": event, "message": text}, headers=headers)


def test_post_returns_id_and_full_shape(client, room, student, student_headers):
    response = post(client, student_headers, room["id"])
    assert response.status_code == 201, response.text
    body = response.json()
    assert set(body) >= CHAT_KEYS
    assert body["id"] and body["event"] == room["id"] and body["user"] == student.id
    assert body["username"] == body["user_username"] == "alice" and body["user_role"] == "student"
    assert body["message"] == "hello live" and body["created_at"].endswith("Z")


def test_form_encoded_post(client, room, student_headers):
    response = client.post(
        BASE, data={"event": str(room["id"]), "message": "via form"}, headers=student_headers
    )
    assert response.status_code == 201 and response.json()["message"] == "via form"


def test_list_oldest_first_and_event_chat(client, room, student_headers, bob_headers):
    post(client, student_headers, room["id"], "one")
    post(client, bob_headers, room["id"], "two")
    listed = client.get(BASE, params={"event": room["id"]}, headers=bob_headers)
    assert listed.status_code == 200
    assert [m["message"] for m in listed.json()] == ["one", "two"]
    same = client.get(BASE + "event_chat/", params={"event_id": room["id"]}, headers=student_headers)
    assert same.status_code == 200 and same.json() == listed.json()
    everywhere = client.get(BASE, headers=student_headers)
    assert [m["message"] for m in everywhere.json()] == ["one", "two"]


def test_event_chat_requires_event_id(client, student_headers):
    response = client.get(BASE + "event_chat/", headers=student_headers)
    assert response.status_code == 400 and response.json() == {"error": "event_id parameter is required"}


def test_blank_and_too_long(client, room, student_headers):
    blank = post(client, student_headers, room["id"], "   ")
    assert blank.status_code == 400 and blank.json() == {"message": ["This field may not be blank."]}
    long = post(client, student_headers, room["id"], "x" * 1001)
    assert long.status_code == 400
    assert long.json() == {"message": ["Message is too long (max 1000 characters)."]}
    assert post(client, student_headers, room["id"], "x" * 1000).status_code == 201


def test_missing_fields(client, student_headers):
    response = client.post(BASE, json={}, headers=student_headers)
    assert response.status_code == 400
    assert response.json() == {"event": ["This field is required."], "message": ["This field is required."]}
    unknown = client.post(BASE, json={"event": 999, "message": "x"}, headers=student_headers)
    assert unknown.status_code == 400 and list(unknown.json()) == ["event"]


def test_outsiders_get_403_error(client, session, live_webinar, student_headers):
    make_user(session, "carol")
    carol = auth_headers(client, "carol")
    for response in (
        post(client, carol, live_webinar["id"]),
        client.get(BASE, params={"event": live_webinar["id"]}, headers=carol),
        client.get(BASE + "event_chat/", params={"event_id": live_webinar["id"]}, headers=carol),
    ):
        assert response.status_code == 403
        assert set(response.json()) == {"error"}


def test_waitlisted_user_is_not_a_registrant(client, admin_headers, student_headers, bob_headers):
    w = new_webinar(client, admin_headers, when=LIVE_NOW, capacity=1)
    register(client, student_headers, w["id"])
    assert register(client, bob_headers, w["id"])["status"] == "waitlisted"
    assert post(client, bob_headers, w["id"]).status_code == 403


def test_organizer_and_admin_may_post_without_registration(client, session, admin_headers):
    organizer = make_user(session, "olga")
    w = new_webinar(client, admin_headers, when=LIVE_NOW, organizer=organizer.id)
    assert post(client, auth_headers(client, "olga"), w["id"]).status_code == 201
    assert post(client, admin_headers, w["id"]).status_code == 201


def test_anonymous_is_401(client, room):
    response = client.get(BASE, params={"event": room["id"]})
    assert response.status_code == 401


def test_posting_needs_live_or_active_session_history_stays(client, admin_headers, student_headers):
    w = new_webinar(client, admin_headers, when=timedelta(days=2))
    register(client, student_headers, w["id"])
    closed = post(client, student_headers, w["id"])
    assert closed.status_code == 403 and "error" in closed.json()
    assert client.post(f"/api/live/start/{w['id']}/", headers=admin_headers).status_code == 200
    assert post(client, student_headers, w["id"], "during session").status_code == 201
    assert client.post(f"/api/live/end/{w['id']}/", headers=admin_headers).status_code == 200
    assert post(client, student_headers, w["id"]).status_code == 403
    history = client.get(BASE, params={"event": w["id"]}, headers=student_headers)
    assert history.status_code == 200 and [m["message"] for m in history.json()] == ["during session"]


def test_subscriber_sees_rest_post_only_after_commit(client, room, student_headers):
    seen: list[tuple[Event, bool]] = []

    def on_event(_topic: str, event: Event) -> None:
        committed = False
        if event.kind == "chat_message":
            # A separate connection: only committed rows are visible to it.
            with Session(db.get_engine()) as other:
                committed = other.get(ChatMessage, event.data["message"]["id"]) is not None
        seen.append((event, committed))

    unsubscribe = subscribe(f"room:{room['id']}", on_event)
    try:
        body = post(client, student_headers, room["id"], "pushed").json()
    finally:
        unsubscribe()
    messages = [(e, ok) for e, ok in seen if e.kind == "chat_message"]
    assert len(messages) == 1
    event, committed = messages[0]
    assert committed is True
    assert event.data["message"] == body


def test_history_is_last_200(client, session, room, student):
    session.add_all(
        ChatMessage(webinar_id=room["id"], user_id=student.id, message=f"m{i}") for i in range(205)
    )
    session.commit()
    listed = client.get(BASE, params={"event": room["id"]}, headers=auth_headers(client, "alice")).json()
    assert len(listed) == 200
    assert listed[0]["message"] == "m5" and listed[-1]["message"] == "m204"


# ------------------------------------------------------------------ edit / delete


def test_author_edits_own_message(client, room, student_headers):
    mid = post(client, student_headers, room["id"], "typo").json()["id"]
    response = client.patch(f"{BASE}{mid}/", json={"message": "fixed"}, headers=student_headers)
    assert response.status_code == 200
    assert response.json()["message"] == "fixed" and response.json()["edited_at"].endswith("Z")
    blank = client.patch(f"{BASE}{mid}/", json={"message": ""}, headers=student_headers)
    assert blank.status_code == 400 and blank.json() == {"message": ["This field may not be blank."]}


def test_others_cannot_edit_or_delete(client, room, student_headers, bob_headers):
    mid = post(client, student_headers, room["id"]).json()["id"]
    edit = client.patch(f"{BASE}{mid}/", json={"message": "hacked"}, headers=bob_headers)
    assert edit.status_code == 403 and set(edit.json()) == {"error"}
    delete = client.delete(f"{BASE}{mid}/", headers=bob_headers)
    assert delete.status_code == 403 and set(delete.json()) == {"error"}


def test_unknown_message_is_404_error(client, student_headers):
    response = client.delete(f"{BASE}999/", headers=student_headers)
    assert response.status_code == 404 and response.json() == {"error": "Message not found"}


def test_soft_delete_hides_and_publishes(client, session, room, student_headers, admin_headers):
    mid = post(client, student_headers, room["id"], "rude").json()["id"]
    events: list[Event] = []
    unsubscribe = subscribe(f"room:{room['id']}", lambda _t, e: events.append(e))
    try:
        response = client.delete(f"{BASE}{mid}/", headers=admin_headers)
    finally:
        unsubscribe()
    assert response.status_code == 204 and response.content == b""
    assert [(e.kind, e.data) for e in events] == [("chat_deleted", {"id": mid})]
    listed = client.get(BASE, params={"event": room["id"]}, headers=student_headers).json()
    assert mid not in [m["id"] for m in listed]
    session.expire_all()
    row = session.get(ChatMessage, mid)
    assert row is not None and row.deleted_at is not None  # soft: the row stays
    assert client.get(f"{BASE}{mid}/", headers=student_headers).status_code == 404


def test_author_deletes_own(client, room, student_headers):
    mid = post(client, student_headers, room["id"]).json()["id"]
    assert client.delete(f"{BASE}{mid}/", headers=student_headers).status_code == 204


def test_organizer_moderates_own_webinar_only(client, session, admin_headers, student_headers):
    olga = make_user(session, "olga")
    mine = new_webinar(client, admin_headers, when=LIVE_NOW, organizer=olga.id)
    other = new_webinar(client, admin_headers, when=LIVE_NOW)
    register(client, student_headers, mine["id"])
    register(client, student_headers, other["id"])
    olga_headers = auth_headers(client, "olga")
    in_mine = post(client, student_headers, mine["id"]).json()["id"]
    in_other = post(client, student_headers, other["id"]).json()["id"]
    assert client.delete(f"{BASE}{in_mine}/", headers=olga_headers).status_code == 204
    assert client.delete(f"{BASE}{in_other}/", headers=olga_headers).status_code == 403


# ------------------------------------------------------------------ moderation


def test_muted_user_gets_403(client, room, student, student_headers, admin_headers):
    events: list[Event] = []
    unsubscribe = subscribe(f"room:{room['id']}", lambda _t, e: events.append(e))
    try:
        muted = client.post(
            BASE + "mute/",
            json={"event": room["id"], "user": student.id, "minutes": 10},
            headers=admin_headers,
        )
    finally:
        unsubscribe()
    assert muted.status_code == 200 and muted.json()["until"].endswith("Z")
    assert [e.kind for e in events] == ["chat_muted"] and events[0].data["user_id"] == student.id
    refused = post(client, student_headers, room["id"])
    assert refused.status_code == 403 and refused.json()["error"] == "You are muted in this chat"
    # Still reads the room.
    assert client.get(BASE, params={"event": room["id"]}, headers=student_headers).status_code == 200
    unmuted = client.post(
        BASE + "unmute/", json={"event": room["id"], "user": student.id}, headers=admin_headers
    )
    assert unmuted.status_code == 200
    assert post(client, student_headers, room["id"]).status_code == 201


def test_mute_without_minutes_is_indefinite(client, room, student, student_headers, admin_headers):
    muted = client.post(BASE + "mute/", data={"event": room["id"], "user": student.id}, headers=admin_headers)
    assert muted.status_code == 200 and muted.json()["until"] is None
    assert post(client, student_headers, room["id"]).status_code == 403


def test_students_cannot_moderate(client, room, student, other_student, bob_headers):
    for path in ("mute/", "unmute/", "ban/", "unban/"):
        response = client.post(
            BASE + path, json={"event": room["id"], "user": student.id}, headers=bob_headers
        )
        assert response.status_code == 403 and set(response.json()) == {"error"}
    slow = client.post(BASE + "slow_mode/", json={"event": room["id"], "seconds": 5}, headers=bob_headers)
    assert slow.status_code == 403


def test_hosts_cannot_be_muted(client, room, admin, admin_headers):
    response = client.post(
        BASE + "mute/", json={"event": room["id"], "user": admin.id}, headers=admin_headers
    )
    assert response.status_code == 400 and "user" in response.json()


def test_moderation_validation(client, room, admin_headers):
    response = client.post(BASE + "mute/", json={}, headers=admin_headers)
    assert response.status_code == 400
    assert response.json() == {"event": ["This field is required."], "user": ["This field is required."]}
    bad = client.post(BASE + "slow_mode/", json={"event": room["id"], "seconds": -1}, headers=admin_headers)
    assert bad.status_code == 400 and "seconds" in bad.json()


def test_banned_user_cannot_read_or_post(client, room, student, student_headers, admin_headers):
    assert (
        client.post(
            BASE + "ban/", json={"event": room["id"], "user": student.id}, headers=admin_headers
        ).status_code
        == 200
    )
    refused = post(client, student_headers, room["id"])
    assert refused.status_code == 403 and refused.json() == {"error": "You are banned from this chat"}
    assert client.get(BASE, params={"event": room["id"]}, headers=student_headers).status_code == 403
    assert (
        client.post(
            BASE + "unban/", json={"event": room["id"], "user": student.id}, headers=admin_headers
        ).status_code
        == 200
    )
    assert post(client, student_headers, room["id"]).status_code == 201


def test_slow_mode_refuses_second_quick_post(client, room, student_headers, bob_headers, admin_headers):
    on = client.post(BASE + "slow_mode/", json={"event": room["id"], "seconds": 30}, headers=admin_headers)
    assert on.status_code == 200 and on.json()["seconds"] == 30
    assert post(client, student_headers, room["id"], "first").status_code == 201
    second = post(client, student_headers, room["id"], "second")
    assert second.status_code == 429
    body = second.json()
    assert "error" in body and 0 < body["retry_after_seconds"] <= 30
    assert 0 < int(second.headers["Retry-After"]) <= 30
    # Per user: bob is not slowed by alice's post; the host is never slowed.
    assert post(client, bob_headers, room["id"]).status_code == 201
    assert post(client, admin_headers, room["id"]).status_code == 201
    assert post(client, admin_headers, room["id"]).status_code == 201
    client.post(BASE + "slow_mode/", json={"event": room["id"], "seconds": 0}, headers=admin_headers)
    assert post(client, student_headers, room["id"], "third").status_code == 201


def test_room_info(client, room, student_headers, admin_headers):
    info = client.get(BASE + "room/", params={"event": room["id"]}, headers=student_headers).json()
    assert info == {
        "event": room["id"],
        "is_open": True,
        "can_moderate": False,
        "muted": False,
        "muted_until": None,
        "slow_mode_seconds": 0,
    }
    assert client.get(BASE + "room/", params={"event": room["id"]}, headers=admin_headers).json()[
        "can_moderate"
    ]


def test_message_text_is_stored_verbatim(client, session, room, student_headers):
    """No HTML is interpreted server-side: the text comes back exactly as sent (the UI renders text)."""
    text = "<script>alert(1)</script> & <b>bold</b>"
    body = post(client, student_headers, room["id"], text).json()
    assert body["message"] == text
    assert session.exec(select(ChatMessage.message).where(ChatMessage.id == body["id"])).one() == text
