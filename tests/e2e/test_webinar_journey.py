"""Webinar journeys in Chromium.

Attendee: browse the catalog -> search -> open a webinar -> register (toast, badge) -> it is
in My webinars -> its calendar file downloads. Admin: create a webinar through the form
(an inline validation error first, a thumbnail preview), see it listed, export registrants.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page, expect

from tests.conftest import make_user
from tests.e2e.test_account_journey import png_bytes, sign_in
from webinar_app import routes
from webinar_app.core.security import utcnow
from webinar_app.models.base import as_utc
from webinar_app.services import registrations, webinars

pytestmark = pytest.mark.browser


def shot(page: Page, artifacts: Path, name: str) -> None:
    page.screenshot(path=str(artifacts / f"webinars-{name}.png"), full_page=True)


def seed_webinar(session: Any, admin: Any, title: str, **fields: Any) -> Any:
    start = utcnow() + fields.pop("starts_in", timedelta(days=2))
    data = {"title": title, "date": start.date().isoformat(), "time": start.strftime("%H:%M"), **fields}
    return webinars.create_webinar(session, admin, data)


@pytest.fixture
def berlin_page(browser: Any, app_harness: Any) -> Iterator[Page]:
    """A browser that lives in Berlin: times must be shown in its zone, not the server's."""
    context = browser.new_context(
        viewport={"width": 1280, "height": 800},
        timezone_id="Europe/Berlin",
        permissions=["clipboard-read", "clipboard-write"],
    )
    pg = context.new_page()
    pg.set_default_timeout(20_000)
    yield pg
    context.close()


def test_attendee_browses_registers_and_downloads_calendar(
    berlin_page: Page, frontend_url: str, session: Any, artifacts: Path
) -> None:
    page = berlin_page
    admin = make_user(session, "root", role="admin", superuser=True)
    make_user(session, "alice")
    talk = seed_webinar(
        session,
        admin,
        "Playwright in practice",
        description="End-to-end testing that does not flake.",
        capacity=30,
        price="0",
        category="Testing",
        starts_in=timedelta(hours=5),
    )
    seed_webinar(session, admin, "Sourdough for engineers", category="Food", price="12.50")
    berlin = as_utc(talk.start_at).astimezone(ZoneInfo("Europe/Berlin"))  # type: ignore[union-attr]

    sign_in(page, frontend_url, "alice")

    # --- browse: both cards, with price and seats
    page.click("#nav-webinars")
    expect(page).to_have_url(re.compile(re.escape(routes.WEBINARS) + "$"))
    grid = page.locator("#catalog-grid")
    expect(grid.locator(".webinar-card")).to_have_count(2)
    expect(grid).to_contain_text("$12.50")
    expect(grid).to_contain_text("30 seats left")
    expect(page.get_by_text("Times are shown in your time zone (Europe/Berlin).")).to_be_visible()
    expect(grid).to_contain_text(f"{berlin:%H:%M} {berlin.tzname()}")
    shot(page, artifacts, "01-catalog")

    # --- search (debounced) narrows the list
    page.fill("#catalog-search", "playwright")
    expect(grid.locator(".webinar-card")).to_have_count(1)
    expect(grid).to_contain_text("Playwright in practice")
    shot(page, artifacts, "02-search")

    # --- open it and register
    grid.get_by_role("link", name="Playwright in practice").click()
    expect(page).to_have_url(re.compile(re.escape(routes.webinar_url(talk.id)) + "$"))
    expect(page.locator("#webinar-title")).to_have_text("Playwright in practice")
    expect(page.locator("#webinar-organizer")).to_contain_text("root")
    expect(page.locator("#webinar-countdown")).to_contain_text("in ")
    page.click("#register-button")
    expect(page.get_by_text("You're registered! See you there.")).to_be_visible()
    expect(page.locator(".my-status")).to_have_text("Registered")
    expect(page.locator("#webinar-seats")).to_have_text("29 seats left")
    expect(page.locator("#unregister-button")).to_be_visible()
    shot(page, artifacts, "03-registered")

    # --- share: the page's own URL lands on the clipboard
    page.click("#share-button")
    expect(page.get_by_text("Link copied to the clipboard.")).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()") == frontend_url + routes.webinar_url(talk.id)

    # --- the calendar file: a real .ics download
    ics_href = page.locator("#ics-link").get_attribute("href")
    assert ics_href and ics_href.endswith(f"/api/webinars/{talk.id}/calendar.ics")
    body = page.request.get(ics_href).text()
    assert body.startswith("BEGIN:VCALENDAR") and "SUMMARY:Playwright in practice" in body
    with page.expect_download() as download_info:
        page.click("#ics-link")
    download = download_info.value
    saved = download.path()
    assert saved and Path(saved).read_text().startswith("BEGIN:VCALENDAR")
    assert download.suggested_filename.endswith(".ics")

    # --- My webinars: agenda, the 24 h alert, the week grid, the private feed
    page.click("#nav-my-webinars")
    expect(page).to_have_url(re.compile(re.escape(routes.MY_WEBINARS) + "$"))
    expect(page.locator("#agenda-upcoming")).to_contain_text("Playwright in practice")
    expect(page.locator("#soon-alert")).to_contain_text("Playwright in practice")
    expect(page.locator("#week-grid .week-day")).to_have_count(7)
    feed = page.locator("#feed-url")
    expect(feed).to_have_value(re.compile(r"/api/calendar/.+\.ics$"))
    feed_body = page.request.get(feed.input_value()).text()
    assert "Playwright in practice" in feed_body
    shot(page, artifacts, "04-my-webinars")

    # --- the catalog shows the badge too
    page.goto(frontend_url + routes.WEBINARS)
    expect(page.locator("#catalog-grid .my-status")).to_have_text("Registered")

    # Small screens: one column, everything still reachable.
    page.set_viewport_size({"width": 390, "height": 800})
    page.goto(frontend_url + routes.webinar_url(talk.id))
    expect(page.locator("#unregister-button")).to_be_visible()
    shot(page, artifacts, "05-webinar-mobile")


