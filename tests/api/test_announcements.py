"""`/api/communications/announcements/`: admin writes, everyone signed in reads, fan-out."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlmodel import select

from tests.api.test_webinars import ADMIN_BODY, NO_CREDS, NOT_FOUND
from tests.conftest import auth_headers, make_user
from webinar_app.core import db
from webinar_app.models import Notification
from webinar_app.realtime import Event, subscribe

BASE = "/api/communications/announcements/"
KEYS = {"id", "sender", "sender_username", "title", "content", "created_at", "updated_at"}


def create(client: Any, headers: dict[str, str], **fields: Any) -> Any:
    return client.post(BASE, json={"title": "Hello all", "content": "Body", **fields}, headers=headers)


def test_admin_creates_and_everyone_else_is_notified(
    client, session, admin, admin_headers, student, student_headers
):
    make_user(session, "bob")
    events: list[Event] = []
    unsubscribe = subscribe(f"user:{student.id}", lambda _t, e: events.append(e))
    try:
        response = create(client, admin_headers)
    finally:
        unsubscribe()
    assert response.status_code == 201
    body = response.json()
    assert set(body) == KEYS and body["sender"] == admin.id and body["sender_username"] == "root"
    assert body["created_at"].endswith("Z")
    notes = client.get("/api/communications/notifications/", headers=student_headers).json()
    assert len(notes) == 1
    note = notes[0]
    assert note["notification_type"] == "announcement" and note["announcement"] == body["id"]
    assert note["title"] == "Hello all" and note["content"] == "Body" and note["event"] is None
    assert [e.kind for e in events] == ["notification"] and events[0].data["id"] == note["id"]
    rows = list(session.exec(select(Notification.user_id).where(Notification.announcement_id == body["id"])))
    assert admin.id not in rows and len(rows) == 2  # everyone but the sender


def test_fan_out_is_one_insert(client, session, admin_headers):
    for i in range(20):
        make_user(session, f"user{i}")
    inserts: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.lstrip().upper().startswith("INSERT INTO NOTIFICATIONS"):
            inserts.append(statement)

    engine = db.get_engine()
    event.listen(engine, "before_cursor_execute", count)
    try:
        assert create(client, admin_headers).status_code == 201
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert len(inserts) == 1
    assert len(list(session.exec(select(Notification)))) == 20


def test_inactive_users_are_not_notified(client, session, admin_headers):
    dormant = make_user(session, "dormant")
    dormant.is_active = False
    session.add(dormant)
    session.commit()
    create(client, admin_headers)
    assert list(session.exec(select(Notification).where(Notification.user_id == dormant.id))) == []


def test_student_cannot_write(client, student_headers, admin_headers):
    assert create(client, student_headers).json() == ADMIN_BODY
    made = create(client, admin_headers).json()
    assert (
        client.patch(f"{BASE}{made['id']}/", json={"title": "x"}, headers=student_headers).status_code == 403
    )
    assert client.delete(f"{BASE}{made['id']}/", headers=student_headers).status_code == 403


def test_validation(client, admin_headers):
    response = client.post(BASE, json={"title": "  "}, headers=admin_headers)
    assert response.status_code == 400
    assert response.json() == {
        "title": ["This field may not be blank."],
        "content": ["This field is required."],
    }


def test_read_list_detail_recent(client, admin_headers, student_headers):
    assert client.get(BASE).status_code == 401 and client.get(BASE).json() == NO_CREDS
    ids = [create(client, admin_headers, title=f"n{i}").json()["id"] for i in range(12)]
    listed = client.get(BASE, headers=student_headers).json()
    assert [a["id"] for a in listed] == list(reversed(ids))
    recent = client.get(BASE + "recent/", headers=student_headers)
    assert recent.status_code == 200 and [a["id"] for a in recent.json()] == list(reversed(ids))[:10]
    detail = client.get(f"{BASE}{ids[0]}/", headers=student_headers)
    assert detail.status_code == 200 and detail.json()["title"] == "n0"
    assert client.get(f"{BASE}999/", headers=student_headers).json() == NOT_FOUND


def test_update_and_delete(client, admin_headers, student_headers):
    made = create(client, admin_headers).json()
    patched = client.patch(f"{BASE}{made['id']}/", json={"content": "New body"}, headers=admin_headers)
    assert patched.status_code == 200 and patched.json()["content"] == "New body"
    assert patched.json()["title"] == "Hello all"
    put = client.put(f"{BASE}{made['id']}/", data={"title": "T2", "content": "C2"}, headers=admin_headers)
    assert put.status_code == 200 and put.json()["title"] == "T2"
    deleted = client.delete(f"{BASE}{made['id']}/", headers=admin_headers)
    assert deleted.status_code == 204 and deleted.content == b""
    assert client.get(f"{BASE}{made['id']}/", headers=admin_headers).status_code == 404
    # The notification it produced stays, without the dangling link.
    notes = client.get("/api/communications/notifications/", headers=student_headers).json()
    assert len(notes) == 1 and notes[0]["announcement"] is None


def test_bob_sees_it_too(client, session, admin_headers):
    make_user(session, "bob")
    create(client, admin_headers)
    bob = auth_headers(client, "bob")
    assert client.get("/api/communications/notifications/unread_count/", headers=bob).json() == {"count": 1}
