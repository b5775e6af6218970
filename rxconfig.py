"""Reflex configuration, fed from our settings so one set of env vars drives everything.

Reflex only reads its own `REFLEX_*` overrides; our `DATABASE_URL`, `REDIS_URL`,
`CORS_ORIGINS` (plus the UI's own origin), `TRUSTED_PROXY` and, in prod, `API_BASE_URL`
are mapped here. Ports are CLI flags (prod refuses differing ports here).
"""

import os
from urllib.parse import urlsplit

import reflex as rx

os.environ.setdefault("REFLEX_USE_NPM", "1")
os.environ.setdefault("REFLEX_TELEMETRY_ENABLED", "false")
# With Redis, keep a tab's state in memory on the worker that holds its lock while nobody
# else asks for it. Our real-time hub only ever modifies tabs connected to its own worker,
# so pushes stay uncontended: this halves the CPU per pushed message (docs/performance.md).
os.environ.setdefault("REFLEX_OPLOCK_ENABLED", "true")

from webinar_app.core.config import get_settings  # noqa: E402

settings = get_settings()
# Several workers only make sense with Redis (shared tab states and real time). Reflex's
# default is 2 x CPUs + 1; our requests are CPU-bound, and on 2 cores 2 workers serve 64
# connections faster than 5 do (signed-in list 257 -> 324 req/s, docs/performance.md).
# BACKEND_WORKERS overrides the count, whichever server runs.
_workers = os.environ.get("BACKEND_WORKERS") or (str(os.cpu_count() or 1) if settings.redis_url else "1")
# The production server: gunicorn with uvicorn workers (httptools, websockets, uvloop), not
# Reflex's default granian. Measured on the same machine (docs/performance.md): a connected
# live-room tab costs 86 KiB instead of 262 KiB, and every REST figure is higher (signed-in
# list 1,614 vs 1,243 req/s, registrations 284 vs 202/s). Reflex's own gunicorn command uses
# the pure-Python h11 worker; GUNICORN_CMD_ARGS comes after it and wins.
# `REFLEX_USE_GRANIAN=true` brings granian back (GRANIAN_WORKERS follows BACKEND_WORKERS).
os.environ.setdefault("REFLEX_USE_GRANIAN", "false")
os.environ.setdefault(
    "GUNICORN_CMD_ARGS", f"--workers {_workers} --worker-class webinar_app.core.server_worker.WebinarWorker"
)
os.environ.setdefault("GRANIAN_WORKERS", _workers)


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


# The websocket (python-socketio) allows exactly this list, with no implicit same-origin
# rule: the UI's own origin (APP_BASE_URL) must be on it, or in a single-port deployment with
# CORS_ORIGINS naming only other sites every page's websocket is refused (403).
_origins = list(settings.cors_origins)
if "*" not in _origins and _origin(settings.app_base_url) not in _origins:
    _origins.append(_origin(settings.app_base_url))
# In production the backend's public URL is API_BASE_URL when it is set: Reflex's default
# api_url (http://localhost:<port>) would put localhost into media links and the live room's
# leave beacon (refused by the page CSP on any other host). Unset, the port flag decides.
_prod_urls = (
    {"api_url": settings.api_base_url.rstrip("/")}
    if settings.app_env == "prod" and "api_base_url" in settings.model_fields_set
    else {}
)

config = rx.Config(
    app_name="webinar_app",
    db_url=settings.database_url,
    redis_url=settings.redis_url,
    cors_allowed_origins=_origins,
    **_prod_urls,
    # The same rule as the REST door: X-Forwarded-For names the client only behind a proxy.
    trusted_proxy_hops=1 if settings.trusted_proxy else 0,
    telemetry_enabled=False,
    show_built_with_reflex=False,
    plugins=[
        rx.plugins.SitemapPlugin(),
        rx.plugins.RadixThemesPlugin(
            theme=rx.theme(appearance="inherit", accent_color="indigo", radius="medium")
        ),
    ],
)
