"""The email log for admins: what was sent to whom, failures with their error, and a retry."""

from __future__ import annotations

import dataclasses
from typing import Any

from sqlalchemy import func, true, update
from sqlmodel import Session, col, select

from webinar_app.core.security import utcnow
from webinar_app.models import EmailLog, EmailStatus, User
from webinar_app.services import audit
from webinar_app.services.audit import require_admin
from webinar_app.services.email import queue
from webinar_app.services.errors import Conflict, NotFound

PAGE_SIZE = 50
STATUS_CHOICES = tuple(s.value for s in EmailStatus)


@dataclasses.dataclass
class EmailPage:
    rows: list[EmailLog]
    total: int
    page: int
    pages: int
    failed: int  # all failed rows, whatever the filter (the page shows it as a badge)


def list_emails(
    session: Session,
    actor: User,
    *,
    status: str | None = None,
    search: str | None = None,
    page: int = 1,
    page_size: int = PAGE_SIZE,
) -> EmailPage:
    """Newest first; `status` one of EmailStatus, `search` in the address or subject."""
    require_admin(actor)
    clauses: list[Any] = []
    if status in STATUS_CHOICES:
        clauses.append(EmailLog.status == status)
    if search and search.strip():
        needle = search.strip().lower()
        clauses.append(
            func.lower(EmailLog.to_address).contains(needle, autoescape=True)
            | func.lower(EmailLog.subject).contains(needle, autoescape=True)
        )
    where = clauses or [true()]
    total = session.exec(select(func.count()).select_from(EmailLog).where(*where)).one()
    failed = session.exec(
        select(func.count()).select_from(EmailLog).where(EmailLog.status == EmailStatus.failed.value)
    ).one()
    page_size = max(1, min(page_size, 200))
    pages = max(1, -(-total // page_size))
    page = max(1, min(page, pages))
    rows = session.exec(
        select(EmailLog)
        .where(*where)
        .order_by(col(EmailLog.created_at).desc(), col(EmailLog.id).desc())
        .offset((page - 1) * page_size)
        .limit(page_size)
    ).all()
    return EmailPage(rows=list(rows), total=total, page=page, pages=pages, failed=failed)


def retry(session: Session, actor: User, email_id: int | None) -> EmailLog:
    """Put a failed mail back in the queue, due now: the sender loop makes one more attempt."""
    require_admin(actor)
    row = session.get(EmailLog, email_id) if email_id is not None else None
    if row is None:
        raise NotFound()
    if row.status != EmailStatus.failed.value:
        raise Conflict("Only failed emails can be retried.")
    now = utcnow()
    changed = session.exec(  # type: ignore[call-overload]
        update(EmailLog)
        .where(col(EmailLog.id) == row.id, col(EmailLog.status) == EmailStatus.failed.value)
        .values(status=EmailStatus.pending.value, next_attempt_at=now, lease_until=None)
        .execution_options(synchronize_session=False)
    ).rowcount
    if changed != 1:  # retried by another admin a moment ago
        session.rollback()
        raise Conflict("Only failed emails can be retried.")
    audit.record(
        session,
        actor,
        "email.retry",
        "email",
        row.id,
        before={"status": EmailStatus.failed.value, "last_error": row.last_error},
        after={"status": EmailStatus.pending.value},
    )
    session.commit()
    session.refresh(row)
    queue.wake()
    return row
