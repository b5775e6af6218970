"""The live room in Chromium, several people at once: nothing here is ever reloaded.

A's chat message shows in B; a message posted over REST shows in both; a host deletes a
message (gone in B) and mutes B (B's post is refused in the UI); the bell badge rises when an
announcement is created over REST; the "now live" banner reaches a registrant on another page
when the host presses Start live, and the attendee count follows them into the room; the inbox
receives a new conversation and a reply live.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.conftest import make_user
from tests.e2e.test_account_journey import sign_in
from webinar_app import routes
from webinar_app.core.security import utcnow
from webinar_app.services import live, registrations, webinars

pytestmark = pytest.mark.browser
STREAM = "https://www.youtube.com/watch?v=dQw4w9WgXcQ"


def shot(page: Page, artifacts: Path, name: str) -> None:
    page.screenshot(path=str(artifacts / f"live-{name}.png"), full_page=True)


@pytest.fixture
def backend_url(app_harness: Any) -> str:
    from reflex_base.config import get_config

    return str(get_config().api_url).rstrip("/")


def bearer(backend_url: str, login: str) -> dict[str, str]:
    response = httpx.post(
        f"{backend_url}/api/accounts/auth/login/", json={"username": login, "password": "correct-horse-1"}
    )
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access']}"}


def seed_room(session: Any, *, started: bool = True) -> tuple[Any, Any, Any, Any]:
    """An admin host, two registrants, a webinar later today with a YouTube link."""
    root = make_user(session, "root", role="admin", superuser=True)
    alice = make_user(session, "alice")
    bob = make_user(session, "bob")
    start = utcnow() + timedelta(hours=3)
    webinar = webinars.create_webinar(
        session,
        root,
        {
            "title": "Realtime with Reflex",
            "date": start.date().isoformat(),
            "time": start.strftime("%H:%M"),
            "live_stream_url": STREAM,
        },
    )
    registrations.register(session, alice, webinar.id)
    registrations.register(session, bob, webinar.id)
    if started:
        live.start(session, root, webinar.id)
    return root, alice, bob, webinar


def open_room(page: Page, frontend_url: str, login: str, webinar_id: int) -> None:
    sign_in(page, frontend_url, login, routes.LIVE_PREFIX + str(webinar_id))
    expect(page).to_have_url(re.compile(re.escape(routes.LIVE_PREFIX) + str(webinar_id) + "$"))
    expect(page.locator("#chat-input")).to_be_visible()


def say(page: Page, text: str) -> None:
    page.fill("#chat-input", text)
    page.press("#chat-input", "Enter")


def messages(page: Page) -> Any:
    return page.locator("#chat-messages .chat-message")


def moderate(page: Page, text: str, action: str) -> None:
    """Open a message's moderator menu (retrying while a previous menu is still closing)."""
    trigger = messages(page).filter(has_text=text).locator(".chat-mod-menu")
    item = page.locator(action)
    for _ in range(5):
        trigger.click()
        try:
            item.wait_for(state="visible", timeout=2_000)
            break
        except Exception:
            page.keyboard.press("Escape")
    item.click()


def test_chat_crosses_browsers_rest_moderation_and_mute(
    new_page: Callable[[], Page], frontend_url: str, backend_url: str, session: Any, artifacts: Path
) -> None:
    _root, _alice, _bob, webinar = seed_room(session)
    a, b, host = new_page(), new_page(), new_page()
    open_room(a, frontend_url, "alice", webinar.id)
    open_room(b, frontend_url, "bob", webinar.id)
    open_room(host, frontend_url, "root", webinar.id)

    # The stream is embedded in its player form; the room counts its people.
    expect(a.locator("#live-player")).to_have_attribute("src", "https://www.youtube.com/embed/dQw4w9WgXcQ")
    expect(host.locator("#attendee-count")).to_have_text("3")
    expect(host.locator("#end-live")).to_be_visible()
    expect(a.locator("#end-live, #start-live")).to_have_count(0)

    # A -> B, no reload; HTML is shown as text. The counter follows the typing.
    a.fill("#chat-input", "<b>hello</b> from A")
    expect(a.locator("#chat-counter")).to_have_text("19 / 1000")
    a.press("#chat-input", "Enter")
    expect(messages(b).filter(has_text="<b>hello</b> from A")).to_have_count(1)
    expect(b.locator("#chat-messages b")).to_have_count(0)
    expect(a.locator("#chat-input")).to_have_value("")

    # Over REST, with a bearer token: reaches every open browser the same way.
    response = httpx.post(
        f"{backend_url}/api/communications/chat/",
        json={"event": webinar.id, "message": "posted over REST"},
        headers=bearer(backend_url, "bob"),
    )
    assert response.status_code == 201, response.text
    expect(messages(a).filter(has_text="posted over REST")).to_have_count(1)
    expect(messages(b).filter(has_text="posted over REST")).to_have_count(1)
    shot(b, artifacts, "01-chat-in-b")

    # The host deletes A's message from its menu: gone in B (and A) at once.
    moderate(host, "from A", ".chat-mod-delete")
    expect(messages(b).filter(has_text="from A")).to_have_count(0)
    expect(messages(a).filter(has_text="from A")).to_have_count(0)

    # The host mutes B (via B's REST message); B is told and B's post is refused.
    moderate(host, "posted over REST", ".chat-mod-mute")
    expect(b.locator("#chat-muted")).to_be_visible()
    say(b, "can anyone hear me?")
    expect(b.get_by_text("You are muted in this chat").first).to_be_visible()
    expect(messages(a).filter(has_text="can anyone hear me")).to_have_count(0)
    shot(b, artifacts, "02-muted")

    # Slow mode from the host's selector reaches the attendees' note.
    # A posted a moment ago, so A's next message is inside the window.
    host.locator("#slow-mode-select").click()
    host.get_by_role("option", name="30 s").click()
    expect(a.locator("#slow-mode-note")).to_contain_text("30")
    say(a, "too soon")
    expect(a.get_by_text(re.compile("Slow mode is on")).first).to_be_visible()
    expect(messages(host).filter(has_text="too soon")).to_have_count(0)


