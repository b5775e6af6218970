"""The landing page: a hero with a call to action; the webinar list arrives in a later issue."""

from __future__ import annotations

import reflex as rx

from webinar_app import routes
from webinar_app.components.layout import template
from webinar_app.state.auth import AuthState


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
    return rx.vstack(
        rx.heading("Upcoming webinars", size="6", as_="h2"),
        rx.card(
            rx.vstack(
                rx.icon("calendar_x", size=40, color=rx.color("gray", 9)),
                rx.heading("No webinars yet", size="4", as_="h3"),
                rx.text("New sessions are announced here. Check back soon!", color_scheme="gray"),
                align="center",
                spacing="3",
                padding="6",
            ),
            width="100%",
            id="webinars-empty",
        ),
        spacing="4",
        width="100%",
    )


@rx.page(route=routes.HOME, title="Webinars", on_load=AuthState.sync_session)
def index() -> rx.Component:
    return template(hero(), upcoming_webinars())
