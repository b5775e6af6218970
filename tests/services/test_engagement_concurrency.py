"""Vote-once under concurrency, on the real database: double clicks, a full room voting, a close racing votes.

Each thread has its own Session (as each request does); a gate releases them together so
the inserts really race. The database's unique constraints, not read-then-write checks,
must make the outcome exact.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

from sqlmodel import Session, func, select

from webinar_app.core import db
from webinar_app.core.security import utcnow
from webinar_app.models import (
    Poll,
    PollBallot,
    PollOption,
    PollVote,
    Question,
    QuestionVote,
    Registration,
    User,
    Webinar,
)
from webinar_app.services.engagement import polls, questions
from webinar_app.services.errors import Conflict, PermissionDenied

VOTERS = 200


def _room(session: Session, attendees: int) -> tuple[int, int, list[int]]:
    """A webinar live right now, its admin host, and `attendees` confirmed registrants."""
    host = User(
        username="host",
        username_key="host",
        email="host@x.io",
        email_key="host@x.io",
        role="admin",
        is_active=True,
        email_verified=True,
    )
    session.add(host)
    session.flush()
    start = utcnow() - timedelta(minutes=5)
    webinar = Webinar(title="Room", start_at=start, end_at=start + timedelta(hours=1), organizer_id=host.id)  # type: ignore[arg-type]
    users = [
        User(
            username=f"u{i}",
            username_key=f"u{i}",
            email=f"u{i}@x.io",
            email_key=f"u{i}@x.io",
            is_active=True,
            email_verified=True,
        )
        for i in range(attendees)
    ]
    session.add(webinar)
    session.add_all(users)
    session.flush()
    session.add_all(
        [Registration(user_id=u.id, webinar_id=webinar.id, status="confirmed") for u in users]  # type: ignore[arg-type]
    )
    session.commit()
    return webinar.id, host.id, [u.id for u in users]  # type: ignore[return-value]


def _open_poll(session: Session, webinar_id: int, *, multiple: bool = False) -> tuple[int, list[int]]:
    poll = Poll(
        webinar_id=webinar_id, question="Which?", multiple=multiple, status=polls.OPEN, opened_at=utcnow()
    )
    session.add(poll)
    session.flush()
    options = [PollOption(poll_id=poll.id, text=t, position=i) for i, t in enumerate("ABC")]  # type: ignore[arg-type]
    session.add_all(options)
    session.commit()
    return poll.id, [o.id for o in options]  # type: ignore[return-value]


def _race(
    calls: list[tuple[int, Callable[[Session, User], Any]]],
    *,
    workers: int,
    started: threading.Event | None = None,
) -> tuple[Counter[str], list[BaseException]]:
    """Run each (user id, action) in its own session on a pool, all released at once."""
    gate = threading.Event()
    outcomes: Counter[str] = Counter()
    errors: list[BaseException] = []
    lock = threading.Lock()

    def one(user_id: int, action: Callable[[Session, User], Any]) -> None:
        gate.wait(timeout=30)
        try:
            with Session(db.get_engine(), expire_on_commit=False) as session:
                user = session.get(User, user_id)
                assert user is not None
                try:
                    action(session, user)
                    kind = "ok"
                except Conflict:
                    kind = "conflict"
                except PermissionDenied:
                    kind = "refused"
            with lock:
                outcomes[kind] += 1
                if started is not None and outcomes["ok"] >= 20:
                    started.set()
        except BaseException as exc:  # noqa: BLE001 - every other failure is a test failure
            with lock:
                errors.append(exc)

    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = [pool.submit(one, uid, action) for uid, action in calls]
        gate.set()
        for future in futures:
            future.result()
    return outcomes, errors


def _ballots(poll_id: int) -> int:
    with Session(db.get_engine()) as s:
        return int(
            s.exec(select(func.count()).select_from(PollBallot).where(PollBallot.poll_id == poll_id)).one()
        )


def test_double_clicks_on_upvote_count_once(session: Session) -> None:
    webinar_id, _host, (asker, clicker) = _room(session, 2)
    question = Question(webinar_id=webinar_id, user_id=asker, text="Why?")
    session.add(question)
    session.commit()
    qid = question.id
    outcomes, errors = _race([(clicker, lambda s, u: questions.vote(s, u, qid))] * 20, workers=20)
    assert errors == []
    assert outcomes == Counter({"ok": 1, "conflict": 19})
    votes = session.exec(select(QuestionVote).where(QuestionVote.question_id == qid)).all()
    assert [v.user_id for v in votes] == [clicker]


def test_many_voters_upvoting_one_question_all_count(session: Session) -> None:
    webinar_id, _host, users = _room(session, 50)
    question = Question(webinar_id=webinar_id, user_id=users[0], text="Popular")
    session.add(question)
    session.commit()
    qid = question.id
    calls = [(uid, lambda s, u: questions.vote(s, u, qid)) for uid in users[1:]] * 2  # everyone clicks twice
    outcomes, errors = _race(calls, workers=16)
    assert errors == []
    assert outcomes == Counter({"ok": 49, "conflict": 49})
    assert questions._counts(session, [qid]) == {qid: 49}


def test_200_concurrent_voters_in_one_poll(session: Session) -> None:
    webinar_id, _host, users = _room(session, VOTERS)
    poll_id, options = _open_poll(session, webinar_id)
    choice = {uid: options[i % 3] for i, uid in enumerate(users)}
    calls = [(uid, lambda s, u: polls.vote(s, u, poll_id, {"option": choice[u.id]})) for uid in users]
    outcomes, errors = _race(calls, workers=16)
    assert errors == []
    assert outcomes == Counter({"ok": VOTERS})
    votes, ballots = polls.tally(session, [poll_id])
    assert ballots[poll_id] == VOTERS
    assert votes[poll_id] == dict(Counter(choice.values()))
    assert sum(votes[poll_id].values()) == VOTERS


def test_concurrent_double_votes_in_a_multiple_choice_poll_keep_one_ballot(session: Session) -> None:
    webinar_id, _host, users = _room(session, 40)
    poll_id, (a, b, c) = _open_poll(session, webinar_id, multiple=True)
    calls = [(uid, lambda s, u: polls.vote(s, u, poll_id, {"options": [a, c]})) for uid in users] * 3
    outcomes, errors = _race(calls, workers=16)
    assert errors == []
    assert outcomes == Counter({"ok": 40, "conflict": 80})
    votes, ballots = polls.tally(session, [poll_id])
    assert ballots[poll_id] == 40 and votes[poll_id] == {a: 40, c: 40}
    # every ballot holds exactly its two choices: nothing half-written by a losing click
    per_ballot = session.exec(
        select(PollVote.ballot_id, func.count())
        .where(PollVote.poll_id == poll_id)
        .group_by(PollVote.ballot_id)
    ).all()
    assert len(per_ballot) == 40 and {n for _, n in per_ballot} == {2}


def test_votes_racing_a_close_are_counted_or_refused_and_nothing_lands_after(session: Session) -> None:
    webinar_id, host_id, users = _room(session, VOTERS)
    poll_id, options = _open_poll(session, webinar_id)
    started = threading.Event()
    result: dict[str, Any] = {}

    def close_when_voting() -> None:
        started.wait(timeout=30)
        with Session(db.get_engine(), expire_on_commit=False) as s:
            host = s.get(User, host_id)
            assert host is not None
            polls.set_status(s, host, poll_id, polls.CLOSED)
        result["at_close"] = _ballots(poll_id)

    closer = threading.Thread(target=close_when_voting)
    closer.start()
    calls = [(uid, lambda s, u: polls.vote(s, u, poll_id, {"option": options[0]})) for uid in users]
    outcomes, errors = _race(calls, workers=16, started=started)
    closer.join(timeout=60)
    assert errors == []
    assert set(outcomes) <= {"ok", "refused"} and sum(outcomes.values()) == VOTERS
    assert outcomes["ok"] >= 20  # the close came after voting had started ...
    final = _ballots(poll_id)
    assert final == outcomes["ok"]  # ... every accepted vote is in, every refused one is not
    assert result["at_close"] == final  # nothing was added once the close had committed
    votes, _ = polls.tally(session, [poll_id])
    assert votes[poll_id] == ({options[0]: final} if final else {})
    refused_after = _race(
        [(users[0], lambda s, u: polls.vote(s, u, poll_id, {"option": options[1]}))], workers=1
    )[0]
    assert refused_after == Counter({"refused": 1})
