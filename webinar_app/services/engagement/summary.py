"""A room's engagement in figures, for the host's analytics: Q&A, polls, reactions.

Aggregates only (a handful of grouped counts whatever the audience), so the admin
registrants panel and `GET /api/engagement/summary/` stay fast for a 10,000-seat webinar.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import distinct, func
from sqlmodel import Session, col, select

from webinar_app.models import Poll, Question, QuestionVote, User
from webinar_app.services.engagement import access, polls, reactions


def summary(session: Session, user: User, webinar_id: int) -> dict[str, Any]:
    """Hosts only: questions asked/answered/hidden, upvotes, askers; each poll's results."""
    access.require_host(session, user, webinar_id)
    asked, answered, hidden, askers = session.exec(
        select(
            func.count(Question.id),
            func.count(Question.answered_at),
            func.count(Question.hidden_at),
            func.count(distinct(Question.user_id)),
        ).where(Question.webinar_id == webinar_id)
    ).one()
    upvotes = session.exec(
        select(func.count(QuestionVote.id))
        .join(Question, col(Question.id) == col(QuestionVote.question_id))
        .where(Question.webinar_id == webinar_id)
    ).one()
    room_polls = list(
        session.exec(select(Poll).where(Poll.webinar_id == webinar_id).order_by(col(Poll.id))).all()
    )
    poll_items = polls._dicts(session, None, room_polls, True)
    return {
        "event": webinar_id,
        "questions": {
            "asked": int(asked),
            "answered": int(answered),
            "hidden": int(hidden),
            "askers": int(askers),
            "upvotes": int(upvotes),
        },
        "polls": [
            {
                "id": p["id"],
                "question": p["question"],
                "status": p["status"],
                "multiple": p["multiple"],
                "total_votes": p["total_votes"],
                "options": [{"text": o["text"], "votes": o["votes"]} for o in p["options"]],
            }
            for p in poll_items
        ],
        "reactions": reactions.totals(session, webinar_id),
    }
