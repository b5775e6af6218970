"""`/api/communications/notifications/`: the caller's own notifications only."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from sqlmodel import col, select

from webinar_app.api.deps import CurrentUser, SessionDep, run_as_user
from webinar_app.api.routing import ContractRoute
from webinar_app.api.schemas.notifications import notification_out
from webinar_app.models import Notification, Webinar
from webinar_app.services import notifications

router = APIRouter(
    route_class=ContractRoute, prefix="/api/communications/notifications", tags=["notifications"]
)


def _shape(session: SessionDep, items: list[Notification]) -> list[dict[str, Any]]:
    ids = {i.webinar_id for i in items if i.webinar_id}
    titles: dict[int, str] = {}
    if ids:
        titles = {
            wid: title
            for wid, title in session.exec(select(Webinar.id, Webinar.title).where(col(Webinar.id).in_(ids)))
            if wid is not None
        }
    return [notification_out(i, titles) for i in items]


def _truthy(value: str | None) -> bool:
    return (value or "").strip().lower() in ("1", "true", "yes")


@router.get("/")
def list_notifications(
    user: CurrentUser, session: SessionDep, unread: str | None = None
) -> list[dict[str, Any]]:
    return _shape(session, notifications.list_for(session, user, unread_only=_truthy(unread)))


@router.get("/unread/")
def unread(user: CurrentUser, session: SessionDep) -> list[dict[str, Any]]:
    return _shape(session, notifications.list_for(session, user, unread_only=True))


@router.get("/recent/")
def recent(user: CurrentUser, session: SessionDep) -> list[dict[str, Any]]:
    return _shape(session, notifications.list_for(session, user, limit=10))


@router.get("/unread_count/")
async def unread_count(request: Request) -> dict[str, int]:
    # Polled by every open page: one thread hop, two single-statement reads.
    return await run_as_user(
        request, lambda session, user: {"count": notifications.unread_count(session, user)}
    )


@router.post("/mark_all_read/")
@router.post("/mark-all-read/", include_in_schema=False)
def mark_all_read(user: CurrentUser, session: SessionDep) -> dict[str, str]:
    notifications.mark_all_read(session, user)
    return {"status": "All notifications marked as read"}


@router.get("/{notification_id:int}/")
def read_notification(notification_id: int, user: CurrentUser, session: SessionDep) -> dict[str, Any]:
    return _shape(session, [notifications.get_for(session, user, notification_id)])[0]


@router.post("/{notification_id:int}/mark_read/")
@router.post("/{notification_id:int}/mark-read/", include_in_schema=False)
def mark_read(notification_id: int, user: CurrentUser, session: SessionDep) -> dict[str, str]:
    notifications.mark_read(session, user, notification_id)
    return {"status": "Notification marked as read"}
