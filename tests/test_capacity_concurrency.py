"""Capacity never oversells: many registrations racing for few seats, on the real database."""

from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from sqlmodel import Session, func, select

from webinar_app.core import db
from webinar_app.core.security import utcnow
from webinar_app.models import Registration, User, Webinar
from webinar_app.services import registrations

USERS = 200
SEATS = 50


def _setup(session: Session) -> tuple[int, list[int]]:
    organizer = User(username="host", username_key="host", email="host@x.io", email_key="host@x.io",
                     role="admin", is_active=True, email_verified=True)
    session.add(organizer)
    session.flush()
    start = utcnow() + timedelta(days=3)
    webinar = Webinar(title="Rush", start_at=start, end_at=start + timedelta(hours=1),
                      capacity=SEATS, organizer_id=organizer.id)  # type: ignore[arg-type]
    users = [
        User(username=f"u{i}", username_key=f"u{i}", email=f"u{i}@x.io", email_key=f"u{i}@x.io",
             is_active=True, email_verified=True)
        for i in range(USERS)
    ]
    session.add(webinar)
    session.add_all(users)
    session.commit()
    return webinar.id, [u.id for u in users]  # type: ignore[list-item,return-value]


def _race(webinar_id: int, user_ids: list[int]) -> tuple[Counter[str], list[BaseException]]:
    gate = threading.Event()
    errors: list[BaseException] = []
    outcomes: Counter[str] = Counter()
    lock = threading.Lock()

    def one(user_id: int) -> None:
        gate.wait(timeout=30)
        try:
            with Session(db.get_engine(), expire_on_commit=False) as session:
                user = session.get(User, user_id)
                assert user is not None
                registration = registrations.register(session, user, webinar_id)
                with lock:
                    outcomes[registration.status] += 1
        except BaseException as exc:  # noqa: BLE001 - every failure is a test failure
            with lock:
                errors.append(exc)

    with ThreadPoolExecutor(max_workers=32) as pool:
        futures = [pool.submit(one, uid) for uid in user_ids]
        gate.set()  # release every worker at once
        for future in futures:
            future.result()
    return outcomes, errors


def _stored(session: Session, webinar_id: int) -> tuple[Counter[str], int]:
    rows = session.exec(
        select(Registration.status, func.count()).where(Registration.webinar_id == webinar_id)
        .group_by(Registration.status)
    ).all()
    webinar = session.get(Webinar, webinar_id)
    assert webinar is not None
    session.refresh(webinar)
    return Counter(dict(rows)), webinar.confirmed_count


def test_concurrent_registrations_never_oversell(session: Session) -> None:
    webinar_id, user_ids = _setup(session)
    outcomes, errors = _race(webinar_id, user_ids)
    assert errors == []
    assert outcomes == Counter(confirmed=SEATS, waitlisted=USERS - SEATS)
    stored, counter = _stored(session, webinar_id)
    assert stored == Counter(confirmed=SEATS, waitlisted=USERS - SEATS)
    assert counter == SEATS


def test_concurrent_unregisters_promote_exactly_the_freed_seats(session: Session) -> None:
    webinar_id, user_ids = _setup(session)
    for user_id in user_ids[:60]:  # 50 confirmed, 10 waitlisted, in this order
        registrations.register(session, session.get(User, user_id), webinar_id)  # type: ignore[arg-type]
    confirmed = session.exec(
        select(Registration).where(Registration.webinar_id == webinar_id, Registration.status == "confirmed")
    ).all()
    leaving = [(r.id, r.user_id) for r in confirmed[:8]]
    errors: list[BaseException] = []

    def leave(item: tuple[int, int]) -> None:
        try:
            with Session(db.get_engine(), expire_on_commit=False) as s:
                registrations.unregister(s, s.get(User, item[1]), item[0])  # type: ignore[arg-type]
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(leave, leaving))
    assert errors == []
    session.expire_all()
    stored, counter = _stored(session, webinar_id)
    assert stored == Counter(confirmed=SEATS, waitlisted=2)
    assert counter == SEATS
    # first in, first out: the two still waiting are the last two who registered
    waiting = session.exec(
        select(Registration.user_id).where(Registration.webinar_id == webinar_id,
                                           Registration.status == "waitlisted")
    ).all()
    assert sorted(waiting) == sorted(user_ids[58:60])
