"""One module per page; importing this package registers them all with `@rx.page`."""

from webinar_app.pages import admin, home, login, password, profile, signup, verify

__all__ = ["admin", "home", "login", "password", "profile", "signup", "verify"]
