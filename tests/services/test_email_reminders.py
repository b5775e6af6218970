"""Event mails and reminders against a real SMTP server running in the test process (aiosmtpd).

Time is simulated by passing `now` to `run_due`; registrations carry the real clock, so
webinars are scheduled relative to the real now.
"""

from __future__ import annotations

import email
import re
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from aiosmtpd.controller import Controller
from icalendar import Calendar
from sqlmodel import Session, col, select

from tests.conftest import make_user
from tests.services.test_email import Collector, _free_port, _smtp_settings
from webinar_app.core import db
from webinar_app.core.config import get_settings
from webinar_app.models import (
    EmailKind,
    EmailLog,
    EmailStatus,
    Notification,
    NotificationType,
    ReminderClaim,
    User,
    Webinar,
)
from webinar_app.services import announcements, live, recordings, registrations, reminders, webinars
from webinar_app.services import email as mail
from webinar_app.services.email import preferences, queue
from webinar_app.services.email.transport import SmtpTransport


@pytest.fixture
def smtp() -> Iterator[Collector]:
    """A real SMTP server on a free port, and every mail we send going to it."""
    handler = Collector()
    port = _free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    mail.set_transport(SmtpTransport(_smtp_settings(port)))
    try:
        yield handler
    finally:
        controller.stop()


def _real_now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def _webinar(
    session: Session, admin: User, start: datetime, title: str = "Async Python", **extra: Any
) -> Webinar:
    return webinars.create_webinar(
        session,
        admin,
        {"title": title, "date": start.date().isoformat(), "time": start.strftime("%H:%M:%S"), "duration": 60,
         **extra},
    )


def _user(session: Session, name: str, zone: str = "UTC") -> User:
    user = make_user(session, name)
    user.timezone = zone
    session.add(user)
    session.commit()
    return user


def _parsed(handler: Collector) -> list[email.message.EmailMessage]:
    return handler.messages()


def _bodies(message: email.message.EmailMessage) -> tuple[str, str]:
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    return text, html


def _ics_of(message: email.message.EmailMessage) -> Calendar:
    [attachment] = [a for a in message.iter_attachments() if a.get_content_type() == "text/calendar"]
    return Calendar.from_ical(attachment.get_payload(decode=True))


def _subjects_to(handler: Collector, address: str) -> list[str]:
    return [m["Subject"] for m in _parsed(handler) if m["To"] == address]


# ------------------------------------------------------------------ content, attachment, time zone


def test_confirmation_over_smtp_has_text_html_ics_and_tokyo_time(session, admin, smtp):
    start = datetime(2031, 3, 4, 10, 0, tzinfo=UTC)  # 19:00 in Tokyo
    talk = _webinar(session, admin, start, title="Tea & <Tokyo>")
    kenji = _user(session, "kenji", "Asia/Tokyo")
    registrations.register(session, kenji, talk.id)

    assert smtp.envelopes == []  # queued with the registration, not sent inside it
    result = reminders.run_due(session)
    assert result.sent == 1
    [message] = _parsed(smtp)
    assert message["To"] == "kenji@example.com"
    assert message["Subject"] == "You're registered: Tea & <Tokyo>"
    text, html = _bodies(message)
    assert "Tuesday 4 March 2031, 19:00–20:00 JST (Asia/Tokyo)" in text
    assert "19:00–20:00 JST" in html
    assert "Tea &amp; &lt;Tokyo&gt;" in html and "<Tokyo>" not in html
    assert f"/webinars/{talk.id}" in text
    cal = _ics_of(message)
    [event] = cal.walk("VEVENT")
    assert str(event["UID"]) == f"webinar-{talk.id}@webinars.local"
    assert int(event["SEQUENCE"]) == 0
    assert event.decoded("DTSTART") == start
    unsubscribe = re.search(r"Unsubscribe from registrations emails: (\S+)", text)
    assert unsubscribe is not None
    assert message["List-Unsubscribe"] == f"<{unsubscribe.group(1)}>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    log = session.exec(select(EmailLog)).one()
    assert (log.status, log.attempts, log.template) == (EmailStatus.sent.value, 1, "registration_confirmed")


