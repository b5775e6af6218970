"""Log in with username or email; honours `?next=` (checked by `routes.safe_next`)."""

from __future__ import annotations

import reflex as rx

from webinar_app import routes
from webinar_app.components.forms import card_form, form_error, submit_button, text_field
from webinar_app.components.layout import template
from webinar_app.state.login import LoginState


@rx.page(route=routes.LOGIN, title="Log in · Webinars", on_load=LoginState.load)
def login_page() -> rx.Component:
    return template(
        card_form(
            "Welcome back",
            "Log in with your username or email.",
            rx.form(
                rx.vstack(
                    text_field("Username or email", "login", auto_complete="username", required=True),
                    text_field(
                        "Password",
                        "password",
                        type="password",
                        auto_complete="current-password",
                        required=True,
                    ),
                    form_error(LoginState.error, "login-error"),
                    submit_button("Log in", loading=LoginState.submitting, button_id="login-submit"),
                    spacing="4",
                    width="100%",
                ),
                on_submit=LoginState.submit,
                id="login-form",
                width="100%",
            ),
            rx.hstack(
                rx.link("Forgot password?", href=routes.FORGOT_PASSWORD, size="2", id="forgot-link"),
                rx.spacer(),
                rx.text("New here? ", rx.link("Sign up", href=routes.SIGNUP, underline="always"), size="2"),
                width="100%",
            ),
        )
    )
