"""Sign-up: `services.accounts.register`, then on to the verify page."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import reflex as rx

from webinar_app import routes
from webinar_app.core.db import session_scope
from webinar_app.services import accounts
from webinar_app.services.errors import DomainError, Invalid
from webinar_app.state.forms import field_errors, message_of, text
from webinar_app.state.verify import VerifyState


def _register(form_data: dict[str, Any]) -> str:
    # Runs in a worker thread (argon2 hashing, mail sending); returns the normalised email.
    with session_scope() as session:
        user = accounts.register(
            session,
            username=text(form_data, "username"),
            email=text(form_data, "email"),
            password=text(form_data, "password"),
            password_confirm=text(form_data, "password_confirm"),
            first_name=text(form_data, "first_name"),
            last_name=text(form_data, "last_name"),
        )
        return user.email


class SignupState(rx.State):
    field_errors: dict[str, str] = {}
    error: str = ""
    submitting: bool = False

    @rx.event
    async def submit(self, form_data: dict[str, Any]) -> AsyncIterator[Any]:
        self.field_errors = {}
        self.error = ""
        self.submitting = True
        yield
        try:
            email = await asyncio.to_thread(_register, form_data)
        except Invalid as exc:
            self.field_errors = field_errors(exc)
            self.submitting = False
            return
        except DomainError as exc:
            self.error = message_of(exc)
            self.submitting = False
            return
        self.submitting = False
        verify = await self.get_state(VerifyState)
        verify._start_for(email)
        yield [
            rx.redirect(routes.verify_email_url(email)),
            rx.toast.success("Account created. We emailed you a 6-digit code."),
        ]
