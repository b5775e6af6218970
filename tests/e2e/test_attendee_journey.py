"""An attendee's whole journey, one screenshot per step (test-artifacts/journeys/attendee/).

Sign up -> verify the email with the mailed code -> log in -> register for a webinar -> the
reminder mail (and its in-app notification) arrives -> the host goes live and the attendee
joins from the banner -> chat -> the host ends the session and uploads the recording -> the
attendee watches the replay. The host's side runs through the services: the attendee's
browser must follow it without a reload.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from datetime import timedelta
from email.message import Message
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.conftest import Outbox, make_user
from tests.e2e.conftest import JourneyShots
from tests.e2e.test_account_journey import PASSWORD, log_in, sign_up, verify_email
from tests.e2e.test_live_room import STREAM, messages, say
from tests.e2e.test_recordings import upload_recording
from tests.e2e.test_webinar_journey import seed_webinar
from webinar_app import routes
from webinar_app.core.security import utcnow
from webinar_app.models.base import as_utc
from webinar_app.services import live, recordings, reminders

pytestmark = pytest.mark.browser
EMAIL = "grace@example.com"
TITLE = "Reflex from zero"


def wait_for_mail(outbox: Outbox, address: str, subject: re.Pattern[str], timeout: float = 10) -> Message:
    """The mail loop delivers in the background: poll the outbox briefly instead of sleeping."""
    deadline = time.monotonic() + timeout
    while True:
        found = [m for m in outbox.to(address) if subject.search(str(m["Subject"]))]
        if found:
            return found[-1]
        assert time.monotonic() < deadline, f"no mail matching {subject.pattern!r} to {address}"
        time.sleep(0.2)


def test_attendee_signs_up_registers_is_reminded_joins_chats_and_watches_the_replay(
    new_page: Callable[[], Page],
    frontend_url: str,
    session: Any,
    outbox: Outbox,
    journey_shots: Callable[[str], JourneyShots],
) -> None:
    shots = journey_shots("attendee")
    root = make_user(session, "root", role="admin", superuser=True)
    # Soon enough that the 15-minute reminder is the next one due after registering.
    talk = seed_webinar(
        session,
        root,
        TITLE,
        description="Build a full-stack app in pure Python.",
        starts_in=timedelta(minutes=40),
        live_stream_url=STREAM,
    )
    page = new_page()

    # --- sign up, verify the address with the mailed code, log in
    sign_up(page, frontend_url, "grace", EMAIL, "Grace Hopper")
    expect(page.locator("#verify-email")).to_have_value(EMAIL)
    shots(page, "verify-email")
    verify_email(page, outbox, EMAIL)
    log_in(page, "grace", PASSWORD)
    expect(page.locator("#nav-user-name")).to_have_text("Grace Hopper")
    shots(page, "signed-in")

    # --- find the webinar in the catalog and register
    page.click("#nav-webinars")
    grid = page.locator("#catalog-grid")
    expect(grid).to_contain_text(TITLE)
    shots(page, "catalog")
    grid.get_by_role("link", name=TITLE).click()
    expect(page.locator("#webinar-title")).to_have_text(TITLE)
    page.click("#register-button")
    expect(page.locator(".my-status")).to_have_text("Registered")
    shots(page, "registered")

    # --- the reminder: the scheduler's pass at the 15-minute send time
    start = as_utc(talk.start_at)
    assert start is not None
    send_at = max(utcnow(), start - timedelta(minutes=15)) + timedelta(seconds=1)
    result = reminders.run_due(session, now=send_at)
    assert result.claimed == 1
    reminder = wait_for_mail(outbox, EMAIL, re.compile(rf"^Starts in .*: {re.escape(TITLE)}"))
    assert "Join the live room" in Outbox.text_of(reminder)
    expect(page.locator("#bell-badge")).to_be_visible()
    mail_view = new_page()
    mail_view.set_content(Outbox.text_of(reminder, "text/html"))
    shots(mail_view, "reminder-mail")
    page.goto(frontend_url + routes.NOTIFICATIONS)
    expect(page.get_by_text(f"Starting soon: {TITLE}")).to_be_visible()
    shots(page, "reminder-notification")

    # --- the host goes live: the banner reaches the attendee, who joins and chats
    live.start(session, root, talk.id)
    page.click("#live-banner-join")
    expect(page).to_have_url(re.compile(re.escape(routes.LIVE_PREFIX) + str(talk.id) + "$"))
    expect(page.locator("#live-badge")).to_have_text("LIVE")
    expect(page.locator("#live-player")).to_be_visible()
    shots(page, "live-room")
    say(page, "Hello from Grace!")
    expect(messages(page).filter(has_text="Hello from Grace!")).to_have_count(1)
    expect(page.locator("#chat-input")).to_have_value("")
    shots(page, "chat")

    # --- the host ends the session (the room says so) and uploads the recording
    live.end(session, root, talk.id)
    expect(page.locator("#live-badge")).to_have_text("Not live")
    shots(page, "session-ended")
    recording = upload_recording(session, root, talk.id, f"Replay: {TITLE}")

    # --- the replay, from the webinar page
    page.goto(frontend_url + routes.webinar_url(talk.id))
    expect(page.locator("#webinar-recordings")).to_contain_text(f"Replay: {TITLE}")
    page.locator("#webinar-recordings .recording-card").first.click()
    expect(page).to_have_url(re.compile(re.escape(routes.recording_url(recording.id)) + "$"))
    video = page.locator("video#recording-video")
    expect(video).to_have_attribute("src", re.compile(re.escape(recordings.stream_path(recording.id))))
    # the signed URL serves the file to this attendee: the player can actually play it
    src = video.get_attribute("src")
    assert src and httpx.get(src, headers={"Range": "bytes=0-15"}, timeout=10).status_code == 206
    shots(page, "replay")
