"""Every mail we send, as plain text and HTML built from the same parts.

Times are shown in the recipient's zone (`User.timezone`), with the zone named, because a
reminder saying "10:00" is only useful if it is the reader's 10:00. Everything that comes
from users (titles, names, announcement text) is escaped in the HTML part. Mails a user can
switch off carry a footer with a one-click unsubscribe link for exactly that kind, and the
matching `List-Unsubscribe` headers (RFC 2369 / RFC 8058) so mail clients offer it too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from html import escape
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from webinar_app.core.config import get_settings
from webinar_app.models import EmailKind, User, Webinar
from webinar_app.models.base import as_utc
from webinar_app.services.email.message import Attachment, OutgoingEmail
from webinar_app.services.email.preferences import KIND_INFO, unsubscribe_url


@dataclass(frozen=True)
class Recipient:
    """What a template needs to know about the reader (copied out of the ORM object, so a
    mail can be rendered after its session is gone)."""

    user_id: int
    email: str
    name: str
    timezone: str

    @classmethod
    def of(cls, user: User) -> Recipient:
        assert user.id is not None
        return cls(user.id, user.email, user.display_name, user.timezone or "UTC")


@dataclass(frozen=True)
class Part:
    """One paragraph: the same words in both bodies, optionally a link (a button in HTML)."""

    text: str
    link: str | None = None
    strong: bool = False


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def local_time(moment: datetime, zone_name: str) -> datetime:
    value = as_utc(moment)
    assert value is not None
    return value.astimezone(_zone(zone_name))


def when(webinar: Webinar, zone_name: str) -> str:
    """`Tuesday 4 March 2031, 19:00–20:00 JST (Asia/Tokyo)`."""
    start, end = local_time(webinar.start_at, zone_name), local_time(webinar.end_at, zone_name)
    zone = str(_zone(zone_name))
    abbrev = start.tzname() or zone
    suffix = f"{abbrev} ({zone})" if abbrev != zone else zone
    return f"{start:%A} {start.day} {start:%B %Y}, {start:%H:%M}–{end:%H:%M} {suffix}"


def _base() -> str:
    return get_settings().app_base_url.rstrip("/")


def webinar_link(webinar_id: int) -> str:
    return f"{_base()}/webinars/{int(webinar_id)}"


def live_link(webinar_id: int) -> str:
    return f"{_base()}/live/{int(webinar_id)}"


def recording_link(recording_id: int) -> str:
    return f"{_base()}/recordings/{int(recording_id)}"


def profile_link() -> str:
    return f"{_base()}/profile"


def _html(greeting: str, parts: list[Part], footer: list[str]) -> str:
    body = [f"<p>{escape(greeting)}</p>"]
    for part in parts:
        text = f"<strong>{escape(part.text)}</strong>" if part.strong else escape(part.text)
        if part.link:
            body.append(
                f"<p><a href=\"{escape(part.link)}\" style=\"display:inline-block;padding:10px 16px;"
                f"background:#3e63dd;color:#fff;border-radius:6px;text-decoration:none\">{text}</a></p>"
            )
        else:
            body.append(f"<p>{text}</p>".replace("\n", "<br>"))
    foot = "".join(f"<p>{item}</p>" for item in footer)
    return (
        "<!doctype html><html><body style=\"font-family:sans-serif;line-height:1.5;color:#1c2024\">"
        f"{''.join(body)}<hr style=\"border:none;border-top:1px solid #ddd\">"
        f"<div style=\"font-size:12px;color:#60646c\">{foot}</div></body></html>"
    )


def _text(greeting: str, parts: list[Part], footer: list[str]) -> str:
    lines = [greeting, ""]
    for part in parts:
        lines.append(f"{part.text}: {part.link}" if part.link else part.text)
        lines.append("")
    lines.append("--")
    lines.extend(footer)
    return "\n".join(lines).rstrip() + "\n"


def compose(
    recipient: Recipient | None,
    to: str,
    kind: str,
    subject: str,
    parts: list[Part],
    *,
    attachments: tuple[Attachment, ...] = (),
    greeting_name: str | None = None,
) -> OutgoingEmail:
    """Both bodies, the footer and the unsubscribe headers for one mail."""
    name = greeting_name if greeting_name is not None else (recipient.name if recipient else "")
    greeting = f"Hi {name}," if name else "Hi,"
    text_footer: list[str] = []
    html_footer: list[str] = []
    headers: list[tuple[str, str]] = []
    if recipient is not None and kind in KIND_INFO:
        url = unsubscribe_url(recipient.user_id, kind)
        label = KIND_INFO[kind].label.lower()
        text_footer = [
            f"You get this because {label} emails are on for your account.",
            f"Unsubscribe from {label} emails: {url}",
            f"All email settings: {profile_link()}",
        ]
        html_footer = [
            escape(f"You get this because {label} emails are on for your account."),
            f"<a href=\"{escape(url)}\">Unsubscribe from {escape(label)} emails</a> · "
            f"<a href=\"{escape(profile_link())}\">All email settings</a>",
        ]
        headers = [("List-Unsubscribe", f"<{url}>"), ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click")]
    else:
        text_footer = ["Webinar platform"]
        html_footer = ["Webinar platform"]
    return OutgoingEmail(
        to=to,
        subject=subject[:255],
        text=_text(greeting, parts, text_footer),
        html=_html(greeting, parts, html_footer),
        attachments=attachments,
        headers=tuple(headers),
    )


def ics_attachment(ics: bytes) -> tuple[Attachment, ...]:
    return (Attachment("webinar.ics", ics, "text/calendar"),)


# ------------------------------------------------------------------ account (always sent)


def verification_code(to: str, username: str, code: str) -> OutgoingEmail:
    return compose(
        None, to, EmailKind.account.value, f"Your verification code: {code}",
        [
            Part(f"Your verification code is: {code}", strong=True),
            Part("It is valid for 10 minutes. If you did not sign up, ignore this email."),
        ],
        greeting_name=username,
    )


def password_reset(to: str, username: str, token: str) -> OutgoingEmail:
    link = f"{_base()}/reset-password?token={token}"
    return compose(
        None, to, EmailKind.account.value, "Reset your password",
        [
            Part("Reset your password (valid for 1 hour)", link=link),
            Part(f"Or paste this code on the reset page: {token}"),
            Part("If you did not ask for this, ignore this email; your password stays as it is."),
        ],
        greeting_name=username,
    )


def test_message(to: str) -> OutgoingEmail:
    return OutgoingEmail(
        to=to,
        subject="Test email from the webinar platform",
        text="This is a test email. If you can read it, mail delivery works.\n",
    )


# ------------------------------------------------------------------ webinars


def _webinar_parts(webinar: Webinar, r: Recipient) -> list[Part]:
    return [
        Part(f"When: {when(webinar, r.timezone)}"),
        Part("Webinar page", link=webinar_link(webinar.id or 0)),
    ]


def registration_confirmed(r: Recipient, webinar: Webinar, ics: bytes) -> OutgoingEmail:
    return compose(
        r, r.email, EmailKind.registration.value, f"You're registered: {webinar.title}",
        [Part(f"Your seat for \"{webinar.title}\" is confirmed.", strong=True), *_webinar_parts(webinar, r),
         Part("The attached invite adds it to your calendar.")],
        attachments=ics_attachment(ics),
    )


def registration_waitlisted(r: Recipient, webinar: Webinar) -> OutgoingEmail:
    return compose(
        r, r.email, EmailKind.registration.value, f"You're on the waitlist: {webinar.title}",
        [Part(f"\"{webinar.title}\" is full, so you are on its waitlist.", strong=True),
         *_webinar_parts(webinar, r),
         Part("We will email you with a calendar invite as soon as a seat frees up.")],
    )


def waitlist_promoted(r: Recipient, webinar: Webinar, ics: bytes) -> OutgoingEmail:
    return compose(
        r, r.email, EmailKind.registration.value, f"You're in: {webinar.title}",
        [Part(f"A seat freed up for \"{webinar.title}\": your registration is now confirmed.", strong=True),
         *_webinar_parts(webinar, r), Part("The attached invite adds it to your calendar.")],
        attachments=ics_attachment(ics),
    )


def _lead_time(minutes: int) -> str:
    if minutes % 1440 == 0:
        days = minutes // 1440
        return "1 day" if days == 1 else f"{days} days"
    if minutes % 60 == 0:
        hours = minutes // 60
        return "1 hour" if hours == 1 else f"{hours} hours"
    return "1 minute" if minutes == 1 else f"{minutes} minutes"


def reminder(r: Recipient, webinar: Webinar, offset_minutes: int) -> OutgoingEmail:
    start = local_time(webinar.start_at, r.timezone)
    lead = _lead_time(offset_minutes)
    return compose(
        r, r.email, EmailKind.reminder.value,
        f"Starts in {lead}: {webinar.title} ({start:%H:%M} {start.tzname()})",
        [Part(f"\"{webinar.title}\" starts in {lead}.", strong=True),
         Part(f"When: {when(webinar, r.timezone)}"),
         Part("Join the live room", link=live_link(webinar.id or 0)),
         Part("Webinar page", link=webinar_link(webinar.id or 0))],
    )


def live_started(r: Recipient, webinar: Webinar) -> OutgoingEmail:
    return compose(
        r, r.email, EmailKind.live.value, f"We are live: {webinar.title}",
        [Part(f"\"{webinar.title}\" has just gone live.", strong=True),
         Part("Join now", link=live_link(webinar.id or 0))],
    )


def recording_available(r: Recipient, webinar: Webinar, recording_id: int, name: str) -> OutgoingEmail:
    return compose(
        r, r.email, EmailKind.recording.value, f"Recording available: {name}",
        [Part(f"A recording of \"{webinar.title}\" is now available.", strong=True),
         Part("Watch the recording", link=recording_link(recording_id))],
    )


def announcement(r: Recipient, title: str, content: str) -> OutgoingEmail:
    return compose(
        r, r.email, EmailKind.announcement.value, f"Announcement: {title}",
        [Part(title, strong=True), Part(content), Part("All announcements", link=f"{_base()}/announcements")],
    )


def webinar_cancelled(r: Recipient, webinar: Webinar, ics: bytes | None) -> OutgoingEmail:
    return compose(
        r, r.email, EmailKind.schedule_change.value, f"Cancelled: {webinar.title}",
        [Part(f"\"{webinar.title}\" has been cancelled.", strong=True),
         Part(f"It was planned for {when(webinar, r.timezone)}."),
         *([Part("The attached invite removes it from your calendar.")] if ics else [])],
        attachments=ics_attachment(ics) if ics else (),
    )


def webinar_rescheduled(r: Recipient, webinar: Webinar, ics: bytes | None) -> OutgoingEmail:
    return compose(
        r, r.email, EmailKind.schedule_change.value, f"New time: {webinar.title}",
        [Part(f"\"{webinar.title}\" has a new time.", strong=True), *_webinar_parts(webinar, r),
         *([Part("The attached invite updates your calendar.")] if ics else [])],
        attachments=ics_attachment(ics) if ics else (),
    )
