"""`/api/registrations/`: register, waitlist, unregister, visibility, attendance."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from tests.api.test_webinars import EVENT_KEYS, NO_CREDS, NOT_FOUND, new_webinar, register
from tests.conftest import auth_headers, make_user

REG_KEYS = {
    "id",
    "user",
    "user_username",
    "user_email",
    "event",
    "event_details",
    "registered_on",
    "attended",
    "status",
}
DUPLICATE = {"event": ["You are already registered for this webinar."]}


@pytest.fixture
def bob_headers(client: Any, other_student: Any) -> dict[str, str]:
    return auth_headers(client, "bob")


@pytest.fixture
def carol_headers(client: Any, session: Any) -> dict[str, str]:
    make_user(session, "carol")
    return auth_headers(client, "carol")


def notifications_of(client: Any, headers: dict[str, str]) -> list[dict[str, Any]]:
    response = client.get("/api/communications/notifications/", headers=headers)
    assert response.status_code == 200
    return response.json()


def test_register_shape(client, admin_headers, student, student_headers):
    w = new_webinar(client, admin_headers, title="Reg", capacity=2)
    body = register(client, student_headers, w["id"])
    assert set(body) >= REG_KEYS
    assert (
        body["user"] == student.id
        and body["user_username"] == "alice"
        and body["user_email"] == student.email
    )
    assert body["event"] == w["id"] and body["status"] == "confirmed" and body["attended"] is False
    assert body["registered_on"].endswith("Z")
    details = body["event_details"]
    assert set(details) >= EVENT_KEYS
    assert details["id"] == w["id"] and details["is_registered"] is True
    assert details["registration_status"] == "confirmed" and details["registration_count"] == 1
    assert details["seats_left"] == 1
    approved = [
        n
        for n in notifications_of(client, student_headers)
        if n["notification_type"] == "registration_approved"
    ]
    assert [n["event"] for n in approved] == [w["id"]]


def test_register_via_collection_post_and_form(client, admin_headers, student_headers, bob_headers):
    w = new_webinar(client, admin_headers)
    response = client.post("/api/registrations/", json={"event": w["id"]}, headers=student_headers)
    assert response.status_code == 201 and response.json()["event"] == w["id"]
    form = client.post("/api/registrations/", data={"event": str(w["id"])}, headers=bob_headers)
    assert form.status_code == 201 and form.json()["status"] == "confirmed"
    again = client.post("/api/registrations/", json={"event": w["id"]}, headers=student_headers)
    assert again.status_code == 400 and again.json() == DUPLICATE


def test_duplicate_registration(client, admin_headers, student_headers):
    w = new_webinar(client, admin_headers)
    register(client, student_headers, w["id"])
    response = client.post("/api/registrations/register/", json={"event": w["id"]}, headers=student_headers)
    assert response.status_code == 400 and response.json() == DUPLICATE
    assert client.get(f"/api/webinars/{w['id']}/").json()["registration_count"] == 1


@pytest.mark.parametrize("event", [999999, None, "", "abc", True])
def test_register_bad_event(client, student_headers, event):
    body = {} if event is None else {"event": event}
    response = client.post("/api/registrations/register/", json=body, headers=student_headers)
    assert response.status_code == 400
    assert list(response.json()) == ["event"]


def test_register_completed_webinar_refused(client, admin_headers, student_headers):
    past = new_webinar(client, admin_headers, when=timedelta(days=-2))
    response = client.post(
        "/api/registrations/register/", json={"event": past["id"]}, headers=student_headers
    )
    assert response.status_code == 400 and list(response.json()) == ["event"]
    marked = new_webinar(client, admin_headers)
    client.post(f"/api/webinars/{marked['id']}/mark_completed/", headers=admin_headers)
    response = client.post("/api/registrations/", json={"event": marked["id"]}, headers=student_headers)
    assert response.status_code == 400 and list(response.json()) == ["event"]
    assert client.get("/api/registrations/", headers=student_headers).json() == []


def test_register_live_webinar_allowed(client, admin_headers, student_headers):
    live = new_webinar(client, admin_headers, when=timedelta(minutes=-5), duration=60)
    assert register(client, student_headers, live["id"])["status"] == "confirmed"


def test_anonymous_is_401_everywhere(client, admin_headers):
    w = new_webinar(client, admin_headers)
    for method, path in [
        ("post", "/api/registrations/register/"),
        ("post", "/api/registrations/"),
        ("get", "/api/registrations/"),
        ("get", "/api/registrations/my_registrations/"),
        ("get", "/api/registrations/1/"),
        ("delete", "/api/registrations/1/unregister/"),
    ]:
        kwargs = {"json": {"event": w["id"]}} if method == "post" else {}
        response = getattr(client, method)(path, **kwargs)
        assert response.status_code == 401 and response.json() == NO_CREDS, path


def test_full_webinar_waitlists(client, admin_headers, student_headers, bob_headers):
    w = new_webinar(client, admin_headers, capacity=1)
    register(client, student_headers, w["id"])
    response = client.post("/api/registrations/register/", json={"event": w["id"]}, headers=bob_headers)
    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "waitlisted"
    assert body["event_details"]["is_registered"] is False
    assert body["event_details"]["registration_status"] == "waitlisted"
    detail = client.get(f"/api/webinars/{w['id']}/", headers=bob_headers).json()
    assert detail["is_registered"] is False and detail["registration_status"] == "waitlisted"
    assert detail["registration_count"] == 1 and detail["seats_left"] == 0
    assert not [
        n for n in notifications_of(client, bob_headers) if n["notification_type"] == "registration_approved"
    ]
    dup = client.post("/api/registrations/register/", json={"event": w["id"]}, headers=bob_headers)
    assert dup.status_code == 400 and dup.json() == DUPLICATE


def test_unregister_promotes_first_waitlisted(
    client, admin_headers, student_headers, bob_headers, carol_headers
):
    w = new_webinar(client, admin_headers, capacity=1)
    mine = register(client, student_headers, w["id"])
    bob = register(client, bob_headers, w["id"])
    carol = register(client, carol_headers, w["id"])
    assert (bob["status"], carol["status"]) == ("waitlisted", "waitlisted")

    response = client.delete(f"/api/registrations/{mine['id']}/unregister/", headers=student_headers)
    assert response.status_code == 204 and response.content == b""
    assert client.get(f"/api/registrations/{bob['id']}/", headers=bob_headers).json()["status"] == "confirmed"
    assert (
        client.get(f"/api/registrations/{carol['id']}/", headers=carol_headers).json()["status"]
        == "waitlisted"
    )
    approved = [
        n for n in notifications_of(client, bob_headers) if n["notification_type"] == "registration_approved"
    ]
    assert [n["event"] for n in approved] == [w["id"]]
    assert not [
        n
        for n in notifications_of(client, carol_headers)
        if n["notification_type"] == "registration_approved"
    ]
    detail = client.get(f"/api/webinars/{w['id']}/", headers=bob_headers).json()
    assert detail["is_registered"] is True and detail["registration_count"] == 1

    # the user may register again later: behind carol in the queue
    again = register(client, student_headers, w["id"])
    assert again["status"] == "waitlisted"


def test_unregistering_waitlisted_promotes_nobody(
    client, admin_headers, student_headers, bob_headers, carol_headers
):
    w = new_webinar(client, admin_headers, capacity=1)
    register(client, student_headers, w["id"])
    bob = register(client, bob_headers, w["id"])
    carol = register(client, carol_headers, w["id"])
    response = client.delete(f"/api/registrations/{bob['id']}/unregister/", headers=bob_headers)
    assert response.status_code == 204
    assert (
        client.get(f"/api/registrations/{carol['id']}/", headers=carol_headers).json()["status"]
        == "waitlisted"
    )
    assert client.get(f"/api/webinars/{w['id']}/").json()["registration_count"] == 1


def test_raising_capacity_promotes_in_order(
    client, admin_headers, student_headers, bob_headers, carol_headers
):
    w = new_webinar(client, admin_headers, capacity=1)
    register(client, student_headers, w["id"])
    bob = register(client, bob_headers, w["id"])
    carol = register(client, carol_headers, w["id"])
    client.patch(f"/api/webinars/{w['id']}/", json={"capacity": 2}, headers=admin_headers)
    assert client.get(f"/api/registrations/{bob['id']}/", headers=bob_headers).json()["status"] == "confirmed"
    assert (
        client.get(f"/api/registrations/{carol['id']}/", headers=carol_headers).json()["status"]
        == "waitlisted"
    )
    client.patch(f"/api/webinars/{w['id']}/", json={"capacity": ""}, headers=admin_headers)
    assert (
        client.get(f"/api/registrations/{carol['id']}/", headers=carol_headers).json()["status"]
        == "confirmed"
    )
    detail = client.get(f"/api/webinars/{w['id']}/").json()
    assert detail["registration_count"] == 3 and detail["capacity"] is None and detail["seats_left"] is None


def test_read_and_delete_own_or_admin(client, admin_headers, student_headers, bob_headers):
    w = new_webinar(client, admin_headers)
    mine = register(client, student_headers, w["id"])
    path = f"/api/registrations/{mine['id']}/"
    assert client.get(path, headers=student_headers).json()["id"] == mine["id"]
    assert client.get(path, headers=admin_headers).json()["user_username"] == "alice"
    other = client.get(path, headers=bob_headers)
    assert other.status_code == 404 and other.json() == NOT_FOUND
    assert client.delete(path, headers=bob_headers).status_code == 404
    assert client.delete(f"{path}unregister/", headers=bob_headers).status_code == 404
    assert client.get(path, headers=student_headers).status_code == 200
    assert client.get("/api/registrations/999999/", headers=admin_headers).status_code == 404

    deleted = client.delete(path, headers=admin_headers)
    assert deleted.status_code == 204 and deleted.content == b""
    assert client.get(path, headers=student_headers).status_code == 404
    assert client.get(f"/api/webinars/{w['id']}/").json()["registration_count"] == 0


def test_list_own_vs_admin(client, admin_headers, student_headers, bob_headers):
    a = new_webinar(client, admin_headers, title="A")
    b = new_webinar(client, admin_headers, title="B")
    ra = register(client, student_headers, a["id"])
    rb = register(client, student_headers, b["id"])
    bob_a = register(client, bob_headers, a["id"])

    mine = {r["id"] for r in client.get("/api/registrations/", headers=student_headers).json()}
    assert mine == {ra["id"], rb["id"]}
    own = {
        r["id"] for r in client.get("/api/registrations/my_registrations/", headers=student_headers).json()
    }
    assert own == mine
    everyone = {r["id"] for r in client.get("/api/registrations/", headers=admin_headers).json()}
    assert everyone == {ra["id"], rb["id"], bob_a["id"]}
    for_a = client.get("/api/registrations/", params={"event": a["id"]}, headers=admin_headers).json()
    assert {r["id"] for r in for_a} == {ra["id"], bob_a["id"]}
    # a non-host student filtering by event still only sees their own
    bob_view = client.get("/api/registrations/", params={"event": a["id"]}, headers=bob_headers).json()
    assert [r["id"] for r in bob_view] == [bob_a["id"]]
    assert client.get("/api/registrations/my_registrations/", headers=admin_headers).json() == []


def test_event_details_is_registered_is_for_the_viewer(client, admin_headers, student_headers):
    w = new_webinar(client, admin_headers)
    register(client, student_headers, w["id"])
    [row] = client.get("/api/registrations/", headers=admin_headers).json()
    assert row["event_details"]["is_registered"] is False
    [own] = client.get("/api/registrations/", headers=student_headers).json()
    assert own["event_details"]["is_registered"] is True


def test_organizer_sees_registrations_of_their_webinar(
    client, admin_headers, student, student_headers, bob_headers, carol_headers
):
    hosted = new_webinar(client, admin_headers, title="Hosted", organizer=student.id)
    other = new_webinar(client, admin_headers, title="Other")
    bob = register(client, bob_headers, hosted["id"])
    carol = register(client, carol_headers, hosted["id"])
    register(client, bob_headers, other["id"])
    rows = client.get("/api/registrations/", params={"event": hosted["id"]}, headers=student_headers).json()
    assert {r["id"] for r in rows} == {bob["id"], carol["id"]}
    assert (
        client.get("/api/registrations/", params={"event": other["id"]}, headers=student_headers).json() == []
    )
    assert client.get("/api/registrations/", headers=student_headers).json() == []


def test_patch_attended(client, admin_headers, student_headers):
    w = new_webinar(client, admin_headers)
    mine = register(client, student_headers, w["id"])
    path = f"/api/registrations/{mine['id']}/"
    refused = client.patch(path, json={"attended": True}, headers=student_headers)
    assert refused.status_code == 403
    assert client.get(path, headers=student_headers).json()["attended"] is False
    ok = client.patch(path, json={"attended": True}, headers=admin_headers)
    assert ok.status_code == 200 and ok.json()["attended"] is True
    assert client.get(path, headers=student_headers).json()["attended"] is True
    form = client.patch(path, data={"attended": "false"}, headers=admin_headers)
    assert form.status_code == 200 and form.json()["attended"] is False
    bad = client.patch(path, json={"attended": "maybe"}, headers=admin_headers)
    assert bad.status_code == 400 and list(bad.json()) == ["attended"]
    # a PATCH without attended changes nothing and is allowed for the owner
    assert client.patch(path, json={}, headers=student_headers).status_code == 200


def test_patch_other_students_registration_is_404(client, admin_headers, student_headers, bob_headers):
    w = new_webinar(client, admin_headers)
    mine = register(client, student_headers, w["id"])
    response = client.patch(f"/api/registrations/{mine['id']}/", json={"attended": True}, headers=bob_headers)
    assert response.status_code == 404 and response.json() == NOT_FOUND
