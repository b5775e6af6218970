"""`kill -9` of the production server in the middle of a chat burst.

A registrant has the live room open in Chromium; a thread posts 50 chat messages over REST,
one after another, recording each 201; after the first dozen are acknowledged the whole
server process group (granian's parent and its three workers) is killed with SIGKILL, then
started again on the same port. Afterwards:

- every message the server acknowledged is in the database and in the chat REST list: the
  service commits before it answers (and before it publishes), so a 201 means stored;
- the open tab, never reloaded, reconnects by itself and shows those messages, and a
  message posted after the restart arrives live. Nothing in our code handles the reconnect:
  Reflex's client sends its hydrate event again on every (re)connect, and the backend queues
  the page's on_load handlers with it (`State.hydrate` -> `on_load_internal`), so
  `LiveState.load` and `ChatState.open_room` run again: the history is reloaded from the
  database and the tab re-joins its realtime topics, which lived only in the dead
  processes' memory. This test is what holds that behaviour in place.
"""

from __future__ import annotations

import threading
import time
from datetime import timedelta
from typing import Any

import httpx
import psycopg
import pytest
from playwright.sync_api import expect

from tests.prod_server import (
    ADMIN,
    STUDENT_PASSWORD,
    ProdServer,
    create_student,
    create_webinar,
    login,
    open_page,
    shared_server,
    sign_in,
)
from webinar_app import routes

pytestmark = pytest.mark.browser
BURST = 50
CRASH_AFTER = 12


@pytest.fixture(scope="module")
def prod(request: pytest.FixtureRequest) -> ProdServer:
    return shared_server(request.config)


@pytest.fixture(scope="module")
def chromium(browser: Any) -> Any:
    return browser


class Burst(threading.Thread):
    """Posts `BURST` messages in order; `acked` holds (id, text) of every 201."""

    def __init__(self, url: str, headers: dict[str, str], webinar_id: int) -> None:
        super().__init__(daemon=True)
        self.url, self.headers, self.webinar_id = url, headers, webinar_id
        self.acked: list[tuple[int, str]] = []
        self.failed: list[str] = []

    def run(self) -> None:
        with httpx.Client(base_url=self.url, timeout=10) as client:
            for n in range(BURST):
                text = f"burst message {n:02d}"
                try:
                    response = client.post(
                        "/api/communications/chat/",
                        json={"event": self.webinar_id, "message": text},
                        headers=self.headers,
                    )
                except httpx.HTTPError as exc:
                    self.failed.append(f"{text}: {type(exc).__name__}")
                    continue
                if response.status_code == 201:
                    self.acked.append((int(response.json()["id"]), text))
                else:
                    self.failed.append(f"{text}: {response.status_code}")


def _dsn(database_url: str) -> str:
    return database_url.replace("postgresql+psycopg://", "postgresql://")


def stored_ids(database_url: str, webinar_id: int) -> set[int]:
    with psycopg.connect(_dsn(database_url)) as conn:
        rows = conn.execute("SELECT id FROM chat_messages WHERE webinar_id = %s", (webinar_id,)).fetchall()
    return {int(row[0]) for row in rows}


def commit_unpublished(database_url: str, webinar_id: int, username: str, text: str) -> None:
    """A message stored while the server is down: like one committed by a worker that died
    before its publish. No push ever announces it; only the reconnect's reload can show it."""
    with psycopg.connect(_dsn(database_url)) as conn:
        conn.execute(
            "INSERT INTO chat_messages (webinar_id, user_id, message, created_at)"
            " SELECT %s, id, %s, now() FROM users WHERE username = %s",
            (webinar_id, text, username),
        )


def test_acknowledged_messages_survive_kill_9_and_the_open_room_resyncs(
    prod: ProdServer, chromium: Any
) -> None:
    admin = login(prod.url, ADMIN[0], ADMIN[2])
    webinar = create_webinar(prod.url, admin, "Crash-proof chat", starts_in=timedelta(minutes=-5))
    webinar_id = int(webinar["id"])
    assert httpx.post(f"{prod.url}/api/live/start/{webinar_id}/", headers=admin).status_code == 200
    student = create_student(prod.url, admin, "erin")
    registered = httpx.post(
        f"{prod.url}/api/registrations/register/", json={"event": webinar_id}, headers=student
    )
    assert registered.status_code == 201, registered.text

    context, page, watch = open_page(chromium)
    sockets: list[str] = []
    page.on("websocket", lambda ws: sockets.append(ws.url))
    try:
        sign_in(page, prod.url, "erin", STUDENT_PASSWORD, routes.LIVE_PREFIX + str(webinar_id))
        expect(page.locator("#chat-input")).to_be_visible()
        shown = page.locator("#chat-messages .chat-message")

        burst = Burst(prod.url, admin, webinar_id)
        burst.start()
        deadline = time.monotonic() + 60
        while len(burst.acked) < CRASH_AFTER and burst.is_alive() and time.monotonic() < deadline:
            time.sleep(0.01)
        prod.crash()
        burst.join(timeout=120)
        assert not burst.is_alive()
        acked = list(burst.acked)
        assert len(acked) >= CRASH_AFTER
        assert len(acked) < BURST, "the crash came after the burst: nothing was interrupted"
        commit_unpublished(prod.database_url, webinar_id, ADMIN[0], "stored while down")
        sockets_before = len(sockets)

        prod.start()
        # Stored: in the database and in the REST list, every one acknowledged.
        stored = stored_ids(prod.database_url, webinar_id)
        assert {i for i, _ in acked} <= stored
        listed = httpx.get(
            f"{prod.url}/api/communications/chat/", params={"event": webinar_id}, headers=student
        )
        assert listed.status_code == 200
        assert {i for i, _ in acked} <= {int(m["id"]) for m in listed.json()}

        # The tab (no reload) reconnected, reloaded its history from the database...
        expect(shown.filter(has_text="stored while down")).to_have_count(1, timeout=60_000)
        assert len(sockets) > sockets_before, "the tab never opened a new websocket"
        for _, text in acked:
            expect(shown.filter(has_text=text)).to_have_count(1)
        # ...and listens again: a message posted after the restart arrives live.
        after = httpx.post(
            f"{prod.url}/api/communications/chat/",
            json={"event": webinar_id, "message": "after the restart"},
            headers=admin,
        )
        assert after.status_code == 201, after.text
        expect(shown.filter(has_text="after the restart")).to_have_count(1, timeout=30_000)
        # And this tab can still talk.
        page.fill("#chat-input", "erin is back")
        page.press("#chat-input", "Enter")
        expect(shown.filter(has_text="erin is back")).to_have_count(1)
        assert watch.csp_violations() == []
    finally:
        context.close()

