"""`/api/communications/inbox/`: conversations, paged threads, sending, read marks."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from webinar_app.api.body import RawBody, documented
from webinar_app.api.deps import CurrentUser, SessionDep
from webinar_app.api.routing import ContractRoute
from webinar_app.api.schemas.communications import SendMessageIn, conversation_out
from webinar_app.services import inbox

router = APIRouter(route_class=ContractRoute, prefix="/api/communications/inbox", tags=["inbox"])


@router.get("/conversations/")
def conversations(user: CurrentUser, session: SessionDep) -> list[dict[str, Any]]:
    return [conversation_out(v) for v in inbox.conversations(session, user)]


@router.get("/messages/{conversation_id:int}/")
def messages(
    conversation_id: int,
    user: CurrentUser,
    session: SessionDep,
    page: Annotated[int, Query()] = 1,
    page_size: Annotated[int, Query()] = inbox.DEFAULT_PAGE_SIZE,
) -> dict[str, Any]:
    result = inbox.messages(session, user, conversation_id, page=page, page_size=page_size)
    return {
        "messages": [m.as_dict() for m in result.messages],
        "total": result.total,
        "page": result.page,
        "page_size": result.page_size,
        "has_more": result.has_more,
    }


@router.post("/send/", status_code=201, openapi_extra=documented(SendMessageIn))
def send(data: RawBody, user: CurrentUser, session: SessionDep) -> dict[str, Any]:
    return inbox.send(session, user, data).as_dict()


@router.post("/mark-read/{conversation_id:int}/")
@router.post("/mark_read/{conversation_id:int}/", include_in_schema=False)
def mark_read(conversation_id: int, user: CurrentUser, session: SessionDep) -> dict[str, Any]:
    count = inbox.mark_read(session, user, conversation_id)
    return {"status": "Messages marked as read", "count": count}


@router.get("/unread_count/")
def unread_count(user: CurrentUser, session: SessionDep) -> dict[str, int]:
    """Ours: unread inbox messages across every conversation (the inbox badge)."""
    return {"count": inbox.unread_total(session, user)}
