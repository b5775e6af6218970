"""Admin dashboard numbers: every figure is one GROUP BY query, whatever the number of rows."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Date, case, cast, distinct, func
from sqlmodel import Session, col, select

from webinar_app.core.security import utcnow
from webinar_app.models import (
    ChatMessage,
    Recording,
    RecordingView,
    Registration,
    RegistrationStatus,
    User,
    Webinar,
)
from webinar_app.services.accounts import require_admin
from webinar_app.services.webinars import _status_clause

STATUSES = ("upcoming", "live", "completed", "cancelled")
CONFIRMED = RegistrationStatus.confirmed.value
WAITLISTED = RegistrationStatus.waitlisted.value


@dataclasses.dataclass
class Funnel:
    webinar_id: int
    title: str
    registered: int
    attended: int
    watched_replay: int


@dataclasses.dataclass
class Dashboard:
    webinars_by_status: dict[str, int]
    users: int
    active_users: int
    registrations: int
    waitlisted: int
    attendance_rate: float  # attended / confirmed, over webinars that have started (0..1)
    registrations_per_day: list[tuple[str, int]]
    chat_messages_per_day: list[tuple[str, int]]
    top_webinars: list[Funnel]  # by confirmed registrations, each with its funnel
    # Live-room engagement across the platform: questions asked / answered, polls, ballots, reactions.
    engagement: dict[str, int] = dataclasses.field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "webinars_by_status": self.webinars_by_status,
            "users": self.users,
            "active_users": self.active_users,
            "registrations": self.registrations,
            "waitlisted": self.waitlisted,
            "attendance_rate": round(self.attendance_rate, 4),
            "registrations_per_day": [{"day": d, "count": n} for d, n in self.registrations_per_day],
            "chat_messages_per_day": [{"day": d, "count": n} for d, n in self.chat_messages_per_day],
            "top_webinars": [dataclasses.asdict(f) for f in self.top_webinars],
            "engagement": self.engagement,
        }


def _day(session: Session, column: Any) -> Any:
    """The UTC calendar day of a timestamp column, in SQL."""
    if session.get_bind().dialect.name == "postgresql":
        return cast(func.timezone("UTC", column), Date)
    return func.date(column)


def _per_day(session: Session, column: Any, since: datetime, *where: Any) -> list[tuple[str, int]]:
    day = _day(session, column).label("day")
    rows = session.exec(
        select(day, func.count()).where(column >= since, *where).group_by(day).order_by(day)  # type: ignore[call-overload]
    ).all()
    counts = {str(d): n for d, n in rows}
    first = since.date()
    span = (utcnow().date() - first).days + 1
    return [
        ((first + timedelta(days=i)).isoformat(), counts.get((first + timedelta(days=i)).isoformat(), 0))
        for i in range(span)
    ]


def _status_case(now: datetime) -> Any:
    return case(
        (_status_clause("cancelled", now), "cancelled"),
        (_status_clause("completed", now), "completed"),
        (_status_clause("live", now), "live"),
        else_="upcoming",
    )


def dashboard(session: Session, actor: User, *, days: int = 30, top: int = 10) -> Dashboard:
    require_admin(actor)
    now = utcnow()
    since = datetime.combine(
        now.date() - timedelta(days=max(1, days) - 1), datetime.min.time(), tzinfo=now.tzinfo
    )

    status = _status_case(now).label("status")
    by_status = dict.fromkeys(STATUSES, 0)
    for name, n in session.exec(select(status, func.count()).group_by(status)).all():  # type: ignore[call-overload]
        by_status[name] = n

    users, active = session.exec(
        select(func.count(), func.coalesce(func.sum(case((col(User.is_active), 1), else_=0)), 0))
    ).one()

    confirmed = case((Registration.status == CONFIRMED, 1), else_=0)
    waiting = case((Registration.status == WAITLISTED, 1), else_=0)
    registered, waitlisted = session.exec(
        select(func.coalesce(func.sum(confirmed), 0), func.coalesce(func.sum(waiting), 0))
    ).one()

    started_confirmed, started_attended = session.exec(
        select(func.count(), func.coalesce(func.sum(case((col(Registration.attended), 1), else_=0)), 0))
        .select_from(Registration)
        .join(Webinar, col(Webinar.id) == Registration.webinar_id)
        .where(Registration.status == CONFIRMED, col(Webinar.start_at) <= now)
    ).one()
    rate = started_attended / started_confirmed if started_confirmed else 0.0

    reg_count = func.count(Registration.id).label("registered")
    attended_count = func.coalesce(func.sum(case((col(Registration.attended), 1), else_=0)), 0)
    top_rows = session.exec(
        select(Webinar.id, Webinar.title, reg_count, attended_count)  # type: ignore[call-overload]
        .join(Registration, col(Registration.webinar_id) == Webinar.id)
        .where(Registration.status == CONFIRMED)
        .group_by(Webinar.id, Webinar.title)
        .order_by(reg_count.desc(), col(Webinar.id))
        .limit(top)
    ).all()
    ids = [r[0] for r in top_rows]
    watched: dict[int, int] = {}
    if ids:
        watched = dict(
            session.exec(
                select(Recording.webinar_id, func.count(distinct(RecordingView.user_id)))  # type: ignore[call-overload]
                .join(RecordingView, col(RecordingView.recording_id) == Recording.id)
                .join(
                    Registration,
                    (col(Registration.webinar_id) == Recording.webinar_id)
                    & (col(Registration.user_id) == RecordingView.user_id),
                )
                .where(col(Recording.webinar_id).in_(ids), Registration.status == CONFIRMED)
                .group_by(Recording.webinar_id)
            ).all()
        )
    funnels = [
        Funnel(
            webinar_id=i, title=t, registered=int(n), attended=int(a), watched_replay=int(watched.get(i, 0))
        )
        for i, t, n, a in top_rows
    ]
    engagement = _engagement_totals(session)
    return Dashboard(
        engagement=engagement,
        webinars_by_status=by_status,
        users=int(users),
        active_users=int(active),
        registrations=int(registered),
        waitlisted=int(waitlisted),
        attendance_rate=rate,
        registrations_per_day=_per_day(session, col(Registration.registered_on), since),
        chat_messages_per_day=_per_day(
            session, col(ChatMessage.created_at), since, col(ChatMessage.deleted_at).is_(None)
        ),
        top_webinars=funnels,
    )


@dataclasses.dataclass(frozen=True)
class WebinarEngagement:
    """One webinar's live and replay figures, for its row in the admin console."""

    registered: int
    attended: int
    live_participants: int
    live_minutes: int
    replay_viewers: int
    replay_minutes: int


