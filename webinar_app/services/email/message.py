"""Turning what we want to say into a MIME message (plain text, optional HTML, attachments)."""

from __future__ import annotations

from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from webinar_app.core.config import get_settings


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: bytes
    mime_type: str = "application/octet-stream"


@dataclass(frozen=True)
class OutgoingEmail:
    to: str
    subject: str
    text: str
    html: str | None = None
    attachments: tuple[Attachment, ...] = field(default_factory=tuple)
    headers: tuple[tuple[str, str], ...] = field(default_factory=tuple)


def build_message(mail: OutgoingEmail) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = get_settings().default_from_email
    msg["To"] = mail.to
    msg["Subject"] = mail.subject
    msg["Date"] = formatdate(localtime=False, usegmt=True)
    msg["Message-ID"] = make_msgid(domain="webinars.local")
    for name, value in mail.headers:
        msg[name] = value
    msg.set_content(mail.text)
    if mail.html:
        msg.add_alternative(mail.html, subtype="html")
    for item in mail.attachments:
        maintype, _, subtype = item.mime_type.partition("/")
        msg.add_attachment(
            item.content, maintype=maintype, subtype=subtype or "octet-stream", filename=item.filename
        )
    return msg
