"""State-level tests: the handlers the browser calls, driven directly against a real database.

States are built the way Reflex builds them (`rx.State(_reflex_internal_init=True)` creates
the whole tree, so `get_state` works) and handlers are called through `.fn`.
"""

from __future__ import annotations

import asyncio
import inspect
from datetime import timedelta
from typing import Any, TypeVar

import pytest
import reflex as rx
from sqlmodel import Session, select

from tests.conftest import make_user
from webinar_app import routes
from webinar_app.core.security import encode_token, utcnow
from webinar_app.models import RefreshToken, User
from webinar_app.services import auth
from webinar_app.services.errors import NotAuthenticated
from webinar_app.state.admin import AdminUsersState
from webinar_app.state.auth import AuthState
from webinar_app.state.login import LoginState
from webinar_app.state.profile import ProfileState
from webinar_app.state.signup import SignupState
from webinar_app.state.verify import VerifyState

S = TypeVar("S", bound=rx.State)
PASSWORD = "correct-horse-1"


def tree() -> rx.State:
    import webinar_app.pages  # noqa: F401  (every state class registered, as in the app)

    return rx.State(_reflex_internal_init=True)


def sub(root: rx.State, cls: type[S]) -> S:
    state = root.get_substate(cls._get_substate_path())
    assert isinstance(state, cls)
    return state


def run(result: Any) -> list[Any]:
    """Drive a handler's result (value, coroutine or async generator) to a flat event list."""

    async def drive() -> list[Any]:
        value = result
        if inspect.iscoroutine(value):
            value = await value
        out: list[Any] = []
        if inspect.isasyncgen(value):
            async for item in value:
                out.append(item)
        else:
            out.append(value)
        flat: list[Any] = []
        for item in out:
            if isinstance(item, list):
                flat.extend(item)
            elif item is not None:
                flat.append(item)
        return flat

    return asyncio.run(drive())


def redirect_targets(events: list[Any]) -> list[str]:
    targets = []
    for event in events:
        if getattr(getattr(event, "handler", None), "fn", None) is None:
            continue
        if event.handler.fn.__qualname__.endswith("redirect") or "redirect" in str(event.handler):
            for name, value in event.args:
                if str(name) == "path":
                    targets.append(str(value).strip('"'))
    return targets


def signed_in_tree(session: Session, username: str = "alice", **kw: Any) -> tuple[rx.State, User]:
    user = make_user(session, username, **kw)
    root = tree()
    run(LoginState.submit.fn(sub(root, LoginState), {"login": username, "password": PASSWORD}))
    assert sub(root, AuthState).access_token
    return root, user


# ---------------------------------------------------------------- login


def test_login_stores_token_pair_for_good_credentials(session: Session) -> None:
    make_user(session, "alice")
    root = tree()
    login = sub(root, LoginState)

    events = run(LoginState.submit.fn(login, {"login": "ALICE@example.com", "password": PASSWORD}))

    auth_state = sub(root, AuthState)
    assert auth_state.access_token and auth_state.refresh_token
    assert auth_state.user_id > 0 and auth_state.username == "alice"
    assert login.error == "" and login.submitting is False
    assert routes.HOME in redirect_targets(events)
    # The stored access token really identifies alice on the server.
    assert auth.user_from_access_token(session, auth_state.access_token).username == "alice"


def test_login_shows_error_and_stores_nothing_for_bad_credentials(session: Session) -> None:
    make_user(session, "alice")
    root = tree()
    login = sub(root, LoginState)

    events = run(LoginState.submit.fn(login, {"login": "alice", "password": "wrong-password"}))

    assert login.error == "No active account found with the given credentials"
    assert sub(root, AuthState).access_token == ""
    assert sub(root, AuthState).refresh_token == ""
    assert redirect_targets(events) == []


def test_login_of_unverified_account_goes_to_verify_page(session: Session) -> None:
    from webinar_app.services import accounts

    accounts.register(
        session, username="newbie", email="newbie@example.com", password=PASSWORD, password_confirm=PASSWORD
    )
    root = tree()

    events = run(LoginState.submit.fn(sub(root, LoginState), {"login": "newbie", "password": PASSWORD}))

    assert redirect_targets(events) == [routes.verify_email_url("newbie@example.com")]
    assert sub(root, VerifyState).email == "newbie@example.com"
    assert sub(root, AuthState).access_token == ""


def test_login_form_tolerates_non_string_values(session: Session) -> None:
    root = tree()
    login = sub(root, LoginState)
    run(LoginState.submit.fn(login, {"login": ["x"], "password": {"y": 1}}))
    assert login.error


# ---------------------------------------------------------------- protected handlers