def _engagement_totals(session: Session) -> dict[str, int]:
    """Q&A, polls and reactions over every webinar, in one statement of scalar subqueries."""
    from webinar_app.models import Poll, PollBallot, Question, ReactionTally

    row = session.exec(
        select(  # type: ignore[call-overload]
            select(func.count(Question.id)).scalar_subquery(),
            select(func.count(Question.answered_at)).scalar_subquery(),
            select(func.count(Poll.id)).scalar_subquery(),
            select(func.count(PollBallot.id)).scalar_subquery(),
            select(func.coalesce(func.sum(ReactionTally.count), 0)).scalar_subquery(),
        )
    ).one()
    keys = ("questions", "questions_answered", "polls", "poll_votes", "reactions")
    return {key: int(value or 0) for key, value in zip(keys, row, strict=True)}


def webinar_engagement(
    session: Session, actor: User, webinar_id: int, *, now: datetime | None = None
) -> WebinarEngagement:
    """Aggregates only (four queries, whatever the audience): who came live, for how long,
    who watched the replay and for how long. Open live visits count up to `now`."""
    from webinar_app.models import LiveParticipant, LiveSession, Recording, RecordingView, Registration
    from webinar_app.models.base import as_utc
    from webinar_app.services.errors import NotFound, PermissionDenied
    from webinar_app.services.webinars import is_host

    webinar = session.get(Webinar, webinar_id)
    if webinar is None:
        raise NotFound()
    if not is_host(actor, webinar):
        raise PermissionDenied("Only the webinar's organizer or an admin can see its analytics.")
    now = now or utcnow()
    registered, attended = session.exec(
        select(
            func.count(),
            func.coalesce(func.sum(case((col(Registration.attended), 1), else_=0)), 0),
        ).where(Registration.webinar_id == webinar_id, Registration.status == "confirmed")
    ).one()
    visits = session.exec(
        select(LiveParticipant.user_id, LiveParticipant.joined_at, LiveParticipant.left_at)
        .join(LiveSession, col(LiveSession.id) == col(LiveParticipant.session_id))
        .where(LiveSession.webinar_id == webinar_id)
    ).all()
    seconds = 0.0
    for _user, joined, left in visits:  # one row per visit; summed here to stay portable
        start, end = as_utc(joined), as_utc(left) or now
        if start is not None and end > start:
            seconds += (end - start).total_seconds()
    viewers, replay_seconds = session.exec(
        select(
            func.count(distinct(RecordingView.user_id)),
            func.coalesce(func.sum(RecordingView.seconds_watched), 0),
        )
        .join(Recording, col(Recording.id) == col(RecordingView.recording_id))
        .where(Recording.webinar_id == webinar_id)
    ).one()
    return WebinarEngagement(
        registered=int(registered),
        attended=int(attended),
        live_participants=len({user for user, _j, _l in visits}),
        live_minutes=round(seconds / 60),
        replay_viewers=int(viewers),
        replay_minutes=round(int(replay_seconds) / 60),
    )
