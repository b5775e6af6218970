"""Reflex configuration, fed from our settings so one set of env vars drives everything.

Reflex only reads its own `REFLEX_*` overrides; our `DATABASE_URL`, `REDIS_URL`,
`CORS_ORIGINS` and `TRUSTED_PROXY` are mapped here. Ports are CLI flags (prod refuses differing ports here).
"""

import os

import reflex as rx

os.environ.setdefault("REFLEX_USE_NPM", "1")
os.environ.setdefault("REFLEX_TELEMETRY_ENABLED", "false")
# With Redis, keep a tab's state in memory on the worker that holds its lock while nobody
# else asks for it. Our real-time hub only ever modifies tabs connected to its own worker,
# so pushes stay uncontended: this halves the CPU per pushed message (docs/performance.md).
os.environ.setdefault("REFLEX_OPLOCK_ENABLED", "true")

from webinar_app.core.config import get_settings  # noqa: E402

settings = get_settings()

config = rx.Config(
    app_name="webinar_app",
    db_url=settings.database_url,
    redis_url=settings.redis_url,
    cors_allowed_origins=settings.cors_origins,
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
