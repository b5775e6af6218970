"""Logging in with username or email; unverified accounts go to the verify page."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import reflex as rx

from webinar_app import routes
from webinar_app.core.db import session_scope
from webinar_app.models import User
from webinar_app.services import auth
from webinar_app.services.auth import TokenPair
from webinar_app.services.errors import DomainError
from webinar_app.state.auth import sign_in, user_for
from webinar_app.state.forms import message_of, text
from webinar_app.state.verify import VerifyState


def _login(login: str, password: str, client: str | None) -> tuple[User, TokenPair]:
    # Runs in a worker thread: argon2 verification must not stall every other browser's events.
    with session_scope() as session:
        return auth.login(session, login, password, client=client)


class LoginState(rx.State):
    error: str = ""
    submitting: bool = False

    def _next_page(self) -> str:
        return routes.safe_next(self.router.url.query_parameters.get("next"))

    @rx.event
    async def load(self) -> Any:
        """Already signed in (e.g. a bookmarked /login): go straight on."""
        self.error = ""
        self.submitting = False
        with session_scope() as session:
            user = await user_for(self, session)
        if user is not None:
            return rx.redirect(self._next_page())
        return None

    @rx.event
    async def submit(self, form_data: dict[str, Any]) -> AsyncIterator[Any]:
        self.error = ""
        self.submitting = True
        yield
        try:
            user, pair = await asyncio.to_thread(
                _login,
                text(form_data, "login"),
                text(form_data, "password"),
                # The same failed-login limit as the REST door, per browser address too.
                self.router.session.client_ip or None,
            )
        except DomainError as exc:
            self.submitting = False
            if exc.error_code == "email_not_verified":
                email = str(exc.extra.get("email", ""))
                verify = await self.get_state(VerifyState)
                verify._start_for(email)
                yield [
                    rx.redirect(routes.verify_email_url(email)),
                    rx.toast.info("Please verify your email first: enter the code we sent you."),
                ]
                return
            self.error = message_of(exc)
            return
        await sign_in(self, user, pair)
        self.submitting = False
        yield [rx.redirect(self._next_page()), rx.toast.success(f"Welcome back, {user.display_name}!")]
