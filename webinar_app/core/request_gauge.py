"""How many HTTP requests this worker process is answering right now.

Background loops yield to people: the mail sender waits while its worker is busy. A registration
rush queues one mail per registrant, and rendering a mail (MIME headers, the calendar invite:
~15 ms of CPU) on the cores that answer the rush took a quarter of its throughput. The mail
goes out once the burst is over, or after `max_wait` seconds whatever happens: never starved.
"""

from __future__ import annotations

import asyncio
import time

from starlette.types import ASGIApp, Receive, Scope, Send

# More requests than this in flight in one worker is a burst, not someone browsing.
BUSY_REQUESTS = 8

_in_flight = 0


def in_flight() -> int:
    return _in_flight


def busy() -> bool:
    return _in_flight >= BUSY_REQUESTS


async def wait_until_quiet(max_wait: float, *, step: float = 0.1) -> float:
    """Sleep while the worker is busy, at most `max_wait` seconds; the seconds waited."""
    began = time.monotonic()
    while busy() and time.monotonic() - began < max_wait:
        await asyncio.sleep(step)
    return time.monotonic() - began


class RequestGaugeMiddleware:
    """Counts HTTP requests in flight (websockets are connections, not work in progress)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        global _in_flight
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        _in_flight += 1
        try:
            await self.app(scope, receive, send)
        finally:
            _in_flight -= 1
