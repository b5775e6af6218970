"""Turning submitted forms and domain errors into what a form shows; no rules live here."""

from __future__ import annotations

from typing import Any

from webinar_app.services.errors import DomainError, Invalid


def text(form_data: dict[str, Any], name: str) -> str:
    """A submitted field as a string (a websocket client may send anything at all)."""
    value = form_data.get(name, "")
    return value if isinstance(value, str) else ""


def field_errors(exc: Invalid) -> dict[str, str]:
    """`Invalid.errors` flattened to one line per field, for inline messages."""
    return {field: " ".join(messages) for field, messages in exc.errors.items()}


def message_of(exc: DomainError) -> str:
    return exc.message or "Something went wrong. Please try again."


def typed_draft(value: Any, *, sent: str, limit: int) -> str | None:
    """The draft a debounced keystroke event carries, cut to `limit`; None when it is the late
    echo of `sent`, the text just sent (it landed after the send cleared the box, and must
    not put the sent text back: fast typists press Enter early)."""
    draft = value[:limit] if isinstance(value, str) else ""
    return None if sent and draft == sent else draft