def test_admin_creates_webinar_and_exports_registrants(
    page: Page, frontend_url: str, session: Any, artifacts: Path, tmp_path: Path
) -> None:
    admin = make_user(session, "root", role="admin", superuser=True)
    alice = make_user(session, "alice")
    existing = seed_webinar(session, admin, "Existing session", capacity=1)
    registrations.register(session, alice, existing.id)

    sign_in(page, frontend_url, "root", routes.ADMIN_WEBINARS)
    expect(page).to_have_url(re.compile(re.escape(routes.ADMIN_WEBINARS) + "$"))
    table = page.locator("#admin-webinars")
    expect(table).to_contain_text("Existing session")

    # --- create: first an inline error from the service, then a valid webinar
    page.click("#new-webinar")
    expect(page.locator("#webinar-form")).to_be_visible()
    page.fill("#wf-date", (utcnow() + timedelta(days=10)).date().isoformat())
    page.fill("#wf-time", "14:30")
    page.fill("#wf-duration", "0")
    page.click("#wf-save")
    expect(page.locator("#wf-title-error")).to_contain_text("may not be blank")
    expect(page.locator("#wf-duration-error")).to_contain_text("greater than or equal to 1")
    shot(page, artifacts, "06-admin-form-errors")

    page.fill("#wf-title", "Observability 101")
    page.fill("#wf-duration", "45")
    page.fill("#wf-capacity", "100")
    page.fill("#wf-category", "Ops")
    page.fill("#wf-description", "Logs, metrics, traces.")
    picture = tmp_path / "thumb.png"
    picture.write_bytes(png_bytes())
    page.set_input_files("#thumbnail_upload input[type=file]", str(picture))
    expect(page.locator("#thumbnail-preview")).to_be_visible()
    shot(page, artifacts, "07-admin-form-filled")
    page.click("#wf-save")
    expect(page.get_by_text("Created “Observability 101”.")).to_be_visible()
    expect(page.locator("#webinar-form")).to_be_hidden()
    expect(table).to_contain_text("Observability 101")
    created = webinars.list_webinars(session, admin, search="Observability")[0][0].webinar
    assert created.thumbnail and created.duration == 45 and created.capacity == 100
    shot(page, artifacts, "08-admin-list")

    # --- registrants of the existing webinar, exported as CSV
    row = page.locator(".admin-webinar-row", has_text="Existing session")
    row.locator(".action-registrants").click()
    expect(page.locator("#registrants-table")).to_contain_text("alice@example.com")
    with page.expect_download() as download_info:
        page.click("#export-csv")
    download = download_info.value
    assert download.suggested_filename == f"webinar-{existing.id}-registrants.csv"
    saved = download.path()
    assert saved
    text = Path(saved).read_text()
    assert text.startswith("username,email,name,status,registered_on,attended")
    assert "alice,alice@example.com" in text
    shot(page, artifacts, "09-admin-registrants")

    # --- cancel behind a confirmation; the public page says so
    row.locator(".action-cancel").click()
    page.locator(".confirm-cancel").click()
    expect(page.get_by_text("Webinar cancelled. Registrants have been notified.")).to_be_visible()
    expect(row.locator(".webinar-status")).to_have_text("cancelled")
    page.goto(frontend_url + routes.webinar_url(existing.id))
    expect(page.locator("#cancelled-banner")).to_be_visible()
    expect(page.locator("#register-button")).to_have_count(0)
    shot(page, artifacts, "10-cancelled-webinar")


def test_students_are_refused_the_admin_webinars_page(page: Page, frontend_url: str, session: Any) -> None:
    make_user(session, "alice")
    sign_in(page, frontend_url, "alice", routes.ADMIN_WEBINARS)
    expect(page.locator("#admin-not-allowed")).to_be_visible()
    expect(page.locator("#new-webinar")).to_have_count(0)
    expect(page.locator("#nav-admin-webinars")).to_have_count(0)
