"""The browser's event websocket, handed to socket.io without the HTTP stack around it.

Reflex mounts its socket.io app three apps deep: its top Starlette app, our FastAPI app (the
`api_transformer`, with its middleware for REST) and its own backend app, each with error,
CORS and exception layers. A websocket stays inside every layer for its whole life, so each
open tab kept ~45 suspended coroutines, their closures and three copies of the ASGI scope:
about a third of a connected tab's memory (docs/performance.md, chat fan-out). None of those
layers acts on a websocket: the error, CORS, body-limit, gauge and security-header layers
pass websockets straight through, and socket.io checks the origin itself
(`cors_allowed_origins`, set in rxconfig.py). So the event socket's upgrade goes from the
outermost app directly to the mount Reflex made for it, after applying the Reflex contexts
its top app's `_ContextMiddleware` would have set. Everything else takes the normal path.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.routing import Match, Mount
from starlette.types import ASGIApp, Receive, Scope, Send

if TYPE_CHECKING:
    import reflex as rx


class EventSocketShortcut:
    """ASGI wrapper of the whole backend: `/_event` websockets skip to socket.io."""

    def __init__(self, app: ASGIApp, reflex_app: rx.App) -> None:
        self.app = app
        self.reflex_app = reflex_app
        self._mount: Mount | None = None

    def event_mount(self) -> Mount | None:
        """The Mount Reflex gave its socket.io app (found once, after the app is built)."""
        if self._mount is None:
            from reflex_base import constants
            from reflex_base.config import get_config

            path = get_config().prepend_backend_path(str(constants.Endpoint.EVENT))
            api = self.reflex_app._api
            routes = api.routes if api is not None else []
            self._mount = next(
                (r for r in routes if isinstance(r, Mount) and r.path == path.rstrip("/")), None
            )
        return self._mount

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            mount = self.event_mount()
            if mount is not None:
                match, child_scope = mount.matches(scope)
                if match is Match.FULL:
                    scope.update(child_scope)
                    self.reflex_app._set_contexts_internal()
                    await mount.app(scope, receive, send)
                    return
        await self.app(scope, receive, send)
