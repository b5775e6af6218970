"""`/api/webinars/`: catalog, filters, detail, admin writes, cancel and reschedule."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from PIL import Image

from tests.conftest import auth_headers, make_user

ADMIN_BODY = {"detail": "You do not have permission to perform this action. Admin access required."}
NO_CREDS = {"detail": "Authentication credentials were not provided."}
NOT_FOUND = {"detail": "Not found."}

EVENT_KEYS = {
    "id",
    "title",
    "description",
    "date",
    "time",
    "duration",
    "price",
    "is_free",
    "thumbnail",
    "organizer",
    "organizer_name",
    "status",
    "is_registered",
    "start_time",
    "end_time",
    "created_at",
    "updated_at",
    "capacity",
    "seats_left",
    "registration_count",
    "registration_status",
    "is_cancelled",
}
DETAIL_KEYS = EVENT_KEYS | {"live_stream_url", "manual_status", "organizer_email"}


def at(delta: timedelta) -> tuple[str, str]:
    """(date, time) strings for now + delta, in UTC, to the minute."""
    moment = (datetime.now(UTC) + delta).replace(second=0, microsecond=0)
    return moment.date().isoformat(), moment.strftime("%H:%M:%S")


def new_webinar(
    client: Any, headers: dict[str, str], *, when: timedelta = timedelta(days=3), **fields: Any
) -> dict[str, Any]:
    day, clock = at(when)
    body: dict[str, Any] = {"title": "Talk", "date": day, "time": clock, **fields}
    response = client.post("/api/webinars/", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


def png_bytes(size: tuple[int, int] = (40, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


def register(client: Any, headers: dict[str, str], webinar_id: int) -> dict[str, Any]:
    response = client.post("/api/registrations/register/", json={"event": webinar_id}, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


@pytest.fixture
def bob_headers(client: Any, other_student: Any) -> dict[str, str]:
    return auth_headers(client, "bob")


# ------------------------------------------------------------------ list and shapes


def test_list_shape_for_anonymous_and_registered_caller(client, admin_headers, student_headers):
    w = new_webinar(client, admin_headers, title="Shape", capacity=5, price="19.99", duration=45)
    anon = client.get("/api/webinars/")
    assert anon.status_code == 200
    [item] = anon.json()
    assert set(item) >= EVENT_KEYS
    assert item["is_registered"] is False and item["registration_status"] is None
    assert item["capacity"] == 5 and item["seats_left"] == 5 and item["registration_count"] == 0
    assert item["price"] == "19.99" and item["is_free"] is False
    assert item["duration"] == 45 and item["thumbnail"] is None
    assert item["start_time"] == f"{item['date']}T{item['time']}+00:00"
    assert item["created_at"].endswith("Z") and item["updated_at"].endswith("Z")
    assert item["status"] == "upcoming" and item["is_cancelled"] is False

    register(client, student_headers, w["id"])
    [mine] = client.get("/api/webinars/", headers=student_headers).json()
    assert mine["is_registered"] is True and mine["registration_status"] == "confirmed"
    assert mine["registration_count"] == 1 and mine["seats_left"] == 4
    [anon_again] = client.get("/api/webinars/").json()
    assert anon_again["is_registered"] is False and anon_again["registration_count"] == 1


def test_unlimited_capacity_is_null(client, admin_headers):
    w = new_webinar(client, admin_headers)
    assert w["capacity"] is None and w["seats_left"] is None
    assert w["price"] == "0.00" and w["is_free"] is True


def test_newest_date_first(client, admin_headers):
    a = new_webinar(client, admin_headers, title="soon", when=timedelta(days=1))
    b = new_webinar(client, admin_headers, title="later", when=timedelta(days=10))
    c = new_webinar(client, admin_headers, title="past", when=timedelta(days=-5))
    ids = [w["id"] for w in client.get("/api/webinars/").json()]
    assert ids == [b["id"], a["id"], c["id"]]


@pytest.fixture
def three(client, admin_headers) -> dict[str, dict[str, Any]]:
    return {
        "past": new_webinar(client, admin_headers, title="Past", when=timedelta(days=-2)),
        "live": new_webinar(client, admin_headers, title="Live", when=timedelta(minutes=-10), duration=60),
        "future": new_webinar(client, admin_headers, title="Future", when=timedelta(days=2)),
    }


def test_status_is_computed(three):
    assert three["past"]["status"] == "completed"
    assert three["live"]["status"] == "live"
    assert three["future"]["status"] == "upcoming"


@pytest.mark.parametrize("status", ["upcoming", "live", "completed"])
def test_status_filter_and_shortcut_routes_are_open_to_anonymous(client, three, status):
    expected = {"upcoming": "future", "live": "live", "completed": "past"}[status]
    by_filter = client.get("/api/webinars/", params={"status": status})
    by_route = client.get(f"/api/webinars/{status}/")
    for response in (by_filter, by_route):
        assert response.status_code == 200
        assert [w["id"] for w in response.json()] == [three[expected]["id"]]
        assert response.headers["X-Total-Count"] == "1"


def test_invalid_status_filter_is_400(client):
    response = client.get("/api/webinars/", params={"status": "nope"})
    assert response.status_code == 400
    assert "status" in response.json()


def test_manual_completed_counts_as_completed(client, admin_headers, three):
    future_id = three["future"]["id"]
    response = client.post(f"/api/webinars/{future_id}/mark_completed/", headers=admin_headers)
    assert response.status_code == 200
    assert response.json() == {"status": "Webinar marked as completed"}
    completed = {w["id"] for w in client.get("/api/webinars/completed/").json()}
    assert completed == {three["past"]["id"], future_id}
    assert client.get("/api/webinars/upcoming/").json() == []
    assert client.get(f"/api/webinars/{future_id}/").json()["manual_status"] == "completed"


def test_mark_completed_needs_admin(client, student_headers, admin_headers):
    w = new_webinar(client, admin_headers)
    response = client.post(f"/api/webinars/{w['id']}/mark_completed/", headers=student_headers)
    assert response.status_code == 403 and response.json() == ADMIN_BODY
    assert client.post("/api/webinars/999999/mark_completed/", headers=admin_headers).status_code == 404


def test_organizer_filter(client, admin_headers, session, student):
    mine = new_webinar(client, admin_headers, title="Mine")
    theirs = new_webinar(client, admin_headers, title="Theirs", organizer=student.id)
    assert theirs["organizer"] == student.id and theirs["organizer_name"] == "alice"
    got = client.get("/api/webinars/", params={"organizer": student.id}).json()
    assert [w["id"] for w in got] == [theirs["id"]]
    assert mine["id"] not in [w["id"] for w in got]


def test_my_only(client, admin_headers, student_headers):
    a = new_webinar(client, admin_headers, title="A")
    new_webinar(client, admin_headers, title="B")
    register(client, student_headers, a["id"])
    got = client.get("/api/webinars/", params={"my_only": "true"}, headers=student_headers).json()
    assert [w["id"] for w in got] == [a["id"]]
    assert client.get("/api/webinars/", params={"my_only": "true"}).json() == []


def test_search_over_title_description_and_organizer(client, admin_headers, session):
    host = make_user(session, "zelda")
    t = new_webinar(client, admin_headers, title="Quantum Basics")
    d = new_webinar(client, admin_headers, title="Other", description="all about QUANTUM stuff")
    o = new_webinar(client, admin_headers, title="Third", organizer=host.id)
    new_webinar(client, admin_headers, title="Unrelated")
    found = {w["id"] for w in client.get("/api/webinars/", params={"search": "quantum"}).json()}
    assert found == {t["id"], d["id"]}
    by_host = client.get("/api/webinars/", params={"search": "zeld"}).json()
    assert [w["id"] for w in by_host] == [o["id"]]


def test_category_filter(client, admin_headers):
    py = new_webinar(client, admin_headers, title="Py", category="Python")
    new_webinar(client, admin_headers, title="Go", category="Go")
    got = client.get("/api/webinars/", params={"category": "python"}).json()
    assert [w["id"] for w in got] == [py["id"]]
    assert got[0]["category"] == "Python"


def test_limit_offset_and_total_count(client, admin_headers):
    ids = [
        new_webinar(client, admin_headers, title=f"W{i}", when=timedelta(days=i + 1))["id"] for i in range(5)
    ]
    newest_first = list(reversed(ids))
    full = client.get("/api/webinars/")
    assert [w["id"] for w in full.json()] == newest_first
    assert full.headers["X-Total-Count"] == "5"
    page = client.get("/api/webinars/", params={"limit": 2, "offset": 1})
    assert [w["id"] for w in page.json()] == newest_first[1:3]
    assert page.headers["X-Total-Count"] == "5"


# ------------------------------------------------------------------ detail


def test_detail_shape(client, admin_headers, admin, student_headers):
    w = new_webinar(client, admin_headers, live_stream_url="https://stream.example/x", capacity=3)
    register(client, student_headers, w["id"])
    response = client.get(f"/api/webinars/{w['id']}/", headers=student_headers)
    assert response.status_code == 200
    body = response.json()
    assert set(body) >= DETAIL_KEYS
    assert body["live_stream_url"] == "https://stream.example/x"
    assert body["manual_status"] == ""
    assert body["organizer_email"] == admin.email
    assert body["registration_count"] == 1 and body["is_registered"] is True


def test_detail_404s(client):
    assert client.get("/api/webinars/999999/").json() == NOT_FOUND
    assert client.get("/api/webinars/999999/").status_code == 404
    response = client.get("/api/webinars/abc/")
    assert response.status_code == 404 and response.json() == NOT_FOUND


# ------------------------------------------------------------------ create


def test_create_json_as_admin(client, admin_headers, admin):
    day, _ = at(timedelta(days=4))
    response = client.post(
        "/api/webinars/",
        json={
            "title": "Future Talk",
            "description": "d",
            "date": day,
            "time": "10:00",
            "duration": 45,
            "price": "19.99",
        },
        headers=admin_headers,
    )
    assert response.status_code == 201
    body = response.json()
    assert set(body) >= EVENT_KEYS
    assert body["time"] == "10:00:00" and body["date"] == day
    assert body["start_time"] == f"{day}T10:00:00+00:00" and body["end_time"] == f"{day}T10:45:00+00:00"
    assert body["organizer"] == admin.id and body["organizer_name"] == "root"
    assert body["price"] == "19.99" and body["description"] == "d"


def test_create_multipart_with_real_thumbnail(client, admin_headers):
    day, _ = at(timedelta(days=4))
    response = client.post(
        "/api/webinars/",
        data={"title": "Pic", "date": day, "time": "09:30", "capacity": "", "price": "5"},
        files={"thumbnail": ("t.png", png_bytes(), "image/png")},
        headers=admin_headers,
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["capacity"] is None and body["price"] == "5.00"
    url = body["thumbnail"]
    assert url.startswith("http://testserver/media/webinar_thumbnails/")
    image = client.get(url)
    assert image.status_code == 200
    assert Image.open(io.BytesIO(image.content)).size == (40, 30)


def test_fake_thumbnail_refused_and_nothing_created(client, admin_headers):
    day, _ = at(timedelta(days=4))
    response = client.post(
        "/api/webinars/",
        data={"title": "Fake", "date": day, "time": "09:30"},
        files={"thumbnail": ("t.png", b"not really a png", "image/png")},
        headers=admin_headers,
    )
    assert response.status_code == 400
    assert list(response.json()) == ["thumbnail"]
    assert client.get("/api/webinars/").json() == []


def test_create_refused_for_student_and_anonymous(client, student_headers):
    day, _ = at(timedelta(days=4))
    body = {"title": "x", "date": day, "time": "10:00"}
    student = client.post("/api/webinars/", json=body, headers=student_headers)
    assert student.status_code == 403 and student.json() == ADMIN_BODY
    anon = client.post("/api/webinars/", json=body)
    assert anon.status_code == 401 and anon.json() == NO_CREDS
    assert client.get("/api/webinars/").json() == []


def test_create_missing_and_malformed_fields(client, admin_headers):
    response = client.post("/api/webinars/", json={"title": "", "date": "27/11/2026"}, headers=admin_headers)
    assert response.status_code == 400
    assert response.json() == {
        "title": ["This field may not be blank."],
        "date": ["Date has wrong format. Use one of these formats instead: YYYY-MM-DD."],
        "time": ["This field is required."],
    }
    missing = client.post("/api/webinars/", json={}, headers=admin_headers).json()
    assert missing["title"] == ["This field is required."]
    assert missing["date"] == ["This field is required."]
    blank = client.post(
        "/api/webinars/", json={"title": "   ", "date": "2026-01-01", "time": "10:00"}, headers=admin_headers
    )
    assert blank.json() == {"title": ["This field may not be blank."]}
    bad_time = client.post(
        "/api/webinars/", json={"title": "t", "date": "2026-01-01", "time": "25:99"}, headers=admin_headers
    )
    assert bad_time.status_code == 400 and list(bad_time.json()) == ["time"]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("duration", 0),
        ("duration", -5),
        ("duration", "abc"),
        ("price", "-1"),
        ("price", "abc"),
        ("price", "1.999"),
        ("capacity", 0),
        ("capacity", -3),
        ("capacity", "many"),
        ("live_stream_url", "ftp://stream.example/x"),
        ("live_stream_url", "javascript:alert(1)"),
        ("live_stream_url", "not a url"),
        ("manual_status", "paused"),
    ],
)
def test_create_field_validation(client, admin_headers, field, value):
    day, _ = at(timedelta(days=4))
    response = client.post(
        "/api/webinars/",
        json={"title": "t", "date": day, "time": "10:00", field: value},
        headers=admin_headers,
    )
    assert response.status_code == 400, response.text
    assert list(response.json()) == [field]
    assert client.get("/api/webinars/").json() == []


def test_create_accepted_edge_values(client, admin_headers):
    w = new_webinar(
        client, admin_headers, price=0, capacity=1, duration=1, live_stream_url="http://s.example/a"
    )
    assert w["price"] == "0.00" and w["capacity"] == 1 and w["duration"] == 1
    float_price = new_webinar(client, admin_headers, price=19.99)
    assert float_price["price"] == "19.99"
    empty_capacity = new_webinar(client, admin_headers, capacity="")
    assert empty_capacity["capacity"] is None
    null_capacity = new_webinar(client, admin_headers, capacity=None)
    assert null_capacity["capacity"] is None
    detail = client.get(f"/api/webinars/{w['id']}/").json()
    assert detail["live_stream_url"] == "http://s.example/a"


def test_organizer_must_be_an_active_user(client, admin_headers, session):
    from webinar_app.models import User

    gone = make_user(session, "gone")
    user = session.get(User, gone.id)
    user.is_active = False
    session.add(user)
    session.commit()
    for value in (gone.id, 999999):
        day, _ = at(timedelta(days=4))
        response = client.post(
            "/api/webinars/",
            json={"title": "t", "date": day, "time": "10:00", "organizer": value},
            headers=admin_headers,
        )
        assert response.status_code == 400 and list(response.json()) == ["organizer"]


# ------------------------------------------------------------------ update / delete


def test_put_needs_title_date_time(client, admin_headers):
    w = new_webinar(client, admin_headers)
    response = client.put(f"/api/webinars/{w['id']}/", json={"description": "x"}, headers=admin_headers)
    assert response.status_code == 400
    assert response.json() == {k: ["This field is required."] for k in ("title", "date", "time")}
    ok = client.put(
        f"/api/webinars/{w['id']}/",
        json={"title": "New", "date": "2031-05-06", "time": "08:15", "description": "x"},
        headers=admin_headers,
    )
    assert ok.status_code == 200
    body = ok.json()
    assert (body["title"], body["date"], body["time"], body["description"]) == (
        "New",
        "2031-05-06",
        "08:15:00",
        "x",
    )


def test_patch_fields_and_manual_status(client, admin_headers, student, student_headers):
    w = new_webinar(client, admin_headers, live_stream_url="https://a.example/")
    response = client.patch(
        f"/api/webinars/{w['id']}/",
        json={
            "title": "Renamed",
            "live_stream_url": "https://b.example/live",
            "organizer": student.id,
            "price": "2.50",
        },
        headers=admin_headers,
    )
    assert response.status_code == 200
    body = response.json()
    assert body["title"] == "Renamed" and body["organizer"] == student.id and body["price"] == "2.50"
    assert body["date"] == w["date"] and body["time"] == w["time"]
    detail = client.get(f"/api/webinars/{w['id']}/").json()
    assert detail["live_stream_url"] == "https://b.example/live"
    assert detail["organizer_email"] == student.email

    completed = client.patch(
        f"/api/webinars/{w['id']}/", json={"manual_status": "completed"}, headers=admin_headers
    )
    assert completed.json()["status"] == "completed"
    reset = client.patch(f"/api/webinars/{w['id']}/", json={"manual_status": ""}, headers=admin_headers)
    assert reset.json()["status"] == "upcoming"

    refused = client.patch(f"/api/webinars/{w['id']}/", json={"title": "x"}, headers=student_headers)
    assert refused.status_code == 403 and refused.json() == ADMIN_BODY
    assert client.patch(f"/api/webinars/{w['id']}/", json={"title": "x"}).status_code == 401
    assert (
        client.patch("/api/webinars/999999/", json={"title": "x"}, headers=admin_headers).status_code == 404
    )
    invalid = client.patch(f"/api/webinars/{w['id']}/", json={"duration": 0}, headers=admin_headers)
    assert invalid.status_code == 400 and list(invalid.json()) == ["duration"]


def test_patch_thumbnail_multipart(client, admin_headers):
    w = new_webinar(client, admin_headers)
    response = client.patch(
        f"/api/webinars/{w['id']}/",
        files={"thumbnail": ("t.png", png_bytes((10, 10)), "image/png")},
        headers=admin_headers,
    )
    assert response.status_code == 200
    assert client.get(response.json()["thumbnail"]).status_code == 200


def test_delete(client, admin_headers, student_headers):
    w = new_webinar(client, admin_headers)
    register(client, student_headers, w["id"])
    refused = client.delete(f"/api/webinars/{w['id']}/", headers=student_headers)
    assert refused.status_code == 403 and refused.json() == ADMIN_BODY
    response = client.delete(f"/api/webinars/{w['id']}/", headers=admin_headers)
    assert response.status_code == 204 and response.content == b""
    assert client.get(f"/api/webinars/{w['id']}/").status_code == 404
    assert client.get("/api/registrations/", headers=student_headers).json() == []
    assert client.delete(f"/api/webinars/{w['id']}/", headers=admin_headers).status_code == 404


# ------------------------------------------------------------------ cancel


def test_cancel_hides_refuses_and_notifies(client, admin_headers, student_headers, bob_headers):
    w = new_webinar(client, admin_headers, title="Doomed", capacity=1)
    register(client, student_headers, w["id"])
    waiting = register(client, bob_headers, w["id"])
    assert waiting["status"] == "waitlisted"

    response = client.post(f"/api/webinars/{w['id']}/cancel/", headers=admin_headers)
    assert response.status_code == 200
    detail = client.get(f"/api/webinars/{w['id']}/").json()
    assert detail["status"] == "cancelled" and detail["is_cancelled"] is True
    assert detail["manual_status"] == "cancelled"

    for path in (
        "/api/webinars/",
        "/api/webinars/upcoming/",
        "/api/webinars/live/",
        "/api/webinars/completed/",
    ):
        assert client.get(path, headers=admin_headers).json() == []
    assert client.get("/api/webinars/", params={"my_only": "true"}, headers=student_headers).json() == []

    for headers in (student_headers, bob_headers):
        kinds = [
            (n["notification_type"], n["event"])
            for n in client.get("/api/communications/notifications/", headers=headers).json()
        ]
        assert ("system", w["id"]) in kinds

    late = client.post(
        "/api/registrations/register/", json={"event": w["id"]}, headers=auth_headers(client, "root")
    )
    assert late.status_code == 400 and list(late.json()) == ["event"]


def test_cancelled_listing_visibility(client, admin_headers, session, student, student_headers, bob_headers):
    hosted = new_webinar(client, admin_headers, title="Hosted", organizer=student.id)
    other = new_webinar(client, admin_headers, title="Other")
    for w in (hosted, other):
        assert client.post(f"/api/webinars/{w['id']}/cancel/", headers=admin_headers).status_code == 200
    params = {"status": "cancelled"}
    as_admin = {w["id"] for w in client.get("/api/webinars/", params=params, headers=admin_headers).json()}
    assert as_admin == {hosted["id"], other["id"]}
    as_host = client.get("/api/webinars/", params=params, headers=student_headers).json()
    assert [w["id"] for w in as_host] == [hosted["id"]]
    assert as_host[0]["is_cancelled"] is True
    assert client.get("/api/webinars/", params=params, headers=bob_headers).json() == []
    assert client.get("/api/webinars/", params=params).json() == []


def test_cancel_needs_admin(client, admin_headers, student_headers):
    w = new_webinar(client, admin_headers)
    response = client.post(f"/api/webinars/{w['id']}/cancel/", headers=student_headers)
    assert response.status_code == 403 and response.json() == ADMIN_BODY
    assert client.post(f"/api/webinars/{w['id']}/cancel/").status_code == 401
    assert client.post("/api/webinars/999999/cancel/", headers=admin_headers).status_code == 404
    assert client.get(f"/api/webinars/{w['id']}/").json()["status"] == "upcoming"


def test_cancel_via_manual_status_notifies(client, admin_headers, student_headers):
    w = new_webinar(client, admin_headers)
    register(client, student_headers, w["id"])
    client.patch(f"/api/webinars/{w['id']}/", json={"manual_status": "cancelled"}, headers=admin_headers)
    kinds = [
        n["notification_type"]
        for n in client.get("/api/communications/notifications/", headers=student_headers).json()
    ]
    assert kinds.count("system") == 1


# ------------------------------------------------------------------ reschedule


def test_reschedule_notifies_registrants(client, admin_headers, student_headers, bob_headers, session):
    w = new_webinar(client, admin_headers, title="Moving", capacity=1)
    register(client, student_headers, w["id"])
    register(client, bob_headers, w["id"])  # waitlisted
    outsider = make_user(session, "carol")
    carol_headers = auth_headers(client, "carol")
    assert outsider.id

    same = client.patch(f"/api/webinars/{w['id']}/", json={"title": "Moving!"}, headers=admin_headers)
    assert same.status_code == 200

    def system_count(headers: dict[str, str]) -> int:
        items = client.get("/api/communications/notifications/", headers=headers).json()
        return sum(1 for n in items if n["notification_type"] == "system")

    assert system_count(student_headers) == 0
    moved = client.patch(
        f"/api/webinars/{w['id']}/", json={"date": "2032-02-03", "time": "07:00"}, headers=admin_headers
    )
    assert moved.status_code == 200
    assert moved.json()["start_time"] == "2032-02-03T07:00:00+00:00"
    assert system_count(student_headers) == 1
    assert system_count(bob_headers) == 1
    assert system_count(carol_headers) == 0
