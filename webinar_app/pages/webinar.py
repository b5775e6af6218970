"""A webinar's page: what, when (in the viewer's zone, with a live countdown), who, seats,
register / unregister / waitlist, add to calendar, share."""

from __future__ import annotations

import reflex as rx

from webinar_app import routes
from webinar_app.components.layout import template
from webinar_app.components.recordings import webinar_recordings_section
from webinar_app.components.webinars import meta_line, my_status_badge, status_badge, thumbnail
from webinar_app.state.auth import AuthState
from webinar_app.state.recordings import WebinarRecordingsState
from webinar_app.state.webinar import WebinarState
from webinar_app.state.webinar_views import ViewerState

CARD = WebinarState.card
DETAIL = WebinarState.detail


def countdown() -> rx.Component:
    """Updated in the browser every second by react-moment: no server traffic."""
    return rx.cond(
        CARD.status == "upcoming",
        rx.hstack(
            rx.icon("timer", size=16),
            rx.text("Starts ", size="3"),
            rx.moment(CARD.start_iso, from_now=True, interval=1000, id="webinar-countdown", weight="bold"),
            spacing="1",
            align="center",
            color=rx.color("indigo", 11),
        ),
        rx.cond(
            CARD.status == "live",
            rx.badge(rx.icon("radio", size=14), "Happening now", color_scheme="green", size="3"),
        ),
    )


def join_live_button() -> rx.Component:
    """For registrants and hosts while the session runs (or the clock says live)."""
    return rx.cond(
        DETAIL.live_now & (WebinarState.is_registered | DETAIL.is_host),
        rx.link(
            # high contrast: white on solid red-9 is 3.9:1, under the 4.5:1 this text needs
            rx.button(
                rx.icon("radio", size=16),
                "Join live",
                size="3",
                color_scheme="red",
                high_contrast=True,
                width="100%",
            ),
            href=routes.LIVE_PREFIX + CARD.id.to_string(),  # type: ignore[attr-defined]
            id="join-live",
            width="100%",
        ),
    )


def registration_box() -> rx.Component:
    # The handler sends a signed-out visitor to log in and back to this very page.
    signed_out = rx.button(
        rx.icon("log_in", size=16),
        "Log in to register",
        size="3",
        width="100%",
        on_click=WebinarState.register,
        id="login-to-register",
    )
    actions = rx.cond(
        WebinarState.is_registered,
        rx.vstack(
            rx.callout("You're registered.", icon="circle_check", color_scheme="green", width="100%"),
            rx.button(
                "Cancel my registration",
                variant="soft",
                color_scheme="red",
                on_click=WebinarState.unregister,
                loading=WebinarState.busy,
                width="100%",
                id="unregister-button",
            ),
            width="100%",
        ),
        rx.cond(
            WebinarState.is_waitlisted,
            rx.vstack(
                rx.callout(
                    "You're on the waitlist. We'll notify you if a seat frees up.",
                    icon="hourglass",
                    color_scheme="amber",
                    width="100%",
                ),
                rx.button(
                    "Leave the waitlist",
                    variant="soft",
                    color_scheme="gray",
                    on_click=WebinarState.unregister,
                    loading=WebinarState.busy,
                    width="100%",
                    id="unregister-button",
                ),
                width="100%",
            ),
            rx.cond(
                DETAIL.can_register,
                rx.cond(
                    AuthState.signed_in,
                    rx.button(
                        rx.cond(CARD.full, "Join the waitlist", "Register"),
                        size="3",
                        width="100%",
                        on_click=WebinarState.register,
                        loading=WebinarState.busy,
                        id="register-button",
                    ),
                    signed_out,
                ),
                rx.callout(
                    DETAIL.closed_reason, icon="ban", color_scheme="gray", width="100%", id="closed-reason"
                ),
            ),
        ),
    )
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.text(CARD.price, size="6", weight="bold", id="webinar-price"),
                rx.spacer(),
                my_status_badge(CARD),
                width="100%",
                align="center",
            ),
            meta_line("armchair", rx.text.span(CARD.seats, id="webinar-seats")),
            meta_line("users", rx.text.span(DETAIL.registered.to_string(), " registered")),  # type: ignore[attr-defined]
            actions,
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


