"""`/api/engagement/`: the live room's Q&A, polls, reactions and raised hands.

Same access rules as the chat (registrants, the organizer and admins; banned users are
out), so refusals answer `{"error": "..."}` like the chat does (api/errors.py picks the
key by path). The rules live in `services.engagement`; these routes only parse ids.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response

from webinar_app.api.body import RawBody, documented
from webinar_app.api.deps import CurrentUser, SessionDep
from webinar_app.api.routing import ContractRoute
from webinar_app.api.schemas.engagement import (
    ClearHandsIn,
    EventIn,
    PollIn,
    PollUpdateIn,
    PollVoteIn,
    QuestionIn,
    QuestionModerationIn,
    ReactionIn,
)
from webinar_app.services.accounts import MAX_ID
from webinar_app.services.engagement import access, hands, polls, questions, reactions
from webinar_app.services.engagement.summary import summary as room_summary
from webinar_app.services.errors import Invalid, NotFound
from webinar_app.services.validation import ErrorCollector
from webinar_app.services.webinars import is_host

router = APIRouter(route_class=ContractRoute, prefix="/api/engagement", tags=["engagement"])


def _event(event: int | None) -> int:
    """The `?event=` every room listing needs (400 without it; 404 past the id range,
    which no webinar can have and the database would reject with an error)."""
    if event is None:
        raise Invalid.field("event", "This field is required.")
    if not 0 < event <= MAX_ID:
        raise NotFound("Webinar not found")
    return event


def _in_range(object_id: int, what: str) -> int:
    """A path id the database can hold, else the 404 any unknown id gets."""
    if not 0 < object_id <= MAX_ID:
        raise NotFound(f"{what} not found")
    return object_id


# ------------------------------------------------------------------ questions


@router.get("/questions/")
def list_questions(user: CurrentUser, session: SessionDep, event: int | None = None) -> list[dict[str, Any]]:
    """Sorted as every tab shows them; hosts also get hidden ones."""
    return questions.list_for(session, user, _event(event))


@router.post("/questions/", status_code=201, openapi_extra=documented(QuestionIn))
def ask_question(data: RawBody, user: CurrentUser, session: SessionDep) -> dict[str, Any]:
    return questions.ask(session, user, data)


@router.get("/questions/{question_id:int}/")
def read_question(question_id: int, user: CurrentUser, session: SessionDep) -> dict[str, Any]:
    return questions.get(session, user, _in_range(question_id, "Question"))


@router.patch("/questions/{question_id:int}/", openapi_extra=documented(QuestionModerationIn))
def moderate_question(
    question_id: int, data: RawBody, user: CurrentUser, session: SessionDep
) -> dict[str, Any]:
    """Hosts: answered, pinned, hidden (any subset)."""
    return questions.moderate(session, user, _in_range(question_id, "Question"), data)


@router.delete("/questions/{question_id:int}/", status_code=204)
def delete_question(question_id: int, user: CurrentUser, session: SessionDep) -> Response:
    questions.delete(session, user, _in_range(question_id, "Question"))
    return Response(status_code=204)


@router.post("/questions/{question_id:int}/vote/", status_code=201)
def upvote_question(question_id: int, user: CurrentUser, session: SessionDep) -> dict[str, Any]:
    return questions.vote(session, user, _in_range(question_id, "Question"))


@router.delete("/questions/{question_id:int}/vote/")
def withdraw_upvote(question_id: int, user: CurrentUser, session: SessionDep) -> dict[str, Any]:
    return questions.unvote(session, user, _in_range(question_id, "Question"))


# ------------------------------------------------------------------ polls


@router.get("/polls/")
def list_polls(user: CurrentUser, session: SessionDep, event: int | None = None) -> list[dict[str, Any]]:
    """Hosts see drafts too; results are null where hidden from the caller."""
    return polls.list_for(session, user, _event(event))


@router.post("/polls/", status_code=201, openapi_extra=documented(PollIn))
def create_poll(data: RawBody, user: CurrentUser, session: SessionDep) -> dict[str, Any]:
    return polls.create(session, user, data)


@router.get("/polls/{poll_id:int}/")
def read_poll(poll_id: int, user: CurrentUser, session: SessionDep) -> dict[str, Any]:
    return polls.get(session, user, _in_range(poll_id, "Poll"))


@router.get("/polls/{poll_id:int}/results/")
def poll_results(poll_id: int, user: CurrentUser, session: SessionDep) -> dict[str, Any]:
    """The detail: its counts are the results (null when hidden from the caller)."""
    return polls.get(session, user, _in_range(poll_id, "Poll"))


@router.patch("/polls/{poll_id:int}/", openapi_extra=documented(PollUpdateIn))
def update_poll(poll_id: int, data: RawBody, user: CurrentUser, session: SessionDep) -> dict[str, Any]:
    return polls.update(session, user, _in_range(poll_id, "Poll"), data)


@router.delete("/polls/{poll_id:int}/", status_code=204)
def delete_poll(poll_id: int, user: CurrentUser, session: SessionDep) -> Response:
    polls.delete(session, user, _in_range(poll_id, "Poll"))
    return Response(status_code=204)


@router.post("/polls/{poll_id:int}/open/")
def open_poll(poll_id: int, user: CurrentUser, session: SessionDep) -> dict[str, Any]:
    return polls.set_status(session, user, _in_range(poll_id, "Poll"), polls.OPEN)


@router.post("/polls/{poll_id:int}/close/")
def close_poll(poll_id: int, user: CurrentUser, session: SessionDep) -> dict[str, Any]:
    return polls.set_status(session, user, _in_range(poll_id, "Poll"), polls.CLOSED)


@router.post("/polls/{poll_id:int}/vote/", status_code=201, openapi_extra=documented(PollVoteIn))
def vote_poll(poll_id: int, data: RawBody, user: CurrentUser, session: SessionDep) -> dict[str, Any]:
    return polls.vote(session, user, _in_range(poll_id, "Poll"), data)


# ------------------------------------------------------------------ reactions


@router.post("/reactions/", status_code=202, openapi_extra=documented(ReactionIn))
def react(data: RawBody, user: CurrentUser, session: SessionDep) -> dict[str, Any]:
    """Accepted, not stored one by one: reactions are batched per room (429 when too fast)."""
    reactions.react(session, user, access.event_id(data), data.get("emoji"))
    return {"status": "ok"}


# ------------------------------------------------------------------ raised hands


@router.get("/hands/")
def read_hands(user: CurrentUser, session: SessionDep, event: int | None = None) -> dict[str, Any]:
    """Hosts get the queue (first raised first); attendees whether their own hand is up."""
    webinar_id = _event(event)
    webinar = access.require_reader(session, user, webinar_id)
    if is_host(user, webinar):
        return {"event": webinar_id, "queue": hands.queue(session, user, webinar_id)}
    return {"event": webinar_id, "raised": hands.is_raised(session, user, webinar_id)}


@router.post("/hands/", status_code=201, openapi_extra=documented(EventIn))
def raise_hand(data: RawBody, user: CurrentUser, session: SessionDep, response: Response) -> dict[str, Any]:
    """201 when the hand goes up, 200 when it already was (its place in the queue is kept)."""
    webinar_id = access.event_id(data)
    if not hands.raise_hand(session, user, webinar_id):
        response.status_code = 200
    return {"event": webinar_id, "raised": True}


@router.delete("/hands/")
def lower_hand(user: CurrentUser, session: SessionDep, event: int | None = None) -> dict[str, Any]:
    webinar_id = _event(event)
    lowered = hands.lower_hand(session, user, webinar_id)
    return {"event": webinar_id, "raised": False, "lowered": lowered}


@router.post("/hands/clear/", openapi_extra=documented(ClearHandsIn))
def clear_hands(data: RawBody, user: CurrentUser, session: SessionDep) -> dict[str, Any]:
    """Hosts lower one attendee's hand (`user`) or every hand in the room."""
    webinar_id = access.event_id(data)
    target: int | None = None
    if data.get("user") is not None:
        errors = ErrorCollector()
        target = access.pk(data, "user", errors)
        errors.raise_if_any()
    cleared = hands.clear(session, user, webinar_id, target)
    return {"event": webinar_id, "cleared": cleared}


# ------------------------------------------------------------------ analytics


@router.get("/summary/")
def engagement_summary(user: CurrentUser, session: SessionDep, event: int | None = None) -> dict[str, Any]:
    """Hosts: Q&A, poll and reaction figures of one room."""
    return room_summary(session, user, _event(event))
