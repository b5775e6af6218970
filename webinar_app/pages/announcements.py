"""Announcements: everyone signed in reads them; admins write them on their own page."""

from __future__ import annotations

import reflex as rx

from webinar_app import routes
from webinar_app.components.layout import template
from webinar_app.services.announcements import CONTENT_MAX, TITLE_MAX
from webinar_app.state.announcements import AnnouncementItem, AnnouncementsState
from webinar_app.state.auth import AuthState


def announcement_card(item: AnnouncementItem) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.icon("megaphone", size=16),
                rx.text(item.title, weight="bold", size="4"),
                rx.spacer(),
                rx.moment(item.created_at, from_now=True, size="1", color_scheme="gray"),
                align="center",
                width="100%",
            ),
            rx.text(item.content, white_space="pre-wrap", size="2"),
            rx.text("From ", item.sender, size="1", color_scheme="gray"),
            spacing="2",
            align="start",
            width="100%",
        ),
        width="100%",
        class_name="announcement-card",
    )


def announcement_list() -> rx.Component:
    return rx.cond(
        AnnouncementsState.items.length() > 0,  # type: ignore[attr-defined]
        rx.vstack(
            rx.foreach(AnnouncementsState.items, announcement_card),
            spacing="3",
            width="100%",
            id="announcement-list",
        ),
        rx.text("No announcements yet.", color_scheme="gray", id="announcements-empty"),
    )


def _error(name: str) -> rx.Component:
    return rx.cond(
        AnnouncementsState.errors.contains(name),  # type: ignore[attr-defined]
        rx.text(
            AnnouncementsState.errors[name], color_scheme="red", size="1", id=f"announcement-{name}-error"
        ),
    )


def announcement_form() -> rx.Component:
    return rx.card(
        rx.form(
            rx.vstack(
                rx.heading("Write an announcement", size="4", as_="h2"),
                rx.text("Every user gets it as a notification right away.", size="2", color_scheme="gray"),
                rx.el.label("Title", html_for="announcement-title", class_name="rt-Text rt-r-size-2"),
                rx.input(id="announcement-title", name="title", max_length=TITLE_MAX, width="100%"),
                _error("title"),
                rx.el.label("Message", html_for="announcement-content", class_name="rt-Text rt-r-size-2"),
                rx.text_area(
                    id="announcement-content", name="content", max_length=CONTENT_MAX, rows="6", width="100%"
                ),
                _error("content"),
                rx.button(
                    rx.icon("send", size=16),
                    "Send announcement",
                    type="submit",
                    loading=AnnouncementsState.submitting,
                    id="announcement-submit",
                ),
                spacing="2",
                align="start",
                width="100%",
            ),
            on_submit=AnnouncementsState.create,
            reset_on_submit=False,
        ),
        width="100%",
    )


@rx.page(
    route=routes.ANNOUNCEMENTS,
    title="Announcements · Webinars",
    on_load=[AuthState.sync_session, AnnouncementsState.load],
)
def announcements_page() -> rx.Component:
    return template(
        rx.vstack(
            rx.hstack(
                rx.heading("Announcements", size="7", as_="h1"),
                rx.spacer(),
                rx.cond(
                    AuthState.is_admin,
                    rx.link(
                        rx.button("Write one", variant="soft"),
                        href=routes.ADMIN_ANNOUNCEMENTS,
                        id="write-announcement",
                    ),
                ),
                width="100%",
                align="center",
            ),
            rx.cond(AnnouncementsState.loaded, announcement_list(), rx.spinner()),
            spacing="4",
            width="100%",
        ),
    )


@rx.page(
    route=routes.ADMIN_ANNOUNCEMENTS,
    title="Write an announcement · Webinars",
    on_load=[AuthState.sync_session, AnnouncementsState.load_admin],
)
def admin_announcements_page() -> rx.Component:
    return template(
        rx.vstack(
            rx.heading("Announcements", size="7", as_="h1"),
            rx.cond(
                AnnouncementsState.loaded,
                rx.cond(
                    AnnouncementsState.forbidden,
                    rx.callout(
                        "Only admins can write announcements.",
                        icon="shield_alert",
                        color_scheme="amber",
                        id="announcements-forbidden",
                    ),
                    rx.vstack(
                        announcement_form(),
                        rx.heading("Sent", size="4", as_="h2"),
                        announcement_list(),
                        spacing="4",
                        width="100%",
                    ),
                ),
                rx.spinner(),
            ),
            spacing="4",
            width="100%",
        ),
    )
