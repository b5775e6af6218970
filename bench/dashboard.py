"""Admin dashboard with 10,000 registrations on PostgreSQL: how long `analytics.dashboard` takes.

.venv/bin/python bench/dashboard.py [--registrations 10000]
"""

from __future__ import annotations

import argparse
import random
import time
from datetime import timedelta

from _server import fresh_database, percentile, prepare


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--registrations", type=int, default=10_000)
    parser.add_argument("--webinars", type=int, default=100)
    args = parser.parse_args()
    prepare(fresh_database("webinar_bench_dashboard"))

    from sqlmodel import Session

    from webinar_app.core import db
    from webinar_app.core.security import utcnow
    from webinar_app.models import ChatMessage, Registration, User, Webinar
    from webinar_app.services import analytics

    rng = random.Random(7)
    users_needed = max(args.registrations // args.webinars, 1) * 2
    with Session(db.get_engine()) as session:
        admin = User(
            username="admin",
            username_key="admin",
            email="a@b.io",
            email_key="a@b.io",
            role="admin",
            is_active=True,
            email_verified=True,
        )
        session.add(admin)
        people = [
            User(
                username=f"u{i}",
                username_key=f"u{i}",
                email=f"u{i}@b.io",
                email_key=f"u{i}@b.io",
                is_active=True,
                email_verified=True,
            )
            for i in range(users_needed)
        ]
        session.add_all(people)
        session.flush()
        now = utcnow()
        hosted = []
        for i in range(args.webinars):
            start = now + timedelta(days=rng.randint(-30, 30))
            hosted.append(
                Webinar(
                    title=f"W{i}", start_at=start, end_at=start + timedelta(hours=1), organizer_id=admin.id
                )
            )  # type: ignore[arg-type]
        session.add_all(hosted)
        session.flush()
        made = 0
        for w in hosted:
            for person in rng.sample(people, min(len(people), args.registrations // args.webinars)):
                session.add(
                    Registration(
                        user_id=person.id,
                        webinar_id=w.id,
                        attended=rng.random() < 0.4,  # type: ignore[arg-type]
                        registered_on=now - timedelta(days=rng.randint(0, 29)),
                    )
                )
                made += 1
            session.add_all(
                ChatMessage(webinar_id=w.id, user_id=people[0].id, message="hi")  # type: ignore[arg-type]
                for _ in range(20)
            )
        session.commit()
        times = []
        for _ in range(10):
            began = time.perf_counter()
            analytics.dashboard(session, admin)
            times.append(time.perf_counter() - began)
    print(f"registrations={made} webinars={args.webinars}")
    print(f"dashboard: p50 {percentile(times, 50) * 1000:.0f} ms, max {max(times) * 1000:.0f} ms (10 runs)")


if __name__ == "__main__":
    main()
