"""The catalog cache never shows a stale list: every change a list shows is visible at once."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import text
from sqlmodel import Session

from tests.api.test_webinars import new_webinar, register
from tests.conftest import auth_headers
from webinar_app.api import catalog_cache
from webinar_app.core import catalog_version, db
from webinar_app.core.config import reset_settings_cache
from webinar_app.core.redis_sender import sender
from webinar_app.models import User, Webinar

LIST = "/api/webinars/"


def unregister(client: Any, headers: dict[str, str], registration_id: int) -> None:
    response = client.delete(f"/api/registrations/{registration_id}/unregister/", headers=headers)
    assert response.status_code == 204, response.text


def post(client: Any, headers: dict[str, str], path: str) -> None:
    response = client.post(path, headers=headers)
    assert response.status_code == 200, response.text


def listed(client: Any, headers: dict[str, str] | None = None, **params: Any) -> dict[int, dict[str, Any]]:
    response = client.get(LIST, headers=headers or {}, params=params)
    assert response.status_code == 200, response.text
    return {item["id"]: item for item in response.json()}


@pytest.fixture
def bob_headers(client: Any, other_student: Any) -> dict[str, str]:
    return auth_headers(client, "bob")


def test_repeated_list_is_served_from_the_cache(client, admin_headers):
    w = new_webinar(client, admin_headers, title="Cached")
    first = client.get(LIST)
    entries = len(catalog_cache._entries)
    second = client.get(LIST)
    assert first.content == second.content and first.headers["x-total-count"] == "1"
    assert entries == 1 and len(catalog_cache._entries) == 1
    # A change behind the ORM's back (no Session event) is not seen: the list really is cached.
    with db.get_engine().begin() as conn:
        conn.execute(text("UPDATE webinars SET title = 'Behind' WHERE id = :id"), {"id": w["id"]})
    assert listed(client)[w["id"]]["title"] == "Cached"
    catalog_version.bump()
    assert listed(client)[w["id"]]["title"] == "Behind"


def test_register_and_unregister_show_at_once(client, admin_headers, student_headers):
    w = new_webinar(client, admin_headers, capacity=3)
    assert listed(client, student_headers)[w["id"]]["seats_left"] == 3
    reg = register(client, student_headers, w["id"])
    mine = listed(client, student_headers)[w["id"]]
    assert mine["is_registered"] is True and mine["registration_status"] == "confirmed"
    assert mine["seats_left"] == 2 and mine["registration_count"] == 1
    anon = listed(client)[w["id"]]
    assert anon["is_registered"] is False and anon["seats_left"] == 2
    unregister(client, student_headers, reg["id"])
    mine = listed(client, student_headers)[w["id"]]
    assert mine["is_registered"] is False and mine["registration_status"] is None
    assert mine["seats_left"] == 3 and mine["registration_count"] == 0


def test_waitlist_and_promotion_show_at_once(client, admin_headers, student_headers, bob_headers):
    w = new_webinar(client, admin_headers, capacity=1)
    assert listed(client, bob_headers)[w["id"]]["seats_left"] == 1
    alice = register(client, student_headers, w["id"])
    register(client, bob_headers, w["id"])
    bob_view = listed(client, bob_headers)[w["id"]]
    assert bob_view["registration_status"] == "waitlisted" and bob_view["is_registered"] is False
    assert bob_view["seats_left"] == 0 and bob_view["registration_count"] == 1
    assert listed(client, student_headers)[w["id"]]["is_registered"] is True
    unregister(client, student_headers, alice["id"])
    bob_view = listed(client, bob_headers)[w["id"]]
    assert bob_view["registration_status"] == "confirmed" and bob_view["is_registered"] is True
    assert bob_view["seats_left"] == 0 and bob_view["registration_count"] == 1
    assert listed(client, student_headers)[w["id"]]["registration_status"] is None


def test_two_viewers_see_their_own_registration(client, admin_headers, student_headers, bob_headers):
    a = new_webinar(client, admin_headers, title="A")
    b = new_webinar(client, admin_headers, title="B")
    register(client, student_headers, a["id"])
    register(client, bob_headers, b["id"])
    alice, bob, anon = listed(client, student_headers), listed(client, bob_headers), listed(client)
    assert (alice[a["id"]]["is_registered"], alice[b["id"]]["is_registered"]) == (True, False)
    assert (bob[a["id"]]["is_registered"], bob[b["id"]]["is_registered"]) == (False, True)
    assert not any(item["is_registered"] for item in anon.values())
    assert alice[a["id"]]["registration_count"] == bob[a["id"]]["registration_count"] == 1


def test_update_cancel_complete_and_delete_show_at_once(client, admin_headers):
    w = new_webinar(client, admin_headers, title="Before")
    other = new_webinar(client, admin_headers, title="Other")
    assert listed(client)[w["id"]]["title"] == "Before"
    patched = client.patch(f"/api/webinars/{w['id']}/", json={"title": "After", "capacity": 7},
                           headers=admin_headers)
    assert patched.status_code == 200
    item = listed(client)[w["id"]]
    assert item["title"] == "After" and item["capacity"] == 7 and item["seats_left"] == 7
    post(client, admin_headers, f"/api/webinars/{other['id']}/mark_completed/")
    assert listed(client)[other["id"]]["status"] == "completed"
    assert other["id"] not in listed(client, status="upcoming")
    post(client, admin_headers, f"/api/webinars/{w['id']}/cancel/")
    assert w["id"] not in listed(client)
    assert client.delete(f"/api/webinars/{other['id']}/", headers=admin_headers).status_code == 204
    assert listed(client) == {}
    created = new_webinar(client, admin_headers, title="New")
    assert list(listed(client)) == [created["id"]]


def test_organizer_rename_and_search_show_at_once(client, admin_headers, session: Session, admin):
    w = new_webinar(client, admin_headers, title="Hosted")
    assert listed(client)[w["id"]]["organizer_name"] == "root"
    assert listed(client, search="zed") == {}
    user = session.get(User, admin.id)
    assert user is not None
    user.username, user.last_name = "rooty", "Zed"
    session.add(user)
    session.commit()
    assert listed(client)[w["id"]]["organizer_name"] == "rooty"
    assert list(listed(client, search="zed")) == [w["id"]]


def test_a_login_does_not_invalidate_the_catalog(client, admin_headers, student):
    new_webinar(client, admin_headers)
    client.get(LIST)
    token = catalog_version.current()
    auth_headers(client, "alice")  # writes last_login, which no list shows
    assert catalog_version.current() == token


def test_status_follows_the_clock(client, admin_headers, session: Session, admin):
    later = new_webinar(client, admin_headers, title="Later")  # days away: not listed as live
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=2)
    soon = Webinar(title="Soon", start_at=start, end_at=start + timedelta(minutes=30), organizer_id=admin.id)
    session.add(soon)
    session.commit()
    assert listed(client)[soon.id]["status"] == "upcoming"
    assert listed(client, status="live") == {}
    assert set(listed(client, status="upcoming")) == {soon.id, later["id"]}
    time.sleep(max((start - datetime.now(UTC)).total_seconds(), 0) + 0.05)
    assert listed(client)[soon.id]["status"] == "live"
    assert list(listed(client, status="live")) == [soon.id]  # a filter gains an item it never listed
    assert list(listed(client, status="upcoming")) == [later["id"]]


def test_lists_that_depend_on_the_caller_are_not_cached(client, admin_headers, student_headers):
    w = new_webinar(client, admin_headers)
    assert listed(client, student_headers, my_only="true") == {}
    register(client, student_headers, w["id"])
    assert list(listed(client, student_headers, my_only="true")) == [w["id"]]
    post(client, admin_headers, f"/api/webinars/{w['id']}/cancel/")
    assert list(listed(client, admin_headers, status="cancelled")) == [w["id"]]
    assert listed(client, student_headers, status="cancelled") == {}
    assert client.get(LIST, params={"status": "bogus"}).status_code == 400


# ------------------------------------------------------------------ several workers (Redis)


def _redis_or_skip(url: str) -> Any:
    import redis

    client = redis.Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)
    try:
        client.ping()
    except redis.RedisError:
        pytest.skip("Redis is not running")
    return client


@pytest.fixture
def shared_redis(monkeypatch: pytest.MonkeyPatch) -> Any:
    url = "redis://127.0.0.1:6379/15"
    redis_client = _redis_or_skip(url)
    key = f"test:catalog:version:{uuid.uuid4().hex}"  # parallel test workers share the server
    monkeypatch.setenv("REDIS_URL", url)
    monkeypatch.setattr(catalog_version, "REDIS_KEY", key)
    reset_settings_cache()
    catalog_cache.reset()
    yield redis_client
    redis_client.delete(key)
    monkeypatch.delenv("REDIS_URL")
    reset_settings_cache()
    catalog_cache.reset()


def test_workers_see_each_others_changes_through_redis(client, admin_headers, shared_redis):
    w = new_webinar(client, admin_headers, title="Shared")
    assert listed(client)[w["id"]]["title"] == "Shared"
    token = shared_redis.get(catalog_version.REDIS_KEY)
    assert token is not None
    # Another worker commits a change: the rows change (not through this process's Session)
    # and the shared version moves. This worker's cache entry must not be served any more.
    with db.get_engine().begin() as conn:
        conn.execute(text("UPDATE webinars SET title = 'Elsewhere' WHERE id = :id"), {"id": w["id"]})
    assert listed(client)[w["id"]]["title"] == "Shared"  # cached, as nobody said otherwise
    shared_redis.set(catalog_version.REDIS_KEY, "bumped-by-another-worker")
    assert listed(client)[w["id"]]["title"] == "Elsewhere"
    # And a commit here moves the shared version for the others.
    before = shared_redis.get(catalog_version.REDIS_KEY)
    client.patch(f"/api/webinars/{w['id']}/", json={"title": "Here"}, headers=admin_headers)
    assert sender("redis://127.0.0.1:6379/15").flush()  # the bump leaves on the sender thread
    assert shared_redis.get(catalog_version.REDIS_KEY) != before


class _HeldSender:
    """A Redis sender that has not got round to anything yet."""

    def __init__(self) -> None:
        self.held: list[Any] = []

    def send(self, write: Any, outcome: Any = None) -> None:
        self.held.append(write)


def test_own_commit_is_never_hidden_by_a_bump_still_queued(client, admin_headers, shared_redis,
                                                            monkeypatch):
    held = _HeldSender()
    monkeypatch.setattr(catalog_version, "sender", lambda url: held)
    w = new_webinar(client, admin_headers, title="Before")
    assert listed(client)[w["id"]]["title"] == "Before"
    shared = shared_redis.get(catalog_version.REDIS_KEY)
    client.patch(f"/api/webinars/{w['id']}/", json={"title": "After"}, headers=admin_headers)
    assert held.held, "the bump was queued for the sender"
    assert shared_redis.get(catalog_version.REDIS_KEY) == shared  # not sent yet
    # This process's next read sends the bump itself before trusting the shared token.
    assert listed(client)[w["id"]]["title"] == "After"
    assert shared_redis.get(catalog_version.REDIS_KEY) != shared


def test_a_second_process_cache_sees_the_first_ones_commit(client, admin_headers, student_headers,
                                                         shared_redis):
    w = new_webinar(client, admin_headers, capacity=2)
    assert listed(client, student_headers)[w["id"]]["seats_left"] == 2
    worker_a = dict(catalog_cache._entries)  # worker A's cache, built before the change
    register(client, student_headers, w["id"])  # handled by "worker B" (this process)
    catalog_cache._entries.clear()
    catalog_cache._entries.update(worker_a)  # back to worker A: its own memory saw nothing
    mine = listed(client, student_headers)[w["id"]]
    assert mine["seats_left"] == 1 and mine["is_registered"] is True


def test_redis_unreachable_serves_lists_uncached(client, admin_headers, monkeypatch):
    w = new_webinar(client, admin_headers, title="Up")
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:1/0")
    reset_settings_cache()
    try:
        assert listed(client)[w["id"]]["title"] == "Up"
        with db.get_engine().begin() as conn:
            conn.execute(text("UPDATE webinars SET title = 'Down' WHERE id = :id"), {"id": w["id"]})
        assert listed(client)[w["id"]]["title"] == "Down"
    finally:
        monkeypatch.delenv("REDIS_URL")
        reset_settings_cache()
        catalog_version._acknowledge(catalog_version._bumps)  # the refused bumps: not ours to resend
