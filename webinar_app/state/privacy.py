"""The profile page's "Your data" card: download everything we hold, delete the account."""

from __future__ import annotations

import json
from typing import Any

import reflex as rx

from webinar_app import routes
from webinar_app.core.db import session_scope
from webinar_app.services import privacy
from webinar_app.services.errors import DomainError, Invalid
from webinar_app.state.auth import AuthState, login_redirect, user_for
from webinar_app.state.forms import message_of


class PrivacyState(rx.State):
    delete_error: str = ""
    deleting: bool = False

    @rx.event
    async def download(self) -> Any:
        with session_scope() as session:
            user = await user_for(self, session)
            if user is None:
                return login_redirect(self)
            data = privacy.export_user_data(session, user)
        return rx.download(
            data=json.dumps(data, indent=2, ensure_ascii=False),
            filename=f"my-data-{data['account']['id']}.json",
        )

    @rx.event
    async def delete_account(self, form_data: dict[str, Any]) -> Any:
        password = form_data.get("password", "")
        if not isinstance(password, str):
            password = ""
        self.delete_error = ""
        with session_scope() as session:
            user = await user_for(self, session)
            if user is None:
                return login_redirect(self)
            try:
                privacy.delete_account(session, user, password=password)
            except Invalid as exc:
                self.delete_error = " ".join(exc.errors.get("password", [exc.message]))
                return None
            except DomainError as exc:
                self.delete_error = message_of(exc)
                return None
        auth = await self.get_state(AuthState)
        auth._clear_session()
        return [rx.redirect(routes.HOME), rx.toast.success("Your account has been deleted.")]
