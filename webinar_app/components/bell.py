"""The notification bell (unread badge + recent list) and the live banner, for the navbar."""

from __future__ import annotations

import reflex as rx

from webinar_app import routes
from webinar_app.state.notifications import NotificationItem, NotificationState


def _recent_item(item: NotificationItem) -> rx.Component:
    return rx.menu.item(
        rx.vstack(
            rx.hstack(
                rx.cond(
                    ~item.is_read,
                    rx.box(
                        width="8px", height="8px", border_radius="50%", background_color=rx.color("indigo", 9)
                    ),
                ),
                rx.text(item.title, weight=rx.cond(item.is_read, "regular", "bold"), size="2", trim="both"),
                align="center",
                spacing="2",
            ),
            rx.text(item.content, size="1", color_scheme="gray", trim="both"),
            rx.moment(item.created_at, from_now=True, size="1", color_scheme="gray"),
            spacing="1",
            align="start",
            max_width="320px",
        ),
        on_click=NotificationState.mark_read(item.id),
        class_name="notification-item",
    )


def bell(suffix: str = "") -> rx.Component:
    """`suffix` keeps ids unique: the desktop and mobile navbars are both in the page."""
    return rx.menu.root(
        rx.menu.trigger(
            rx.button(
                rx.icon("bell", size=18),
                rx.cond(
                    NotificationState.unread_count > 0,
                    rx.badge(
                        NotificationState.badge,
                        color_scheme="red",
                        variant="solid",
                        high_contrast=True,  # white on red-9 is under 4.5:1 at this size
                        radius="full",
                        id=f"bell-badge{suffix}",
                    ),
                ),
                variant="ghost",
                id=f"bell{suffix}",
                # the visible count must be part of the name (axe: label-content-name-mismatch)
                aria_label=rx.cond(
                    NotificationState.unread_count > 0,
                    f"Notifications: {NotificationState.badge} unread",
                    "Notifications",
                ),
            ),
        ),
        rx.menu.content(
            rx.hstack(
                rx.text("Notifications", weight="bold", size="2"),
                rx.spacer(),
                rx.button(
                    "Mark all read",
                    size="1",
                    variant="soft",
                    on_click=NotificationState.mark_all_read,
                    id=f"bell-mark-all{suffix}",
                ),
                padding="2",
                align="center",
                width="100%",
            ),
            rx.menu.separator(),
            rx.cond(
                NotificationState.recent.length() > 0,  # type: ignore[attr-defined]
                rx.foreach(NotificationState.recent, _recent_item),
                rx.text("You're all caught up.", size="2", color_scheme="gray", padding="3"),
            ),
            rx.menu.separator(),
            rx.menu.item(
                "See all notifications",
                on_click=rx.redirect(routes.NOTIFICATIONS),
                id=f"bell-see-all{suffix}",
            ),
            min_width="320px",
        ),
    )


def live_banner() -> rx.Component:
    """Pushed to registrants wherever they are in the app when a webinar goes live."""
    return rx.cond(
        NotificationState.live_banner_webinar_id > 0,
        rx.callout.root(
            rx.callout.icon(rx.icon("radio")),
            rx.hstack(
                rx.callout.text(
                    rx.text.strong("Now live: "),
                    NotificationState.live_banner_title,
                ),
                rx.spacer(),
                rx.link(
                    rx.button("Join now", size="1", high_contrast=True),  # white on red-9 is 3.9:1
                    href=routes.LIVE_PREFIX + NotificationState.live_banner_webinar_id.to_string(),
                    id="live-banner-join",
                ),
                rx.button(
                    rx.icon("x", size=14),
                    size="1",
                    variant="ghost",
                    on_click=NotificationState.dismiss_banner,
                    aria_label="Dismiss",
                ),
                align="center",
                width="100%",
            ),
            color_scheme="red",
            id="live-banner",
            width="100%",
        ),
    )
