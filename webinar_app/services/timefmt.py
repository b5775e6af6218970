"""Timestamps as the contract writes them (`...Z`), for payloads services publish themselves.

Realtime payloads are built in services (the publish happens there), which may not import the
API layer; this is the same format `api/schemas/common.iso_z` produces.
"""

from __future__ import annotations

from datetime import UTC, datetime

from webinar_app.models.base import as_utc


def iso_z(value: datetime | None) -> str | None:
    value = as_utc(value)
    if value is None:
        return None
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
