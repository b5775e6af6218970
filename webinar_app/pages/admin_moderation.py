"""/admin/moderation: recent chat across live webinars, mutes and bans, with undo."""

from __future__ import annotations

import reflex as rx

from webinar_app import routes
from webinar_app.components.admin_nav import admin_nav
from webinar_app.components.layout import template
from webinar_app.state.admin_moderation import AdminModerationState, ModMessage, ModRestriction
from webinar_app.state.auth import AuthState


def _message(m: ModMessage) -> rx.Component:
    return rx.table.row(
        rx.table.cell(m.webinar_title),
        rx.table.cell(m.author),
        rx.table.cell(rx.cond(m.deleted, rx.text(m.text, color_scheme="gray", as_="s"), rx.text(m.text))),
        rx.table.cell(rx.moment(m.created_at, from_now=True)),
        rx.table.cell(
            rx.cond(
                m.deleted,
                rx.button(
                    "Restore", size="1", variant="soft", on_click=AdminModerationState.restore_message(m.id)
                ),
                rx.button(
                    "Delete",
                    size="1",
                    variant="soft",
                    color_scheme="red",
                    on_click=AdminModerationState.delete_message(m.id),
                ),
            )
        ),
        class_name="moderation-message",
    )


def _restriction(r: ModRestriction) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.badge(r.kind, color_scheme=rx.cond(r.kind == "ban", "red", "amber"))),
        rx.table.cell(r.username),
        rx.table.cell(r.webinar_title),
        rx.table.cell(rx.cond(r.until != "", rx.moment(r.until, from_now=True), "-")),
        rx.table.cell(
            rx.button(
                "Undo",
                size="1",
                variant="soft",
                on_click=AdminModerationState.lift(r.kind, r.webinar_id, r.user_id),
            )
        ),
        class_name="moderation-restriction",
    )


def _table(headers: list[str], body: rx.Component) -> rx.Component:
    return rx.table.root(
        rx.table.header(rx.table.row(*(rx.table.column_header_cell(h) for h in headers))),
        rx.table.body(body),
        width="100%",
        variant="surface",
    )


@rx.page(
    route=routes.ADMIN_MODERATION,
    title="Moderation · Webinars",
    on_load=[AuthState.sync_session, AdminModerationState.load],
)
def admin_moderation_page() -> rx.Component:
    return template(
        admin_nav(),
        rx.heading("Moderation", size="7", as_="h1"),
        rx.cond(
            AdminModerationState.loaded,
            rx.cond(
                AdminModerationState.allowed,
                rx.vstack(
                    rx.text(
                        AdminModerationState.room_count.to_string() + " live room(s)", color_scheme="gray"
                    ),
                    rx.heading("Recent messages", size="4", as_="h2"),
                    rx.cond(
                        AdminModerationState.messages.length() > 0,  # type: ignore[attr-defined]
                        _table(
                            ["Webinar", "Author", "Message", "When", ""],
                            rx.foreach(AdminModerationState.messages, _message),
                        ),
                        rx.text("No messages in live rooms.", color_scheme="gray"),
                    ),
                    rx.heading("Muted and banned", size="4", as_="h2"),
                    rx.cond(
                        AdminModerationState.restrictions.length() > 0,  # type: ignore[attr-defined]
                        _table(
                            ["", "User", "Webinar", "Until", ""],
                            rx.foreach(AdminModerationState.restrictions, _restriction),
                        ),
                        rx.text("Nobody is muted or banned.", color_scheme="gray"),
                    ),
                    spacing="4",
                    width="100%",
                ),
                rx.callout("You are not allowed to see this page.", icon="ban", color_scheme="red"),
            ),
            rx.center(rx.spinner(size="3"), padding="8"),
        ),
    )
