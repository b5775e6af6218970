"""Which event mails whom: the hooks the domain services call.

Each function *stages* mail into the caller's transaction (see `queue`): the service commits
its change and the mail together, then calls `queue.wake()`. Nothing here sends, so none
of these can fail or slow the action that triggered them. Recipients are filtered by their
per-kind preferences in one query, and must be active accounts.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import update
from sqlmodel import Session, col, select

from webinar_app.models import Announcement, EmailKind, EmailLog, Recording, User, Webinar
from webinar_app.services import calendar
from webinar_app.services.email import queue, templates
from webinar_app.services.email.message import OutgoingEmail
from webinar_app.services.email.preferences import wanted_by
from webinar_app.services.email.queue import enqueue
from webinar_app.services.email.templates import Recipient
from webinar_app.services.webinars import Person


def recipients(session: Session, user_ids: Iterable[int], kind: str) -> list[User]:
    """Active users among `user_ids` who want mail of `kind`, in id order."""
    wanted = wanted_by(session, user_ids, kind)
    if not wanted:
        return []
    return list(
        session.exec(select(User).where(col(User.id).in_(wanted), col(User.is_active)).order_by(col(User.id)))
    )


def _stage(
    session: Session, user: User, mail: OutgoingEmail, kind: str, template: str, webinar_id: int | None
) -> None:
    enqueue(session, mail, kind=kind, template=template, user_id=user.id, webinar_id=webinar_id)


def _registration_template(confirmed: bool) -> str:
    return "registration_confirmed" if confirmed else "registration_waitlisted"


def registered(session: Session, user: Person, webinar: Webinar, *, confirmed: bool) -> EmailLog:
    """Confirmation with the invite attached, or the waitlist note (no invite: no seat yet).

    Called inside the seat claim's transaction for an active user, so it only queues a row:
    the invite and the bodies are rendered by the sender loop (`_render_registration`), off
    the row lock, which also checks the preference and that the account is still active.
    """
    assert webinar.id is not None
    return queue.enqueue_deferred(
        session,
        to=user.email,
        kind=EmailKind.registration.value,
        template=_registration_template(confirmed),
        user_id=user.id,
        webinar_id=webinar.id,
        immediate=True,
    )


def correct_registered(session: Session, row: EmailLog, *, confirmed: bool) -> None:
    """The seat claim decided otherwise than the queued mail says (same transaction)."""
    table = EmailLog.__table__  # type: ignore[attr-defined]
    row.template = _registration_template(confirmed)
    session.execute(update(table).where(table.c.id == row.id).values(template=row.template))


def _render_registration(session: Session, row: EmailLog) -> OutgoingEmail | None:
    user = session.get(User, row.user_id) if row.user_id else None
    webinar = session.get(Webinar, row.webinar_id) if row.webinar_id else None
    if user is None or webinar is None or not user.is_active:
        return None
    if not wanted_by(session, [user.id], row.kind):  # type: ignore[list-item]
        return None
    r = Recipient.of(user)
    if row.template == "registration_confirmed":
        assert webinar.id is not None
        return templates.registration_confirmed(r, webinar, calendar.webinar_ics(session, webinar.id))
    return templates.registration_waitlisted(r, webinar)


queue.DEFERRED_RENDERERS["registration_confirmed"] = _render_registration
queue.DEFERRED_RENDERERS["registration_waitlisted"] = _render_registration


def promoted(session: Session, webinar: Webinar, user_ids: Iterable[int]) -> None:
    assert webinar.id is not None
    kind = EmailKind.registration.value
    users = recipients(session, user_ids, kind)
    if not users:
        return
    ics = calendar.webinar_ics(session, webinar.id)
    for user in users:
        _stage(
            session,
            user,
            templates.waitlist_promoted(Recipient.of(user), webinar, ics),
            kind,
            "waitlist_promoted",
            webinar.id,
        )


def live_started(session: Session, webinar: Webinar, user_ids: Iterable[int]) -> None:
    kind = EmailKind.live.value
    for user in recipients(session, user_ids, kind):
        mail = templates.live_started(Recipient.of(user), webinar)
        _stage(session, user, mail, kind, "live_started", webinar.id)


def recording_available(
    session: Session, webinar: Webinar, recording: Recording, name: str, user_ids: Iterable[int]
) -> None:
    kind = EmailKind.recording.value
    assert recording.id is not None
    for user in recipients(session, user_ids, kind):
        mail = templates.recording_available(Recipient.of(user), webinar, recording.id, name)
        _stage(session, user, mail, kind, "recording_available", webinar.id)


def announcement(session: Session, item: Announcement) -> None:
    """Only to those who opted in (announcements default to off: they go to everyone)."""
    kind = EmailKind.announcement.value
    candidates = session.exec(
        select(User.id).where(col(User.is_active), col(User.id) != item.sender_id)
    ).all()
    for user in recipients(session, [uid for uid in candidates if uid is not None], kind):
        mail = templates.announcement(Recipient.of(user), item.title, item.content)
        _stage(session, user, mail, kind, "announcement", None)


def schedule_changed(
    session: Session,
    webinar: Webinar,
    user_ids: Iterable[int],
    *,
    cancelled: bool,
    confirmed_ids: Iterable[int] = (),
) -> None:
    """Cancellation or new time; confirmed registrants get the updated invite (same UID,
    higher SEQUENCE, so their calendar replaces the entry instead of adding one)."""
    assert webinar.id is not None
    kind = EmailKind.schedule_change.value
    users = recipients(session, user_ids, kind)
    if not users:
        return
    confirmed = set(confirmed_ids)
    ics = calendar.webinar_ics(session, webinar.id)
    for user in users:
        invite = ics if user.id in confirmed else None
        r = Recipient.of(user)
        if cancelled:
            _stage(
                session,
                user,
                templates.webinar_cancelled(r, webinar, invite),
                kind,
                "webinar_cancelled",
                webinar.id,
            )
        else:
            _stage(
                session,
                user,
                templates.webinar_rescheduled(r, webinar, invite),
                kind,
                "webinar_rescheduled",
                webinar.id,
            )
