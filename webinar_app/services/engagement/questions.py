"""Q&A: attendees ask and upvote; hosts answer, pin and hide; everyone sees it sorted live.

Upvotes are rows with a unique (question, user) pair, so concurrent double clicks count
once whatever the interleaving. Vote counts go out throttled (`VOTES_WINDOW`), recounted
from the database at flush time, so a burst of votes costs each tab a few pushes, not one
per vote. Anonymity hides the author from other attendees only: hosts always see who asked.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from webinar_app.core.security import utcnow
from webinar_app.models import Question, QuestionVote, User, Webinar
from webinar_app.realtime import publish, throttle
from webinar_app.realtime.broker import SUPERSEDE_KEY
from webinar_app.services.engagement import access
from webinar_app.services.errors import Conflict, Invalid, NotFound, PermissionDenied
from webinar_app.services.timefmt import iso_z
from webinar_app.services.validation import ErrorCollector
from webinar_app.services.webinars import is_host

MAX_LENGTH = 500
VOTES_WINDOW = 0.25
ANONYMOUS = "Anonymous"


@dataclass(frozen=True)
class QuestionView:
    question: Question
    author: User
    votes: int
    voted: bool

    def as_dict(self, *, for_host: bool, viewer_id: int | None = None) -> dict[str, Any]:
        """The Question shape; an anonymous author is blanked unless the viewer hosts or asked."""
        q, a = self.question, self.author
        reveal = for_host or not q.anonymous or viewer_id == q.user_id
        name = f"{a.first_name or ''} {a.last_name or ''}".strip() or a.username
        return {
            "id": q.id,
            "event": q.webinar_id,
            "text": q.text,
            "anonymous": q.anonymous,
            "user": q.user_id if reveal else None,
            "user_username": a.username if reveal else None,
            "author_name": name if reveal else ANONYMOUS,
            "votes": self.votes,
            "voted": self.voted,
            "mine": viewer_id is not None and viewer_id == q.user_id,
            "pinned": q.pinned,
            "answered": q.answered_at is not None,
            "answered_at": iso_z(q.answered_at),
            "hidden": q.hidden_at is not None,
            "created_at": iso_z(q.created_at),
        }


def visible_to(item: dict[str, Any], *, host: bool, viewer_id: int) -> dict[str, Any] | None:
    """A question's host view (as published) as one viewer may see it: None when hidden from
    them, the author blanked when anonymous and the viewer neither hosts nor asked it. The
    same rule as `QuestionView.as_dict`, for dicts that arrive by push."""
    if item.get("hidden") and not host:
        return None
    out = dict(item)
    asker = item.get("user")
    mine = asker is not None and int(asker) == viewer_id
    if item.get("anonymous") and not host and not mine:
        out.update(user=None, user_username=None, author_name=ANONYMOUS)
    out["mine"] = mine
    return out


def sort_key(item: dict[str, Any]) -> tuple[int, int, int, int]:
    """Pinned first, then unanswered, most votes, oldest: the order every tab shows."""
    return (0 if item["pinned"] else 1, 1 if item["answered"] else 0, -int(item["votes"]), int(item["id"]))


def _counts(session: Session, question_ids: list[int]) -> dict[int, int]:
    if not question_ids:
        return {}
    rows = session.exec(
        select(QuestionVote.question_id, func.count())
        .where(col(QuestionVote.question_id).in_(question_ids))
        .group_by(QuestionVote.question_id)
    ).all()
    return {int(qid): int(n) for qid, n in rows}


def _my_votes(session: Session, user: User, question_ids: list[int]) -> set[int]:
    if not question_ids:
        return set()
    rows = session.exec(
        select(QuestionVote.question_id).where(
            col(QuestionVote.question_id).in_(question_ids), QuestionVote.user_id == user.id
        )
    ).all()
    return {int(r) for r in rows}


def _views(session: Session, user: User, rows: list[tuple[Question, User]]) -> list[QuestionView]:
    ids = [q.id for q, _ in rows if q.id is not None]
    counts, mine = _counts(session, ids), _my_votes(session, user, ids)
    return [QuestionView(q, a, counts.get(q.id or 0, 0), (q.id or 0) in mine) for q, a in rows]


def list_for(session: Session, user: User, webinar_id: int) -> list[dict[str, Any]]:
    """The room's questions as this user may see them, sorted; hosts also get hidden ones."""
    webinar = access.require_reader(session, user, webinar_id)
    host = is_host(user, webinar)
    query = (
        select(Question, User)
        .join(User, col(User.id) == col(Question.user_id))
        .where(Question.webinar_id == webinar_id)
    )
    if not host:
        query = query.where(col(Question.hidden_at).is_(None))
    rows = list(session.exec(query).all())
    items = [v.as_dict(for_host=host, viewer_id=user.id) for v in _views(session, user, rows)]  # type: ignore[arg-type]
    return sorted(items, key=sort_key)


def _load(session: Session, question_id: int) -> tuple[Question, User]:
    row = session.exec(
        select(Question, User)
        .join(User, col(User.id) == col(Question.user_id))
        .where(Question.id == question_id)
    ).first()
    if row is None:
        raise NotFound("Question not found")
    return row[0], row[1]


def _visible(session: Session, user: User, question_id: int) -> tuple[Question, User, Webinar]:
    """A question the caller may see (a hidden one is gone for attendees: 404)."""
    question, author = _load(session, question_id)
    webinar = access.require_reader(session, user, question.webinar_id)
    if question.hidden_at is not None and not is_host(user, webinar):
        raise NotFound("Question not found")
    return question, author, webinar


