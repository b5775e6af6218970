"""An admin's journey, one screenshot per step (test-artifacts/journeys/admin/): create a
webinar in the form, see it in the public catalog, registrations arrive, CSV export, an
announcement reaches a student's bell, the dashboard counts it all, chat moderation and the
audit trail."""

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
from tests.e2e.conftest import JourneyShots
from tests.e2e.test_account_journey import sign_in
from tests.e2e.test_live_room import bearer
from webinar_app import routes
from webinar_app.core.security import utcnow
from webinar_app.services import chat, registrations, webinars

pytestmark = pytest.mark.browser


@pytest.fixture
def backend_url(app_harness: Any) -> str:
    from reflex_base.config import get_config

    return str(get_config().api_url).rstrip("/")


def test_admin_sees_registrations_exports_announces_counts_moderates_and_reads_the_audit(
    new_page: Callable[[], Page],
    frontend_url: str,
    backend_url: str,
    session: Any,
    journey_shots: Callable[[str], JourneyShots],
) -> None:
    shots = journey_shots("admin")
    root = make_user(session, "root", role="admin", superuser=True)
    alice, _bob = make_user(session, "alice"), make_user(session, "bob")
    page, reader = new_page(), new_page()

    # create the webinar in the admin form, starting a few minutes ago (so it is live now)
    sign_in(page, frontend_url, "root", routes.ADMIN_WEBINARS)
    expect(page).to_have_url(re.compile(re.escape(routes.ADMIN_WEBINARS) + "$"))
    shots(page, "signed-in")
    start = utcnow() - timedelta(minutes=5)
    page.click("#new-webinar")
    expect(page.locator("#webinar-form")).to_be_visible()
    page.fill("#wf-title", "Ops live")
    page.fill("#wf-date", start.date().isoformat())
    page.fill("#wf-time", start.strftime("%H:%M"))
    page.fill("#wf-duration", "120")
    shots(page, "webinar-form")
    page.click("#wf-save")
    expect(page.get_by_text("Created “Ops live”.")).to_be_visible()
    shots(page, "webinar-created")
    webinar = webinars.list_webinars(session, root, search="Ops live")[0][0].webinar
    assert webinars.compute_status(webinar) == "live"
    registrations.register(session, alice, webinar.id)
    chat.send(session, alice, webinar.id, "buy cheap pills")

    # the public catalog lists it under "Live now" (it started five minutes ago)
    page.click("#nav-webinars")
    page.click("#tab-live")
    expect(page.locator("#catalog-grid")).to_contain_text("Ops live")
    shots(page, "catalog")
    page.click("#nav-admin-webinars")

    row = page.locator(".admin-webinar-row", has_text="Ops live")
    row.locator(".action-registrants").click()
    expect(page.locator("#registrants-table")).to_contain_text("alice@example.com")

    # a registration arrives over REST while the admin is on the page
    response = httpx.post(
        f"{backend_url}/api/registrations/register/",
        json={"event": webinar.id},
        headers=bearer(backend_url, "bob"),
    )
    assert response.status_code == 201
    row.locator(".action-registrants").click()
    expect(page.locator("#registrants-table")).to_contain_text("bob@example.com")
    with page.expect_download() as download_info:
        page.click("#export-csv")
    text = Path(download_info.value.path()).read_text()
    assert "alice@example.com" in text and "bob@example.com" in text
    shots(page, "registrants")

    # an announcement written in the UI reaches a student's bell without a reload
    sign_in(reader, frontend_url, "alice")
    page.goto(frontend_url + routes.ADMIN_ANNOUNCEMENTS)
    page.fill("#announcement-title", "Ops live is on")
    page.fill("#announcement-content", "Join us in the live room now.")
    page.click("#announcement-submit")
    expect(page.locator(".announcement-card")).to_have_count(1)
    expect(reader.locator("#bell-badge")).to_be_visible()
    shots(page, "announcement-sent")

    # the dashboard counts the people, the registrations and the live session
    page.goto(frontend_url + routes.ADMIN_DASHBOARD)
    expect(page.locator("#dash-users")).to_have_text("3")
    expect(page.locator("#dash-registrations")).to_have_text("2")
    expect(page.locator("#dash-live")).to_have_text("1")
    expect(page.locator("#dashboard-top-webinars")).to_contain_text("Ops live")
    shots(page, "dashboard")

    # moderation across live rooms: delete the spam, then look at the audit trail
    page.goto(frontend_url + routes.ADMIN_MODERATION)
    message = page.locator(".moderation-message", has_text="buy cheap pills")
    expect(message).to_be_visible()
    message.get_by_role("button", name="Delete").click()
    expect(page.get_by_text("Message deleted")).to_be_visible()
    expect(message.get_by_role("button", name="Restore")).to_be_visible()
    assert chat.history(session, root, webinar.id) == []
    shots(page, "moderation")

    page.goto(frontend_url + routes.ADMIN_AUDIT)
    entries = page.locator("#audit-entries")
    expect(entries).to_contain_text("webinar.create")
    shots(page, "audit")
