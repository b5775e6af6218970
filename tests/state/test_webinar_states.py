"""Webinar UI states, driven directly against a real database (as in test_auth_state.py).

What matters: handlers act as the user the stored token says (never a state var), refuse
signed-out visitors and students where the services do, and put `Invalid.errors` where the
form shows them.
"""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta
from typing import Any

import reflex as rx
from reflex.istate.data import RouterData
from sqlmodel import Session, select

from tests.conftest import make_user
from tests.state.test_auth_state import redirect_targets, run, signed_in_tree, sub, tree
from webinar_app import routes
from webinar_app.core.security import utcnow
from webinar_app.models import Registration, User, Webinar
from webinar_app.services import registrations, webinars
from webinar_app.state.auth import AuthState
from webinar_app.state.catalog import CatalogState, HomeHighlightsState
from webinar_app.state.login import LoginState
from webinar_app.state.my_webinars import MyWebinarsState
from webinar_app.state.webinar import WebinarState
from webinar_app.state.webinar_admin import WebinarAdminState
from webinar_app.state.webinar_views import ViewerState


def at(root: rx.State, path: str) -> None:
    """Pretend the browser is on `path` (handlers read the webinar id from the URL)."""
    root.router = RouterData.from_router_data({"headers": {"origin": "http://ui.test"}, "asPath": path})


def seed(session: Session, admin: User, title: str = "Rust for Pythonistas", **fields: Any) -> Webinar:
    start = fields.pop("start", utcnow() + timedelta(days=2))
    data = {"title": title, "date": start.date().isoformat(), "time": start.strftime("%H:%M"), **fields}
    return webinars.create_webinar(session, admin, data)


def toasts(events: list[Any]) -> str:
    return " ".join(str(e) for e in events)


def downloaded(events: list[Any]) -> tuple[str, str]:
    """(filename, text) of the one `rx.download` among the events."""
    for event in events:
        args = {str(name): str(value).strip('"') for name, value in getattr(event, "args", ())}
        if args.get("url", "").startswith("data:"):
            return args["filename"], base64.b64decode(args["url"].split("base64,", 1)[1]).decode()
    raise AssertionError("no download")


# ---------------------------------------------------------------- webinar page


def test_register_registers_the_signed_in_user(session: Session) -> None:
    admin = make_user(session, "root", role="admin")
    webinar = seed(session, admin, capacity=5)
    root, alice = signed_in_tree(session, "alice")
    at(root, routes.webinar_url(webinar.id))
    page = sub(root, WebinarState)
    run(WebinarState.load.fn(page))
    assert page.card.title == "Rust for Pythonistas" and page.detail.can_register

    # A client may set any var: pretend to be someone else. Identity still comes from the token.
    sub(root, AuthState).user_id = admin.id
    events = run(WebinarState.register.fn(page))

    [reg] = session.exec(select(Registration)).all()
    assert reg.user_id == alice.id and reg.status == "confirmed"
    assert page.is_registered and page.card.my_status == "confirmed"
    assert page.card.seats == "4 seats left"
    assert "registered" in toasts(events).lower()


def test_register_refuses_when_signed_out(session: Session) -> None:
    admin = make_user(session, "root", role="admin")
    webinar = seed(session, admin)
    root = tree()
    at(root, routes.webinar_url(webinar.id))
    page = sub(root, WebinarState)

    events = run(WebinarState.register.fn(page))

    assert session.exec(select(Registration)).all() == []
    assert any(t.startswith(routes.LOGIN) for t in redirect_targets(events))


def test_full_webinar_waitlists_and_unregister_promotes(session: Session) -> None:
    admin = make_user(session, "root", role="admin")
    webinar = seed(session, admin, capacity=1)
    bob = make_user(session, "bob")
    registrations.register(session, bob, webinar.id)
    root, alice = signed_in_tree(session, "alice")
    at(root, routes.webinar_url(webinar.id))
    page = sub(root, WebinarState)
    run(WebinarState.load.fn(page))
    assert page.card.full

    events = run(WebinarState.register.fn(page))
    assert page.is_waitlisted and "waitlist" in toasts(events)

    bob_root = tree()
    run(LoginState.submit.fn(sub(bob_root, LoginState), {"login": "bob", "password": "correct-horse-1"}))
    at(bob_root, routes.webinar_url(webinar.id))
    bob_page = sub(bob_root, WebinarState)
    run(WebinarState.unregister.fn(bob_page))
    assert bob_page.card.my_status == ""

    run(WebinarState.load.fn(page))
    assert page.is_registered  # promoted first-in-first-out