def calendar_box() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.text("Add to calendar", weight="bold", size="2"),
            rx.flex(
                rx.link(
                    rx.button(rx.icon("calendar_plus", size=16), ".ics file", variant="soft"),
                    href=DETAIL.ics_url,
                    id="ics-link",
                    download=True,
                ),
                rx.link(
                    rx.button("Google", variant="soft", color_scheme="gray"),
                    href=DETAIL.google_url,
                    is_external=True,
                    id="google-link",
                ),
                rx.link(
                    rx.button("Outlook", variant="soft", color_scheme="gray"),
                    href=DETAIL.outlook_url,
                    is_external=True,
                    id="outlook-link",
                ),
                spacing="2",
                wrap="wrap",
            ),
            rx.separator(),
            rx.button(
                rx.icon("share_2", size=16),
                "Copy share link",
                variant="outline",
                width="100%",
                on_click=WebinarState.copy_link,
                id="share-button",
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


def details() -> rx.Component:
    return rx.vstack(
        rx.cond(
            CARD.status == "cancelled",
            rx.callout(
                "This webinar has been cancelled. Registration is closed.",
                icon="circle_x",
                color_scheme="red",
                size="2",
                width="100%",
                id="cancelled-banner",
            ),
        ),
        rx.box(thumbnail(CARD, height="280px"), width="100%", border_radius="12px", overflow="hidden"),
        rx.hstack(
            status_badge(CARD, id="webinar-status"),
            rx.cond(CARD.category != "", rx.badge(CARD.category, variant="outline", color_scheme="gray")),
            rx.foreach(DETAIL.tags, lambda t: rx.badge("#", t, variant="soft", color_scheme="gray")),
            spacing="2",
            wrap="wrap",
        ),
        rx.heading(CARD.title, size="8", as_="h1", id="webinar-title"),
        rx.flex(
            meta_line("calendar", rx.text.span(CARD.when, id="webinar-when")),
            meta_line("clock", rx.text.span(CARD.time_range, " · ", DETAIL.duration.to_string(), " min")),  # type: ignore[attr-defined]
            meta_line(
                "user", rx.text.span("Hosted by ", rx.text.strong(CARD.organizer), id="webinar-organizer")
            ),
            spacing="4",
            wrap="wrap",
        ),
        countdown(),
        rx.text(
            "Times in ",
            ViewerState.timezone_label,
            size="1",
            color_scheme="gray",
        ),
        rx.separator(),
        rx.heading("About this webinar", size="5", as_="h2"),
        rx.cond(
            DETAIL.description != "",
            rx.text(DETAIL.description, white_space="pre-wrap", size="3", id="webinar-description"),
            rx.text("No description yet.", color_scheme="gray"),
        ),
        webinar_recordings_section(),
        spacing="4",
        width="100%",
        align="start",
    )


@rx.page(
    route=routes.WEBINAR,
    title="Webinar · Webinars",
    on_load=[AuthState.sync_session, WebinarState.load, WebinarRecordingsState.load],
)
def webinar_page() -> rx.Component:
    return template(
        rx.link(
            rx.hstack(rx.icon("arrow_left", size=16), "All webinars", spacing="1", align="center"),
            href=routes.WEBINARS,
            size="2",
            margin_bottom="4",
            display="inline-block",
        ),
        rx.cond(
            WebinarState.loaded,
            rx.cond(
                WebinarState.not_found,
                rx.callout(
                    "This webinar does not exist (any more).",
                    icon="search_x",
                    color_scheme="gray",
                    id="webinar-not-found",
                ),
                rx.grid(
                    details(),
                    rx.vstack(
                        join_live_button(),
                        registration_box(),
                        calendar_box(),
                        spacing="4",
                        width="100%",
                        position="sticky",
                        top="80px",
                    ),
                    columns=rx.breakpoints(initial="1", md="3fr 1.3fr"),  # type: ignore[arg-type]
                    spacing="6",
                    width="100%",
                    align_items="start",
                ),
            ),
            rx.center(rx.spinner(size="3"), padding="9"),
        ),
    )
