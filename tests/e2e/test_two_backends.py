"""Two backend processes sharing Redis and PostgreSQL, one real browser on each: chat crosses.

Two `reflex run --env prod --backend-only` processes (one granian worker each) are started on
their own ports with the same REDIS_URL (Reflex's state manager and our realtime fan-out) and
the same PostgreSQL database. The page itself comes from the session's harness frontend; each
browser context rewrites the websocket URL (an init script wrapping `window.WebSocket`, which
socket.io picks up at load) so browser A talks only to backend 1 and browser B only to
backend 2. A message sent in A is committed by backend 1, published through Redis, and pushed
by backend 2 to B — and back.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect
from sqlmodel import Session, create_engine

from tests.conftest import PG_ADMIN_URL, create_postgres_database, drop_postgres_database, make_user
from tests.e2e.conftest import E2E_WEB_DIR, PROJECT_ROOT
from tests.e2e.test_account_journey import wait_ready
from tests.prod_server import SERVER_OPTIONS
from webinar_app import routes
from webinar_app.core.security import utcnow
from webinar_app.services import live, registrations, webinars

pytestmark = pytest.mark.browser
REDIS_HOST, REDIS_PORT, REDIS_DB = "127.0.0.1", 6379, 13
WEB_DIR = E2E_WEB_DIR.with_name(E2E_WEB_DIR.name + "-multi")
STARTUP_SECONDS = 90


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _reachable() -> str | None:
    """Why this test cannot run here, or None."""
    try:
        import psycopg

        with psycopg.connect(PG_ADMIN_URL, connect_timeout=3):
            pass
    except Exception as exc:  # noqa: BLE001
        return f"PostgreSQL unreachable at {PG_ADMIN_URL}: {exc}"
    try:
        import redis

        redis.Redis(host=REDIS_HOST, port=REDIS_PORT, db=REDIS_DB, socket_timeout=3).ping()
    except Exception as exc:  # noqa: BLE001
        return f"Redis unreachable at {REDIS_HOST}:{REDIS_PORT}: {exc}"
    return None


@pytest.fixture(scope="module")
def shared_db() -> Iterator[str]:
    """A PostgreSQL database of its own (whatever TEST_DATABASE says), migrated."""
    reason = _reachable()
    if reason:
        pytest.skip(reason)
    from webinar_app.core.migrations import upgrade_head

    name = f"webinar_multi_{os.getpid()}"
    url = create_postgres_database(name)
    upgrade_head(url)
    import redis

    redis.Redis(host=REDIS_HOST, port=REDIS_PORT, db=REDIS_DB).flushdb()
    yield url
    drop_postgres_database(name)


@pytest.fixture(scope="module")
def backends(shared_db: str, app_harness: Any) -> Iterator[list[int]]:
    """Two backend processes on the shared database and Redis; killed (by group) afterwards."""
    WEB_DIR.mkdir(exist_ok=True)
    env = {
        **{
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("PYTEST", "REFLEX_WEB")) and k not in SERVER_OPTIONS
        },
        "APP_ENV": "prod",
        "SECRET_KEY": "two-backends-secret-key-long-enough-for-hs256-signing",
        "DATABASE_URL": shared_db,
        "REDIS_URL": f"redis://{REDIS_HOST}:{REDIS_PORT}/{REDIS_DB}",
        "CORS_ORIGINS": "*",
        "BACKEND_WORKERS": "1",
        "REFLEX_WEB_WORKDIR": str(WEB_DIR),
        "REFLEX_USE_NPM": "1",
        "REFLEX_TELEMETRY_ENABLED": "false",
    }
    ports = [_free_port(), _free_port()]
    procs: list[subprocess.Popen[bytes]] = []
    logs = []
    try:
        # One after the other: at start Reflex clears its `.states` folder in the working
        # directory, and two processes doing that at the same moment race on the same files.
        for n, port in enumerate(ports, 1):
            log = (WEB_DIR / f"backend-{n}.log").open("wb")
            logs.append(log)
            proc = subprocess.Popen(
                ["reflex", "run", "--env", "prod", "--backend-only", "--backend-port", str(port)],
                cwd=PROJECT_ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: we stop exactly what we started
            )
            procs.append(proc)
            deadline = time.monotonic() + STARTUP_SECONDS
            while True:
                if proc.poll() is not None:
                    pytest.fail(f"backend on {port} exited: see {WEB_DIR}/backend-{n}.log")
                try:
                    if httpx.get(f"http://127.0.0.1:{port}/ping", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline:
                    pytest.fail(f"backend on {port} did not start in {STARTUP_SECONDS}s")
                time.sleep(0.3)
        yield ports
    finally:
        for proc in procs:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in procs:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=5)
        for log in logs:
            log.close()


def _page_on(browser: Browser, harness_port: int, backend_port: int) -> tuple[Any, Page, list[str]]:
    """A browser whose websocket goes to `backend_port` instead of the harness backend."""
    context = browser.new_context(viewport={"width": 1280, "height": 860})
    context.add_init_script(
        "(() => { const Native = window.WebSocket;"
        " function Routed(url, protocols) {"
        f"   url = String(url).replace(':{harness_port}/', ':{backend_port}/');"
        "   return protocols === undefined ? new Native(url) : new Native(url, protocols); }"
        " Routed.prototype = Native.prototype;"
        " for (const k of ['CONNECTING', 'OPEN', 'CLOSING', 'CLOSED']) Routed[k] = Native[k];"
        " window.WebSocket = Routed; })()"
    )
    page = context.new_page()
    page.set_default_timeout(20_000)
    sockets: list[str] = []
    page.on("websocket", lambda ws: sockets.append(ws.url) if "/_event" in ws.url else None)
    return context, page, sockets


def _sign_in_to_room(page: Page, frontend_url: str, login: str, webinar_id: int) -> None:
    target = routes.LIVE_PREFIX + str(webinar_id)
    page.goto(frontend_url + routes.login_url(target))
    wait_ready(page)
    page.fill("#login", login)
    page.fill("#password", "correct-horse-1")
    page.click("#login-submit")
    expect(page).to_have_url(re.compile(re.escape(target) + "$"))
    expect(page.locator("#chat-input")).to_be_visible()


def test_chat_crosses_two_backend_processes(
    browser: Browser,
    app_harness: Any,
    frontend_url: str,
    shared_db: str,
    backends: list[int],
    artifacts: Path,
) -> None:
    from reflex_base.config import get_config

    harness_port = int(str(get_config().api_url).rstrip("/").rsplit(":", 1)[1])
    engine = create_engine(shared_db)
    with Session(engine, expire_on_commit=False) as session:
        root = make_user(session, "root", role="admin", superuser=True)
        alice, bob = make_user(session, "alice"), make_user(session, "bob")
        start = utcnow() + timedelta(hours=1)
        webinar = webinars.create_webinar(
            session,
            root,
            {"title": "Across processes", "date": start.date().isoformat(), "time": start.strftime("%H:%M")},
        )
        registrations.register(session, alice, webinar.id)
        registrations.register(session, bob, webinar.id)
        live.start(session, root, webinar.id)
    engine.dispose()

    port_a, port_b = backends
    ctx_a, a, sockets_a = _page_on(browser, harness_port, port_a)
    ctx_b, b, sockets_b = _page_on(browser, harness_port, port_b)
    try:
        _sign_in_to_room(a, frontend_url, "alice", webinar.id)
        _sign_in_to_room(b, frontend_url, "bob", webinar.id)
        # Each browser really speaks to its own process.
        assert sockets_a and all(f":{port_a}/" in url for url in sockets_a), sockets_a
        assert sockets_b and all(f":{port_b}/" in url for url in sockets_b), sockets_b

        a.fill("#chat-input", "hello from backend one")
        a.press("#chat-input", "Enter")
        expect(
            b.locator("#chat-messages .chat-message").filter(has_text="hello from backend one")
        ).to_have_count(1)

        b.fill("#chat-input", "and back from backend two")
        b.press("#chat-input", "Enter")
        expect(
            a.locator("#chat-messages .chat-message").filter(has_text="back from backend two")
        ).to_have_count(1)
        # The attendee count crossed too (B's join was published by backend 2).
        expect(a.locator("#attendee-count")).to_have_text("2")
        a.screenshot(path=str(artifacts / "live-two-backends-a.png"), full_page=True)
        b.screenshot(path=str(artifacts / "live-two-backends-b.png"), full_page=True)
    finally:
        ctx_a.close()
        ctx_b.close()
