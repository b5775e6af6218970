"""The landing page: a hero with a call to action and the next few upcoming webinars."""

from __future__ import annotations

import reflex as rx

from webinar_app import routes
from webinar_app.components.layout import template
from webinar_app.components.webinars import card_grid, empty_state, skeleton_grid
from webinar_app.state.auth import AuthState
from webinar_app.state.catalog import HomeHighlightsState


def hero() -> rx.Component:
    return rx.vstack(
        rx.badge("Live online sessions", size="2", radius="full", variant="soft"),
        rx.heading("Learn live, together.", size="9", as_="h1", align="center"),
        rx.text(
            "Join live webinars from experts, ask questions in the chat, and catch up on recordings.",
            size="5",
            color_scheme="gray",
            align="center",
            max_width="36em",
        ),
        rx.cond(
            AuthState.signed_in,
            rx.text(
                "Welcome back, ", rx.text.strong(AuthState.display_name), "!", size="4", id="home-welcome"
            ),
            rx.hstack(
                rx.link(rx.button("Create a free account", size="4", id="hero-signup"), href=routes.SIGNUP),
                rx.link(rx.button("Log in", size="4", variant="outline", id="hero-login"), href=routes.LOGIN),
                spacing="3",
                wrap="wrap",
                justify="center",
            ),
        ),
        align="center",
        spacing="5",
        padding_y="9",
        width="100%",
    )


def upcoming_webinars() -> rx.Component:
    """The next few sessions, or an inviting empty state."""
    return rx.vstack(
        rx.hstack(
            rx.heading("Upcoming webinars", size="6", as_="h2"),
            rx.spacer(),
            rx.link(
                rx.hstack(
                    rx.text("Browse all"), rx.icon("arrow_right", size=16), spacing="1", align="center"
                ),
                href=routes.WEBINARS,
                id="home-browse-all",
            ),
            width="100%",
            align="center",
        ),
        rx.cond(
            HomeHighlightsState.loaded,
            rx.cond(
                HomeHighlightsState.items.length() > 0,  # type: ignore[attr-defined]
                card_grid(HomeHighlightsState.items, "home-highlights"),
                empty_state(
                    "calendar_x",
                    "No webinars yet",
                    "New sessions are announced here. Check back soon!",
                    box_id="webinars-empty",
                ),
            ),
            skeleton_grid(),
        ),
        spacing="4",
        width="100%",
    )


@rx.page(route=routes.HOME, title="Webinars", on_load=[AuthState.sync_session, HomeHighlightsState.load])
def index() -> rx.Component:
    return template(hero(), upcoming_webinars())
