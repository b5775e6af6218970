"""The outgoing mail queue in the database, and its delivery with leases and retries.

Why a queue rather than sending inside the action: a slow or broken mail server must never
fail or slow a registration, a go-live or an announcement to thousands. So services add an
`EmailLog` row in the *same transaction* as the change that causes the mail (a mail exists
exactly when the change committed) and wake the local sender loop; the loop delivers.

Delivery is safe with several workers: a worker first takes a row with one conditional
UPDATE (pending and due, or `sending` with an expired lease) that sets a lease; only the
worker whose UPDATE matched sends it. A worker that dies between claiming and finishing
leaves a lease that expires, and the next loop retries the row. A failed send is recorded
(`attempts`, `last_error`) and rescheduled with exponential backoff until the last attempt.

The one gap no database can close is a crash after the SMTP server accepted a message but
before we recorded it: that message is sent again after the lease (at-least-once there).
"""

from __future__ import annotations

import base64
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, or_, update
from sqlmodel import Session, col, select

from webinar_app.core.config import get_settings
from webinar_app.core.db import insert_now
from webinar_app.core.security import utcnow
from webinar_app.models import EmailLog, EmailStatus
from webinar_app.models.base import as_utc
from webinar_app.services.email.message import Attachment, OutgoingEmail
from webinar_app.services.email.sender import send_email
from webinar_app.services.errors import ServiceUnavailable

log = logging.getLogger(__name__)

_wakeup = threading.Event()


def wake() -> None:
    """Tell this process's sender loop there is mail (it would find it at its next poll anyway)."""
    _wakeup.set()


def woken() -> bool:
    """True once after `wake` (the loop's cue to stop waiting)."""
    if _wakeup.is_set():
        _wakeup.clear()
        return True
    return False


def enqueue(
    session: Session,
    mail: OutgoingEmail,
    *,
    kind: str,
    template: str,
    user_id: int | None = None,
    webinar_id: int | None = None,
    expires_at: datetime | None = None,
) -> EmailLog:
    """Add the mail to the caller's transaction; it is delivered once that commits."""
    row = EmailLog(
        user_id=user_id,
        webinar_id=webinar_id,
        kind=kind,
        template=template,
        to_address=mail.to,
        subject=mail.subject[:255],
        body_text=mail.text,
        body_html=mail.html,
        headers=[list(h) for h in mail.headers],
        attachments=[
            {
                "filename": a.filename,
                "mime_type": a.mime_type,
                "content": base64.b64encode(a.content).decode(),
            }
            for a in mail.attachments
        ],
        expires_at=expires_at,
    )
    session.add(row)
    return row


# Mails whose body is rendered by the sender loop rather than inside the action's
# transaction: `template name -> render(session, row) -> OutgoingEmail | None`. The
# registration confirmation builds an invite and two bodies; doing that while the seat
# claim holds the webinar's row lock would serialise every registration behind it.
DEFERRED_RENDERERS: dict[str, Callable[[Session, EmailLog], OutgoingEmail | None]] = {}


def enqueue_deferred(
    session: Session,
    *,
    to: str,
    kind: str,
    template: str,
    user_id: int,
    webinar_id: int | None,
    immediate: bool = False,
) -> EmailLog:
    """Queue a mail in the caller's transaction; its content is rendered when it is sent.

    `immediate` writes the row now, outside the unit of work (`db.insert_now`)."""
    if template not in DEFERRED_RENDERERS:
        raise ValueError(f"no deferred renderer for {template}")
    values: dict[str, Any] = {
        "user_id": user_id,
        "webinar_id": webinar_id,
        "kind": kind,
        "template": template,
        "to_address": to,
        "subject": f"({template})",
        # explicit values: pydantic inspects `list`'s signature each time it calls the factory
        "headers": [],
        "attachments": [],
    }
    if immediate:
        return insert_now(session, EmailLog, **values)
    row = EmailLog(**values)
    session.add(row)
    return row


def _render_deferred(session: Session, row: EmailLog) -> OutgoingEmail | None:
    """Render a deferred row and keep what was sent in the log (None: nothing to send)."""
    mail = DEFERRED_RENDERERS[row.template](session, row)
    if mail is None:
        return None
    session.exec(  # type: ignore[call-overload]
        update(EmailLog)
        .where(col(EmailLog.id) == row.id)
        .values(
            subject=mail.subject[:255],
            body_text=mail.text,
            body_html=mail.html,
            headers=[list(h) for h in mail.headers],
        )
        .execution_options(synchronize_session=False)
    )
    session.commit()
    return mail


def send_now(
    session: Session, mail: OutgoingEmail, *, kind: str, template: str, user_id: int | None = None
) -> None:
    """Send while the user waits (a verification code, a reset link) and log the outcome.

    The log row keeps no body or subject: those carry the secret. Failure still raises
    `ServiceUnavailable`, because the person on the page must know the mail did not go.
    """
    row = EmailLog(
        user_id=user_id,
        kind=kind,
        template=template,
        to_address=mail.to,
        subject=f"({template})",
        attempts=1,
        status=EmailStatus.sending.value,
    )
    try:
        deliver(mail)
    except ServiceUnavailable as exc:
        row.status, row.last_error = EmailStatus.failed.value, str(exc.__cause__ or exc)[:1000]
        _log_quietly(session, row)
        raise
    row.status, row.sent_at = EmailStatus.sent.value, utcnow()
    _log_quietly(session, row)


