"""Account mails. Plain text plus a small HTML version; later issues add webinar mails here."""

from __future__ import annotations

from html import escape

from webinar_app.core.config import get_settings
from webinar_app.services.email.message import OutgoingEmail


def _html(paragraphs: list[str]) -> str:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return f"<!doctype html><html><body style='font-family:sans-serif'>{body}</body></html>"


def verification_code(to: str, username: str, code: str) -> OutgoingEmail:
    text = (
        f"Hi {username},\n\nYour verification code is: {code}\n\n"
        "It is valid for 10 minutes. If you did not sign up, ignore this email.\n"
    )
    html = _html(
        [
            f"Hi {escape(username)},",
            f"Your verification code is: <strong style='font-size:1.4em'>{code}</strong>",
            "It is valid for 10 minutes. If you did not sign up, ignore this email.",
        ]
    )
    return OutgoingEmail(to=to, subject=f"Your verification code: {code}", text=text, html=html)


def password_reset(to: str, username: str, token: str) -> OutgoingEmail:
    link = f"{get_settings().app_base_url.rstrip('/')}/reset-password?token={token}"
    text = (
        f"Hi {username},\n\nReset your password here (valid for 1 hour):\n{link}\n\n"
        f"Or paste this code on the reset page: {token}\n\n"
        "If you did not ask for this, ignore this email; your password stays as it is.\n"
    )
    html = _html(
        [
            f"Hi {escape(username)},",
            f"<a href='{escape(link)}'>Reset your password</a> (valid for 1 hour).",
            f"Or paste this code on the reset page: <code>{escape(token)}</code>",
            "If you did not ask for this, ignore this email; your password stays as it is.",
        ]
    )
    return OutgoingEmail(to=to, subject="Reset your password", text=text, html=html)


def test_message(to: str) -> OutgoingEmail:
    return OutgoingEmail(
        to=to,
        subject="Test email from the webinar platform",
        text="This is a test email. If you can read it, mail delivery works.\n",
    )
