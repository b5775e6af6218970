"""Dashboard aggregates: right numbers, and a query count that does not grow with the rows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import event
from sqlmodel import Session

from webinar_app.models import ChatMessage, Recording, RecordingView, Registration, User, Webinar
from webinar_app.services import analytics
from webinar_app.services.errors import PermissionDenied

NOW = datetime.now(UTC)


def _users(session: Session, n: int, prefix: str) -> list[User]:
    users = [
        User(
            username=f"{prefix}{i}",
            username_key=f"{prefix}{i}",
            email=f"{prefix}{i}@x.test",
            email_key=f"{prefix}{i}@x.test",
            is_active=i % 10 != 0,
        )
        for i in range(n)
    ]
    session.add_all(users)
    session.flush()
    return users


def _webinar(session: Session, admin: Any, title: str, start: datetime, manual: str = "") -> Webinar:
    w = Webinar(
        title=title,
        start_at=start,
        end_at=start + timedelta(hours=1),
        organizer_id=admin.id,
        manual_status=manual,
    )
    session.add(w)
    session.flush()
    return w


def seed(session: Session, admin: Any, scale: int) -> dict[str, Any]:
    """`scale` users; past webinar: all confirmed, half attended, a quarter watched the replay."""
    people = _users(session, scale, f"u{scale}_")
    past = _webinar(session, admin, "Past", NOW - timedelta(days=2))
    future = _webinar(session, admin, "Future", NOW + timedelta(days=2))
    _webinar(session, admin, "Cancelled", NOW + timedelta(days=3), manual="cancelled")
    _webinar(session, admin, "Live", NOW - timedelta(minutes=10))
    rec = Recording(webinar_id=past.id, recording_link="https://example.com/r")  # type: ignore[arg-type]
    session.add(rec)
    session.flush()
    for i, person in enumerate(people):
        session.add(
            Registration(
                user_id=person.id,
                webinar_id=past.id,
                attended=i % 2 == 0,  # type: ignore[arg-type]
                registered_on=NOW - timedelta(days=2),
            )
        )
        if i % 3 == 0:
            session.add(
                Registration(
                    user_id=person.id,
                    webinar_id=future.id,  # type: ignore[arg-type]
                    status="waitlisted" if i % 2 else "confirmed",
                )
            )
        if i % 4 == 0:
            # Two views by one person count once.
            session.add(RecordingView(recording_id=rec.id, user_id=person.id))  # type: ignore[arg-type]
            session.add(RecordingView(recording_id=rec.id, user_id=person.id))  # type: ignore[arg-type]
        session.add(
            ChatMessage(
                webinar_id=past.id,
                user_id=person.id,
                message="hi",  # type: ignore[arg-type]
                created_at=NOW - timedelta(days=2),
            )
        )
    session.commit()
    return {"past": past, "future": future, "people": people}


class QueryCounter:
    def __init__(self, session: Session) -> None:
        self.engine = session.get_bind()
        self.count = 0

    def _on(self, *args: Any) -> None:
        self.count += 1

    def __enter__(self) -> QueryCounter:
        event.listen(self.engine, "before_cursor_execute", self._on)
        return self

    def __exit__(self, *exc: Any) -> None:
        event.remove(self.engine, "before_cursor_execute", self._on)


def test_dashboard_numbers(session, admin):
    scale = 300
    seeded = seed(session, admin, scale)
    d = analytics.dashboard(session, admin)
    assert d.webinars_by_status == {"upcoming": 1, "live": 1, "completed": 1, "cancelled": 1}
    assert d.users == scale + 1 and d.active_users == scale - scale // 10 + 1
    future_regs = len(range(0, scale, 3))
    future_waiting = len([i for i in range(0, scale, 3) if i % 2])
    assert d.waitlisted == future_waiting
    assert d.registrations == scale + future_regs - future_waiting
    assert d.attendance_rate == pytest.approx(0.5)  # only the past webinar has started
    days = dict(d.registrations_per_day)
    assert len(days) == 30 and days[(NOW - timedelta(days=2)).date().isoformat()] == scale
    assert dict(d.chat_messages_per_day)[(NOW - timedelta(days=2)).date().isoformat()] == scale
    top = {f.title: f for f in d.top_webinars}
    assert list(top)[0] == "Past"
    assert (top["Past"].registered, top["Past"].attended, top["Past"].watched_replay) == (
        scale,
        scale // 2,
        scale // 4,
    )
    assert top["Future"].watched_replay == 0 and top["Future"].webinar_id == seeded["future"].id
    assert d.as_dict()["top_webinars"][0]["title"] == "Past"


def test_query_count_does_not_grow_with_rows(session, admin):
    seed(session, admin, 20)
    with QueryCounter(session) as small:
        analytics.dashboard(session, admin)
    seed(session, admin, 300)
    with QueryCounter(session) as large:
        analytics.dashboard(session, admin)
    assert large.count == small.count <= 12


def test_dashboard_is_admin_only(session, student):
    with pytest.raises(PermissionDenied):
        analytics.dashboard(session, student)


def test_webinar_engagement_counts_live_minutes_and_replays(session, admin, student, other_student):
    from webinar_app.models import LiveParticipant, LiveSession

    start = datetime.now(UTC) - timedelta(hours=2)
    w = _webinar(session, admin, "Engage", start)
    for person, attended in ((student, True), (other_student, False)):
        session.add(Registration(user_id=person.id, webinar_id=w.id, status="confirmed", attended=attended))
    live = LiveSession(webinar_id=w.id, room_name="engage-room", is_active=False, started_at=start)
    session.add(live)
    session.flush()
    # alice stayed 45 minutes; bob is still in the room (counted up to `now`)
    session.add(
        LiveParticipant(
            session_id=live.id, user_id=student.id, joined_at=start, left_at=start + timedelta(minutes=45)
        )
    )
    session.add(
        LiveParticipant(session_id=live.id, user_id=other_student.id, joined_at=start + timedelta(minutes=50))
    )
    replay = Recording(webinar_id=w.id, recording_link="https://v.example/r", uploaded_by_id=admin.id)
    session.add(replay)
    session.flush()
    session.add(RecordingView(recording_id=replay.id, user_id=other_student.id, seconds_watched=600))
    session.add(RecordingView(recording_id=replay.id, user_id=other_student.id, seconds_watched=300))
    session.commit()

    figures = analytics.webinar_engagement(session, admin, w.id, now=start + timedelta(minutes=60))
    assert (figures.registered, figures.attended) == (2, 1)
    assert (figures.live_participants, figures.live_minutes) == (2, 55)
    assert (figures.replay_viewers, figures.replay_minutes) == (1, 15)
    with pytest.raises(PermissionDenied):
        analytics.webinar_engagement(session, student, w.id)


def test_dashboard_counts_live_room_engagement(session, admin, student, other_student):
    from webinar_app.models import Poll, PollBallot, Question, ReactionTally

    w = _webinar(session, admin, "Talk", NOW - timedelta(minutes=5))
    session.add_all(
        [
            Question(webinar_id=w.id, user_id=student.id, text="Why?", answered_at=NOW),
            Question(webinar_id=w.id, user_id=other_student.id, text="How?"),
            ReactionTally(webinar_id=w.id, emoji="clap", count=7),
        ]
    )
    poll = Poll(webinar_id=w.id, question="Which?", status="open")
    session.add(poll)
    session.flush()
    session.add_all([PollBallot(poll_id=poll.id, user_id=u.id) for u in (student, other_student)])
    session.commit()
    d = analytics.dashboard(session, admin)
    expected = {"questions": 2, "questions_answered": 1, "polls": 1, "poll_votes": 2, "reactions": 7}
    assert d.engagement == expected
    assert d.as_dict()["engagement"]["poll_votes"] == 2
