"""Calendar files: one per webinar (`.ics`) and the private per-user feed."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from icalendar import Calendar

from tests.api.test_webinars import NO_CREDS, NOT_FOUND, new_webinar, register
from tests.conftest import auth_headers


@pytest.fixture
def bob_headers(client: Any, other_student: Any) -> dict[str, str]:
    return auth_headers(client, "bob")


def events_of(response: Any) -> list[Any]:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/calendar")
    cal = Calendar.from_ical(response.content)
    return list(cal.walk("VEVENT"))


def webinar_event(client: Any, webinar_id: int) -> Any:
    [event] = events_of(client.get(f"/api/webinars/{webinar_id}/calendar.ics"))
    return event


def test_webinar_ics(client, admin_headers, admin):
    w = new_webinar(client, admin_headers, title="ICS talk", description="about it")
    client.put(
        f"/api/webinars/{w['id']}/",
        json={
            "title": "ICS talk",
            "date": "2031-03-04",
            "time": "22:30",
            "duration": 90,
            "description": "about it",
        },
        headers=admin_headers,
    )
    event = webinar_event(client, w["id"])
    assert str(event["UID"]) == f"webinar-{w['id']}@webinars.local"
    assert str(event["SUMMARY"]) == "ICS talk"
    assert event.decoded("DTSTART") == datetime(2031, 3, 4, 22, 30, tzinfo=UTC)
    assert event.decoded("DTEND") == datetime(2031, 3, 5, 0, 0, tzinfo=UTC)
    assert event.decoded("DTSTART").utcoffset().total_seconds() == 0
    assert "about it" in str(event["DESCRIPTION"])
    assert str(event["STATUS"]) == "CONFIRMED"
    assert admin.email in str(event["ORGANIZER"])


def test_webinar_ics_is_public_and_404s(client, admin_headers):
    w = new_webinar(client, admin_headers)
    assert client.get(f"/api/webinars/{w['id']}/calendar.ics").status_code == 200
    missing = client.get("/api/webinars/999999/calendar.ics")
    assert missing.status_code == 404 and missing.json() == NOT_FOUND


def test_uid_stable_and_sequence_bumps_on_reschedule(client, admin_headers):
    w = new_webinar(client, admin_headers)
    first = webinar_event(client, w["id"])
    client.patch(f"/api/webinars/{w['id']}/", json={"title": "Renamed"}, headers=admin_headers)
    renamed = webinar_event(client, w["id"])
    assert renamed["UID"] == first["UID"]
    assert int(renamed["SEQUENCE"]) == int(first["SEQUENCE"])

    client.patch(
        f"/api/webinars/{w['id']}/", json={"date": "2033-01-02", "time": "12:00"}, headers=admin_headers
    )
    moved = webinar_event(client, w["id"])
    assert moved["UID"] == first["UID"]
    assert int(moved["SEQUENCE"]) == int(first["SEQUENCE"]) + 1
    assert moved.decoded("DTSTART") == datetime(2033, 1, 2, 12, 0, tzinfo=UTC)

    client.patch(f"/api/webinars/{w['id']}/", json={"time": "13:15:00"}, headers=admin_headers)
    assert int(webinar_event(client, w["id"])["SEQUENCE"]) == int(first["SEQUENCE"]) + 2


def test_sequence_bumps_when_only_the_end_moves(client, admin_headers, student_headers):
    w = new_webinar(client, admin_headers, duration=60)
    register(client, student_headers, w["id"])
    before = webinar_event(client, w["id"])
    client.patch(f"/api/webinars/{w['id']}/", json={"duration": 120}, headers=admin_headers)
    after = webinar_event(client, w["id"])
    assert after.decoded("DTSTART") == before.decoded("DTSTART")
    assert (after.decoded("DTEND") - before.decoded("DTEND")).total_seconds() == 3600
    assert int(after["SEQUENCE"]) == int(before["SEQUENCE"]) + 1
    kinds = [
        n["notification_type"]
        for n in client.get("/api/communications/notifications/", headers=student_headers).json()
    ]
    assert "system" in kinds


def test_cancelled_webinar_ics_says_cancelled(client, admin_headers):
    w = new_webinar(client, admin_headers)
    client.post(f"/api/webinars/{w['id']}/cancel/", headers=admin_headers)
    assert str(webinar_event(client, w["id"])["STATUS"]) == "CANCELLED"


def test_feed_url_needs_auth(client):
    response = client.get("/api/calendar/feed/")
    assert response.status_code == 401 and response.json() == NO_CREDS
    assert client.post("/api/calendar/feed/regenerate/").status_code == 401


def test_feed_lists_exactly_my_registered_webinars(client, admin_headers, student_headers, bob_headers):
    a = new_webinar(client, admin_headers, title="A", capacity=1)
    b = new_webinar(client, admin_headers, title="B")
    c = new_webinar(client, admin_headers, title="C")
    register(client, student_headers, a["id"])
    register(client, student_headers, b["id"])
    register(client, bob_headers, c["id"])
    assert register(client, bob_headers, a["id"])["status"] == "waitlisted"

    feed = client.get("/api/calendar/feed/", headers=student_headers)
    assert feed.status_code == 200
    url = feed.json()["url"]
    assert url.startswith("http://testserver/api/calendar/") and url.endswith(".ics")
    assert client.get("/api/calendar/feed/", headers=student_headers).json()["url"] == url  # stable
    uids = {str(e["UID"]) for e in events_of(client.get(url))}
    assert uids == {f"webinar-{a['id']}@webinars.local", f"webinar-{b['id']}@webinars.local"}

    bob_url = client.get("/api/calendar/feed/", headers=bob_headers).json()["url"]
    assert bob_url != url
    # a waitlisted seat is not a registration: only C is on bob's calendar
    bob_uids = {str(e["UID"]) for e in events_of(client.get(bob_url))}
    assert bob_uids == {f"webinar-{c['id']}@webinars.local"}


def test_regenerate_kills_old_secret(client, admin_headers, student_headers):
    w = new_webinar(client, admin_headers)
    register(client, student_headers, w["id"])
    old = client.get("/api/calendar/feed/", headers=student_headers).json()["url"]
    response = client.post("/api/calendar/feed/regenerate/", headers=student_headers)
    assert response.status_code == 200
    new = response.json()["url"]
    assert new != old
    gone = client.get(old)
    assert gone.status_code == 404 and gone.json() == NOT_FOUND
    assert len(events_of(client.get(new))) == 1
    assert client.get("/api/calendar/feed/", headers=student_headers).json()["url"] == new


def test_unknown_secret_404(client):
    response = client.get("/api/calendar/not-a-secret.ics")
    assert response.status_code == 404 and response.json() == NOT_FOUND
