"""Forgotten passwords: request a reset mail, then set a new password with its token."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import reflex as rx

from webinar_app import routes
from webinar_app.core.db import session_scope
from webinar_app.services import passwords
from webinar_app.services.errors import DomainError, Invalid
from webinar_app.state.forms import field_errors, message_of, text

RESET_SENT_MESSAGE = "If an account with this email exists, a password reset link has been sent."


# The two service calls run in worker threads: mail sending and argon2 hashing are slow.


def _request_reset(email: str) -> None:
    with session_scope() as session:
        passwords.request_reset(session, email)


def _confirm_reset(token: str, new_password: str, new_password_confirm: str) -> None:
    with session_scope() as session:
        passwords.confirm_reset(
            session, token=token, new_password=new_password, new_password_confirm=new_password_confirm
        )


class ForgotPasswordState(rx.State):
    sent: bool = False
    error: str = ""
    submitting: bool = False

    @rx.event
    def load(self) -> None:
        self.sent = False
        self.error = ""

    @rx.event
    async def submit(self, form_data: dict[str, Any]) -> AsyncIterator[Any]:
        self.error = ""
        self.submitting = True
        yield
        try:
            await asyncio.to_thread(_request_reset, text(form_data, "email"))
        except DomainError as exc:
            # Only infrastructure failures (mail down) land here; unknown emails do not.
            self.error = message_of(exc)
        else:
            self.sent = True
        self.submitting = False


class ResetPasswordState(rx.State):
    token: str = ""
    field_errors: dict[str, str] = {}
    error: str = ""
    submitting: bool = False

    @rx.event
    def load(self) -> None:
        """The mailed link carries `?token=`; the user may also paste it by hand."""
        self.token = self.router.url.query_parameters.get("token", "")
        self.field_errors = {}
        self.error = ""

    @rx.event
    def set_token(self, value: str) -> None:
        self.token = value if isinstance(value, str) else ""

    @rx.event
    async def submit(self, form_data: dict[str, Any]) -> AsyncIterator[Any]:
        self.field_errors = {}
        self.error = ""
        self.submitting = True
        yield
        try:
            await asyncio.to_thread(
                _confirm_reset,
                text(form_data, "token") or self.token,
                text(form_data, "new_password"),
                text(form_data, "new_password_confirm"),
            )
        except Invalid as exc:
            self.field_errors = field_errors(exc)
            self.submitting = False
            return
        except DomainError as exc:
            self.error = message_of(exc)
            self.submitting = False
            return
        self.submitting = False
        self.token = ""
        yield [
            rx.redirect(routes.login_url()),
            rx.toast.success("Your password has been reset. You can log in now."),
        ]
