"""Sending mail. Later features add templates and scheduling on top of `send_email`."""

from webinar_app.services.email.message import OutgoingEmail, build_message
from webinar_app.services.email.sender import send_email
from webinar_app.services.email.transport import (
    EmailTransport,
    OutboxTransport,
    SmtpTransport,
    get_transport,
    set_transport,
)

__all__ = [
    "EmailTransport",
    "OutboxTransport",
    "OutgoingEmail",
    "SmtpTransport",
    "build_message",
    "get_transport",
    "send_email",
    "set_transport",
]
