"""Keyboard only, no clicks: sign in, the catalog, a webinar, register, the live room, chat.

People who cannot use a mouse move with Tab / Shift+Tab and act with Enter or Space. Every
stop on the way must show where the focus is (an outline or ring), or they are lost.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.conftest import make_user
from tests.e2e.test_account_journey import left_login_page, wait_ready
from tests.e2e.test_live_room import seed_room
from webinar_app import routes
from webinar_app.services import live

pytestmark = pytest.mark.browser

# Describes document.activeElement and whether a focus indicator is drawn for it: its own
# outline or box-shadow, the outline of a wrapper that draws it for the field inside (Radix
# text fields outline their root on :focus-within), or of its inner label (Radix tabs).
_FOCUS = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return {desc: "body", visible: false};
  const outline = (e) => {
    const s = getComputedStyle(e);
    return s.outlineStyle !== "none" && parseFloat(s.outlineWidth) > 0;
  };
  let visible = outline(el) || getComputedStyle(el).boxShadow !== "none" || [...el.children].some(outline);
  for (let p = el.parentElement, i = 0; !visible && p && i < 3; p = p.parentElement, i++) {
    visible = p.matches(":focus-within") && outline(p);
  }
  const cls = (el.getAttribute("class") || "").split(/\\s+/).filter(Boolean).slice(0, 2).join(".");
  const desc = el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + (cls ? "." + cls : "")
    + " '" + (el.getAttribute("aria-label") || el.textContent || "").trim().slice(0, 30) + "'";
  return {desc, visible};
}"""


class Keyboard:
    """Moves the focus with Tab and records every stop that shows no focus indicator."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.invisible: list[str] = []

    def tab_to(self, selector: str, *, backwards: bool = False, limit: int = 60) -> None:
        key = "Shift+Tab" if backwards else "Tab"
        for _ in range(limit):
            self.page.keyboard.press(key)
            focus = self.page.evaluate(_FOCUS)
            if not focus["visible"] and focus["desc"] != "body":
                self.invisible.append(f"{self.page.url}: {focus['desc']}")
            if self.page.evaluate("(s) => !!document.activeElement?.matches(s)", selector):
                return
        raise AssertionError(f"{selector} not reached with {key} in {limit} presses")

    def assert_focus_always_visible(self) -> None:
        assert not self.invisible, "focus not visible on:\n" + "\n".join(dict.fromkeys(self.invisible))


def test_keyboard_only_sign_in_register_and_chat(page: Page, frontend_url: str, session: Any) -> None:
    root, _alice, _bob, webinar = seed_room(session, started=False)
    make_user(session, "carol")
    keys = Keyboard(page)

    # --- sign in: the fields in order, Enter submits the form
    page.goto(frontend_url + routes.LOGIN)
    wait_ready(page)
    keys.tab_to("#login")
    page.keyboard.type("carol")
    keys.tab_to("#password")
    page.keyboard.type("correct-horse-1")
    page.keyboard.press("Enter")
    expect(page.locator("#user-menu")).to_be_visible()
    left_login_page(page)

    # --- the catalog from the navbar, then the webinar's card
    keys.tab_to("#nav-webinars")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(re.escape(routes.WEBINARS) + "$"))
    card = f'#catalog-grid a[href="{routes.webinar_url(webinar.id)}"]'
    expect(page.locator(card)).to_be_visible()
    keys.tab_to(card)
    page.keyboard.press("Enter")
    expect(page.locator("#webinar-title")).to_have_text("Realtime with Reflex")

    # --- register with Space (a button's other key)
    expect(page.locator("#register-button")).to_be_visible()
    keys.tab_to("#register-button")
    page.keyboard.press("Space")
    expect(page.locator(".my-status")).to_have_text("Registered")

    # --- the host starts the session: the banner offers to join, reachable by keyboard
    live.start(session, root, webinar.id)
    expect(page.locator("#live-banner-join")).to_be_visible()
    keys.tab_to("#live-banner-join", backwards=True)
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(re.escape(routes.LIVE_PREFIX) + str(webinar.id) + "$"))

    # --- chat: type and Enter
    expect(page.locator("#chat-input")).to_be_enabled()
    keys.tab_to("#chat-input")
    page.keyboard.type("Hello from the keyboard")
    page.keyboard.press("Enter")
    sent = page.locator("#chat-messages .chat-message").filter(has_text="Hello from the keyboard")
    expect(sent).to_have_count(1)
    expect(page.locator("#chat-input")).to_have_value("")

    keys.assert_focus_always_visible()