def _log_quietly(session: Session, row: EmailLog) -> None:
    """The log is a record, not part of the action: a failure to write it is only logged."""
    try:
        session.add(row)
        session.commit()
    except Exception:  # pragma: no cover - the database itself is failing
        session.rollback()
        log.exception("could not record mail to %s", row.to_address)


def deliver(mail: OutgoingEmail) -> None:
    """Hand one message to the transport; transport errors become `ServiceUnavailable`."""
    send_email(mail)


def _mail_of(row: EmailLog) -> OutgoingEmail:
    return OutgoingEmail(
        to=row.to_address,
        subject=row.subject,
        text=row.body_text,
        html=row.body_html,
        attachments=tuple(
            Attachment(a["filename"], base64.b64decode(a["content"]), a["mime_type"]) for a in row.attachments
        ),
        headers=tuple((str(h[0]), str(h[1])) for h in row.headers),
    )


def backoff(attempts: int) -> timedelta:
    """Wait before attempt `attempts + 1`: base x 2^(attempts-1), capped."""
    s = get_settings()
    seconds = s.email_retry_base_seconds * 2 ** max(attempts - 1, 0)
    return timedelta(seconds=min(seconds, s.email_retry_max_seconds))


def _claimable(now: datetime) -> object:
    return or_(
        and_(col(EmailLog.status) == EmailStatus.pending.value, col(EmailLog.next_attempt_at) <= now),
        and_(col(EmailLog.status) == EmailStatus.sending.value, col(EmailLog.lease_until) < now),
    )


def claim(session: Session, row_id: int, now: datetime) -> EmailLog | None:
    """Take one due row for this worker (a lease); None when another worker has it."""
    lease = now + timedelta(seconds=get_settings().email_lease_seconds)
    taken = session.exec(  # type: ignore[call-overload]
        update(EmailLog)
        .where(col(EmailLog.id) == row_id, _claimable(now))
        .values(status=EmailStatus.sending.value, lease_until=lease, attempts=col(EmailLog.attempts) + 1)
        .execution_options(synchronize_session=False)  # criteria on the server only
    ).rowcount
    session.commit()
    if taken != 1:
        return None
    return session.exec(
        select(EmailLog).where(EmailLog.id == row_id).execution_options(populate_existing=True)
    ).one()


def _finish(session: Session, row: EmailLog, now: datetime, error: str | None) -> None:
    """Record the outcome, but only while our lease still holds (a late worker writes nothing)."""
    values: dict[str, object] = {"lease_until": None}
    if error is None:
        values.update(status=EmailStatus.sent.value, sent_at=now)
    else:
        values["last_error"] = error[:1000]
        if row.attempts >= get_settings().email_max_attempts:
            values["status"] = EmailStatus.failed.value
        else:
            values.update(status=EmailStatus.pending.value, next_attempt_at=now + backoff(row.attempts))
    session.exec(  # type: ignore[call-overload]
        update(EmailLog)
        .where(
            col(EmailLog.id) == row.id,
            col(EmailLog.status) == EmailStatus.sending.value,
            col(EmailLog.lease_until) == row.lease_until,
        )
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    session.commit()
    session.expire(row)  # the session's copy is stale now (callers may read it)


def _expire(session: Session, row: EmailLog) -> None:
    session.exec(  # type: ignore[call-overload]
        update(EmailLog)
        .where(col(EmailLog.id) == row.id)
        .values(status=EmailStatus.expired.value, lease_until=None)
        .execution_options(synchronize_session=False)
    )
    session.commit()
    session.expire(row)


@dataclass
class DeliveryResult:
    sent: int = 0
    failed: int = 0
    expired: int = 0
    more: bool = False  # the pass stopped at its limit: more mail is due now


def deliver_due(
    session: Session,
    now: datetime | None = None,
    *,
    limit: int = 100,
    yield_to: Callable[[], bool] | None = None,
) -> DeliveryResult:
    """Send what is due, oldest first: each row by exactly one worker (see the module doc).

    `yield_to` is asked before each mail: when it says the worker has people to answer, the
    pass stops (rendering one costs ~15 ms of CPU, a batch over a second) and reports `more`,
    so the rest goes out on the next pass."""
    now = now or utcnow()
    result = DeliveryResult()
    ids = list(
        session.exec(select(EmailLog.id).where(_claimable(now)).order_by(col(EmailLog.id)).limit(limit))
    )
    session.commit()  # end the read: on SQLite every claim below then starts with its write
    # Counted on the candidates, not on what this worker sent: workers race for the same
    # oldest rows, so each may send fewer than the limit while hundreds are still due.
    result.more = len(ids) >= limit
    for row_id in ids:
        assert row_id is not None
        if yield_to is not None and yield_to():
            result.more = True
            break
        row = claim(session, row_id, now)
        if row is None:
            continue
        expires = as_utc(row.expires_at)
        if expires is not None and expires <= now:
            _expire(session, row)
            result.expired += 1
            continue
        try:
            if not row.body_text and row.template in DEFERRED_RENDERERS:
                mail = _render_deferred(session, row)
                if mail is None:  # e.g. the registration is gone: nothing to tell
                    _expire(session, row)
                    result.expired += 1
                    continue
            else:
                mail = _mail_of(row)
            deliver(mail)
        except ServiceUnavailable as exc:
            _finish(session, row, now, str(exc.__cause__ or exc))
            result.failed += 1
        else:
            _finish(session, row, now, None)
            result.sent += 1
    return result