def test_cancelled_webinar_is_not_registrable(session: Session) -> None:
    admin = make_user(session, "root", role="admin")
    webinar = seed(session, admin)
    webinars.cancel_webinar(session, admin, webinar.id)
    root, _ = signed_in_tree(session, "alice")
    at(root, routes.webinar_url(webinar.id))
    page = sub(root, WebinarState)
    run(WebinarState.load.fn(page))
    assert page.card.status == "cancelled" and not page.detail.can_register
    assert "cancelled" in page.detail.closed_reason

    events = run(WebinarState.register.fn(page))  # a client may call it anyway
    assert session.exec(select(Registration)).all() == []
    assert "Cannot register for a cancelled webinar" in toasts(events)


def test_unknown_webinar_shows_not_found(session: Session) -> None:
    root = tree()
    at(root, "/webinars/424242")
    page = sub(root, WebinarState)
    run(WebinarState.load.fn(page))
    assert page.not_found and page.loaded


def test_times_follow_the_viewers_zone(session: Session) -> None:
    admin = make_user(session, "root", role="admin")
    start = datetime(2031, 3, 4, 22, 30, tzinfo=UTC)
    webinar = seed(session, admin, start=start)
    root = tree()
    at(root, routes.webinar_url(webinar.id))
    page = sub(root, WebinarState)
    run(WebinarState.timezone_detected.fn(page, "Europe/Berlin"))
    assert sub(root, ViewerState).timezone == "Europe/Berlin"
    assert page.card.when == "Tue 4 Mar 2031 · 23:30 CET"
    # Nonsense from the client is ignored, not an error.
    run(WebinarState.timezone_detected.fn(page, "Mars/Olympus"))
    assert sub(root, ViewerState).timezone == "Europe/Berlin"


def test_a_page_drawn_before_another_pages_detection_answered_is_redrawn(session: Session) -> None:
    """Home and the catalog both ask the browser on a first visit: when home's answer is stored
    first, the catalog (drawn in UTC meanwhile) must still be redrawn in the zone."""
    admin = make_user(session, "root", role="admin")
    seed(session, admin, start=datetime(2031, 3, 4, 22, 30, tzinfo=UTC))
    root = tree()
    at(root, routes.WEBINARS)
    catalog = sub(root, CatalogState)
    run(CatalogState.load.fn(catalog))
    assert "22:30 UTC" in catalog.items[0].when
    run(HomeHighlightsState.timezone_detected.fn(sub(root, HomeHighlightsState), "Europe/Berlin"))
    run(CatalogState.timezone_detected.fn(catalog, "Europe/Berlin"))  # the same zone, second
    assert "23:30 CET" in catalog.items[0].when


# ---------------------------------------------------------------- catalog


def test_catalog_search_tabs_categories_and_badges(session: Session) -> None:
    admin = make_user(session, "root", role="admin")
    for i in range(11):
        seed(session, admin, f"Data talk {i}", category="Data", start=utcnow() + timedelta(days=i + 1))
    design = seed(session, admin, "Design systems", category="Design")
    root, alice = signed_in_tree(session, "alice")
    registrations.register(session, alice, design.id)
    catalog = sub(root, CatalogState)

    run(CatalogState.load.fn(catalog))
    assert catalog.total == 12 and len(catalog.items) == 9 and catalog.has_more
    assert catalog.categories == ["Data", "Design"]
    run(CatalogState.load_more.fn(catalog))
    assert len(catalog.items) == 12 and not catalog.has_more
    assert catalog.items[0].title == "Data talk 0"  # soonest first

    run(CatalogState.set_search.fn(catalog, "design"))
    assert [c.title for c in catalog.items] == ["Design systems"]
    assert catalog.items[0].my_status == "confirmed"

    run(CatalogState.set_search.fn(catalog, ""))
    run(CatalogState.set_category.fn(catalog, "Design"))
    assert catalog.total == 1
    run(CatalogState.set_tab.fn(catalog, "past"))
    assert catalog.total == 0 and catalog.loaded
    run(CatalogState.set_tab.fn(catalog, "<script>"))
    assert catalog.tab == "upcoming"


def test_home_highlights_show_the_next_three(session: Session) -> None:
    admin = make_user(session, "root", role="admin")
    for i in range(5):
        seed(session, admin, f"T{i}", start=utcnow() + timedelta(days=5 - i))
    root = tree()
    home = sub(root, HomeHighlightsState)
    run(HomeHighlightsState.load.fn(home))
    assert [c.title for c in home.items] == ["T4", "T3", "T2"]


# ---------------------------------------------------------------- my webinars


