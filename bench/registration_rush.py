"""1,000 distinct signed-in users register at once for one 500-seat webinar over HTTP.

Runs the production backend (`reflex run --env prod --backend-only`, granian workers) on a
fresh PostgreSQL database and prints throughput, latency, outcomes and oversold seats.
Target on a 2-core machine: >= 300 registrations/s, 0 errors, 0 oversold.

    .venv/bin/python bench/registration_rush.py [--users 1000] [--seats 500] [--concurrency 64]
"""

from __future__ import annotations

import argparse
import asyncio
import time
from collections import Counter
from datetime import timedelta

import aiohttp
from _server import cpu_by_role, cpu_used, fresh_database, percentile, prepare, production_backend


def seed(users: int, seats: int) -> tuple[int, list[str]]:
    from sqlmodel import Session

    from webinar_app.core import db
    from webinar_app.core.security import encode_token, hash_password, utcnow
    from webinar_app.models import User, Webinar

    password_hash = hash_password("bench-password-1")  # one hash: the bench measures registering
    with Session(db.get_engine()) as session:
        host = User(
            username="host",
            username_key="host",
            email="host@bench.io",
            email_key="host@bench.io",
            password_hash=password_hash,
            role="admin",
            is_active=True,
            email_verified=True,
        )
        session.add(host)
        session.flush()
        start = utcnow() + timedelta(days=7)
        webinar = Webinar(
            title="Launch day",
            start_at=start,
            end_at=start + timedelta(hours=1),
            capacity=seats,
            organizer_id=host.id,
        )  # type: ignore[arg-type]
        people = [
            User(
                username=f"rush{i}",
                username_key=f"rush{i}",
                email=f"rush{i}@bench.io",
                email_key=f"rush{i}@bench.io",
                password_hash=password_hash,
                is_active=True,
                email_verified=True,
            )
            for i in range(users)
        ]
        session.add(webinar)
        session.add_all(people)
        session.commit()
        tokens = [
            encode_token(
                "access", {"user_id": str(u.id), "role": u.role, "username": u.username, "email": u.email}
            )[0]
            for u in people
        ]
        return webinar.id, tokens  # type: ignore[return-value]


async def rush(url: str, webinar_id: int, tokens: list[str], concurrency: int) -> dict[str, object]:
    """aiohttp, not httpx: httpx tops out near 400 req/s on this machine, below the server."""
    latencies: list[float] = []
    statuses: Counter[str] = Counter()
    errors: Counter[str] = Counter()
    semaphore = asyncio.Semaphore(concurrency)
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(url, connector=connector, timeout=aiohttp.ClientTimeout(60)) as client:

        async def one(token: str) -> None:
            async with semaphore:
                began = time.perf_counter()
                try:
                    async with client.post(
                        "/api/registrations/register/",
                        json={"event": webinar_id},
                        headers={"Authorization": f"Bearer {token}"},
                    ) as response:
                        body = await response.json()
                        status = response.status
                except aiohttp.ClientError as exc:
                    errors[type(exc).__name__] += 1
                    return
                latencies.append(time.perf_counter() - began)
                if status == 201:
                    statuses[body["status"]] += 1
                else:
                    errors[str(status)] += 1

        # warm the connections and workers before the clock starts
        await asyncio.gather(*(client.get("/api/webinars/") for _ in range(concurrency)))
        servers_before = cpu_by_role()
        began, cpu_began = time.perf_counter(), time.process_time()
        await asyncio.gather(*(one(t) for t in tokens))
        elapsed, client_cpu = time.perf_counter() - began, time.process_time() - cpu_began
        servers = cpu_used(servers_before, cpu_by_role())
    return {"elapsed": elapsed, "latencies": latencies, "statuses": statuses, "errors": errors,
            "client_cpu": client_cpu, "servers": servers}


def stored_counts(webinar_id: int) -> tuple[int, int, int]:
    from sqlmodel import Session, func, select

    from webinar_app.core import db
    from webinar_app.models import Registration, Webinar

    with Session(db.get_engine()) as session:
        confirmed = session.exec(
            select(func.count())
            .select_from(Registration)
            .where(Registration.webinar_id == webinar_id, Registration.status == "confirmed")
        ).one()
        waitlisted = session.exec(
            select(func.count())
            .select_from(Registration)
            .where(Registration.webinar_id == webinar_id, Registration.status == "waitlisted")
        ).one()
        webinar = session.get(Webinar, webinar_id)
        assert webinar is not None
        return confirmed, waitlisted, webinar.capacity or 0


def mails_drained(expected: int, timeout: float = 120.0) -> tuple[int, int, float]:
    """The mail sender defers while the workers are busy: wait for every confirmation to go
    out, so the rush's throughput is not bought with lost mail. (sent, still queued, seconds)."""
    from sqlmodel import Session, func, select

    from webinar_app.core import db
    from webinar_app.models import EmailLog

    began = time.perf_counter()
    while True:
        with Session(db.get_engine()) as session:
            sent = session.exec(
                select(func.count()).select_from(EmailLog).where(EmailLog.status == "sent")
            ).one()
            total = session.exec(select(func.count()).select_from(EmailLog)).one()
        if (sent >= expected and total == sent) or time.perf_counter() - began > timeout:
            return sent, total - sent, time.perf_counter() - began
        time.sleep(0.25)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=1000)
    parser.add_argument("--seats", type=int, default=500)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument(
        "--workers", type=int, default=None, help="granian workers (default: Reflex's choice)"
    )
    args = parser.parse_args()

    database_url = fresh_database("webinar_bench_rush")
    prepare(database_url)
    webinar_id, tokens = seed(args.users, args.seats)
    with production_backend(database_url, args.workers) as url:
        result = asyncio.run(rush(url, webinar_id, tokens, args.concurrency))
        mails = mails_drained(len(tokens))
    confirmed, waitlisted, capacity = stored_counts(webinar_id)
    latencies: list[float] = result["latencies"]  # type: ignore[assignment]
    elapsed: float = result["elapsed"]  # type: ignore[assignment]
    ok = sum(result["statuses"].values())  # type: ignore[attr-defined]
    print(f"users={args.users} seats={args.seats} concurrency={args.concurrency}")
    print(f"registrations/s: {ok / elapsed:.0f}  (elapsed {elapsed:.2f} s; the load generator used "
          f"{result['client_cpu']:.2f} s of CPU)")
    print(f"CPU during the rush: {result['servers']}")
    p50, p99 = percentile(latencies, 50) * 1000, percentile(latencies, 99) * 1000
    print(f"latency p50: {p50:.0f} ms  p99: {p99:.0f} ms")
    print(f"responses: {dict(result['statuses'])}  errors: {dict(result['errors']) or 0}")  # type: ignore[arg-type]
    oversold = max(confirmed - capacity, 0)
    print(f"stored: confirmed={confirmed} waitlisted={waitlisted}  oversold seats: {oversold}")
    sent, pending, after = mails
    print(
        f"confirmation mails: {sent} sent, {pending} still queued, the last one {after:.1f} s after the rush"
    )


if __name__ == "__main__":
    main()
