"""The requests every open page repeats, answered before FastAPI's routing and dependencies.

`GET .../notifications/unread_count/` is polled by every signed-in client, the unfiltered
`GET /api/webinars/` is the most requested list, and `POST /api/registrations/register/` is
what a launch-day rush sends a thousand times a second. Through the router each walks some sixty
routes, builds a dependency graph and hops to a worker thread twice; here each costs a token
check (cached after the first verification), one thread hop and one statement (the list's
items come ready from `api/catalog_cache.py`). Only the happy path is answered here: a
missing, bad or expired token, a deactivated user, a list not in the cache, a query string or
a database error falls through to the ordinary route, so every error answer (401 bodies, 503
on an outage) and every cache build come from the one place that already defines them. A
registration the service refuses (duplicate, full of rules) has written nothing, so the route
simply runs it again and answers the refusal its own way; the lane only skips the machinery.

This middleware sits inside the security-headers and CORS middleware, so its answers carry
the same headers as the routes'.
"""

from __future__ import annotations

import orjson
from anyio import to_thread
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from webinar_app.api import catalog_cache
from webinar_app.api.deps import bearer_token
from webinar_app.api.routes.registrations import event_id_of
from webinar_app.api.schemas.webinars import registration_out
from webinar_app.core.db import get_engine
from webinar_app.core.security import TokenError, decode_token
from webinar_app.services import notifications, registrations
from webinar_app.services.errors import DomainError

UNREAD_COUNT_PATH = "/api/communications/notifications/unread_count/"
CATALOG_PATH = "/api/webinars/"


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key == name:
            return value.decode("latin-1")
    return None


def _bearer(scope: Scope) -> str | None:
    """The bearer token, as `deps` reads it; None when absent or not a bearer token."""
    header = _header(scope, b"authorization")
    return None if header is None else bearer_token(header)


def _user_id(token: str) -> int | None:
    try:
        return int(decode_token(token, "access")["user_id"])
    except (TokenError, TypeError, ValueError):
        return None


async def _unread_count(scope: Scope) -> tuple[bytes, list[tuple[bytes, bytes]]] | None:
    token = _bearer(scope)
    user_id = None if token is None else _user_id(token)
    if user_id is None:
        return None
    try:
        count = await to_thread.run_sync(notifications.unread_count_if_active, user_id)
    except SQLAlchemyError:
        return None
    return None if count is None else (orjson.dumps({"count": count}), [])


async def _catalog(scope: Scope) -> tuple[bytes, list[tuple[bytes, bytes]]] | None:
    if scope.get("query_string"):
        return None  # filters and pages: the route parses and validates them
    user_id = None
    if _header(scope, b"authorization") is not None:  # signed in, or a bad token: the route's
        token = _bearer(scope)
        user_id = None if token is None else _user_id(token)
        if user_id is None:
            return None
    base = str(Request(scope).base_url).rstrip("/")  # as `deps.base_url` builds it
    try:
        listed = await to_thread.run_sync(catalog_cache.default_listing, base, user_id)
    except SQLAlchemyError:
        return None
    if listed is None:
        return None
    body, total = listed
    return body, [(b"x-total-count", str(total).encode())]


_LANES = {UNREAD_COUNT_PATH: _unread_count, CATALOG_PATH: _catalog}

REGISTER_PATH = "/api/registrations/register/"
_MAX_REGISTER_BODY = 4096  # `{"event": 12}`; anything bigger is the route's to judge


def _register_now(user_id: int, event_id: int, base: str) -> bytes | None:
    with Session(get_engine(), expire_on_commit=False) as session:
        try:
            view = registrations.register_as(session, user_id, event_id)
        except DomainError:
            session.rollback()
            return None
        return None if view is None else orjson.dumps(registration_out(view, base, user_id))


async def _register(scope: Scope, body: bytes) -> bytes | None:
    if (_header(scope, b"content-type") or "").split(";")[0].strip() != "application/json":
        return None
    token = _bearer(scope)
    user_id = None if token is None else _user_id(token)
    if user_id is None:
        return None
    try:
        data = orjson.loads(body)
        event_id = event_id_of(data) if isinstance(data, dict) else None
    except (orjson.JSONDecodeError, DomainError):
        return None
    if event_id is None:
        return None
    base = str(Request(scope).base_url).rstrip("/")
    try:
        return await to_thread.run_sync(_register_now, user_id, event_id, base)
    except SQLAlchemyError:
        return None


async def _read_body(receive: Receive, limit: int) -> tuple[list[Message], bool]:
    """The request's body messages as received, and whether all of them fit under `limit`."""
    messages: list[Message] = []
    size = 0
    while True:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request":
            return messages, False
        size += len(message.get("body", b""))
        if size > limit:
            return messages, False
        if not message.get("more_body", False):
            return messages, True


def _replay(messages: list[Message], receive: Receive) -> Receive:
    """A `receive` that hands the route the body messages already read, then the real one."""
    pending = list(messages)

    async def replay() -> Message:
        return pending.pop(0) if pending else await receive()

    return replay


class HotPathMiddleware:
    """Answers the hot requests directly when it can; everything else goes on unchanged."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "POST" and scope["path"] == REGISTER_PATH:
            await self._registration(scope, receive, send)
            return
        lane = _LANES.get(scope["path"]) if scope["type"] == "http" and scope["method"] == "GET" else None
        answer = await lane(scope) if lane is not None else None
        if answer is None:
            await self.app(scope, receive, send)
            return
        body, extra = answer
        await _answer(send, 200, body, extra)

    async def _registration(self, scope: Scope, receive: Receive, send: Send) -> None:
        messages, whole = await _read_body(receive, _MAX_REGISTER_BODY)
        answer = None
        if whole:
            answer = await _register(scope, b"".join(m.get("body", b"") for m in messages))
        if answer is None:
            await self.app(scope, _replay(messages, receive), send)
            return
        await _answer(send, 201, answer, [])


async def _answer(send: Send, status: int, body: bytes, extra: list[tuple[bytes, bytes]]) -> None:
    headers = [
        (b"content-length", str(len(body)).encode()),
        (b"content-type", b"application/json"),
        *extra,
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
