"""Under the player: the reaction buttons, the bursts everyone's reactions make, raised hands.

A burst ("👏 ×12", one a second per emoji at most) fades out by itself in CSS: each has
its own React key, so a new one starts its own animation and old ones stay faded.
"""

from __future__ import annotations

import reflex as rx

from webinar_app.state.engagement_reactions import EMOJI, Burst, HandItem, HandsState, ReactionsState

LABELS = {
    "thumbs_up": "Thumbs up",
    "heart": "Love it",
    "clap": "Applause",
    "laugh": "Funny",
    "wow": "Wow",
    "party": "Celebrate",
}
FADE_CSS = (
    "@keyframes reaction-burst {"
    " 0% {opacity: 0; transform: translateY(6px) scale(0.9);}"
    " 15% {opacity: 1; transform: translateY(0) scale(1.1);}"
    " 70% {opacity: 1; transform: translateY(-4px) scale(1);}"
    " 100% {opacity: 0; transform: translateY(-14px);} }"
)


def _burst(b: Burst) -> rx.Component:
    return rx.badge(
        rx.text(b.emoji, size="3"),
        rx.text("×", b.count, size="2", weight="bold"),
        key=b.key,
        variant="surface",
        radius="full",
        size="2",
        class_name="reaction-burst",
        custom_attrs={"data-reaction": b.name, "data-count": b.count},
        style={"animation": "reaction-burst 4s ease-out forwards"},
    )


def reactions_bar() -> rx.Component:
    return rx.hstack(
        rx.el.style(FADE_CSS),
        *[
            rx.tooltip(
                rx.button(
                    emoji,
                    size="2",
                    variant="soft",
                    color_scheme="gray",
                    on_click=ReactionsState.react(name),
                    id=f"react-{name}",
                    class_name="reaction-button",
                    aria_label=LABELS.get(name, name),
                ),
                content=LABELS.get(name, name),
            )
            for name, emoji in EMOJI.items()
        ],
        rx.hstack(
            rx.foreach(ReactionsState.bursts, _burst),
            spacing="2",
            id="reaction-bursts",
            aria_live="polite",
            min_height="32px",
            align="center",
            wrap="wrap",
        ),
        spacing="2",
        align="center",
        wrap="wrap",
        id="reactions-bar",
    )


def _hand_row(h: HandItem) -> rx.Component:
    return rx.hstack(
        rx.icon("hand", size=14),
        rx.text(h.name, size="2", weight="bold"),
        rx.text("@", h.username, size="1", color_scheme="gray"),
        rx.spacer(),
        rx.moment(h.raised_at, from_now=True, size="1", color_scheme="gray"),
        rx.button(
            "Lower",
            size="1",
            variant="soft",
            on_click=HandsState.clear_hand(h.user_id),
            class_name="hand-clear",
        ),
        align="center",
        width="100%",
        class_name="hand-item",
        custom_attrs={"data-user-id": h.user_id},
    )


def hosts_hands() -> rx.Component:
    return rx.popover.root(
        rx.popover.trigger(
            rx.button(
                rx.icon("hand", size=14),
                "Hands (",
                HandsState.queue_count,
                ")",
                size="2",
                variant=rx.cond(HandsState.queue_count > 0, "solid", "soft"),
                color_scheme=rx.cond(HandsState.queue_count > 0, "amber", "gray"),
                id="hands-button",
            ),
        ),
        rx.popover.content(
            rx.vstack(
                rx.hstack(
                    rx.text("Raised hands", weight="bold", size="2"),
                    rx.spacer(),
                    rx.button(
                        "Clear all",
                        size="1",
                        variant="ghost",
                        color_scheme="red",
                        disabled=HandsState.queue_count == 0,
                        on_click=HandsState.clear_all,
                        id="hands-clear-all",
                    ),
                    width="100%",
                    align="center",
                ),
                rx.cond(
                    HandsState.queue_count > 0,
                    rx.vstack(rx.foreach(HandsState.queue, _hand_row), spacing="2", width="100%"),
                    rx.text("No hands raised.", size="2", color_scheme="gray", id="hands-empty"),
                ),
                spacing="3",
                width="100%",
                id="hands-queue",
            ),
            width="320px",
        ),
    )


def hand_control() -> rx.Component:
    """Hosts see the queue; everyone else raises or lowers their own hand."""
    return rx.cond(
        HandsState.allowed,
        rx.cond(
            HandsState.is_host,
            hosts_hands(),
            rx.button(
                rx.icon("hand", size=14),
                rx.cond(HandsState.raised, "Lower hand", "Raise hand"),
                size="2",
                variant=rx.cond(HandsState.raised, "solid", "soft"),
                color_scheme=rx.cond(HandsState.raised, "amber", "gray"),
                loading=HandsState.busy,
                on_click=HandsState.toggle_hand,
                id="hand-toggle",
                custom_attrs={"data-raised": rx.cond(HandsState.raised, "true", "false")},
            ),
        ),
    )


def engagement_bar() -> rx.Component:
    return rx.flex(
        reactions_bar(),
        rx.spacer(),
        hand_control(),
        width="100%",
        align="center",
        gap="3",
        wrap="wrap",
    )
