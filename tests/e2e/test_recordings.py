"""Recordings in Chromium: an admin uploads a video with the progress bar and it is listed;
a registered student opens its page and the <video> plays from a signed URL (Range works)."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect
from sqlmodel import Session, select

from tests.api.test_recordings import mp4_bytes
from tests.conftest import make_user
from tests.e2e.test_account_journey import sign_in
from tests.e2e.test_webinar_journey import seed_webinar
from webinar_app import routes
from webinar_app.models import Recording
from webinar_app.services import recordings, registrations

pytestmark = pytest.mark.browser


def shot(page: Page, artifacts: Path, name: str) -> None:
    page.screenshot(path=str(artifacts / f"recordings-{name}.png"), full_page=True)


def test_admin_uploads_a_video_and_a_registrant_watches_it(
    browser: Any, frontend_url: str, session: Session, artifacts: Path
) -> None:
    admin = make_user(session, "root", role="admin", superuser=True)
    alice = make_user(session, "alice")
    talk = seed_webinar(session, admin, "Deep dive into signed URLs", starts_in=timedelta(hours=2))
    registrations.register(session, alice, talk.id)
    content = mp4_bytes(3 * 1024 * 1024)

    admin_ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    student_ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = admin_ctx.new_page()
        page.set_default_timeout(30_000)
        sign_in(page, frontend_url, "root")
        page.click("#nav-recordings")
        expect(page).to_have_url(re.compile(re.escape(routes.RECORDINGS) + "$"))
        expect(page.locator("#recording-admin-form")).to_be_visible()
        expect(page.locator("#recordings-empty")).to_be_visible()

        page.click("#recording-event")
        page.get_by_role("option", name="Deep dive into signed URLs").click()
        page.fill("#recording-title", "Replay: signed URLs")
        page.fill("#recording-duration_minutes", "62")
        page.locator("#recording-is_public").get_by_role("radio").nth(1).click()  # registrants only
        page.set_input_files(
            "#recording_upload input[type=file]",
            files=[{"name": "../../replay.mp4", "mimeType": "video/mp4", "buffer": content}],
        )
        page.click("#recording-upload-button")
        expect(page.locator("#recording-progress")).to_be_visible()
        expect(page.locator("#recordings-list")).to_contain_text("Replay: signed URLs")
        expect(page.locator("#recording-progress")).to_have_attribute("aria-valuenow", "100")
        shot(page, artifacts, "admin-uploaded")

        session.expire_all()
        [rec] = session.exec(select(Recording)).all()
        assert rec.file_size == len(content) and rec.is_public is False and rec.duration_minutes == 62

        student = student_ctx.new_page()
        student.set_default_timeout(30_000)
        sign_in(student, frontend_url, "alice")
        student.goto(frontend_url + routes.webinar_url(talk.id))
        expect(student.locator("#webinar-recordings")).to_contain_text("Replay: signed URLs")
        student.locator("#webinar-recordings .recording-card").first.click()
        expect(student).to_have_url(re.compile(re.escape(routes.recording_url(rec.id)) + "$"))
        expect(student.locator("#recording-duration")).to_have_text("1 h 2 min")
        video = student.locator("video#recording-video")
        expect(video).to_have_attribute("src", re.compile(re.escape(recordings.stream_path(rec.id)) + r"\?"))
        src = video.get_attribute("src")
        assert src and f"user={alice.id}" in src and "sig=" in src and "expires=" in src
        shot(student, artifacts, "student-player")

        ranged = httpx.get(src, headers={"Range": "bytes=0-1023"}, timeout=10)
        assert ranged.status_code == 206 and ranged.content == content[:1024]
        assert httpx.get(src, timeout=30).status_code == 200
        tampered = httpx.get(src.replace(f"user={alice.id}", "user=0"), timeout=10)
        assert tampered.status_code == 403
    finally:
        admin_ctx.close()
        student_ctx.close()


def upload_recording(
    session: Session, admin: Any, webinar_id: int, title: str, *, size: int = 64 * 1024
) -> Recording:
    """A recording stored as a real (tiny) MP4 file, through the same upload path as the form,
    for tests that need a replay page without driving the upload UI."""
    from webinar_app.services.uploads import RecordingUpload

    upload = RecordingUpload()
    upload.write(mp4_bytes(size))
    return recordings.create_recording(
        session, admin, {"event": webinar_id, "title": title, "duration_minutes": 5}, stored=upload.finish()
    )
