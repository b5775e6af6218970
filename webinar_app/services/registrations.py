"""Registrations: a seat claim that never oversells, a first-in-first-out waitlist.

The claim is one conditional UPDATE on the webinar row (`confirmed_count < capacity`): the
database serialises concurrent claims on that row (a row lock on PostgreSQL, the write lock
on SQLite), so no two requests can both take the last seat. Freeing a seat and promoting
the next waitlisted registrant happen in the same transaction, under the same row lock.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, delete, exists, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, col, select

from webinar_app.core.db import insert_now, read_once
from webinar_app.core.security import utcnow
from webinar_app.models import (
    EmailLog,
    Notification,
    NotificationType,
    Registration,
    RegistrationStatus,
    User,
    Webinar,
)
from webinar_app.realtime.coalesce import publish_latest
from webinar_app.services import audit, auth, notifications
from webinar_app.services.email import mails, queue
from webinar_app.services.errors import Invalid, NotFound, PermissionDenied
from webinar_app.services.webinars import Person, is_host, registration_open

CONFIRMED = RegistrationStatus.confirmed.value
WAITLISTED = RegistrationStatus.waitlisted.value


@dataclass(frozen=True)
class RegistrationView:
    registration: Registration
    user: User | Person
    webinar: Webinar
    organizer: User | Person

    @property
    def id(self) -> int:
        assert self.registration.id is not None
        return self.registration.id

    @property
    def status(self) -> str:
        return self.registration.status


def webinar_topic(webinar_id: int) -> str:
    return f"webinar:{webinar_id}"


def registrant_ids(session: Session, webinar_id: int, *, include_waitlist: bool = False) -> list[int]:
    query = select(Registration.user_id).where(Registration.webinar_id == webinar_id)
    if not include_waitlist:
        query = query.where(Registration.status == CONFIRMED)
    return list(session.exec(query))


def is_registrant(session: Session, user: User, webinar_id: int) -> bool:
    """A confirmed registration: waitlisted users are not registrants."""
    return (
        session.exec(
            select(Registration.id).where(
                Registration.user_id == user.id,
                Registration.webinar_id == webinar_id,
                Registration.status == CONFIRMED,
            )
        ).first()
        is not None
    )


def _build_claim() -> Any:
    # On the tables, not the models: an ORM UPDATE would also evaluate its WHERE against
    # every Webinar in the session (synchronize_session), CPU spent under the row lock. Built
    # once, with a bound parameter: building the statement costs more than running it.
    webinars, registrations = Webinar.__table__, Registration.__table__  # type: ignore[attr-defined]
    webinar_id = bindparam("webinar_id")
    # Queued ahead: anyone waitlisted but the registrant itself (its row is already written).
    queued = exists().where(
        registrations.c.webinar_id == webinar_id,
        registrations.c.status == WAITLISTED,
        registrations.c.id != bindparam("registration_id"),
    )
    return (
        update(webinars)
        .where(webinars.c.id == webinar_id)
        .where(webinars.c.capacity.is_(None) | (webinars.c.confirmed_count < webinars.c.capacity))
        .where(~queued)
        .values(confirmed_count=webinars.c.confirmed_count + 1)
        .returning(webinars.c.confirmed_count)
    )


_CLAIM_SEAT = _build_claim()
_organizer = aliased(User, name="organizer")
# Everything a registration reads, in one round trip: the registrant's state (the rule of
# `auth.active_user_query`) and the columns its answer shows, the webinar with its
# organizer's (the answer shows them too) and whether anyone is queued (to predict the
# claim's outcome). No row when the user does not exist; no webinar when the webinar does not.
_REGISTRATION_CONTEXT = (
    auth.active_user_query(
        col(User.username),
        col(User.email),
        Webinar,
        col(_organizer.username),
        col(_organizer.email),
        exists()
        .where(col(Registration.webinar_id) == col(Webinar.id), col(Registration.status) == WAITLISTED)
        .label("queued"),
    )
    .outerjoin(Webinar, col(Webinar.id) == bindparam("webinar_id"))
    .outerjoin(_organizer, col(_organizer.id) == col(Webinar.organizer_id))
)


def _claim_seat(session: Session, webinar_id: int, registration_id: int) -> int | None:
    """Take one seat if one is free and nobody is queued ahead of `registration_id`: the new
    seat count, or None."""
    params = {"webinar_id": webinar_id, "registration_id": registration_id}
    return session.execute(_CLAIM_SEAT, params).scalar_one_or_none()


def _lock_webinar(session: Session, webinar_id: int) -> Webinar | None:
    """Lock the webinar row for this transaction (a no-op write works on both databases)."""
    session.exec(  # type: ignore[call-overload]
        update(Webinar)
        .where(col(Webinar.id) == webinar_id)
        .values(confirmed_count=col(Webinar.confirmed_count))
    )
    return session.exec(
        select(Webinar).where(Webinar.id == webinar_id).execution_options(populate_existing=True)
    ).first()


def _promote_locked(session: Session, webinar: Webinar) -> list[Registration]:
    """Fill free seats from the waitlist, oldest first (the caller holds the row lock).

    Nobody is promoted into a webinar that no longer takes registrations (cancelled, completed).
    """
    if registration_open(webinar) is not None:
        return []
    free = None if webinar.capacity is None else webinar.capacity - webinar.confirmed_count
    if free is not None and free <= 0:
        return []
    query = (
        select(Registration)
        .where(Registration.webinar_id == webinar.id, Registration.status == WAITLISTED)
        .order_by(col(Registration.registered_on), col(Registration.id))
    )
    if free is not None:
        query = query.limit(free)
    promoted = list(session.exec(query))
    now = utcnow()
    for item in promoted:
        item.status = CONFIRMED
        item.promoted_at = now
        session.add(item)
    if promoted:
        webinar.confirmed_count += len(promoted)
        session.add(webinar)
    return promoted


def _announce_promotions(session: Session, webinar: Webinar, promoted: list[Registration]) -> None:
    """Promoted users hear it in the app and by mail (with the invite), in one commit."""
    if not promoted:
        return
    mails.promoted(session, webinar, [p.user_id for p in promoted])
    notifications.notify(
        session,
        [p.user_id for p in promoted],
        NotificationType.registration_approved.value,
        f"You're in: {webinar.title}",
        f"A seat freed up for '{webinar.title}': your registration is now confirmed.",
        webinar_id=webinar.id,
    )
    queue.wake()


def _announce_seats(webinar_id: int, confirmed: int, capacity: int | None) -> None:
    """The seat count changes on every claim of a rush: at most one event per window per
    process, carrying the newest count this process saw (a hint to re-read, not a ledger)."""
    publish_latest(webinar_topic(webinar_id), "seats", confirmed=confirmed, capacity=capacity)


def _publish_seats(webinar_id: int, session: Session) -> None:
    webinar = session.get(Webinar, webinar_id)
    if webinar is not None:
        session.refresh(webinar)
        _announce_seats(webinar_id, webinar.confirmed_count, webinar.capacity)


def register(session: Session, user: User, webinar_id: int | None) -> RegistrationView:
    """Claim a seat or join the waitlist (see `register_as`) for an authenticated user."""
    assert user.id is not None
    view = register_as(session, user.id, webinar_id)
    if view is None:  # deactivated since the caller loaded them
        raise PermissionDenied("This account is not active.")
    return view


def register_as(session: Session, user_id: int, webinar_id: int | None) -> RegistrationView | None:
    """Claim a seat or join the waitlist, in one short transaction (one commit); None when
    the user does not exist or is not active (the token's user: the caller answers as for a
    bad token). The user is read with the webinar, in the same statement.

    The seat claim locks the webinar row until the commit, and every registrant of a rush
    waits for that lock, so the claim is the transaction's last statement: the registration,
    its mail and its notification are written first for the outcome the seat count predicts,
    then the claim decides, and in the rare case it decides otherwise (the last seat went
    meanwhile, or one freed up) the rows are corrected under the lock. A duplicate is caught
    by the unique constraint before any seat is claimed. On SQLite the first write takes the
    database's write lock, so the rows and the claim are serialised as a whole.
    """
    if webinar_id is None:
        raise Invalid.field("event", "This field is required.")
    params = {"user_id": user_id, "webinar_id": webinar_id}
    rows = session.execute(_REGISTRATION_CONTEXT, params).all()
    if not auth.active_in(rows):
        return None
    _, username, email, webinar, organizer_name, organizer_email, queued = rows[0]
    if webinar is None:
        raise Invalid.field("event", f'Invalid pk "{webinar_id}" - object does not exist.')
    refusal = registration_open(webinar)
    if refusal:
        raise Invalid.field("event", refusal)
    user = Person(user_id, username, email)
    seat_free = webinar.capacity is None or webinar.confirmed_count < webinar.capacity
    predicted = CONFIRMED if seat_free and not queued else WAITLISTED
    try:
        # Written at once, outside the unit of work: three plain INSERTs, no flush.
        registration = insert_now(
            session, Registration, user_id=user_id, webinar_id=webinar_id, status=predicted
        )
        mail = mails.registered(session, user, webinar, confirmed=predicted == CONFIRMED)
        staged = _stage_confirmation(session, user_id, webinar) if predicted == CONFIRMED else []
        assert registration.id is not None
        seats_taken = _claim_seat(session, webinar_id, registration.id)  # the lock, to the commit
        status = CONFIRMED if seats_taken is not None else WAITLISTED
        if status != predicted:
            staged = _correct_outcome(session, registration, mail, staged, user_id, webinar, status)
        session.commit()
    except IntegrityError as exc:
        session.rollback()
        raise Invalid.field("event", "You are already registered for this webinar.") from exc
    notifications.push(staged)
    queue.wake()
    if seats_taken is not None:
        set_committed_value(webinar, "confirmed_count", seats_taken)  # display only, not dirty
        _announce_seats(webinar_id, seats_taken, webinar.capacity)
    organizer = Person(webinar.organizer_id, organizer_name, organizer_email)
    return RegistrationView(registration, user, webinar, organizer)


def _stage_confirmation(session: Session, user_id: int, webinar: Webinar) -> list[Notification]:
    return notifications.stage(
        session,
        [user_id],
        NotificationType.registration_approved.value,
        f"Registered: {webinar.title}",
        f"Your seat for '{webinar.title}' is confirmed.",
        webinar_id=webinar.id,
        immediate=True,
    )


def _correct_outcome(
    session: Session,
    registration: Registration,
    mail: EmailLog,
    staged: list[Notification],
    user_id: int,
    webinar: Webinar,
    status: str,
) -> list[Notification]:
    """The claim decided otherwise than predicted: make the rows say what it decided."""
    registrations_table = Registration.__table__  # type: ignore[attr-defined]
    session.execute(
        update(registrations_table).where(registrations_table.c.id == registration.id).values(status=status)
    )
    registration.status = status
    mails.correct_registered(session, mail, confirmed=status == CONFIRMED)
    if status == CONFIRMED:
        return _stage_confirmation(session, user_id, webinar)
    notifications_table = Notification.__table__  # type: ignore[attr-defined]
    session.execute(delete(notifications_table).where(notifications_table.c.id.in_([n.id for n in staged])))
    return []


def unregister(session: Session, actor: User, registration_id: int) -> None:
    """Delete the registration; a freed confirmed seat goes to the first waitlisted user."""
    registration = visible_registration(session, actor, registration_id)
    webinar_id = registration.webinar_id
    session.commit()
    webinar = _lock_webinar(session, webinar_id)
    current = session.exec(
        select(Registration)
        .where(Registration.id == registration_id)
        .execution_options(populate_existing=True)
    ).first()
    if webinar is None or current is None:
        session.rollback()
        raise NotFound()
    if current.status == CONFIRMED:
        webinar.confirmed_count = max(webinar.confirmed_count - 1, 0)
        session.add(webinar)
    session.exec(delete(Registration).where(col(Registration.id) == registration_id))  # type: ignore[call-overload]
    session.flush()
    if actor.is_admin and current.user_id != actor.id:
        audit.record(
            session,
            actor,
            "registration.remove",
            "registration",
            registration_id,
            before=audit.snapshot(current, "user_id", "webinar_id", "status", "attended"),
        )
    promoted = _promote_locked(session, webinar)
    session.commit()
    _announce_promotions(session, webinar, promoted)
    _publish_seats(webinar_id, session)


def promote(session: Session, actor: User, registration_id: int | None) -> Registration:
    """Admin moves one waitlisted registrant in, ahead of the queue, into a free seat.

    Capacity is never exceeded, not even by an admin: a full webinar answers with a clear
    error (raise the capacity first, which also promotes in queue order).
    """
    if not actor.is_admin:
        raise PermissionDenied("Only admins can promote from the waitlist.")
    registration = session.get(Registration, registration_id) if registration_id is not None else None
    if registration is None:
        raise NotFound()
    webinar_id = registration.webinar_id
    session.commit()
    webinar = _lock_webinar(session, webinar_id)
    current = session.exec(
        select(Registration)
        .where(Registration.id == registration_id)
        .execution_options(populate_existing=True)
    ).first()
    if webinar is None or current is None:
        session.rollback()
        raise NotFound()
    if current.status != WAITLISTED:
        session.rollback()
        raise Invalid.field("status", "Only waitlisted registrations can be promoted.")
    closed = registration_open(webinar)
    if closed is not None:
        session.rollback()
        raise Invalid.field("webinar", closed)
    if webinar.capacity is not None and webinar.confirmed_count >= webinar.capacity:
        session.rollback()
        raise Invalid.field("webinar", "The webinar is full: raise its capacity to promote someone.")
    current.status, current.promoted_at = CONFIRMED, utcnow()
    webinar.confirmed_count += 1
    session.add_all([current, webinar])
    audit.record(
        session,
        actor,
        "registration.promote",
        "registration",
        current.id,
        before={"status": WAITLISTED},
        after={"status": CONFIRMED},
    )
    session.commit()
    _announce_promotions(session, webinar, [current])
    _publish_seats(webinar_id, session)
    return current


def fill_free_seats(session: Session, webinar_id: int) -> list[Registration]:
    """After capacity grows (or a seat frees up outside unregister), promote in order."""
    session.commit()
    webinar = _lock_webinar(session, webinar_id)
    if webinar is None:
        session.rollback()
        return []
    promoted = _promote_locked(session, webinar)
    session.commit()
    _announce_promotions(session, webinar, promoted)
    if promoted:
        _publish_seats(webinar_id, session)
    return promoted


def visible_registration(session: Session, actor: User, registration_id: int) -> Registration:
    registration = session.get(Registration, registration_id)
    if registration is None or (registration.user_id != actor.id and not actor.is_admin):
        raise NotFound()
    return registration


def get_view(session: Session, actor: User, registration_id: int) -> RegistrationView:
    registration = visible_registration(session, actor, registration_id)
    return _views(session, [registration])[0]


def _views(session: Session, registrations: list[Registration]) -> list[RegistrationView]:
    if not registrations:
        return []
    webinars = {
        w.id: w
        for w in session.exec(
            select(Webinar).where(col(Webinar.id).in_({r.webinar_id for r in registrations}))
        )
    }
    user_ids = {r.user_id for r in registrations} | {w.organizer_id for w in webinars.values()}
    users = {u.id: u for u in session.exec(select(User).where(col(User.id).in_(user_ids)))}
    return [
        RegistrationView(
            r, users[r.user_id], webinars[r.webinar_id], users[webinars[r.webinar_id].organizer_id]
        )
        for r in registrations
    ]


def list_registrations(
    session: Session, actor: User, *, webinar_id: int | None = None, own_only: bool = False
) -> list[RegistrationView]:
    """Own registrations; admins see all, organizers those of their webinars (`?event=`)."""
    query = select(Registration).order_by(col(Registration.registered_on).desc(), col(Registration.id).desc())
    if webinar_id is not None:
        query = query.where(Registration.webinar_id == webinar_id)
    if own_only:
        query = query.where(Registration.user_id == actor.id)
    elif not actor.is_admin:
        webinar = session.get(Webinar, webinar_id) if webinar_id is not None else None
        if webinar is None or not is_host(actor, webinar):
            query = query.where(Registration.user_id == actor.id)
    return _views(session, list(session.exec(query)))


def registrants(session: Session, actor: User, webinar_id: int) -> list[RegistrationView]:
    """Confirmed first, then the waitlist in queue order: the host's registrants table."""
    webinar = session.get(Webinar, webinar_id)
    if webinar is None:
        raise NotFound()
    if not is_host(actor, webinar):
        raise PermissionDenied("Only the webinar's organizer or an admin can see its registrants.")
    rows = list(
        session.exec(
            select(Registration)
            .where(Registration.webinar_id == webinar_id)
            .order_by(col(Registration.status), col(Registration.registered_on), col(Registration.id))
        )
    )
    return _views(session, rows)


