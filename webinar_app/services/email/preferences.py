"""Who wants which mail: per-kind switches, the user's time zone, signed unsubscribe links.

A missing preference row means the kind's default, so new users need no rows and adding a
kind later needs no data migration. Announcements are opt-in (they go to everyone); the
rest is on by default. Account mails (codes, resets) cannot be switched off.

Unsubscribe links carry an HMAC over (user id, kind) and nothing else: they work without
signing in, from any mail client, for as long as the account exists, and cannot be forged
for another user or another kind.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from sqlmodel import Session, col, select

from webinar_app.core.config import get_settings
from webinar_app.core.security import constant_time_equals, keyed_hash, utcnow
from webinar_app.models import EmailKind, EmailPreference, User
from webinar_app.services.errors import Invalid, NotFound
from webinar_app.services.validation import ErrorCollector


@dataclass(frozen=True)
class KindInfo:
    kind: str
    label: str
    description: str
    default: bool


KINDS: tuple[KindInfo, ...] = (
    KindInfo(EmailKind.registration.value, "Registrations",
             "Confirmations with a calendar invite, waitlist updates", True),
    KindInfo(EmailKind.reminder.value, "Reminders", "Before a webinar you registered for starts", True),
    KindInfo(EmailKind.live.value, "Going live", "When a webinar you registered for goes live", True),
    KindInfo(EmailKind.recording.value, "Recordings", "When a recording of your webinar is available", True),
    KindInfo(EmailKind.schedule_change.value, "Schedule changes",
             "Cancellations and new times, with an updated calendar invite", True),
    KindInfo(EmailKind.announcement.value, "Announcements", "News from the organizers (opt-in)", False),
)
KIND_INFO = {k.kind: k for k in KINDS}
SWITCHABLE = tuple(KIND_INFO)


def default_for(kind: str) -> bool:
    info = KIND_INFO.get(kind)
    return True if info is None else info.default


def valid_zone(name: str) -> bool:
    if not name or len(name) > 64:
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def zone_names() -> list[str]:
    """Every IANA zone the server knows, for the profile page's picker."""
    return sorted(z for z in available_timezones() if "/" in z or z == "UTC")


# ------------------------------------------------------------------ lookups


def wanted_by(session: Session, user_ids: Iterable[int], kind: str) -> set[int]:
    """Which of these users get mail of `kind` (one query, whatever the number of users)."""
    ids = set(user_ids)
    if kind == EmailKind.account.value or not ids:
        return ids
    rows = session.exec(
        select(EmailPreference.user_id, EmailPreference.enabled).where(
            EmailPreference.kind == kind, col(EmailPreference.user_id).in_(ids)
        )
    )
    explicit = dict(rows.all())
    default = default_for(kind)
    return {uid for uid in ids if explicit.get(uid, default)}


def preferences_of(session: Session, user: User) -> dict[str, bool]:
    explicit = dict(
        session.exec(
            select(EmailPreference.kind, EmailPreference.enabled).where(EmailPreference.user_id == user.id)
        ).all()
    )
    return {k.kind: bool(explicit.get(k.kind, k.default)) for k in KINDS}


def settings_of(session: Session, user: User) -> dict[str, Any]:
    """The REST shape: one boolean per kind plus the zone mails use."""
    return {**preferences_of(session, user), "timezone": user.timezone}


def _bool(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "1", "yes", "on"):
        return True
    if isinstance(value, str) and value.strip().lower() in ("false", "0", "no", "off"):
        return False
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    return None


def _store(session: Session, user_id: int, kind: str, enabled: bool) -> None:
    row = session.exec(
        select(EmailPreference).where(EmailPreference.user_id == user_id, EmailPreference.kind == kind)
    ).first()
    if row is None:
        row = EmailPreference(user_id=user_id, kind=kind, enabled=enabled)
    row.enabled = enabled
    row.updated_at = utcnow()
    session.add(row)


def update_settings(session: Session, user: User, data: dict[str, Any]) -> dict[str, Any]:
    """PATCH: any subset of the kinds (booleans) and `timezone`; unknown keys are ignored."""
    errors = ErrorCollector()
    changes: dict[str, bool] = {}
    for kind in SWITCHABLE:
        if kind in data:
            value = _bool(data[kind])
            if value is None:
                errors.add(kind, "Must be a valid boolean.")
            else:
                changes[kind] = value
    zone = None
    if "timezone" in data:
        zone = str(data["timezone"] or "").strip()
        if not valid_zone(zone):
            errors.add("timezone", f'"{zone}" is not a valid time zone.')
    errors.raise_if_any()
    assert user.id is not None
    for kind, enabled in changes.items():
        _store(session, user.id, kind, enabled)
    if zone is not None:
        user.timezone = zone
        user.timezone_auto = False  # an explicit choice: the browser's zone no longer overrides it
        user.updated_at = utcnow()
        session.add(user)
    session.commit()
    return settings_of(session, user)


def adopt_browser_zone(session: Session, user: User, name: str) -> bool:
    """Take the browser's zone while the user has not chosen one; True when it changed."""
    if not user.timezone_auto or not valid_zone(name) or user.timezone == name:
        return False
    user.timezone = name
    user.updated_at = utcnow()
    session.add(user)
    session.commit()
    return True


# ------------------------------------------------------------------ unsubscribe


def _signature(user_id: int, kind: str) -> str:
    return keyed_hash(f"email-unsubscribe:{user_id}:{kind}")[:32]


def unsubscribe_token(user_id: int, kind: str) -> str:
    return f"{user_id}.{kind}.{_signature(user_id, kind)}"


def unsubscribe_url(user_id: int, kind: str) -> str:
    base = get_settings().api_base_url.rstrip("/")
    return f"{base}/api/email/unsubscribe/?token={unsubscribe_token(user_id, kind)}"


def unsubscribe(session: Session, token: str) -> tuple[User, KindInfo]:
    """Turn the token's kind off for its user; an altered or foreign token is `Invalid`."""
    parts = (token or "").strip().split(".")
    if len(parts) != 3 or not parts[0].isdigit() or parts[1] not in KIND_INFO:
        raise Invalid.field("token", "This unsubscribe link is not valid.")
    user_id, kind, sig = int(parts[0]), parts[1], parts[2]
    if not constant_time_equals(sig, _signature(user_id, kind)):
        raise Invalid.field("token", "This unsubscribe link is not valid.")
    user = session.get(User, user_id)
    if user is None:
        raise NotFound()
    _store(session, user_id, kind, False)
    session.commit()
    return user, KIND_INFO[kind]
