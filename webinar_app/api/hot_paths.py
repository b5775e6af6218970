"""The request every open page repeats, answered before FastAPI's routing and dependencies.

`GET .../notifications/unread_count/` is polled by every signed-in client; through the router
it walks some sixty routes, builds a dependency graph and hops to a worker thread twice, for
one integer. Here it costs a token check (cached after the first verification) and one
statement. Only the happy path is answered here: a missing, bad or expired token, a
deactivated user or a database error falls through to the ordinary route, so every error
answer (401 bodies, 503 on an outage) comes from the one place that already defines it.

This middleware sits inside the security-headers and CORS middleware, so its answers carry
the same headers as the route's.
"""

from __future__ import annotations

import orjson
from anyio import to_thread
from sqlalchemy.exc import SQLAlchemyError
from starlette.types import ASGIApp, Receive, Scope, Send

from webinar_app.core.security import TokenError, decode_token
from webinar_app.services import notifications

UNREAD_COUNT_PATH = "/api/communications/notifications/unread_count/"


def _bearer(scope: Scope) -> str | None:
    for key, value in scope["headers"]:
        if key == b"authorization":
            scheme, _, token = value.decode("latin-1").partition(" ")
            token = token.strip()
            return token if scheme.lower() == "bearer" and token else None
    return None


async def _unread_count(scope: Scope) -> dict[str, int] | None:
    token = _bearer(scope)
    if token is None:
        return None
    try:
        user_id = int(decode_token(token, "access")["user_id"])
    except (TokenError, TypeError, ValueError):
        return None
    try:
        count = await to_thread.run_sync(notifications.unread_count_if_active, user_id)
    except SQLAlchemyError:
        return None
    return None if count is None else {"count": count}


class HotPathMiddleware:
    """Answers `unread_count` directly when it can; everything else goes on unchanged."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] == UNREAD_COUNT_PATH and scope["method"] == "GET":
            answer = await _unread_count(scope)
            if answer is not None:
                body = orjson.dumps(answer)
                await send(
                    {
                        "type": "http.response.start",
                        "status": 200,
                        "headers": [
                            (b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode()),
                        ],
                    }
                )
                await send({"type": "http.response.body", "body": body})
                return
        await self.app(scope, receive, send)
