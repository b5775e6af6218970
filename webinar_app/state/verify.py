"""Email verification: the 6-digit code, resending it, and the live cooldown countdown."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import reflex as rx

from webinar_app import routes
from webinar_app.core.db import session_scope
from webinar_app.services import accounts
from webinar_app.services.errors import DomainError, Invalid, RateLimited
from webinar_app.state.forms import message_of, text

# The codes after which typing more codes is pointless: the page offers "Resend code" instead.
NEEDS_NEW_CODE = {"max_attempts_exceeded", "otp_expired", "otp_not_found"}


class VerifyState(rx.State):
    email: str = ""
    error: str = ""
    error_code: str = ""
    attempts_remaining: int = -1
    submitting: bool = False
    resending: bool = False
    resend_in: int = 0
    _ticking: bool = False

    @rx.var
    def needs_new_code(self) -> bool:
        return self.error_code in NEEDS_NEW_CODE

    @rx.var
    def can_resend(self) -> bool:
        return self.resend_in <= 0 and not self.resending and bool(self.email.strip())

    def _start_for(self, email: str) -> None:
        """Called by sign-up so the page knows the address even without the query param."""
        self.email = email
        self._clear_errors()

    def _clear_errors(self) -> None:
        self.error = ""
        self.error_code = ""
        self.attempts_remaining = -1

    def _show_error(self, exc: DomainError) -> None:
        if isinstance(exc, Invalid):
            self.error = " ".join(next(iter(exc.errors.values()), [exc.message]))
            self.error_code = "invalid"
        else:
            self.error = message_of(exc)
            self.error_code = exc.error_code or ""
        remaining = exc.extra.get("attempts_remaining")
        self.attempts_remaining = remaining if isinstance(remaining, int) else -1

    @rx.event
    def load(self) -> Any:
        """Prefill from `?email=` (or from sign-up) and resume a cooldown already running."""
        from_query = self.router.url.query_parameters.get("email", "")
        if from_query:
            self.email = from_query
        self._clear_errors()
        self.resend_in = 0
        if self.email:
            with session_scope() as session:
                self.resend_in = accounts.resend_available_in(session, self.email)
        if self.resend_in > 0:
            return VerifyState.countdown
        return None

    @rx.event
    def set_email(self, value: str) -> None:
        self.email = value if isinstance(value, str) else ""

    @rx.event
    async def submit(self, form_data: dict[str, Any]) -> AsyncIterator[Any]:
        email = text(form_data, "email") or self.email
        self.email = email
        self._clear_errors()
        self.submitting = True
        yield
        try:
            with session_scope() as session:
                accounts.verify_email(session, email=email, otp=text(form_data, "otp"))
        except DomainError as exc:
            self._show_error(exc)
            self.submitting = False
            return
        self.submitting = False
        yield [
            rx.redirect(routes.login_url()),
            rx.toast.success("Email verified. You can log in now."),
        ]

    @rx.event
    async def resend(self) -> AsyncIterator[Any]:
        if self.resend_in > 0 or self.resending:
            return
        self._clear_errors()
        self.resending = True
        yield
        try:
            with session_scope() as session:
                accounts.resend_code(session, email=self.email)
        except RateLimited as exc:
            self._show_error(exc)
            retry = exc.extra.get("retry_after")
            self.resend_in = retry if isinstance(retry, int) else 0
        except DomainError as exc:
            self._show_error(exc)
        else:
            # The same answer whether or not the address is known (no account enumeration).
            self.resend_in = int(accounts.RESEND_COOLDOWN.total_seconds())
            yield rx.toast.success("If this email has an account, a new code is on its way.")
        finally:
            self.resending = False
        if self.resend_in > 0:
            yield VerifyState.countdown

    @rx.event(background=True)
    async def countdown(self) -> None:
        """Tick `resend_in` down once a second; one ticker per browser state at most.

        The server-side cooldown is enforced by the service: this only drives the label.
        """
        async with self:
            if self._ticking:
                return
            self._ticking = True
        try:
            while True:
                await asyncio.sleep(1)
                async with self:
                    self.resend_in = max(self.resend_in - 1, 0)
                    if self.resend_in <= 0:
                        break
        finally:
            async with self:
                self._ticking = False
