"""Mail: the message builder, the outbox transport, and SMTP against a real local server (aiosmtpd)."""

from __future__ import annotations

import email
import socket
from collections.abc import Iterator
from email import policy
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from webinar_app.core.config import Settings, get_settings, reset_settings_cache
from webinar_app.services import email as mail
from webinar_app.services.email import OutboxTransport, OutgoingEmail, SmtpTransport, build_message, templates
from webinar_app.services.email.message import Attachment
from webinar_app.services.errors import ServiceUnavailable


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Collector:
    """An aiosmtpd handler that keeps every envelope it receives."""

    def __init__(self) -> None:
        self.envelopes: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"

    def messages(self) -> list[email.message.EmailMessage]:
        return [email.message_from_bytes(e.original_content, policy=policy.default) for e in self.envelopes]


def _authenticator(server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any) -> AuthResult:
    ok = (
        isinstance(auth_data, LoginPassword)
        and auth_data.login == b"mailer"
        and auth_data.password == b"pw-123"
    )
    return AuthResult(success=ok, handled=False)


@pytest.fixture
def smtp_server() -> Iterator[tuple[Collector, int]]:
    handler = Collector()
    port = _free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield handler, port
    finally:
        controller.stop()


@pytest.fixture
def smtp_auth_server() -> Iterator[tuple[Collector, int]]:
    handler = Collector()
    port = _free_port()
    controller = Controller(
        handler, hostname="127.0.0.1", port=port, authenticator=_authenticator, auth_require_tls=False
    )
    controller.start()
    try:
        yield handler, port
    finally:
        controller.stop()


def _smtp_settings(port: int, **extra: Any) -> Settings:
    return Settings(
        _env_file=None,
        email_backend="smtp",
        smtp_host="127.0.0.1",
        smtp_port=port,
        smtp_timeout_seconds=5,
        **extra,
    )


# ------------------------------------------------------------------ building messages


def test_build_message_has_headers_parts_and_attachments():
    message = build_message(
        OutgoingEmail(
            to="x@example.com",
            subject="Hello",
            text="plain body",
            html="<p>html body</p>",
            attachments=(Attachment("invite.ics", b"BEGIN:VCALENDAR", "text/calendar"),),
            headers=(("X-Webinar", "42"),),
        )
    )
    parsed = email.message_from_bytes(bytes(message), policy=policy.default)
    assert parsed["To"] == "x@example.com"
    assert parsed["Subject"] == "Hello"
    assert parsed["From"] == get_settings().default_from_email
    assert parsed["X-Webinar"] == "42"
    assert parsed["Message-ID"] and parsed["Date"]
    assert parsed.get_body(("plain",)).get_content().strip() == "plain body"
    assert "html body" in parsed.get_body(("html",)).get_content()
    attachments = list(parsed.iter_attachments())
    assert [a.get_filename() for a in attachments] == ["invite.ics"]
    assert attachments[0].get_content_type() == "text/calendar"


def test_templates_escape_html():
    message = templates.verification_code("x@example.com", "<script>", "123456")
    assert "<script>" not in (message.html or "")
    assert "123456" in message.text and "123456" in (message.html or "")


# ------------------------------------------------------------------ outbox


def test_outbox_transport_writes_parsable_eml(tmp_path):
    transport = OutboxTransport(tmp_path / "box")
    transport.send(build_message(templates.verification_code("dana@example.com", "dana", "654321")))
    transport.send(build_message(templates.test_message("dana@example.com")))
    files = sorted((tmp_path / "box").glob("*.eml"))
    assert len(files) == 2
    assert list((tmp_path / "box").glob("*.tmp")) == []
    parsed = email.message_from_bytes(files[0].read_bytes(), policy=policy.default)
    assert parsed["To"] == "dana@example.com"
    assert "654321" in parsed["Subject"]
    assert "654321" in parsed.get_body(("plain",)).get_content()


def test_send_email_uses_the_default_outbox(outbox):
    mail.send_email(templates.test_message("ops@example.com"))
    messages = outbox.to("ops@example.com")
    assert len(messages) == 1
    assert messages[0]["Subject"] == "Test email from the webinar platform"


# ------------------------------------------------------------------ SMTP


def test_smtp_transport_delivers(smtp_server):
    handler, port = smtp_server
    SmtpTransport(_smtp_settings(port)).send(build_message(templates.test_message("smtp@example.com")))
    assert len(handler.envelopes) == 1
    assert handler.envelopes[0].rcpt_tos == ["smtp@example.com"]
    assert handler.messages()[0]["Subject"] == "Test email from the webinar platform"


def test_smtp_transport_with_auth(smtp_auth_server):
    handler, port = smtp_auth_server
    good = _smtp_settings(port, smtp_username="mailer", smtp_password="pw-123")
    SmtpTransport(good).send(build_message(templates.test_message("auth@example.com")))
    assert [e.rcpt_tos for e in handler.envelopes] == [["auth@example.com"]]
    bad = _smtp_settings(port, smtp_username="mailer", smtp_password="wrong")
    mail.set_transport(SmtpTransport(bad))
    with pytest.raises(ServiceUnavailable):
        mail.send_email(templates.test_message("auth@example.com"))
    assert len(handler.envelopes) == 1


def test_email_backend_smtp_from_environment(smtp_server, monkeypatch):
    handler, port = smtp_server
    try:
        with monkeypatch.context() as env:
            env.setenv("EMAIL_BACKEND", "smtp")
            env.setenv("SMTP_HOST", "127.0.0.1")
            env.setenv("SMTP_PORT", str(port))
            reset_settings_cache()
            transport = mail.get_transport()
            assert isinstance(transport, SmtpTransport)
            mail.send_email(templates.test_message("env@example.com"))
    finally:
        reset_settings_cache()
    assert [e.rcpt_tos for e in handler.envelopes] == [["env@example.com"]]
    assert isinstance(mail.get_transport(), OutboxTransport)


def test_registration_code_arrives_over_smtp(client, smtp_server):
    handler, port = smtp_server
    mail.set_transport(SmtpTransport(_smtp_settings(port)))
    response = client.post(
        "/api/accounts/auth/register/",
        json={
            "username": "sam",
            "email": "sam@example.com",
            "password": "sam-password",
            "password_confirm": "sam-password",
        },
    )
    assert response.status_code == 201
    [message] = handler.messages()
    assert message["To"] == "sam@example.com"
    body = message.get_body(("plain",)).get_content()
    code = body.split("verification code is: ")[1][:6]
    verify = client.post("/api/accounts/auth/verify-email/", json={"email": "sam@example.com", "otp": code})
    assert verify.status_code == 200


def test_unreachable_smtp_server_is_503_not_500(client, admin_headers):
    mail.set_transport(SmtpTransport(_smtp_settings(_free_port())))
    response = client.post(
        "/api/accounts/auth/test-email/", json={"email": "x@example.com"}, headers=admin_headers
    )
    assert response.status_code == 503
    assert response.json()["error_code"] == "email_send_failed"
    with pytest.raises(ServiceUnavailable):
        mail.send_email(templates.test_message("x@example.com"))
