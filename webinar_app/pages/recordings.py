"""The recordings library (search, filter by webinar, "from my webinars", admin add) and
one recording's page (player, duration, its webinar)."""

from __future__ import annotations

import reflex as rx

from webinar_app import routes
from webinar_app.components.layout import template
from webinar_app.components.recordings import admin_form, player, recording_card
from webinar_app.state.auth import AuthState
from webinar_app.state.recordings import (
    ALL,
    MINE,
    RecordingAdminState,
    RecordingLibraryState,
    RecordingPlayerState,
)

S = RecordingLibraryState


def filters() -> rx.Component:
    return rx.flex(
        rx.input(
            rx.input.slot(rx.icon("search", size=16)),
            placeholder="Search recordings",
            default_value=S.search,
            on_change=S.set_search.debounce(300),  # type: ignore[attr-defined]
            id="recordings-search",
            width="100%",
            max_width="360px",
        ),
        rx.select.root(
            rx.select.trigger(
                placeholder="All webinars", id="recordings-webinar-filter", aria_label="Webinar"
            ),
            rx.select.content(
                rx.select.item("All webinars", value=ALL),
                rx.foreach(S.webinar_choices, lambda c: rx.select.item(c.label, value=c.value)),
            ),
            value=S.webinar_filter,
            on_change=S.set_webinar_filter,
        ),
        rx.cond(
            AuthState.signed_in,
            rx.segmented_control.root(
                rx.segmented_control.item("All I can watch", value=ALL),
                rx.segmented_control.item("From my webinars", value=MINE),
                value=S.view,
                on_change=S.set_view,
                id="recordings-view",
            ),
        ),
        spacing="3",
        wrap="wrap",
        align="center",
        width="100%",
    )


@rx.page(
    route=routes.RECORDINGS,
    title="Recordings · Webinars",
    on_load=[AuthState.sync_session, RecordingLibraryState.load, RecordingAdminState.load],
)
def recordings_page() -> rx.Component:
    return template(
        rx.vstack(
            rx.heading("Recordings", size="8", as_="h1"),
            rx.text("Replays of past webinars.", color_scheme="gray"),
            admin_form(),
            filters(),
            rx.cond(
                S.loaded,
                rx.cond(
                    S.items.length() > 0,  # type: ignore[attr-defined]
                    rx.vstack(
                        rx.foreach(S.items, recording_card), spacing="3", width="100%", id="recordings-list"
                    ),
                    rx.callout(
                        rx.cond(
                            S.view == MINE,
                            "No recordings of your webinars yet.",
                            "No recordings match.",
                        ),
                        icon="film",
                        color_scheme="gray",
                        id="recordings-empty",
                    ),
                ),
                rx.center(rx.spinner(size="3"), padding="9"),
            ),
            spacing="5",
            width="100%",
        )
    )


@rx.page(
    route=routes.RECORDING,
    title="Recording · Webinars",
    on_load=[AuthState.sync_session, RecordingPlayerState.load],
)
def recording_page() -> rx.Component:
    rec = RecordingPlayerState.recording
    return template(
        rx.link(
            rx.hstack(rx.icon("arrow_left", size=16), "All recordings", spacing="1", align="center"),
            href=routes.RECORDINGS,
            size="2",
            margin_bottom="4",
            display="inline-block",
        ),
        rx.cond(
            RecordingPlayerState.loaded,
            rx.cond(
                RecordingPlayerState.not_found,
                rx.callout(
                    "This recording does not exist, or you may not watch it.",
                    icon="search_x",
                    color_scheme="gray",
                    id="recording-not-found",
                ),
                rx.vstack(
                    rx.heading(rec.title, size="7", as_="h1", id="recording-title"),
                    rx.hstack(
                        rx.link(rec.webinar_title, href=rec.webinar_href, id="recording-webinar"),
                        rx.cond(
                            rec.duration != "",
                            rx.badge(rx.icon("clock", size=12), rec.duration, id="recording-duration"),
                        ),
                        rx.cond(
                            rec.is_public,
                            rx.badge("Public", color_scheme="green", variant="soft", high_contrast=True),
                            rx.badge(
                                "Registrants only", color_scheme="amber", variant="soft", high_contrast=True
                            ),
                        ),
                        rx.text(rec.uploaded, size="1", color_scheme="gray"),
                        spacing="3",
                        align="center",
                        wrap="wrap",
                    ),
                    player(),
                    rx.cond(
                        rec.description != "",
                        rx.text(rec.description, white_space="pre-wrap", id="recording-description"),
                    ),
                    rx.cond(
                        RecordingPlayerState.stats != "",
                        rx.text(
                            RecordingPlayerState.stats, size="2", color_scheme="gray", id="recording-stats"
                        ),
                    ),
                    spacing="4",
                    width="100%",
                    align="start",
                ),
            ),
            rx.center(rx.spinner(size="3"), padding="9"),
        ),
    )
