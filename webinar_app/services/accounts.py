"""Accounts: sign-up with an emailed code, verification, profile edits and roles.

Authentication (login, tokens) lives in `services.auth`; passwords in `services.passwords`.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, true
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from webinar_app.core.security import (
    constant_time_equals,
    hash_password,
    keyed_hash,
    random_otp,
    utcnow,
)
from webinar_app.models import EmailKind, EmailVerification, Role, User
from webinar_app.models.base import as_utc
from webinar_app.services import audit
from webinar_app.services.email import queue as mail_queue
from webinar_app.services.email import templates
from webinar_app.services.errors import Conflict, Invalid, NotFound, PermissionDenied, RateLimited
from webinar_app.services.validation import (
    ErrorCollector,
    name_problem,
    normalise_email,
    password_problem,
    username_problem,
)

OTP_LIFETIME = timedelta(minutes=10)
OTP_MAX_ATTEMPTS = 5
RESEND_COOLDOWN = timedelta(seconds=60)
ROLE_CHOICES = {r.value for r in Role}


# ---------------------------------------------------------------- lookups


MAX_ID = 2**31 - 1  # ids are 32-bit INTEGER columns; PostgreSQL errors on larger values


def get_user(session: Session, user_id: int) -> User:
    if not 0 < user_id <= MAX_ID:
        raise NotFound()
    user = session.get(User, user_id)
    if user is None:
        raise NotFound()
    return user


def find_by_email(session: Session, email: str) -> User | None:
    return session.exec(select(User).where(User.email_key == email.strip().lower())).first()


def find_by_login(session: Session, login: str) -> User | None:
    """Username or email, case-insensitive (an exact username wins)."""
    return next(iter(login_candidates(session, login)), None)


def login_candidates(session: Session, login: str) -> list[User]:
    """Accounts a login string may name: one user's username can be another user's email
    (usernames may contain `@`), so the username match comes first, then the email match."""
    key = login.strip().lower()
    if not key:
        return []
    users = session.exec(
        select(User).where((User.username_key == key) | (User.email_key == key))
    ).all()
    return sorted(users, key=lambda u: u.username_key != key)


def visible_user(session: Session, actor: User, user_id: int) -> User:
    """Self or admin; anyone else gets 404 (they may not know the record exists)."""
    if actor.id != user_id and not actor.is_admin:
        raise NotFound()
    return get_user(session, user_id)


def _user_search(search: str | None) -> Any:
    if not search or not search.strip():
        return true()
    needle = search.strip().lower()
    return (
        col(User.username_key).contains(needle, autoescape=True)
        | col(User.email_key).contains(needle, autoescape=True)
        | func.lower(User.first_name).contains(needle, autoescape=True)
        | func.lower(User.last_name).contains(needle, autoescape=True)
    )


def list_users(session: Session, actor: User, *, search: str | None = None) -> list[User]:
    require_admin(actor)
    return list(session.exec(select(User).where(_user_search(search)).order_by(col(User.id))))


def users_page(
    session: Session, actor: User, *, search: str | None = None, page: int = 1, page_size: int = 25
) -> tuple[list[User], int]:
    """One page of the (searched) user list, by id, and the total number that match."""
    require_admin(actor)
    clause = _user_search(search)
    total = session.exec(select(func.count()).select_from(User).where(clause)).one()
    page_size = max(1, min(page_size, 200))
    offset = (max(page, 1) - 1) * page_size
    rows = session.exec(select(User).where(clause).order_by(col(User.id)).offset(offset).limit(page_size))
    return list(rows), total


def require_admin(actor: User) -> None:
    if not actor.is_admin:
        raise PermissionDenied(
            "You do not have permission to perform this action. Admin access required."
        )


def count_admins(session: Session) -> int:
    return session.exec(
        select(func.count()).select_from(User).where(User.role == Role.admin.value, User.is_active)
    ).one()


# ---------------------------------------------------------------- creation


def _check_new_identity(
    session: Session, errors: ErrorCollector, username: str, email: str
) -> str | None:
    errors.check("username", username_problem(username))
    normalised, problem = normalise_email(email)
    errors.check("email", problem)
    if username and not errors.errors.get("username") and session.exec(
        select(User.id).where(User.username_key == username.lower())
    ).first():
        errors.add("username", "A user with that username already exists.")
    if normalised and find_by_email(session, normalised):
        errors.add("email", "A user with this email already exists.")
    return normalised


def _new_user(
    username: str, email: str, password: str, first_name: str, last_name: str, *, active: bool
) -> User:
    """Sign-up makes inactive, unverified accounts; admins and the CLI make ready ones."""
    return User(
        username=username,
        username_key=username.lower(),
        email=email,
        email_key=email.lower(),
        password_hash=hash_password(password),
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        is_active=active,
        email_verified=active,
    )


def _insert_user(session: Session, user: User) -> User:
    session.add(user)
    try:
        session.flush()
    except IntegrityError as exc:
        # Two sign-ups raced past the pre-check: the unique index decides.
        session.rollback()
        raise Invalid({"username": ["A user with that username already exists."]}) from exc
    return user


def register(
    session: Session,
    *,
    username: str,
    email: str,
    password: str,
    password_confirm: str,
    first_name: str = "",
    last_name: str = "",
) -> User:
    """Create an inactive, unverified account and mail it a 6-digit code."""
    username = username.strip()
    errors = ErrorCollector()
    normalised = _check_new_identity(session, errors, username, email)
    errors.check("password", password_problem(password))
    if not errors.errors.get("password") and password != password_confirm:
        errors.add("password", "Passwords do not match.")
    errors.check("first_name", name_problem(first_name))
    errors.check("last_name", name_problem(last_name))
    errors.raise_if_any()
    assert normalised is not None
    user = _insert_user(
        session,
        _new_user(username, normalised, password, first_name, last_name, active=False),
    )
    code = _new_code(session, user)
    session.commit()
    mail_queue.send_now(
        session, templates.verification_code(user.email, user.username, code),
        kind=EmailKind.account.value, template="verification_code", user_id=user.id,
    )
    return user


def create_user(
    session: Session,
    actor: User | None,
    *,
    username: str,
    email: str,
    password: str,
    first_name: str = "",
    last_name: str = "",
    role: str = Role.student.value,
    is_superuser: bool = False,
) -> User:
    """Admin creation (or the CLI when `actor` is None): active and verified at once."""
    if actor is not None:
        require_admin(actor)
        if is_superuser:
            raise PermissionDenied("Superusers are created with the create-admin command only.")
    username = username.strip()
    errors = ErrorCollector()
    normalised = _check_new_identity(session, errors, username, email)
    errors.check("password", password_problem(password))
    if role not in ROLE_CHOICES:
        errors.add("role", f'"{role}" is not a valid choice.')
    errors.check("first_name", name_problem(first_name))
    errors.check("last_name", name_problem(last_name))
    errors.raise_if_any()
    assert normalised is not None
    user = _new_user(username, normalised, password, first_name, last_name, active=True)
    user.role, user.is_superuser = role, is_superuser
    user = _insert_user(session, user)
    if actor is not None:
        audit.record(
            session, actor, "user.create", "user", user.id,
            after=audit.snapshot(user, "username", "email", "role", "is_active"),
        )
    session.commit()
    session.refresh(user)
    return user


# ---------------------------------------------------------------- verification


def _new_code(session: Session, user: User) -> str:
    code = random_otp()
    now = utcnow()
    record = session.exec(
        select(EmailVerification).where(EmailVerification.user_id == user.id)
    ).first()
    if record is None:
        assert user.id is not None
        record = EmailVerification(user_id=user.id, otp_hash="", expires_at=now)
    record.otp_hash = keyed_hash(code)
    record.attempts = 0
    record.created_at = now
    record.expires_at = now + OTP_LIFETIME
    session.add(record)
    return code


def _pending_verification(session: Session, email: str) -> tuple[User, EmailVerification | None]:
    user = find_by_email(session, email)
    if user is None:
        raise NotFound("No account with this email.", error_code="user_not_found")
    record = session.exec(
        select(EmailVerification).where(EmailVerification.user_id == user.id)
    ).first()
    return user, record


def verify_email(session: Session, *, email: str, otp: str, now: datetime | None = None) -> User:
    now = now or utcnow()
    otp = otp.strip()
    if not otp.isdigit():
        raise Invalid.field("otp", "OTP must contain only digits.")
    if len(otp) != 6:
        raise Invalid.field("otp", "OTP must be exactly 6 digits.")
    user, record = _pending_verification(session, email)
    if user.email_verified:
        raise Conflict(
            "This email is already verified. You can log in now.", error_code="already_verified"
        )
    if record is None:
        raise NotFound("No verification code was issued for this email.", error_code="otp_not_found")
    if record.attempts >= OTP_MAX_ATTEMPTS:
        raise RateLimited(
            "Too many failed attempts. Please request a new code.",
            error_code="max_attempts_exceeded",
        )
    if as_utc(record.expires_at) < now:  # type: ignore[operator]
        raise Conflict("OTP has expired. Please request a new one.", error_code="otp_expired")
    if not constant_time_equals(record.otp_hash, keyed_hash(otp)):
        record.attempts += 1
        session.add(record)
        session.commit()
        remaining = max(OTP_MAX_ATTEMPTS - record.attempts, 0)
        raise Conflict(
            f"Invalid OTP. {remaining} attempts remaining.",
            error_code="invalid_otp",
            attempts_remaining=remaining,
        )
    user.email_verified = True
    user.is_active = True
    user.updated_at = now
    session.add(user)
    session.delete(record)
    session.commit()
    return user


def resend_code(session: Session, *, email: str, now: datetime | None = None) -> User | None:
    """Mail a fresh code. Unknown emails return None (the caller answers the same way)."""
    now = now or utcnow()
    user = find_by_email(session, email)
    if user is None:
        return None
    if user.email_verified:
        raise Conflict(
            "This email is already verified. You can log in now.", error_code="already_verified"
        )
    record = session.exec(
        select(EmailVerification).where(EmailVerification.user_id == user.id)
    ).first()
    if record is not None and record.resent_at is not None:
        wait = as_utc(record.resent_at) + RESEND_COOLDOWN - now  # type: ignore[operator]
        if wait.total_seconds() > 0:
            raise RateLimited(
                "Please wait before requesting a new OTP.",
                error_code="resend_cooldown_active",
                retry_after=int(wait.total_seconds()) + 1,
            )
    code = _new_code(session, user)
    record = session.exec(
        select(EmailVerification).where(EmailVerification.user_id == user.id)
    ).one()
    record.resent_at = now
    session.add(record)
    session.commit()
    mail_queue.send_now(
        session, templates.verification_code(user.email, user.username, code),
        kind=EmailKind.account.value, template="verification_code", user_id=user.id,
    )
    return user


def resend_available_in(session: Session, email: str, now: datetime | None = None) -> int:
    """Seconds until a resend is allowed (the verify page's countdown)."""
    now = now or utcnow()
    user = find_by_email(session, email)
    if user is None:
        return 0
    record = session.exec(
        select(EmailVerification).where(EmailVerification.user_id == user.id)
    ).first()
    if record is None or record.resent_at is None:
        return 0
    wait = (as_utc(record.resent_at) + RESEND_COOLDOWN - now).total_seconds()  # type: ignore[operator]
    return max(int(wait) + (1 if wait % 1 else 0), 0)


# ---------------------------------------------------------------- edits


def update_profile(
    session: Session,
    actor: User,
    user_id: int,
    *,
    first_name: str | None = None,
    last_name: str | None = None,
    email: str | None = None,
    username: str | None = None,
    timezone: str | None = None,
) -> User:
    """Self or admin edits names/email; roles are never changed here."""
    user = visible_user(session, actor, user_id)
    errors = ErrorCollector()
    if first_name is not None:
        errors.check("first_name", name_problem(first_name))
    if last_name is not None:
        errors.check("last_name", name_problem(last_name))
    new_email: str | None = None
    if email is not None:
        new_email, problem = normalise_email(email)
        errors.check("email", problem)
        if new_email and new_email.lower() != user.email_key and find_by_email(session, new_email):
            errors.add("email", "A user with this email already exists.")
    if username is not None:
        username = username.strip()
        errors.check("username", username_problem(username))
        if (
            not errors.errors.get("username")
            and username.lower() != user.username_key
            and session.exec(select(User.id).where(User.username_key == username.lower())).first()
        ):
            errors.add("username", "A user with that username already exists.")
    if timezone is not None:
        errors.check("timezone", _timezone_problem(timezone))
    errors.raise_if_any()
    if first_name is not None:
        user.first_name = first_name.strip()
    if last_name is not None:
        user.last_name = last_name.strip()
    if new_email is not None:
        user.email = new_email
        user.email_key = new_email.lower()
    if username is not None:
        user.username = username
        user.username_key = username.lower()
    if timezone is not None:
        user.timezone = timezone
        user.timezone_auto = False  # chosen: the browser's zone no longer replaces it
    user.updated_at = utcnow()
    session.add(user)
    try:
        session.commit()
    except IntegrityError as exc:
        session.rollback()
        raise Invalid({"email": ["A user with this email already exists."]}) from exc
    session.refresh(user)
    return user


def _timezone_problem(name: str) -> str | None:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return "Unknown time zone."
    return None


def update_role(session: Session, actor: User, user_id: int, role: str) -> tuple[User, str]:
    """Admin-only role change; returns (user, previous role)."""
    require_admin(actor)
    user = get_user(session, user_id)
    if role not in ROLE_CHOICES:
        raise Invalid.field("role", f'"{role}" is not a valid choice.')
    if user.is_superuser:
        raise PermissionDenied("Cannot change superuser role")
    if user.id == actor.id:
        raise PermissionDenied("You cannot change your own role")
    previous = user.role
    if previous == Role.admin.value and role != previous and count_admins(session) <= 1:
        raise PermissionDenied("Cannot demote the last admin")
    if role != previous:
        audit.record(
            session, actor, "user.role", "user", user.id, before={"role": previous}, after={"role": role}
        )
    user.role = role
    user.updated_at = utcnow()
    session.add(user)
    session.commit()
    session.refresh(user)
    return user, previous


def set_active(session: Session, actor: User, user_id: int, active: bool) -> User:
    require_admin(actor)
    user = get_user(session, user_id)
    if not active:
        if user.id == actor.id:
            raise PermissionDenied("You cannot deactivate yourself")
        if user.is_admin and count_admins(session) <= 1:
            raise PermissionDenied("Cannot deactivate the last admin")
    if user.is_active != active:
        audit.record(
            session, actor, "user.activate" if active else "user.deactivate", "user", user.id,
            before={"is_active": user.is_active}, after={"is_active": active},
        )
    user.is_active = active
    user.updated_at = utcnow()
    session.add(user)
    session.commit()
    return user


def delete_user(session: Session, actor: User, user_id: int) -> None:
    user = visible_user(session, actor, user_id)
    if user.is_superuser:
        raise PermissionDenied("Cannot delete a superuser")
    if user.is_admin and count_admins(session) <= 1:
        raise PermissionDenied("Cannot delete the last admin")
    audit.record(
        session, actor, "user.delete", "user", user.id,
        before=audit.snapshot(user, "username", "email", "role", "is_active"),
    )
    session.delete(user)
    session.commit()
