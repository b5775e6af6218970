"""My webinars: starting-soon alerts, this week's grid, the agenda, the private calendar feed."""

from __future__ import annotations

import reflex as rx
from reflex.vars import Var

from webinar_app import routes
from webinar_app.components.layout import template
from webinar_app.components.webinars import empty_state, my_status_badge, status_badge, thumbnail
from webinar_app.state.auth import AuthState
from webinar_app.state.my_webinars import DayColumn, MyWebinarsState
from webinar_app.state.webinar_views import ViewerState, WebinarCard


def soon_alerts() -> rx.Component:
    return rx.cond(
        MyWebinarsState.soon.length() > 0,  # type: ignore[attr-defined]
        rx.callout.root(
            rx.callout.icon(rx.icon("bell_ring")),
            rx.vstack(
                rx.text("Starting within 24 hours", weight="bold"),
                rx.foreach(
                    MyWebinarsState.soon,
                    lambda c: rx.hstack(
                        rx.link(c.title, href=c.href, weight="medium", high_contrast=True),
                        rx.text("·", color_scheme="gray"),
                        rx.moment(c.start_iso, from_now=True, interval=30_000),
                        spacing="2",
                        wrap="wrap",
                    ),
                ),
                spacing="1",
            ),
            color_scheme="amber",
            high_contrast=True,  # amber-11 on amber-3 is 4.2:1; the alert must be readable
            width="100%",
            id="soon-alert",
            role="status",
        ),
    )


def week_item(card: Var[WebinarCard]) -> rx.Component:
    return rx.link(
        rx.box(
            rx.text(card.time_range, size="1", weight="bold"),
            rx.text(card.title, size="1", class_name="line-clamp-2"),
            padding="2",
            border_radius="6px",
            background_color=rx.cond(
                card.my_status == "waitlisted", rx.color("amber", 3), rx.color("indigo", 3)
            ),
            border_left=f"3px solid {rx.color('indigo', 9)}",
            width="100%",
        ),
        href=card.href,
        underline="none",
        color="inherit",
        width="100%",
        class_name="week-item",
    )


def day_column(day: Var[DayColumn]) -> rx.Component:
    return rx.vstack(
        rx.vstack(
            rx.text(day.weekday, size="1", color_scheme="gray", weight="medium"),
            rx.text(day.label, size="2", weight=rx.cond(day.today, "bold", "regular")),  # type: ignore[arg-type]
            spacing="0",
            align="center",
            width="100%",
            padding_y="1",
            border_radius="6px",
            background_color=rx.cond(day.today, rx.color("indigo", 4), "transparent"),
        ),
        rx.foreach(day.sessions, week_item),
        spacing="2",
        min_height="8em",
        padding="2",
        border=f"1px solid {rx.color('gray', 5)}",
        border_radius="8px",
        width="100%",
        class_name="week-day",
        custom_attrs={"data-day": day.iso},
    )


