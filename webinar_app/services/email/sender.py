"""The one entry point every feature uses to send mail."""

from __future__ import annotations

import logging
import smtplib

from webinar_app.services.email.message import OutgoingEmail, build_message
from webinar_app.services.email.transport import get_transport
from webinar_app.services.errors import ServiceUnavailable

log = logging.getLogger(__name__)


def send_email(mail: OutgoingEmail) -> None:
    """Send now; a transport failure becomes `ServiceUnavailable` (never a 500)."""
    message = build_message(mail)
    try:
        get_transport().send(message)
    except (smtplib.SMTPException, OSError) as exc:
        log.warning("mail to %s failed: %s", mail.to, exc)
        raise ServiceUnavailable(f"Could not send email: {exc}", error_code="email_send_failed") from exc
