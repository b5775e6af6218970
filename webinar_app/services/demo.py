"""Demo content for a fresh `make run`: accounts plus a catalog that shows every status."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session, func, select

from webinar_app.core.security import utcnow
from webinar_app.models import User, Webinar
from webinar_app.services import accounts, registrations, webinars

DEMO_ADMIN = ("admin", "admin@example.com", "admin-demo-pass")
DEMO_STUDENT = ("student", "student@example.com", "student-demo-pass")

_CATALOG = [
    # (title, category, tags, starts in (hours), duration, price, capacity, description)
    ("Getting started with async Python", "Engineering", "python,async", 26, 60, "0", 100,
     "Event loops, tasks and structured concurrency, with live coding."),
    ("Designing APIs people love", "Engineering", "api,design", 72, 45, "19.99", 30,
     "Naming, errors, pagination and versioning: lessons from real clients."),
    ("Product analytics without the noise", "Product", "analytics", 0, 90, "0", None,
     "Funnels that tell the truth, from registration to replay."),
    ("Hiring your first five engineers", "Leadership", "hiring,startups", 168, 60, "0", 2,
     "A small room on purpose: questions welcome."),
    ("Postgres performance clinic", "Engineering", "postgres,performance", -72, 60, "0", 50,
     "Indexes, plans and the queries that hurt."),
]


def seed(session: Session) -> bool:
    """Create demo users and webinars on an empty database; False if it already has users."""
    if session.exec(select(func.count()).select_from(User)).one():
        return False
    admin = accounts.create_user(
        session, None, username=DEMO_ADMIN[0], email=DEMO_ADMIN[1], password=DEMO_ADMIN[2],
        role="admin", is_superuser=True,
    )
    student = accounts.create_user(
        session, None, username=DEMO_STUDENT[0], email=DEMO_STUDENT[1], password=DEMO_STUDENT[2],
    )
    now = utcnow().replace(minute=0, second=0, microsecond=0)
    created: list[Webinar] = []
    for title, category, tags, hours, duration, price, capacity, description in _CATALOG:
        start = now + timedelta(hours=hours)
        created.append(
            webinars.create_webinar(
                session,
                admin,
                {
                    "title": title, "description": description, "category": category, "tags": tags,
                    "date": start.date().isoformat(), "time": start.strftime("%H:%M"),
                    "duration": duration, "price": price, "capacity": capacity,
                    "live_stream_url": "https://www.youtube.com/embed/dQw4w9WgXcQ",
                },
            )
        )
    registrations.register(session, student, created[0].id)
    return True
