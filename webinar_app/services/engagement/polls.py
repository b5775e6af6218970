"""Polls: hosts prepare them (single or multiple choice), open and close them live;
attendees vote once; results are live bars for everyone or for hosts only.

One ballot per (poll, user) is a unique row, so "vote once" holds under any concurrency;
its choices are `PollVote` rows. Results are counted from those rows and published at
most `RESULTS_WINDOW` apart per poll across the cluster (`realtime.throttle`), on the
room's polls topic when everyone may see them, on the hosts' topic otherwise.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete as sql_delete
from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from webinar_app.core.security import utcnow
from webinar_app.models import Poll, PollBallot, PollOption, PollVote, User, Webinar
from webinar_app.realtime import publish, throttle
from webinar_app.realtime.broker import SUPERSEDE_KEY
from webinar_app.services.engagement import access
from webinar_app.services.errors import Conflict, Invalid, NotFound, PermissionDenied
from webinar_app.services.timefmt import iso_z
from webinar_app.services.validation import ErrorCollector
from webinar_app.services.webinars import is_host

DRAFT, OPEN, CLOSED = "draft", "open", "closed"
EVERYONE, HOSTS = "everyone", "hosts"
VISIBILITIES = (EVERYONE, HOSTS)
MAX_QUESTION = 300
MAX_OPTION = 200
MIN_OPTIONS, MAX_OPTIONS = 2, 10
RESULTS_WINDOW = 0.25  # at most 4 result pushes per second per poll


# ------------------------------------------------------------------ reading


def _options(session: Session, poll_ids: list[int]) -> dict[int, list[PollOption]]:
    out: dict[int, list[PollOption]] = {pid: [] for pid in poll_ids}
    if poll_ids:
        rows = session.exec(
            select(PollOption)
            .where(col(PollOption.poll_id).in_(poll_ids))
            .order_by(col(PollOption.poll_id), col(PollOption.position), col(PollOption.id))
        ).all()
        for option in rows:
            out[option.poll_id].append(option)
    return out


def tally(session: Session, poll_ids: list[int]) -> tuple[dict[int, dict[int, int]], dict[int, int]]:
    """Votes per option and ballots per poll, two grouped counts for any number of polls."""
    votes: dict[int, dict[int, int]] = {pid: {} for pid in poll_ids}
    ballots: dict[int, int] = dict.fromkeys(poll_ids, 0)
    if poll_ids:
        for pid, oid, n in session.exec(
            select(PollVote.poll_id, PollVote.option_id, func.count())
            .where(col(PollVote.poll_id).in_(poll_ids))
            .group_by(PollVote.poll_id, PollVote.option_id)
        ).all():
            votes[int(pid)][int(oid)] = int(n)
        for pid, n in session.exec(
            select(PollBallot.poll_id, func.count())
            .where(col(PollBallot.poll_id).in_(poll_ids))
            .group_by(PollBallot.poll_id)
        ).all():
            ballots[int(pid)] = int(n)
    return votes, ballots


def _my_choices(session: Session, user: User, poll_ids: list[int]) -> dict[int, list[int]]:
    out: dict[int, list[int]] = {}
    if poll_ids:
        for pid, oid in session.exec(
            select(PollVote.poll_id, PollVote.option_id)
            .join(PollBallot, col(PollBallot.id) == col(PollVote.ballot_id))
            .where(col(PollVote.poll_id).in_(poll_ids), PollBallot.user_id == user.id)
        ).all():
            out.setdefault(int(pid), []).append(int(oid))
    return out


def results_visible(poll: Poll | dict[str, Any], host: bool) -> bool:
    """Hosts always; attendees when the host shares results with everyone (Poll or its dict)."""
    visibility = poll.get("results_visibility") if isinstance(poll, dict) else poll.results_visibility
    return host or visibility == EVERYONE


def poll_dict(
    poll: Poll,
    options: list[PollOption],
    votes: dict[int, int],
    ballots: int,
    *,
    show_results: bool,
    my_choices: list[int] | None = None,
) -> dict[str, Any]:
    """The Poll shape; counts are null when the viewer may not see results."""
    return {
        "id": poll.id,
        "event": poll.webinar_id,
        "question": poll.question,
        "multiple": poll.multiple,
        "results_visibility": poll.results_visibility,
        "status": poll.status,
        "options": [
            {"id": o.id, "text": o.text, "votes": votes.get(o.id or 0, 0) if show_results else None}
            for o in options
        ],
        "total_votes": ballots if show_results else None,
        "my_choices": my_choices or [],
        "voted": bool(my_choices),
        "created_at": iso_z(poll.created_at),
        "opened_at": iso_z(poll.opened_at),
        "closed_at": iso_z(poll.closed_at),
    }


def _dicts(session: Session, user: User | None, polls: list[Poll], host: bool) -> list[dict[str, Any]]:
    ids = [p.id for p in polls if p.id is not None]
    options = _options(session, ids)
    votes, ballots = tally(session, ids)
    mine = _my_choices(session, user, ids) if user is not None else {}
    return [
        poll_dict(
            p,
            options[p.id],  # type: ignore[index]
            votes[p.id],  # type: ignore[index]
            ballots[p.id],  # type: ignore[index]
            show_results=results_visible(p, host),
            my_choices=mine.get(p.id),  # type: ignore[arg-type]
        )
        for p in polls
    ]


def list_for(session: Session, user: User, webinar_id: int) -> list[dict[str, Any]]:
    """Hosts see every poll (drafts too); attendees the open and closed ones."""
    webinar = access.require_reader(session, user, webinar_id)
    host = is_host(user, webinar)
    query = select(Poll).where(Poll.webinar_id == webinar_id)
    if not host:
        query = query.where(Poll.status != DRAFT)
    polls = list(session.exec(query.order_by(col(Poll.id))).all())
    return _dicts(session, user, polls, host)


def _load(session: Session, poll_id: int) -> Poll:
    poll = session.get(Poll, poll_id)
    if poll is None:
        raise NotFound("Poll not found")
    return poll


def _visible(session: Session, user: User, poll_id: int) -> tuple[Poll, Webinar, bool]:
    poll = _load(session, poll_id)
    webinar = access.require_reader(session, user, poll.webinar_id)
    host = is_host(user, webinar)
    if poll.status == DRAFT and not host:
        raise NotFound("Poll not found")
    return poll, webinar, host


def get(session: Session, user: User, poll_id: int) -> dict[str, Any]:
    poll, _webinar, host = _visible(session, user, poll_id)
    return _dicts(session, user, [poll], host)[0]


# ------------------------------------------------------------------ preparing (hosts)


def _clean_options(data: dict[str, Any], errors: ErrorCollector) -> list[str]:
    raw = data.get("options")
    if raw is None:
        errors.add("options", "This field is required.")
        return []
    if not isinstance(raw, list):
        errors.add("options", f'Expected a list of items but got type "{type(raw).__name__}".')
        return []
    texts: list[str] = []
    for item in raw:
        text = item.get("text") if isinstance(item, dict) else item
        if not isinstance(text, str | int | float) or isinstance(text, bool) or not str(text).strip():
            errors.add("options", "Every option needs a text.")
            return []
        text = str(text).strip()
        if len(text) > MAX_OPTION:
            errors.add("options", f"An option has at most {MAX_OPTION} characters.")
            return []
        texts.append(text)
    if len({t.casefold() for t in texts}) != len(texts):
        errors.add("options", "Options must be different from each other.")
    if not MIN_OPTIONS <= len(texts) <= MAX_OPTIONS:
        errors.add("options", f"A poll has between {MIN_OPTIONS} and {MAX_OPTIONS} options.")
    return texts


def _visibility(data: dict[str, Any], errors: ErrorCollector) -> str | None:
    if "results_visibility" not in data:
        return None
    value = data["results_visibility"]
    if value not in VISIBILITIES:
        errors.add("results_visibility", f'"{value}" is not a valid choice.')
        return None
    return str(value)


def create(session: Session, user: User, data: dict[str, Any]) -> dict[str, Any]:
    """A host prepares a poll (a draft attendees do not see until it opens)."""
    errors = ErrorCollector()
    webinar_id = access.pk({"event": data.get("event", data.get("webinar"))}, "event", errors)
    question = access.text_field(data, "question", MAX_QUESTION, errors)
    texts = _clean_options(data, errors)
    multiple = access.flag(data, "multiple", errors)
    visibility = _visibility(data, errors)
    if webinar_id is not None and session.get(Webinar, webinar_id) is None:
        errors.add("event", f'Invalid pk "{webinar_id}" - object does not exist.')
    errors.raise_if_any()
    access.require_host(session, user, webinar_id)  # type: ignore[arg-type]
    poll = Poll(
        webinar_id=webinar_id,  # type: ignore[arg-type]
        question=question,
        multiple=bool(multiple),
        results_visibility=visibility or EVERYONE,
        created_by_id=user.id,
    )
    session.add(poll)
    session.flush()
    for position, text in enumerate(texts):
        session.add(PollOption(poll_id=poll.id, text=text, position=position))  # type: ignore[arg-type]
    session.commit()
    return _changed(session, user, poll)


def update(session: Session, user: User, poll_id: int, data: dict[str, Any]) -> dict[str, Any]:
    """Question, options and kind while still a draft; who sees the results at any time."""
    poll = _load(session, poll_id)
    access.require_host(session, user, poll.webinar_id)
    errors = ErrorCollector()
    visibility = _visibility(data, errors)
    changes_content = any(k in data for k in ("question", "options", "multiple"))
    if changes_content and poll.status != DRAFT:
        errors.add("non_field_errors", "Only a draft poll's question and options can change.")
    question = access.text_field(data, "question", MAX_QUESTION, errors) if "question" in data else None
    texts = _clean_options(data, errors) if "options" in data else None
    multiple = access.flag(data, "multiple", errors)
    errors.raise_if_any()
    if question is not None:
        poll.question = question
    if multiple is not None:
        poll.multiple = multiple
    if visibility is not None:
        poll.results_visibility = visibility
    if texts is not None:
        session.exec(sql_delete(PollOption).where(col(PollOption.poll_id) == poll.id))  # type: ignore[call-overload]
        for position, text in enumerate(texts):
            session.add(PollOption(poll_id=poll.id, text=text, position=position))  # type: ignore[arg-type]
    session.add(poll)
    session.commit()
    return _changed(session, user, poll)


def set_status(session: Session, user: User, poll_id: int, status: str) -> dict[str, Any]:
    """Open (from draft or closed) or close (from open); results stay for the analytics."""
    poll = _load(session, poll_id)
    access.require_host(session, user, poll.webinar_id)
    if status == OPEN:
        if poll.status == OPEN:
            raise Conflict("This poll is already open")
        poll.status, poll.opened_at, poll.closed_at = OPEN, poll.opened_at or utcnow(), None
    elif status == CLOSED:
        if poll.status != OPEN:
            raise Conflict("Only an open poll can be closed")
        poll.status, poll.closed_at = CLOSED, utcnow()
    else:
        raise Invalid.field("status", f'"{status}" is not a valid choice.')
    session.add(poll)
    session.commit()
    return _changed(session, user, poll)


def delete(session: Session, user: User, poll_id: int) -> None:
    poll = _load(session, poll_id)
    access.require_host(session, user, poll.webinar_id)
    webinar_id, gone = poll.webinar_id, poll.id
    session.delete(poll)
    session.commit()
    publish(access.polls_topic(webinar_id), "poll_deleted", id=gone)


def _changed(session: Session, user: User, poll: Poll) -> dict[str, Any]:
    """Publish the poll as a host sees it (tabs redact for attendees) and answer the caller."""
    (full,) = _dicts(session, None, [poll], True)
    publish(access.polls_topic(poll.webinar_id), "poll_changed", poll=full)
    return _dicts(session, user, [poll], True)[0]


# ------------------------------------------------------------------ voting


def _choices(data: dict[str, Any], poll: Poll, options: list[PollOption]) -> list[int]:
    raw = data.get("options", data.get("option"))
    if raw is None or raw == []:
        raise Invalid.field("options", "Choose an option.")
    items = raw if isinstance(raw, list) else [raw]
    ids: list[int] = []
    for item in items:
        try:
            if isinstance(item, bool):
                raise ValueError
            ids.append(int(str(item).strip()))
        except (TypeError, ValueError):
            raise Invalid.field("options", "Incorrect type. Expected pk value.") from None
    valid = {o.id for o in options}
    if any(i not in valid for i in ids):
        raise Invalid.field("options", "Not an option of this poll.")
    if len(set(ids)) != len(ids):
        raise Invalid.field("options", "An option can be chosen only once.")
    if not poll.multiple and len(ids) != 1:
        raise Invalid.field("options", "This poll takes exactly one choice.")
    return ids


def vote(
    session: Session, user: User, poll_id: int, data: dict[str, Any], *, with_total: bool = True
) -> dict[str, Any]:
    """One ballot per user while the poll is open; the results follow, throttled.

    `with_total=False` skips counting the ballots for the answer (the live room gets the
    count from the pushed results; under a 1,000-voter burst that count is a query per vote).
    """
    poll, _webinar, host = _visible(session, user, poll_id)  # a reader of the room, or 403/404
    if poll.status != OPEN:
        raise PermissionDenied("This poll is not open for votes")
    choices = _choices(data, poll, _options(session, [poll.id])[poll.id])  # type: ignore[list-item,index]
    ballot = PollBallot(poll_id=poll.id, user_id=user.id)  # type: ignore[arg-type]
    session.add(ballot)
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
        raise Conflict("You have already voted in this poll") from None
    for option_id in choices:
        session.add(PollVote(ballot_id=ballot.id, poll_id=poll.id, option_id=option_id))  # type: ignore[arg-type]
    # The poll may have closed meanwhile. Re-read its status under a shared row lock: votes
    # do not block each other, but a host's close waits for votes in flight and every vote
    # after it sees "closed" (SQLite: the write lock already serialises both).
    status = session.exec(select(Poll.status).where(Poll.id == poll.id).with_for_update(read=True)).one()
    if status != OPEN:
        session.rollback()
        raise PermissionDenied("This poll is not open for votes")
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        raise Conflict("You have already voted in this poll") from None
    results_changed(poll.id, poll.webinar_id)  # type: ignore[arg-type]
    total = None
    if with_total and results_visible(poll, host):
        total = tally(session, [poll.id])[1][poll.id]  # type: ignore[list-item,index]
    return {"poll": poll.id, "options": choices, "total_votes": total}


def results_changed(poll_id: int, webinar_id: int) -> None:
    throttle.mark(f"poll:{poll_id}", lambda: flush_results(poll_id, webinar_id), window=RESULTS_WINDOW)


def flush_results(poll_id: int, webinar_id: int) -> None:
    """Count the poll now and publish it: everything committed so far is in (throttled)."""
    from webinar_app.core.db import session_scope

    with session_scope() as session:
        poll = session.get(Poll, poll_id)
        if poll is None:
            return
        votes, ballots = tally(session, [poll_id])
        visibility = poll.results_visibility
    topic = access.polls_topic(webinar_id) if visibility == EVERYONE else access.hosts_topic(webinar_id)
    publish(
        topic,
        "poll_results",
        poll_id=poll_id,
        counts={str(k): v for k, v in votes[poll_id].items()},
        total=ballots[poll_id],
        **{SUPERSEDE_KEY: f"poll:{poll_id}"},
    )
