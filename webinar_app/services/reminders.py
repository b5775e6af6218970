"""Reminders before a webinar, sent exactly once, by whichever backend worker gets there first.

Every worker runs the same loop (`scheduler_loop`, a lifespan task) calling `run_due`, which
1. finds the reminders that are due: for each upcoming webinar and each of its offsets
   (`Webinar.reminder_offsets`, minutes before the start), the confirmed registrants who
   registered (or were promoted, or saw the last reschedule) *before* that reminder's send
   time, so nobody gets a stale "starts in 24 hours" an hour before it starts;
2. claims each one by inserting a `ReminderClaim` row, unique on (user, webinar, offset,
   scheduled start), as the first statement of its own transaction: of several racing
   workers exactly one insert succeeds, the others hit the constraint and skip. The claim,
   the `upcoming_webinar` notification and the queued mail commit together, so a crash
   leaves either all three or none. A reschedule changes the start, hence the key: the new
   time's reminders become due on their own;
3. delivers due mail from the queue (leases and retries: `services.email.queue`).

When a worker was down through several send times, only the latest due reminder is sent
(the older ones are superseded: two mails at once would be noise).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from webinar_app.core import request_gauge
from webinar_app.core.config import get_settings
from webinar_app.core.security import utcnow
from webinar_app.models import (
    EmailKind,
    ManualStatus,
    NotificationType,
    Registration,
    RegistrationStatus,
    ReminderClaim,
    User,
    Webinar,
)
from webinar_app.models.base import as_utc
from webinar_app.services import notifications
from webinar_app.services.email import queue, templates
from webinar_app.services.email.preferences import wanted_by
from webinar_app.services.errors import Invalid

log = logging.getLogger(__name__)

DEFAULT_OFFSETS = (1440, 15)
MAX_OFFSET_MINUTES = 14 * 1440
MAX_OFFSETS = 5
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


# ------------------------------------------------------------------ offsets


def parse_offsets(value: Any) -> list[int]:
    """`"1440, 15"` or `[1440, 15]` -> `[1440, 15]` (largest first); raises `Invalid`."""
    if value is None:
        return list(DEFAULT_OFFSETS)
    items = value if isinstance(value, list | tuple) else str(value).replace(";", ",").split(",")
    out: set[int] = set()
    for item in items:
        text = str(item).strip()
        if not text:
            continue
        if isinstance(item, bool) or not text.isdigit():
            raise Invalid.field("reminder_offsets", "Enter whole minutes before the start, e.g. 1440, 15.")
        minutes = int(text)
        if not 1 <= minutes <= MAX_OFFSET_MINUTES:
            raise Invalid.field(
                "reminder_offsets",
                f"Each reminder must be 1 to {MAX_OFFSET_MINUTES} minutes before the start."
            )
        out.add(minutes)
    if len(out) > MAX_OFFSETS:
        raise Invalid.field("reminder_offsets", f"At most {MAX_OFFSETS} reminders per webinar.")
    return sorted(out, reverse=True)


def format_offsets(offsets: list[int]) -> str:
    return ",".join(str(o) for o in offsets)


def offsets_of(webinar: Webinar) -> list[int]:
    """The stored offsets; a broken value (edited by hand) falls back to the defaults."""
    try:
        return parse_offsets(webinar.reminder_offsets)
    except Invalid:
        return list(DEFAULT_OFFSETS)


# ------------------------------------------------------------------ finding and claiming


@dataclass(frozen=True)
class DueReminder:
    user_id: int
    webinar_id: int
    offset_minutes: int
    scheduled_start: datetime


@dataclass
class RunResult:
    claimed: int = 0
    skipped: int = 0  # another worker claimed it first
    sent: int = 0
    failed: int = 0
    expired: int = 0
    more_mail: bool = False  # the mail pass stopped at its batch size
    claims: list[DueReminder] = field(default_factory=list)


def due_reminders(session: Session, now: datetime) -> list[DueReminder]:
    """What is due and not yet claimed, at `now` (read only)."""
    webinars = list(
        session.exec(
            select(Webinar).where(
                col(Webinar.manual_status) == ManualStatus.none.value,
                col(Webinar.start_at) > now,
                col(Webinar.start_at) <= now + timedelta(minutes=MAX_OFFSET_MINUTES),
            )
            # a long-lived session must see today's start times, not the ones it cached
            .execution_options(populate_existing=True)
        )
    )
    due: list[DueReminder] = []
    for webinar in webinars:
        assert webinar.id is not None
        start = as_utc(webinar.start_at)
        assert start is not None
        ready = [o for o in offsets_of(webinar) if start - timedelta(minutes=o) <= now]
        if not ready:
            continue
        claimed = set(
            session.exec(
                select(ReminderClaim.user_id, ReminderClaim.offset_minutes).where(
                    ReminderClaim.webinar_id == webinar.id, ReminderClaim.scheduled_start == start
                )
            ).all()
        )
        changed = as_utc(webinar.schedule_changed_at) or _EPOCH
        rows = session.exec(
            select(Registration.user_id, Registration.registered_on, Registration.promoted_at)
            .join(User, col(User.id) == col(Registration.user_id))
            .where(
                Registration.webinar_id == webinar.id,
                Registration.status == RegistrationStatus.confirmed.value,
                col(User.is_active),
            )
        ).all()
        for user_id, registered_on, promoted_at in rows:
            since = max(as_utc(promoted_at) or as_utc(registered_on) or _EPOCH, changed)
            # Only reminders whose send time came after the person was in (and after the last
            # reschedule); of those, only the latest: the earlier ones are superseded.
            eligible = [o for o in ready if start - timedelta(minutes=o) >= since]
            if not eligible:
                continue
            offset = min(eligible)
            if (user_id, offset) in claimed:
                continue
            due.append(DueReminder(user_id, webinar.id, offset, start))
    return due


def _claim_one(session: Session, item: DueReminder, now: datetime) -> list[Any] | None:
    """Insert the claim first (the race is decided there), then stage the rest with it."""
    claim = ReminderClaim(
        user_id=item.user_id,
        webinar_id=item.webinar_id,
        offset_minutes=item.offset_minutes,
        scheduled_start=item.scheduled_start,
        claimed_at=now,
    )
    session.add(claim)
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
        return None
    webinar = session.get(Webinar, item.webinar_id, populate_existing=True)
    user = session.get(User, item.user_id, populate_existing=True)
    if webinar is None or user is None:  # deleted meanwhile: the claim alone records it
        session.commit()
        return []
    staged = notifications.stage(
        session,
        [item.user_id],
        NotificationType.upcoming_webinar.value,
        f"Starting soon: {webinar.title}",
        f"'{webinar.title}' starts at {templates.when(webinar, user.timezone)}.",
        webinar_id=item.webinar_id,
    )
    if wanted_by(session, [item.user_id], EmailKind.reminder.value):
        row = queue.enqueue(
            session,
            templates.reminder(templates.Recipient.of(user), webinar, item.offset_minutes),
            kind=EmailKind.reminder.value,
            template="reminder",
            user_id=item.user_id,
            webinar_id=item.webinar_id,
            expires_at=item.scheduled_start,  # retries stop once it has started
        )
        session.flush()
        claim.email_log_id = row.id
        session.add(claim)
    session.commit()
    return staged


def claim_due(session: Session, now: datetime) -> RunResult:
    result = RunResult()
    items = due_reminders(session, now)
    session.commit()  # end the read transaction: each claim below starts with its insert
    for item in items:
        staged = _claim_one(session, item, now)
        if staged is None:
            result.skipped += 1
            continue
        result.claimed += 1
        result.claims.append(item)
        notifications.push(staged)
    return result


# Mails per pass (passes are >= 0.5 s apart): a burst (a registration rush, an announcement
# to everyone) drains in the background instead of taking the CPU from live requests.
MAIL_BATCH = 25


def run_due(
    session: Session, now: datetime | None = None, *, yield_to: Callable[[], bool] | None = None
) -> RunResult:
    """One pass of the scheduler: claim due reminders, then deliver due mail (stopping early
    when `yield_to` says the worker has requests to answer; see `queue.deliver_due`)."""
    now = now or utcnow()
    result = claim_due(session, now)
    delivered = queue.deliver_due(session, now, limit=MAIL_BATCH, yield_to=yield_to)
    result.sent, result.failed, result.expired = delivered.sent, delivered.failed, delivered.expired
    result.more_mail = delivered.more
    return result


# ------------------------------------------------------------------ the loop


# The longest a pass waits for a busy worker to quieten down before it runs anyway.
MAX_MAIL_DEFERRAL_SECONDS = 10.0


def _run_once(yield_to: Callable[[], bool] | None) -> RunResult:
    from webinar_app.core.db import get_engine

    with Session(get_engine(), expire_on_commit=False) as session:
        return run_due(session, yield_to=yield_to)


async def scheduler_loop() -> None:
    """The lifespan task: one per worker. Sleeps in short steps, so `queue.wake()` (a mail was
    just queued in this process) gets it out within a second, and shutdown is immediate."""
    poll = get_settings().reminder_poll_seconds
    if poll <= 0:
        log.info("mail scheduler: off (REMINDER_POLL_SECONDS=0)")
        return
    while True:
        # Rendering mail is CPU-heavy: let a burst of requests in this worker finish first.
        # A pass that began quiet also stops between mails when a burst starts; one that
        # waited the longest allowed sends its batch whatever happens: mail is never starved.
        waited = await request_gauge.wait_until_quiet(MAX_MAIL_DEFERRAL_SECONDS)
        yield_to = request_gauge.busy if waited < MAX_MAIL_DEFERRAL_SECONDS else None
        try:
            result = await asyncio.to_thread(_run_once, yield_to)
            if result.claimed or result.sent or result.failed:
                log.info(
                    "mail scheduler: %d reminders claimed, %d sent, %d failed",
                    result.claimed, result.sent, result.failed,
                )
        except Exception:  # a database hiccup must not end the loop for the worker's lifetime
            log.exception("mail scheduler pass failed")
            result = RunResult()
        # A full batch means a backlog (a rush queued hundreds): the next pass comes after
        # the short sleep, not after the poll interval.
        backlog = result.more_mail
        waited = 0.0
        while True:  # at least one short sleep between passes, even when woken
            await asyncio.sleep(0.5)
            waited += 0.5
            if waited >= poll or backlog or queue.woken():
                break
