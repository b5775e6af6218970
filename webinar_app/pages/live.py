"""The live room: the stream (when its link may be embedded), the attendee count, host
controls and the chat beside it (stacked under it on small screens)."""

from __future__ import annotations

import reflex as rx

from webinar_app import routes
from webinar_app.components.chat import chat_panel
from webinar_app.components.embed import embed_frame
from webinar_app.components.engagement_polls import polls_panel
from webinar_app.components.engagement_questions import questions_panel
from webinar_app.components.engagement_reactions import engagement_bar
from webinar_app.components.layout import template
from webinar_app.state.auth import AuthState
from webinar_app.state.chat import ChatState
from webinar_app.state.engagement_polls import PollsState
from webinar_app.state.engagement_questions import QuestionsState
from webinar_app.state.engagement_reactions import HandsState, ReactionsState
from webinar_app.state.live import LiveState

IFRAME_ALLOW = (
    "autoplay; fullscreen; picture-in-picture; camera; microphone; display-capture; encrypted-media"
)
# The framed page runs as its own origin; it may not navigate our page away.
IFRAME_SANDBOX = "allow-scripts allow-same-origin allow-forms allow-popups allow-presentation"


def live_badge() -> rx.Component:
    return rx.cond(
        LiveState.is_live,
        rx.badge(
            rx.icon("radio", size=14),
            "LIVE",
            color_scheme="red",
            variant="solid",
            high_contrast=True,  # white on red-9 is 3.9:1; small text needs 4.5:1
            size="2",
            id="live-badge",
        ),
        rx.badge("Not live", color_scheme="gray", size="2", id="live-badge"),
    )


def host_controls() -> rx.Component:
    return rx.cond(
        LiveState.is_host,
        rx.cond(
            LiveState.is_live,
            rx.button(
                rx.icon("square", size=14),
                "End live",
                color_scheme="red",
                variant="soft",
                high_contrast=True,  # red-11 on red-3 is just under 4.5:1
                on_click=LiveState.end_live,
                loading=LiveState.busy,
                id="end-live",
            ),
            rx.button(
                rx.icon("radio", size=14),
                "Start live",
                color_scheme="red",
                high_contrast=True,  # white on red-9 is 3.9:1
                on_click=LiveState.start_live,
                loading=LiveState.busy,
                id="start-live",
            ),
        ),
    )


def player() -> rx.Component:
    return rx.cond(
        LiveState.embed_src != "",
        embed_frame(
            LiveState.embed_src, LiveState.title, "live-player", allow=IFRAME_ALLOW, sandbox=IFRAME_SANDBOX
        ),
        rx.center(
            rx.callout(LiveState.stream_note, icon="video_off", color_scheme="gray", id="stream-note"),
            width="100%",
            aspect_ratio="16 / 9",
            border_radius="12px",
            background_color=rx.color("gray", 3),
            padding="4",
        ),
    )


def header() -> rx.Component:
    return rx.flex(
        rx.vstack(
            rx.hstack(
                live_badge(),
                rx.text("Hosted by ", rx.text.strong(LiveState.organizer), size="2"),
                align="center",
                spacing="3",
            ),
            rx.heading(LiveState.title, size="7", as_="h1", id="live-title"),
            spacing="2",
            align="start",
        ),
        rx.spacer(),
        rx.hstack(
            rx.hstack(
                rx.icon("users", size=18),
                rx.text(LiveState.attendee_count, weight="bold", id="attendee-count"),
                rx.text("watching", size="2", color_scheme="gray"),
                align="center",
                spacing="1",
                aria_label="Attendees in the room",
            ),
            host_controls(),
            align="center",
            spacing="4",
        ),
        direction=rx.breakpoints(initial="column", sm="row"),  # type: ignore[arg-type]
        gap="3",
        width="100%",
        align=rx.breakpoints(initial="start", sm="end"),  # type: ignore[arg-type]
    )


def _tab(label: str, value: str, icon: str, count: rx.Var[int] | None = None) -> rx.Component:
    badge = rx.fragment() if count is None else rx.cond(count > 0, rx.badge(count, size="1", variant="soft"))
    return rx.tabs.trigger(
        rx.hstack(
            rx.icon(icon, size=14),
            label,
            badge,
            align="center",
            spacing="1",
        ),
        value=value,
        id=f"tab-{value}",
    )


def side_panel() -> rx.Component:
    """Chat, Q&A and polls beside the player, one tab each (the chat first, as before)."""
    return rx.tabs.root(
        rx.tabs.list(
            _tab("Chat", "chat", "messages_square"),
            _tab("Questions", "questions", "message_circle_question", QuestionsState.question_count),
            _tab("Polls", "polls", "chart_bar", PollsState.open_count),
            size="2",
        ),
        rx.tabs.content(chat_panel(), value="chat", padding_top="3"),
        rx.tabs.content(rx.card(questions_panel(), width="100%"), value="questions", padding_top="3"),
        rx.tabs.content(polls_panel(), value="polls", padding_top="3"),
        default_value="chat",
        width="100%",
        id="room-tabs",
    )


def room() -> rx.Component:
    return rx.vstack(
        header(),
        # The session went live while this page was open: join it (marks attendance).
        rx.cond(LiveState.is_live & ~LiveState.joined, rx.box(on_mount=LiveState.join_live)),
        rx.grid(
            rx.vstack(
                player(),
                engagement_bar(),
                rx.link(
                    rx.hstack(rx.icon("info", size=14), "About this webinar", spacing="1", align="center"),
                    href=routes.WEBINAR_PREFIX + LiveState.webinar_id.to_string(),  # type: ignore[attr-defined]
                    size="2",
                ),
                width="100%",
                spacing="2",
            ),
            side_panel(),
            columns=rx.breakpoints(initial="1", lg="2fr 1fr"),  # type: ignore[arg-type]
            spacing="5",
            width="100%",
            align_items="start",
        ),
        spacing="5",
        width="100%",
    )


@rx.page(
    route=routes.LIVE,
    title="Live · Webinars",
    on_load=[
        AuthState.sync_session,
        LiveState.load,
        ChatState.open_room,
        QuestionsState.open_questions,
        PollsState.open_polls,
        ReactionsState.open_reactions,
        HandsState.open_hands,
    ],
)
def live_page() -> rx.Component:
    return template(
        rx.box(
            rx.cond(
                LiveState.loaded,
                rx.cond(
                    LiveState.not_found,
                    rx.callout(
                        "This webinar does not exist (any more).",
                        icon="search_x",
                        color_scheme="gray",
                        id="live-not-found",
                    ),
                    rx.cond(
                        LiveState.error != "",
                        rx.vstack(
                            rx.callout(LiveState.error, icon="lock", color_scheme="amber", id="live-refused"),
                            rx.link(
                                "Go to the webinar page",
                                href=routes.WEBINAR_PREFIX + LiveState.webinar_id.to_string(),
                            ),  # type: ignore[attr-defined]
                        ),
                        room(),
                    ),
                ),
                rx.center(rx.spinner(size="3"), padding="9"),
            ),
            on_mount=LiveState.mounted,
            on_unmount=LiveState.unmounted,
            width="100%",
        ),
    )
