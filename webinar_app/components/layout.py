"""The page shell every page is wrapped in: navbar, content column, footer.

The navbar reads only `AuthState`'s display snapshot; what a user may *do* is always
decided again on the server by the handlers.
"""

from __future__ import annotations

import reflex as rx

from webinar_app import routes
from webinar_app.components.bell import bell, live_banner
from webinar_app.state.auth import AuthState

APP_NAME = "Webinars"


def logo() -> rx.Component:
    return rx.link(
        rx.hstack(
            rx.icon("presentation", size=24),
            rx.text(APP_NAME, size="5", weight="bold"),
            align="center",
            spacing="2",
        ),
        href=routes.HOME,
        underline="none",
        color_scheme="indigo",
        high_contrast=True,
        id="nav-home",
        aria_label="Webinars home",
    )


def nav_link(label: str, href: str, link_id: str) -> rx.Component:
    return rx.link(label, href=href, id=link_id, size="3", weight="medium", underline="hover")


def user_avatar(size: str = "2") -> rx.Component:
    return rx.avatar(
        src=AuthState.avatar_url,
        fallback=AuthState.initials,
        size=size,  # type: ignore[arg-type]
        radius="full",
        id="nav-avatar",
        alt=AuthState.display_name,
    )


def user_menu() -> rx.Component:
    """Desktop: avatar + name opening Profile / Admin / Log out."""
    return rx.menu.root(
        rx.menu.trigger(
            rx.button(
                user_avatar("1"),
                rx.text(AuthState.display_name, id="nav-user-name"),
                rx.icon("chevron_down", size=16),
                variant="ghost",
                id="user-menu",
                # No aria-label: the avatar and the visible name are its name, so speech input
                # can say what it sees (axe: label-content-name-mismatch).
            ),
        ),
        rx.menu.content(
            rx.menu.item(
                rx.icon("user", size=16), "Profile", on_click=rx.redirect(routes.PROFILE), id="menu-profile"
            ),
            rx.menu.item(
                rx.icon("calendar_days", size=16),
                "My webinars",
                on_click=rx.redirect(routes.MY_WEBINARS),
                id="menu-my-webinars",
            ),
            rx.cond(
                AuthState.is_admin,
                rx.fragment(
                    rx.menu.item(
                        rx.icon("shield", size=16),
                        "Admin",
                        on_click=rx.redirect(routes.ADMIN),
                        id="menu-admin",
                    ),
                    rx.menu.item(
                        rx.icon("megaphone", size=16),
                        "Write announcement",
                        on_click=rx.redirect(routes.ADMIN_ANNOUNCEMENTS),
                        id="menu-announce",
                    ),
                ),
            ),
            rx.menu.separator(),
            rx.menu.item(
                rx.icon("log_out", size=16),
                "Log out",
                on_click=AuthState.logout,
                color_scheme="red",
                id="menu-logout",
            ),
        ),
    )


def guest_buttons() -> rx.Component:
    return rx.hstack(
        rx.link(rx.button("Log in", variant="soft", id="nav-login"), href=routes.LOGIN),
        rx.link(rx.button("Sign up", id="nav-signup"), href=routes.SIGNUP),
        spacing="2",
    )


def desktop_nav() -> rx.Component:
    return rx.hstack(
        logo(),
        rx.hstack(
            nav_link("Browse", routes.WEBINARS, "nav-webinars"),
            nav_link("Recordings", routes.RECORDINGS, "nav-recordings"),
            rx.cond(AuthState.signed_in, nav_link("My webinars", routes.MY_WEBINARS, "nav-my-webinars")),
            rx.cond(AuthState.signed_in, nav_link("Inbox", routes.INBOX, "nav-inbox")),
            rx.cond(
                AuthState.signed_in, nav_link("Announcements", routes.ANNOUNCEMENTS, "nav-announcements")
            ),
            rx.cond(
                AuthState.is_admin, nav_link("Manage webinars", routes.ADMIN_WEBINARS, "nav-admin-webinars")
            ),
            rx.cond(AuthState.is_admin, nav_link("Admin", routes.ADMIN, "nav-admin")),
            spacing="5",
            padding_left="6",
        ),
        rx.spacer(),
        rx.color_mode.button(id="color-mode-toggle", aria_label="Toggle light/dark mode"),
        rx.cond(AuthState.signed_in, bell()),
        rx.cond(
            AuthState.session_checked,
            rx.cond(AuthState.signed_in, user_menu(), guest_buttons()),
            rx.spinner(size="2"),
        ),
        align="center",
        spacing="4",
        width="100%",
    )