def test_waitlist_mail_then_promotion_with_invite(session, admin, student, other_student, smtp):
    talk = _webinar(session, admin, _real_now() + timedelta(days=3), capacity=1)
    first = registrations.register(session, student, talk.id)
    registrations.register(session, other_student, talk.id)
    reminders.run_due(session)
    assert _subjects_to(smtp, "bob@example.com") == [f"You're on the waitlist: {talk.title}"]
    registrations.unregister(session, student, first.id)
    reminders.run_due(session)
    promoted = [m for m in _parsed(smtp) if m["Subject"] == f"You're in: {talk.title}"]
    assert [m["To"] for m in promoted] == ["bob@example.com"]
    assert str(_ics_of(promoted[0]).walk("VEVENT")[0]["UID"]) == f"webinar-{talk.id}@webinars.local"


def test_live_recording_cancellation_and_announcement_mails(session, admin, student, other_student, smtp):
    talk = _webinar(session, admin, _real_now() + timedelta(hours=2))
    registrations.register(session, student, talk.id)
    live.start(session, admin, talk.id)
    recording = recordings.create_recording(
        session, admin, {"event": talk.id, "recording_link": "https://v.example/1"}
    )
    preferences.update_settings(session, other_student, {"announcement": True})  # opt-in
    announcements.create(session, admin, {"title": "Big <news>", "content": "Hello all"})
    webinars.cancel_webinar(session, admin, talk.id)
    reminders.run_due(session)

    alice = {m["Subject"]: m for m in _parsed(smtp) if m["To"] == "alice@example.com"}
    assert set(alice) == {
        f"You're registered: {talk.title}",
        f"We are live: {talk.title}",
        f"Recording available: Recording: {talk.title}",
        f"Cancelled: {talk.title}",
    }  # no announcement: alice did not opt in
    live_text, _ = _bodies(alice[f"We are live: {talk.title}"])
    assert f"Join now: {get_settings().app_base_url}/live/{talk.id}" in live_text
    rec_text, _ = _bodies(alice[f"Recording available: Recording: {talk.title}"])
    assert f"/recordings/{recording.id}" in rec_text
    [event] = _ics_of(alice[f"Cancelled: {talk.title}"]).walk("VEVENT")
    assert (str(event["STATUS"]), int(event["SEQUENCE"])) == ("CANCELLED", 1)
    bob = [m for m in _parsed(smtp) if m["To"] == "bob@example.com"]
    assert [m["Subject"] for m in bob] == ["Announcement: Big <news>"]
    assert "Big &lt;news&gt;" in _bodies(bob[0])[1]


def test_preference_off_means_no_mail_but_the_action_still_works(session, admin, student, smtp):
    preferences.update_settings(session, student, {"registration": False})
    talk = _webinar(session, admin, _real_now() + timedelta(days=2))
    view = registrations.register(session, student, talk.id)
    assert view.status == "confirmed"
    reminders.run_due(session)
    assert smtp.envelopes == []


# ------------------------------------------------------------------ reminders


def _claims(session: Session) -> list[tuple[int, int]]:
    session.expire_all()
    return sorted((c.user_id, c.offset_minutes) for c in session.exec(select(ReminderClaim)))


