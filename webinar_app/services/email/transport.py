"""Where mail goes: a local outbox folder (the default) or an SMTP server."""

from __future__ import annotations

import smtplib
import ssl
import threading
import uuid
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Protocol

from webinar_app.core.config import Settings, get_settings


class EmailTransport(Protocol):
    def send(self, message: EmailMessage) -> None: ...


class OutboxTransport:
    """Writes each message as an `.eml` file: readable, greppable, and what tests inspect."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def send(self, message: EmailMessage) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
        final = self.folder / f"{stamp}-{uuid.uuid4().hex[:8]}.eml"
        partial = final.with_suffix(".tmp")
        partial.write_bytes(bytes(message))
        partial.rename(final)  # readers never see a half-written message


class SmtpTransport:
    """Plain, STARTTLS or implicit-TLS SMTP with optional auth, one connection per message."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def send(self, message: EmailMessage) -> None:
        s = self.settings
        context = ssl.create_default_context()
        if s.smtp_security == "ssl":
            client: smtplib.SMTP = smtplib.SMTP_SSL(
                s.smtp_host, s.smtp_port, timeout=s.smtp_timeout_seconds, context=context
            )
        else:
            client = smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=s.smtp_timeout_seconds)
        with client:
            if s.smtp_security == "starttls":
                client.starttls(context=context)
            if s.smtp_username and s.smtp_password:
                client.login(s.smtp_username, s.smtp_password)
            client.send_message(message)


_lock = threading.Lock()
_override: EmailTransport | None = None


def get_transport() -> EmailTransport:
    if _override is not None:
        return _override
    settings = get_settings()
    if settings.email_backend == "smtp":
        return SmtpTransport(settings)
    return OutboxTransport(settings.outbox_dir)


def set_transport(transport: EmailTransport | None) -> None:
    """Swap the transport (tests use a real SMTP server or a temporary outbox)."""
    global _override
    with _lock:
        _override = transport
