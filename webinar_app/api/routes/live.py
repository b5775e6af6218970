"""`/api/live/`: start, join, leave, end and status of a webinar's live room; admin views.

Refusals answer `{"error": "..."}`; admin-only views keep the standard `detail` refusal.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from webinar_app.api.deps import AdminUser, CurrentUser, SessionDep
from webinar_app.api.routing import ContractRoute
from webinar_app.api.schemas.common import iso_z
from webinar_app.api.schemas.communications import live_session_out
from webinar_app.services import live

router = APIRouter(route_class=ContractRoute, prefix="/api/live", tags=["live"])


@router.get("/")
def list_sessions(user: AdminUser, session: SessionDep) -> list[dict[str, Any]]:
    return [live_session_out(s) for s in live.list_sessions(session, user)]


@router.get("/analytics/")
def analytics(user: AdminUser, session: SessionDep) -> dict[str, Any]:
    return live.analytics(session, user)


@router.get("/{session_id:int}/")
def read_session(session_id: int, user: AdminUser, session: SessionDep) -> dict[str, Any]:
    return live_session_out(live.get_session(session, user, session_id))


@router.post("/start/{webinar_id:int}/")
def start(webinar_id: int, user: CurrentUser, session: SessionDep) -> dict[str, Any]:
    started = live.start(session, user, webinar_id)
    return {"room_name": started.room_name, "is_active": started.is_active}


@router.get("/join/{webinar_id:int}/")
@router.post("/join/{webinar_id:int}/", include_in_schema=False)
def join(webinar_id: int, user: CurrentUser, session: SessionDep) -> dict[str, Any]:
    result = live.join(session, user, webinar_id)
    return {
        "room_name": result.session.room_name,
        "is_active": True,
        "participant_count": result.participant_count,
    }


@router.post("/leave/{webinar_id:int}/")
def leave(webinar_id: int, user: CurrentUser, session: SessionDep) -> dict[str, Any]:
    """Ours: records the leave time, so attendance has both ends."""
    count = live.leave(session, user, webinar_id)
    return {"message": "Left the live session", "participant_count": count}


@router.post("/end/{webinar_id:int}/")
def end(webinar_id: int, user: CurrentUser, session: SessionDep) -> dict[str, Any]:
    ended = live.end(session, user, webinar_id)
    return {"message": "Live session ended successfully", "end_time": iso_z(ended.ended_at)}


@router.get("/status/{webinar_id:int}/")
def status(webinar_id: int, session: SessionDep) -> dict[str, Any]:
    active = live.status(session, webinar_id)
    if active is None:
        return {"is_active": False, "room_name": None, "participant_count": 0}
    return {
        "room_name": active.room_name,
        "is_active": True,
        "participant_count": live.participant_count(session, active),
    }