def test_reminders_sent_exactly_once_with_three_racing_loops(session, admin, smtp):
    start = _real_now() + timedelta(days=2)
    talk = _webinar(session, admin, start)
    people = [_user(session, f"user{i}") for i in range(6)]
    for person in people:
        registrations.register(session, person, talk.id)
    reminders.run_due(session)  # the confirmations
    smtp.envelopes.clear()

    def race(now: datetime) -> list[reminders.RunResult]:
        barrier = threading.Barrier(3)
        results: list[reminders.RunResult] = []
        errors: list[BaseException] = []

        def loop() -> None:
            try:
                with Session(db.get_engine(), expire_on_commit=False) as own:
                    barrier.wait()
                    for _ in range(4):
                        results.append(reminders.run_due(own, now))
            except BaseException as exc:  # surfaced below
                errors.append(exc)

        threads = [threading.Thread(target=loop) for _ in range(3)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        assert not errors, errors
        return results

    day_before = race(start - timedelta(hours=24) + timedelta(seconds=30))
    assert sum(r.claimed for r in day_before) == 6
    assert sum(r.sent for r in day_before) == 6
    rcpts = sorted(e.rcpt_tos[0] for e in smtp.envelopes)
    assert rcpts == sorted(p.email for p in people)
    assert all(m["Subject"].startswith("Starts in 1 day:") for m in _parsed(smtp))

    race(start - timedelta(minutes=14))
    assert len(smtp.envelopes) == 12
    assert sum(m["Subject"].startswith("Starts in 15 minutes:") for m in _parsed(smtp)) == 6
    assert _claims(session) == sorted((p.id, o) for p in people for o in (1440, 15))
    reminded = session.exec(
        select(Notification).where(Notification.notification_type == NotificationType.upcoming_webinar.value)
    ).all()
    assert len(reminded) == 12  # one in-app notification per reminder, too
    # Later passes find nothing new.
    assert reminders.run_due(session, start - timedelta(minutes=5)).claimed == 0
    assert len(smtp.envelopes) == 12


def test_reminder_in_recipients_zone(session, admin, smtp):
    start = datetime.now(UTC).replace(second=0, microsecond=0) + timedelta(days=1, hours=3)
    talk = _webinar(session, admin, start)
    kenji = _user(session, "kenji", "Asia/Tokyo")
    registrations.register(session, kenji, talk.id)
    reminders.run_due(session, start - timedelta(hours=23))
    reminder = [m for m in _parsed(smtp) if m["Subject"].startswith("Starts in 1 day")]
    assert len(reminder) == 1
    tokyo = start.astimezone(ZoneInfo("Asia/Tokyo"))
    assert f"{tokyo:%H:%M} JST" in reminder[0]["Subject"]
    assert f"{tokyo:%H:%M}–" in _bodies(reminder[0])[0]


def test_late_registration_gets_no_stale_reminder(session, admin, student, smtp):
    start = _real_now() + timedelta(hours=3)  # the 24 h reminder time passed before anyone registered
    talk = _webinar(session, admin, start)
    registrations.register(session, student, talk.id)
    result = reminders.run_due(session, _real_now() + timedelta(minutes=1))
    assert result.claimed == 0
    assert _claims(session) == []
    reminders.run_due(session, start - timedelta(minutes=10))
    assert _claims(session) == [(student.id, 15)]
    assert [s for s in _subjects_to(smtp, student.email) if s.startswith("Starts")] == [
        f"Starts in 15 minutes: {talk.title} ({start:%H:%M} UTC)"
    ]


def test_only_confirmed_registrants_are_reminded(session, admin, student, other_student, smtp):
    start = _real_now() + timedelta(days=2)
    talk = _webinar(session, admin, start, capacity=1)
    registrations.register(session, student, talk.id)
    registrations.register(session, other_student, talk.id)  # waitlisted
    reminders.run_due(session, start - timedelta(hours=23))
    assert _claims(session) == [(student.id, 1440)]


def test_reschedule_makes_new_reminders_due_with_updated_invite(session, admin, student, smtp):
    start = _real_now() + timedelta(days=2)
    talk = _webinar(session, admin, start)
    registrations.register(session, student, talk.id)
    reminders.run_due(session, start - timedelta(hours=23))
    assert _claims(session) == [(student.id, 1440)]

    new_start = start + timedelta(days=1)
    moved_to = {"date": new_start.date().isoformat(), "time": new_start.strftime("%H:%M:%S")}
    webinars.update_webinar(session, admin, talk.id, moved_to)
    reminders.run_due(session, start - timedelta(hours=22))
    moved = [m for m in _parsed(smtp) if m["Subject"] == f"New time: {talk.title}"]
    assert len(moved) == 1
    [event] = _ics_of(moved[0]).walk("VEVENT")
    assert int(event["SEQUENCE"]) == 1 and event.decoded("DTSTART") == new_start

    reminders.run_due(session, new_start - timedelta(hours=23))
    session.expire_all()
    starts = sorted(
        (c.offset_minutes, c.scheduled_start.replace(tzinfo=UTC)) for c in session.exec(select(ReminderClaim))
    )
    assert starts == [(1440, start), (1440, new_start)]
    assert sum(s.startswith("Starts in 1 day") for s in _subjects_to(smtp, student.email)) == 2


def test_reminder_offsets_are_configurable(session, admin, student, smtp):
    start = _real_now() + timedelta(days=2)
    talk = _webinar(session, admin, start, reminder_offsets="120, 5")
    assert talk.reminder_offsets == "120,5"
    registrations.register(session, student, talk.id)
    assert reminders.run_due(session, start - timedelta(hours=23)).claimed == 0
    assert reminders.run_due(session, start - timedelta(minutes=119)).claimed == 1
    assert _claims(session) == [(student.id, 120)]
    with pytest.raises(Exception) as refused:
        webinars.update_webinar(session, admin, talk.id, {"reminder_offsets": "soon"})
    assert "reminder_offsets" in refused.value.errors  # type: ignore[attr-defined]


def test_reminder_email_off_still_notifies_in_app_once(session, admin, student, smtp):
    preferences.update_settings(session, student, {"reminder": False})
    start = _real_now() + timedelta(days=2)
    talk = _webinar(session, admin, start)
    registrations.register(session, student, talk.id)
    for _ in range(2):
        reminders.run_due(session, start - timedelta(hours=23))
    assert not any(s.startswith("Starts") for s in _subjects_to(smtp, student.email))
    kinds = session.exec(
        select(Notification.notification_type).where(Notification.user_id == student.id)
    ).all()
    assert kinds.count(NotificationType.upcoming_webinar.value) == 1


# ------------------------------------------------------------------ crashes and failures


def test_loop_crashing_after_claim_is_retried_after_the_lease_once(session, admin, student, smtp):
    start = _real_now() + timedelta(days=2)
    talk = _webinar(session, admin, start)
    registrations.register(session, student, talk.id)
    reminders.run_due(session)
    smtp.envelopes.clear()
    now = start - timedelta(hours=23)

    # A worker claims the reminder and its mail, then dies before sending.
    claimed = reminders.claim_due(session, now)
    assert claimed.claimed == 1
    row = session.exec(select(EmailLog).where(EmailLog.template == "reminder")).one()
    assert queue.claim(session, row.id, now) is not None  # leased to the dead worker

    # Restarted loops: nothing while the lease holds, then exactly one delivery.
    assert reminders.run_due(session, now + timedelta(seconds=10)).sent == 0
    assert smtp.envelopes == []
    lease = timedelta(seconds=get_settings().email_lease_seconds)
    assert reminders.run_due(session, now + lease + timedelta(seconds=1)).sent == 1
    assert reminders.run_due(session, now + lease + timedelta(seconds=120)).sent == 0
    assert len(smtp.envelopes) == 1
    session.refresh(row)
    assert (row.status, row.attempts) == (EmailStatus.sent.value, 2)
    assert _claims(session) == [(student.id, 1440)]


def test_failed_send_is_recorded_and_retried_with_backoff(session, admin, student, smtp):
    working = mail.get_transport()
    mail.set_transport(SmtpTransport(_smtp_settings(_free_port())))  # nobody listens there
    talk = _webinar(session, admin, _real_now() + timedelta(days=2))
    registrations.register(session, student, talk.id)  # never fails because of mail
    now = _real_now() + timedelta(seconds=1)
    assert reminders.run_due(session, now).failed == 1
    row = session.exec(select(EmailLog)).one()
    assert row.status == EmailStatus.pending.value and row.attempts == 1
    assert row.last_error and "refused" in row.last_error.lower()
    retry_at = row.next_attempt_at.replace(tzinfo=UTC)
    assert retry_at == now + timedelta(seconds=get_settings().email_retry_base_seconds)

    assert reminders.run_due(session, now + timedelta(seconds=30)).failed == 0  # not yet due
    assert reminders.run_due(session, retry_at).failed == 1  # second failure: twice the wait
    session.refresh(row)
    assert row.attempts == 2
    assert row.next_attempt_at.replace(tzinfo=UTC) == retry_at + queue.backoff(2)

    mail.set_transport(working)
    assert reminders.run_due(session, retry_at + queue.backoff(2)).sent == 1
    session.refresh(row)
    assert (row.status, row.attempts) == (EmailStatus.sent.value, 3)
    assert len(smtp.envelopes) == 1


def test_gives_up_after_the_last_attempt(session, admin, student, monkeypatch):
    monkeypatch.setattr(get_settings(), "email_max_attempts", 2)
    mail.set_transport(SmtpTransport(_smtp_settings(_free_port())))
    talk = _webinar(session, admin, _real_now() + timedelta(days=2))
    registrations.register(session, student, talk.id)
    now = _real_now() + timedelta(seconds=1)
    reminders.run_due(session, now)
    reminders.run_due(session, now + timedelta(hours=1))
    row = session.exec(select(EmailLog)).one()
    assert (row.status, row.attempts) == (EmailStatus.failed.value, 2)
    assert reminders.run_due(session, now + timedelta(hours=3)).failed == 0


def test_reminder_not_delivered_after_the_start(session, admin, student, smtp):
    mail.set_transport(SmtpTransport(_smtp_settings(_free_port())))
    start = _real_now() + timedelta(days=2)
    talk = _webinar(session, admin, start)
    registrations.register(session, student, talk.id)
    reminders.run_due(session, start - timedelta(minutes=10))
    reminders.run_due(session, start + timedelta(minutes=1))
    row = session.exec(select(EmailLog).where(EmailLog.template == "reminder")).one()
    assert row.status == EmailStatus.expired.value


# ------------------------------------------------------------------ account mails, unsubscribe, REST


def test_account_mails_are_logged_without_their_secret(client, session, outbox):
    response = client.post(
        "/api/accounts/auth/register/",
        json={"username": "sam", "email": "sam@example.com", "password": "sam-password",
              "password_confirm": "sam-password"},
    )
    assert response.status_code == 201
    code = outbox.last_code("sam@example.com")
    message = outbox.to("sam@example.com")[-1]
    assert message.is_multipart()  # text + HTML
    [row] = session.exec(select(EmailLog)).all()
    assert (row.template, row.status) == ("verification_code", EmailStatus.sent.value)
    assert code not in row.subject and code not in row.body_text


def test_unsubscribe_link_turns_that_kind_off(client, session, admin, student, smtp):
    talk = _webinar(session, admin, _real_now() + timedelta(days=2))
    registrations.register(session, student, talk.id)
    reminders.run_due(session)
    text, html = _bodies(_parsed(smtp)[0])
    link = re.search(r"Unsubscribe from registrations emails: (\S+)", text).group(1)  # type: ignore[union-attr]
    assert link.startswith(f"{get_settings().api_base_url}/api/email/unsubscribe/?token=")
    assert "Unsubscribe from registrations emails</a>" in html

    tampered = client.get(link.replace(f"token={student.id}.", "token=999."))
    assert tampered.status_code == 400
    other_kind = client.get(link.replace(".registration.", ".reminder."))
    assert other_kind.status_code == 400
    response = client.get(link.removeprefix(get_settings().api_base_url))
    assert response.status_code == 200
    assert "no longer get registrations emails" in response.text
    session.expire_all()
    assert preferences.preferences_of(session, student)[EmailKind.registration.value] is False
    assert preferences.preferences_of(session, student)[EmailKind.reminder.value] is True

    second = _webinar(session, admin, _real_now() + timedelta(days=3), title="Second")
    registrations.register(session, student, second.id)
    reminders.run_due(session)
    assert len(smtp.envelopes) == 1  # nothing new
    # One-click (RFC 8058) POST works too.
    assert client.post(link.replace(".registration.", ".live.").replace(
        link.rsplit(".", 1)[1], preferences.unsubscribe_token(student.id, "live").rsplit(".", 1)[1]
    )).status_code == 200
    session.expire_all()
    assert preferences.preferences_of(session, student)["live"] is False


def test_email_preferences_rest(client, student, student_headers):
    url = "/api/accounts/users/me/email-preferences/"
    assert client.get(url).status_code == 401
    got = client.get(url, headers=student_headers)
    assert got.status_code == 200
    assert got.json() == {
        "registration": True, "reminder": True, "live": True, "recording": True,
        "schedule_change": True, "announcement": False, "timezone": "UTC",
    }
    patched = client.patch(
        url, json={"reminder": False, "announcement": True, "timezone": "Asia/Tokyo"}, headers=student_headers
    )
    assert patched.status_code == 200
    assert patched.json()["reminder"] is False and patched.json()["announcement"] is True
    assert patched.json()["timezone"] == "Asia/Tokyo"
    assert client.get("/api/accounts/users/me/", headers=student_headers).json()["timezone"] == "Asia/Tokyo"
    bad = client.patch(url, json={"reminder": "maybe", "timezone": "Mars/Olympus"}, headers=student_headers)
    assert bad.status_code == 400
    assert set(bad.json()) == {"reminder", "timezone"}


def test_webinar_reminder_offsets_via_rest(client, admin_headers):
    created = client.post(
        "/api/webinars/",
        json={"title": "T", "date": "2031-01-01", "time": "10:00", "reminder_offsets": "60,1440"},
        headers=admin_headers,
    )
    assert created.status_code == 201, created.text
    assert created.json()["reminder_offsets"] == [1440, 60]
    default = client.post("/api/webinars/", json={"title": "U", "date": "2031-01-01", "time": "10:00"},
                          headers=admin_headers)
    assert default.json()["reminder_offsets"] == [1440, 15]
    bad = client.patch(f"/api/webinars/{created.json()['id']}/", json={"reminder_offsets": "0"},
                       headers=admin_headers)
    assert bad.status_code == 400 and "reminder_offsets" in bad.json()


def test_browser_zone_adopted_until_the_user_chooses(session, student):
    assert preferences.adopt_browser_zone(session, student, "Europe/Berlin") is True
    assert student.timezone == "Europe/Berlin"
    assert preferences.adopt_browser_zone(session, student, "Not/AZone") is False
    preferences.update_settings(session, student, {"timezone": "UTC"})
    assert preferences.adopt_browser_zone(session, student, "Asia/Tokyo") is False
    assert student.timezone == "UTC"


def test_emails_log_has_no_rows_for_opted_out_users(session, admin, student):
    preferences.update_settings(session, student, {"live": False})
    talk = _webinar(session, admin, _real_now() + timedelta(hours=1))
    registrations.register(session, student, talk.id)
    live.start(session, admin, talk.id)
    templates_sent = session.exec(select(EmailLog.template).where(col(EmailLog.user_id) == student.id)).all()
    assert templates_sent == ["registration_confirmed"]


def test_scheduler_loop_delivers_queued_mail_when_woken(session, admin, student, smtp, monkeypatch):
    import asyncio

    monkeypatch.setattr(get_settings(), "reminder_poll_seconds", 60.0)
    talk = _webinar(session, admin, _real_now() + timedelta(days=2))

    async def scenario() -> None:
        task = asyncio.create_task(reminders.scheduler_loop())
        await asyncio.sleep(0.3)  # first pass: nothing queued yet
        await asyncio.to_thread(registrations.register, session, student, talk.id)  # queues + wakes
        for _ in range(40):
            if smtp.envelopes:
                break
            await asyncio.sleep(0.1)
        task.cancel()

    asyncio.run(scenario())
    assert [e.rcpt_tos for e in smtp.envelopes] == [[student.email]]


def test_scheduler_loop_drains_a_backlog_without_waiting_for_the_poll(session, admin, smtp, monkeypatch):
    """A rush queues more mail than one pass sends: the next passes follow at once, not after
    the poll interval (60 s here), and nothing wakes the loop in between."""
    import asyncio

    monkeypatch.setattr(get_settings(), "reminder_poll_seconds", 60.0)
    monkeypatch.setattr(reminders, "MAIL_BATCH", 5)
    talk = _webinar(session, admin, _real_now() + timedelta(days=2))
    people = [make_user(session, f"rush{i}", email=f"rush{i}@example.com") for i in range(12)]
    for person in people:
        registrations.register(session, person, talk.id)
    queue.woken()  # clear the wake-ups the registrations left: only the backlog rule may act

    async def scenario() -> None:
        task = asyncio.create_task(reminders.scheduler_loop())
        for _ in range(80):
            if len(smtp.envelopes) >= len(people):
                break
            await asyncio.sleep(0.1)
        task.cancel()

    asyncio.run(scenario())
    assert sorted(e.rcpt_tos[0] for e in smtp.envelopes) == sorted(p.email for p in people)


def test_scheduler_loop_defers_while_the_worker_is_busy(session, admin, student, smtp, monkeypatch):
    import asyncio

    from webinar_app.core import request_gauge

    monkeypatch.setattr(get_settings(), "reminder_poll_seconds", 60.0)
    monkeypatch.setattr(reminders, "MAX_MAIL_DEFERRAL_SECONDS", 30.0)
    talk = _webinar(session, admin, _real_now() + timedelta(days=2))
    registrations.register(session, student, talk.id)
    monkeypatch.setattr(request_gauge, "_in_flight", request_gauge.BUSY_REQUESTS)

    async def scenario() -> list[int]:
        task = asyncio.create_task(reminders.scheduler_loop())
        await asyncio.sleep(1.0)
        during_burst = len(smtp.envelopes)
        monkeypatch.setattr(request_gauge, "_in_flight", 0)  # the burst is over
        for _ in range(40):
            if smtp.envelopes:
                break
            await asyncio.sleep(0.1)
        task.cancel()
        return [during_burst, len(smtp.envelopes)]

    assert asyncio.run(scenario()) == [0, 1]


def test_a_pass_stops_between_mails_when_a_burst_begins(session, admin, smtp):
    """A batch that began quiet yields once requests pile up: the rest waits for the next
    pass instead of taking the cores the burst needs."""
    talk = _webinar(session, admin, _real_now() + timedelta(days=2))
    people = [make_user(session, f"burst{i}", email=f"burst{i}@example.com") for i in range(6)]
    for person in people:
        registrations.register(session, person, talk.id)
    asked: list[int] = []

    def burst_after_two() -> bool:
        asked.append(1)
        return len(asked) > 2

    first = queue.deliver_due(session, limit=100, yield_to=burst_after_two)
    assert first.sent == 2 and first.more is True
    rest = queue.deliver_due(session, limit=100)
    assert rest.sent == 4 and rest.more is False
    assert sorted(e.rcpt_tos[0] for e in smtp.envelopes) == sorted(p.email for p in people)