def test_protected_page_redirects_to_login_without_a_token(database_url: str) -> None:
    root = tree()
    events = run(ProfileState.load.fn(sub(root, ProfileState)))
    assert redirect_targets(events) and redirect_targets(events)[0].startswith(routes.LOGIN)
    assert sub(root, ProfileState).loaded is False


def test_protected_handler_refuses_forged_token_and_state_vars(session: Session) -> None:
    victim = make_user(session, "alice")
    root = tree()
    auth_state = sub(root, AuthState)
    # A websocket client can set any var: a fake token and a fake user id must not help.
    auth_state.access_token = "not-a-jwt"
    auth_state.user_id = victim.id
    profile = sub(root, ProfileState)

    events = run(
        ProfileState.save_profile.fn(
            profile, {"first_name": "Hacked", "last_name": "", "email": "x@example.com"}
        )
    )

    assert redirect_targets(events)[0].startswith(routes.LOGIN)
    session.refresh(victim)
    assert victim.first_name == "" and victim.email == "alice@example.com"
    assert auth_state.user_id == 0 and auth_state.access_token == ""


def test_token_signed_with_other_key_is_refused(session: Session) -> None:
    import jwt

    victim = make_user(session, "alice")
    forged = jwt.encode(
        {"token_type": "access", "user_id": str(victim.id), "exp": 9999999999, "iat": 1, "jti": "x"},
        "some-other-key-that-is-long-enough-for-hs256",
        algorithm="HS256",
    )
    root = tree()
    sub(root, AuthState).access_token = forged
    events = run(AdminUsersState.load.fn(sub(root, AdminUsersState)))
    assert redirect_targets(events)[0].startswith(routes.LOGIN)


def test_expired_access_token_is_refreshed_and_new_pair_stored(session: Session) -> None:
    root, user = signed_in_tree(session)
    auth_state = sub(root, AuthState)
    old_refresh = auth_state.refresh_token
    expired, _, _ = encode_token(
        "access", {"user_id": str(user.id), "role": user.role}, now=utcnow() - timedelta(days=1)
    )
    auth_state.access_token = expired

    run(AuthState.sync_session.fn(auth_state))

    assert auth_state.user_id == user.id
    assert auth_state.access_token != expired and auth_state.refresh_token != old_refresh
    assert auth.user_from_access_token(session, auth_state.access_token).id == user.id
    with pytest.raises(NotAuthenticated):  # the old refresh token was rotated away
        auth.refresh(session, old_refresh)


def test_failed_refresh_clears_the_session(session: Session) -> None:
    root, user = signed_in_tree(session)
    auth_state = sub(root, AuthState)
    auth_state.access_token = ""
    auth_state.refresh_token = "garbage"

    run(AuthState.sync_session.fn(auth_state))

    assert auth_state.user_id == 0 and auth_state.refresh_token == "" and auth_state.session_checked


def test_logout_revokes_refresh_token_and_clears_storage(session: Session) -> None:
    root, user = signed_in_tree(session)
    auth_state = sub(root, AuthState)
    refresh = auth_state.refresh_token

    events = run(AuthState.logout.fn(auth_state))

    assert auth_state.access_token == "" and auth_state.refresh_token == "" and auth_state.user_id == 0
    assert routes.HOME in redirect_targets(events)
    session.expire_all()
    assert all(t.revoked_at is not None for t in session.exec(select(RefreshToken)))
    with pytest.raises(NotAuthenticated):
        auth.refresh(session, refresh)


def test_deactivated_user_loses_the_session(session: Session) -> None:
    root, user = signed_in_tree(session)
    user.is_active = False
    session.add(user)
    session.commit()

    run(AuthState.sync_session.fn(sub(root, AuthState)))

    assert sub(root, AuthState).user_id == 0


# ---------------------------------------------------------------- pages behind the session


def test_profile_update_goes_through_the_service(session: Session) -> None:
    root, user = signed_in_tree(session)
    profile = sub(root, ProfileState)
    run(ProfileState.load.fn(profile))
    assert profile.loaded and profile.email == "alice@example.com"

    run(
        ProfileState.save_profile.fn(profile, {"first_name": "Alice", "last_name": "Liddell", "email": "bad"})
    )
    assert "email" in profile.field_errors

    run(
        ProfileState.save_profile.fn(
            profile, {"first_name": "Alice", "last_name": "Liddell", "email": "alice@example.com"}
        )
    )
    assert profile.field_errors == {}
    assert sub(root, AuthState).display_name == "Alice Liddell"
    session.refresh(user)
    assert user.first_name == "Alice"


