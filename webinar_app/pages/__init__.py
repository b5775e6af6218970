"""One module per page; importing this package registers them all with `@rx.page`."""

from webinar_app.pages import (
    admin,
    announcements,
    catalog,
    home,
    inbox,
    live,
    login,
    my_webinars,
    notifications,
    password,
    profile,
    recordings,
    signup,
    verify,
    webinar,
    webinar_admin,
)

__all__ = [
    "admin",
    "announcements",
    "catalog",
    "home",
    "inbox",
    "live",
    "login",
    "my_webinars",
    "notifications",
    "password",
    "profile",
    "recordings",
    "signup",
    "verify",
    "webinar",
    "webinar_admin",
]
