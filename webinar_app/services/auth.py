"""Signing in: credentials to a token pair, rotation with replay detection, logout.

Both doors use this: the REST API hands the pair to clients, the Reflex UI keeps it in
browser storage and resolves the user from the access token on every event.
"""

from __future__ import annotations

import random
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam
from sqlmodel import Session, col, select

from webinar_app.core import ratelimit
from webinar_app.core.config import get_settings
from webinar_app.core.security import (
    TokenError,
    burn_password_check,
    decode_token,
    encode_token,
    utcnow,
    verify_password,
)
from webinar_app.models import RefreshToken, User
from webinar_app.models.base import as_utc
from webinar_app.services.accounts import login_candidates
from webinar_app.services.errors import NotAuthenticated, PermissionDenied, RateLimited


@dataclass(frozen=True)
class TokenPair:
    access: str
    refresh: str


class InvalidToken(NotAuthenticated):
    """A bearer or refresh token that is not (or no longer) valid."""


def _claims(user: User) -> dict[str, str]:
    return {
        "user_id": str(user.id),
        "role": user.role,
        "username": user.username,
        "email": user.email,
    }


def issue_tokens(session: Session, user: User, *, family: str | None = None) -> TokenPair:
    claims = _claims(user)
    access, _, _ = encode_token("access", claims)
    refresh, jti, expires = encode_token("refresh", claims)
    assert user.id is not None
    session.add(
        RefreshToken(jti=jti, family=family or uuid.uuid4().hex, user_id=user.id, expires_at=expires)
    )
    session.commit()
    return TokenPair(access=access, refresh=refresh)


def check_login_allowed(user: User) -> None:
    if not user.email_verified:
        raise PermissionDenied(
            "Please verify your email first.", error_code="email_not_verified", email=user.email
        )
    if not user.is_active:
        raise PermissionDenied(
            "Your account has been deactivated. Please contact support.",
            error_code="account_inactive",
        )


def _failure_keys(candidates: list[User], login: str, client: str | None) -> list[str]:
    """The limiter buckets one failed attempt counts against.

    Accounts are keyed by id, so switching between username and email does not buy more
    guesses; an unknown login is keyed by its normalised text and throttled the same way,
    so the 429 does not tell whether an account exists.
    """
    keys = [f"login-fail:user:{u.id}" for u in candidates]
    if not keys:
        keys = [f"login-fail:login:{login.strip().lower()}"]
    if client:
        keys.append(f"login-fail:client:{client}")
    return keys


def _too_many(window: float) -> RateLimited:
    wait = ratelimit.seconds_left(window)
    return RateLimited(
        f"Too many failed login attempts. Try again in {wait} seconds.",
        error_code="too_many_attempts",
        retry_after=wait,
    )


def authenticate(
    session: Session, login: str, password: str, *, client: str | None = None
) -> User:
    """Username or email + password; the wrong-password and unknown-user answers are identical.

    Failed attempts are limited per account and per `client` (the caller's address): once
    either has used up its failures for the window, every attempt for it is refused until
    the window ends, even with the right password, or the limit would not stop guessing.
    Successful sign-ins never count and are never refused while failures are under the limit.
    """
    settings = get_settings()
    limit, window = settings.login_failures_per_minute, settings.login_failure_window_seconds
    candidates = login_candidates(session, login)
    keys = _failure_keys(candidates, login, client)
    _reserve(keys, limit, window)
    try:
        if not candidates:
            burn_password_check(password)
        # Usually one candidate; two when someone's username is another user's email.
        user = next((u for u in candidates if verify_password(password, u.password_hash)), None)
    except BaseException:
        _release(keys, window)
        raise
    if user is None:
        for key in keys:  # the reservation stays counted in `keys`; record the failure itself
            ratelimit.hit(f"{key}:failed", limit, window)
        raise NotAuthenticated("No active account found with the given credentials")
    _release(keys, window)
    check_login_allowed(user)
    return user


RESERVE_WAIT_SECONDS = 60.0  # a queue of correct sign-ins drains at the hashing rate


def _reserve(keys: list[str], limit: int, window: float) -> None:
    """Count this attempt before the password is checked, so a burst of concurrent guesses
    cannot get more than `limit` tries: each key counts failures plus attempts in flight.

    When the in-flight attempts fill the limit but real failures do not, this attempt waits
    for them to finish instead of being refused: a burst of *correct* sign-ins from one
    address (an office behind one NAT) is slowed to `limit` at a time, never answered 429.
    """
    deadline = time.monotonic() + RESERVE_WAIT_SECONDS
    while True:
        counted = [ratelimit.hit(key, limit, window) for key in keys]
        if all(counted):
            return
        _release(keys, window)
        if not all(ratelimit.peek(f"{key}:failed", limit, window) for key in keys):
            raise _too_many(window)
        if time.monotonic() >= deadline:
            raise _too_many(window)
        time.sleep(0.03 + random.random() * 0.04)