def get(session: Session, user: User, question_id: int) -> dict[str, Any]:
    question, author, webinar = _visible(session, user, question_id)
    (view,) = _views(session, user, [(question, author)])
    return view.as_dict(for_host=is_host(user, webinar), viewer_id=user.id)


def _publish_changed(view: QuestionView) -> None:
    """One event for every tab of the room; each tab's state redacts it for its viewer."""
    q = view.question
    publish(
        access.qa_topic(q.webinar_id),
        "question_changed",
        question=view.as_dict(for_host=True),
    )


def ask(session: Session, user: User, data: dict[str, Any]) -> dict[str, Any]:
    """Validate, check the room is open and the user may write, commit, publish."""
    errors = ErrorCollector()
    webinar_id = access.pk({"event": data.get("event", data.get("webinar"))}, "event", errors)
    text = access.text_field(data, "text", MAX_LENGTH, errors)
    anonymous = access.flag(data, "anonymous", errors)
    if webinar_id is not None and session.get(Webinar, webinar_id) is None:
        errors.add("event", f'Invalid pk "{webinar_id}" - object does not exist.')
    errors.raise_if_any()
    webinar = access.require_writer(session, user, webinar_id)  # type: ignore[arg-type]
    question = Question(webinar_id=webinar.id, user_id=user.id, text=text, anonymous=bool(anonymous))  # type: ignore[arg-type]
    session.add(question)
    session.commit()
    view = QuestionView(question, user, 0, False)
    _publish_changed(view)
    return view.as_dict(for_host=is_host(user, webinar), viewer_id=user.id)


def vote(session: Session, user: User, question_id: int) -> dict[str, Any]:
    """Upvote once (a Conflict the second time, however close together the clicks)."""
    question, author, _webinar = _visible(session, user, question_id)
    access.require_writer(session, user, question.webinar_id)
    if question.user_id == user.id:
        raise PermissionDenied("You cannot upvote your own question")
    if question.hidden_at is not None:
        raise NotFound("Question not found")
    session.add(QuestionVote(question_id=question.id, user_id=user.id))  # type: ignore[arg-type]
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        raise Conflict("You have already upvoted this question") from None
    _votes_changed(question.webinar_id)
    return _vote_answer(session, question)


def unvote(session: Session, user: User, question_id: int) -> dict[str, Any]:
    """Take an upvote back (404 when there was none)."""
    question, _author, _webinar = _visible(session, user, question_id)
    access.require_writer(session, user, question.webinar_id)
    row = session.exec(
        select(QuestionVote).where(QuestionVote.question_id == question_id, QuestionVote.user_id == user.id)
    ).first()
    if row is None:
        raise NotFound("You have not upvoted this question")
    session.delete(row)
    session.commit()
    _votes_changed(question.webinar_id)
    return _vote_answer(session, question)


def _vote_answer(session: Session, question: Question) -> dict[str, Any]:
    votes = _counts(session, [question.id]).get(question.id or 0, 0)  # type: ignore[list-item]
    return {"id": question.id, "event": question.webinar_id, "votes": votes}


def _votes_changed(webinar_id: int) -> None:
    throttle.mark(f"qa-votes:{webinar_id}", lambda: flush_votes(webinar_id), window=VOTES_WINDOW)


def flush_votes(webinar_id: int) -> None:
    """Recount the room's votes and publish them (runs throttled, off the request)."""
    from webinar_app.core.db import session_scope

    with session_scope() as session:
        rows = session.exec(
            select(QuestionVote.question_id, func.count())
            .join(Question, col(Question.id) == col(QuestionVote.question_id))
            .where(Question.webinar_id == webinar_id)
            .group_by(QuestionVote.question_id)
        ).all()
    counts = {str(qid): int(n) for qid, n in rows}
    publish(access.qa_topic(webinar_id), "question_votes", counts=counts, **{SUPERSEDE_KEY: "qa-votes"})


def moderate(session: Session, user: User, question_id: int, data: dict[str, Any]) -> dict[str, Any]:
    """Hosts set `answered`, `pinned`, `hidden` (any subset); a hidden question leaves attendees' lists."""
    question, author = _load(session, question_id)
    webinar = access.require_host(session, user, question.webinar_id)
    errors = ErrorCollector()
    answered = access.flag(data, "answered", errors)
    pinned = access.flag(data, "pinned", errors)
    hidden = access.flag(data, "hidden", errors)
    errors.raise_if_any()
    if answered is None and pinned is None and hidden is None:
        raise Invalid({"non_field_errors": ["Send at least one of answered, pinned, hidden."]})
    now = utcnow()
    if answered is not None:
        question.answered_at = (question.answered_at or now) if answered else None
    if pinned is not None:
        question.pinned = pinned
    if hidden is not None:
        question.hidden_at = (question.hidden_at or now) if hidden else None
        question.hidden_by_id = user.id if hidden else None
    session.add(question)
    session.commit()
    (view,) = _views(session, user, [(question, author)])
    _publish_changed(view)
    return view.as_dict(for_host=is_host(user, webinar), viewer_id=user.id)


def delete(session: Session, user: User, question_id: int) -> None:
    """The author withdraws a question, or a host removes it for good."""
    question, _author = _load(session, question_id)
    webinar = access.require_reader(session, user, question.webinar_id)
    if question.user_id != user.id and not is_host(user, webinar):
        raise PermissionDenied("You can only withdraw your own questions")
    webinar_id, gone = question.webinar_id, question.id
    session.delete(question)
    session.commit()
    publish(access.qa_topic(webinar_id), "question_deleted", id=gone)
