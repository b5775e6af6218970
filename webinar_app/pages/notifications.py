"""All of my notifications, newest first, with mark read / mark all read."""

from __future__ import annotations

import reflex as rx

from webinar_app import routes
from webinar_app.components.layout import template
from webinar_app.state.auth import AuthState
from webinar_app.state.notifications import NotificationItem, NotificationState


def _row(item: NotificationItem) -> rx.Component:
    return rx.card(
        rx.hstack(
            rx.vstack(
                rx.hstack(
                    rx.badge(item.kind_label, variant="soft"),
                    rx.cond(~item.is_read, rx.badge("new", color_scheme="red")),
                    rx.moment(item.created_at, from_now=True, size="1", color_scheme="gray"),
                    spacing="2",
                    align="center",
                ),
                rx.text(item.title, weight="bold"),
                rx.text(item.content, size="2", color_scheme="gray"),
                rx.cond(
                    item.webinar_id > 0,
                    rx.link(
                        "Open webinar", href=routes.WEBINAR_PREFIX + item.webinar_id.to_string(), size="2"
                    ),
                ),
                spacing="1",
                align="start",
            ),
            rx.spacer(),
            rx.cond(
                ~item.is_read,
                rx.button(
                    "Mark read", size="1", variant="soft", on_click=NotificationState.mark_read(item.id)
                ),
            ),
            width="100%",
            align="start",
        ),
        width="100%",
        class_name="notification-row",
    )


@rx.page(
    route=routes.NOTIFICATIONS,
    title="Notifications",
    on_load=[AuthState.sync_session, NotificationState.load_page],
)
def notifications_page() -> rx.Component:
    return template(
        rx.vstack(
            rx.hstack(
                rx.heading("Notifications", size="7"),
                rx.spacer(),
                rx.button(
                    "Mark all read",
                    on_click=NotificationState.mark_all_read,
                    variant="soft",
                    id="mark-all-read",
                ),
                width="100%",
                align="center",
            ),
            rx.cond(
                NotificationState.loaded,
                rx.cond(
                    NotificationState.items.length() > 0,  # type: ignore[attr-defined]
                    rx.vstack(rx.foreach(NotificationState.items, _row), width="100%", spacing="3"),
                    rx.center(
                        rx.vstack(
                            rx.icon("bell_off", size=32, color=rx.color("gray", 9)),
                            rx.text("No notifications yet.", color_scheme="gray"),
                            align="center",
                        ),
                        padding="8",
                        width="100%",
                    ),
                ),
                rx.center(rx.spinner(size="3"), padding="8", width="100%"),
            ),
            width="100%",
            spacing="4",
        )
    )
