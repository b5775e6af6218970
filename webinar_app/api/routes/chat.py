"""`/api/communications/chat/`: room history, posting, edits, soft deletes and moderation.

Every refusal here answers `{"error": "..."}` (api/errors.py picks the key by path).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response

from webinar_app.api.body import RawBody, documented
from webinar_app.api.deps import CurrentUser, SessionDep
from webinar_app.api.errors import ApiError
from webinar_app.api.routing import ContractRoute
from webinar_app.api.schemas.common import iso_z
from webinar_app.api.schemas.communications import ChatEditIn, ChatPostIn, ModerationIn, MuteIn, SlowModeIn
from webinar_app.services import chat, moderation
from webinar_app.services.errors import Invalid
from webinar_app.services.validation import ErrorCollector

router = APIRouter(route_class=ContractRoute, prefix="/api/communications/chat", tags=["chat"])


def _pks(data: dict[str, Any], *names: str) -> list[int]:
    """Integer ids from the body (JSON numbers or form strings), or 400 under each field."""
    errors = ErrorCollector()
    out: list[int] = []
    for name in names:
        raw = data.get(name)
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            errors.add(name, "This field is required.")
            continue
        try:
            if isinstance(raw, bool):
                raise ValueError
            out.append(int(str(raw).strip()))
        except ValueError:
            errors.add(name, "Incorrect type. Expected pk value.")
    errors.raise_if_any()
    return out


@router.get("/")
def list_messages(user: CurrentUser, session: SessionDep, event: int | None = None) -> list[dict[str, Any]]:
    """`?event=` gives that room's last 200 messages; without it, those of every room the caller reads."""
    views = chat.history(session, user, event) if event is not None else chat.visible_history(session, user)
    return [v.as_dict() for v in views]


@router.post("/", status_code=201, openapi_extra=documented(ChatPostIn))
def post_message(data: RawBody, user: CurrentUser, session: SessionDep) -> dict[str, Any]:
    return chat.post(session, user, data).as_dict()


@router.get("/event_chat/")
def event_chat(user: CurrentUser, session: SessionDep, event_id: str | None = None) -> list[dict[str, Any]]:
    if event_id is None or not event_id.strip():
        raise ApiError(400, {"error": "event_id parameter is required"})
    try:
        webinar_id = int(event_id.strip())
    except ValueError:
        raise ApiError(400, {"error": "event_id must be an integer"}) from None
    return [v.as_dict() for v in chat.history(session, user, webinar_id)]


@router.get("/room/")
def room(user: CurrentUser, session: SessionDep, event: int | None = None) -> dict[str, Any]:
    """Ours: the caller's standing in a room (open, muted, slow mode, may moderate)."""
    if event is None:
        raise Invalid.field("event", "This field is required.")
    return chat.room_info(session, user, event)


@router.post("/mute/", openapi_extra=documented(MuteIn))
def mute(data: RawBody, user: CurrentUser, session: SessionDep) -> dict[str, Any]:
    event, target = _pks(data, "event", "user")
    row = moderation.mute(session, user, event, target, data.get("minutes"))
    return {"status": "User muted", "event": event, "user": target, "until": iso_z(row.until)}


@router.post("/unmute/", openapi_extra=documented(ModerationIn))
def unmute(data: RawBody, user: CurrentUser, session: SessionDep) -> dict[str, Any]:
    event, target = _pks(data, "event", "user")
    moderation.unmute(session, user, event, target)
    return {"status": "User unmuted", "event": event, "user": target}


@router.post("/ban/", openapi_extra=documented(ModerationIn))
def ban(data: RawBody, user: CurrentUser, session: SessionDep) -> dict[str, Any]:
    event, target = _pks(data, "event", "user")
    moderation.ban(session, user, event, target)
    return {"status": "User banned", "event": event, "user": target}


@router.post("/unban/", openapi_extra=documented(ModerationIn))
def unban(data: RawBody, user: CurrentUser, session: SessionDep) -> dict[str, Any]:
    event, target = _pks(data, "event", "user")
    moderation.unban(session, user, event, target)
    return {"status": "User unbanned", "event": event, "user": target}


@router.post("/slow_mode/", openapi_extra=documented(SlowModeIn))
@router.post("/slow-mode/", include_in_schema=False)
def slow_mode(data: RawBody, user: CurrentUser, session: SessionDep) -> dict[str, Any]:
    (event,) = _pks(data, "event")
    seconds = moderation.set_slow_mode(session, user, event, data.get("seconds"))
    return {"status": "Slow mode updated", "event": event, "seconds": seconds}


@router.get("/{message_id:int}/")
def read_message(message_id: int, user: CurrentUser, session: SessionDep) -> dict[str, Any]:
    return chat.get(session, user, message_id).as_dict()


@router.patch("/{message_id:int}/", openapi_extra=documented(ChatEditIn))
@router.put("/{message_id:int}/", include_in_schema=False)
def edit_message(message_id: int, data: RawBody, user: CurrentUser, session: SessionDep) -> dict[str, Any]:
    return chat.edit(session, user, message_id, data).as_dict()


@router.delete("/{message_id:int}/", status_code=204)
def delete_message(message_id: int, user: CurrentUser, session: SessionDep) -> Response:
    chat.delete(session, user, message_id)
    return Response(status_code=204)
