"""Admin audit log: who did what, when, with the before/after of each change."""

from __future__ import annotations

import reflex as rx

from webinar_app import routes
from webinar_app.components.admin_nav import admin_nav
from webinar_app.components.layout import template
from webinar_app.pages.admin import not_allowed
from webinar_app.state.admin_audit import AdminAuditState, AuditRow


def audit_row(row: AuditRow) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.text(row.when, size="1", white_space="nowrap")),
        rx.table.cell(row.actor),
        rx.table.cell(rx.code(row.action)),
        rx.table.cell(row.target),
        rx.table.cell(rx.text(row.before, size="1", font_family="monospace", word_break="break-all")),
        rx.table.cell(rx.text(row.after, size="1", font_family="monospace", word_break="break-all")),
    )


def filters() -> rx.Component:
    return rx.hstack(
        rx.form(
            rx.hstack(
                rx.input(name="actor", placeholder="Actor", aria_label="Actor", id="audit-actor"),
                rx.input(name="since", type="date", aria_label="From date", id="audit-since"),
                rx.input(name="until", type="date", aria_label="To date", id="audit-until"),
                rx.button("Filter", type="submit", id="audit-filter"),
                spacing="2",
                wrap="wrap",
            ),
            on_submit=AdminAuditState.apply_filters,
        ),
        rx.select(
            AdminAuditState.action_choices,
            value=AdminAuditState.action,
            on_change=AdminAuditState.set_action_filter,
            aria_label="Action",
            id="audit-action",
        ),
        spacing="3",
        wrap="wrap",
    )


def audit_table() -> rx.Component:
    return rx.vstack(
        filters(),
        rx.cond(
            AdminAuditState.entries.length() > 0,
            rx.table.root(
                rx.table.header(
                    rx.table.row(
                        *(
                            rx.table.column_header_cell(h)
                            for h in ("When", "Actor", "Action", "Target", "Before", "After")
                        )
                    )
                ),
                rx.table.body(rx.foreach(AdminAuditState.entries, audit_row)),
                width="100%",
                id="audit-entries",
            ),
            rx.text("No audit entries match.", color_scheme="gray", id="audit-empty"),
        ),
        rx.hstack(
            rx.button(
                "Previous",
                size="1",
                variant="soft",
                disabled=AdminAuditState.page <= 1,
                on_click=AdminAuditState.prev_page,
            ),
            rx.text(
                "Page ",
                AdminAuditState.page,
                " of ",
                AdminAuditState.pages,
                " · ",
                AdminAuditState.total,
                " entries",
                size="2",
            ),
            rx.button(
                "Next",
                size="1",
                variant="soft",
                disabled=AdminAuditState.page >= AdminAuditState.pages,
                on_click=AdminAuditState.next_page,
            ),
            spacing="3",
            align="center",
        ),
        spacing="4",
        width="100%",
    )


@rx.page(route=routes.ADMIN_AUDIT, title="Audit log · Admin", on_load=AdminAuditState.load)
def admin_audit_page() -> rx.Component:
    return template(
        rx.heading("Audit log", size="7", as_="h1", margin_bottom="4"),
        admin_nav(),
        rx.cond(
            AdminAuditState.loaded,
            rx.cond(AdminAuditState.allowed, audit_table(), not_allowed()),
            rx.center(rx.spinner(size="3"), padding="9"),
        ),
    )
