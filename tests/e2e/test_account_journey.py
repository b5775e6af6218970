"""The whole account journey in Chromium: sign up, verify, log in, stay signed in, edit the
profile, upload an avatar, log out, and be bounced from a protected page."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from playwright.sync_api import Page, expect

from webinar_app import routes
from webinar_app.state.auth import ACCESS_STORAGE_KEY, REFRESH_STORAGE_KEY

pytestmark = pytest.mark.browser
PASSWORD = "journey-pass-42"
EMAIL = "ada@example.com"


def shot(page: Page, artifacts: Path, name: str) -> None:
    page.screenshot(path=str(artifacts / f"journey-{name}.png"), full_page=True)


def wait_ready(page: Page) -> None:
    """The navbar shows Log in / the user menu only after on_load ran over the websocket,
    so clicks from here on reach the backend."""
    expect(page.locator("#nav-login, #user-menu").first).to_be_visible(timeout=30_000)


def stored_tokens(page: Page) -> tuple[str | None, str | None]:
    return (
        page.evaluate(f"localStorage.getItem('{ACCESS_STORAGE_KEY}')"),
        page.evaluate(f"localStorage.getItem('{REFRESH_STORAGE_KEY}')"),
    )


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 64), (80, 70, 200)).save(buffer, format="PNG")
    return buffer.getvalue()


def test_account_journey(page: Page, frontend_url: str, outbox: Any, artifacts: Path, tmp_path: Path) -> None:
    visited: list[str] = []
    page.on("framenavigated", lambda frame: visited.append(frame.url))

    # --- sign up (first an inline error from the service, then the real thing)
    sign_up(page, frontend_url, "ada", EMAIL, "Ada Lovelace", confirm=PASSWORD + "x")
    expect(page.locator("#password-error")).to_contain_text("Passwords do not match")
    shot(page, artifacts, "01-signup-error")
    page.fill("#password-confirm", PASSWORD)
    page.click("#signup-submit")

    # --- verify with the code from the outbox
    expect(page).to_have_url(re.compile(re.escape(routes.VERIFY_EMAIL)))
    expect(page.locator("#verify-email")).to_have_value(EMAIL)
    page.fill("#otp", "000000" if outbox.last_code(EMAIL) != "000000" else "111111")
    page.click("#verify-submit")
    expect(page.locator("#verify-error")).to_contain_text("4 attempts remaining")
    shot(page, artifacts, "02-verify-wrong-code")
    # Resend: a new code, and a live countdown pushed by a background event.
    page.click("#resend-code")
    seconds = page.locator("#resend-seconds")
    # While the button shows its spinner, Radix renders the label twice (one copy for screen
    # readers): wait for the request to finish before reading the countdown.
    expect(seconds).to_have_count(1, timeout=10_000)
    expect(seconds).to_be_visible()
    first = int(seconds.inner_text())
    assert 50 <= first <= 60
    expect(seconds).not_to_have_text(str(first), timeout=5_000)
    assert int(seconds.inner_text()) < first
    expect(page.locator("#resend-code")).to_be_disabled()
    page.fill("#otp", outbox.last_code(EMAIL))
    page.click("#verify-submit")

    # --- log in
    expect(page).to_have_url(re.compile(re.escape(routes.LOGIN)))
    log_in(page, "ada", PASSWORD)
    expect(page.locator("#nav-user-name")).to_have_text("Ada Lovelace")
    expect(page.locator("#home-welcome")).to_contain_text("Ada Lovelace")
    expect(page.locator("#webinars-empty")).to_contain_text("No webinars yet")
    access, refresh = stored_tokens(page)
    assert access and refresh
    shot(page, artifacts, "03-signed-in")

    # --- a reload rebuilds the session from localStorage
    page.reload()
    expect(page.locator("#nav-user-name")).to_have_text("Ada Lovelace")

    # --- edit the profile; the navbar follows
    page.click("#user-menu")
    page.click("#menu-profile")
    expect(page).to_have_url(re.compile(re.escape(routes.PROFILE)))
    expect(page.locator("#profile-first-name")).to_have_value("Ada")
    page.fill("#profile-first-name", "Augusta")
    page.click("#profile-save")
    expect(page.locator("#nav-user-name")).to_have_text("Augusta Lovelace")

    # --- upload an avatar: preview first, then the backend serves it under /media/
    picture = tmp_path / "avatar.png"
    picture.write_bytes(png_bytes())
    page.set_input_files("#avatar_upload input[type=file]", str(picture))
    expect(page.locator("#avatar-preview")).to_be_visible()
    shot(page, artifacts, "04-avatar-preview")
    page.click("#avatar-upload-button")
    expect(page.get_by_text("Profile picture updated.")).to_be_visible()
    nav_image = page.locator("#nav-avatar img, img#nav-avatar").first
    expect(nav_image).to_have_attribute("src", re.compile(r"/media/profile_pictures/.+\.(png|jpe?g)$"))
    src = nav_image.get_attribute("src")
    assert src
    response = page.request.get(src)
    assert response.status == 200 and response.headers["content-type"].startswith("image/")
    shot(page, artifacts, "05-profile-updated")

    # --- log out: tokens gone from storage, refresh token revoked, protected page bounces
    page.click("#user-menu")
    page.click("#menu-logout")
    expect(page.locator("#nav-login")).to_be_visible()
    assert stored_tokens(page) in ((None, None), ("", ""), ('""', '""'))
    page.goto(frontend_url + routes.PROFILE)
    expect(page).to_have_url(re.compile(re.escape(routes.LOGIN) + r"\?next=%2Fprofile"))
    shot(page, artifacts, "06-logged-out-redirect")

    # Small screens get the collapsed menu instead of the desktop links.
    page.set_viewport_size({"width": 390, "height": 800})
    expect(page.locator("#mobile-menu")).to_be_visible()
    expect(page.locator("#nav-login")).to_be_hidden()
    page.click("#mobile-menu")
    expect(page.get_by_role("menuitem", name="Sign up")).to_be_visible()
    shot(page, artifacts, "07-mobile-menu")

    # Tokens never travel in a URL.
    assert not [url for url in visited if access in url or refresh in url or "token=" in url]


def sign_up(
    page: Page, frontend_url: str, username: str, email: str, full_name: str, *, confirm: str = PASSWORD
) -> None:
    """Fill and send the sign-up form (password PASSWORD; `confirm` differs to see the error)."""
    first, _, last = full_name.partition(" ")
    page.goto(frontend_url + routes.SIGNUP)
    wait_ready(page)
    page.fill("#username", username)
    page.fill("#email", email)
    page.fill("#first-name", first)
    page.fill("#last-name", last)
    page.fill("#password", PASSWORD)
    page.fill("#password-confirm", confirm)
    page.click("#signup-submit")


def verify_email(page: Page, outbox: Any, email: str) -> None:
    """On the verify page the sign-up led to: the code from the mail, then on to log in."""
    expect(page).to_have_url(re.compile(re.escape(routes.VERIFY_EMAIL)))
    expect(page.locator("#verify-email")).to_have_value(email)
    page.fill("#otp", outbox.last_code(email))
    page.click("#verify-submit")
    expect(page).to_have_url(re.compile(re.escape(routes.LOGIN)))


def log_in(page: Page, login: str, password: str = "correct-horse-1") -> None:
    """On the login page: send the form and wait for the signed-in navbar."""
    wait_ready(page)
    page.fill("#login", login)
    page.fill("#password", password)
    page.click("#login-submit")
    expect(page.locator("#user-menu")).to_be_visible()
    left_login_page(page)


def left_login_page(page: Page) -> None:
    """The signed-in navbar shows before the redirect away from /login lands: a click made in
    between is overtaken by that redirect."""
    expect(page).not_to_have_url(re.compile(re.escape(routes.LOGIN) + r"(\?|$)"))


def sign_in(page: Page, frontend_url: str, login: str, next_path: str | None = None) -> None:
    page.goto(frontend_url + routes.login_url(next_path))
    log_in(page, login)


def test_admin_page_lists_users_for_admins_and_refuses_students(
    page: Page, frontend_url: str, session: Any, artifacts: Path
) -> None:
    from tests.conftest import make_user

    make_user(session, "alice")
    make_user(session, "root", role="admin", superuser=True)

    # Signed out: bounced to log in, and brought back to /admin afterwards.
    page.goto(frontend_url + routes.ADMIN)
    expect(page).to_have_url(re.compile(re.escape(routes.LOGIN) + r"\?next=%2Fadmin"))
    log_in(page, "alice")
    expect(page).to_have_url(re.compile(re.escape(routes.ADMIN) + "$"))
    expect(page.locator("#admin-not-allowed")).to_be_visible()
    expect(page.locator("#nav-admin")).to_have_count(0)
    shot(page, artifacts, "08-admin-refused")
    page.click("#user-menu")
    page.click("#menu-logout")
    expect(page.locator("#nav-login")).to_be_visible()

    sign_in(page, frontend_url, "root", routes.ADMIN)
    expect(page.locator("#admin-users")).to_contain_text("alice@example.com")
    expect(page.locator("#admin-users")).to_contain_text("root@example.com")
    expect(page.locator("#nav-admin")).to_be_visible()
    shot(page, artifacts, "09-admin-users")
