"""Forgot password (always the same confirmation) and reset password (token from the mail)."""

from __future__ import annotations

import reflex as rx

from webinar_app import routes
from webinar_app.components.forms import card_form, form_error, submit_button, text_field
from webinar_app.components.layout import template
from webinar_app.state.auth import AuthState
from webinar_app.state.password import RESET_SENT_MESSAGE, ForgotPasswordState, ResetPasswordState


@rx.page(
    route=routes.FORGOT_PASSWORD,
    title="Forgot password · Webinars",
    on_load=[AuthState.sync_session, ForgotPasswordState.load],
)
def forgot_password_page() -> rx.Component:
    return template(
        card_form(
            "Forgot your password?",
            "Enter your email and we will send you a link to choose a new one.",
            rx.cond(
                ForgotPasswordState.sent,
                rx.callout(
                    RESET_SENT_MESSAGE, icon="mail_check", color_scheme="green", id="reset-sent", width="100%"
                ),
                rx.form(
                    rx.vstack(
                        text_field("Email", "email", type="email", input_id="forgot-email", required=True),
                        form_error(ForgotPasswordState.error),
                        submit_button(
                            "Send reset link",
                            loading=ForgotPasswordState.submitting,
                            button_id="forgot-submit",
                        ),
                        spacing="4",
                        width="100%",
                    ),
                    on_submit=ForgotPasswordState.submit,
                    width="100%",
                ),
            ),
            rx.link("Back to log in", href=routes.LOGIN, size="2"),
        )
    )


def _error(name: str) -> rx.Var[str]:
    return ResetPasswordState.field_errors.get(name, "")  # type: ignore[return-value]


@rx.page(
    route=routes.RESET_PASSWORD,
    title="Reset password · Webinars",
    on_load=[AuthState.sync_session, ResetPasswordState.load],
)
def reset_password_page() -> rx.Component:
    return template(
        card_form(
            "Choose a new password",
            "Opened the link from the email? The code is already filled in; otherwise paste it.",
            rx.form(
                rx.vstack(
                    text_field(
                        "Reset code",
                        "token",
                        input_id="reset-token",
                        error=_error("token"),
                        value=ResetPasswordState.token,
                        on_change=ResetPasswordState.set_token,
                        required=True,
                    ),
                    text_field(
                        "New password",
                        "new_password",
                        type="password",
                        error=_error("new_password"),
                        auto_complete="new-password",
                        required=True,
                    ),
                    text_field(
                        "Confirm new password",
                        "new_password_confirm",
                        type="password",
                        error=_error("new_password_confirm"),
                        auto_complete="new-password",
                        required=True,
                    ),
                    form_error(ResetPasswordState.error),
                    submit_button(
                        "Reset password", loading=ResetPasswordState.submitting, button_id="reset-submit"
                    ),
                    spacing="4",
                    width="100%",
                ),
                on_submit=ResetPasswordState.submit,
                width="100%",
            ),
        )
    )