def test_password_change_keeps_this_browser_signed_in(session: Session) -> None:
    root, user = signed_in_tree(session)
    auth_state = sub(root, AuthState)
    old_refresh = auth_state.refresh_token
    profile = sub(root, ProfileState)
    form = {"old_password": PASSWORD, "new_password": "new-horse-22", "new_password_confirm": "new-horse-22"}

    run(ProfileState.change_password.fn(profile, {**form, "old_password": "nope"}))
    assert "old_password" in profile.password_errors

    run(ProfileState.change_password.fn(profile, form))
    assert profile.password_errors == {}
    assert auth_state.refresh_token != old_refresh
    _, pair = auth.refresh(session, auth_state.refresh_token)  # the new pair works
    assert pair.access


def test_admin_page_refuses_students_and_lists_users_for_admins(session: Session) -> None:
    root, _ = signed_in_tree(session, "alice")
    admin_state = sub(root, AdminUsersState)
    run(AdminUsersState.load.fn(admin_state))
    assert admin_state.loaded and not admin_state.allowed and admin_state.users == []

    root, _ = signed_in_tree(session, "root", role="admin", superuser=True)
    admin_state = sub(root, AdminUsersState)
    run(AdminUsersState.load.fn(admin_state))
    assert admin_state.allowed
    assert {u.username for u in admin_state.users} == {"alice", "root"}


# ---------------------------------------------------------------- sign-up and verification


def test_signup_shows_field_errors_then_sends_to_verify(session: Session, outbox: Any) -> None:
    root = tree()
    signup = sub(root, SignupState)
    form = {
        "username": "carol",
        "email": "carol@example.com",
        "first_name": "Carol",
        "last_name": "",
        "password": PASSWORD,
        "password_confirm": "different",
    }
    run(SignupState.submit.fn(signup, form))
    assert signup.field_errors == {"password": "Passwords do not match."}

    events = run(SignupState.submit.fn(signup, {**form, "password_confirm": PASSWORD}))
    assert signup.field_errors == {}
    assert redirect_targets(events) == [routes.verify_email_url("carol@example.com")]
    verify = sub(root, VerifyState)
    assert verify.email == "carol@example.com"

    run(VerifyState.submit.fn(verify, {"email": "carol@example.com", "otp": "000000"}))
    if verify.error_code == "":  # the one-in-a-million chance the real code is 000000
        return
    assert verify.error_code == "invalid_otp" and verify.attempts_remaining == 4

    events = run(
        VerifyState.submit.fn(
            verify, {"email": "carol@example.com", "otp": outbox.last_code("carol@example.com")}
        )
    )
    assert verify.error == "" and redirect_targets(events) == [routes.LOGIN]


def test_resend_starts_the_cooldown(session: Session) -> None:
    from webinar_app.services import accounts

    accounts.register(
        session, username="dave", email="dave@example.com", password=PASSWORD, password_confirm=PASSWORD
    )
    root = tree()
    verify = sub(root, VerifyState)
    verify.email = "dave@example.com"

    events = run(VerifyState.resend.fn(verify))
    assert verify.resend_in == 60 and verify.error == ""
    assert any("countdown" in str(getattr(e, "fn", e)) or "countdown" in str(e) for e in events)

    verify.resend_in = 0  # a client could reset its own counter: the service still refuses
    run(VerifyState.resend.fn(verify))
    assert verify.error_code == "resend_cooldown_active" and verify.resend_in > 0


def test_safe_next_refuses_other_sites() -> None:
    assert routes.safe_next("/profile?tab=1") == "/profile?tab=1"
    for bad in ("https://evil.example", "//evil.example", "/\\evil", "", None, routes.LOGIN):
        assert routes.safe_next(bad) == routes.HOME
    assert routes.login_url("/admin") == "/login?next=%2Fadmin"


def test_forgot_password_answers_the_same_and_reset_uses_the_token(session: Session, outbox: Any) -> None:
    from webinar_app.state.password import ForgotPasswordState, ResetPasswordState

    make_user(session, "alice")
    root = tree()
    forgot = sub(root, ForgotPasswordState)
    run(ForgotPasswordState.submit.fn(forgot, {"email": "nobody@example.com"}))
    assert forgot.sent and forgot.error == ""
    forgot.sent = False
    run(ForgotPasswordState.submit.fn(forgot, {"email": "alice@example.com"}))
    assert forgot.sent and forgot.error == ""

    reset = sub(root, ResetPasswordState)
    form = {"token": "wrong", "new_password": "brand-new-pass", "new_password_confirm": "brand-new-pass"}
    run(ResetPasswordState.submit.fn(reset, form))
    assert "token" in reset.field_errors

    token = outbox.last_reset_token("alice@example.com")
    events = run(ResetPasswordState.submit.fn(reset, {**form, "token": token}))
    assert reset.field_errors == {} and redirect_targets(events) == [routes.LOGIN]
    _, pair = auth.login(session, "alice", "brand-new-pass")
    assert pair.access
