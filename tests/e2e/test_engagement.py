"""Live-room engagement in Chromium, a host and an attendee side by side, nothing reloaded.

The attendee asks (one question anonymously) and it shows in the host's list; the host
upvotes, marks answered (the badge reaches the attendee) and hides it (gone for the
attendee, greyed for the host); the host prepares a poll, which the attendee only sees once
opened, votes in, and both see the bars; a raised hand reaches the host's queue and the
host lowers it; a reaction bursts on both screens.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.e2e.test_live_room import open_room, seed_room
from webinar_app import routes

pytestmark = pytest.mark.browser


def shot(page: Page, artifacts: Path, name: str) -> None:
    page.screenshot(path=str(artifacts / f"engagement-{name}.png"), full_page=True)


def question(page: Page, text: str) -> Locator:
    return page.locator(".question-item").filter(has_text=text)


def host_menu(page: Page, text: str, action: str) -> None:
    """Open a question's host menu (retrying while a previous menu is still closing)."""
    trigger = question(page, text).locator(".question-mod-menu")
    item = page.locator(action)
    for _ in range(5):
        trigger.click()
        try:
            item.wait_for(state="visible", timeout=2_000)
            break
        except Exception:
            page.keyboard.press("Escape")
    item.click()


def test_questions_polls_hands_and_reactions_between_host_and_attendee(
    new_page: Callable[[], Page], frontend_url: str, session: Any, artifacts: Path
) -> None:
    _root, _alice, _bob, webinar = seed_room(session)
    host, alice = new_page(), new_page()
    # The dev server compiles pages on first request: under a loaded machine that alone can
    # outlast the default timeout, so warm it up once with a generous one.
    host.goto(frontend_url + routes.login_url(routes.LIVE_PREFIX + str(webinar.id)), timeout=180_000)
    open_room(host, frontend_url, "root", webinar.id)
    open_room(alice, frontend_url, "alice", webinar.id)

    # ------------------------------------------------------------ Q&A
    for page in (host, alice):
        page.click("#tab-questions")
    expect(host.locator("#questions-empty")).to_be_visible()
    alice.fill("#question-input", "Will the <i>slides</i> be shared?")
    expect(alice.locator("#question-counter")).to_have_text("33 / 500")
    alice.click("#question-submit")
    expect(question(host, "Will the <i>slides</i> be shared?")).to_have_count(1)
    expect(host.locator("#question-list i")).to_have_count(0)  # text, not HTML
    expect(question(host, "slides").locator(".question-author")).to_have_text("alice")
    expect(alice.locator("#question-input")).to_have_value("")

    # Anonymous: the host still sees who asked, and that it was asked anonymously.
    alice.fill("#question-input", "What do you earn?")
    alice.click("#question-anonymous")
    alice.click("#question-submit")
    expect(question(host, "What do you earn?").locator(".question-anon-badge")).to_be_visible()
    expect(question(host, "What do you earn?").locator(".question-author")).to_have_text("alice")

    # The host upvotes: the count reaches the attendee; the attendee cannot upvote her own.
    question(host, "slides").locator(".question-upvote").click()
    expect(question(host, "slides").locator(".question-upvote")).to_have_attribute("data-voted", "true")
    expect(question(alice, "slides").locator(".question-votes")).to_have_text("1")
    expect(question(alice, "slides").locator(".question-upvote")).to_be_disabled()
    # Sorted by votes: the upvoted question comes first for everyone.
    expect(alice.locator(".question-item").first).to_contain_text("slides")

    host_menu(host, "slides", ".question-answer")
    expect(question(alice, "slides").locator(".question-answered")).to_be_visible()
    host_menu(host, "What do you earn?", ".question-hide")
    expect(question(alice, "What do you earn?")).to_have_count(0)
    expect(question(host, "What do you earn?")).to_have_attribute("data-hidden", "true")
    shot(host, artifacts, "host-questions")

    # ------------------------------------------------------------ polls
    for page in (host, alice):
        page.click("#tab-polls")
    expect(alice.locator("#polls-empty")).to_be_visible()
    host.fill("#poll-question", "Which language next?")
    options = host.locator(".poll-option-input input")
    options.nth(0).fill("Python")
    options.nth(1).fill("Rust")
    host.click("#poll-add-option")
    expect(options).to_have_count(3)
    options.nth(2).fill("Go")
    host.click("#poll-create")
    draft = host.locator(".poll-item").filter(has_text="Which language next?")
    expect(draft).to_have_attribute("data-status", "draft")
    expect(options.nth(0)).to_have_value("")  # the form is ready for the next one
    # A draft is the host's alone.
    expect(alice.locator(".poll-item")).to_have_count(0)

    draft.locator(".poll-open").click()
    poll = alice.locator(".poll-item").filter(has_text="Which language next?")
    expect(poll).to_have_attribute("data-status", "open")
    poll.locator(".poll-vote").filter(has_text="Rust").click()
    expect(poll.locator(".poll-thanks")).to_be_visible()
    expect(poll.locator(".poll-results")).to_have_attribute("data-total", "1")
    expect(draft.locator(".poll-results")).to_have_attribute("data-total", "1")
    rust = draft.locator(".poll-result").filter(has_text="Rust")
    expect(rust).to_have_attribute("data-percent", "100")
    expect(rust.locator(".poll-result-figures")).to_have_text("100% · 1")
    shot(alice, artifacts, "attendee-poll")

    draft.locator(".poll-close").click()
    expect(poll).to_have_attribute("data-status", "closed")
    expect(poll.locator(".poll-results")).to_have_attribute("data-total", "1")

    # ------------------------------------------------------------ hands and reactions
    expect(host.locator("#hands-button")).to_have_text("Hands (0)")
    alice.click("#hand-toggle")
    expect(alice.locator("#hand-toggle")).to_have_text("Lower hand")
    expect(host.locator("#hands-button")).to_have_text("Hands (1)")
    host.click("#hands-button")
    hand = host.locator(".hand-item").filter(has_text="alice")
    expect(hand).to_be_visible()
    hand.locator(".hand-clear").click()
    expect(alice.locator("#hand-toggle")).to_have_text("Raise hand")
    expect(host.locator("#hands-button")).to_have_text("Hands (0)")
    host.keyboard.press("Escape")

    alice.click("#react-clap")
    alice.click("#react-clap")
    for page in (host, alice):
        expect(page.locator('.reaction-burst[data-reaction="clap"]').first).to_be_attached()
    shot(host, artifacts, "host-room")
