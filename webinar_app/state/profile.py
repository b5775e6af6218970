"""The signed-in user's own profile: names and email, avatar, password, email settings."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import reflex as rx

from webinar_app.core.config import get_settings
from webinar_app.core.db import session_scope
from webinar_app.models import User
from webinar_app.services import accounts, auth, avatars, passwords
from webinar_app.services.auth import TokenPair
from webinar_app.services.email import preferences
from webinar_app.services.errors import DomainError, Invalid
from webinar_app.state.auth import login_redirect, show_user, sign_in, user_for
from webinar_app.state.forms import field_errors, message_of, text
from webinar_app.state.webinar_views import DETECT_TIMEZONE_JS

AVATAR_UPLOAD_ID = "avatar_upload"
PASSWORD_FIELDS = ("old_password", "new_password", "new_password_confirm")


def _change_password(user_id: int, old: str, new: str, confirm: str) -> tuple[User, TokenPair]:
    """In a worker thread (two argon2 runs). The service revoked every refresh token, ours
    included: this browser gets a fresh pair so it stays signed in, other sessions must log in."""
    with session_scope() as session:
        user = accounts.get_user(session, user_id)
        passwords.change_password(
            session, user, old_password=old, new_password=new, new_password_confirm=confirm
        )
        return user, auth.issue_tokens(session, user)


class ProfileState(rx.State):
    first_name: str = ""
    last_name: str = ""
    email: str = ""
    username: str = ""
    loaded: bool = False
    field_errors: dict[str, str] = {}
    saving: bool = False

    upload_progress: int = 0
    uploading: bool = False
    avatar_error: str = ""

    password_errors: dict[str, str] = {}
    changing_password: bool = False

    # Email settings: one switch per kind, and the zone mails show times in.
    email_prefs: dict[str, bool] = {}
    timezone: str = "UTC"
    zone_choices: list[str] = []

    @rx.event
    async def load(self) -> Any:
        """Protected page: signed-out visitors go to log in and come back here."""
        self.field_errors = {}
        self.password_errors = {}
        self.avatar_error = ""
        self.upload_progress = 0
        self.uploading = False
        with session_scope() as session:
            user = await user_for(self, session)
            if user is None:
                self.loaded = False
                return login_redirect(self)
            self.first_name = user.first_name
            self.last_name = user.last_name
            self.email = user.email
            self.username = user.username
            self.email_prefs = preferences.preferences_of(session, user)
            self.timezone = user.timezone
            auto_zone = user.timezone_auto
        if not self.zone_choices:
            self.zone_choices = preferences.zone_names()
        self.loaded = True
        if auto_zone:  # not chosen yet: the browser's zone becomes the default
            return rx.call_script(DETECT_TIMEZONE_JS, callback=ProfileState.browser_zone)
        return None

    @rx.event
    async def browser_zone(self, name: Any) -> None:
        """The browser's zone, adopted only while the user has not picked one (re-checked here)."""
        with session_scope() as session:
            user = await user_for(self, session)
            if user is None or not isinstance(name, str):
                return
            if preferences.adopt_browser_zone(session, user, name):
                self.timezone = user.timezone

    @rx.event
    async def toggle_email(self, kind: str, enabled: bool) -> Any:
        if kind not in preferences.SWITCHABLE or not isinstance(enabled, bool):
            return None
        with session_scope() as session:
            user = await user_for(self, session)
            if user is None:
                return login_redirect(self)
            self.email_prefs = {
                k: v for k, v in preferences.update_settings(session, user, {kind: enabled}).items()
                if k in preferences.SWITCHABLE
            }
        return None

    @rx.event
    async def choose_timezone(self, name: str) -> Any:
        with session_scope() as session:
            user = await user_for(self, session)
            if user is None:
                return login_redirect(self)
            try:
                self.timezone = preferences.update_settings(session, user, {"timezone": name})["timezone"]
            except Invalid:
                return rx.toast.error("Unknown time zone.")
        return rx.toast.success(f"Times in emails now use {self.timezone}.")

    @rx.event
    def set_first_name(self, value: str) -> None:
        self.first_name = value if isinstance(value, str) else ""

    @rx.event
    def set_last_name(self, value: str) -> None:
        self.last_name = value if isinstance(value, str) else ""

    @rx.event
    def set_email(self, value: str) -> None:
        self.email = value if isinstance(value, str) else ""

    @rx.event
    async def save_profile(self, form_data: dict[str, Any]) -> AsyncIterator[Any]:
        self.field_errors = {}
        self.saving = True
        yield
        with session_scope() as session:
            user = await user_for(self, session)
            if user is None:
                self.saving = False
                yield login_redirect(self)
                return
            assert user.id is not None
            try:
                user = accounts.update_profile(
                    session,
                    user,
                    user.id,
                    first_name=text(form_data, "first_name"),
                    last_name=text(form_data, "last_name"),
                    email=text(form_data, "email"),
                )
            except Invalid as exc:
                self.field_errors = field_errors(exc)
                self.saving = False
                yield rx.toast.error("Please fix the highlighted fields.")
                return
            except DomainError as exc:
                self.saving = False
                yield rx.toast.error(message_of(exc))
                return
            self.first_name, self.last_name, self.email = user.first_name, user.last_name, user.email
            await show_user(self, user)
        self.saving = False
        yield rx.toast.success("Profile saved.")

    @rx.event
    def upload_progressed(self, progress: dict[str, Any]) -> None:
        """Drives the progress bar only; the bytes are judged by the service on arrival."""
        fraction = progress.get("progress", 0)
        if isinstance(fraction, int | float):
            self.upload_progress = max(0, min(100, round(fraction * 100)))
            self.uploading = self.upload_progress < 100

    @rx.event
    async def upload_avatar(self, files: list[rx.UploadFile]) -> AsyncIterator[Any]:
        self.avatar_error = ""
        self.uploading = True
        yield
        if not files:
            self.avatar_error = "Choose an image first."
            self.uploading = False
            return
        # Read one byte past the limit: the service rejects oversize files, and a huge
        # upload never lands in memory whole (browser-side limits are only advisory).
        data = await files[0].read(get_settings().max_avatar_bytes + 1)
        with session_scope() as session:
            user = await user_for(self, session)
            if user is None:
                self.uploading = False
                yield login_redirect(self)
                return
            assert user.id is not None
            try:
                user = avatars.upload_avatar(session, user, user.id, data)
            except DomainError as exc:
                if isinstance(exc, Invalid):
                    self.avatar_error = " ".join(field_errors(exc).values())
                else:
                    self.avatar_error = message_of(exc)
                self.uploading = False
                yield rx.toast.error(self.avatar_error)
                return
            await show_user(self, user)
        self.uploading = False
        self.upload_progress = 100
        yield [rx.clear_selected_files(AVATAR_UPLOAD_ID), rx.toast.success("Profile picture updated.")]

    @rx.event
    async def change_password(self, form_data: dict[str, Any]) -> AsyncIterator[Any]:
        self.password_errors = {}
        self.changing_password = True
        yield
        with session_scope() as session:
            user = await user_for(self, session)
            user_id = user.id if user is not None else None
        if user_id is None:
            self.changing_password = False
            yield login_redirect(self)
            return
        try:
            user, pair = await asyncio.to_thread(
                _change_password,
                user_id,
                text(form_data, "old_password"),
                text(form_data, "new_password"),
                text(form_data, "new_password_confirm"),
            )
        except Invalid as exc:
            self.password_errors = field_errors(exc)
            self.changing_password = False
            return
        except DomainError as exc:
            self.changing_password = False
            yield rx.toast.error(message_of(exc))
            return
        await sign_in(self, user, pair)
        self.changing_password = False
        yield [
            *(rx.set_value(field, "") for field in PASSWORD_FIELDS),
            rx.toast.success("Password changed. Other devices have been signed out."),
        ]
