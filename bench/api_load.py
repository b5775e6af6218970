"""REST load against the production server: the routes clients call most.

Seeds a fresh PostgreSQL database with 100 webinars and 200 users (registrations and
notifications included, so queries do real work), starts `reflex run --env prod
--backend-only` with Redis, then drives each scenario at 16 and 64 connections and prints
req/s, p50 and p99. Targets on a 2-core machine: signed-in list >= 300 req/s with
p99 <= 200 ms at 64 connections; `unread_count` >= 1,000 req/s; login >= 20/s with
argon2id at the OWASP-recommended cost.

The load generator is `wrk` when it is on PATH (C, so the client steals little CPU from the
server on a 2-core box; `apt-get install -y wrk`), else an aiohttp closed loop.

    .venv/bin/python bench/api_load.py [--seconds 10] [--connections 16,64] [--workers N]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import re
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import aiohttp
from _server import fresh_database, percentile, prepare, production_backend

PASSWORD = "bench-password-1"


@dataclass(frozen=True)
class Scenario:
    name: str
    method: str
    path: str
    token: str | None = None
    body: str | None = None
    target: str = ""


@dataclass(frozen=True)
class Result:
    rps: float
    p50_ms: float
    p99_ms: float
    non_2xx: int
    errors: int


def seed(webinars: int, users: int) -> dict[str, object]:
    """Webinars of every status, users registered to a few each, unread notifications."""
    from sqlmodel import Session

    from webinar_app.core import db
    from webinar_app.core.security import encode_token, hash_password, utcnow
    from webinar_app.models import Notification, Registration, User, Webinar

    password_hash = hash_password(PASSWORD)  # the real cost: login measures verifying it
    rng = random.Random(7)
    with Session(db.get_engine()) as session:
        host = User(username="host", username_key="host", email="host@bench.io", email_key="host@bench.io",
                    password_hash=password_hash, role="admin", is_active=True, email_verified=True)
        session.add(host)
        session.flush()
        now = utcnow()
        rooms = []
        for i in range(webinars):
            start = now + timedelta(hours=rng.randint(-24 * 30, 24 * 30))
            rooms.append(Webinar(title=f"Webinar {i}: scaling Python", description="A talk " * 40,
                                 start_at=start, end_at=start + timedelta(hours=1),
                                 capacity=rng.choice([None, 50, 200]),
                                 category=rng.choice(["dev", "ops", "data"]),
                                 organizer_id=host.id))  # type: ignore[arg-type]
        people = [
            User(username=f"load{i}", username_key=f"load{i}", email=f"load{i}@bench.io",
                 email_key=f"load{i}@bench.io", password_hash=password_hash, is_active=True,
                 email_verified=True)
            for i in range(users)
        ]
        session.add_all(rooms + people)
        session.flush()
        for person in people:
            for room in rng.sample(rooms, 5):
                session.add(Registration(user_id=person.id, webinar_id=room.id))  # type: ignore[arg-type]
            for n in range(20):
                session.add(Notification(user_id=person.id, title=f"Note {n}", content="Something happened",
                                         notification_type="announcement", is_read=n % 3 == 0))  # type: ignore[arg-type]
        session.commit()
        person = people[0]
        token = encode_token("access", {"user_id": str(person.id), "role": person.role,
                                        "username": person.username, "email": person.email})[0]
        return {"token": token, "detail_id": rooms[0].id, "username": person.username}


def scenarios(seeded: dict[str, object]) -> list[Scenario]:
    token = str(seeded["token"])
    login = json.dumps({"username": seeded["username"], "password": PASSWORD})
    return [
        Scenario("list (anonymous)", "GET", "/api/webinars/"),
        Scenario("list (signed in)", "GET", "/api/webinars/", token,
                 target=">= 300 req/s, p99 <= 200 ms @64"),
        Scenario("detail (signed in)", "GET", f"/api/webinars/{seeded['detail_id']}/", token),
        Scenario("unread_count", "GET", "/api/communications/notifications/unread_count/", token,
                 target=">= 1000 req/s"),
        Scenario("login", "POST", "/api/accounts/auth/login/", None, login, target=">= 20 req/s"),
    ]


# ------------------------------------------------------------------ wrk


_WRK_LINE = re.compile(r"^\s*(50|99)(?:\.0+)?%\s+([\d.]+)(us|ms|s)\s*$", re.M)


def _ms(value: str, unit: str) -> float:
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def run_wrk(url: str, s: Scenario, connections: int, seconds: int) -> Result:
    lua = [f"wrk.method = {json.dumps(s.method)}", 'wrk.headers["Accept"] = "application/json"']
    if s.token:
        lua.append('wrk.headers["Authorization"] = {}'.format(json.dumps(f"Bearer {s.token}")))
    if s.body:
        lua += ['wrk.headers["Content-Type"] = "application/json"', f"wrk.body = {json.dumps(s.body)}"]
    lua.append(
        "local bad = 0\n"
        "function response(status, headers, body) if status >= 300 then bad = bad + 1 end end\n"
        "function done(summary, latency, requests) io.write(string.format('NON2XX %d\\n', bad)) end"
    )
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write("\n".join(lua))
    threads = min(2, connections)
    out = subprocess.run(
        ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "10s",
         "-s", script.name, url + s.path],
        capture_output=True, text=True, check=True,
    ).stdout
    Path(script.name).unlink()
    pct = {m.group(1): _ms(m.group(2), m.group(3)) for m in _WRK_LINE.finditer(out)}
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    socket_errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))
    # wrk's per-thread Lua state counts non-2xx per thread; the done() line is from one of them,
    # so also read wrk's own "Non-2xx" summary line.
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return Result(rps, pct.get("50", 0.0), pct.get("99", 0.0), int(non_2xx.group(1)) if non_2xx else 0,
                  socket_errors)


# ------------------------------------------------------------------ aiohttp fallback


async def _aio(url: str, s: Scenario, connections: int, seconds: int) -> Result:
    latencies: list[float] = []
    bad = errors = 0
    headers = {"Accept": "application/json"}
    if s.token:
        headers["Authorization"] = f"Bearer {s.token}"
    if s.body:
        headers["Content-Type"] = "application/json"
    stop = time.perf_counter() + seconds
    connector = aiohttp.TCPConnector(limit=connections)
    async with aiohttp.ClientSession(url, connector=connector, headers=headers) as http:

        async def loop() -> None:
            nonlocal bad, errors
            while time.perf_counter() < stop:
                began = time.perf_counter()
                try:
                    async with http.request(s.method, s.path, data=s.body) as resp:
                        await resp.read()
                        bad += resp.status >= 300
                except aiohttp.ClientError:
                    errors += 1
                latencies.append(time.perf_counter() - began)

        began = time.perf_counter()
        await asyncio.gather(*(loop() for _ in range(connections)))
        elapsed = time.perf_counter() - began
    p50, p99 = percentile(latencies, 50) * 1000, percentile(latencies, 99) * 1000
    return Result(len(latencies) / elapsed, p50, p99, bad, errors)


def run_aiohttp(url: str, s: Scenario, connections: int, seconds: int) -> Result:
    return asyncio.run(_aio(url, s, connections, seconds))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", default="16,64")
    parser.add_argument("--workers", type=int, default=None, help="granian workers (default: Reflex's)")
    parser.add_argument("--webinars", type=int, default=100)
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--only", default="", help="comma-separated scenario names to run")
    args = parser.parse_args()

    database_url = fresh_database("bench_api_load")
    prepare(database_url)
    seeded = seed(args.webinars, args.users)
    run = run_wrk if shutil.which("wrk") else run_aiohttp
    client = "wrk" if run is run_wrk else "aiohttp"
    print(f"{args.webinars} webinars, {args.users} users; client {client}; {args.seconds} s per run")
    wanted = {w.strip() for w in args.only.split(",") if w.strip()}
    with production_backend(database_url, workers=args.workers) as url:
        for s in scenarios(seeded):
            if wanted and not any(w in s.name for w in wanted):
                continue
            run(url, s, 4, 2)  # warm caches and worker pools
            for connections in [int(c) for c in args.connections.split(",")]:
                r = run(url, s, connections, args.seconds)
                note = f"  target {s.target}" if s.target else ""
                print(f"{s.name:22} c={connections:<3} {r.rps:8.1f} req/s  p50 {r.p50_ms:7.1f} ms  "
                      f"p99 {r.p99_ms:7.1f} ms  non-2xx {r.non_2xx}  errors {r.errors}{note}", flush=True)


if __name__ == "__main__":
    main()
