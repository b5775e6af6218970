"""The `unread_count` fast lane: it answers the happy path itself and nothing else.

The middleware is driven directly with an inner app that records being called, so each test
knows which of the two answered: the lane (real database, real tokens) or the ordinary route.
"""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta
from typing import Any

import orjson
import pytest
from sqlmodel import Session, select

from tests.api.test_webinars import new_webinar, register
from tests.conftest import make_user
from webinar_app.api.hot_paths import CATALOG_PATH, REGISTER_PATH, UNREAD_COUNT_PATH, HotPathMiddleware
from webinar_app.core import security
from webinar_app.core.config import get_settings
from webinar_app.core.security import TokenError, decode_token, encode_token, utcnow
from webinar_app.models import Notification, User


class _Recorder:
    """Stands for the FastAPI app behind the lane: answers 418 so a fall-through is visible."""

    def __init__(self) -> None:
        self.calls = 0
        self.body = b""

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        self.calls += 1
        while True:  # read the body as a route would: it must arrive whole
            message = await receive()
            self.body += message.get("body", b"")
            if not message.get("more_body", False):
                break
        await send({"type": "http.response.start", "status": 418, "headers": []})
        await send({"type": "http.response.body", "body": b""})


def _call(
    path: str, token: str | None, method: str = "GET", query: bytes = b""
) -> tuple[int, bytes, _Recorder]:
    return _call_full(path, token, method, query)[:3]  # type: ignore[return-value]


def _call_full(
    path: str,
    token: str | None,
    method: str = "GET",
    query: bytes = b"",
    body: bytes = b"",
    content_type: bytes = b"application/json",
) -> tuple[int, bytes, _Recorder, dict[bytes, bytes]]:
    inner = _Recorder()
    lane = HotPathMiddleware(inner)
    headers = [(b"host", b"testserver")]
    if token is not None:
        headers.append((b"authorization", f"Bearer {token}".encode()))
    if body:
        headers.append((b"content-type", content_type))
    chunks = [body[i : i + 7] for i in range(0, len(body), 7)] or [b""]  # several messages
    scope = {
        "type": "http",
        "method": method,
        "path": path,
        "headers": headers,
        "query_string": query,
        "scheme": "http",
        "server": ("testserver", 80),
        "root_path": "",
    }
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        chunk = chunks.pop(0) if chunks else b""
        return {"type": "http.request", "body": chunk, "more_body": bool(chunks)}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    asyncio.run(lane(scope, receive, send))  # type: ignore[arg-type]
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return sent[0]["status"], body, inner, dict(sent[0]["headers"])


def _token(user: User) -> str:
    return encode_token("access", {"user_id": str(user.id), "role": user.role})[0]


def _notify(session: Session, user: User, count: int, *, read: bool = False) -> None:
    for i in range(count):
        session.add(
            Notification(user_id=user.id, notification_type="announcement", title=f"n{i}", is_read=read)
        )
    session.commit()


def test_lane_answers_the_count_of_unread_notifications_only(
    session: Session, student: User, other_student: User
) -> None:
    _notify(session, student, 3)
    _notify(session, student, 2, read=True)
    _notify(session, other_student, 4)
    status, body, inner = _call(UNREAD_COUNT_PATH, _token(student))
    assert (status, orjson.loads(body), inner.calls) == (200, {"count": 3}, 0)


def test_lane_and_route_give_the_same_answer(client: Any, session: Session, student: User) -> None:
    _notify(session, student, 2)
    token = _token(student)
    through_app = client.get(UNREAD_COUNT_PATH, headers={"Authorization": f"Bearer {token}"})
    assert through_app.status_code == 200 and through_app.json() == {"count": 2}
    assert through_app.headers["content-type"] == "application/json"
    # the lane sits under the security headers middleware
    assert through_app.headers["content-security-policy"].startswith("default-src 'none'")
    assert through_app.headers["x-content-type-options"] == "nosniff"
    assert orjson.loads(_call(UNREAD_COUNT_PATH, token)[1]) == through_app.json()


@pytest.mark.parametrize("token", [None, "", "not-a-jwt", "a.b.c"])
def test_missing_or_malformed_token_falls_through(token: str | None) -> None:
    status, _, inner = _call(UNREAD_COUNT_PATH, token)
    assert (status, inner.calls) == (418, 1)


def test_refresh_token_falls_through(student: User) -> None:
    refresh = encode_token("refresh", {"user_id": str(student.id)})[0]
    assert _call(UNREAD_COUNT_PATH, refresh)[2].calls == 1


