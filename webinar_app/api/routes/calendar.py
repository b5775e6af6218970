"""`/api/calendar/`: the private per-user feed of registered webinars."""

from __future__ import annotations

from fastapi import APIRouter, Response

from webinar_app.api.deps import BaseUrl, CurrentUser, SessionDep
from webinar_app.api.routing import ContractRoute
from webinar_app.services import calendar

router = APIRouter(route_class=ContractRoute, prefix="/api/calendar", tags=["calendar"])


def _feed(secret: str, base: str) -> dict[str, str]:
    url = f"{base}/api/calendar/{secret}.ics"
    return {"url": url, "webcal_url": url.replace("https://", "webcal://").replace("http://", "webcal://")}


@router.get("/feed/")
def my_feed(user: CurrentUser, session: SessionDep, base: BaseUrl) -> dict[str, str]:
    return _feed(calendar.feed_secret(session, user), base)


@router.post("/feed/regenerate/")
def regenerate_feed(user: CurrentUser, session: SessionDep, base: BaseUrl) -> dict[str, str]:
    return _feed(calendar.feed_secret(session, user, regenerate=True), base)


@router.get("/{secret}.ics", response_class=Response)
def feed(secret: str, session: SessionDep) -> Response:
    return Response(
        calendar.feed_ics(session, secret),
        media_type="text/calendar; charset=utf-8",
        headers={"Cache-Control": "private, max-age=300"},
    )