def _release(keys: list[str], window: float) -> None:
    for key in keys:
        ratelimit.undo(key, window)


def login(
    session: Session, login: str, password: str, *, client: str | None = None
) -> tuple[User, TokenPair]:
    """Sign in; `client` is the caller's address for the failed-login limit (None: not limited
    per client, e.g. a trusted internal caller)."""
    user = authenticate(session, login, password, client=client)
    user.last_login = utcnow()
    session.add(user)
    return user, issue_tokens(session, user)


def active_user_query(*columns: Any) -> Any:
    """`SELECT is_active, *columns FROM users WHERE id = :user_id`: for the fast lanes, which
    read a token's user and their own data in one statement. `active_in` applies the rule of
    `_active_user` (the user exists and is active) to its rows."""
    return select(col(User.is_active), *columns).select_from(User).where(col(User.id) == bindparam("user_id"))


def active_in(rows: Sequence[Any]) -> bool:
    return bool(rows) and bool(rows[0][0])


def _active_user(session: Session, user_id: str | int) -> User:
    try:
        user = session.get(User, int(user_id))
    except (TypeError, ValueError):
        user = None
    if user is None or not user.is_active:
        # The contract's one refresh error body; the bearer path maps it to its own body.
        raise InvalidToken("Token is invalid", error_code="token_not_valid")
    return user


def user_from_access_token(session: Session, token: str) -> User:
    try:
        payload = decode_token(token, "access")
    except TokenError as exc:
        raise InvalidToken("Token is invalid", error_code="token_not_valid") from exc
    return _active_user(session, payload["user_id"])


def refresh(session: Session, token: str, *, now: datetime | None = None) -> tuple[User, TokenPair]:
    """Rotate: the presented token is revoked and a new pair issued in the same family.

    A token already revoked (logout, or used once) is a replay: the whole family is revoked,
    so a stolen refresh token dies as soon as either party uses it twice.
    """
    now = now or utcnow()
    try:
        payload = decode_token(token, "refresh")
    except TokenError as exc:
        raise InvalidToken("Token is invalid", error_code="token_not_valid") from exc
    record = session.exec(select(RefreshToken).where(RefreshToken.jti == payload["jti"])).first()
    if record is None:
        raise InvalidToken("Token is invalid", error_code="token_not_valid")
    if record.revoked_at is not None:
        _revoke_family(session, record.family, now)
        session.commit()
        raise InvalidToken("Token is invalid", error_code="token_not_valid")
    if as_utc(record.expires_at) <= now:  # type: ignore[operator]
        raise InvalidToken("Token is invalid", error_code="token_not_valid")
    # Claim the token atomically so two concurrent refreshes cannot both succeed.
    claimed = session.exec(  # type: ignore[call-overload]
        RefreshToken.__table__.update()  # type: ignore[attr-defined]
        .where(RefreshToken.__table__.c.id == record.id)  # type: ignore[attr-defined]
        .where(RefreshToken.__table__.c.revoked_at.is_(None))  # type: ignore[attr-defined]
        .values(revoked_at=now)
    )
    if claimed.rowcount != 1:
        session.rollback()
        raise InvalidToken("Token is invalid", error_code="token_not_valid")
    user = _active_user(session, payload["user_id"])
    return user, issue_tokens(session, user, family=record.family)


def _revoke_family(session: Session, family: str, now: datetime) -> None:
    for item in session.exec(
        select(RefreshToken).where(RefreshToken.family == family, RefreshToken.revoked_at.is_(None))  # type: ignore[union-attr]
    ):
        item.revoked_at = now
        session.add(item)


def logout(session: Session, user: User, refresh_token: str | None) -> None:
    """Revoke the given refresh token (only if it belongs to the caller)."""
    if not refresh_token:
        return
    try:
        payload = decode_token(refresh_token, "refresh")
    except TokenError:
        return
    record = session.exec(select(RefreshToken).where(RefreshToken.jti == payload["jti"])).first()
    if record is not None and record.user_id == user.id:
        _revoke_family(session, record.family, utcnow())
        session.commit()


def revoke_all(session: Session, user_id: int) -> None:
    """After a password change or reset, every other session must sign in again."""
    now = utcnow()
    for item in session.exec(
        select(RefreshToken).where(RefreshToken.user_id == user_id, RefreshToken.revoked_at.is_(None))  # type: ignore[union-attr]
    ):
        item.revoked_at = now
        session.add(item)
