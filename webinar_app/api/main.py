"""The FastAPI app handed to Reflex as `api_transformer`: every `/api/` route plus media."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI, Request
from starlette.routing import Match

from webinar_app.api import media
from webinar_app.api.errors import NOT_FOUND, ApiError, install_error_handlers
from webinar_app.api.hot_paths import HotPathMiddleware
from webinar_app.api.middleware import TrailingSlashMiddleware
from webinar_app.api.routes import (
    accounts,
    admin,
    announcements,
    calendar,
    chat,
    email,
    engagement,
    exports,
    inbox,
    live,
    notifications,
    privacy,
    recordings,
    registrations,
    webinars,
)
from webinar_app.api.security_headers import SecurityHeadersMiddleware
from webinar_app.core.request_gauge import RequestGaugeMiddleware

API_ROUTERS: list[APIRouter] = [
    accounts.router,
    privacy.router,
    webinars.router,
    registrations.router,
    calendar.router,
    notifications.router,
    exports.router,
    announcements.router,
    chat.router,
    engagement.router,
    inbox.router,
    live.router,
    recordings.router,
    email.router,
    admin.router,
]


def create_api() -> FastAPI:
    api = FastAPI(
        title="Webinar platform API",
        version="1.0.0",
        docs_url="/api/docs",
        redoc_url="/api/redoc",
        openapi_url="/api/openapi.json",
        redirect_slashes=False,
    )
    install_error_handlers(api)
    for router in API_ROUTERS:
        api.include_router(router)
    api.include_router(media.router)

    @api.api_route(
        "/api/{rest:path}",
        methods=["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD"],
        include_in_schema=False,
    )
    def unknown_api_path(rest: str, request: Request) -> None:
        # Unknown /api/ paths answer JSON, never the UI's HTML; a known path with the
        # wrong method is a 405 (this catch-all would otherwise swallow it as a 404).
        for route in api.router.routes:
            if route is not unknown_route and route.matches(request.scope)[0] == Match.PARTIAL:
                raise ApiError(405, {"detail": f'Method "{request.method}" not allowed.'})
        raise ApiError(404, NOT_FOUND)

    unknown_route = api.router.routes[-1]

    api.add_middleware(HotPathMiddleware)  # innermost: after the slash rule, under the headers
    api.add_middleware(TrailingSlashMiddleware)
    api.add_middleware(SecurityHeadersMiddleware)
    api.add_middleware(RequestGaugeMiddleware)  # outermost of ours: every HTTP request counts
    return api


fastapi_app = create_api()
