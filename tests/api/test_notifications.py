"""`/api/communications/notifications/`: the caller's own notifications only."""

from __future__ import annotations

from typing import Any

import pytest
from sqlmodel import Session

from tests.api.test_webinars import NO_CREDS, NOT_FOUND, new_webinar
from tests.conftest import auth_headers
from webinar_app.services import notifications

BASE = "/api/communications/notifications/"
KEYS = {
    "id",
    "user",
    "notification_type",
    "notification_type_display",
    "title",
    "content",
    "announcement",
    "event",
    "recording",
    "related_webinar",
    "webinar_title",
    "webinar_id",
    "is_read",
    "created_at",
}


@pytest.fixture
def bob_headers(client: Any, other_student: Any) -> dict[str, str]:
    return auth_headers(client, "bob")


def give(session: Session, user: Any, count: int = 1, **kwargs: Any) -> list[int]:
    ids = []
    for i in range(count):
        [item] = notifications.notify(session, [user.id], "system", f"Notice {i}", f"body {i}", **kwargs)
        ids.append(item.id)
    return ids


def test_shape_with_all_keys_null_when_empty(client, session, student, student_headers):
    [nid] = give(session, student)
    response = client.get(BASE, headers=student_headers)
    assert response.status_code == 200
    [item] = response.json()
    assert set(item) >= KEYS
    assert item["id"] == nid and item["user"] == student.id
    assert item["notification_type"] == "system" and item["notification_type_display"] == "System"
    assert item["title"] == "Notice 0" and item["content"] == "body 0"
    for key in ("announcement", "event", "recording", "related_webinar", "webinar_title", "webinar_id"):
        assert item[key] is None, key
    assert item["is_read"] is False and item["created_at"].endswith("Z")


def test_webinar_fields_filled(client, session, admin_headers, student, student_headers):
    w = new_webinar(client, admin_headers, title="Linked")
    give(session, student, webinar_id=w["id"])
    [item] = client.get(BASE, headers=student_headers).json()
    assert (item["event"], item["related_webinar"], item["webinar_id"]) == (w["id"], w["id"], w["id"])
    assert item["webinar_title"] == "Linked"
    client.delete(f"/api/webinars/{w['id']}/", headers=admin_headers)
    [after] = client.get(BASE, headers=student_headers).json()
    assert after["event"] is None and after["webinar_title"] is None


def test_own_only(client, session, student, other_student, student_headers, bob_headers):
    [mine] = give(session, student)
    [theirs] = give(session, other_student)
    assert [n["id"] for n in client.get(BASE, headers=student_headers).json()] == [mine]
    assert client.get(f"{BASE}{mine}/", headers=student_headers).json()["id"] == mine
    for path in (f"{BASE}{theirs}/", f"{BASE}999999/"):
        response = client.get(path, headers=student_headers)
        assert response.status_code == 404 and response.json() == NOT_FOUND
    for path in (f"{BASE}{theirs}/mark_read/", f"{BASE}{theirs}/mark-read/"):
        assert client.post(path, headers=student_headers).status_code == 404
    assert client.get(f"{BASE}{theirs}/", headers=bob_headers).json()["is_read"] is False


def test_anonymous_401(client):
    for path in (BASE, f"{BASE}unread/", f"{BASE}recent/", f"{BASE}unread_count/"):
        response = client.get(path)
        assert response.status_code == 401 and response.json() == NO_CREDS
    assert client.post(f"{BASE}mark_all_read/").status_code == 401


def test_newest_first_and_recent_max_ten(client, session, student, student_headers):
    ids = give(session, student, count=12)
    listed = [n["id"] for n in client.get(BASE, headers=student_headers).json()]
    assert listed == list(reversed(ids))
    recent = [n["id"] for n in client.get(f"{BASE}recent/", headers=student_headers).json()]
    assert recent == list(reversed(ids))[:10]


def test_unread_filters_count_and_marking(
    client, session, student, other_student, student_headers, bob_headers
):
    a, b, c = give(session, student, count=3)
    give(session, other_student)
    assert client.get(f"{BASE}unread_count/", headers=student_headers).json() == {"count": 3}

    underscore = client.post(f"{BASE}{a}/mark_read/", headers=student_headers)
    assert underscore.status_code == 200 and underscore.json() == {"status": "Notification marked as read"}
    hyphen = client.post(f"{BASE}{b}/mark-read/", headers=student_headers)
    assert hyphen.status_code == 200 and hyphen.json() == {"status": "Notification marked as read"}
    again = client.post(f"{BASE}{b}/mark-read/", headers=student_headers)
    assert again.status_code == 200

    assert client.get(f"{BASE}unread_count/", headers=student_headers).json() == {"count": 1}
    assert [n["id"] for n in client.get(BASE, params={"unread": "true"}, headers=student_headers).json()] == [
        c
    ]
    assert [n["id"] for n in client.get(f"{BASE}unread/", headers=student_headers).json()] == [c]
    assert len(client.get(BASE, params={"unread": "false"}, headers=student_headers).json()) == 3
    assert client.get(f"{BASE}{a}/", headers=student_headers).json()["is_read"] is True

    for path in ("mark_all_read/", "mark-all-read/"):
        response = client.post(f"{BASE}{path}", headers=student_headers)
        assert response.status_code == 200 and response.json() == {
            "status": "All notifications marked as read"
        }
    assert client.get(f"{BASE}unread_count/", headers=student_headers).json() == {"count": 0}
    assert client.get(f"{BASE}unread/", headers=student_headers).json() == []
    # someone else's notifications are untouched
    assert client.get(f"{BASE}unread_count/", headers=bob_headers).json() == {"count": 1}


def test_post_to_list_is_405(client, student_headers):
    response = client.post(BASE, json={"title": "x"}, headers=student_headers)
    assert response.status_code == 405
    assert response.json() == {"detail": 'Method "POST" not allowed.'}
    delete = client.delete(BASE, headers=student_headers)
    assert delete.status_code == 405 and delete.json() == {"detail": 'Method "DELETE" not allowed.'}


def test_registration_events_arrive_as_notifications(client, admin_headers, student_headers):
    w = new_webinar(client, admin_headers, title="Notify me")
    client.post("/api/registrations/register/", json={"event": w["id"]}, headers=student_headers)
    [item] = client.get(BASE, headers=student_headers).json()
    assert item["notification_type"] == "registration_approved"
    assert item["notification_type_display"] == "Registration Approved"
    assert item["webinar_title"] == "Notify me"
