"""ASGI middleware for the contract's URL rules."""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

_NO_SLASH_SUFFIXES = (".ics", ".json", ".csv")
_NO_SLASH_PREFIXES = ("/api/docs", "/api/redoc")  # FastAPI's own pages live without a slash


class TrailingSlashMiddleware:
    """Serve `/api/x` as `/api/x/` instead of redirecting: a redirect loses POST bodies in
    some clients and breaks CORS preflights."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            path: str = scope["path"]
            if (
                path.startswith("/api/")
                and not path.endswith("/")
                and not path.endswith(_NO_SLASH_SUFFIXES)
                and not path.startswith(_NO_SLASH_PREFIXES)
            ):
                scope = dict(scope)
                scope["path"] = path + "/"
                if scope.get("raw_path"):
                    scope["raw_path"] = scope["raw_path"] + b"/"
        await self.app(scope, receive, send)
