"""Accessibility: every main page, as the people who use it, checked by axe-core in Chromium.

A page fails on any serious or critical finding (missing labels, contrast, duplicate ids,
landmarks...). Pages are checked once their data has arrived over the websocket, since
most of the markup (lists, forms, the live room) only exists then.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import Axe
from tests.e2e.test_account_journey import wait_ready
from tests.e2e.test_live_room import open_room, say, seed_room
from tests.e2e.test_recordings import upload_recording
from webinar_app import routes

pytestmark = pytest.mark.browser


def visit(page: Page, url: str, ready: str) -> None:
    """Open a page and wait for `ready`, an element only rendered once its state loaded."""
    page.goto(url)
    wait_ready(page)
    expect(page.locator(ready).first).to_be_visible()


def test_main_pages_have_no_serious_accessibility_violations(
    new_page: Callable[[], Page], frontend_url: str, session: Any, axe: Axe
) -> None:
    root, _alice, _bob, webinar = seed_room(session)
    recording = upload_recording(session, root, webinar.id, "Replay: realtime")
    # Starting the room and adding the recording already gave alice notifications to list.

    axe.collect = True  # every page's findings in one report
    # --- signed out
    guest = new_page()
    visit(guest, frontend_url + routes.HOME, "#hero-signup")
    axe(guest, "home")
    visit(guest, frontend_url + routes.WEBINARS, "#catalog-grid .webinar-card")
    axe(guest, "catalog")
    visit(guest, frontend_url + routes.webinar_url(webinar.id), "#webinar-title")
    axe(guest, "webinar detail")
    visit(guest, frontend_url + routes.LOGIN, "#login")
    axe(guest, "sign in")
    visit(guest, frontend_url + routes.SIGNUP, "#username")
    axe(guest, "sign up")

    # --- an attendee
    attendee = new_page()
    open_room(attendee, frontend_url, "alice", webinar.id)
    say(attendee, "Hello room")
    expect(attendee.locator("#chat-messages .chat-message")).to_have_count(1)
    axe(attendee, "live room: chat")
    attendee.click("#tab-questions")
    expect(attendee.locator("#question-input")).to_be_visible()
    axe(attendee, "live room: questions")
    attendee.click("#tab-polls")
    axe(attendee, "live room: polls")
    for url, ready, name in (
        (routes.webinar_url(webinar.id), "#unregister-button", "webinar detail, registered"),
        (routes.MY_WEBINARS, "#agenda-upcoming", "my webinars"),
        (routes.NOTIFICATIONS, "#mark-all-read", "notifications"),
        (routes.INBOX, "#inbox-new", "inbox"),
        (routes.PROFILE, "#profile-form", "profile"),
        (routes.RECORDINGS, "#recordings-list", "recordings"),
        (routes.recording_url(recording.id), "#recording-title", "replay"),
    ):
        visit(attendee, frontend_url + url, ready)
        axe(attendee, name)

    # --- the host and admin
    admin = new_page()
    open_room(admin, frontend_url, "root", webinar.id)
    say(admin, "Welcome everyone")
    expect(admin.locator("#chat-messages .chat-message")).to_have_count(2)
    axe(admin, "live room: host")
    admin.click("#tab-polls")
    axe(admin, "live room: host polls")
    visit(admin, frontend_url + routes.ADMIN_DASHBOARD, "#dashboard-top-webinars")
    axe(admin, "admin dashboard")
    visit(admin, frontend_url + routes.ADMIN, "#admin-users")
    axe(admin, "admin users")
    visit(admin, frontend_url + routes.ADMIN_WEBINARS, "#admin-webinars")
    axe(admin, "admin webinars")
    admin.click("#new-webinar")
    expect(admin.locator("#webinar-form")).to_be_visible()
    axe(admin, "admin webinar form")
    expect(admin).to_have_url(re.compile(re.escape(routes.ADMIN_WEBINARS)))
    axe.assert_clean()
