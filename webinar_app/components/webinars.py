"""Webinar pieces shared by the catalog, home, My webinars and admin pages."""

from __future__ import annotations

import reflex as rx
from reflex.vars import Var

from webinar_app.state.webinar_views import WebinarCard


def status_badge(card: WebinarCard | Var[WebinarCard], **props: object) -> rx.Component:
    return rx.badge(
        rx.cond(card.status == "live", rx.icon("radio", size=12)),
        card.status,
        color_scheme=card.status_color,  # type: ignore[arg-type]
        variant=rx.cond(card.status == "live", "solid", "soft"),
        text_transform="capitalize",
        class_name="webinar-status",
        **props,
    )


def my_status_badge(card: WebinarCard | Var[WebinarCard]) -> rx.Component:
    """ "Registered" / "Waitlisted" for the signed-in viewer (empty for everyone else)."""
    return rx.match(
        card.my_status,
        (
            "confirmed",
            rx.badge(
                rx.icon("circle_check", size=12), "Registered", color_scheme="green", class_name="my-status"
            ),
        ),
        (
            "waitlisted",
            rx.badge(
                rx.icon("hourglass", size=12), "Waitlisted", color_scheme="amber", class_name="my-status"
            ),
        ),
        rx.fragment(),
    )


def thumbnail(card: WebinarCard | Var[WebinarCard], height: str = "160px") -> rx.Component:
    """The uploaded thumbnail, or a calm gradient placeholder with the category initial."""
    return rx.cond(
        card.thumbnail != "",
        rx.image(
            src=card.thumbnail,
            alt=card.title,
            width="100%",
            height=height,
            object_fit="cover",
            loading="lazy",
        ),
        rx.center(
            rx.icon("presentation", size=40, color="white", opacity="0.85"),
            width="100%",
            height=height,
            background=f"linear-gradient(135deg, {rx.color('indigo', 9)}, {rx.color('violet', 7)})",
            aria_hidden="true",
        ),
    )


def meta_line(icon: str, content: rx.Component | Var[str] | str) -> rx.Component:
    return rx.hstack(
        rx.icon(icon, size=14, color=rx.color("gray", 10), flex_shrink="0"),
        rx.text(content, size="2", color_scheme="gray"),
        spacing="2",
        align="center",
    )


def webinar_card(card: WebinarCard | Var[WebinarCard]) -> rx.Component:
    """A catalog card: the whole card is one link to the webinar page."""
    return rx.link(
        rx.card(
            rx.inset(thumbnail(card), side="top", pb="current"),
            rx.vstack(
                rx.hstack(
                    status_badge(card),
                    rx.cond(
                        card.category != "", rx.badge(card.category, variant="outline", color_scheme="gray")
                    ),
                    my_status_badge(card),
                    rx.spacer(),
                    rx.text(
                        card.price,
                        weight="bold",
                        size="2",
                        color_scheme=rx.cond(card.price == "Free", "green", "gray"),  # type: ignore[arg-type]
                        class_name="webinar-price",
                    ),
                    spacing="2",
                    width="100%",
                    wrap="wrap",
                    align="center",
                ),
                rx.heading(card.title, size="4", as_="h3", class_name="webinar-title", trim="start"),
                rx.text(card.summary, size="2", color_scheme="gray", class_name="line-clamp-2"),
                meta_line("calendar", card.when),
                meta_line("user", card.organizer),
                meta_line(
                    "armchair",
                    rx.text.span(
                        card.seats,
                        color=rx.cond(card.full, rx.color("amber", 11), rx.color("gray", 11)),
                        class_name="webinar-seats",
                    ),
                ),
                spacing="2",
                padding_top="3",
                align="start",
                width="100%",
            ),
            height="100%",
            class_name="webinar-card",
            _hover={"box_shadow": f"0 6px 20px {rx.color('gray', 6)}"},
            style={"transition": "box-shadow 150ms ease"},
        ),
        href=card.href,
        underline="none",
        color="inherit",
        # No aria-label: its name is the card's own text (title first), so a speech-input user
        # saying any visible word of the card reaches it (axe: label-content-name-mismatch).
        height="100%",
        display="block",
    )


def card_grid(items: Var[list[WebinarCard]], grid_id: str) -> rx.Component:
    return rx.grid(
        rx.foreach(items, webinar_card),
        columns=rx.breakpoints(initial="1", sm="2", lg="3"),
        spacing="5",
        width="100%",
        id=grid_id,
    )


def skeleton_grid(count: int = 3) -> rx.Component:
    """Placeholder cards while the first page loads (no layout jump when it arrives)."""
    return rx.grid(
        *[
            rx.card(
                rx.vstack(
                    rx.skeleton(height="140px", width="100%"),
                    rx.skeleton(height="18px", width="70%"),
                    rx.skeleton(height="14px", width="90%"),
                    rx.skeleton(height="14px", width="50%"),
                    spacing="3",
                ),
            )
            for _ in range(count)
        ],
        columns=rx.breakpoints(initial="1", sm="2", lg="3"),
        spacing="5",
        width="100%",
        aria_busy="true",
    )


def empty_state(icon: str, title: str, text: str, *actions: rx.Component, box_id: str = "") -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.icon(icon, size=40, color=rx.color("gray", 9)),
            rx.heading(title, size="4", as_="h3"),
            rx.text(text, color_scheme="gray", align="center"),
            *actions,
            align="center",
            spacing="3",
            padding="6",
        ),
        width="100%",
        **({"id": box_id} if box_id else {}),
    )