def set_attended(session: Session, actor: User, registration_id: int, attended: bool) -> Registration:
    if not actor.is_admin:
        raise PermissionDenied("Only admins can set attendance.")
    registration = session.get(Registration, registration_id)
    if registration is None:
        raise NotFound()
    audit.record(
        session,
        actor,
        "registration.attended",
        "registration",
        registration.id,
        before={"attended": registration.attended},
        after={"attended": attended},
    )
    registration.attended = attended
    session.add(registration)
    session.commit()
    session.refresh(registration)
    return registration


_STATUSES_OF_ACTIVE_USER = auth.active_user_query(
    col(Registration.webinar_id), col(Registration.status)
).outerjoin(Registration, col(Registration.user_id) == col(User.id))


def statuses_if_active(user_id: int) -> dict[int, str] | None:
    """The user's registration status by webinar, read with the user's own state in one
    statement; None when the user is gone or deactivated (the caller answers as for a bad
    token). For the catalog's fast lane."""
    rows = read_once(_STATUSES_OF_ACTIVE_USER, {"user_id": user_id})
    if not auth.active_in(rows):
        return None
    return {webinar_id: status for _, webinar_id, status in rows if webinar_id is not None}


def my_status_for(session: Session, user: User, webinar_id: int) -> Registration | None:
    return session.exec(
        select(Registration).where(Registration.user_id == user.id, Registration.webinar_id == webinar_id)
    ).first()
