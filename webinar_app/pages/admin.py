"""Admin users page: search, pages, role changes and (de)activation. Refusals come from the services."""

from __future__ import annotations

import reflex as rx

from webinar_app import routes
from webinar_app.components.admin_nav import admin_nav
from webinar_app.components.layout import template
from webinar_app.state.admin import AdminUsersState, UserRow


def _yes_no(flag: rx.Var[bool]) -> rx.Component:
    # high contrast: green-11 on green-3 is 4.2:1, under the 4.5:1 small text needs
    return rx.cond(
        flag, rx.badge("yes", color_scheme="green", high_contrast=True), rx.badge("no", color_scheme="gray")
    )


def not_allowed() -> rx.Component:
    return rx.callout(
        "You are not allowed to view this page. Admin access is required.",
        icon="shield_alert",
        color_scheme="red",
        id="admin-not-allowed",
        role="alert",
    )


def user_actions(user: UserRow) -> rx.Component:
    return rx.hstack(
        rx.select(
            ["student", "admin"],
            value=user.role,
            on_change=lambda role: AdminUsersState.change_role(user.id, role),
            size="1",
            # the high-level select keeps aria_label on its (DOM-less) root: put it on the trigger
            custom_attrs={"aria-label": "Role of " + user.username},
        ),
        rx.cond(
            user.active,
            rx.button(
                "Deactivate",
                size="1",
                color_scheme="red",
                variant="soft",
                high_contrast=True,  # red-11 on red-3 is just under 4.5:1 at size 1
                on_click=AdminUsersState.set_active(user.id, False),
            ),
            rx.button(
                "Reactivate",
                size="1",
                color_scheme="green",
                variant="soft",
                high_contrast=True,
                on_click=AdminUsersState.set_active(user.id, True),
            ),
        ),
        spacing="2",
    )


def user_row(user: UserRow) -> rx.Component:
    return rx.table.row(
        rx.table.cell(user.id),
        rx.table.cell(rx.hstack(rx.text(user.username), rx.cond(user.is_me, rx.badge("you"), rx.fragment()))),
        rx.table.cell(user.email),
        rx.table.cell(user.name),
        rx.table.cell(rx.badge(user.role, color_scheme=rx.cond(user.role == "admin", "indigo", "gray"))),
        rx.table.cell(_yes_no(user.active)),  # type: ignore[arg-type]
        rx.table.cell(_yes_no(user.verified)),  # type: ignore[arg-type]
        rx.table.cell(user_actions(user)),
    )


def pager() -> rx.Component:
    return rx.hstack(
        rx.button(
            "Previous",
            size="1",
            variant="soft",
            disabled=~AdminUsersState.has_prev,
            on_click=AdminUsersState.prev_page,
            id="admin-users-prev",
        ),
        rx.text(
            "Page ",
            AdminUsersState.page,
            " of ",
            AdminUsersState.pages,
            " · ",
            AdminUsersState.total,
            " users",
            size="2",
        ),
        rx.button(
            "Next",
            size="1",
            variant="soft",
            disabled=~AdminUsersState.has_next,
            on_click=AdminUsersState.next_page,
            id="admin-users-next",
        ),
        spacing="3",
        align="center",
    )


def users_table() -> rx.Component:
    return rx.vstack(
        rx.form(
            rx.hstack(
                rx.el.label(
                    "Search users",
                    html_for="admin-search",
                    class_name="rt-sr-only",
                    style={"display": "none"},
                ),
                rx.input(id="admin-search", name="search", placeholder="Search by name, username or email"),
                rx.button("Search", type="submit"),
                spacing="2",
            ),
            on_submit=AdminUsersState.run_search,
        ),
        rx.cond(
            AdminUsersState.users.length() > 0,
            rx.vstack(
                rx.table.root(
                    rx.table.header(
                        rx.table.row(
                            *(
                                rx.table.column_header_cell(h)
                                for h in (
                                    "ID",
                                    "Username",
                                    "Email",
                                    "Name",
                                    "Role",
                                    "Active",
                                    "Verified",
                                    "Actions",
                                )
                            )
                        )
                    ),
                    rx.table.body(rx.foreach(AdminUsersState.users, user_row)),
                    width="100%",
                    id="admin-users",
                ),
                pager(),
                width="100%",
            ),
            rx.text("No users match.", color_scheme="gray", id="admin-users-empty"),
        ),
        spacing="4",
        width="100%",
    )


@rx.page(route=routes.ADMIN, title="Admin · Webinars", on_load=AdminUsersState.load)
def admin_page() -> rx.Component:
    return template(
        rx.heading("Admin", size="7", as_="h1", margin_bottom="4"),
        admin_nav(),
        rx.cond(
            AdminUsersState.loaded,
            rx.cond(AdminUsersState.allowed, users_table(), not_allowed()),
            rx.center(rx.spinner(size="3"), padding="9"),
        ),
        rx.link("Back to home", href=routes.HOME, size="2"),
    )