def test_deactivated_or_deleted_user_falls_through(
    session: Session, student: User, other_student: User
) -> None:
    student_token, other_token = _token(student), _token(other_student)
    assert _call(UNREAD_COUNT_PATH, student_token)[0] == 200  # verified and cached first
    student.is_active = False
    session.add(student)
    session.delete(other_student)
    session.commit()
    assert _call(UNREAD_COUNT_PATH, student_token)[2].calls == 1
    assert _call(UNREAD_COUNT_PATH, other_token)[2].calls == 1


def test_other_paths_and_methods_fall_through(student: User) -> None:
    token = _token(student)
    assert _call(UNREAD_COUNT_PATH, token, method="POST")[2].calls == 1
    assert _call(UNREAD_COUNT_PATH.rstrip("/"), token)[2].calls == 1  # the slash rule runs first in the app
    assert _call("/api/communications/notifications/", token)[2].calls == 1


def test_deactivated_user_gets_the_routes_401_through_the_app(
    client: Any, session: Session, student: User
) -> None:
    token = _token(student)
    assert client.get(UNREAD_COUNT_PATH, headers={"Authorization": f"Bearer {token}"}).status_code == 200
    student.is_active = False
    session.add(student)
    session.commit()
    answer = client.get(UNREAD_COUNT_PATH, headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 401 and answer.json()["code"] == "token_not_valid"


# ---------------------------------------------------------------- the verified-token cache


def test_cached_token_is_still_refused_once_it_expires(student: User) -> None:
    lifetime = timedelta(minutes=get_settings().access_token_minutes)
    token = encode_token(
        "access", {"user_id": str(student.id)}, now=utcnow() - lifetime + timedelta(seconds=1)
    )[0]
    assert decode_token(token, "access")["user_id"] == str(student.id)
    assert any(key[1] == token for key in security._VERIFIED)  # it was cached
    time.sleep(1.1)
    with pytest.raises(TokenError):
        decode_token(token, "access")
    status, _, inner = _call(UNREAD_COUNT_PATH, token)
    assert (status, inner.calls) == (418, 1)


def test_cached_token_keeps_its_type(student: User) -> None:
    token = _token(student)
    decode_token(token, "access")
    with pytest.raises(TokenError):
        decode_token(token, "refresh")


def test_cache_is_per_key(monkeypatch: pytest.MonkeyPatch, student: User) -> None:
    token = _token(student)
    decode_token(token, "access")
    monkeypatch.setattr(security, "secret_key", lambda: "another-secret-key-0123456789-abcdefghijklmnop")
    with pytest.raises(TokenError):
        decode_token(token, "access")


def test_callers_cannot_alter_the_cached_claims(student: User) -> None:
    token = _token(student)
    decode_token(token, "access")["user_id"] = "999999"
    assert decode_token(token, "access")["user_id"] == str(student.id)


# ---------------------------------------------------------------- the catalog lane


def _route_list(client: Any, headers: dict[str, str]) -> tuple[bytes, str]:
    """The ordinary route's answer (a query string keeps the lane out of it)."""
    answer = client.get(CATALOG_PATH, headers=headers, params={"offset": 0})
    assert answer.status_code == 200
    return answer.content, answer.headers["x-total-count"]


def test_catalog_lane_answers_what_the_route_answers(
    client: Any,
    session: Session,
    admin_headers: dict[str, str],
    student: User,
    student_headers: dict[str, str],
) -> None:
    full = new_webinar(client, admin_headers, title="Full", capacity=1)
    free = new_webinar(client, admin_headers, title="Free")
    new_webinar(client, admin_headers, title="Other")
    bob = make_user(session, "bob2")
    register(client, {"Authorization": f"Bearer {_token(bob)}"}, full["id"])  # takes the one seat
    register(client, student_headers, full["id"])  # waitlisted
    register(client, student_headers, free["id"])  # confirmed
    token = _token(student)
    assert _call(CATALOG_PATH, token)[2].calls == 1  # nothing cached yet: the route builds it
    route_body, route_total = _route_list(client, {"Authorization": f"Bearer {token}"})
    status, body, inner, headers = _call_full(CATALOG_PATH, token)
    assert (status, inner.calls) == (200, 0)
    assert body == route_body and headers[b"x-total-count"].decode() == route_total == "3"
    mine = {item["title"]: item["registration_status"] for item in orjson.loads(body)}
    assert mine == {"Full": "waitlisted", "Free": "confirmed", "Other": None}
    anonymous_route, _ = _route_list(client, {})
    status, anonymous, inner, _ = _call_full(CATALOG_PATH, None)
    assert (status, inner.calls, anonymous) == (200, 0, anonymous_route)


def test_catalog_lane_never_serves_a_stale_list(
    client: Any, admin_headers: dict[str, str], student: User, student_headers: dict[str, str]
) -> None:
    talk = new_webinar(client, admin_headers, title="Seats", capacity=10)
    token = _token(student)
    _route_list(client, {})
    assert _call(CATALOG_PATH, token)[0] == 200
    register(client, student_headers, talk["id"])  # the seat count changed: a new version
    assert _call(CATALOG_PATH, token)[2].calls == 1
    item = client.get(CATALOG_PATH, headers={"Authorization": f"Bearer {token}"}).json()[0]
    assert (item["seats_left"], item["registration_status"]) == (9, "confirmed")


def test_catalog_lane_leaves_filters_bad_tokens_and_inactive_users_to_the_route(
    client: Any, session: Session, admin_headers: dict[str, str], student: User
) -> None:
    new_webinar(client, admin_headers, title="Any")
    _route_list(client, {})
    token = _token(student)
    assert _call(CATALOG_PATH, token)[0] == 200
    assert _call(CATALOG_PATH, token, query=b"status=upcoming")[2].calls == 1
    assert _call(CATALOG_PATH, "not-a-jwt")[2].calls == 1
    assert _call(CATALOG_PATH, token, method="POST")[2].calls == 1
    student.is_active = False
    session.add(student)
    session.commit()
    assert _call(CATALOG_PATH, token)[2].calls == 1
    assert client.get(CATALOG_PATH, headers={"Authorization": f"Bearer {token}"}).status_code == 401


# ---------------------------------------------------------------- the registration lane


def _register_lane(token: str | None, body: bytes, content_type: bytes = b"application/json") -> Any:
    return _call_full(REGISTER_PATH, token, "POST", body=body, content_type=content_type)


def test_registration_lane_registers_and_answers_like_the_route(
    client: Any,
    session: Session,
    admin_headers: dict[str, str],
    student: User,
    student_headers: dict[str, str],
) -> None:
    talk = new_webinar(client, admin_headers, title="Rush", capacity=1)
    status, body, inner, headers = _register_lane(_token(student), orjson.dumps({"event": talk["id"]}))
    assert (status, inner.calls, headers[b"content-type"]) == (201, 0, b"application/json")
    made = orjson.loads(body)
    assert made["status"] == "confirmed" and made["event"] == talk["id"] and made["user"] == student.id
    shown = client.get(f"/api/registrations/{made['id']}/", headers=student_headers).json()
    assert made == shown
    bob = make_user(session, "bob3")
    status, body, inner, _ = _register_lane(_token(bob), b'{"event": "%d"}' % talk["id"])
    assert (status, inner.calls, orjson.loads(body)["status"]) == (201, 0, "waitlisted")
    assert len(session.exec(select(Notification).where(Notification.user_id == student.id)).all()) == 1


def test_registration_lane_leaves_refusals_to_the_route_with_the_body_intact(
    client: Any, admin_headers: dict[str, str], student: User, student_headers: dict[str, str]
) -> None:
    talk = new_webinar(client, admin_headers, title="Once")
    token = _token(student)
    body = orjson.dumps({"event": talk["id"]})
    assert _register_lane(token, body)[0] == 201
    status, _, inner, _ = _register_lane(token, body)  # a duplicate: the service refuses it
    assert (status, inner.calls, inner.body) == (418, 1, body)
    for odd in (b'{"event": ', b"[1]", b'{"webinar_id": 1}', b'{"event": 999999}', b'{"event": true}'):
        status, _, inner, _ = _register_lane(token, odd)
        assert (status, inner.calls, inner.body) == (418, 1, odd)
    form = f"event={talk['id']}".encode()
    inner = _register_lane(token, form, b"application/x-www-form-urlencoded")[2]
    assert (inner.calls, inner.body) == (1, form)
    assert _register_lane("not-a-jwt", body)[2].calls == 1
    assert _register_lane(None, body)[2].calls == 1
    big = b'{"event": %d, "pad": "%s"}' % (talk["id"], b"x" * 10_000)
    inner = _register_lane(token, big)[2]
    assert (inner.calls, inner.body) == (1, big)
    # and through the whole app the route answers the refusal in the contract's words
    answer = client.post(REGISTER_PATH, json={"event": talk["id"]}, headers=student_headers)
    assert answer.status_code == 400 and "already registered" in answer.text
    assert len(client.get("/api/registrations/my_registrations/", headers=student_headers).json()) == 1
