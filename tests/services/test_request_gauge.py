"""The request gauge: background mail waits for a burst of requests, never for ever."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from webinar_app.core import request_gauge
from webinar_app.core.request_gauge import RequestGaugeMiddleware


def test_counts_requests_in_flight_through_the_app() -> None:
    seen: list[int] = []

    async def slow_app(scope: Any, receive: Any, send: Any) -> None:
        seen.append(request_gauge.in_flight())
        await asyncio.sleep(0.05)
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    async def burst() -> None:
        transport = httpx.ASGITransport(app=RequestGaugeMiddleware(slow_app))
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
            await asyncio.gather(*(http.get("/") for _ in range(10)))

    before = request_gauge.in_flight()
    asyncio.run(burst())
    assert max(seen) == before + 10  # all ten were in flight together
    assert request_gauge.in_flight() == before  # and every one was counted out, errors or not


def test_an_error_is_counted_out_too() -> None:
    async def failing(scope: Any, receive: Any, send: Any) -> None:
        raise RuntimeError("boom")

    before = request_gauge.in_flight()
    with pytest.raises(RuntimeError):
        asyncio.run(RequestGaugeMiddleware(failing)({"type": "http"}, None, None))  # type: ignore[arg-type]
    assert request_gauge.in_flight() == before


def test_wait_until_quiet_returns_at_once_when_quiet() -> None:
    assert asyncio.run(request_gauge.wait_until_quiet(5.0)) < 0.05


def test_wait_until_quiet_waits_for_the_burst_but_at_most_max_wait(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(request_gauge, "_in_flight", request_gauge.BUSY_REQUESTS)
    waited = asyncio.run(request_gauge.wait_until_quiet(0.3, step=0.02))
    assert 0.3 <= waited < 0.6  # busy the whole time: it gave up waiting and ran

    async def burst_ends_soon() -> float:
        async def calm_down() -> None:
            await asyncio.sleep(0.15)
            monkeypatch.setattr(request_gauge, "_in_flight", 0)

        task = asyncio.create_task(calm_down())
        waited = await request_gauge.wait_until_quiet(5.0, step=0.02)
        await task
        return waited

    monkeypatch.setattr(request_gauge, "_in_flight", request_gauge.BUSY_REQUESTS + 5)
    assert 0.15 <= asyncio.run(burst_ends_soon()) < 1.0
