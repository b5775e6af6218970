"""Who is using this browser: the token pair in localStorage, resolved on the server per event.

Any websocket client can call any public handler with any arguments and can even set
state vars, so identity is never read from state: every handler asks `_resolve_user`,
which verifies the stored access token (refreshing it when it is expired or about to be)
through `services.auth`. The display vars below are only a snapshot for the navbar.
A fresh Reflex state (new tab, reconnect, reload) rebuilds the session from storage.
"""

from __future__ import annotations

import time
from typing import Any

import jwt
import reflex as rx
from reflex.event import EventSpec
from reflex_base.config import get_config
from sqlmodel import Session

from webinar_app import routes
from webinar_app.core.db import session_scope
from webinar_app.models import User
from webinar_app.services import auth
from webinar_app.services.auth import InvalidToken, TokenPair
from webinar_app.services.media import media_url

ACCESS_STORAGE_KEY = "webinar_access_token"
REFRESH_STORAGE_KEY = "webinar_refresh_token"
# Refresh this long before the access token expires, so a slow event never carries a dead token.
REFRESH_MARGIN_SECONDS = 60


def backend_base_url() -> str:
    """Where the browser reaches our backend (and its /media/ route) in this deployment."""
    return get_config().api_url


def avatar_url_of(user: User) -> str:
    return media_url(user.profile_picture, backend_base_url()) or ""


def initials_of(user: User) -> str:
    letters = (user.first_name[:1] + user.last_name[:1]).strip()
    return (letters or user.username[:2]).upper()


def _expires_soon(access_token: str) -> bool:
    # Only called after services.auth verified the signature, so reading `exp` unverified is safe.
    try:
        exp = jwt.decode(access_token, options={"verify_signature": False}).get("exp", 0)
    except jwt.PyJWTError:
        return True
    return float(exp) - time.time() < REFRESH_MARGIN_SECONDS


class AuthState(rx.State):
    """The session of this browser and a display snapshot of its user."""

    # `sync=True`: signing in or out in one tab reaches the others, and a rotated
    # refresh token is shared instead of replayed (a replay revokes the whole family).
    access_token: str = rx.LocalStorage("", name=ACCESS_STORAGE_KEY, sync=True)
    refresh_token: str = rx.LocalStorage("", name=REFRESH_STORAGE_KEY, sync=True)

    user_id: int = 0
    username: str = ""
    display_name: str = ""
    email: str = ""
    initials: str = ""
    avatar_url: str = ""
    is_admin: bool = False
    # False until the first check after load: the navbar shows neither "Log in" nor a user
    # menu before it knows which one is true.
    session_checked: bool = False

    @rx.var
    def signed_in(self) -> bool:
        return self.user_id > 0

    # ------------------------------------------------------------ private helpers

    def _resolve_user(self, session: Session) -> User | None:
        """The one place that answers "who is this?" for every handler of every state.

        Verifies the stored access token; when it is expired (or about to be) rotates the
        pair with the refresh token and stores the new one; when that fails too, the session
        is cleared. The returned user is attached to `session`.
        """
        user: User | None = None
        if self.access_token:
            try:
                user = auth.user_from_access_token(session, self.access_token)
            except InvalidToken:
                user = None
        if (user is None or _expires_soon(self.access_token)) and self.refresh_token:
            try:
                user, pair = auth.refresh(session, self.refresh_token)
            except InvalidToken:
                user = None
            else:
                self._store_pair(pair)
        if user is None:
            self._clear_session()
        else:
            self._show_user(user)
        self.session_checked = True
        return user

    def _store_pair(self, pair: TokenPair) -> None:
        self.access_token = pair.access
        self.refresh_token = pair.refresh

    def _sign_in(self, user: User, pair: TokenPair) -> None:
        """After a successful login: keep the pair in browser storage, show the user."""
        self._store_pair(pair)
        self._show_user(user)
        self.session_checked = True

    def _show_user(self, user: User) -> None:
        assert user.id is not None
        self.user_id = user.id
        self.username = user.username
        self.display_name = user.display_name
        self.email = user.email
        self.initials = initials_of(user)
        self.avatar_url = avatar_url_of(user)
        self.is_admin = user.is_admin

    def _clear_session(self) -> None:
        self.access_token = ""
        self.refresh_token = ""
        self.user_id = 0
        self.username = ""
        self.display_name = ""
        self.email = ""
        self.initials = ""
        self.avatar_url = ""
        self.is_admin = False

    # ------------------------------------------------------------ events

    @rx.event
    def sync_session(self) -> Any:
        """Every page's on_load: rebuild (or drop) the session from browser storage, then
        (re)join this tab to its user's live notifications."""
        from webinar_app.state.notifications import NotificationState

        with session_scope() as session:
            self._resolve_user(session)
        return NotificationState.connect

    @rx.event
    def logout(self) -> list[Any]:
        """Revoke the refresh token on the server, then forget the pair in the browser."""
        with session_scope() as session:
            user = self._resolve_user(session)
            if user is not None:
                auth.logout(session, user, self.refresh_token)
        self._clear_session()
        from webinar_app.state.notifications import NotificationState

        return [NotificationState.connect, rx.redirect(routes.HOME), rx.toast.info("You are signed out.")]


async def user_for(state: rx.State, session: Session) -> User | None:
    """The signed-in user for a handler of any state (re-checked from storage every time)."""
    auth_state = await state.get_state(AuthState)
    return auth_state._resolve_user(session)


async def sign_in(state: rx.State, user: User, pair: TokenPair) -> None:
    """Store a freshly issued pair for this browser (login, password change)."""
    auth_state = await state.get_state(AuthState)
    auth_state._sign_in(user, pair)


async def show_user(state: rx.State, user: User) -> None:
    """Refresh the navbar snapshot after the user's own record changed."""
    auth_state = await state.get_state(AuthState)
    auth_state._show_user(user)


def login_redirect(state: rx.State) -> EventSpec:
    """Send a signed-out visitor to log in, coming back to the page they asked for."""
    url = state.router.url
    here = url.path + (f"?{url.query}" if url.query else "")
    return rx.redirect(routes.login_url(here or routes.HOME))