def week_view() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.heading("Week", size="4", as_="h2"),
                rx.text(MyWebinarsState.week_label, color_scheme="gray", size="2", id="week-label"),
                rx.spacer(),
                rx.icon_button(
                    rx.icon("chevron_left"),
                    variant="soft",
                    on_click=MyWebinarsState.shift_week(-1),
                    aria_label="Previous week",
                    id="week-prev",
                ),
                rx.button("Today", variant="soft", on_click=MyWebinarsState.shift_week(0), id="week-today"),
                rx.icon_button(
                    rx.icon("chevron_right"),
                    variant="soft",
                    on_click=MyWebinarsState.shift_week(1),
                    aria_label="Next week",
                    id="week-next",
                ),
                width="100%",
                align="center",
                wrap="wrap",
            ),
            rx.grid(
                rx.foreach(MyWebinarsState.week, day_column),
                columns=rx.breakpoints(initial="1", sm="4", md="7"),
                spacing="2",
                width="100%",
                id="week-grid",
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


def agenda_row(card: Var[WebinarCard]) -> rx.Component:
    return rx.link(
        rx.card(
            rx.hstack(
                rx.box(
                    thumbnail(card, height="64px"),
                    width="96px",
                    flex_shrink="0",
                    border_radius="6px",
                    overflow="hidden",
                ),
                rx.vstack(
                    rx.hstack(
                        status_badge(card),
                        my_status_badge(card),
                        rx.cond(card.hosting, rx.badge("Hosting", color_scheme="violet")),
                        spacing="2",
                        wrap="wrap",
                    ),
                    rx.text(card.title, weight="bold", class_name="agenda-title"),
                    rx.text(card.when, " · ", card.organizer, size="2", color_scheme="gray"),
                    spacing="1",
                    align="start",
                ),
                spacing="4",
                align="center",
                width="100%",
            ),
            width="100%",
            class_name="agenda-row",
        ),
        href=card.href,
        underline="none",
        color="inherit",
        width="100%",
    )


def agenda() -> rx.Component:
    return rx.vstack(
        rx.heading("Coming up", size="5", as_="h2"),
        rx.cond(
            MyWebinarsState.upcoming.length() > 0,  # type: ignore[attr-defined]
            rx.vstack(
                rx.foreach(MyWebinarsState.upcoming, agenda_row),
                width="100%",
                spacing="2",
                id="agenda-upcoming",
            ),
            rx.text("Nothing scheduled.", color_scheme="gray"),
        ),
        rx.cond(
            MyWebinarsState.past.length() > 0,  # type: ignore[attr-defined]
            rx.vstack(
                rx.heading("Past", size="5", as_="h2", padding_top="3"),
                rx.vstack(
                    rx.foreach(MyWebinarsState.past, agenda_row), width="100%", spacing="2", id="agenda-past"
                ),
                width="100%",
            ),
        ),
        spacing="3",
        width="100%",
    )


def feed_card() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.icon("rss", size=18), rx.heading("Calendar feed", size="4", as_="h2"), align="center"
            ),
            rx.text(
                "Subscribe to this private link in Google Calendar, Outlook or Apple Calendar: "
                "your confirmed "
                "webinars appear there automatically. Keep it to yourself; regenerate it if it leaks.",
                size="2",
                color_scheme="gray",
            ),
            rx.hstack(
                rx.input(
                    value=MyWebinarsState.feed_url,
                    read_only=True,
                    width="100%",
                    id="feed-url",
                    aria_label="Calendar feed URL",
                ),
                rx.icon_button(
                    rx.icon("copy"),
                    variant="soft",
                    on_click=MyWebinarsState.copy_feed,
                    aria_label="Copy feed link",
                ),
                width="100%",
            ),
            rx.alert_dialog.root(
                rx.alert_dialog.trigger(
                    rx.button(
                        rx.icon("refresh_cw", size=14),
                        "Regenerate link",
                        variant="soft",
                        color_scheme="gray",
                        id="feed-regenerate",
                    ),
                ),
                rx.alert_dialog.content(
                    rx.alert_dialog.title("Regenerate the calendar link?"),
                    rx.alert_dialog.description(
                        "Calendars subscribed to the current link stop updating "
                        "until you subscribe to the new one."
                    ),
                    rx.hstack(
                        rx.alert_dialog.cancel(
                            rx.button("Keep current", variant="soft", color_scheme="gray")
                        ),
                        rx.alert_dialog.action(
                            rx.button(
                                "Regenerate",
                                on_click=MyWebinarsState.regenerate_feed,
                                id="feed-regenerate-confirm",
                            )
                        ),
                        spacing="3",
                        justify="end",
                        margin_top="4",
                    ),
                ),
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


@rx.page(
    route=routes.MY_WEBINARS,
    title="My webinars · Webinars",
    on_load=[AuthState.sync_session, MyWebinarsState.load],
)
def my_webinars_page() -> rx.Component:
    return template(
        rx.cond(
            MyWebinarsState.loaded & AuthState.signed_in,
            rx.vstack(
                rx.hstack(
                    rx.heading("My webinars", size="8", as_="h1"),
                    rx.spacer(),
                    rx.text("Times in ", ViewerState.timezone_label, size="1", color_scheme="gray"),
                    width="100%",
                    align="end",
                ),
                soon_alerts(),
                rx.cond(
                    MyWebinarsState.empty,
                    empty_state(
                        "calendar_heart",
                        "No webinars yet",
                        "Register for a webinar and it shows up here, with reminders.",
                        rx.link(rx.button("Browse webinars"), href=routes.WEBINARS),
                        box_id="my-webinars-empty",
                    ),
                    rx.fragment(week_view(), agenda()),
                ),
                feed_card(),
                spacing="5",
                width="100%",
            ),
            rx.center(rx.spinner(size="3"), padding="9"),
        )
    )