def test_bell_badge_rises_when_an_announcement_is_posted_over_rest(
    page: Page, frontend_url: str, backend_url: str, session: Any, artifacts: Path
) -> None:
    make_user(session, "root", role="admin", superuser=True)
    make_user(session, "alice")
    sign_in(page, frontend_url, "alice", routes.ANNOUNCEMENTS)
    expect(page.locator("#announcements-empty")).to_be_visible()
    expect(page.locator("#bell-badge")).to_have_count(0)

    for n in (1, 2):
        response = httpx.post(
            f"{backend_url}/api/communications/announcements/",
            json={"title": f"Maintenance {n}", "content": "Tonight at 22:00."},
            headers=bearer(backend_url, "root"),
        )
        assert response.status_code == 201, response.text
        expect(page.locator("#bell-badge")).to_have_text(str(n))
    # The list page follows too.
    expect(page.locator(".announcement-card")).to_have_count(2)
    shot(page, artifacts, "03-bell")


def test_admin_writes_an_announcement_in_the_ui(
    new_page: Callable[[], Page], frontend_url: str, session: Any
) -> None:
    make_user(session, "root", role="admin", superuser=True)
    make_user(session, "alice")
    reader, admin = new_page(), new_page()
    sign_in(reader, frontend_url, "alice")
    sign_in(admin, frontend_url, "root", routes.ADMIN_ANNOUNCEMENTS)
    admin.click("#announcement-submit")
    expect(admin.locator("#announcement-title-error")).to_be_visible()
    admin.fill("#announcement-title", "Welcome")
    admin.fill("#announcement-content", "Glad you are here.")
    admin.click("#announcement-submit")
    expect(admin.locator(".announcement-card")).to_have_count(1)
    expect(reader.locator("#bell-badge")).to_have_text("1")


def test_now_live_banner_reaches_a_registrant_elsewhere_and_count_follows(
    new_page: Callable[[], Page], frontend_url: str, session: Any, artifacts: Path
) -> None:
    _root, _alice, _bob, webinar = seed_room(session, started=False)
    alice, host = new_page(), new_page()
    sign_in(alice, frontend_url, "alice", routes.MY_WEBINARS)
    open_room(host, frontend_url, "root", webinar.id)
    expect(host.locator("#live-badge")).to_have_text("Not live")
    expect(host.locator("#chat-closed")).to_be_visible()

    host.click("#start-live")
    expect(host.locator("#live-badge")).to_have_text("LIVE")
    expect(host.locator("#chat-closed")).to_have_count(0)
    expect(host.locator("#attendee-count")).to_have_text("1")
    banner = alice.locator("#live-banner")
    expect(banner).to_be_visible()
    expect(banner).to_contain_text("Realtime with Reflex")
    shot(alice, artifacts, "04-banner")

    alice.click("#live-banner-join")
    expect(alice.locator("#chat-input")).to_be_visible()
    expect(host.locator("#attendee-count")).to_have_text("2")

    # Leaving inside the app records the leave; the host sees the count drop.
    alice.click("#nav-webinars")
    expect(host.locator("#attendee-count")).to_have_text("1")

    # The webinar page offers "Join live" while the session runs.
    alice.goto(frontend_url + routes.webinar_url(webinar.id))
    expect(alice.locator("#join-live")).to_be_visible()


def test_inbox_new_conversation_and_reply_arrive_live(
    new_page: Callable[[], Page], frontend_url: str, session: Any, artifacts: Path
) -> None:
    make_user(session, "alice")
    make_user(session, "bobby")
    a, b = new_page(), new_page()
    sign_in(a, frontend_url, "alice", routes.INBOX)
    sign_in(b, frontend_url, "bobby", routes.INBOX)
    expect(b.locator("#inbox-empty")).to_be_visible()

    a.click("#inbox-new")
    a.fill("#inbox-search", "bob")
    a.locator(".recipient-result").filter(has_text="bobby").click()
    expect(a.locator(".recipient-picked")).to_have_count(1)
    a.fill("#inbox-first-message", "Hi Bobby, slides attached?")
    a.click("#inbox-start-send")
    expect(a.locator(".thread-message")).to_have_count(1)

    # B's list gets the conversation with an unread badge, no reload.
    item = b.locator(".conversation-item")
    expect(item).to_have_count(1)
    expect(item.locator(".conversation-unread")).to_have_text("1")
    expect(item.locator(".conversation-preview")).to_contain_text("slides attached")
    item.click()
    expect(b.locator(".thread-message")).to_have_count(1)
    expect(item.locator(".conversation-unread")).to_have_count(0)

    # A reply shows up in the open thread at once.
    a.fill("#inbox-reply", "Sending them now")
    a.press("#inbox-reply", "Enter")
    expect(b.locator(".thread-message").filter(has_text="Sending them now")).to_have_count(1)
    expect(item.locator(".conversation-unread")).to_have_count(0)
    shot(b, artifacts, "05-inbox")
