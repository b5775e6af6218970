"""Sign-up form; field errors come straight from `Invalid.errors`."""

from __future__ import annotations

import reflex as rx

from webinar_app import routes
from webinar_app.components.forms import card_form, form_error, submit_button, text_field
from webinar_app.components.layout import template
from webinar_app.state.auth import AuthState
from webinar_app.state.signup import SignupState


def _error(name: str) -> rx.Var[str]:
    return SignupState.field_errors.get(name, "")  # type: ignore[return-value]


@rx.page(route=routes.SIGNUP, title="Sign up · Webinars", on_load=AuthState.sync_session)
def signup_page() -> rx.Component:
    return template(
        card_form(
            "Create your account",
            "We will email you a 6-digit code to confirm your address.",
            rx.form(
                rx.vstack(
                    text_field(
                        "Username",
                        "username",
                        error=_error("username"),
                        auto_complete="username",
                        required=True,
                    ),
                    text_field(
                        "Email",
                        "email",
                        type="email",
                        error=_error("email"),
                        auto_complete="email",
                        required=True,
                    ),
                    rx.hstack(
                        text_field(
                            "First name", "first_name", error=_error("first_name"), auto_complete="given-name"
                        ),
                        text_field(
                            "Last name", "last_name", error=_error("last_name"), auto_complete="family-name"
                        ),
                        spacing="3",
                        width="100%",
                    ),
                    text_field(
                        "Password",
                        "password",
                        type="password",
                        error=_error("password"),
                        auto_complete="new-password",
                        required=True,
                    ),
                    text_field(
                        "Confirm password",
                        "password_confirm",
                        type="password",
                        error=_error("password_confirm"),
                        auto_complete="new-password",
                        required=True,
                    ),
                    form_error(SignupState.error),
                    submit_button("Sign up", loading=SignupState.submitting, button_id="signup-submit"),
                    spacing="4",
                    width="100%",
                ),
                on_submit=SignupState.submit,
                id="signup-form",
                width="100%",
            ),
            rx.text(
                "Already have an account? ",
                rx.link("Log in", href=routes.LOGIN, underline="always"),
                size="2",
            ),
        )
    )
