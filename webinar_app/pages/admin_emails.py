"""Admin email log: every mail with its recipient and status; failed ones can be retried."""

from __future__ import annotations

import reflex as rx

from webinar_app import routes
from webinar_app.components.admin_nav import admin_nav
from webinar_app.components.layout import template
from webinar_app.pages.admin import not_allowed
from webinar_app.state.admin_emails import AdminEmailsState as S
from webinar_app.state.admin_emails import EmailRow

STATUS_COLORS = {"sent": "green", "failed": "red", "pending": "amber", "sending": "blue", "expired": "gray"}


def status_badge(status: rx.Var[str]) -> rx.Component:
    return rx.match(
        status,
        *((name, rx.badge(name, color_scheme=color)) for name, color in STATUS_COLORS.items()),  # type: ignore[arg-type]
        rx.badge(status),
    )


def email_row(row: EmailRow) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.text(row.when, size="1", white_space="nowrap")),
        rx.table.cell(row.recipient),
        rx.table.cell(row.subject),
        rx.table.cell(row.kind),
        rx.table.cell(status_badge(row.status)),  # type: ignore[arg-type]
        rx.table.cell(row.attempts),
        rx.table.cell(rx.text(row.error, size="1", color_scheme="red", word_break="break-word")),
        rx.table.cell(
            rx.cond(
                row.failed,
                rx.button(
                    "Retry",
                    size="1",
                    variant="soft",
                    on_click=S.retry(row.id),
                    id="retry-" + row.id.to_string(),
                ),
                rx.fragment(),
            )
        ),
    )


def emails_table() -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.form(
                rx.hstack(
                    rx.input(
                        name="search",
                        placeholder="Recipient or subject",
                        aria_label="Search emails",
                        id="email-search",
                    ),
                    rx.button("Search", type="submit"),
                    spacing="2",
                ),
                on_submit=S.run_search,
            ),
            rx.select(
                S.status_choices,
                value=S.status,
                on_change=S.set_status_filter,
                aria_label="Status",
                id="email-status",
            ),
            rx.cond(S.failed > 0, rx.badge(S.failed, " failed", color_scheme="red", id="email-failed-count")),
            spacing="3",
            wrap="wrap",
            align="center",
        ),
        rx.cond(
            S.rows.length() > 0,
            rx.table.root(
                rx.table.header(
                    rx.table.row(
                        *(
                            rx.table.column_header_cell(h)
                            for h in ("When", "To", "Subject", "Kind", "Status", "Attempts", "Error", "")
                        )
                    )
                ),
                rx.table.body(rx.foreach(S.rows, email_row)),
                width="100%",
                id="email-log",
            ),
            rx.text("No emails match.", color_scheme="gray", id="email-log-empty"),
        ),
        rx.hstack(
            rx.button("Previous", size="1", variant="soft", disabled=S.page <= 1, on_click=S.prev_page),
            rx.text("Page ", S.page, " of ", S.pages, " · ", S.total, " emails", size="2"),
            rx.button("Next", size="1", variant="soft", disabled=S.page >= S.pages, on_click=S.next_page),
            spacing="3",
            align="center",
        ),
        spacing="4",
        width="100%",
    )


@rx.page(route=routes.ADMIN_EMAILS, title="Email log · Admin", on_load=S.load)
def admin_emails_page() -> rx.Component:
    return template(
        rx.heading("Email log", size="7", as_="h1", margin_bottom="4"),
        admin_nav(),
        rx.cond(
            S.loaded,
            rx.cond(S.allowed, emails_table(), not_allowed()),
            rx.center(rx.spinner(size="3"), padding="9"),
        ),
    )
