"""CPU per request of the hot REST routes, in process (no HTTP server, no load generator).

The HTTP benchmark (`api_load.py`) measures req/s, which on a shared 2-core machine mostly
measures the neighbours. This one times sequential requests through Starlette's TestClient
against the same seeded PostgreSQL data (100 webinars, 200 users), reporting the median
milliseconds per request, so a change's CPU cost is visible whatever the load. "uncached" is
the list built the ordinary way (the catalog cache switched off for that row). Requests are
handed to the ASGI app directly (middleware, dependencies and the thread hop of a sync route
included; HTTP parsing, which the server does in Rust, not).

    .venv/bin/python bench/api_cpu.py [--requests 300]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import time
from collections.abc import Awaitable, Callable
from typing import Any

from _server import fresh_database, prepare
from api_load import PASSWORD, seed


async def _timed(call: Callable[[], Awaitable[object]], requests: int) -> tuple[float, float]:
    """Median wall ms per request, and this process's CPU ms per request (which leaves out
    waiting for PostgreSQL and for the neighbours' processes to give the CPU back)."""
    for _ in range(min(20, requests)):  # warm caches, pools and lazy imports
        await call()
    samples = []
    cpu_began = time.process_time()
    for _ in range(requests):
        began = time.perf_counter()
        await call()
        samples.append((time.perf_counter() - began) * 1000)
    cpu = (time.process_time() - cpu_began) * 1000 / requests
    return statistics.median(samples), cpu


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--webinars", type=int, default=100)
    parser.add_argument("--users", type=int, default=200)
    args = parser.parse_args()

    database_url = fresh_database("webinar_bench_api_cpu")
    prepare(database_url)
    seeded = seed(args.webinars, args.users)

    from webinar_app.api.main import create_api

    app = create_api()
    auth = {"Authorization": f"Bearer {seeded['token']}"}

    async def request(method: str, path: str, headers: dict[str, str], body: bytes = b"") -> int:
        raw_headers = {"host": "testserver", **headers}
        scope = {
            "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method,
            "scheme": "http", "path": path, "raw_path": path.encode(), "query_string": b"",
            "root_path": "", "server": ("testserver", 80), "client": ("127.0.0.1", 5000),
            "headers": [(k.lower().encode(), v.encode()) for k, v in raw_headers.items()],
        }
        status: list[int] = []

        async def receive() -> dict[str, Any]:
            return {"type": "http.request", "body": body, "more_body": False}

        async def send(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                status.append(message["status"])

        await app(scope, receive, send)
        assert status == [200], (path, status)
        return status[0]

    def get(path: str, headers: dict[str, str] | None = None) -> Callable[[], Awaitable[object]]:
        return lambda: request("GET", path, headers or {})

    async def login() -> object:
        body = json.dumps({"username": seeded["username"], "password": PASSWORD}).encode()
        return await request("POST", "/api/accounts/auth/login/", {"content-type": "application/json"}, body)

    rows: list[tuple[str, Callable[[], Awaitable[object]], int]] = [
        ("list (anonymous)", get("/api/webinars/"), args.requests),
        ("list (signed in)", get("/api/webinars/", auth), args.requests),
        ("detail (signed in)", get(f"/api/webinars/{seeded['detail_id']}/", auth), args.requests),
        ("unread_count", get("/api/communications/notifications/unread_count/", auth), args.requests),
        ("login", login, 10),
    ]
    # One event loop for the whole run: anyio keeps its worker threads only while the loop's
    # root task lives, and a thread started per request would be measured as well.
    asyncio.run(_report(args, rows, get, auth))


async def _report(
    args: argparse.Namespace,
    rows: list[tuple[str, Callable[[], Awaitable[object]], int]],
    get: Callable[..., Callable[[], Awaitable[object]]],
    auth: dict[str, str],
) -> None:
    from webinar_app.api import catalog_cache

    print(f"{args.webinars} webinars, {args.users} users; per request, sequential")
    for name, call, count in rows:
        print("{:<28} wall p50 {:8.2f} ms   cpu {:8.2f} ms".format(name, *await _timed(call, count)))
    cacheable, default_listing = catalog_cache.cacheable, catalog_cache.default_listing
    catalog_cache.cacheable = lambda status, my_only: False  # type: ignore[assignment]
    catalog_cache.default_listing = lambda base, user_id: None  # type: ignore[assignment]  # no fast lane
    try:
        for name, call in (("list (anonymous, uncached)", get("/api/webinars/")),
                           ("list (signed in, uncached)", get("/api/webinars/", auth))):
            timed = await _timed(call, max(args.requests // 5, 20))
            print("{:<28} wall p50 {:8.2f} ms   cpu {:8.2f} ms".format(name, *timed))
    finally:
        catalog_cache.cacheable = cacheable  # type: ignore[assignment]
        catalog_cache.default_listing = default_listing  # type: ignore[assignment]


if __name__ == "__main__":
    main()