def test_my_webinars_lists_agenda_week_soon_and_feed(session: Session) -> None:
    admin = make_user(session, "root", role="admin")
    soon = seed(session, admin, "Soon", start=utcnow() + timedelta(hours=3))
    later = seed(session, admin, "Later", start=utcnow() + timedelta(days=30))
    seed(session, admin, "Not mine")
    root, alice = signed_in_tree(session, "alice")
    for w in (soon, later):
        registrations.register(session, alice, w.id)
    page = sub(root, MyWebinarsState)

    run(MyWebinarsState.load.fn(page))

    assert [c.title for c in page.upcoming] == ["Soon", "Later"]
    assert [c.title for c in page.soon] == ["Soon"]
    assert len(page.week) == 7
    assert "Soon" in [c.title for day in page.week for c in day.sessions] or page.week_offset == 0
    assert page.feed_url.startswith("http") and page.feed_url.endswith(".ics")
    old = page.feed_url
    run(MyWebinarsState.regenerate_feed.fn(page))
    assert page.feed_url != old

    run(MyWebinarsState.shift_week.fn(page, 1))
    assert page.week_offset == 1
    run(MyWebinarsState.shift_week.fn(page, "lots"))
    assert page.week_offset == 1


def test_my_webinars_sends_signed_out_visitors_to_login(session: Session) -> None:
    root = tree()
    at(root, routes.MY_WEBINARS)
    events = run(MyWebinarsState.load.fn(sub(root, MyWebinarsState)))
    assert any(t.startswith(routes.LOGIN) for t in redirect_targets(events))


# ---------------------------------------------------------------- admin


def fill(state: WebinarAdminState, **values: str) -> None:
    for name, value in values.items():
        WebinarAdminState.set_field.fn(state, name, value)


def test_admin_create_refuses_a_student(session: Session) -> None:
    root, _ = signed_in_tree(session, "alice")
    admin_page = sub(root, WebinarAdminState)
    run(WebinarAdminState.load.fn(admin_page))
    assert admin_page.loaded and not admin_page.allowed

    # A client can call the handler anyway; the service refuses.
    fill(admin_page, title="Sneaky", date="2031-01-01", time="10:00")
    events = run(WebinarAdminState.save.fn(admin_page, []))
    assert session.exec(select(Webinar)).all() == []
    assert "Admin access required" in toasts(events)


def test_admin_create_shows_validation_errors_then_creates(session: Session) -> None:
    root, admin = signed_in_tree(session, "root", role="admin")
    sub(root, ViewerState).timezone = "Europe/Berlin"
    page = sub(root, WebinarAdminState)
    run(WebinarAdminState.load.fn(page))
    assert page.allowed
    run(WebinarAdminState.new_webinar.fn(page))

    fill(page, title="", date="2031-03-04", time="23:30", duration="0", price="-1")
    run(WebinarAdminState.save.fn(page, []))
    assert set(page.form_errors) >= {"title", "duration", "price"}
    assert page.form_open and session.exec(select(Webinar)).all() == []

    fill(page, title="Async deep dive", duration="90", price="0", capacity="20", category="Python")
    assert "title" not in page.form_errors  # typing clears that field's error
    run(WebinarAdminState.save.fn(page, []))

    [webinar] = session.exec(select(Webinar)).all()
    assert webinar.title == "Async deep dive" and webinar.capacity == 20
    # 23:30 in Berlin (CET, UTC+1) is 22:30 UTC.
    assert webinar.start_at.replace(tzinfo=UTC) == datetime(2031, 3, 4, 22, 30, tzinfo=UTC)
    assert not page.form_open and [r.title for r in page.rows] == ["Async deep dive"]


def test_admin_edit_cancel_registrants_export_and_delete(session: Session) -> None:
    root, admin = signed_in_tree(session, "root", role="admin")
    webinar = seed(session, admin, capacity=1)
    alice, bob = make_user(session, "alice"), make_user(session, "bob")
    registrations.register(session, alice, webinar.id)
    registrations.register(session, bob, webinar.id)
    page = sub(root, WebinarAdminState)
    run(WebinarAdminState.load.fn(page))

    run(WebinarAdminState.edit_webinar.fn(page, webinar.id))
    assert page.form["title"] == "Rust for Pythonistas" and page.editing_id == webinar.id
    fill(page, title="Rust, renamed")
    run(WebinarAdminState.save.fn(page, []))
    session.refresh(webinar)
    assert webinar.title == "Rust, renamed"

    run(WebinarAdminState.show_registrants.fn(page, webinar.id))
    assert [(r.username, r.status) for r in page.registrants] == [
        ("alice", "confirmed"),
        ("bob", "waitlisted"),
    ]
    filename, text = downloaded(run(WebinarAdminState.export_registrants.fn(page)))
    assert filename == f"webinar-{webinar.id}-registrants.csv"
    assert text.startswith("username,email,name,status,registered_on,attended")
    assert "alice,alice@example.com" in text and "bob,bob@example.com" in text

    run(WebinarAdminState.cancel_webinar.fn(page, webinar.id))
    session.refresh(webinar)
    assert webinar.manual_status == "cancelled"
    assert [r.status for r in page.rows] == ["cancelled"]  # still listed for admins

    webinar_id = webinar.id
    run(WebinarAdminState.delete_webinar.fn(page, webinar_id))
    session.expire_all()
    assert session.exec(select(Webinar)).all() == [] and page.rows == []
