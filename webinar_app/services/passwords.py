"""Changing a password, and resetting a forgotten one by email."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session, select

from webinar_app.core.security import (
    hash_password,
    keyed_hash,
    random_token,
    utcnow,
    verify_password,
)
from webinar_app.models import EmailKind, PasswordResetToken, User
from webinar_app.models.base import as_utc
from webinar_app.services.accounts import find_by_email
from webinar_app.services.auth import revoke_all
from webinar_app.services.email import queue as mail_queue
from webinar_app.services.email import templates
from webinar_app.services.errors import Invalid
from webinar_app.services.validation import ErrorCollector, password_problem

RESET_LIFETIME = timedelta(hours=1)


def _check_new_password(errors: ErrorCollector, new_password: str, confirm: str) -> None:
    errors.check("new_password", password_problem(new_password))
    if not errors.errors.get("new_password") and new_password != confirm:
        errors.add("new_password", "Passwords do not match.")


def change_password(
    session: Session, user: User, *, old_password: str, new_password: str, new_password_confirm: str
) -> None:
    errors = ErrorCollector()
    if not verify_password(old_password, user.password_hash):
        errors.add("old_password", "Wrong password.")
    _check_new_password(errors, new_password, new_password_confirm)
    errors.raise_if_any()
    user.password_hash = hash_password(new_password)
    user.updated_at = utcnow()
    session.add(user)
    assert user.id is not None
    revoke_all(session, user.id)
    session.commit()


def request_reset(session: Session, email: str) -> None:
    """Mail a reset link if the account exists; the caller answers identically either way."""
    user = find_by_email(session, email)
    if user is None or not user.is_active:
        return
    token = random_token()
    assert user.id is not None
    session.add(
        PasswordResetToken(
            user_id=user.id, token_hash=keyed_hash(token), expires_at=utcnow() + RESET_LIFETIME
        )
    )
    session.commit()
    mail_queue.send_now(
        session, templates.password_reset(user.email, user.username, token),
        kind=EmailKind.account.value, template="password_reset", user_id=user.id,
    )


def confirm_reset(
    session: Session,
    *,
    token: str,
    new_password: str,
    new_password_confirm: str,
    now: datetime | None = None,
) -> User:
    now = now or utcnow()
    errors = ErrorCollector()
    _check_new_password(errors, new_password, new_password_confirm)
    record = session.exec(
        select(PasswordResetToken).where(PasswordResetToken.token_hash == keyed_hash(token.strip()))
    ).first()
    if (
        record is None
        or record.used_at is not None
        or as_utc(record.expires_at) <= now  # type: ignore[operator]
    ):
        errors.add("token", "This reset link is invalid or has expired.")
    errors.raise_if_any()
    assert record is not None
    user = session.get(User, record.user_id)
    if user is None or not user.is_active:
        raise Invalid.field("token", "This reset link is invalid or has expired.")
    record.used_at = now
    user.password_hash = hash_password(new_password)
    user.updated_at = now
    session.add(record)
    session.add(user)
    revoke_all(session, record.user_id)
    session.commit()
    return user
