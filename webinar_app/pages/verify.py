"""Verify email: the 6-digit code, errors with what to do next, and a resend countdown."""

from __future__ import annotations

import reflex as rx

from webinar_app import routes
from webinar_app.components.forms import card_form, submit_button, text_field
from webinar_app.components.layout import template
from webinar_app.state.auth import AuthState
from webinar_app.state.verify import VerifyState


def verify_error() -> rx.Component:
    return rx.cond(
        VerifyState.error != "",
        rx.callout(
            rx.vstack(
                rx.text(VerifyState.error, id="verify-error"),
                rx.cond(
                    VerifyState.needs_new_code, rx.text("Use “Resend code” below to get a new one.", size="1")
                ),
                rx.cond(
                    VerifyState.error_code == "already_verified",
                    rx.link("Go to log in", href=routes.LOGIN, size="2"),
                ),
                spacing="1",
            ),
            icon="triangle_alert",
            color_scheme="red",
            role="alert",
            width="100%",
        ),
    )


def resend_button() -> rx.Component:
    return rx.button(
        rx.cond(
            VerifyState.resend_in > 0,
            rx.text("Resend code in ", rx.text.span(VerifyState.resend_in, id="resend-seconds"), " s"),
            rx.text("Resend code"),
        ),
        type="button",
        variant="soft",
        size="3",
        width="100%",
        id="resend-code",
        loading=VerifyState.resending,
        disabled=~VerifyState.can_resend,
        on_click=VerifyState.resend,
    )


@rx.page(
    route=routes.VERIFY_EMAIL,
    title="Verify your email · Webinars",
    on_load=[AuthState.sync_session, VerifyState.load],
)
def verify_page() -> rx.Component:
    return template(
        card_form(
            "Check your email",
            "Enter the 6-digit code we sent you. It is valid for 10 minutes.",
            rx.form(
                rx.vstack(
                    text_field(
                        "Email",
                        "email",
                        type="email",
                        input_id="verify-email",
                        value=VerifyState.email,
                        on_change=VerifyState.set_email,
                        required=True,
                    ),
                    text_field(
                        "Verification code",
                        "otp",
                        input_id="otp",
                        input_mode="numeric",
                        auto_complete="one-time-code",
                        max_length=6,
                        pattern="[0-9]{6}",
                        placeholder="123456",
                        required=True,
                    ),
                    verify_error(),
                    submit_button("Verify email", loading=VerifyState.submitting, button_id="verify-submit"),
                    spacing="4",
                    width="100%",
                ),
                on_submit=VerifyState.submit,
                id="verify-form",
                width="100%",
            ),
            resend_button(),
        )
    )
