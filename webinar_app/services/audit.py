"""Audit log: every admin action, written in the caller's transaction (who, what, when, before/after)."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime, time, timedelta
from enum import Enum
from typing import Any

from sqlmodel import Session, col, func, select

from webinar_app.models import AuditLog, User
from webinar_app.models.base import as_utc, utcnow
from webinar_app.services.errors import PermissionDenied

PAGE_SIZE = 50


def require_admin(actor: User) -> None:
    # Not `accounts.require_admin`: accounts records into this module, so this one imports nothing of ours.
    if not actor.is_admin:
        raise PermissionDenied("You do not have permission to perform this action. Admin access required.")


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return as_utc(value).isoformat()  # type: ignore[union-attr]
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_jsonable(v) for v in value]
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)


def snapshot(obj: Any, *fields: str) -> dict[str, Any]:
    """The named fields of a row (all plain columns when none are named), JSON-ready."""
    if not fields:
        fields = tuple(c.name for c in obj.__table__.columns if c.name not in {"password_hash"})
    return {f: _jsonable(getattr(obj, f, None)) for f in fields}


def changes(obj: Any, values: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(before, after) of the fields in `values` that really change on `obj`."""
    before, after = {}, {}
    for key, value in values.items():
        old, new = _jsonable(getattr(obj, key, None)), _jsonable(value)
        if old != new:
            before[key], after[key] = old, new
    return before, after


def record(
    session: Session,
    actor: User | None,
    action: str,
    target_type: str,
    target_id: int | None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditLog:
    """Add an entry to the caller's transaction; it commits (or rolls back) with the action."""
    entry = AuditLog(
        actor_id=actor.id if actor is not None else None,
        actor_name=actor.username if actor is not None else "system",
        action=action,
        target_type=target_type,
        target_id=target_id,
        before=_jsonable(before) if before is not None else None,
        after=_jsonable(after) if after is not None else None,
        created_at=utcnow(),
    )
    session.add(entry)
    return entry


@dataclasses.dataclass
class AuditPage:
    entries: list[AuditLog]
    total: int
    page: int
    pages: int


def actions(session: Session, actor: User) -> list[str]:
    require_admin(actor)
    return list(session.exec(select(AuditLog.action).distinct().order_by(AuditLog.action)))


def list_entries(
    session: Session,
    actor: User,
    *,
    actor_search: str | None = None,
    action: str | None = None,
    since: date | None = None,
    until: date | None = None,
    page: int = 1,
    page_size: int = PAGE_SIZE,
) -> AuditPage:
    """Newest first; filtered by actor (name contains), exact action, a date range (UTC days, inclusive)."""
    require_admin(actor)
    clauses: list[Any] = []
    if actor_search and actor_search.strip():
        clauses.append(
            func.lower(AuditLog.actor_name).contains(actor_search.strip().lower(), autoescape=True)
        )
    if action:
        clauses.append(AuditLog.action == action)
    if since is not None:
        clauses.append(col(AuditLog.created_at) >= datetime.combine(since, time.min, tzinfo=utcnow().tzinfo))
    if until is not None:
        end = datetime.combine(until + timedelta(days=1), time.min, tzinfo=utcnow().tzinfo)
        clauses.append(col(AuditLog.created_at) < end)
    total = session.exec(select(func.count()).select_from(AuditLog).where(*clauses)).one()
    page_size = max(1, min(page_size, 200))
    pages = max(1, -(-total // page_size))
    page = max(1, min(page, pages))
    rows = session.exec(
        select(AuditLog)
        .where(*clauses)
        .order_by(col(AuditLog.created_at).desc(), col(AuditLog.id).desc())
        .offset((page - 1) * page_size)
        .limit(page_size)
    ).all()
    return AuditPage(entries=list(rows), total=total, page=page, pages=pages)
