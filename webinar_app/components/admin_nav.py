"""The admin console's tab strip, shown at the top of every admin page."""

from __future__ import annotations

import reflex as rx

from webinar_app import routes

ADMIN_SECTIONS: tuple[tuple[str, str, str], ...] = (
    ("Users", routes.ADMIN, "admin-nav-users"),
    ("Dashboard", routes.ADMIN_DASHBOARD, "admin-nav-dashboard"),
    ("Webinars", routes.ADMIN_WEBINARS, "admin-nav-webinars"),
    ("Moderation", routes.ADMIN_MODERATION, "admin-nav-moderation"),
    ("Emails", routes.ADMIN_EMAILS, "admin-nav-emails"),
    ("Audit log", routes.ADMIN_AUDIT, "admin-nav-audit"),
)


def admin_nav() -> rx.Component:
    return rx.hstack(
        *(
            rx.link(label, href=href, id=ident, size="2", weight="medium")
            for label, href, ident in ADMIN_SECTIONS
        ),
        spacing="5",
        wrap="wrap",
        margin_bottom="4",
        role="navigation",
        aria_label="Admin sections",
    )
