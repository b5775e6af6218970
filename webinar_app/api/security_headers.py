"""Security headers on every HTTP answer of the backend: API, media and (single-port prod) pages.

Our FastAPI app wraps Reflex's whole backend (`api_transformer`), so one ASGI middleware
here covers the compiled frontend too. The page CSP is as tight as a compiled Reflex app
allows: React Router and Radix need inline scripts and styles, and `rx.call_script`
evaluates code, so scripts get 'unsafe-inline' 'unsafe-eval' but only from our origin;
frames may show any http(s) page, because the live room embeds whatever stream the host
set (services/embeds.py already refuses every other scheme). API answers get a CSP that
allows nothing: they are data, never documents.
"""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import urlsplit

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from webinar_app.core.config import get_settings

PAGE_CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self' 'unsafe-inline' 'unsafe-eval'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob: https:",
        "font-src 'self' data:",
        "media-src 'self' blob:",
        "connect-src {connect}",
        "frame-src https: http:",
        "worker-src 'self' blob:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
API_CSP = "default-src 'none'; frame-ancestors 'none'"
# Swagger UI and ReDoc pages load their own scripts and styles (FastAPI's defaults: jsDelivr).
DOCS_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
    "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net https://fonts.googleapis.com; "
    "img-src 'self' data: https://fastapi.tiangolo.com; font-src 'self' https://fonts.gstatic.com; "
    "worker-src 'self' blob:; frame-ancestors 'none'"
)
DOCS_PREFIXES = ("/api/docs", "/api/redoc")
# Camera and microphone stay delegable: a Jitsi room in the live player needs them.
PERMISSIONS_POLICY = "geolocation=(), payment=(), usb=(), serial=()"

_COMMON: list[tuple[bytes, bytes]] = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"strict-origin-when-cross-origin"),
    (b"x-frame-options", b"DENY"),
    (b"permissions-policy", PERMISSIONS_POLICY.encode()),
    (b"cross-origin-opener-policy", b"same-origin"),
]
_HSTS = (b"strict-transport-security", b"max-age=31536000; includeSubDomains")


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme in ("http", "https") and parts.netloc else ""


@lru_cache(maxsize=1)
def page_csp() -> str:
    """Pages talk to their own origin (single-port prod: API and websocket) and, when the
    backend is configured elsewhere (`API_BASE_URL`), to that origin and its websocket."""
    sources = ["'self'"]
    api = _origin(get_settings().api_base_url)
    if api:
        sources += [api, api.replace("http", "ws", 1)]
    return PAGE_CSP.format(connect=" ".join(dict.fromkeys(sources)))


def csp_for(path: str) -> str:
    if path.startswith(DOCS_PREFIXES):
        return DOCS_CSP
    if path.startswith("/api/"):
        return API_CSP
    return page_csp()


class SecurityHeadersMiddleware:
    """Adds the headers unless a route already set one (a route may know better)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = [*_COMMON, (b"content-security-policy", csp_for(scope["path"]).encode())]
        https = scope.get("scheme") == "https" or any(
            k == b"x-forwarded-proto" and v == b"https" for k, v in scope.get("headers", [])
        )
        if https:
            extra.append(_HSTS)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {k.lower() for k, _ in headers}
                headers += [(k, v) for k, v in extra if k not in present]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)