def mobile_nav() -> rx.Component:
    """Small screens: logo, theme toggle and one menu holding every link."""
    return rx.hstack(
        logo(),
        rx.spacer(),
        rx.color_mode.button(aria_label="Toggle light/dark mode"),
        rx.cond(AuthState.signed_in, bell("-mobile")),
        rx.menu.root(
            rx.menu.trigger(
                rx.icon_button(
                    rx.icon("menu"), variant="ghost", size="3", id="mobile-menu", aria_label="Open menu"
                ),
            ),
            rx.menu.content(
                rx.cond(
                    AuthState.signed_in,
                    rx.hstack(
                        user_avatar("1"),
                        rx.text(AuthState.display_name, size="2"),
                        padding="2",
                        align="center",
                    ),
                ),
                rx.menu.item("Browse webinars", on_click=rx.redirect(routes.WEBINARS)),
                rx.menu.item("Recordings", on_click=rx.redirect(routes.RECORDINGS)),
                rx.cond(
                    AuthState.signed_in,
                    rx.fragment(
                        rx.menu.item("My webinars", on_click=rx.redirect(routes.MY_WEBINARS)),
                        rx.menu.item("Inbox", on_click=rx.redirect(routes.INBOX)),
                        rx.menu.item("Announcements", on_click=rx.redirect(routes.ANNOUNCEMENTS)),
                        rx.menu.item("Profile", on_click=rx.redirect(routes.PROFILE)),
                        rx.cond(
                            AuthState.is_admin,
                            rx.fragment(
                                rx.menu.item("Manage webinars", on_click=rx.redirect(routes.ADMIN_WEBINARS)),
                                rx.menu.item("Admin", on_click=rx.redirect(routes.ADMIN)),
                            ),
                        ),
                        rx.menu.separator(),
                        rx.menu.item("Log out", on_click=AuthState.logout, color_scheme="red"),
                    ),
                    rx.fragment(
                        rx.menu.separator(),
                        rx.menu.item("Log in", on_click=rx.redirect(routes.LOGIN)),
                        rx.menu.item("Sign up", on_click=rx.redirect(routes.SIGNUP)),
                    ),
                ),
            ),
        ),
        align="center",
        width="100%",
    )


def navbar() -> rx.Component:
    return rx.el.nav(
        rx.container(
            rx.desktop_only(desktop_nav()),
            rx.mobile_and_tablet(mobile_nav()),
            size="4",
            padding_y="3",
        ),
        aria_label="Main",
        style={
            "position": "sticky",
            "top": "0",
            "z_index": "10",
            "background_color": rx.color("gray", 1),
            "border_bottom": f"1px solid {rx.color('gray', 5)}",
        },
    )


def footer() -> rx.Component:
    return rx.el.footer(
        rx.container(
            rx.text(f"{APP_NAME}: learn live, together.", size="1", color_scheme="gray", align="center"),
            size="4",
            padding_y="5",
        ),
    )


def template(*children: rx.Component) -> rx.Component:
    """Wrap a page's content in the shared shell."""
    return rx.box(
        navbar(),
        rx.el.main(
            rx.container(live_banner(), *children, size="3", padding_y="6", padding_x="4"),
            id="main",
        ),
        footer(),
        min_height="100vh",
        background_color=rx.color("gray", 1),
    )
