"""Admin dashboard: the numbers as cards and charts (Reflex recharts)."""

from __future__ import annotations

import reflex as rx

from webinar_app import routes
from webinar_app.components.admin_nav import admin_nav
from webinar_app.components.layout import template
from webinar_app.pages.admin import not_allowed
from webinar_app.state.admin_dashboard import AdminDashboardState as S


def stat(label: str, value: rx.Var, ident: str) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.text(label, size="2", color_scheme="gray"),
            rx.heading(value, size="6", id=ident),
            spacing="1",
        ),
        min_width="10em",
    )


def chart_card(title: str, chart: rx.Component) -> rx.Component:
    return rx.card(rx.vstack(rx.heading(title, size="4", as_="h2"), chart, width="100%"), width="100%")


def per_day_chart(data: rx.Var, color: str) -> rx.Component:
    return rx.recharts.bar_chart(
        rx.recharts.cartesian_grid(stroke_dasharray="3 3"),
        rx.recharts.x_axis(data_key="day"),
        rx.recharts.y_axis(allow_decimals=False),
        rx.recharts.graphing_tooltip(),
        rx.recharts.bar(data_key="count", fill=color, name="count"),
        data=data,
        width="100%",
        height=240,
    )


def funnel_chart() -> rx.Component:
    return rx.recharts.bar_chart(
        rx.recharts.cartesian_grid(stroke_dasharray="3 3"),
        rx.recharts.x_axis(data_key="title"),
        rx.recharts.y_axis(allow_decimals=False),
        rx.recharts.graphing_tooltip(),
        rx.recharts.legend(),
        rx.recharts.bar(data_key="registered", fill="var(--indigo-9)", name="Registered"),
        rx.recharts.bar(data_key="attended", fill="var(--green-9)", name="Attended"),
        rx.recharts.bar(data_key="watched", fill="var(--amber-9)", name="Watched replay"),
        data=S.funnel,
        width="100%",
        height=300,
    )


def top_table() -> rx.Component:
    return rx.table.root(
        rx.table.header(
            rx.table.row(
                *(rx.table.column_header_cell(h) for h in ("Webinar", "Registered", "Attended", "Replay"))
            )
        ),
        rx.table.body(
            rx.foreach(
                S.funnel,
                lambda f: rx.table.row(
                    rx.table.cell(f["title"]),
                    rx.table.cell(f["registered"]),
                    rx.table.cell(f["attended"]),
                    rx.table.cell(f["watched"]),
                ),
            )
        ),
        width="100%",
        id="dashboard-top-webinars",
    )


def dashboard() -> rx.Component:
    return rx.vstack(
        rx.flex(
            stat("Users", S.users, "dash-users"),
            stat("Active users", S.active_users, "dash-active-users"),
            stat("Registrations", S.registrations, "dash-registrations"),
            stat("Waitlisted", S.waitlisted, "dash-waitlisted"),
            stat("Attendance rate", S.attendance_percent, "dash-attendance"),
            stat("Upcoming", S.by_status["upcoming"], "dash-upcoming"),
            stat("Live", S.by_status["live"], "dash-live"),
            stat("Completed", S.by_status["completed"], "dash-completed"),
            stat("Cancelled", S.by_status["cancelled"], "dash-cancelled"),
            gap="3",
            wrap="wrap",
        ),
        rx.heading("Live-room engagement", size="4", as_="h2"),
        rx.flex(
            stat("Questions asked", S.engagement["questions"], "dash-questions"),
            stat("Questions answered", S.engagement["questions_answered"], "dash-answered"),
            stat("Polls", S.engagement["polls"], "dash-polls"),
            stat("Poll votes", S.engagement["poll_votes"], "dash-poll-votes"),
            stat("Reactions", S.engagement["reactions"], "dash-reactions"),
            gap="3",
            wrap="wrap",
        ),
        chart_card(
            "Registrations per day (30 days)", per_day_chart(S.registrations_per_day, "var(--indigo-9)")
        ),
        chart_card("Funnel of the top webinars: registered → attended → watched the replay", funnel_chart()),
        chart_card("Top webinars", top_table()),
        chart_card("Chat messages per day (30 days)", per_day_chart(S.chat_per_day, "var(--teal-9)")),
        spacing="4",
        width="100%",
    )


@rx.page(route=routes.ADMIN_DASHBOARD, title="Dashboard · Admin", on_load=S.load)
def admin_dashboard_page() -> rx.Component:
    return template(
        rx.heading("Dashboard", size="7", as_="h1", margin_bottom="4"),
        admin_nav(),
        rx.cond(
            S.loaded,
            rx.cond(S.allowed, dashboard(), not_allowed()),
            rx.center(rx.spinner(size="3"), padding="9"),
        ),
    )
