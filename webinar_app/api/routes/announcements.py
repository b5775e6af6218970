"""`/api/communications/announcements/`: read by anyone signed in, written by admins."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response

from webinar_app.api.body import RawBody, documented
from webinar_app.api.deps import AdminUser, CurrentUser, SessionDep
from webinar_app.api.routing import ContractRoute
from webinar_app.api.schemas.communications import AnnouncementIn, announcement_out
from webinar_app.models import Announcement
from webinar_app.services import announcements

router = APIRouter(
    route_class=ContractRoute, prefix="/api/communications/announcements", tags=["announcements"]
)


def _shape(session: SessionDep, items: list[Announcement]) -> list[dict[str, Any]]:
    senders = announcements.senders(session, items)
    return [announcement_out(a, senders) for a in items]


@router.get("/")
def list_announcements(_: CurrentUser, session: SessionDep) -> list[dict[str, Any]]:
    return _shape(session, announcements.list_announcements(session))


@router.get("/recent/")
def recent(_: CurrentUser, session: SessionDep) -> list[dict[str, Any]]:
    return _shape(session, announcements.list_announcements(session, limit=announcements.RECENT))


@router.post("/", status_code=201, openapi_extra=documented(AnnouncementIn))
def create(data: RawBody, user: AdminUser, session: SessionDep) -> dict[str, Any]:
    return _shape(session, [announcements.create(session, user, data)])[0]


@router.get("/{announcement_id:int}/")
def read(announcement_id: int, _: CurrentUser, session: SessionDep) -> dict[str, Any]:
    return _shape(session, [announcements.get(session, announcement_id)])[0]


@router.patch("/{announcement_id:int}/", openapi_extra=documented(AnnouncementIn))
@router.put("/{announcement_id:int}/", openapi_extra=documented(AnnouncementIn))
def update(announcement_id: int, data: RawBody, user: AdminUser, session: SessionDep) -> dict[str, Any]:
    return _shape(session, [announcements.update(session, user, announcement_id, data)])[0]


@router.delete("/{announcement_id:int}/", status_code=204)
def delete(announcement_id: int, user: AdminUser, session: SessionDep) -> Response:
    announcements.delete(session, user, announcement_id)
    return Response(status_code=204)
